"""``import.module-not-found``: import the module that was meant (renamed, moved, misspelled)."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pytest_autofix.fixers.environment.missing_package import (
    declarations,
    installed_import_names,
    known_distribution,
    normalize,
)
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
from pytest_autofix.fixers.toolkit.history import RenamedFile, renamed_files
from pytest_autofix.fixers.toolkit.import_transforms import rename_module, rename_name
from pytest_autofix.fixers.toolkit.installed import (
    env_locate,
    env_provides,
    env_submodules,
    stdlib_names,
)
from pytest_autofix.fixers.toolkit.module_moves import (
    Shift,
    StringLoad,
    defined_names,
    relative_shift,
    rename_loaded_module,
    shift_relative_imports,
    string_loads,
)
from pytest_autofix.fixers.toolkit.patch_targets import rename_patch_targets
from pytest_autofix.fixers.toolkit.scan import (
    ImportStmt,
    attributes_of,
    module_similarity,
    package_of,
    project_provides,
    similarity,
)
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ImportRef, ModuleInfo, Project

__all__ = ["ModuleRenamed"]


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


class ModuleRenamed:
    """``import.module-not-found``: import the module that was meant.

    Also takes ``environment.missing-package`` when the "package" is a misspelling of an
    installed or standard-library module (``import reqeusts``).
    """

    name: str = "import.module-renamed"
    kinds: frozenset[IssueKind] = frozenset({IssueKind.IMPORT, IssueKind.ENVIRONMENT})
    codes: frozenset[str] = frozenset({"import.module-not-found", "environment.missing-package"})
    examples: tuple[Example, ...] = (
        Example(
            "a module renamed, its importers left behind",
            before={
                "shop/__init__.py": "",
                "shop/prices.py": "def total(items):\n    return sum(items)\n",
                "tests/test_cart.py": """\
                    from shop.pricing import total


                    def test_total():
                        assert total([1, 2]) == 3
                    """,
            },
            after={
                "tests/test_cart.py": """\
                    from shop.prices import total


                    def test_total():
                        assert total([1, 2]) == 3
                    """,
            },
            code="import.module-not-found",
            confidence=0.95,
            safe=True,
        ),
        Example(
            "a module moved into a package of its own, its relative imports left as they were",
            before={
                "shop/__init__.py": "",
                "shop/prices.py": "def total(items):\n    return sum(items)\n",
                "shop/utils.py": "def fmt(amount):\n    return f'{amount:.2f}'\n",
                "shop/cart/__init__.py": """\
                    from .prices import total
                    from .utils import fmt


                    def receipt(items):
                        return fmt(total(items))
                    """,
                "tests/test_cart.py": """\
                    from shop.cart import receipt


                    def test_receipt():
                        assert receipt([1, 2]) == "3.00"
                    """,
            },
            after={
                "shop/cart/__init__.py": """\
                    from ..prices import total
                    from ..utils import fmt


                    def receipt(items):
                        return fmt(total(items))
                    """,
            },
            code="import.module-not-found",
            confidence=0.9,
            safe=True,
        ),
    )

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


def _privacy_renamed(old: str, new: str) -> bool:
    """``pkg._mod`` and ``pkg.mod`` (either way): the same module name in the same package but
    for leading underscores, what making a module public or private does."""
    old_parent, _, old_last = old.rpartition(".")
    new_parent, _, new_last = new.rpartition(".")
    return (
        old_parent == new_parent
        and old_last != new_last
        and (old_last.lstrip("_") == new_last.lstrip("_") != "")
    )


def _loads_root_only(statements: list[ImportStmt], module: str) -> bool:
    """Whether the file binds the top-level package of ``module`` by an ``import`` statement
    (reads of ``module.x`` work through it) and imports ``module`` itself nowhere."""
    root = module.partition(".")[0]
    binds_root = any(
        s.name is None and s.asname is None and s.module.partition(".")[0] == root
        for s in statements
    )
    return binds_root and not any(
        _under(s.module, module) or (s.name is not None and _under(f"{s.module}.{s.name}", module))
        for s in statements
    )


def _was_module(renamed: RenamedFile, old: str, new: str) -> bool:
    """Whether ``renamed`` moved the file of module ``old`` to that of module ``new``: the old
    path is ``old``'s file (``a/b.py`` or ``a/b/__init__.py``) under the base directory of
    ``new``'s (the rootdir, ``src/``, ...), or ends with it when it was not under that base."""
    new_tail = "/".join(new.split("."))
    stem = renamed.new.removesuffix("/__init__.py").removesuffix(".py")
    if not stem.endswith(new_tail) or (
        len(stem) > len(new_tail) and stem[-len(new_tail) - 1] != "/"
    ):
        return False
    base = stem[: len(stem) - len(new_tail)]
    old_tail = "/".join(old.split("."))
    for path in (f"{old_tail}.py", f"{old_tail}/__init__.py"):
        if renamed.old.startswith(base):
            if renamed.old == base + path:
                return True
        elif renamed.old == path or renamed.old.endswith("/" + path):
            return True
    return False


def _split(renamed: RenamedFile, renames: Mapping[str, RenamedFile]) -> bool:
    """Whether ``renamed`` is a package's ``__init__.py`` whose siblings git records moved to
    another directory than it: git pairs identical files (two empty ``__init__.py``) by
    chance, so such a rename says nothing of where the package went."""
    if not renamed.old.endswith("__init__.py"):
        return False
    old_dir = renamed.old.removesuffix("__init__.py")
    new_dir = renamed.new.removesuffix("__init__.py")
    for other in renames.values():
        rest = other.old.removeprefix(old_dir) if other.old.startswith(old_dir) else None
        if rest and "/" not in rest and other is not renamed and other.new != new_dir + rest:
            return True
    return False


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
        self.loads: dict[str, list[StringLoad]] = {}  # rel -> its loads of old by a string
        self.dynamic: set[str] = set()  # the files the index says load old by a name

    # -- who imports it, and what they use from it

    def importers(self) -> dict[str, tuple[ModuleInfo, list[ImportStmt]]]:
        found: dict[str, tuple[ModuleInfo, list[ImportStmt]]] = {}
        primary = {info.rel for info in located(self.issue, self.project)}
        for info in self.project.all_modules():
            dynamic = any(_under(name, self.old) for name in info.dynamic)
            if (
                info.rel not in primary
                and not dynamic
                and not any(self._refers(ref) for ref in info.imports)
            ):
                continue  # the index says it has no such import: no need to parse it
            statements = [s for s in self.files.imports(info) if self._imports_old(s)]
            tree = self.files.tree(info) if dynamic else None
            loads = string_loads(tree, self.old) if tree is not None else []
            if loads:
                self.loads[info.rel] = loads
            if dynamic:
                self.dynamic.add(info.rel)
            if statements or loads or info.rel in primary:
                found[info.rel] = (info, statements)
        return found

    def _refers(self, ref: ImportRef) -> bool:
        return _under(ref.module, self.old) or (
            bool(self.parent) and ref.module == self.parent and self.last in ref.names
        )

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
            for load in self.loads.get(info.rel, []):  # x = import_module("old[.sub]")
                if load.module != self.old:
                    required.add(load.module[len(self.old) + 1 :].partition(".")[0])
                elif load.binding is not None and tree is not None:
                    required |= attributes_of(tree, load.binding)
        return required

    # -- candidates

    def candidates(self, required: set[str], skip: set[str], env_only: bool) -> list[_Candidate]:
        found: dict[str, _Candidate] = {}
        if not env_only:
            for name, info in self.project.modules().items():
                if name == self.old or info.rel in skip or self.project.is_test_module(info.rel):
                    continue
                if info.syntax_error or name.startswith(self.old + "."):
                    continue
                provides = project_provides(self.project, info)
                alike = module_similarity(self.old, name)
                found[name] = _Candidate(name, alike, provides, "project")
        for name in self._environment_names(required):
            if name not in found and name != self.old and not _private_turn(self.old, name):
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
        recorded = None if env_only else self.recorded(candidates)
        if recorded is not None:
            fixes = self._from_history(*recorded, required, bool(strong), importers)
            if fixes is not None:
                return fixes
        fixes = [] if env_only else self._shifted(importers, strong, required)
        if fixes:
            return fixes
        if strong:
            return self._providing(strong, required, importers)
        return self._read_by_name(candidates, importers) or self._named_alike(candidates, importers)

    def recorded(self, candidates: list[_Candidate]) -> tuple[_Candidate, RenamedFile] | None:
        """The project candidate git records the missing module's file renamed to, when
        exactly one is (the project's history, see :mod:`~pytest_autofix.fixers.toolkit.history`).
        """
        renames = renamed_files(self.project.rootdir)
        if not renames:
            return None
        by_rel: dict[str, _Candidate] = {}
        for candidate in candidates:
            info = self.project.module(candidate.name) if candidate.where == "project" else None
            if info is not None:
                by_rel[info.rel] = candidate
        found: dict[str, tuple[_Candidate, RenamedFile]] = {}
        for renamed in renames.values():
            home = by_rel.get(renamed.new)
            if (
                home is not None
                and _was_module(renamed, self.old, home.name)
                and not _split(renamed, renames)
            ):
                found.setdefault(home.name, (home, renamed))
        if len(found) != 1:
            return None  # none, or git records several homes: no evidence either way
        return next(iter(found.values()))

    def _from_history(
        self,
        candidate: _Candidate,
        renamed: RenamedFile,
        required: set[str],
        others_provide: bool,
        importers: dict[str, tuple[ModuleInfo, list[ImportStmt]]],
    ) -> list[Fix] | None:
        """Git records the missing module's file renamed to ``candidate``'s: certain when it
        provides every name needed; a suggestion with its diff when it lacks some and nothing
        else provides them; None (decide without the history) when another module does."""
        if candidate.provides is None:
            return None
        if not candidate.missing:
            what = f"; it {'defines' if candidate.defines(required) else 'provides'} "
            what = what + names(required) if required else ""
            return self._fix(candidate, CERTAIN, f"{renamed}{what}", importers)
        if others_provide:
            return None
        why = f"{renamed}, but it lacks {names(candidate.missing)}"
        return self._fix(candidate, AMBIGUOUS, why, importers)

    def _shifted(
        self,
        importers: dict[str, tuple[ModuleInfo, list[ImportStmt]]],
        strong: list[_Candidate],
        required: set[str],
    ) -> list[Fix]:
        """The importers of ``old`` import it relatively, and every relative import of theirs
        that fails works with one dot more (or one less), the module there providing every
        name imported: the file was moved one package level down (or up) and its relative
        imports were not updated. All of them change at once (the next would fail next).
        Not when another module defines every name needed while the one a level away only
        imports some (a renamed module, its old name re-exporting it)."""
        statements = [s for _, found in importers.values() for s in found]
        if not statements or any(s.level == 0 for s in statements) or self.loads:
            return []
        definers = {c.name for c in strong if c.defines(required)}
        edits = Edits()
        said: list[str] = []
        for info, found in importers.values():
            tree = self.files.tree(info) if found else None
            if tree is None:
                continue
            shift = self._shift_of(info, tree, found)
            if shift is None or (definers and not definers & set(shift.targets)):
                return []
            edits.add(self.project, info, shift_relative_imports(shift))
            said.append(shift.describe(info.rel))
        if edits.skipped or not edits.edits:
            return []
        return [Fix(description="; ".join(said), confidence=STRONG, edits=edits.edits)]

    def _shift_of(
        self, info: ModuleInfo, tree: ast.Module, found: list[ImportStmt]
    ) -> Shift | None:
        """The relative shift of ``info`` when it moves its import of ``old`` (``found``)."""
        shift = relative_shift(self.project, info, tree)
        if shift is None:
            return None
        if all(s.module == self.parent for s in found):  # from parent import last
            return shift if self.parent in shift.moved else None
        return shift if self.old in shift.moved else None

    def _read_by_name(
        self,
        candidates: list[_Candidate],
        importers: dict[str, tuple[ModuleInfo, list[ImportStmt]]],
    ) -> list[Fix]:
        """A candidate the importers read by its full dotted name (``a.b.new.X``) while they
        import it nowhere, and that provides what they read off it: the missing import was
        meant to load it (``import a.b.nwe`` followed by reads of ``a.b.new.X``)."""
        read: dict[str, tuple[_Candidate, set[str]]] = {}
        for info, _ in importers.values():
            tree = self.files.tree(info)
            if tree is None:
                continue
            statements = self.files.imports(info)
            for candidate in candidates:
                last = candidate.name.rpartition(".")[2]
                if (
                    "." not in candidate.name
                    or candidate.missing
                    or similarity(self.last, last) < 0.75
                ):
                    continue  # the module's own name alike (a sibling's whole name is alike too)
                attributes = attributes_of(tree, candidate.name)
                if attributes and _loads_root_only(statements, candidate.name):
                    read.setdefault(candidate.name, (candidate, set()))[1].update(attributes)
        fitting = [(c, a) for c, a in read.values() if a <= self._provided(c)]
        if len(fitting) != 1:
            return []
        candidate, attributes = fitting[0]
        shown = listing(sorted(f"{candidate.name}.{a}" for a in attributes), limit=3)
        why = f"the code reads {shown}, which it provides, and imports {candidate.name} nowhere"
        return self._fix(candidate, STRONG, why, importers)

    def _provided(self, candidate: _Candidate) -> set[str]:
        """What ``candidate`` is known to provide (for a project module with a module
        ``__getattr__``, what it defines)."""
        if candidate.provides is not None:
            return set(candidate.provides)
        info = self.project.module(candidate.name) if candidate.where == "project" else None
        return defined_names(self.project, info) if info is not None else set()

    def _providing(
        self,
        strong: list[_Candidate],
        required: set[str],
        importers: dict[str, tuple[ModuleInfo, list[ImportStmt]]],
    ) -> list[Fix]:
        """Among modules providing every required name (those defining them first), the one
        named most like the missing one: certain when it is the only one, clear when it is
        much more alike than the others; otherwise the person chooses."""
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

    def _named_alike(
        self,
        candidates: list[_Candidate],
        importers: dict[str, tuple[ModuleInfo, list[ImportStmt]]],
    ) -> list[Fix]:
        """No module provides every name: the most similar name lacking the fewest of them,
        unsure (ambiguous when it lacks some, fuzzy when nothing else confirms it), and a
        choice for the person when the runner-up is as good."""
        private = [c for c in candidates if not c.missing and _privacy_renamed(self.old, c.name)]
        if len(private) == 1:
            why = "the same name but for a leading underscore: made public or private"
            return self._fix(private[0], CLEAR, why, importers)
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

    def _other_distribution(self, new: str, importers: set[str]) -> bool | None:
        """Whether the "misspelled" top-level name may be a library of its own rather than a
        typo of ``new``'s: None when the project declares a distribution of that name; True
        when one name extends the other (``ujson``/``json``, ``tomli``/``tomllib``) and the
        project imports ``new``'s top-level module nowhere else; else False."""
        old_top = self.misspelled_top or ""
        new_top = new.partition(".")[0]
        wanted = normalize(old_top)
        for declaration in declarations(self.project.rootdir):
            if wanted in declaration.requirements:
                return None
        affix = old_top.startswith(new_top) or old_top.endswith(new_top)
        affix = affix or new_top.startswith(old_top) or new_top.endswith(old_top)
        if not affix:
            return False
        used_elsewhere = any(
            ref.module.partition(".")[0] == new_top
            for info in self.project.all_modules()
            if info.rel not in importers
            for ref in info.imports
        )
        return not used_elsewhere

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
        if candidate.where == "environment" and self.misspelled_top is not None:
            judged = self._other_distribution(new, set(importers))
            if judged is None:
                return []  # the project declares it: a missing package, not a misspelling
            if judged:
                confidence = min(confidence, FUZZY)
                why += f"; but {self.misspelled_top} may be a distribution of its own"
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
            if info.rel in self.loads:  # import_module("old")
                steps.append(rename_loaded_module(self.old, new))
            steps.append(rename_patch_targets(self.old, new))  # mock.patch("old.f")
            edits.add(self.project, info, chain(*steps))
        if not edits.edits:
            return []
        if primary & {rel for rel, _ in edits.skipped}:
            confidence = min(confidence, AMBIGUOUS)
        unreached = (primary & self.dynamic) - set(edits.changed)
        if unreached:  # it loads old by a name not spelled as a plain string: not rewritten
            confidence = min(confidence, AMBIGUOUS)
            why += f"; {listing(sorted(unreached))} loads it by a name this fix does not rewrite"
        kind = "standard-library " if new.partition(".")[0] in stdlib_names() else ""
        description = (
            f"import the {kind}module {new} instead of the missing {self.old} ({why}) in "
            f"{listing(edits.changed)}{edits.note()}"
        )
        return [Fix(description=description, confidence=confidence, edits=edits.edits)]


def _private_turn(old: str, new: str) -> bool:
    """``new`` reaches into a library's private modules (``pandas._libs``) where ``old`` did
    not: its maintainers promise nothing there, and a person would use the public name."""
    private = [p for p in new.split(".") if p.startswith("_") and not p.startswith("__")]
    return bool(private) and not any(p.startswith("_") for p in old.split("."))
