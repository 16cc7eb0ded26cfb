"""Import fixers: a module or a name that was renamed, moved or misspelled, a missing import,
and test modules that share a basename.

Every fix rewrites the broken import wherever the project has it (``issue.path``, every
``details["locations"]`` file and every other project file with the same import), in every
form (``import a.b``, ``import a.b as c``, ``from a.b import x``, relative imports, imports
inside functions), and keeps the names the rest of each file reads working. How each fixer
turns evidence into a confidence is documented in ``docs/fixers.md``.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import TYPE_CHECKING, ClassVar

from pytest_autofix.fixers._imports_basename import DuplicateBasename
from pytest_autofix.fixers._imports_common import (
    AMBIGUOUS,
    CERTAIN,
    CLEAR,
    FUZZY,
    STRONG,
    Edits,
    Files,
    chain,
    listing,
    located,
    names,
)
from pytest_autofix.fixers._imports_missing import MissingImport
from pytest_autofix.fixers._imports_rewrite import rename_module, rename_name
from pytest_autofix.fixers._imports_scan import (
    ImportStmt,
    attributes_of,
    env_locate,
    env_provides,
    env_submodules,
    is_test_file,
    kind_fits,
    module_bindings,
    module_similarity,
    package_of,
    project_provides,
    signature_fits,
    similarity,
    stdlib_names,
    top_level_definition,
    usage,
)
from pytest_autofix.fixers.packages import installed_import_names, known_distribution
from pytest_autofix.model import Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

__all__ = ["DuplicateBasename", "MissingImport", "ModuleRenamed", "NameRenamed", "fixers"]


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@dataclasses.dataclass
class _Candidate:
    name: str  # dotted module name
    similarity: float
    provides: dict[str, str] | None
    where: str  # "project" | "environment"
    missing: set[str] = dataclasses.field(default_factory=set)

    def covers(self, required: set[str]) -> bool:
        return bool(required) and self.provides is not None and not self.missing

    def defines(self, required: set[str]) -> bool:
        """Every required name is defined there (not merely imported into it)."""
        assert self.provides is not None
        return all(self.provides.get(n) != "import" for n in required)


# -- 1. a module renamed, moved or misspelled ------------------------------------------------


class ModuleRenamed:
    """``import.module-not-found``: import the module that was meant.

    Also takes ``environment.missing-package`` when the "package" is a misspelling of an
    installed or standard-library module (``import reqeusts``).
    """

    name = "import.module-renamed"
    kinds: ClassVar[frozenset[IssueKind]] = frozenset({IssueKind.IMPORT, IssueKind.ENVIRONMENT})

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        old = str(issue.details.get("module") or "")
        if not old or old.startswith("."):
            return []
        if issue.code == "environment.missing-package":
            top = old.partition(".")[0]
            if known_distribution(old) is not None:
                return []  # a real distribution (yaml -> PyYAML): the package fixer says so
            return _ModuleSearch(issue, project, old, misspelled_top=top).propose(env_only=True)
        if issue.code != "import.module-not-found":
            return []
        info = project.module(old)
        if info is not None:
            return [_not_on_path(project, old, info)]
        origin = issue.details.get("origin")
        top = old.partition(".")[0]
        misspelled = origin == "misspelled" or (
            origin not in ("installed", "stdlib") and project.module(top) is None
        )
        search = _ModuleSearch(issue, project, old, misspelled_top=top if misspelled else None)
        return search.propose()


def _not_on_path(project: Project, module: str, info: ModuleInfo) -> Fix:
    depth = module.count(".") + (1 if info.is_package else 0)
    base = info.path.parents[depth]
    rel = base.relative_to(project.rootdir).as_posix() if base != project.rootdir else "."
    return Fix(
        description=(
            f"{module} exists ({info.rel}) but is not importable where it is imported: its "
            f"directory {rel!r} is not on sys.path. Install the project (`pip install -e .`) "
            f'or add `pythonpath = ["{rel}"]` to the [tool.pytest.ini_options] of '
            "pyproject.toml (or pytest.ini)"
        ),
        confidence=AMBIGUOUS,
        edits=[],
    )


class _ModuleSearch:
    def __init__(self, issue: Issue, project: Project, old: str, misspelled_top: str | None):
        self.issue, self.project, self.old = issue, project, old
        self.misspelled_top = misspelled_top
        self.files = Files(project)
        self.parent, _, self.last = old.rpartition(".")

    # -- who imports it, and what they use from it

    def importers(self) -> dict[str, tuple[ModuleInfo, list[ImportStmt]]]:
        found: dict[str, tuple[ModuleInfo, list[ImportStmt]]] = {}
        primary = {info.rel for info in located(self.issue, self.project)}
        for info in self.project.all_modules():
            statements = [s for s in self.files.imports(info) if self._imports_old(s)]
            if statements or info.rel in primary:
                found[info.rel] = (info, statements)
        return found

    def _imports_old(self, stmt: ImportStmt) -> bool:
        if _under(stmt.module, self.old):
            return True
        return bool(self.parent) and stmt.module == self.parent and stmt.name == self.last

    def required(self, importers: dict[str, tuple[ModuleInfo, list[ImportStmt]]]) -> set[str]:
        """The names a replacement must provide; a star import asks for nothing in particular."""
        required: set[str] = set()
        for info, statements in importers.values():
            tree = self.files.tree(info)
            for stmt in statements:
                if stmt.module == self.old and stmt.name is not None:
                    if stmt.name != "*":
                        required.add(stmt.name)
                elif stmt.module.startswith(self.old + "."):
                    required.add(stmt.module[len(self.old) + 1 :].partition(".")[0])
                elif tree is not None:  # import old [as x], from parent import last [as x]
                    binding = stmt.binds if (stmt.asname or stmt.name) else self.old
                    required |= attributes_of(tree, binding)
        return required

    # -- candidates

    def candidates(self, required: set[str], skip: set[str], env_only: bool) -> list[_Candidate]:
        found: dict[str, _Candidate] = {}
        if not env_only:
            for name, info in self.project.modules().items():
                if name == self.old or info.rel in skip or is_test_file(info.path):
                    continue
                if info.syntax_error or name.startswith(self.old + "."):
                    continue
                provides = project_provides(self.project, info)
                found[name] = _Candidate(name, module_similarity(self.old, name), provides, "project")
        for name in self._environment_names(required):
            if name not in found and name != self.old:
                found[name] = _Candidate(
                    name, module_similarity(self.old, name), env_provides(name), "environment"
                )
        for candidate in found.values():
            if candidate.provides is not None:
                candidate.missing = required - set(candidate.provides)
        return list(found.values())

    def _environment_names(self, required: set[str]) -> list[str]:
        names: list[str] = []
        rest = self.old[len(self.misspelled_top) :] if self.misspelled_top else ""
        if self.misspelled_top is not None:
            pool = set(stdlib_names()) | installed_import_names()
            pool.discard(self.misspelled_top)
            hinted = [str(c) for c in self.issue.details.get("candidates") or []]
            close = [c for c in pool if similarity(self.misspelled_top, c) >= 0.75]
            for top in sorted({*close, *(c for c in hinted if c in pool)}):
                if env_locate(top + rest) is not None:
                    names.append(top + rest)
        elif self.parent and self.project.module(self.parent) is None:
            package = env_locate(self.parent)
            if package is not None:
                for sub in env_submodules(package)[:200]:
                    if similarity(self.last, sub) >= 0.6 or required:
                        names.append(f"{self.parent}.{sub}")
        return names

    # -- the decision

    def propose(self, env_only: bool = False) -> list[Fix]:
        importers = self.importers()
        if not importers:
            return []
        required = self.required(importers)
        candidates = self.candidates(required, set(importers), env_only)
        strong = [c for c in candidates if c.covers(required)]
        if env_only:  # a misspelled installed module: only when it provides every name used
            strong = [c for c in strong if c.similarity >= 0.75]
            if not strong:
                return []
        if strong:
            tier = [c for c in strong if c.defines(required)] or strong
            tier.sort(key=lambda c: (-c.similarity, c.name))
            what = f"it {'defines' if tier[0].defines(required) else 'provides'} {names(required)}"
            if len(tier) == 1:
                confidence = CERTAIN if tier[0].similarity >= 0.6 else STRONG
                return self._fix(tier[0], confidence, what, importers)
            if tier[0].similarity >= 0.6 and tier[0].similarity - tier[1].similarity >= 0.2:
                others = listing([c.name for c in tier[1:]])
                return self._fix(
                    tier[0], CLEAR, f"{what}; so does {others}, less alike by name", importers
                )
            return [self._ambiguous(tier, f"each provides {names(required)}")]
        close = [c for c in candidates if c.similarity >= 0.75]
        if not close:
            return []
        close.sort(key=lambda c: (len(c.missing), -c.similarity, c.name))
        best = close[0]
        runner_up = close[1] if len(close) > 1 else None
        if runner_up is not None and (
            len(runner_up.missing) == len(best.missing)
            and best.similarity - runner_up.similarity < 0.1
        ):
            return [self._ambiguous(close[:5], "each is a similar name")]
        if best.missing:
            why = f"a similar name, but it lacks {names(best.missing)}"
            return self._fix(best, AMBIGUOUS, why, importers)
        return self._fix(best, FUZZY, "a similar name (nothing else confirms it)", importers)

    def _ambiguous(self, candidates: list[_Candidate], why: str) -> Fix:
        options = listing([c.name for c in candidates], limit=5)
        return Fix(
            description=(
                f"{self.old} is missing; it could be any of {options} ({why}): "
                "rewrite the import by hand"
            ),
            confidence=AMBIGUOUS,
            edits=[],
        )

    def _fix(
        self,
        candidate: _Candidate,
        confidence: float,
        why: str,
        importers: dict[str, tuple[ModuleInfo, list[ImportStmt]]],
    ) -> list[Fix]:
        new = candidate.name
        new_parent, _, new_last = new.rpartition(".")
        edits = Edits()
        primary = {info.rel for info in located(self.issue, self.project)}
        for info, _ in importers.values():
            steps = [rename_module(self.old, new, package_of(info))]
            if self.parent and new_parent:  # `from parent import last` forms
                steps.append(
                    rename_name(
                        self.parent,
                        self.last,
                        new_last,
                        new_module=new_parent,
                        package=package_of(info),
                    )
                )
            edits.add(self.project, info, chain(*steps))
        if not edits.edits:
            return []
        if primary & {rel for rel, _ in edits.skipped}:
            confidence = min(confidence, AMBIGUOUS)
        kind = "standard-library " if new.partition(".")[0] in stdlib_names() else ""
        description = (
            f"import the {kind}module {new} instead of the missing {self.old} ({why}) in "
            f"{listing(edits.changed)}{edits.note()}"
        )
        return [Fix(description=description, confidence=confidence, edits=edits.edits)]


# -- 2. a name renamed or moved --------------------------------------------------------------


@dataclasses.dataclass
class _Name:
    module: str  # where it is imported from after the fix
    name: str
    kind: str
    similarity: float
    confidence: float = 0.0
    evidence: list[str] = dataclasses.field(default_factory=list)


class NameRenamed:
    """``import.name-not-found``: import the name that was meant (``from m import old`` and
    reads of ``m.old`` on a project module)."""

    name = "import.name-renamed"
    kinds: ClassVar[frozenset[IssueKind]] = frozenset({IssueKind.IMPORT})

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "import.name-not-found":
            return []
        module = str(issue.details.get("module") or "")
        old = str(issue.details.get("name") or "")
        if not module or not old or "circular import" in issue.message:
            return []
        return _NameSearch(issue, project, module, old).propose()


class _NameSearch:
    def __init__(self, issue: Issue, project: Project, module: str, old: str) -> None:
        self.issue, self.project, self.module, self.old = issue, project, module, old
        self.files = Files(project)
        self.info = project.module(module)
        path = issue.details.get("module_path")
        if isinstance(path, str) and project.module_at(path) is not None:
            self.info = project.module_at(path)

    def provides(self) -> dict[str, str] | None:
        if self.info is not None:
            return project_provides(self.project, self.info)
        return env_provides(self.module)

    def importers(self) -> dict[str, tuple[ModuleInfo, list[str]]]:
        """rel -> (info, the local expressions that read ``old``: ``old``, ``alias``,
        ``binding.old``)."""
        found: dict[str, tuple[ModuleInfo, list[str]]] = {}
        primary = {info.rel for info in located(self.issue, self.project)}
        for info in self.project.all_modules():
            statements = self.files.imports(info)
            reads = [
                s.binds for s in statements if s.module == self.module and s.name == self.old
            ]
            tree = self.files.tree(info)
            if tree is not None:
                for binding in module_bindings(statements, self.module):
                    if self.old in attributes_of(tree, binding):
                        reads.append(f"{binding}.{self.old}")
            if reads or info.rel in primary:
                found[info.rel] = (info, reads)
        return found

    def propose(self) -> list[Fix]:
        provided = self.provides()
        if provided is None or self.old in provided:
            return []  # cannot know, or it is there: the failure has another cause
        importers = self.importers()
        if not any(reads for _, reads in importers.values()):
            return []
        trees = [t for info, _ in importers.values() if (t := self.files.tree(info)) is not None]
        uses = [usage(trees, read) for _, reads in importers.values() for read in reads]
        calls = [call for use in uses for call in use.calls]
        wanted = next((k for use in uses if (k := use.kind(self.old)) is not None), None)
        attributes: set[str] = set()
        for info, reads in importers.values():
            tree = self.files.tree(info)
            for read in reads:
                if tree is not None:
                    attributes |= attributes_of(tree, read)
        skip = set(importers)
        candidates = self._renamed(provided, wanted, calls, attributes)
        candidates += self._moved(wanted, calls, attributes, skip)
        candidates = [c for c in candidates if c.confidence > 0]
        if not candidates:
            return []
        candidates.sort(key=lambda c: (-c.confidence, -c.similarity, c.module, c.name))
        best = candidates[0]
        if len(candidates) > 1:
            second = candidates[1]
            if best.confidence - second.confidence < 0.05 and (
                best.similarity - second.similarity < 0.1
            ):
                return [self._ambiguous(candidates)]
        return self._fix(best, importers)

    def _renamed(
        self, provided: dict[str, str], wanted: str | None, calls: list[ast.Call], attrs: set[str]
    ) -> list[_Name]:
        """Names of the same module that look like ``old``."""
        found: list[_Name] = []
        tree = self.files.tree(self.info) if self.info is not None else None
        for name, kind in provided.items():
            if name.startswith("__") or (name.startswith("_") and not self.old.startswith("_")):
                continue
            alike = similarity(self.old, name)
            if kind == "module" and attrs:
                submodule = f"{self.module}.{name}"
                sub_info = self.project.module(submodule)
                sub = (
                    project_provides(self.project, sub_info)
                    if sub_info is not None
                    else env_provides(submodule)
                )
                if sub is not None and attrs <= set(sub):
                    what = f"the submodule {submodule} provides {names(attrs)}"
                    confidence = CERTAIN if alike >= 0.6 else STRONG
                    found.append(_Name(self.module, name, kind, alike, confidence, [what]))
                continue
            if alike < 0.6 or not kind_fits(wanted, kind):
                continue
            candidate = _Name(self.module, name, kind, alike, FUZZY - 0.1, ["a similar name"])
            if wanted is not None and kind == wanted:
                candidate.confidence += 0.1
                candidate.evidence.append(f"the same kind ({kind})")
            fits = signature_fits(top_level_definition(tree, name), calls) if calls else None
            if fits is False:
                continue  # the calls would not fit: not the name that was meant
            if fits:
                candidate.confidence += 0.1
                candidate.evidence.append("every call fits its signature")
            found.append(candidate)
        for candidate in found:
            rivals = [c for c in found if c is not candidate and c.kind != "module"]
            if candidate.kind != "module" and not any(
                candidate.similarity - c.similarity < 0.1 for c in rivals
            ):
                candidate.confidence += 0.05
                candidate.evidence.append("no other name comes close")
            if candidate.kind != "module" and candidate.similarity < 0.75:
                candidate.confidence = min(candidate.confidence, 0.75)
            candidate.confidence = round(min(candidate.confidence, CLEAR), 2)
        return found

    def _moved(
        self, wanted: str | None, calls: list[ast.Call], attrs: set[str], skip: set[str]
    ) -> list[_Name]:
        """The same name defined in exactly one other project module."""
        homes: list[tuple[str, str]] = []
        for info in self.project.all_modules():
            kind = info.definitions.get(self.old, "import")
            if kind == "import" or info.name == self.module or info.rel in skip:
                continue
            if is_test_file(info.path) or info.syntax_error:
                continue
            homes.append((info.name, kind))
        parent_of = {
            name.rpartition(".")[0]
            for name in self.project.modules()
            if name.rpartition(".")[2] == self.old and name != f"{self.module}.{self.old}"
        }
        for parent in sorted(parent_of):
            sub = project_provides(self.project, self.project.module(f"{parent}.{self.old}"))
            if parent and attrs and sub is not None and attrs <= set(sub):
                homes.append((parent, "module"))
        homes = [(m, k) for m, k in homes if kind_fits(wanted, k)]
        found = []
        for module, kind in homes:
            evidence = [f"{module} defines {self.old}"]
            if len(homes) > 1:
                confidence = AMBIGUOUS
            else:
                confidence = STRONG
                evidence.append("the only definition in the project")
            info = self.project.module(module)
            tree = self.files.tree(info) if info is not None else None
            if kind != "module" and signature_fits(top_level_definition(tree, self.old), calls) is False:
                confidence = AMBIGUOUS
                evidence.append("but the calls do not fit its signature")
            found.append(_Name(module, self.old, kind, 1.0, confidence, evidence))
        return found

    def _ambiguous(self, candidates: list[_Name]) -> Fix:
        options = listing([f"{c.module}.{c.name}" for c in candidates], limit=5)
        return Fix(
            description=(
                f"{self.module} has no {self.old}; it could be any of {options}: "
                "fix the import by hand"
            ),
            confidence=min(AMBIGUOUS, candidates[0].confidence),
            edits=[],
        )

    def _fix(self, best: _Name, importers: dict[str, tuple[ModuleInfo, list[str]]]) -> list[Fix]:
        edits = Edits()
        exported = self._exported()
        for info, reads in importers.values():
            if not reads and info.rel != self.issue.path:
                continue
            steps = [
                rename_name(
                    self.module,
                    self.old,
                    best.name,
                    new_module=best.module,
                    package=package_of(info),
                    keep_name=info.rel in exported,
                )
            ]
            if best.kind == "module":  # `import m.old` forms of a renamed submodule too
                old_sub = f"{self.module}.{self.old}"
                steps.append(rename_module(old_sub, f"{best.module}.{best.name}", package_of(info)))
            edits.add(self.project, info, chain(*steps))
        if not edits.edits:
            return []
        confidence = best.confidence
        if self.issue.path in {rel for rel, _ in edits.skipped}:
            confidence = min(confidence, AMBIGUOUS)
        target = best.name if best.module == self.module else f"{best.module}.{best.name}"
        description = (
            f"use {target} for the missing {self.module}.{self.old} "
            f"({', '.join(best.evidence)}) in {listing(edits.changed)}{edits.note()}"
        )
        return [Fix(description=description, confidence=confidence, edits=edits.edits)]

    def _exported(self) -> set[str]:
        """Files whose own ``old`` other modules import, or that list it in ``__all__``: they
        keep the name (``from m import new as old``)."""
        exported: set[str] = set()
        by_name = {info.name: info.rel for info in self.project.all_modules()}
        for info in self.project.all_modules():
            for stmt in self.files.imports(info):
                if stmt.name == self.old and stmt.module in by_name:
                    exported.add(by_name[stmt.module])
            tree = self.files.tree(info)
            if tree is not None and self.old in _dunder_all(tree):
                exported.add(info.rel)
        return exported


def _dunder_all(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            value = node.value
            if isinstance(value, ast.List | ast.Tuple):
                found |= {
                    e.value
                    for e in value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                }
    return found


def fixers() -> list[ModuleRenamed | NameRenamed | MissingImport | DuplicateBasename]:
    """The import fixers, in the order they are registered."""
    return [ModuleRenamed(), NameRenamed(), MissingImport(), DuplicateBasename()]
