"""Installed copies of the project -> its source files in the rootdir.

When tox (or ``pip install .``) installs the project into an environment, tracebacks point into
``<env>/lib/python3.X/site-packages/<pkg>/...``. Autofix never edits anything there; it maps such a
frame back to the source file it was built from, so the fixers edit the source, and it puts the
source root first on the verification rerun's ``sys.path``, so the rerun sees the edit.

A file maps only when the source file exists in a known layout (flat ``<rootdir>/<pkg>/...`` or
``<rootdir>/src/<pkg>/...``) and its content corresponds: identical bytes, or (the source was
edited after the install, for example by an earlier autofix round) the same source line at that
line number. Standard library only: this runs in every process that runs tests.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

INSTALL_DIRS = frozenset({"site-packages", "dist-packages"})
SOURCE_ROOTS = (".", "src")


def installed_relpath(path: str | os.PathLike[str]) -> str | None:
    """The import path of a file inside an installation directory (``pkg/mod.py``), or None."""
    name = os.fspath(path)
    if name.startswith("<"):
        return None
    if os.path.isabs(name):
        return _installed_relpath(name)
    return _installed_relpath.__wrapped__(os.path.abspath(name))


@functools.lru_cache(maxsize=4096)
def _installed_relpath(name: str) -> str | None:
    parts = Path(os.path.normpath(name)).parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in INSTALL_DIRS:
            rest = parts[i + 1 :]
            return "/".join(rest) if rest else None
    return None


@functools.lru_cache(maxsize=512)
def _bytes(path: str, mtime_ns: int) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _read(path: Path) -> bytes | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return _bytes(str(path), st.st_mtime_ns)


def _line(data: bytes, lineno: int) -> bytes | None:
    lines = data.splitlines()
    return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else None


def corresponds(installed: Path, source: Path, lineno: int | None) -> bool:
    """Identical bytes, or the same non-empty source line at ``lineno``."""
    a, b = _read(installed), _read(source)
    if a is None or b is None:
        return False
    if a == b:
        return True
    if lineno is None:
        return False
    line = _line(a, lineno)
    return bool(line) and line == _line(b, lineno)


def source_of(path: str | os.PathLike[str], rootdir: Path, lineno: int | None = None) -> str | None:
    """The rootdir-relative POSIX path of the source file an installed ``path`` was built from,
    or None when it is not an installed copy of a project file (or the content differs)."""
    rel = installed_relpath(path)
    if rel is None or not rel.endswith((".py", ".pyi")):
        return None
    for root in SOURCE_ROOTS:
        candidate = rootdir / root / rel
        if _is_file(candidate) and corresponds(Path(os.path.abspath(path)), candidate, lineno):
            return (Path(root) / rel).as_posix()
    return None


def _is_file(path: Path) -> bool:
    """``path.is_file()``, a negative answer remembered until :func:`forget` (the frames of
    pytest and its plugins come back in every traceback, and none has a source here)."""
    if path in _NOT_FILES:
        return False
    if path.is_file():
        return True
    if len(_NOT_FILES) < 65536:
        _NOT_FILES.add(path)
    return False


_NOT_FILES: set[Path] = set()


def forget() -> None:
    """Forget the remembered missing files (a new session may have created them)."""
    _NOT_FILES.clear()


def project_packages(rootdir: Path) -> dict[str, Path]:
    """Top-level importable names the rootdir's source layouts define -> their source root."""
    found: dict[str, Path] = {}
    for root in SOURCE_ROOTS:
        base = (rootdir / root).resolve()
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir()):
            if entry.name.startswith((".", "_")) or entry.name in ("tests", "test", "docs"):
                continue
            if entry.is_dir() and (entry / "__init__.py").is_file():
                found.setdefault(entry.name, base)
            elif entry.suffix == ".py" and entry.stem.isidentifier() and root == "src":
                found.setdefault(entry.stem, base)
    return found


def shadowed_source_roots(rootdir: Path) -> list[Path]:
    """Source roots whose packages this interpreter would import from an installed copy
    (site-packages) instead of the rootdir: what the rerun must put first on ``sys.path``."""
    roots: list[Path] = []
    for name, base in project_packages(rootdir).items():
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        origin = spec.origin if spec is not None else None
        if origin and installed_relpath(origin) is not None and base not in roots:
            roots.append(base)
    return roots
