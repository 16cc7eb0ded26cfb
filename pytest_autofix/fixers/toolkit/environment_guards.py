"""What a catalogue entry's transform checks in each file, beyond the pattern's shape.

``checked(migration, transform, build)`` wraps the transform of one entry with:

- its per-file guards (``guard = ["timer-only"]``): a file whose uses of the removed API do not
  satisfy the guard raises :class:`Unfixable` with the line and the reason, and is left to a
  person; a guard may also return the file with its uses made exact for the replacement
  (``argspec-fields``: ``getfullargspec(f)[:4]`` where a getargspec result is read as a tuple);
- for a method entry guarded by ``instance``, its patterns that take any receiver
  (``$parser.unescape($s)``) applied only to the receivers the file proves instances of the
  class: a name every binding of which constructs it (``h = HTMLParser()``);
- its uses through a module that re-exports the API (``import oyaml as yaml``, whose ``load``
  and ``FullLoader`` are PyYAML's own objects): the entry's patterns rewritten onto that module,
  when each name they use resolves there, in the running session, to the very object it names in
  the API's module.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib
import re
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from typing import cast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from pytest_autofix.catalogue import Migration, Pattern
from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable

__all__ = [
    "argspec_fields",
    "checked",
    "imported",
    "instances",
    "qualified_name",
    "rebased",
    "timer_only",
]


def checked(
    migration: Migration, transform: Transform, build: Callable[[Migration], Transform | None]
) -> Transform:
    """``transform`` with ``migration``'s per-file guards checked first, and its patterns also
    applied through the modules of the file that re-export the API (built with ``build``)."""
    if "instance" in migration.guard:
        return _on_instances(migration, build)
    guards = [_GUARDS[g] for g in migration.guard if g in _GUARDS]
    module = migration.api.partition(".")[0]
    follow = bool(migration.patterns) and bool(_names(migration, module))
    if not guards and not follow:
        return transform

    def run(tree: cst.Module) -> cst.Module:
        for guard in guards:
            tree = guard(migration.api, tree) or tree  # a guard may make the uses exact
        result = transform(tree)
        if follow:
            for other in _reexporters(tree, module, migration):
                more = build(rebased(migration, module, other))
                if more is not None:
                    result = more(result)
        return result

    return run


# -- the file's imports, read with ast ---------------------------------------------------------


def imported(tree: ast.Module) -> dict[str, str]:
    """Local name -> the qualified name an import statement binds it to (the last one wins)."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    root = alias.name.partition(".")[0]
                    found[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    """Each node of ``tree`` -> the node it is a child of."""
    return {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}


def qualified_name(node: ast.AST, imports: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in imports:
        return None
    return ".".join([imports[node.id], *reversed(parts)])


# -- guard: timer-only ---------------------------------------------------------------------------

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)
_LOGGING = {"debug", "info", "warning", "warn", "error", "critical", "exception", "log"}
_REPORTERS = _LOGGING | {"write", "format", "append"}
_WRAPPERS = {"round", "float", "str", "repr", "abs"}


def _assigned_name(parents: dict[ast.AST, ast.AST], call: ast.AST) -> str | None:
    """``t0 = time.clock()``: the name the call's value is assigned to, a plain one and the
    only target; None otherwise."""
    parent = parents.get(call)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, ast.Name):
            return target.id
    return None


def _scope(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST:
    """The function, lambda or module ``node`` is in (``node`` itself when it is one)."""
    while not isinstance(node, _SCOPES):
        node = parents[node]
    return node


class _Timer:
    """The uses of a clock function (``time.clock``) in one file, checked to be a timer whose
    durations are only reported: each value is subtracted from another value of the same clock,
    and each difference is stored in an attribute or an item, printed, logged or formatted (after
    a unit conversion or a ``round`` at most), directly or through a local name read only so.
    Never compared, returned or used in a computation: only then is the clock's own kind of time
    (processor time or wall-clock time) no part of what the program does."""

    def __init__(self, api: str, tree: ast.Module) -> None:
        self.api = api
        self.imports = imported(tree)
        self.parents = _parents(tree)
        self.tree = tree
        self.names: set[tuple[ast.AST, str]] = set()  # (scope, name) bound to a clock value

    def problems(self) -> Iterator[str]:
        calls: list[ast.Call] = []
        for use in self._uses():
            call = self.parents.get(use)
            if not isinstance(call, ast.Call) or not self._plain_call(call):
                yield f"line {use.lineno}: {self.api} is not called there"
                continue
            calls.append(call)
            target = self._bound_name(call)
            if target is not None:
                self.names.add((self._scope(call), target))
        for call in calls:
            if isinstance(self.parents.get(call), ast.Expr) or self._bound_name(call):
                continue  # a call whose value is dropped, or a name checked below
            if not self._difference_reported(call):
                yield f"line {call.lineno}: its value is used otherwise than as a timer"
        for scope, name in sorted(self.names, key=lambda s: (getattr(s[0], "lineno", 0), s[1])):
            yield from self._name_problems(scope, name)

    def _uses(self) -> list[ast.Name | ast.Attribute]:
        return [
            n
            for n in ast.walk(self.tree)
            if isinstance(n, ast.Name | ast.Attribute)
            and isinstance(n.ctx, ast.Load)
            and qualified_name(n, self.imports) == self.api
            and not isinstance(self.parents.get(n), ast.Attribute)
        ]

    def _plain_call(self, node: ast.Call) -> bool:
        return not node.args and not node.keywords

    def _scope(self, node: ast.AST) -> ast.AST:
        return _scope(node, self.parents)

    def _bound_name(self, call: ast.AST) -> str | None:
        return _assigned_name(self.parents, call)

    def _is_clock_call(self, node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and self._plain_call(node)
            and qualified_name(node.func, self.imports) == self.api
        )

    def _is_clock_value(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return (self._scope(node), node.id) in self.names
        return self._is_clock_call(node)

    def _name_problems(self, scope: ast.AST, name: str) -> Iterator[str]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Global | ast.Nonlocal) and name in node.names:
                yield f"line {node.lineno}: {name} is declared {type(node).__name__.lower()}"
        for node in ast.walk(scope):
            if not isinstance(node, ast.Name) or node.id != name:
                continue
            if isinstance(node.ctx, ast.Store):
                parent = self.parents.get(node)
                if not (isinstance(parent, ast.Assign) and self._is_clock_call(parent.value)):
                    yield f"line {node.lineno}: {name} holds something else too"
            elif isinstance(node.ctx, ast.Del) or not self._difference_reported(node):
                yield f"line {node.lineno}: {name} is used otherwise than as a timer"

    def _difference_reported(self, value: ast.AST) -> bool:
        """``value`` (a clock value) is an operand of ``a - b`` with another clock value, and
        the difference is only reported."""
        sub = self.parents.get(value)
        if not (isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Sub)):
            return False
        other = sub.right if sub.left is value else sub.left
        return self._is_clock_value(other) and self._reported(sub, hop=True)

    def _reported(self, node: ast.AST, *, hop: bool) -> bool:
        """The value ``node`` is only reported: printed, logged, formatted or stored, after a
        unit conversion or a ``round`` at most."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.keyword):  # print(d, file=f), "{t}".format(t=d)
            node, parent = parent, self.parents.get(parent)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mult | ast.Div):
            other = parent.right if parent.left is node else parent.left
            constant = isinstance(other, ast.Constant) and isinstance(other.value, int | float)
            return constant and self._reported(parent, hop=hop)
        if isinstance(parent, ast.Call) and node is not parent.func:
            if isinstance(parent.func, ast.Name) and parent.func.id in _WRAPPERS:
                return self._reported(parent, hop=hop)
            return _reporter(parent.func)
        if isinstance(parent, ast.FormattedValue):
            return True
        if isinstance(parent, ast.Tuple):  # "%s %s" % (n, d)
            node, parent = parent, self.parents.get(parent)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mod):
            text = isinstance(parent.left, ast.Constant) and isinstance(parent.left.value, str)
            return text and parent.right is node
        return self._stored(parent, node, hop=hop)

    def _stored(self, parent: ast.AST | None, node: ast.AST, *, hop: bool) -> bool:
        """``obj.took = d``, ``stats[k] += d``; ``took = d`` when every read of ``took`` is a
        report (one such hop)."""
        if isinstance(parent, ast.AugAssign):
            return isinstance(parent.op, ast.Add) and isinstance(
                parent.target, ast.Attribute | ast.Subscript
            )
        if not isinstance(parent, ast.Assign) or parent.value is not node:
            return False
        if all(isinstance(t, ast.Attribute | ast.Subscript) for t in parent.targets):
            return True
        if not hop or len(parent.targets) != 1 or not isinstance(parent.targets[0], ast.Name):
            return False
        name = parent.targets[0].id
        reads = [
            n
            for n in ast.walk(self._scope(parent))
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
        ]
        return all(self._reported(n, hop=False) for n in reads)


def _reporter(func: ast.expr) -> bool:
    """``print``, a logger's method, ``.write``, ``.format``, ``.append``."""
    if isinstance(func, ast.Name):
        return func.id == "print"
    return isinstance(func, ast.Attribute) and func.attr in _REPORTERS


def timer_only(api: str, tree: cst.Module) -> None:
    """The ``timer-only`` guard: raises :class:`Unfixable` unless every use of ``api`` in the
    file times something it only reports (see :class:`_Timer`)."""
    try:
        parsed = ast.parse(tree.code)
    except SyntaxError:
        raise Unfixable("the file does not parse") from None
    problems = list(dict.fromkeys(_Timer(api, parsed).problems()))[:3]
    if problems:
        raise Unfixable(
            f"{api}() is not only a timer of durations it reports here ({'; '.join(problems)}): "
            "whether processor time or wall-clock time is meant is a person's choice"
        )


# -- guard: argspec-fields -----------------------------------------------------------------------

_ARGSPEC = ("args", "varargs", "keywords", "defaults")  # inspect.ArgSpec's fields, in order
_RENAMED = {"keywords": "varkw"}  # FullArgSpec's name for the same field
_FIELD, _TUPLE, _EITHER = "field", "tuple", "either"
_FULL = "inspect.getfullargspec"
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class _ArgSpecUses:
    """The uses of ``inspect.getargspec(f)`` in one file, each read in one of two ways that
    ``getfullargspec``, whose first four fields are exactly what ``getargspec`` returned, keeps:

    - by field: ``.args``, ``.varargs``, ``.defaults``, ``.keywords`` (``varkw`` in a
      FullArgSpec), an index 0 to 3: the call becomes ``getfullargspec(f)``;
    - as a tuple: unpacked (``a, b, c, d = ...``), indexed or sliced: the call becomes
      ``getfullargspec(f)[:4]``, the same four values.

    A value bound to a local name of a function is followed to every read of that name in the
    function. Anything else (the spec passed on, returned, stored, compared, ``len()``) would see
    a FullArgSpec of seven fields, or a plain tuple, where it saw an ArgSpec: a person's."""

    def __init__(self, api: str, tree: ast.Module) -> None:
        self.api = api
        self.imports = imported(tree)
        self.parents = _parents(tree)
        self.tree = tree
        self.problems: list[str] = []
        self.wrap: list[ast.Call] = []  # calls that become getfullargspec(f)[:4]
        self.rename: list[ast.Attribute] = []  # `.keywords` reads that become `.varkw`

    def calls(self) -> list[ast.Call]:
        found = []
        for node in ast.walk(self.tree):
            if not (isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load)):
                continue
            if qualified_name(node, self.imports) != self.api:
                continue
            call = self.parents.get(node)
            if not (
                isinstance(call, ast.Call)
                and call.func is node
                and len(call.args) == 1
                and not call.keywords
                and not isinstance(call.args[0], ast.Starred)
            ):
                self.problems.append(f"line {node.lineno}: not called with one function")
                continue
            found.append(call)
        return found

    def plan(self) -> None:
        """Each call's way of being read (bound names grouped), into ``wrap`` and ``rename``."""
        groups: dict[tuple[ast.AST, str], list[ast.Call]] = {}
        for call in self.calls():
            name = _assigned_name(self.parents, call)
            if name is None:
                self._decide([call], [call])
                continue
            scope = self.parents.get(self.parents[call])
            while scope is not None and not isinstance(scope, (*_SCOPES, ast.ClassDef)):
                scope = self.parents.get(scope)
            if not isinstance(scope, _FUNCTIONS):
                self.problems.append(f"line {call.lineno}: {name} is not a function's local")
                continue
            groups.setdefault((scope, name), []).append(call)
        for (scope, name), calls in groups.items():
            self._decide(calls, self._reads(scope, name, calls))

    def _reads(self, scope: ast.AST, name: str, calls: list[ast.Call]) -> list[ast.expr]:
        """Every read of ``name`` in ``scope``; a problem when the name may be read elsewhere
        (``global``, ``nonlocal``) or, if a read needs ``.keywords`` renamed, may hold
        anything but such a spec."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Global | ast.Nonlocal) and name in node.names:
                self.problems.append(f"line {node.lineno}: {name} is declared global or nonlocal")
        reads: list[ast.expr] = []
        for node in ast.walk(scope):
            if isinstance(node, ast.Name) and node.id == name:
                if isinstance(node.ctx, ast.Load):
                    reads.append(node)
                elif isinstance(self.parents.get(node), ast.AugAssign):
                    self.problems.append(f"line {node.lineno}: {name} is updated in place")
        if any(getattr(self.parents.get(r), "attr", None) in _RENAMED for r in reads):
            own = {t for c in calls for t in cast(ast.Assign, self.parents[c]).targets}
            for other in _bindings(cast(ast.Module, scope)).get(name, []):
                if other not in own:
                    line = getattr(other, "lineno", "?")
                    self.problems.append(f"line {line}: {name} holds something else too")
        return reads

    def _way(self, node: ast.expr) -> str | None:
        """How ``node`` (a spec) is read: by field, as a tuple, either way; None otherwise."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Expr):
            return _EITHER
        if isinstance(parent, ast.Attribute) and isinstance(parent.ctx, ast.Load):
            if parent.attr in _ARGSPEC:
                if parent.attr in _RENAMED:
                    self.rename.append(parent)
                return _FIELD
            return None
        if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Load):
            return _indexed(parent.slice)
        if isinstance(parent, ast.Assign) and parent.value is node:
            unpacked = all(isinstance(t, ast.Tuple | ast.List) for t in parent.targets)
            return _TUPLE if unpacked else None
        return None

    def _decide(self, calls: list[ast.Call], reads: list[ast.Call] | list[ast.expr]) -> None:
        renamed = len(self.rename)
        ways = {}
        for read in reads:
            way = self._way(read)
            if way is None:
                what = "spec" if isinstance(read, ast.Call) else cast(ast.Name, read).id
                self.problems.append(
                    f"line {read.lineno}: the {what} is used otherwise than by its fields or "
                    "as a tuple of four"
                )
                return
            ways[way] = read
        if _FIELD in ways and _TUPLE in ways:
            self.problems.append(f"line {ways[_TUPLE].lineno}: read both by field and as a tuple")
        elif _TUPLE in ways:
            del self.rename[renamed:]
            self.wrap += calls


def _indexed(index: ast.expr) -> str | None:
    """How ``spec[index]`` reads a spec: an index 0 to 3 either way (the same field), a
    negative one or a slice of literals as a tuple of four; None for anything else."""
    if isinstance(index, ast.Slice):
        bounds = (index.lower, index.upper, index.step)
        return _TUPLE if all(b is None or _int(b) is not None for b in bounds) else None
    value = _int(index)
    if value is None or not -4 <= value < 4:
        return None
    return _EITHER if value >= 0 else _TUPLE


def _int(node: ast.AST) -> int | None:
    """The value of an integer literal (``3``, ``-1``), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _catches_value_error(handler: ast.ExceptHandler) -> bool:
    """``except:``, ``except ValueError``, ``except Exception``, or a name not a builtin."""
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for node in types:
        cls = getattr(builtins, node.id, None) if isinstance(node, ast.Name) else None
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            return True
        if issubclass(ValueError, cls):
            return True
    return False


class _Canonical(ast.NodeTransformer):
    """Dotted names spelled as what they are bound to, the removed API as its replacement."""

    def __init__(self, imports: dict[str, str], api: str, replacement: str) -> None:
        self.imports, self.api, self.replacement = imports, api, replacement

    def _name(self, node: ast.Name | ast.Attribute) -> ast.AST:
        qualified = qualified_name(node, self.imports)
        if qualified is None:
            return self.generic_visit(node)
        return ast.Name(id=self.replacement if qualified == self.api else qualified)

    visit_Name = _name
    visit_Attribute = _name


class _Inline(ast.NodeTransformer):
    def __init__(self, read: ast.Name, value: ast.expr) -> None:
        self.read, self.value = read, value

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.value if node is self.read else node


def _inlined(body: list[ast.stmt], scope: ast.AST) -> list[ast.stmt]:
    """``body`` with each ``n = value`` whose ``n`` is read once after it and nowhere else in
    ``scope`` written as that read (``spec = f(x); a, b = spec[:2]`` -> ``a, b = f(x)[:2]``)."""
    body = list(body)
    for i, stmt in enumerate(body):
        if not (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            continue
        name, value = stmt.targets[0].id, stmt.value
        uses = [n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == name]
        later = [
            n
            for s in body[i + 1 :]
            for n in ast.walk(s)
            if isinstance(n, ast.Name) and n.id == name
        ]
        if len(uses) != 2 or len(later) != 1 or not isinstance(later[0].ctx, ast.Load):
            continue

        body[i + 1 :] = [_Inline(later[0], value).visit(s) for s in body[i + 1 :]]
        return _inlined(body[:i] + body[i + 1 :], scope)
    return body


def _fallbacks(api: str, replacement: str, tree: ast.Module) -> Iterator[str]:
    """getargspec raised ValueError for a function with keyword-only parameters or annotations,
    getfullargspec does not: a ``try`` around the call whose handler may catch ValueError keeps
    its behaviour only when the handler does what the migrated body does (the code's own
    fallback to getfullargspec)."""
    imports = imported(tree)
    parents = _parents(tree)
    for node in [n for n in ast.walk(tree) if isinstance(n, ast.Try | ast.TryStar)]:
        called = any(
            isinstance(n, ast.Call) and qualified_name(n.func, imports) == api
            for s in node.body
            for n in ast.walk(s)
        )
        if not called:
            continue
        scope = _scope(node, parents)
        same = _Canonical(imports, api, replacement)
        migrated = ast.dump(ast.Module([same.visit(copy.deepcopy(s)) for s in node.body], []))
        for handler in node.handlers:
            if not _catches_value_error(handler):
                continue
            body = copy.deepcopy(handler.body)
            fallback = [same.visit(s) for s in _inlined(body, scope)]
            if ast.dump(ast.Module(fallback, [])) != migrated:
                yield (
                    f"line {handler.lineno}: it handles the ValueError getargspec raised for "
                    "functions with keyword-only parameters or annotations, which "
                    "getfullargspec describes"
                )


def _span(node: ast.expr, lines: list[bytes]) -> tuple[int, int, int, int]:
    """``node``'s range as libcst counts it: lines from 1, columns in characters."""
    end_line, end_col = node.end_lineno or node.lineno, node.end_col_offset or 0

    def column(line: int, offset: int) -> int:
        return len(lines[line - 1][:offset].decode("utf-8", "replace"))

    return node.lineno, column(node.lineno, node.col_offset), end_line, column(end_line, end_col)


class _Reshape(cst.CSTTransformer):
    """The calls to read as a tuple of four wrapped in ``[:4]``, the ``.keywords`` reads
    renamed ``.varkw``, found by their ranges."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self, wrap: set[tuple[int, int, int, int]], rename: set[tuple[int, int, int, int]]
    ):
        super().__init__()
        self.wrap, self.rename = wrap, rename
        self.done = 0

    def _at(self, node: cst.CSTNode, where: set[tuple[int, int, int, int]]) -> bool:
        r = self.get_metadata(PositionProvider, node)
        return (r.start.line, r.start.column, r.end.line, r.end.column) in where

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not self._at(original_node, self.wrap):
            return updated_node
        self.done += 1
        four = cst.Slice(lower=None, upper=cst.Integer("4"))
        return cst.Subscript(value=updated_node, slice=[cst.SubscriptElement(four)])

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if not self._at(original_node, self.rename):
            return updated_node
        self.done += 1
        return updated_node.with_changes(attr=cst.Name(_RENAMED[updated_node.attr.value]))


def argspec_fields(api: str, tree: cst.Module) -> cst.Module:
    """The ``argspec-fields`` guard: raises :class:`Unfixable` unless every use of ``api``
    (``inspect.getargspec``) in the file reads the spec by its fields or as a tuple of four (see
    :class:`_ArgSpecUses`) and no ``try`` around a call handles getargspec's ValueError
    otherwise than by getfullargspec; returns the file with those reads made exact for
    ``getfullargspec`` (``[:4]``, ``.varkw``), the call itself left to the rename."""
    try:
        parsed = ast.parse(tree.code)
    except SyntaxError:
        raise Unfixable("the file does not parse") from None
    uses = _ArgSpecUses(api, parsed)
    uses.plan()
    problems = uses.problems
    if not problems and (uses.wrap or uses.rename):
        lines = tree.code.encode("utf-8").splitlines()
        wrap = {_span(c, lines) for c in uses.wrap}
        rename = {_span(a, lines) for a in uses.rename}
        reshape = _Reshape(wrap, rename)
        tree = MetadataWrapper(tree).visit(reshape)
        if reshape.done != len(wrap) + len(rename):
            problems = ["a use could not be rewritten in place"]
        else:
            parsed = ast.parse(tree.code)  # the try bodies as reshaped
    if not problems:
        problems = list(_fallbacks(api, _FULL, parsed))
    problems = list(dict.fromkeys(problems))[:3]
    if problems:
        raise Unfixable(
            f"{api}() is not read here only in ways getfullargspec() keeps "
            f"({'; '.join(problems)}): a person's choice"
        )
    return tree


_GUARDS: dict[str, Callable[[str, cst.Module], cst.Module | None]] = {
    "timer-only": timer_only,
    "argspec-fields": argspec_fields,
}

# -- uses through a re-exporting module --------------------------------------------------------

_TOKEN = "__autofix_rebase_"  # a pattern's `$` while it is parsed as Python


def _dotted_names(text: str, root: str) -> set[str]:
    """The dotted names rooted at ``root`` in the pattern expression ``text``."""
    try:
        tree = ast.parse(text.replace("$", _TOKEN), mode="eval")
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            parts = []
            inner: ast.AST = node
            while isinstance(inner, ast.Attribute):
                parts.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id == root:
                found.add(".".join(reversed(parts)))
    return found


def _names(migration: Migration, module: str) -> set[str]:
    """What the patterns use of ``module`` (``load``, ``FullLoader``), longest paths only."""
    names: set[str] = set()
    for pattern in migration.patterns:
        names |= _dotted_names(pattern.match, module) | _dotted_names(pattern.replace, module)
    return {n for n in names if not any(o.startswith(n + ".") for o in names)}


def _lookup(path: str) -> object:
    """The object ``path`` names in the running session, from the modules already loaded (never
    importing anything); None when it is not there. A module's ``__getattr__`` may warn about a
    deprecated name or fail: that is no object either, and no warning escapes."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:i]))
        if module is None:
            continue
        obj: object = module
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for attr in parts[i:]:
                try:
                    obj = getattr(obj, attr)
                except Exception:
                    return None
        return obj
    return None


def _reexporters(tree: cst.Module, module: str, migration: Migration) -> list[str]:
    """The top-level modules the file imports from (``import oyaml as yaml``, ``from oyaml
    import load``) other than ``module`` in which every name the patterns use of ``module`` is
    the very same object. (A submodule, ``from pkg import compat``, is not followed: the
    replacement's other names could not be written in the file's spelling.)"""
    try:
        imports = imported(ast.parse(tree.code))
    except SyntaxError:
        return []
    names = _names(migration, module)
    found = []
    for qualified in sorted({q.partition(".")[0] for q in imports.values()}):
        if qualified == module:
            continue
        if not isinstance(sys.modules.get(qualified), types.ModuleType):
            continue
        if all(
            (own := _lookup(f"{module}.{n}")) is not None and _lookup(f"{qualified}.{n}") is own
            for n in names
        ):
            found.append(qualified)
    return found


def _rebase_text(text: str, module: str, other: str) -> str:
    """``text`` with each dotted name rooted at ``module`` rooted at ``other`` instead."""
    tree = cst.parse_expression(text.replace("$", _TOKEN))

    class Rebase(cst.CSTTransformer):
        def leave_Attribute(
            self, original_node: cst.Attribute, updated_node: cst.Attribute
        ) -> cst.BaseExpression:
            value = updated_node.value
            if isinstance(value, cst.Name) and value.value == module:
                head = cst.parse_expression(other)
                return updated_node.with_changes(value=head)
            return updated_node

    rebuilt = cst.Module([]).code_for_node(cast(cst.BaseExpression, tree.visit(Rebase())))
    return rebuilt.replace(_TOKEN, "$")


def rebased(migration: Migration, module: str, other: str) -> Migration:
    """``migration`` with its patterns written for ``other``, a module re-exporting what they use
    of ``module``: ``yaml.load($s)`` -> ``oyaml.load($s)``, imports of ``module`` -> ``other``."""
    patterns = [
        Pattern(
            match=_rebase_text(p.match, module, other),
            replace=_rebase_text(p.replace, module, other),
            imports=[
                other + i[len(module) :] if i == module or i.startswith(module + ":") else i
                for i in p.imports
            ],
        )
        for p in migration.patterns
    ]
    return migration.model_copy(update={"patterns": patterns})


# -- guard: instance -------------------------------------------------------------------------------

_RECEIVER = re.compile(r"^\$(\w+)\.")


def _bindings(tree: ast.Module) -> dict[str, list[ast.AST]]:
    """Every node that binds each name anywhere in the file: a ``Name`` stored to (or deleted),
    an argument, an import, a def or class, a ``global``/``nonlocal``, an ``except ... as``."""
    found: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names = [node.id]
        elif isinstance(node, ast.arg):
            names = [node.arg]
        elif isinstance(node, ast.alias):
            names = [node.asname or node.name.partition(".")[0]]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names = list(node.names)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            names = [node.name]
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names = [node.rest]
        for name in names:
            found.setdefault(name, []).append(node)
    return found


class _Instances:
    """The names a file binds only to new instances of a class that lacks the removed method
    (the class itself or a subclass not defining it), resolved in the running session."""

    def __init__(self, tree: ast.Module, owner: type, method: str) -> None:
        self.tree, self.owner, self.method = tree, owner, method
        self.imports = imported(tree)
        self.bindings = _bindings(tree)
        self.parents = _parents(tree)

    def names(self) -> list[str]:
        return sorted(
            name
            for name, nodes in self.bindings.items()
            if not hasattr(builtins, name) and all(self._constructs(n) for n in nodes)
        )

    def _constructs(self, node: ast.AST) -> bool:
        """``name = Cls(...)``, the name the only target, ``Cls`` the class or such a
        subclass."""
        parent = self.parents.get(node)
        if not (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Store)
            and isinstance(parent, ast.Assign)
            and parent.targets == [node]
            and isinstance(parent.value, ast.Call)
        ):
            return False
        cls = self._resolve(parent.value.func)
        return (
            isinstance(cls, type) and issubclass(cls, self.owner) and not hasattr(cls, self.method)
        )

    def _resolve(self, node: ast.AST) -> object:
        """The object a dotted name of the file is, through its imports or a module-level
        ``Name = dotted.name`` (its only binding); None when unknown."""
        qualified = qualified_name(node, self.imports)
        if qualified is not None:
            return _lookup(qualified)
        if not isinstance(node, ast.Name):
            return None
        nodes = self.bindings.get(node.id, [])
        parent = self.parents.get(nodes[0]) if len(nodes) == 1 else None
        if (
            isinstance(parent, ast.Assign)
            and parent.targets == nodes
            and self.parents.get(parent) is self.tree
        ):
            value = qualified_name(parent.value, self.imports)
            return _lookup(value) if value is not None else None
        return None


def instances(api: str, tree: cst.Module) -> list[str]:
    """The names of the file proven to hold instances of ``api``'s class (``api`` is
    ``module.Class.method``), every binding of each a construction of it."""
    owner_path, _, method = api.rpartition(".")
    module = owner_path.rpartition(".")[0]
    try:  # the API's own module, as the fixer's checks import it (html.parser)
        importlib.import_module(module)
    except Exception:
        return []
    owner = _lookup(owner_path)
    if not isinstance(owner, type):
        return []
    try:
        parsed = ast.parse(tree.code)
    except SyntaxError:
        return []
    return _Instances(parsed, owner, method).names()


def _on_instances(
    migration: Migration, build: Callable[[Migration], Transform | None]
) -> Transform:
    """The ``instance`` guard: each pattern whose receiver is a placeholder is applied with the
    receiver written as each name the file proves an instance (``h.unescape($s)``); the other
    patterns (``self.unescape($s)``) as they are."""
    rest = [g for g in migration.guard if g != "instance"]

    def run(tree: cst.Module) -> cst.Module:
        names = instances(migration.api, tree)
        patterns: list[Pattern] = []
        for pattern in migration.patterns:
            receiver = _RECEIVER.match(pattern.match)
            if receiver is None:
                patterns.append(pattern)
                continue
            token = re.compile(r"\$" + receiver.group(1) + r"\b")
            patterns += [
                Pattern(
                    match=token.sub(name, pattern.match),
                    replace=token.sub(name, pattern.replace),
                    imports=pattern.imports,
                )
                for name in names
            ]
        if not patterns:
            return tree
        transform = build(migration.model_copy(update={"guard": rest, "patterns": patterns}))
        return transform(tree) if transform is not None else tree

    return run
