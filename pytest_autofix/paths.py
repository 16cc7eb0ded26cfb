"""What a path is to pytest-autofix, decided in one place.

- **Not project source**: a path with a part in :data:`NOT_PROJECT` (virtual environments,
  installed packages, VCS data, caches). Tracebacks there are not the project's; autofix never
  indexes or edits there.
- **Excluded**: matched by an ``autofix_exclude`` pattern (:func:`excluded`): never indexed,
  never edited.
- **A test file**: a file pytest collects by ``python_files`` (:func:`is_test_file`), and a
  ``conftest.py`` is a test module too (:func:`is_test_module`).

Paths here are rootdir-relative and in POSIX form (``tests/test_a.py``). Standard library only:
the capture in every test process asks here, and so do the project index, the transaction and
the fixers.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Sequence

__all__ = [
    "DEFAULT_PYTHON_FILES",
    "NOT_PROJECT",
    "excluded",
    "is_conftest",
    "is_test_file",
    "is_test_module",
    "not_project",
]

# Directory names that are never project source (compared case-insensitively: .Git on macOS).
NOT_PROJECT = frozenset(
    {"site-packages", "dist-packages", ".tox", ".nox", ".venv", "venv", ".git", "__pycache__"}
)
# pytest's default ``python_files``.
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")


def not_project(rel: str) -> str | None:
    """A part of ``rel`` that makes it no project source (the first in sort order, so the
    message is stable), else None."""
    found = NOT_PROJECT.intersection(rel.lower().split("/"))
    return min(found) if found else None


def excluded(rel: str, patterns: Sequence[str]) -> str | None:
    """The first ``autofix_exclude`` pattern matching ``rel`` or one of its parent
    directories, else None.

    ``fnmatch`` semantics (``*`` also crosses ``/``); ``**/`` also matches no directory at all;
    a leading ``./`` and a trailing ``/`` are ignored (``build/`` excludes everything in it).
    """
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in patterns:
        pattern = raw.strip().removeprefix("./").strip("/")
        if not pattern:
            continue
        variants = {pattern, pattern.replace("**/", "")}
        if any(fnmatch.fnmatch(p, v) for p in prefixes for v in variants):
            return raw
    return None


def is_conftest(rel: str) -> bool:
    return posixpath.basename(rel) == "conftest.py"


def is_test_file(rel: str, python_files: Sequence[str] = DEFAULT_PYTHON_FILES) -> bool:
    """``rel`` matches one of ``python_files`` as pytest matches them: a pattern without a
    ``/`` against the file name, one with a ``/`` against the end of the path."""
    name = posixpath.basename(rel)
    for pattern in python_files:
        if "/" not in pattern:
            if fnmatch.fnmatch(name, pattern):
                return True
        elif fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch("/" + rel, "*/" + pattern):
            return True
    return False


def is_test_module(rel: str, python_files: Sequence[str] = DEFAULT_PYTHON_FILES) -> bool:
    """A test file or a ``conftest.py``: a module pytest itself imports."""
    return is_conftest(rel) or is_test_file(rel, python_files)
