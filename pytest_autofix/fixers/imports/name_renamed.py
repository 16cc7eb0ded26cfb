"""``import.name-not-found``: import the name that was meant (renamed or moved), and read
``module.new`` where code reads ``module.old``."""

from __future__ import annotations

import ast
import dataclasses
from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.classes import find_definition
from pytest_autofix.fixers.toolkit.edits import (
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
from pytest_autofix.fixers.toolkit.fixture_scan import typo
from pytest_autofix.fixers.toolkit.free_names import reads_global, unalias_read_name, unbound_global
from pytest_autofix.fixers.toolkit.import_transforms import rename_module, rename_name
from pytest_autofix.fixers.toolkit.installed import env_provides
from pytest_autofix.fixers.toolkit.patch_targets import rename_patch_targets
from pytest_autofix.fixers.toolkit.scan import (
    attributes_of,
    keywords_named,
    kind_fits,
    mentions,
    module_bindings,
    package_of,
    project_provides,
    signature_fits,
    similarity,
    top_level_definition,
    usage,
)
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

__all__ = ["NameRenamed"]

# A misspelling: the only name of the module one keystroke from the missing one (a letter
# added, dropped, changed or two swapped; never a plural or another digit). With nothing
# against it that is as sure as a similar name corroborated by its use (0.6 + 0.05 + 0.15).
TYPO_BONUS = 0.15


@dataclasses.dataclass
class _Name:
    module: str  # where it is imported from after the fix
    name: str
    kind: str
    similarity: float
    confidence: float = 0.0
    evidence: list[str] = dataclasses.field(default_factory=list)
    decided: bool = False  # the confidence is final (a submodule providing every name)
    mentioned: bool = False  # its definition names the old name ("Was ``old``")
    # the importers that read this name where nothing binds it, and never the old one
    read_in: list[str] = dataclasses.field(default_factory=list)


class NameRenamed:
    """``import.name-not-found``: import the name that was meant (``from m import old`` and
    reads of ``m.old`` on a project module)."""

    name: str = "import.name-renamed"
    kinds: frozenset[IssueKind] = frozenset({IssueKind.IMPORT})
    codes: frozenset[str] = frozenset({"import.name-not-found"})
    examples: tuple[Example, ...] = (
        Example(
            "a function renamed in its module, an importer left behind",
            before={
                "shop.py": "def total_price(items):\n    return sum(items)\n",
                "test_shop.py": """\
                    from shop import total_prize


                    def test_total():
                        assert total_prize([1, 2]) == 3
                    """,
            },
            after={
                "test_shop.py": """\
                    from shop import total_price


                    def test_total():
                        assert total_price([1, 2]) == 3
                    """,
            },
            confidence=0.85,
            safe=True,
        ),
        Example(
            "a misspelled import of the name the file reads (where nothing binds it)",
            before={
                "shop/__init__.py": "",
                "shop/counting.py": "def frequencies(seq):\n    return {}\n",
                "test_shop.py": """\
                    from shop.recipes import countby


                    def test_countby():
                        assert countby(len, []) == {}
                    """,
                "shop/recipes.py": """\
                    from .counting import frequences


                    def countby(key, seq):
                        return frequencies(map(key, seq))
                    """,
            },
            after={
                "shop/recipes.py": """\
                    from .counting import frequencies


                    def countby(key, seq):
                        return frequencies(map(key, seq))
                    """,
            },
            confidence=0.9,
            safe=True,
        ),
    )

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
        self.exported: set[str] = set()  # the importers that keep the old name
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
        parent, _, last = self.module.rpartition(".")
        for info in self.project.all_modules():
            if info.rel not in primary and not any(
                ref.module == self.module or (ref.module == parent and last in ref.names)
                for ref in info.imports
            ):
                continue  # the index says it imports neither the name nor the module
            statements = self.files.imports(info)
            reads = [s.binds for s in statements if s.module == self.module and s.name == self.old]
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
        self.exported = self._exported([info for info, _ in importers.values()])
        wanted, calls, attributes = self._uses(importers)
        candidates = self._renamed(provided, wanted, calls, attributes, importers)
        candidates += self._moved(wanted, calls, attributes, set(importers))
        candidates = [c for c in candidates if c.confidence > 0]
        if not candidates:
            return []
        candidates.sort(key=lambda c: (-c.confidence, -c.similarity, c.module, c.name))
        if _too_close(candidates):
            return [self._ambiguous(candidates)]
        return self._fix(candidates[0], importers)

    def _uses(
        self, importers: dict[str, tuple[ModuleInfo, list[str]]]
    ) -> tuple[str | None, list[ast.Call], set[str]]:
        """What the importers do with ``old``, the evidence a candidate must fit: the kind of
        thing they use it as (None: nothing tells), their calls of it, and the attributes
        they read on it."""
        trees = [t for info, _ in importers.values() if (t := self.files.tree(info)) is not None]
        uses = [usage(trees, read) for _, reads in importers.values() for read in reads]
        calls = [call for use in uses for call in use.calls]
        wanted = next((k for use in uses if (k := use.kind(self.old)) is not None), None)
        attributes: set[str] = set()
        for info, reads in importers.values():
            tree = self.files.tree(info)
            if tree is not None:
                for read in reads:
                    attributes |= attributes_of(tree, read)
        return wanted, calls, attributes

    def _renamed(
        self,
        provided: dict[str, str],
        wanted: str | None,
        calls: list[ast.Call],
        attrs: set[str],
        importers: dict[str, tuple[ModuleInfo, list[str]]],
    ) -> list[_Name]:
        """Names of the same module that look like ``old``."""
        found: list[_Name] = []
        tree = self.files.tree(self.info) if self.info is not None else None
        for name, kind in provided.items():
            if not _may_replace(self.old, name):
                continue
            alike = similarity(self.old, name)
            if kind == "module" and attrs:
                candidate = self._submodule(name, alike, attrs)
            else:
                home, definition = self._definition(tree, name, kind)
                if isinstance(definition, ast.ClassDef):
                    kind = "class"
                elif definition is not None:
                    kind = "function"
                candidate = self._similar(name, kind, alike, home, definition, wanted, calls)
                if candidate is not None:
                    candidate.read_in = self._read_in(name, kind, definition, importers)
            if candidate is not None:
                found.append(candidate)
        _settle(found, self.old)
        return found

    def _definition(
        self, tree: ast.Module | None, name: str, kind: str
    ) -> tuple[ModuleInfo | None, ast.stmt | None]:
        """The module defining ``name`` and its ``def``/``class``: in the module itself, or,
        for a name it imports (a package re-exporting it), where the import leads."""
        definition = top_level_definition(tree, name)
        if definition is not None or kind != "import":
            return self.info, definition
        found = find_definition(self.project, self.module, name)
        if found is None or found.node is None:
            return self.info, None
        return found.info, found.node

    def _submodule(self, name: str, alike: float, attrs: set[str]) -> _Name | None:
        """The submodule ``name`` when it provides every attribute the code reads on ``old``:
        then the code meant that module, renamed (a decided candidate)."""
        submodule = f"{self.module}.{name}"
        sub_info = self.project.module(submodule)
        sub = (
            project_provides(self.project, sub_info)
            if sub_info is not None
            else env_provides(submodule)
        )
        if sub is None or not attrs <= set(sub):
            return None
        what = f"the submodule {submodule} provides {names(attrs)}"
        confidence = CERTAIN if alike >= 0.6 else STRONG
        return _Name(self.module, name, "module", alike, confidence, [what], True)

    def _similar(
        self,
        name: str,
        kind: str,
        alike: float,
        home: ModuleInfo | None,
        definition: ast.stmt | None,
        wanted: str | None,
        calls: list[ast.Call],
    ) -> _Name | None:
        """``name`` when it is like ``old`` (or its definition mentions ``old``) and fits how
        the code uses it, with what speaks for it: the same kind, every call fitting its
        signature, the keyword arguments naming its parameters; None when it does not fit."""
        mentioned = home is not None and mentions(
            self.project.source(home.path), definition, self.old
        )
        if (alike < 0.6 and not mentioned) or not kind_fits(wanted, kind):
            return None
        fits = signature_fits(definition, calls) if calls else None
        if fits is False:
            return None  # the calls would not fit: not the name that was meant
        candidate = _Name(self.module, name, kind, alike, FUZZY - 0.1, ["a similar name"])
        if mentioned:
            candidate.evidence = [f"its definition mentions {self.old}"]
            candidate.mentioned = True
        if wanted is not None and kind == wanted:
            candidate.confidence += 0.1
            candidate.evidence.append(f"the same kind ({kind})")
        if fits:
            candidate.confidence += 0.1
            candidate.evidence.append("every call fits its signature")
            if keywords_named(definition, calls):
                candidate.confidence += 0.05
                candidate.evidence.append("the keyword arguments name its parameters")
        return candidate

    def _read_in(
        self,
        name: str,
        kind: str,
        definition: ast.stmt | None,
        importers: dict[str, tuple[ModuleInfo, list[str]]],
    ) -> list[str]:
        """The importers whose only use of ``old`` is an unaliased module-level ``from m import
        old``, that never read ``old``, and that read ``name`` where nothing binds it (a
        ``NameError`` waiting): the import was meant to bind ``name``. Not a file that keeps
        ``old`` for modules importing it; none when those reads do not fit ``name`` (another
        kind, calls its signature refuses)."""
        found: list[str] = []
        trees: list[ast.Module] = []
        for info, reads in importers.values():
            if not self._imports_old_only(info, reads, name):
                continue
            tree = self.files.tree(info)
            try:
                source = self.project.source(info.path)
            except OSError:
                continue
            if tree is None or reads_global(source, self.old):
                continue
            if unbound_global(source, tree, name):
                found.append(info.rel)
                trees.append(tree)
        if not found:
            return []
        use = usage(trees, name)
        if not kind_fits(use.kind(name), kind):
            return []
        if use.calls and signature_fits(definition, use.calls) is False:
            return []
        return found

    def _imports_old_only(self, info: ModuleInfo, reads: list[str], name: str) -> bool:
        """Whether the file reaches ``old`` only through unaliased module-level ``from m import
        old`` statements, and keeps no ``old`` for other modules: an import that can bind
        ``name`` instead."""
        if set(reads) != {self.old} or info.rel in self.exported:
            return False
        if info.is_package and self.project.module(f"{info.name}.{name}") is not None:
            return False  # importing the submodule `name` binds it in the package
        if any(s.binds == name for s in self.files.imports(info)):
            return False  # imported somewhere already (under `if TYPE_CHECKING:`, in a def)
        statements = [
            s for s in self.files.imports(info) if s.module == self.module and s.name == self.old
        ]
        return bool(statements) and not any(
            s.asname or not s.top_level or s.type_checking for s in statements
        )

    def _moved(
        self, wanted: str | None, calls: list[ast.Call], attrs: set[str], skip: set[str]
    ) -> list[_Name]:
        """The same name defined in exactly one other project module."""
        homes = self._definers(skip) + self._packages_of_submodule(attrs)
        homes = [(m, k) for m, k in homes if kind_fits(wanted, k)]
        return [self._moved_to(module, kind, len(homes) > 1, calls) for module, kind in homes]

    def _definers(self, skip: set[str]) -> list[tuple[str, str]]:
        """The other project modules defining ``old`` (module name, kind of definition): not
        the module itself, not one of ``skip`` (the importers), not a test module."""
        homes: list[tuple[str, str]] = []
        for info in self.project.all_modules():
            kind = info.definitions.get(self.old, "import")
            if kind == "import" or info.name == self.module or info.rel in skip:
                continue
            if self.project.is_test_module(info.rel) or info.syntax_error:
                continue
            homes.append((info.name, kind))
        return homes

    def _packages_of_submodule(self, attrs: set[str]) -> list[tuple[str, str]]:
        """The other packages with a submodule named ``old`` that provides every attribute the
        code reads on it: ``old`` is that module, moved."""
        parent_of = {
            name.rpartition(".")[0]
            for name in self.project.modules()
            if name.rpartition(".")[2] == self.old and name != f"{self.module}.{self.old}"
        }
        homes: list[tuple[str, str]] = []
        for parent in sorted(parent_of):
            sub = project_provides(self.project, self.project.module(f"{parent}.{self.old}"))
            if parent and attrs and sub is not None and attrs <= set(sub):
                homes.append((parent, "module"))
        return homes

    def _moved_to(self, module: str, kind: str, several: bool, calls: list[ast.Call]) -> _Name:
        """``old`` as defined in ``module``: strong when it is the only home and the calls fit
        its signature, ambiguous otherwise."""
        evidence = [f"{module} defines {self.old}"]
        if several:
            confidence = AMBIGUOUS
        else:
            confidence = STRONG
            evidence.append("the only definition in the project")
        home = self.project.module(module)
        tree = self.files.tree(home) if home is not None else None
        definition = top_level_definition(tree, self.old)
        if kind != "module" and signature_fits(definition, calls) is False:
            confidence = AMBIGUOUS
            evidence.append("but the calls do not fit its signature")
        return _Name(module, self.old, kind, 1.0, confidence, evidence)

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
                    keep_name=info.rel in self.exported,
                )
            ]
            if best.kind == "module":  # `import m.old` forms of a renamed submodule too
                old_sub = f"{self.module}.{self.old}"
                steps.append(rename_module(old_sub, f"{best.module}.{best.name}", package_of(info)))
            # and the mocks' targets: mock.patch("m.old") fails as surely, when the test runs
            steps.append(
                rename_patch_targets(f"{self.module}.{self.old}", f"{best.module}.{best.name}")
            )
            if info.rel in best.read_in:  # bind the name the file reads, not `new as old`
                steps.append(unalias_read_name(best.name, self.old))
            edits.add(self.project, info, chain(*steps))
        if not edits.edits:
            return []
        confidence = best.confidence
        skipped = {rel for rel, _ in edits.skipped}
        if self.issue.path in skipped or skipped & set(best.read_in):
            confidence = min(confidence, AMBIGUOUS)
        target = best.name if best.module == self.module else f"{best.module}.{best.name}"
        description = (
            f"use {target} for the missing {self.module}.{self.old} "
            f"({', '.join(best.evidence)}) in {listing(edits.changed)}{edits.note()}"
        )
        return [Fix(description=description, confidence=confidence, edits=edits.edits)]

    def _exported(self, importers: list[ModuleInfo]) -> set[str]:
        """The importers whose own ``old`` other modules import, or that list it in
        ``__all__``: they keep the name (``from m import new as old``)."""
        imported_from = {
            ref.module
            for info in self.project.all_modules()
            for ref in info.imports
            if self.old in ref.names
        }
        exported: set[str] = set()
        for info in importers:
            tree = self.files.tree(info)
            if info.name in imported_from or (tree is not None and self.old in _dunder_all(tree)):
                exported.add(info.rel)
        return exported


def _may_replace(old: str, name: str) -> bool:
    """Whether ``name`` can be what ``old`` became: never a dunder, and a private name only
    for a private one."""
    return not (name.startswith("__") or (name.startswith("_") and not old.startswith("_")))


def _settle(found: list[_Name], old: str) -> None:
    """The final confidence of each similar name, against the others: a little more when no
    other name comes close, more when it is the only one a keystroke from ``old`` (a typo);
    STRONG when its definition documents the rename, or when an importer reads it where
    nothing binds it (and never reads ``old``); at most 0.75 when the names are not that
    alike, and never above CLEAR. Decided ones stay as they are."""
    slips = [c for c in found if not c.decided and typo(old, c.name)]
    for candidate in found:
        if candidate.decided:
            continue
        rivals = [c for c in found if c is not candidate and not c.decided]
        if not any(candidate.similarity - c.similarity < 0.1 for c in rivals):
            candidate.confidence += 0.05
            candidate.evidence.append("no other name comes close")
        if slips == [candidate]:
            candidate.confidence += TYPO_BONUS
            candidate.evidence.append(f"one keystroke from {old}")
        if candidate.read_in:  # the code was written for this name: a NameError waiting
            candidate.evidence.append(
                f"{listing(candidate.read_in)} reads {candidate.name}, which nothing binds "
                "there, and never the missing name"
            )
            candidate.confidence = STRONG
            continue
        if candidate.mentioned:  # "Was ``old``": the rename is documented
            candidate.confidence = STRONG
            continue
        if candidate.similarity < 0.75:
            candidate.confidence = min(candidate.confidence, 0.75)
        candidate.confidence = round(min(candidate.confidence, CLEAR), 2)


def _too_close(candidates: list[_Name]) -> bool:
    """Whether the two best candidates (sorted, best first) are too close to choose between:
    within 0.05 of confidence and 0.1 of similarity."""
    if len(candidates) < 2:
        return False
    best, second = candidates[0], candidates[1]
    if best.read_in and not second.read_in:
        return False  # only the best is what the code reads
    return best.confidence - second.confidence < 0.05 and (
        best.similarity - second.similarity < 0.1
    )


def _dunder_all(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            value = node.value
            if isinstance(value, ast.List | ast.Tuple):
                found |= {
                    e.value
                    for e in value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                }
    return found
