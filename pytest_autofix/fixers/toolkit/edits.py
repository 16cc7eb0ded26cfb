"""What every import fixer needs: parsed files, the files an issue points at, and edits checked
against the file as it is now."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import libcst as cst

from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable
from pytest_autofix.fixers.toolkit.scan import ImportStmt, import_statements, package_of
from pytest_autofix.model import FileEdit

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

# Confidence levels, documented in docs/fixers.md.
CERTAIN = 0.95  # one candidate, every imported name defined there, and a similar name
STRONG = 0.9  # one candidate that provides every name the code uses
CLEAR = 0.85  # the best of several by a clear margin, or a fuzzy match with corroboration
FUZZY = 0.7  # a similar name and nothing else (below the default threshold 0.8)
AMBIGUOUS = 0.5  # several equally good candidates: a suggestion that lists them


class Files:
    """The ast (the project's, shared) and the import statements of project files."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._imports: dict[str, list[ImportStmt]] = {}

    def tree(self, info: ModuleInfo) -> ast.Module | None:
        """The project's shared parse of the file (None: it does not parse or cannot be read)."""
        try:
            return self.project.tree(info.path)
        except OSError:
            return None

    def imports(self, info: ModuleInfo) -> list[ImportStmt]:
        if info.rel not in self._imports:
            tree = self.tree(info)
            self._imports[info.rel] = (
                import_statements(tree, package_of(info)) if tree is not None else []
            )
        return self._imports[info.rel]


def located(issue: Issue, project: Project) -> list[ModuleInfo]:
    """The project files where the failure surfaced: ``issue.path`` first, then every
    ``details["locations"]`` path, each once."""
    paths: list[str] = []
    if issue.path:
        paths.append(issue.path)
    for location in issue.details.get("locations") or []:
        if isinstance(location, dict) and location.get("path"):
            paths.append(str(location["path"]))
    found: dict[str, ModuleInfo] = {}
    for path in dict.fromkeys(paths):  # one lookup a file, however many tests failed there
        info = project.module_at(path)
        if info is not None:
            found.setdefault(info.rel, info)
    return list(found.values())


def lines_of(issue: Issue) -> dict[str, set[int]]:
    """rel path -> the lines where the failure surfaced."""
    found: dict[str, set[int]] = {}
    if issue.path and issue.line:
        found.setdefault(issue.path, set()).add(issue.line)
    for location in issue.details.get("locations") or []:
        if isinstance(location, dict) and location.get("path") and location.get("line"):
            found.setdefault(str(location["path"]), set()).add(int(location["line"]))
    return found


def chain(*transforms: Transform) -> Transform:
    def transform(module: cst.Module) -> cst.Module:
        for step in transforms:
            module = step(module)
        return module

    return transform


@dataclasses.dataclass
class Edits:
    """The edits of a fix, each checked on the file as it is, and the files left out."""

    edits: list[FileEdit] = dataclasses.field(default_factory=list)
    changed: list[str] = dataclasses.field(default_factory=list)  # rel paths
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (rel, why)

    def add(
        self, project: Project, info: ModuleInfo, transform: Transform, scope: str | None = None
    ) -> None:
        """Run ``transform`` on the file now: keep it when it changes the file into code that
        compiles; else record why the file is left out. ``scope``: see :class:`FileEdit`."""
        try:
            before = project.cst(info.path)
            after = transform(before)
            if after.code == before.code:
                return
            compile(after.code, info.rel, "exec", dont_inherit=True)
        except Unfixable as why:
            self.skipped.append((info.rel, str(why)))
            return
        except (cst.ParserSyntaxError, SyntaxError, ValueError, OSError) as err:
            self.skipped.append((info.rel, f"{type(err).__name__}: {err}"))
            return
        self.edits.append(FileEdit(info.rel, transform, scope=scope))
        if info.rel not in self.changed:
            self.changed.append(info.rel)

    def note(self) -> str:
        """What the description says about the files left out."""
        if not self.skipped:
            return ""
        parts = [f"{rel} ({why})" for rel, why in self.skipped]
        return "; not changed: " + ", ".join(parts)


def listing(items: Sequence[str], limit: int = 4) -> str:
    """``a``, ``a and b``, ``a, b and c``, or the first few and how many more."""
    shown = list(items[:limit])
    rest = len(items) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def names(items: Iterable[str]) -> str:
    return listing(sorted(items), limit=6)
