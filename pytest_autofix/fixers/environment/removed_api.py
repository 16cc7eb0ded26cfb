"""``environment.removed-api``: an API removed by an upgrade, from the migration catalogue.

It fixes the root cause, not one line: once a failure proves an API gone, every use of it in the
project is migrated in one fix (every file importing the module, plus every file where the
failure surfaced), in the file's own spelling. The transforms are in
:mod:`pytest_autofix.fixers.toolkit.environment_transforms`; the catalogue is
:mod:`pytest_autofix.catalogue`.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import difflib
import importlib
import importlib.metadata
import importlib.util
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from pytest_autofix.catalogue import Catalogue, Migration, builtin, describe
from pytest_autofix.fixers.toolkit.edits import Edits, listing, located
from pytest_autofix.fixers.toolkit.environment_confidence import (
    GUARDED,
    PERSON,
    SAFE,
    UNSAFE,
    UNSURE,
)
from pytest_autofix.fixers.toolkit.environment_guards import imported, qualified_name
from pytest_autofix.fixers.toolkit.environment_transforms import (
    Transform,
    Unfixable,
    gone_module,
    migration_transform,
    module_transform,
)
from pytest_autofix.fixers.toolkit.import_style import ImportStyle, style_of
from pytest_autofix.fixers.toolkit.requirements import declarations, normalize
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    import libcst as cst

    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

__all__ = ["RemovedApi", "check_requirements", "guard_problems"]

_VERSION = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(>=|<=|==|!=|>|<)\s*([0-9][0-9A-Za-z.]*)$")


# -- guards ---------------------------------------------------------------------------------


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def _compare(installed: tuple[int, ...], op: str, wanted: tuple[int, ...]) -> bool:
    width = max(len(installed), len(wanted))
    a = installed + (0,) * (width - len(installed))
    b = wanted + (0,) * (width - len(wanted))
    return {
        ">=": a >= b,
        "<=": a <= b,
        "==": a == b,
        "!=": a != b,
        ">": a > b,
        "<": a < b,
    }[op]


def check_requirements(requires: Iterable[str]) -> list[str]:
    """Why the installed versions do not satisfy ``requires`` (empty: they do)."""
    problems = []
    for requirement in requires:
        match = _VERSION.match(requirement.strip())
        if match is None:
            problems.append(f"cannot read the requirement {requirement!r}")
            continue
        name, op, wanted = match.groups()
        if name.lower() == "python":
            installed = ".".join(map(str, sys.version_info[:3]))
        else:
            try:
                installed = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                problems.append(f"{name} is not installed")
                continue
        if not _compare(_version(installed), op, _version(wanted)):
            problems.append(f"{requirement} is needed, {name} {installed} is installed")
    return problems


def _resolves(dotted: str) -> str | None:
    """None when ``dotted`` (a module or module attribute) exists here, else why not."""
    parts = dotted.split(".")
    if len(parts) == 1 and hasattr(builtins, parts[0]):
        return None
    for i in range(len(parts), 0, -1):
        module_name = ".".join(parts[:i])
        try:
            if importlib.util.find_spec(module_name) is None:
                continue
        except (ImportError, ValueError):
            continue
        try:
            obj: object = importlib.import_module(module_name)
        except Exception as err:
            return f"{module_name} cannot be imported ({type(err).__name__}: {err})"
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return f"{module_name} has no {'.'.join(parts[i:])}"
            obj = getattr(obj, attr)
        return None
    return f"{dotted} is not installed"


def guard_problems(migration: Migration) -> list[str]:
    """The checks of ``migration`` that fail here: versions, the replacement's existence, a
    module that must be absent. Name clashes are checked per file by the transforms."""
    problems = check_requirements(migration.requires)
    for guard in migration.guard:
        if guard.startswith("absent:"):
            module = guard.partition(":")[2]
            try:
                present = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                present = False
            if present:
                problems.append(f"{module} is installed, so it was not the missing module")
    if migration.manual or problems:
        return problems
    for target in _targets(migration):
        why = _resolves(target)
        if why is not None:
            problems.append(why)
    return problems


def _targets(migration: Migration) -> list[str]:
    """What must exist for ``migration`` to be written: the name it renames to, or what its
    patterns import (a pattern writes an expression, not a name: ``list(element)``)."""
    targets: list[str] = []
    if migration.kind == "attribute" and not migration.patterns:
        targets.append(migration.replacement)
    elif migration.kind == "method" and not migration.patterns:  # a rename on the same class
        owner = migration.api.rsplit(".", 1)[0]
        targets.append(f"{owner}.{migration.replacement}")
    elif migration.kind == "module" and migration.names:
        names = [n for n in migration.names if n != "*"]
        targets.extend(f"{migration.replacement}.{n}" for n in names)
        targets.append(migration.replacement)
    for pattern in migration.patterns:
        targets.extend(item.replace(":", ".") for item in pattern.imports)
    return targets


# -- removed APIs ---------------------------------------------------------------------------


def _files_using(project: Project, issue: Issue, module: str) -> list[ModuleInfo]:
    """Where the failure surfaced, then every project file that imports ``module`` (or its
    top-level package, for methods and call forms)."""
    found = {info.rel: info for info in located(issue, project)}
    for info in project.all_modules():
        for ref in info.imports:
            parent, _, last = module.rpartition(".")
            if (
                ref.module == module
                or ref.module.startswith(module + ".")
                or (ref.module == parent and last in ref.names)
            ):
                found.setdefault(info.rel, info)
    return list(found.values())


# "removed in the NumPy 2.0 release", "was removed in version 3.1", "removed in 2.0"
_REMOVED_IN = re.compile(
    r"removed in (?:the )?(?:version |v)?(?:[A-Z][\w-]* )?(\d+(?:\.\d+)*)", re.IGNORECASE
)


def no_migration(api: str, message: str, project: Project) -> str:
    """What to say when ``api`` looks removed and the catalogue knows no migration: the
    library and its installed version, the version that removed it when the error text says,
    and the two ways out (migrate, or pin below that version where the project declares it)."""
    top = api.partition(".")[0]
    said = _REMOVED_IN.search(message)
    removed_in = said.group(1) if said else None
    dist = _distribution(top)
    if dist is None:  # the standard library
        where = f"Python {sys.version.split()[0]}"
        older = f"a Python before {removed_in}" if removed_in else "the Python it last worked on"
        ways = f"migrate the code (Python's What's New says what replaces it), or test on {older}"
    else:
        name, version = dist
        below = removed_in or version.split(".")[0]
        declared = next(
            (d for d in declarations(project.rootdir) if normalize(name) in d.requirements), None
        )
        place = (
            f"{declared.file} ({declared.section})" if declared else "the project's requirements"
        )
        where = f"{name} {version}"
        ways = (
            f"migrate the code ({name}'s changelog says what replaces it), or pin "
            f"`{name}<{below}` in {place} until it is migrated"
        )
    when = f" (removed in {removed_in}, the error says)" if removed_in else ""
    close = _close_name(api)
    typo = f" If it is a misspelling of {close}, correct it." if close else ""
    return (
        f"{api} is gone from {where}{when} and no migration is known ({message}). Two ways "
        f"out: {ways}. An entry in the file the `autofix_migrations` ini value names makes it a "
        f"fix next time.{typo}"
    )


def _close_name(api: str) -> str | None:
    """A name the module has (as the session loaded it) that ``api``'s name looks like a
    misspelling of: ``json.loads`` for ``json.laods``; never imports anything."""
    module_name, _, name = api.rpartition(".")
    module = sys.modules.get(module_name)
    if module is None or not name:
        return None
    names = [n for n in dir(module) if not n.startswith("_")]
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    return f"{module_name}.{found[0]}" if found else None


def _distribution(top: str) -> tuple[str, str] | None:
    """The installed distribution providing the top-level module ``top`` and its version;
    None for the standard library (or nothing installed by that name)."""
    if top in sys.stdlib_module_names:
        return None
    for name in importlib.metadata.packages_distributions().get(top, []):
        try:
            return name, importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


class RemovedApi:
    """``environment.removed-api``: migrate every use of the removed API in the project."""

    name = "environment.removed-api"
    kinds = frozenset({IssueKind.ENVIRONMENT})
    codes: frozenset[str] = frozenset({"environment.removed-api"})
    examples: tuple[Example, ...] = (
        Example(
            "collections.Mapping, removed in Python 3.10",
            before={
                "registry.py": """\
                    import collections


                    class Registry(collections.Mapping):
                        def __init__(self):
                            self.data = {}

                        def __getitem__(self, key):
                            return self.data[key]

                        def __iter__(self):
                            return iter(self.data)

                        def __len__(self):
                            return len(self.data)
                    """,
                "test_registry.py": """\
                    from registry import Registry


                    def test_empty():
                        assert len(Registry()) == 0
                    """,
            },
            after={
                "registry.py": """\
                    import collections
                    import collections.abc


                    class Registry(collections.abc.Mapping):
                        def __init__(self):
                            self.data = {}

                        def __getitem__(self, key):
                            return self.data[key]

                        def __iter__(self):
                            return iter(self.data)

                        def __len__(self):
                            return len(self.data)
                    """,
            },
            confidence=0.95,
            safe=True,
        ),
    )

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self.catalogue = catalogue or builtin()

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.removed-api":
            return []
        api = str(issue.details.get("api") or "")
        migration = self._entry(issue, api)
        if migration is None:
            return [Fix(no_migration(api or issue.message, issue.message, project), UNSURE)]
        style = style_of(project)
        transform = self._issue_transform(issue, migration, style)
        if transform is None:
            return [Fix(f"needs a person: {describe(migration)}", PERSON)]
        problems = guard_problems(migration)
        if problems and migration.safety != "unsafe":
            return [
                Fix(
                    f"not migrated: {'; '.join(problems)}. The migration: {describe(migration)}",
                    UNSURE,
                )
            ]
        siblings, others = self._siblings(migration, style)
        edits, files, used = _edit_users(project, issue, migration, transform, siblings, others)
        joined = [m for m, _ in siblings if m in used]
        left = [m for m, _ in others if m in used]
        if not edits.edits:
            where = (
                f"; not changed: {edits.note()[len('; not changed: ') :]}" if edits.skipped else ""
            )
            return [
                Fix(
                    f"no use of {migration.api} could be migrated mechanically{where}. "
                    f"The migration: {describe(migration)}",
                    UNSURE,
                )
            ]
        changed = [files[rel] for rel in edits.changed]
        surest = self._as_sure_as(_surest(project, migration, transform, changed))
        fix = _migrated(_as_sure_as_all(surest, joined), edits)
        return [_described(fix, migration, joined, left)]

    def _entry(self, issue: Issue, api: str) -> Migration | None:
        """The catalogue's entry for ``api``; for a module that is gone with no entry of its
        own, one made of the entries of the names it held (:meth:`Catalogue.names_of`)."""
        migration = self.catalogue.get(api)
        if migration is None and issue.details.get("form") == "module":
            return self.catalogue.names_of(api)
        return migration

    def _issue_transform(
        self, issue: Issue, migration: Migration, style: ImportStyle | None
    ) -> Transform | None:
        """:meth:`_transform`; for a module that is gone named by an attribute entry
        (``pandas.tslib``), an import of it still read afterwards leaves the file to a person."""
        transform = self._transform(migration, style)
        if transform is None or issue.details.get("form") != "module":
            return transform
        return transform if migration.kind == "module" else gone_module(transform, migration.api)

    def _siblings(
        self, migration: Migration, style: ImportStyle | None = None
    ) -> tuple[list[tuple[Migration, Transform]], list[tuple[Migration, Transform | None]]]:
        """The other removed attributes of the same module the catalogue migrates, safely or
        behind checks that pass here: one root cause with ``migration`` (an upgrade removed
        them together; ``from collections import Mapping, Sequence`` fails on the first only),
        migrated in the same fix where a file uses them, so that no round is spent on each.
        Likewise a keyword argument the same release removed from other functions of the same
        package (``loop=`` from asyncio's ``sleep``, ``wait_for``, ``gather``, ... in Python
        3.10). Then the others of that removal (``unsafe``, ``manual``, a check that fails
        here), which stay out of the fix: the fix names those a file uses."""
        if migration.kind not in ("attribute", "kwarg"):
            return [], []
        found: list[tuple[Migration, Transform]] = []
        others: list[tuple[Migration, Transform | None]] = []
        for other in self.catalogue.migrations:
            if (
                other is migration
                or other.kind != migration.kind
                or not _same_removal(other, migration)
            ):
                continue
            transform = self._transform(other, style)
            if other.safety == "unsafe" or transform is None or guard_problems(other):
                others.append((other, transform))
            else:
                found.append((other, transform))
        return found, others

    def _transform(
        self, migration: Migration, style: ImportStyle | None = None
    ) -> Transform | None:
        """The transform of ``migration`` (None: it needs a person); a module's carries the
        catalogue's migrations of its attributes, which move with it. The imports it adds go
        where ``style`` (the project's isort or ruff settings) puts them."""
        if migration.kind != "module":
            return migration_transform(migration, style)
        return module_transform(migration, self._parts(migration), style)

    def _parts(self, migration: Migration) -> list[Migration]:
        """The entries of a module's attributes that may go into its fix: for a module the
        catalogue migrates, those no less sure than it (an unsafe one would be applied as
        safe); for a manual one, any (the fix is as sure as the least sure of them); a
        guarded one only with its checks passing here."""
        return [
            m
            for m in self.catalogue.migrations
            if m.api.startswith(migration.api + ".")
            and m.kind == "attribute"
            and (migration.manual or _RANK[m.safety] <= _RANK[migration.safety])
            and (m.safety != "guarded" or not guard_problems(m))
        ]

    def _as_sure_as(self, migration: Migration) -> Migration:
        """``migration`` as sure as its fix is: a manual module's fix is made of its
        attributes' entries alone, so it is as sure as the least sure of them, with their
        checks."""
        parts = self._parts(migration) if migration.kind == "module" and migration.manual else []
        if not parts:
            return migration
        weakest = max(parts, key=lambda m: _RANK[m.safety])
        return migration.model_copy(
            update={
                "safety": weakest.safety,
                "requires": sorted({r for m in parts for r in m.requires}),
                "guard": sorted({g for m in parts for g in m.guard}),
                "note": weakest.note if weakest.safety == "unsafe" else migration.note,
            }
        )


def _edit_users(
    project: Project,
    issue: Issue,
    migration: Migration,
    transform: Transform,
    siblings: list[tuple[Migration, Transform]],
    others: list[tuple[Migration, Transform | None]],
) -> tuple[Edits, dict[str, tuple[ModuleInfo, list[Transform]]], list[Migration]]:
    """The edits of every file using ``migration``'s API (with the siblings each spells), the
    siblings' transforms each file got, and the siblings and others the files use."""
    edits = Edits()
    used: list[Migration] = []
    files: dict[str, tuple[ModuleInfo, list[Transform]]] = {}
    for info in _files_using(project, issue, _imported_from(migration)):
        found = _used_in(project, info, siblings)  # a name the file never spells: no pass
        files[info.rel] = (info, [t for _, t in found])
        edits.add(project, info, _with_siblings(transform, files[info.rel][1]))
        used += [m for m, _ in found]
        used += [m for m, _ in _used_in(project, info, others) if _reads(project, info, m)]
    return edits, files, used


_RANK = {"safe": 0, "guarded": 1, "unsafe": 2}
_T = TypeVar("_T")


def _as_sure_as_all(migration: Migration, siblings: list[Migration]) -> Migration:
    """``migration`` as sure as its fix with ``siblings`` in it: a guarded sibling makes a
    safe migration's fix guarded, with the sibling's checks (which passed here) listed."""
    guarded = [m for m in siblings if m.safety == "guarded"]
    if not guarded or migration.safety == "unsafe":
        return migration
    return migration.model_copy(
        update={
            "safety": "guarded",
            "requires": sorted({r for m in [migration, *guarded] for r in m.requires}),
            "guard": sorted({g for m in [migration, *guarded] for g in m.guard}),
        }
    )


def _described(
    fix: Fix, migration: Migration, joined: list[Migration], left: list[Migration]
) -> Fix:
    """``fix`` whose description names the module's other removals it migrates where used
    (the guarded ones with their checks, which passed here) and those the files use that it
    leaves to a fix of their own (unsafe, for a person, or a check that failed here), so that
    the user sees the whole removal at once."""
    text = fix.description
    safe = [m.api for m in joined if m.safety == "safe"]
    guarded = [m for m in joined if m.safety == "guarded"]
    if safe:
        text += f"; with it, where used, the other safe migrations of {_family(migration)}: "
        text += listing(safe)
    if guarded:
        text += "; and the guarded ones" if safe else "; with it, where used, the guarded "
        text += "" if safe else f"migrations of {_family(migration)}"
        text += " whose checks pass here: "
        text += listing([f"{m.api} ({_checks(m)})" for m in guarded])
    if left:
        text += f"; not in this fix, used too: {'; '.join(_why_left(m) for m in left)}"
    return dataclasses.replace(fix, description=text)


def _checks(migration: Migration) -> str:
    return ", ".join([*migration.requires, *migration.guard]) or "the replacement"


def _why_left(migration: Migration) -> str:
    """One removal the fix leaves, and why: its own fix (unsafe) or a person's migration."""
    if migration.manual:
        return f"{migration.api} (for a person: {describe(migration)})"
    problems = guard_problems(migration)
    if problems:
        return f"{migration.api} ({'; '.join(problems)})"
    why = f": {migration.note}" if migration.note else ""
    return (
        f"{migration.api} -> {migration.replacement} (unsafe{why}; its own fix, applied with "
        "--autofix-unsafe)"
    )


def _surest(
    project: Project,
    migration: Migration,
    transform: Transform,
    changed: list[tuple[ModuleInfo, list[Transform]]],
) -> Migration:
    """``migration`` narrowed to its exact patterns when they alone make every changed file
    (each with the siblings' transforms it got) what the whole entry makes it."""
    exact = _exact_part(migration)
    if exact is None or not all(
        _same_result(project, info, (transform, exact[1]), more) for info, more in changed
    ):
        return migration
    return exact[0]


def _exact_part(migration: Migration) -> tuple[Migration, Transform] | None:
    """The entry narrowed to its patterns marked ``safety = "safe"`` (where the entry itself
    is not), and their transform; None when it has none."""
    if migration.safety == "safe" or migration.manual:
        return None
    patterns = [p for p in migration.patterns if p.safety == "safe"]
    if not patterns:
        return None
    narrowed = migration.model_copy(update={"patterns": patterns, "safety": "safe"})
    transform = migration_transform(narrowed)
    return None if transform is None else (narrowed, transform)


def _same_result(
    project: Project, info: ModuleInfo, mains: tuple[Transform, Transform], more: list[Transform]
) -> bool:
    """Whether the second of ``mains`` (the exact part of the first), with the siblings'
    transforms ``more``, makes the file what the first with them makes it."""
    whole, part = (_with_siblings(main, more) for main in mains)
    try:
        tree = project.cst(info.path)
        return part(tree).code == whole(tree).code
    except (Unfixable, ValueError, OSError):
        return False


def _family(migration: Migration) -> str:
    """What ``migration`` and its siblings have in common: ``collections``, ``asyncio's
    loop=``."""
    if migration.kind == "kwarg":
        return f"{migration.api.partition('.')[0]}'s {migration.name}="
    return migration.module


def _same_removal(other: Migration, migration: Migration) -> bool:
    """One removal: attributes of one module, or one keyword argument removed by one release
    from functions of one package."""
    if migration.kind == "attribute":
        return other.module == migration.module
    return (
        other.name == migration.name
        and other.removed_in == migration.removed_in
        and other.api.partition(".")[0] == migration.api.partition(".")[0]
    )


def _used_in(
    project: Project, info: ModuleInfo, siblings: list[tuple[Migration, _T]]
) -> list[tuple[Migration, _T]]:
    """The sibling migrations whose name the file spells as an attribute (``np.float``) or in
    an import line (``from collections import Sequence``): the others would pass over it for
    nothing."""
    if not siblings:
        return []
    try:
        source = project.source(info.path)
    except OSError:
        return []
    found = []
    for migration, transform in siblings:
        name = re.escape(migration.name.encode())
        if migration.kind == "kwarg":  # a call of its function that passes it: sleep(loop=
            *_, owner, method, _ = migration.api.split(".")
            called = re.escape((owner if method == "__init__" else method).encode())
            if re.search(rb"\b" + called + rb"\s*\(", source) and re.search(
                rb"\b" + name + rb"\s*=(?!=)", source
            ):
                found.append((migration, transform))
            continue
        if any(
            re.search(pattern + name + rb"\b", source)
            for pattern in (rb"\.", rb"import[^\n]*\b", rb"import\s*\([^)]*\b")
        ):
            found.append((migration, transform))
    return found


def _reads(project: Project, info: ModuleInfo, migration: Migration) -> bool:
    """Whether the file reads the removed attribute through its module (``m.x`` by any
    import of ``m``, ``from m import x``), for the description to name only what the file
    uses (``.source`` is any object's attribute, ``np.source`` numpy's); a keyword argument
    as :func:`_used_in` found it."""
    if migration.kind != "attribute":
        return True
    try:
        tree = project.tree(info.path)
    except OSError:
        return False
    return tree is not None and migration.name in _names_read_of(tree, migration.module)


def _names_read_of(tree: ast.Module, module: str) -> set[str]:
    """The attributes of ``module`` the file reads or imports by name."""
    imports = imported(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == module and not node.level:
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Attribute) and qualified_name(node.value, imports) == module:
            found.add(node.attr)
    return found


def _with_siblings(main: Transform, siblings: list[Transform]) -> Transform:
    """``main``, then each sibling migration that applies (one that cannot is left out: the
    file still gets ``main``)."""
    if not siblings:
        return main

    def transform(module: cst.Module) -> cst.Module:
        module = main(module)
        for sibling in siblings:
            try:
                module = sibling(module)
            except Unfixable:
                continue
        return module

    return transform


def _imported_from(migration: Migration) -> str:
    """The module whose importers may use the removed API: its own module, or the top-level
    package for a method or a call form (reached through objects, not one import)."""
    if migration.kind in ("method", "call", "kwarg"):
        return migration.api.split(".")[0]
    return migration.module


def _migrated(migration: Migration, edits: Edits) -> Fix:
    """The fix migrating every use in ``edits``, as sure as the catalogue says the migration
    is, and never safe when a use was left behind (it keeps the failure: a person decides)."""
    files = listing(edits.changed)
    text = (
        f"migrate {migration.api} (removed in {migration.removed_in}) to "
        f"{migration.replacement} in {len(edits.changed)} file"
        f"{'s' if len(edits.changed) != 1 else ''}: {files}"
    )
    if edits.skipped:
        return Fix(
            f"{text}{edits.note()}; those files need a person: {describe(migration)}",
            UNSURE,
            edits.edits,
            safe=False,
        )
    if migration.safety == "unsafe":
        why = f" ({migration.note})" if migration.note else ""
        return Fix(f"{text}; may change behaviour{why}", UNSAFE, edits.edits, safe=False)
    if migration.safety == "guarded":
        return Fix(f"{text}; checked: {_checks(migration)}", GUARDED, edits.edits)
    return Fix(text, SAFE, edits.edits)
