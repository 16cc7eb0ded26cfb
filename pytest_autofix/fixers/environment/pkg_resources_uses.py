"""``environment.pkg-resources``: ``pkg_resources`` (removed from setuptools) migrated use by
use to ``importlib.metadata``, ``importlib.resources``, ``os.path`` and ``packaging.version``,
each use with its own safety, where the catalogue's entry can only give one to them all."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.edits import Edits, listing, located
from pytest_autofix.fixers.toolkit.import_style import style_of
from pytest_autofix.fixers.toolkit.pkg_resources_transforms import (
    Environment,
    Use,
    migrate_pkg_resources,
)
from pytest_autofix.model import Example, Fix, IssueKind

# a mock of iter_entry_points rewritten with no migrated call of it in the same fix
MOCK_ALONE = 0.7

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project


def _files(issue: Issue, project: Project) -> list[ModuleInfo]:
    """Where the failure surfaced, then every project module that imports pkg_resources (by
    an import statement, or ``__import__("pkg_resources")`` as namespace packages do)."""
    found = {info.rel: info for info in located(issue, project)}
    for info in sorted(project.all_modules(), key=lambda i: i.rel):
        if any(ref.module.partition(".")[0] == "pkg_resources" for ref in info.imports) or (
            "pkg_resources" in info.dynamic
        ):
            found.setdefault(info.rel, info)
    return list(found.values())


def _unmatched_mocks(done: list[Use]) -> list[Use]:
    """The mocks of iter_entry_points rewritten into mocks of entry_points, when no call of
    iter_entry_points was migrated with them: what they stand in for is not code this fix
    wrote, so whether the new target is what the code calls is unknown."""
    if any(u.what.startswith(("iter_entry_points", "next(iter_entry_points")) for u in done):
        return []
    return [u for u in done if u.patch]


def environment() -> Environment:
    """This interpreter's: the project's tests run on it."""
    try:
        packaging = importlib.util.find_spec("packaging.version") is not None
    except (ImportError, ValueError):
        packaging = False
    return Environment(python=sys.version_info[:2], packaging=packaging)


class PkgResources:
    """Every ``pkg_resources`` use of the project with an exact (or nearly exact) rewrite."""

    name = "environment.pkg-resources"
    kinds = frozenset({IssueKind.ENVIRONMENT})
    codes: frozenset[str] = frozenset({"environment.removed-api"})
    examples: tuple[Example, ...] = (
        Example(
            "the version and DistributionNotFound (the conftest.py hides pkg_resources as "
            "setuptools 82 does)",
            before={
                "conftest.py": """\
                    import sys

                    sys.modules["pkg_resources"] = None
                    """,
                "test_about.py": """\
                    import pkg_resources

                    try:
                        VERSION = pkg_resources.get_distribution("pytest").version
                    except pkg_resources.DistributionNotFound:
                        VERSION = None


                    def test_about():
                        assert VERSION
                    """,
            },
            after={
                "test_about.py": """\
                    import importlib.metadata

                    try:
                        VERSION = importlib.metadata.version("pytest")
                    except importlib.metadata.PackageNotFoundError:
                        VERSION = None


                    def test_about():
                        assert VERSION
                    """,
            },
            confidence=0.9,
            safe=True,
        ),
    )

    def __init__(self, env: Environment | None = None) -> None:
        self.env = env or environment()

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.removed-api" or issue.details.get("api") != "pkg_resources":
            return []
        edits = Edits()
        done: list[Use] = []
        for info in _files(issue, project):
            uses: list[Use] = []
            before = len(edits.edits)
            edits.add(project, info, migrate_pkg_resources(self.env, uses, style_of(project)))
            if len(edits.edits) > before:
                done += uses
        if not edits.edits:
            return [
                Fix(
                    "pkg_resources (removed from setuptools) is used in ways with no exact "
                    f"rewrite here{edits.note()}: migrate them by hand to importlib.metadata "
                    "and importlib.resources, or pin setuptools below 82 in the project's "
                    "requirements",
                    0.3,
                )
            ]
        kinds = list(dict.fromkeys(u.what for u in done))
        caveats = list(dict.fromkeys(u.caveat for u in done if u.caveat))
        text = f"migrate pkg_resources in {listing(edits.changed)}: {'; '.join(kinds)}"
        if caveats:
            text += f" (what could differ: {'; '.join(caveats)})"
        failed_at = {info.rel for info in located(issue, project)}
        if any(rel in failed_at for rel, _ in edits.skipped):
            return [Fix(f"{text}{edits.note()}", 0.5, edits.edits, safe=False)]
        unmatched = _unmatched_mocks(done)
        if unmatched:
            done = [dataclasses.replace(u, confidence=MOCK_ALONE) for u in unmatched] + done
            text += "; no call of iter_entry_points was migrated with its mocks"
        confidence = min((u.confidence for u in done), default=0.9)
        safe = all(u.safe for u in done)
        return [Fix(f"{text}{edits.note()}", confidence, edits.edits, safe=safe)]
