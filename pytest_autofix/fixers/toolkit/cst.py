"""Plain libcst in place of ``libcst.matchers``, which costs ~0.35 s to import (more than libcst
itself) and which nothing on the path of a fix needs.

``find_all(node, types, predicate)`` is ``libcst.matchers.findall`` for a matcher that checks a
node's type and then some of its fields: ``node`` itself and every node under it, in the
same order (depth first, parents before children), nested functions, classes and lambdas
included. The other helpers spell out the few statement shapes the fixers test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import libcst as cst
from libcst.helpers import get_full_name_for_node

__all__ = [
    "DroppingLines",
    "OwnBodyTransformer",
    "OwnBodyVisitor",
    "find_all",
    "is_docstring",
    "is_import_line",
    "is_name",
    "keep_spacing",
    "names_read",
    "renamed_prefix",
    "string_value",
]

N = TypeVar("N", bound=cst.CSTNode)
M = TypeVar("M", bound=cst.CSTNode)


class _Collect(cst.CSTVisitor):
    def __init__(
        self,
        types: type[cst.CSTNode] | tuple[type[cst.CSTNode], ...],
        predicate: Callable[[Any], bool] | None,
    ) -> None:
        super().__init__()
        self.types = types
        self.predicate = predicate
        self.found: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.types) and (self.predicate is None or self.predicate(node)):
            self.found.append(node)
        return True


@overload
def find_all(
    node: cst.CSTNode, types: type[N], predicate: Callable[[N], bool] | None = None
) -> list[N]: ...


@overload
def find_all(
    node: cst.CSTNode,
    types: tuple[type[N], type[M]],
    predicate: Callable[[N | M], bool] | None = None,
) -> list[N | M]: ...


def find_all(
    node: cst.CSTNode,
    types: type[Any] | tuple[type[Any], ...],
    predicate: Callable[[Any], bool] | None = None,
) -> list[Any]:
    """``node`` and every node under it that is one of ``types`` (and passes ``predicate``),
    in visiting order: ``m.findall(node, m.Call(func=m.Name("f")))`` is
    ``find_all(node, cst.Call, lambda c: is_name(c.func, "f"))``."""
    collect = _Collect(types, predicate)
    node.visit(collect)
    return collect.found


def string_value(node: cst.CSTNode | None) -> str | None:
    """The text of a plain string literal (not bytes, not an f-string, not concatenated)."""
    if not isinstance(node, cst.SimpleString):
        return None
    try:
        value = node.evaluated_value
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def renamed_prefix(node: cst.CSTNode | None, old: str, new: str) -> cst.SimpleString | None:
    """The plain string literal ``node`` naming the dotted name ``old`` or something under it
    (``"old.x"``) rewritten to name ``new`` instead (``"new.x"``), its prefix and quotes kept;
    None for anything else, and for a literal with a backslash escape or a bytes prefix."""
    if not isinstance(node, cst.SimpleString):
        return None
    quote = node.quote
    body = node.value[len(node.prefix) + len(quote) : -len(quote)]
    if "\\" in body or "b" in node.prefix.lower():
        return None
    if body != old and not body.startswith(old + "."):
        return None
    return node.with_changes(value=f"{node.prefix}{quote}{new}{body[len(old) :]}{quote}")


def is_name(node: cst.CSTNode | None, value: str) -> bool:
    """``m.matches(node, m.Name(value))``."""
    return isinstance(node, cst.Name) and node.value == value


def is_docstring(statement: cst.CSTNode, *, concatenated: bool = False) -> bool:
    """A statement line holding one string expression and nothing else:
    ``m.SimpleStatementLine(body=[m.Expr(m.SimpleString())])``, with ``concatenated``
    ``m.SimpleString() | m.ConcatenatedString()``."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    only = statement.body[0]
    if not isinstance(only, cst.Expr):
        return False
    strings = (cst.SimpleString, cst.ConcatenatedString) if concatenated else cst.SimpleString
    return isinstance(only.value, strings)


def is_import_line(
    statement: cst.CSTNode,
    types: type[cst.Import | cst.ImportFrom] | tuple[type[cst.Import | cst.ImportFrom], ...] = (
        cst.Import,
        cst.ImportFrom,
    ),
) -> bool:
    """A statement line holding exactly one import statement of ``types``:
    ``m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])``."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], types)
    )


class _NamesRead(cst.CSTVisitor):
    """The names code reads: plain names and whole dotted chains (``np``, ``np.linalg.norm``),
    not attribute names alone, keyword names, or what a ``def``, a ``class`` or an import
    binds."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        dotted = get_full_name_for_node(node)
        if dotted is not None:
            self.names.add(dotted)
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        if node.default is not None:
            node.default.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for part in (*node.decorators, node.params, node.body):
            part.visit(self)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for part in (*node.decorators, *node.bases, node.body):
            part.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False


def names_read(node: cst.CSTNode) -> set[str]:
    """Every name ``node`` reads, and every dotted chain it reads whole (``np`` and
    ``np.linalg.norm`` for ``np.linalg.norm(x)``); not what it binds (a ``def``'s or a
    ``class``'s name, an import, a keyword argument's name)."""
    reader = _NamesRead()
    node.visit(reader)
    return reader.names


class _OwnBody:
    """What :class:`OwnBodyVisitor` and :class:`OwnBodyTransformer` share: enter the first
    function met, no function, lambda or class nested in it."""

    depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return self.depth == 1

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


class OwnBodyVisitor(_OwnBody, cst.CSTVisitor):
    """Visits the first function it meets and its own body only: the functions, lambdas and
    classes nested in it are theirs (visit a ``FunctionDef`` with it)."""

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1


class OwnBodyTransformer(_OwnBody, cst.CSTTransformer):
    """:class:`OwnBodyVisitor` as a transformer: rewrites one function's own body only."""

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.depth -= 1
        return updated_node


# -- statements removed, the lines above them kept -------------------------------------------


def _leading_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        return statement.leading_lines
    return ()


def keep_spacing(
    original: Sequence[cst.BaseStatement],
    updated: Sequence[cst.BaseStatement],
    removed: Sequence[cst.CSTNode],
) -> list[cst.BaseStatement]:
    """``updated`` (``original`` without the ``removed`` statements, the others in order) with
    the lines above each removed statement handed to the next one: its comments always, its
    blank lines when the next one has none of its own (``from __future__ import x``, a blank
    line, the removed import: the blank line stays)."""
    out: list[cst.BaseStatement] = []
    pending: list[cst.EmptyLine] = []
    rest = iter(updated)
    for statement in original:
        if any(statement is r for r in removed):
            pending.extend(_leading_lines(statement))
            continue
        kept = next(rest)
        if pending:
            own = list(_leading_lines(kept))
            blank = any(line.comment is None for line in own)
            lines = [line for line in pending if line.comment is not None or not blank]
            kept = kept.with_changes(leading_lines=[*lines, *own])
            pending = []
        out.append(kept)
    return out


class DroppingLines(cst.CSTTransformer):
    """A transformer that removes whole statements (appending each to ``removed`` as it returns
    ``RemoveFromParent``): the lines above each go to the next statement (:func:`keep_spacing`),
    in every block and in the module."""

    def __init__(self) -> None:
        super().__init__()
        self.removed: list[cst.SimpleStatementLine] = []

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = keep_spacing(original_node.body, updated_node.body, self.removed)
        return updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = keep_spacing(original_node.body, updated_node.body, self.removed)
        return updated_node.with_changes(body=body)
