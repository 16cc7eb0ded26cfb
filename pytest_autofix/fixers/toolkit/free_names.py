"""Names a file reads that nothing binds: a read that would raise ``NameError`` says which name
the author meant, the strongest evidence an import fixer can have that a misspelled import was
meant to bind it.

The reads are found by :mod:`symtable` (Python's own scope analysis: a read in a function, a
class body, a comprehension or at module level that resolves to the module's globals); the
bindings by the same analysis and :func:`~pytest_autofix.fixers.toolkit.scan.top_level_bindings`
(each binding either finds counts). The transform
:func:`unalias_read_name` checks its own edit with libcst's scope analysis.
"""

from __future__ import annotations

import ast
import builtins
import functools
import symtable
from typing import TYPE_CHECKING, cast

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import GlobalScope, MetadataWrapper, Scope, ScopeProvider

from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable
from pytest_autofix.fixers.toolkit.scan import dotted, top_level_bindings

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["reads_global", "unalias_read_name", "unbound_global"]

# Calls that can bind module globals no analysis sees.
_DYNAMIC = frozenset({"globals", "vars", "exec"})
_MODULE_NAMES = frozenset(
    {"__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__path__"}
)


@functools.lru_cache(maxsize=4)
def _tables(source: bytes) -> tuple[symtable.SymbolTable, ...]:
    """Every scope of the module, analysed once per source: a fixer asks several questions of
    the same file in a row (does it read ``old``, read ``name``, bind ``name``)."""
    try:
        top = symtable.symtable(source.decode("utf-8"), "<module>", "exec")
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return ()
    found: list[symtable.SymbolTable] = []
    stack = [top]
    while stack:
        table = stack.pop()
        found.append(table)
        stack.extend(table.get_children())
    return tuple(found)


def reads_global(source: bytes, name: str) -> bool:
    """Whether some code of the module (at module level, in a function, a class body, a
    comprehension) reads ``name`` as a global: where no enclosing function binds it."""
    for table in _tables(source):
        try:
            symbol = table.lookup(name)
        except KeyError:
            continue
        if symbol.is_referenced() and symbol.is_global():
            return True
    return False


def _binds_globally(source: bytes, name: str) -> bool:
    """Whether some statement binds ``name`` in the module's globals, as :mod:`symtable` sees
    it: any module-level binding (also a ``match`` capture, a walrus, an import under ``if
    TYPE_CHECKING:``), or a function's ``global name``."""
    for table in _tables(source):
        try:
            symbol = table.lookup(name)
        except KeyError:
            continue
        if table.get_type() == "module" and (symbol.is_assigned() or symbol.is_imported()):
            return True
        if symbol.is_declared_global():
            return True
    return False


def _binds_dynamically(tree: ast.Module) -> bool:
    """Whether the module may bind globals no analysis sees: ``from m import *``, or a call of
    ``globals()``, ``vars()`` or ``exec()``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return True
        if isinstance(node, ast.Call) and dotted(node.func) in _DYNAMIC:
            return True
    return False


def unbound_global(source: bytes, tree: ast.Module, name: str) -> bool:
    """Whether the module reads ``name`` as a global and nothing binds it: not a module-level
    import, def, class, assignment, ``for``/``with``/``except`` target or ``global``
    statement, not a builtin, not a star import or a ``globals()`` trick. Such a read raises
    ``NameError`` when it runs."""
    if name in _MODULE_NAMES or hasattr(builtins, name):
        return False
    if name in top_level_bindings(tree) or _binds_dynamically(tree):
        return False
    return reads_global(source, name) and not _binds_globally(source, name)


class _Unalias(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(self, new: str, old: str) -> None:
        super().__init__()
        self.new, self.old = new, old
        self.aliases: set[int] = set()
        self.bound = False  # an unaliased `new` is imported already

    def visit_Module(self, node: cst.Module) -> None:
        resolved = cast("Mapping[cst.CSTNode, Scope | None]", self.metadata[ScopeProvider])
        scopes = {id(s): s for s in resolved.values() if s is not None}
        module_scope = next((s for s in scopes.values() if isinstance(s, GlobalScope)), None)
        if module_scope is None:
            return
        self._check(module_scope, list(scopes.values()))

    def _check(self, module_scope: GlobalScope, scopes: list[Scope]) -> None:
        aliases: list[cst.ImportAlias] = []
        for assignment in module_scope.assignments[self.old]:
            found = _alias_of(getattr(assignment, "node", None), self.new, self.old)
            if found is None or assignment.references:
                return  # `old` is bound otherwise, or read: it stays
            aliases.append(found)
        for assignment in module_scope.assignments[self.new]:
            if _alias_of(getattr(assignment, "node", None), self.new, None) is None:
                return  # `new` is bound otherwise at module level
            self.bound = True
        unbound = [
            access
            for scope in scopes
            for access in scope.accesses[self.new]
            if not access.referents
        ]
        if unbound and not self.bound:
            self.aliases = {id(a) for a in aliases}

    def leave_ImportAlias(
        self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias
    ) -> cst.ImportAlias:
        if id(original_node) in self.aliases:
            return updated_node.with_changes(asname=None)
        return updated_node


def _alias_of(node: cst.CSTNode | None, name: str, asname: str | None) -> cst.ImportAlias | None:
    """The alias ``name as asname`` (``name`` alone: ``asname`` None) of the from-import
    ``node``, if it is one."""
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return None
    for alias in node.names:
        local = get_full_name_for_node(alias.asname.name) if alias.asname else None
        if get_full_name_for_node(alias.name) == name and local == asname:
            return alias
    return None


def unalias_read_name(new: str, old: str) -> Transform:
    """``from m import new as old`` becomes ``from m import new`` where nothing reads ``old``,
    nothing else binds either name at module level, and some code reads ``new`` with nothing
    binding it (after the edit, that read finds the import). Left as it is when an unaliased
    ``new`` is imported already; :class:`Unfixable` when the alias cannot go."""

    def transform(module: cst.Module) -> cst.Module:
        unalias = _Unalias(new, old)
        result = MetadataWrapper(module).visit(unalias)
        if not unalias.aliases and not unalias.bound:
            raise Unfixable(f"{new!r} cannot be imported under its own name here")
        return result

    return transform
