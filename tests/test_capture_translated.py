"""An error a project's handler translates (``except Exception as err: raise ValueError(f"...
({err})")``) is classified by the error it handles, which its message repeats; a handler that
fails on its own, or says nothing of the error it handles, is classified by its own error."""

from __future__ import annotations

from pathlib import Path

from pytest_autofix.testing import issues_from_run

PACKAGE = """\
    import collections


    def load(name):
        try:
            return collections.Mapping
        except Exception as err:
            raise ValueError("cannot load %r (%s)" % (name, err)){tail}
"""


def _issue(tmp_path: Path, tail: str) -> tuple[str, str]:
    files = {
        "pkg/__init__.py": "",
        "pkg/loader.py": PACKAGE.format(tail=tail),
        "test_a.py": "from pkg.loader import load\n\n\ndef test_a():\n    assert load('x')\n",
    }
    [issue] = issues_from_run(files, tmp_path)
    return issue.code, issue.message


def test_a_translated_removed_api_is_the_removed_api(tmp_path: Path) -> None:
    assert _issue(tmp_path, "") == (
        "environment.removed-api",
        "collections.Mapping was removed in Python 3.10",
    )
    assert _issue(tmp_path / "from", " from err")[0] == "environment.removed-api"


def test_a_translation_that_hides_the_error_is_its_own(tmp_path: Path) -> None:
    code, message = _issue(tmp_path, " from None")
    assert code == "other.exception"
    assert message.startswith("cannot load 'x'")
