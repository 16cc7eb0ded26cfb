"""Two more shapes of a missing module for ``import.module-renamed``: a module loaded by a name
spelled in a string (``importlib.import_module("pkg.mod")``), and a module moved one package
level down (or up) whose relative imports kept their dots.

What is read here is read with :mod:`ast`; the transforms are libcst ones, like those of
:mod:`~pytest_autofix.fixers.toolkit.import_transforms`.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pytest_autofix.fixers.toolkit.cst import renamed_prefix
from pytest_autofix.fixers.toolkit.edits import listing, names
from pytest_autofix.fixers.toolkit.scan import (
    is_type_checking,
    package_of,
    project_provides,
    resolve,
)

if TYPE_CHECKING:
    from pytest_autofix.fixers.toolkit.import_transforms import Transform
    from pytest_autofix.project import ModuleInfo, Project

__all__ = [
    "Shift",
    "StringLoad",
    "defined_names",
    "relative_shift",
    "rename_loaded_module",
    "shift_relative_imports",
    "string_loads",
]

# the calls that import the module a string names; others of pytest_autofix.dynamic_imports
# (importorskip, find_spec, ...) do not fail when it is missing, or name it otherwise
_LOADERS = frozenset({"import_module", "__import__"})


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


# -- a module loaded by a name spelled in a string -------------------------------------------


@dataclasses.dataclass(frozen=True)
class StringLoad:
    """``[binding =] import_module("module")`` with a plain string literal."""

    module: str
    binding: str | None  # the name the loaded module is assigned to, if any
    line: int


def _literal(call: ast.Call) -> str | None:
    """The module a loader call names by a plain string (no ``package=`` anchor needed)."""
    if _callee(call.func) not in _LOADERS or not call.args:
        return None
    first = call.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    value = first.value
    if value.startswith(".") or not all(part.isidentifier() for part in value.split(".")):
        return None
    return value


def string_loads(tree: ast.Module, module: str) -> list[StringLoad]:
    """Every call of ``tree`` that loads ``module`` (or a submodule) by a plain string literal,
    with the name it is assigned to (``x = importlib.import_module("a.b")``)."""
    bound: dict[int, str] = {}
    found: list[StringLoad] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                bound[id(node.value)] = targets[0].id
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            value = _literal(node)
            if value is not None and _under(value, module):
                found.append(StringLoad(value, bound.get(id(node)), node.lineno))
    return found


class _RenameLoaded(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        callee = func.attr.value if isinstance(func, cst.Attribute) else None
        callee = func.value if isinstance(func, cst.Name) else callee
        if callee not in _LOADERS or not updated_node.args:
            return updated_node
        first = updated_node.args[0]
        renamed = renamed_prefix(first.value, self.old, self.new)
        if first.keyword is not None or first.star or renamed is None:
            return updated_node
        arg = first.with_changes(value=renamed)
        return updated_node.with_changes(args=[arg, *updated_node.args[1:]])


def rename_loaded_module(old: str, new: str) -> Transform:
    """Load ``new`` wherever the file loads ``old`` (or a submodule of it) by a plain string
    literal: ``importlib.import_module("old.x")`` becomes ``...("new.x")``, quotes kept. A
    name built at run time (an f-string, a concatenation, a variable) is left as it is."""

    def transform(module: cst.Module) -> cst.Module:
        return module.visit(_RenameLoaded(old, new))

    return transform


# -- a module moved one package level down or up ---------------------------------------------


def defined_names(project: Project, info: ModuleInfo, imported: bool = True) -> set[str]:
    """What ``info`` certainly provides: its top-level names (``imported``: those its imports
    bind too) and, for a package, its submodules (a module ``__getattr__`` may provide more)."""
    definitions = {
        k: v
        for k, v in info.definitions.items()
        if k != "__getattr__" and (imported or v != "import")
    }
    known = dataclasses.replace(info, definitions=definitions, syntax_error=False)
    return set(project_provides(project, known) or ())


def _relative_imports(body: list[ast.stmt], guarded: bool) -> Iterator[tuple[ast.ImportFrom, bool]]:
    """Every relative ``from`` import, with whether its failure is expected or harmless:
    under ``if TYPE_CHECKING:`` or in a ``try`` that handles an exception."""
    for node in body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                yield node, guarded
            continue
        if isinstance(node, ast.Try | ast.TryStar):
            yield from _relative_imports(node.body, guarded or bool(node.handlers))
            for handler in node.handlers:
                yield from _relative_imports(handler.body, guarded)
            yield from _relative_imports(node.orelse, guarded)
            yield from _relative_imports(node.finalbody, guarded)
            continue
        if isinstance(node, ast.If) and is_type_checking(node.test):
            yield from _relative_imports(node.body, True)
            yield from _relative_imports(node.orelse, guarded)
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _relative_imports(getattr(node, field, None) or [], guarded)
        for handler in getattr(node, "handlers", None) or []:
            yield from _relative_imports(handler.body, guarded)
        for case in getattr(node, "cases", None) or []:
            yield from _relative_imports(case.body, guarded)


def _resolves(
    project: Project, module: str, wanted: list[str], certain: bool, importer: str
) -> bool:
    """Whether ``from module import wanted`` works: ``module`` is a project module providing
    each name. ``certain``: each is known to be there; else only none is known to be missing
    (a module ``__getattr__``, a syntax error, a compiled extension module or a namespace
    package the index does not hold: it may well be there). A package's ``__init__.py``
    importing from the package itself (``importer``) does not provide what it imports."""
    info = project.module(module) if module else None
    if info is None:
        return not certain and bool(module) and _unindexed(project, module)
    provided = defined_names(project, info, imported=module != importer)
    lacking = [name for name in wanted if name != "*" and name not in provided]
    if not lacking or certain:
        return not lacking
    if info.syntax_error or info.definitions.get("__getattr__") == "function":
        return True
    return all(_unindexed(project, f"{module}.{name}") for name in lacking)


def _unindexed(project: Project, module: str) -> bool:
    """Whether a module the index does not hold may be there: a compiled extension module
    (``_speedups.cpython-311-x86_64-linux-gnu.so``, ``.pyd``) or a directory."""
    parent, _, last = module.rpartition(".")
    package = project.module(parent) if parent else None
    if package is None or not package.is_package:
        return False
    directory = package.path.parent
    compiled = (*directory.glob(f"{last}.*.so"), *directory.glob(f"{last}.*pyd"))
    return bool(compiled) or (directory / f"{last}.so").exists() or (directory / last).is_dir()


_Key = tuple[int, str, tuple[str, ...]]  # dots, module and names, as written


def _form(key: _Key) -> str:
    """``.core``, or ``. import utils`` for a relative import of the package itself."""
    dots, module, wanted = key
    return "." * dots + module if module else "." * dots + " import " + ", ".join(wanted)


def _key(node: ast.ImportFrom) -> _Key:
    return node.level, node.module or "", tuple(alias.name for alias in node.names)


@dataclasses.dataclass(frozen=True)
class Shift:
    """The relative imports of one file that resolve one level up (``delta`` 1) or down (-1)."""

    delta: int
    keys: frozenset[_Key]  # the imports to change
    moved: frozenset[str]  # the absolute modules they import from now (which fail)
    targets: dict[str, set[str]]  # absolute module they then import from -> the names

    def describe(self, rel: str) -> str:
        """What the shift says of the file ``rel``."""
        forms = listing(sorted({_form(key) for key in self.keys}))
        provide = "; ".join(
            f"{module} defines {names(wanted)}" if wanted else f"{module} exists"
            for module, wanted in sorted(self.targets.items())
        )
        way, there, edit = ("down", "up", "add a dot to")
        if self.delta < 0:
            way, there, edit = ("up", "down", "remove a dot from")
        return (
            f"{rel} was moved one package level {way} and its relative imports {forms} fail "
            f"there, each working one level {there} ({provide}): {edit} each"
        )


def relative_shift(project: Project, info: ModuleInfo, tree: ast.Module) -> Shift | None:
    """How the relative imports of ``info`` that fail (the module is not there, or lacks a
    name) all work with one dot more (the file was moved one package level down) or one dot
    less (moved up): None unless every one that fails does, each target providing every
    name imported from it. Imports that work are left alone; one that fails either way is
    tolerated only under ``TYPE_CHECKING`` or in a ``try`` (an optional extension module)."""
    package = package_of(info)
    failing: list[tuple[ast.ImportFrom, bool]] = []
    for node, guarded in _relative_imports(tree.body, False):
        wanted = [alias.name for alias in node.names]
        module = resolve(package, node.level, node.module)
        if not _resolves(project, module, wanted, False, info.name):
            failing.append((node, guarded))
    if all(guarded for _, guarded in failing):
        return None
    for delta in (1, -1):
        shift = _shifted_by(project, info, failing, delta)
        if shift is not None and shift.keys:
            return shift
    return None


def _shifted_by(
    project: Project, info: ModuleInfo, failing: list[tuple[ast.ImportFrom, bool]], delta: int
) -> Shift | None:
    """The ``failing`` imports of ``info`` with ``delta`` dots more, when each then imports
    every name from a project module (or is guarded); else None."""
    package = package_of(info)
    keys: set[_Key] = set()
    moved: set[str] = set()
    targets: dict[str, set[str]] = {}
    for node, guarded in failing:
        wanted = [alias.name for alias in node.names]
        level = node.level + delta
        target = resolve(package, level, node.module) if level >= 1 else ""
        if target and _resolves(project, target, wanted, True, info.name):
            keys.add(_key(node))
            moved.add(resolve(package, node.level, node.module))
            targets.setdefault(target, set()).update(n for n in wanted if n != "*")
        elif not guarded:
            return None
    return Shift(delta, frozenset(keys), frozenset(moved), targets)


class _ShiftRelative(cst.CSTTransformer):
    def __init__(self, shift: Shift) -> None:
        super().__init__()
        self.shift = shift

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        dots = len(updated_node.relative)
        module = updated_node.module
        written = (get_full_name_for_node(module) if module is not None else "") or ""
        aliases = updated_node.names
        wanted = (
            ("*",)
            if isinstance(aliases, cst.ImportStar)
            else tuple(get_full_name_for_node(alias.name) or "" for alias in aliases)
        )
        if not dots or (dots, written, wanted) not in self.shift.keys:
            return updated_node
        return updated_node.with_changes(relative=[cst.Dot()] * (dots + self.shift.delta))


def shift_relative_imports(shift: Shift) -> Transform:
    """Give the relative imports ``shift`` names one dot more (or one less)."""

    def transform(module: cst.Module) -> cst.Module:
        return module.visit(_ShiftRelative(shift))

    return transform
