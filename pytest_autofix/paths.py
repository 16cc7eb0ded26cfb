"""What a path is to pytest-autofix, decided in one place.

- **Not project source**: a path with a part in :data:`NOT_PROJECT` (virtual environments,
  installed packages, VCS data, caches) or ending in ``.egg-info`` (:func:`not_project`); and,
  looking at the disk, a directory that is a virtual environment whatever its name (it holds
  ``pyvenv.cfg``), a cache (it holds a ``CACHEDIR.TAG``, as pytest's cache dir does whatever
  ``cache_dir`` says) or a ``build``/``dist`` output directory that is no package
  (:func:`not_project_dir`, :func:`not_project_on_disk`). Tracebacks there are not the
  project's; autofix never indexes or edits there, whichever fixer asks.
- **Excluded**: matched by an ``autofix_exclude`` pattern (:func:`excluded`): never indexed,
  never edited.
- **A test file**: a file pytest collects by ``python_files`` (:func:`is_test_file`), and a
  ``conftest.py`` is a test module too (:func:`is_test_module`).
- **Readable source**: a regular file (a symlink to one counts) of at most
  ``autofix_max_file_size`` bytes (:func:`read_source`). A FIFO named ``x.py`` would block the
  read for ever, a symlink to ``/dev/zero`` would never end, and a huge generated module costs
  minutes and gigabytes to parse: autofix reads none of them.

Paths here are rootdir-relative and in POSIX form (``tests/test_a.py``). Standard library only:
the capture in every test process asks here, and so do the project index, the transaction and
the fixers.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import posixpath
import stat
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "DEFAULT_PYTHON_FILES",
    "NOT_PROJECT",
    "Unreadable",
    "excluded",
    "is_conftest",
    "is_test_file",
    "is_test_module",
    "not_project",
    "not_project_dir",
    "not_project_on_disk",
    "read_source",
    "too_large",
]

# Directory names that are never project source (compared case-insensitively: .Git on macOS).
NOT_PROJECT = frozenset(
    {
        "site-packages",
        "dist-packages",
        "__pypackages__",  # PEP 582 (pdm)
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".pytest_cache",
    }
)
# Build output, unless the directory is a package of the project's (``pkg/build/__init__.py``).
OUTPUT_DIRS = frozenset({"build", "dist"})
# pytest's default ``python_files``.
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
# The largest file autofix reads or edits, by default (ini ``autofix_max_file_size``).
DEFAULT_MAX_FILE_SIZE = 500_000


def not_project(rel: str) -> str | None:
    """A part of ``rel`` that makes it no project source (the first in sort order, so the
    message is stable), else None."""
    parts = rel.lower().split("/")
    found = set(NOT_PROJECT.intersection(parts))
    found.update(p for p in parts[:-1] if p.endswith(".egg-info"))
    return min(found) if found else None


def not_project_dir(directory: Path) -> str | None:
    """What makes the existing ``directory`` no project source by what it holds (see the
    module's docstring), else None. Its name is :func:`not_project`'s business."""
    if (directory / "pyvenv.cfg").is_file():
        return f"{directory.name}/, a virtual environment: it holds pyvenv.cfg"
    if (directory / "CACHEDIR.TAG").is_file():
        return f"{directory.name}/, a cache directory: it holds CACHEDIR.TAG"
    if directory.name.lower() in OUTPUT_DIRS and not (directory / "__init__.py").is_file():
        return f"{directory.name}/, build output: not a package"
    return None


def not_project_on_disk(root: Path, rel: str) -> str | None:
    """:func:`not_project` for ``rel`` under ``root``, then :func:`not_project_dir` for each
    of its directories below ``root``, outermost first."""
    refused = not_project(rel)
    if refused is not None:
        return refused
    directory = root
    for part in rel.split("/")[:-1]:
        directory = directory / part
        refused = not_project_dir(directory)
        if refused is not None:
            return refused
    return None


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


class Unreadable(OSError):
    """A file autofix does not read: not a regular file, or larger than the limit. An
    ``OSError``, so every reader that copes with an unreadable file copes with it too."""

    def __init__(self, path: str | os.PathLike[str], why: str, code: int) -> None:
        super().__init__(code, why, os.fspath(path))
        self.why = why

    def __str__(self) -> str:
        return f"{self.filename}: not read, {self.why}"


def read_source(path: str | os.PathLike[str], limit: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes; :class:`Unreadable`
    otherwise (``FileNotFoundError`` and other ``OSError`` as reading raises them).

    What the path leads to is checked before it is opened (a FIFO or a device is never opened),
    and again on the open file, opened without blocking (it may have been swapped meanwhile);
    at most ``limit + 1`` bytes are read (a file growing meanwhile is refused too)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise Unreadable(path, "not a regular file", errno.EINVAL)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable(path, "not a regular file", errno.EINVAL)
        if st.st_size > limit:
            raise Unreadable(path, too_large(st.st_size, limit), errno.EFBIG)
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise Unreadable(path, too_large(size, limit), errno.EFBIG)
    return b"".join(chunks)


def too_large(size: int, limit: int) -> str:
    """Why a file of ``size`` bytes is not read."""
    return f"{size:,} bytes, over autofix_max_file_size = {limit}"
