"""``import.file-mismatch``: two test modules with one basename, made distinct packages.

pytest's default ``prepend`` import mode imports ``tests/a/test_x.py`` as ``test_x`` with
``tests/a`` on ``sys.path`` when that directory has no ``__init__.py``; a second
``tests/b/test_x.py`` then collides. With ``__init__.py`` files up to the directory the two
have in common, they import as ``a.test_x`` and ``b.test_x`` (pytest puts the first directory
upwards without ``__init__.py`` on ``sys.path``). That renames every module in those
directories, so the fixer checks what the new names would break before proposing them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_autofix.fixers.environment.missing_package import installed_import_names
from pytest_autofix.fixers.toolkit.edits import AMBIGUOUS, STRONG, listing
from pytest_autofix.fixers.toolkit.scan import is_identifier
from pytest_autofix.model import Example, FileEdit, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import Project

__all__ = ["DuplicateBasename"]


class DuplicateBasename:
    """Two test modules sharing a basename: create the ``__init__.py`` files that make them
    distinct packages, unless a package name would be invalid, shadow another module, or
    break the project's imports (then only suggest, or propose it as unsafe)."""

    name: str = "import.test-package-init"
    kinds: frozenset[IssueKind] = frozenset({IssueKind.IMPORT})
    codes: frozenset[str] = frozenset({"import.file-mismatch"})
    examples: tuple[Example, ...] = (
        Example(
            "two test modules with one basename in directories without __init__.py",
            before={
                "tests/unit/test_api.py": "def test_unit():\n    pass\n",
                "tests/integration/test_api.py": "def test_integration():\n    pass\n",
            },
            after={"tests/unit/__init__.py": "", "tests/integration/__init__.py": ""},
            confidence=0.9,
            safe=True,
        ),
    )

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "import.file-mismatch":
            return []
        root = project.rootdir
        paths = _paths(root, issue)
        if len(paths) < 2:
            return []
        module = str(issue.details.get("module") or paths[0].stem)
        gone = next((p for p in paths[:2] if not p.is_file()), None)
        if gone is not None:
            return [
                _suggest(
                    f"{_rel(root, gone)} no longer exists: a stale __pycache__ "
                    f"holds {module!r}; delete the __pycache__ directories and rerun"
                )
            ]
        first, second = paths[0].parent, paths[1].parent
        if not (_inside(root, first) and _inside(root, second)):
            return []
        common, needed = _needed(first, second)
        shared = (
            f"test modules {_rel(root, paths[0])} and {_rel(root, paths[1])} share the "
            f"basename {module!r}"
        )
        why_not = _why_not(root, common, needed)
        if why_not is not None:
            return [_suggest(f"{shared}; {why_not}")]
        create = [d for d in needed if not (d / "__init__.py").exists()]
        if not create:
            return [
                _suggest(
                    f"{_rel(root, paths[0])} and {_rel(root, paths[1])} already are packages "
                    "up to their common directory; a stale __pycache__ may be the cause: "
                    "delete the __pycache__ directories and rerun"
                )
            ]
        packages = _packages(project, needed)
        clash = _shadowing(project, needed, packages)
        if clash:
            what = listing([f"{t.name!r}" for t in clash])
            return [
                _suggest(
                    f"{shared}; __init__.py files would make {what} a package that "
                    "shadows a module of the same name: rename one of the files instead"
                )
            ]
        return [_create_inits(project, paths[:2], module, create, packages)]


def _packages(project: Project, needed: list[Path]) -> set[Path]:
    """The package directories of the project once ``needed`` have their ``__init__.py``."""
    return set(needed) | {
        info.path.parent for info in project.all_modules() if info.path.name == "__init__.py"
    }


def _shadowing(project: Project, needed: list[Path], packages: set[Path]) -> list[Path]:
    """The top-level packages the new files make that would hide a module of their name."""
    return [t for t in sorted({_top(d, packages) for d in needed}) if _shadows(project, t)]


def _paths(root: Path, issue: Issue) -> list[Path]:
    """The clashing ``.py`` files the issue names (its ``files``, then the node's own path),
    absolute, each once."""
    paths = [_absolute(root, str(p)) for p in issue.details.get("files") or []]
    if issue.details.get("node_path"):
        paths.append(_absolute(root, str(issue.details["node_path"])))
    return list(dict.fromkeys(p for p in paths if p.suffix == ".py"))


def _needed(first: Path, second: Path) -> tuple[Path, list[Path]]:
    """The directory the two have in common, and the directories that need an
    ``__init__.py``: each one from theirs up to below the common one, and the common one too
    when it holds one of the modules itself."""
    common = Path(os.path.commonpath([first, second]))
    needed = _chain(first, common) + _chain(second, common)
    if common in (first, second):
        needed.append(common)
    return common, list(dict.fromkeys(needed))


def _why_not(root: Path, common: Path, needed: list[Path]) -> str | None:
    """Why no ``__init__.py`` can make them distinct (None: they can): the rootdir itself
    would have to be a package, or a directory's name is not a valid package name."""
    if common == root and common in needed:
        return (
            "making them distinct packages would need an __init__.py in the rootdir itself: "
            "rename one of them instead"
        )
    bad = [d for d in needed if not is_identifier(d.name)]
    if bad:
        return (
            f"{_rel(root, bad[0])!r} is not a valid package name, so an __init__.py cannot "
            "make them distinct: rename one of the files (or run pytest with "
            "--import-mode=importlib)"
        )
    return None


def _create_inits(
    project: Project, paths: list[Path], module: str, create: list[Path], packages: set[Path]
) -> Fix:
    """The fix creating the ``__init__.py`` files: safe, unless an import of the project
    names a module the new packages rename."""
    root = project.rootdir
    created = [_rel(root, d / "__init__.py") for d in create]
    description = (
        f"create {listing(created)} so the test modules sharing the basename {module!r} "
        f"import as distinct packages ({listing([_name(p, packages) for p in paths])}); "
        "pytest's prepend import mode then imports them from their package"
    )
    edits = [FileEdit.create(rel, "") for rel in created]
    broken = _broken_imports(project, set(create), packages)
    if not broken:
        return Fix(description=description, confidence=STRONG, edits=edits, safe=True)
    description += "; but the new package names break " + listing(
        [f"{rel}:{line} (`{what}`)" for rel, line, what in broken], limit=3
    )
    return Fix(description=description, confidence=AMBIGUOUS, edits=edits, safe=False)


def _suggest(description: str) -> Fix:
    return Fix(description=description, confidence=AMBIGUOUS, edits=[])


def _absolute(root: Path, path: str) -> Path:
    return Path(os.path.normpath(root / path))


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def _inside(root: Path, path: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _chain(directory: Path, stop: Path) -> list[Path]:
    """``directory`` and its parents below ``stop``."""
    found = []
    while directory != stop and directory.is_relative_to(stop):
        found.append(directory)
        directory = directory.parent
    return found


def _top(directory: Path, packages: set[Path]) -> Path:
    """The outermost package directory containing ``directory``."""
    while directory.parent in packages:
        directory = directory.parent
    return directory


def _name(path: Path, packages: set[Path]) -> str:
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while directory in packages:
        parts.append(directory.name)
        directory = directory.parent
    return ".".join(reversed(parts))


def _shadows(project: Project, top: Path) -> bool:
    """Whether a new top-level package named like ``top`` would hide another module: one of
    the standard library, of the project, or of an installed distribution. CPython's own
    ``test`` package and the ``tests`` some distributions ship by mistake are no concern."""
    name = top.name
    if name in ("test", "tests"):
        return False
    if name in sys.stdlib_module_names or name in installed_import_names():
        return True
    return any(
        info.name.partition(".")[0] == name and not info.path.is_relative_to(top)
        for info in project.all_modules()
    )


def _broken_imports(
    project: Project, created: set[Path], packages: set[Path]
) -> list[tuple[str, int, str]]:
    """Imports of modules whose name the new packages change (conftest.py files are loaded by
    pytest itself, whatever their name)."""
    renamed: dict[str, str] = {}
    for info in project.all_modules():
        if info.path.name == "conftest.py":
            continue
        if not any(info.path.is_relative_to(d) for d in created):
            continue
        after = _name(info.path, packages)
        if after != info.name:
            renamed[info.name] = after
    broken = []
    for info in project.all_modules():
        for ref in info.imports:
            hit = ref.module in renamed or any(
                f"{ref.module}.{n}" in renamed for n in ref.names if n != "*"
            )
            if hit and ref.level == 0:
                broken.append((info.rel, ref.line, ref.module))
    return broken
