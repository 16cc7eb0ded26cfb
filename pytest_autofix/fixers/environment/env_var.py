"""``environment.env-var``: an environment variable that is not set. Only a person can choose
its value: the suggestion says where it is read and where the project could set it."""

from __future__ import annotations

import importlib.util
import re
from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.edits import listing
from pytest_autofix.fixers.toolkit.environment_confidence import PERSON
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import Project

__all__ = ["MissingEnvVar"]


def _reads_of(project: Project, name: str) -> list[str]:
    """``path:line`` of every line of the project that names the variable in a string."""
    pattern = re.compile(rb"""["']""" + re.escape(name.encode()) + rb"""["']""")
    found = []
    for info in project.all_modules():
        try:
            source = project.source(info.path)
        except OSError:
            continue
        if name.encode() not in source:
            continue
        for number, line in enumerate(source.splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{info.rel}:{number}")
    return found


class MissingEnvVar:
    """``environment.missing-env-var``: say which variable, where it is read and where the
    project could set it. Never an edit: the value is for a person to choose."""

    name = "environment.env-var"
    kinds = frozenset({IssueKind.ENVIRONMENT})
    codes: frozenset[str] = frozenset({"environment.missing-env-var"})
    examples: tuple[Example, ...] = (
        Example(
            "an environment variable the tests need and nobody sets",
            before={
                "settings.py": "import os\n\nTOKEN = os.environ['AUTOFIX_EXAMPLE_TOKEN']\n",
                "test_settings.py": """\
                    def test_token():
                        from settings import TOKEN

                        assert TOKEN
                    """,
            },
            after=None,
            description="AUTOFIX_EXAMPLE_TOKEN",
        ),
    )

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.missing-env-var":
            return []
        var = str(issue.details.get("name") or "")
        reads = _reads_of(project, var)
        if issue.path and issue.line:
            here = f"{issue.path}:{issue.line}"
            reads = [here, *(r for r in reads if r != here)]
        where = f"read at {listing(reads)}" if reads else "read by the code under test"
        places = []
        root = project.rootdir
        if (root / "tox.ini").is_file():
            places.append(f"`setenv = {var}=...` in the [testenv] of tox.ini")
        if importlib.util.find_spec("pytest_env") is not None:
            places.append(f"`env = {var}=...` in the pytest ini (pytest-env is installed)")
        if (root / ".env").is_file():
            places.append(f"a `{var}=...` line in .env")
        places.append(f"the shell or CI environment (`export {var}=...`)")
        places.append(f'a fixture calling monkeypatch.setenv("{var}", ...) for the tests')
        return [
            Fix(
                f"set the environment variable {var} ({where}); the project could set it in "
                + listing(places, limit=5),
                PERSON,
            )
        ]
