"""Generator-based coroutines (``@asyncio.coroutine``, removed in Python 3.11) rewritten as
``async def`` with ``await``, where that is the same program.

:func:`native_coroutines` rewrites every function of a file decorated with
``asyncio.coroutine`` (however the file imports it): the decorator goes, ``def`` becomes
``async def`` and each ``yield from x`` of the function's own body (not of a nested function or
class) becomes ``await x``. A function without ``yield from`` that returns only names bound to
a future (``task = asyncio.ensure_future(...)``, ``create_task``, ``gather``...) is rewritten
too, ``return task`` -> ``return await task`` (``asyncio.coroutine`` awaited the future it
returned). An ``async def`` under the decorator only loses it (``asyncio.coroutine`` returned
it as it was). A decorated function it cannot rewrite exactly makes the file
:class:`Unfixable`, with the reason:

- a bare ``yield`` or ``yield x`` in its body: it is a generator, not only a coroutine;
- no ``yield from`` at all, and a return that is not for certain a future: ``asyncio.coroutine``
  then awaited a future or generator the function returned, which ``async def`` would return as
  it is;
- it is driven as a generator in the file: ``yield from f()`` in a function that is not
  rewritten, ``next(f())``, ``f().send(...)``, ``for x in f()``.

A decorator of the file that makes its one argument ``p`` a coroutine with
``asyncio.coroutine(p)`` (``def asynctest(f): f = asyncio.coroutine(f); ...``, or the call in
its nested wrapper: a test helper that runs the coroutine in a loop), binding ``p`` nowhere
else, marks the functions it decorates as coroutines too, when the caller allows it
(:func:`coroutine_markers` names them; the caller checks that no module importing the file uses
them): those functions are rewritten under the same rules, keeping the decorator, and in the
decorator ``asyncio.coroutine(p)`` becomes ``p`` (``p = p`` goes), since every function it gets
is then an ``async def``, which ``asyncio.coroutine`` returned as it was. A marking decorator the
file reads otherwise than as ``@name`` (a call ``asynctest(g)``, a reference) makes the file
:class:`Unfixable`: what it gets there may be a generator still.
"""

from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pytest_autofix.fixers.toolkit.cst import OwnBodyTransformer, OwnBodyVisitor
from pytest_autofix.fixers.toolkit.environment_transforms import import_map
from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable

__all__ = ["coroutine_functions", "coroutine_markers", "native_coroutines"]

_DECORATOR = "asyncio.coroutine"
# what an await's operand may be without parentheses (a primary)
_PRIMARY = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Await)


def _resolved(expr: cst.CSTNode, imports: dict[str, str]) -> str:
    """The dotted name ``expr`` spells (or ""), its first part as the file's imports bind it."""
    root, dot, rest = (get_full_name_for_node(expr) or "").partition(".")
    return imports.get(root, root) + dot + rest


def _is_coroutine_decorator(decorator: cst.Decorator, imports: dict[str, str]) -> bool:
    expr = decorator.decorator
    return _resolved(expr, imports) == _DECORATOR and not isinstance(expr, cst.Call)


def _is_coroutine_call(expr: cst.BaseExpression, imports: dict[str, str]) -> str | None:
    """``asyncio.coroutine(name)`` (however the file imports it): ``name``."""
    if not isinstance(expr, cst.Call) or len(expr.args) != 1:
        return None
    (arg,) = expr.args
    if _resolved(expr.func, imports) != _DECORATOR or arg.keyword or arg.star:
        return None
    return arg.value.value if isinstance(arg.value, cst.Name) else None


class _Bindings(cst.CSTVisitor):
    """Every name a function binds, nested scopes included, and the ``p = asyncio.coroutine(p)``
    assignments among them."""

    def __init__(self, imports: dict[str, str]) -> None:
        super().__init__()
        self.imports = imports
        self.bound: list[str] = []
        self.marking: list[str] = []
        self.calls: list[str] = []

    def _names(self, node: cst.CSTNode | None) -> None:
        if node is None:
            return
        found = self.bound

        class Names(cst.CSTVisitor):
            def visit_Name(self, name: cst.Name) -> None:
                found.append(name.value)

            def visit_Attribute(self, attribute: cst.Attribute) -> bool:
                return False  # x.p = ... binds no name

            def visit_Subscript(self, subscript: cst.Subscript) -> bool:
                return False

        node.visit(Names())

    def visit_Call(self, node: cst.Call) -> None:
        called = _is_coroutine_call(node, self.imports)
        if called is not None:
            self.calls.append(called)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if (
                isinstance(target.target, cst.Name)
                and len(node.targets) == 1
                and _is_coroutine_call(node.value, self.imports) == target.target.value
            ):
                self.marking.append(target.target.value)
            else:
                self._names(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._names(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._names(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._names(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._names(node.target)

    def visit_Param(self, node: cst.Param) -> None:
        self.bound.append(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.bound.append(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.bound.append(node.name.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.bound.extend(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.bound.extend(n.name.value for n in node.names)


def _marked_param(node: cst.FunctionDef, imports: dict[str, str]) -> str | None:
    """The one parameter ``p`` of a function whose body makes it a coroutine with
    ``asyncio.coroutine(p)`` (here or in a nested function) and binds ``p`` nowhere else
    (``p = asyncio.coroutine(p)`` aside): what the call gets is what the function got."""
    params = node.params
    extra = (params.kwonly_params, params.posonly_params, params.star_kwarg)
    if len(params.params) != 1 or isinstance(params.star_arg, cst.Param) or any(extra):
        return None
    param = params.params[0].name.value
    found = _Bindings(imports)
    node.body.visit(found)
    if param not in found.calls or param in found.bound:
        return None
    return param


def coroutine_markers(module: cst.Module) -> set[str]:
    """The module-level functions of ``module`` that make their one argument a coroutine with
    ``asyncio.coroutine(p)`` (see :func:`_marked_param`), and that decorate a function of the
    module."""
    imports = import_map(module)
    markers = {
        statement.name.value
        for statement in module.body
        if isinstance(statement, cst.FunctionDef) and _marked_param(statement, imports)
    }
    used: set[str] = set()

    class Decorated(cst.CSTVisitor):
        def visit_Decorator(self, node: cst.Decorator) -> None:
            if isinstance(node.decorator, cst.Name) and node.decorator.value in markers:
                used.add(node.decorator.value)

    module.visit(Decorated())
    return used


class _Yields(OwnBodyVisitor):
    """The yields of one function's own body (nested functions, lambdas and classes are
    theirs)."""

    def __init__(self) -> None:
        super().__init__()
        self.plain = 0  # yield, yield x
        self.delegating = 0  # yield from x

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.From):
            self.delegating += 1
        else:
            self.plain += 1


def _yields(node: cst.FunctionDef) -> _Yields:
    found = _Yields()
    node.visit(found)
    return found


def coroutine_functions(module: cst.Module) -> set[str]:
    """The names of the functions (and methods) ``module`` decorates with
    ``asyncio.coroutine``."""
    imports = import_map(module)
    found: set[str] = set()

    class Find(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            if any(_is_coroutine_decorator(d, imports) for d in node.decorators):
                found.add(node.name.value)

    module.visit(Find())
    return found


class _Await(OwnBodyTransformer):
    """``yield from x`` -> ``await x`` in one function's own body; ``return f`` -> ``return
    await f`` for the names ``futures`` (see :func:`_returned_futures`)."""

    def __init__(self, futures: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.futures = futures

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        value = updated_node.value
        if isinstance(value, cst.Name) and value.value in self.futures:
            return updated_node.with_changes(value=cst.Await(value))
        return updated_node

    def leave_Yield(self, original_node: cst.Yield, updated_node: cst.Yield) -> cst.BaseExpression:
        source = updated_node.value
        if not isinstance(source, cst.From):
            return updated_node
        operand = source.item
        if not isinstance(operand, _PRIMARY) and not operand.lpar:
            operand = operand.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return cst.Await(
            operand,
            lpar=updated_node.lpar,
            rpar=updated_node.rpar,
            whitespace_after_await=source.whitespace_after_from,
        )


# asyncio's functions that return a future (a Task is one)
_FUTURES = frozenset(
    f"asyncio.{name}"
    for name in ("ensure_future", "create_task", "gather", "shield", "wrap_future")
)


class _Returns(OwnBodyVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[cst.BaseExpression | None] = []

    def visit_Return(self, node: cst.Return) -> None:
        self.values.append(node.value)


def _returned_futures(node: cst.FunctionDef, imports: dict[str, str]) -> frozenset[str]:
    """The names a function without ``yield from`` returns when each is for certain a future
    (``f = asyncio.ensure_future(...)``, its only binding in the function): asyncio.coroutine
    awaited a returned future, so ``async def`` must ``return await f``. Empty when a return
    gives anything else but None."""
    returns = _Returns()
    node.visit(returns)
    names = {v.value for v in returns.values if isinstance(v, cst.Name)}
    if any(v is not None and not isinstance(v, cst.Name) for v in returns.values):
        return frozenset()
    bindings = _Bindings(imports)
    node.body.visit(bindings)
    futures: list[str] = []

    class Assigned(OwnBodyVisitor):  # in the function's own scope
        def visit_Assign(self, assign: cst.Assign) -> None:
            target = assign.targets[0].target
            value = assign.value
            if len(assign.targets) == 1 and isinstance(target, cst.Name):
                called = _resolved(value.func, imports) if isinstance(value, cst.Call) else ""
                if called in _FUTURES:
                    futures.append(target.value)

    node.visit(Assigned())
    for name in names:  # bound nowhere else, nested scopes included
        if name not in futures or bindings.bound.count(name) != futures.count(name):
            return frozenset()
    return frozenset(names)


class _Native(cst.CSTTransformer):
    def __init__(self, imports: dict[str, str], markers: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.imports = imports
        self.markers = markers
        self.done: list[str] = []
        self.problems: list[str] = []

    def _marked(self, decorator: cst.Decorator) -> bool:
        expr = decorator.decorator
        return isinstance(expr, cst.Name) and expr.value in self.markers

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        decorators = updated_node.decorators
        if not any(_is_coroutine_decorator(d, self.imports) or self._marked(d) for d in decorators):
            return updated_node
        name = updated_node.name.value
        kept = [d for d in decorators if not _is_coroutine_decorator(d, self.imports)]
        if updated_node.asynchronous is not None:  # asyncio.coroutine returned it as it was
            if len(kept) < len(decorators):
                self.done.append(name)
            return updated_node.with_changes(decorators=kept)
        yields = _yields(original_node)
        futures = _returned_futures(original_node, self.imports)
        if yields.plain:
            self.problems.append(f"{name}() also yields values: it is a generator")
            return updated_node
        if not yields.delegating and not futures:
            self.problems.append(
                f"{name}() has no yield from: asyncio.coroutine awaited what it returned"
            )
            return updated_node
        body = updated_node.body.visit(_Await(futures))
        assert isinstance(body, cst.BaseSuite)
        self.done.append(name)
        return updated_node.with_changes(
            decorators=kept, asynchronous=cst.Asynchronous(), body=body
        )


def _driven_as_generator(module: cst.Module, names: set[str]) -> list[str]:
    """Uses of ``names`` that treat their result as a generator: ``yield from f()`` outside
    the rewritten functions, ``next(f())``, ``f().send(...)``, ``for x in f()``."""
    found: list[str] = []

    class Uses(cst.CSTVisitor):
        def _called(self, node: cst.BaseExpression | None) -> str:
            if isinstance(node, cst.Call):
                name = (get_full_name_for_node(node.func) or "").rpartition(".")[2]
                if name in names:
                    return name
            return ""

        def visit_Yield(self, node: cst.Yield) -> None:
            if isinstance(node.value, cst.From) and self._called(node.value.item):
                found.append(f"yield from {self._called(node.value.item)}() in a generator")

        def visit_For(self, node: cst.For) -> None:
            if self._called(node.iter):
                found.append(f"for ... in {self._called(node.iter)}()")

        def visit_Call(self, node: cst.Call) -> None:
            func = get_full_name_for_node(node.func) or ""
            if func == "next" and node.args and self._called(node.args[0].value):
                found.append(f"next({self._called(node.args[0].value)}())")
            if (
                isinstance(node.func, cst.Attribute)
                and node.func.attr.value in ("send", "throw", "close")
                and self._called(node.func.value)
            ):
                found.append(f"{self._called(node.func.value)}().{node.func.attr.value}()")

    module.visit(Uses())
    return found


class _DropDecoratorImport(cst.CSTTransformer):
    """``from asyncio import coroutine`` goes once nothing reads ``coroutine``."""

    def __init__(self, locals_: set[str]) -> None:
        super().__init__()
        self.locals = locals_

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if updated_node.relative or updated_node.module is None:
            return updated_node
        if get_full_name_for_node(updated_node.module) != "asyncio" or isinstance(
            updated_node.names, cst.ImportStar
        ):
            return updated_node
        names = [
            a
            for a in updated_node.names
            if not (
                get_full_name_for_node(a.name) == "coroutine"
                and (get_full_name_for_node(a.asname.name) if a.asname else "coroutine")
                in self.locals
            )
        ]
        if not names:
            return cst.RemoveFromParent()
        if len(names) != len(updated_node.names):
            names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(names=names)
        return updated_node


def _reads(module: cst.Module, name: str) -> bool:
    class Reads(cst.CSTVisitor):
        found = False

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                self.found = True

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

    reads = Reads()
    module.visit(reads)
    return reads.found


def _marking_line(statement: cst.BaseStatement, imports: dict[str, str]) -> bool:
    """``p = asyncio.coroutine(p)``."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    assign = statement.body[0]
    return (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and _is_coroutine_call(assign.value, imports) == assign.targets[0].target.value
    )


class _Unwrap(cst.CSTTransformer):
    """``asyncio.coroutine(p)`` -> ``p``; then ``p = p`` goes."""

    def __init__(self, imports: dict[str, str], param: str) -> None:
        super().__init__()
        self.imports = imports
        self.param = param

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if _is_coroutine_call(updated_node, self.imports) != self.param:
            return updated_node
        return cst.Name(self.param, lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.Assign):
            return updated_node
        assign = updated_node.body[0]
        same = [self.param, self.param]
        if [get_full_name_for_node(t.target) for t in assign.targets] + [
            get_full_name_for_node(assign.value)
        ] != same:
            return updated_node
        return cst.RemoveFromParent()


class _Unmark(cst.CSTTransformer):
    """In each marking decorator, ``asyncio.coroutine(p)`` is ``p``: it returned an ``async
    def`` function as it was."""

    def __init__(self, imports: dict[str, str], markers: frozenset[str]) -> None:
        super().__init__()
        self.imports = imports
        self.markers = markers

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if updated_node.name.value not in self.markers:
            return updated_node
        param = _marked_param(updated_node, self.imports)
        body = updated_node.body
        if param is None or not isinstance(body, cst.IndentedBlock):
            return updated_node
        after = body.visit(_Unwrap(self.imports, param))
        if not isinstance(after, cst.IndentedBlock) or not after.body:
            raise Unfixable(f"{updated_node.name.value}() has nothing but asyncio.coroutine")
        first = after.body[0]
        gone = len(after.body) < len(body.body) and _marking_line(body.body[0], self.imports)
        if gone and isinstance(  # what followed starts the body now: no blank line above it
            first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
        ):
            kept = [e for e in first.leading_lines if e.comment is not None]
            after = after.with_changes(
                body=[first.with_changes(leading_lines=kept), *after.body[1:]]
            )
        return updated_node.with_changes(body=after)


def _read_otherwise(module: cst.Module, markers: frozenset[str]) -> list[str]:
    """The marking decorators ``module`` reads otherwise than as ``@name``."""
    found: list[str] = []

    class Reads(cst.CSTVisitor):
        def visit_Decorator(self, node: cst.Decorator) -> bool:
            return not (isinstance(node.decorator, cst.Name) and node.decorator.value in markers)

        def visit_Name(self, node: cst.Name) -> None:
            if node.value in markers and node.value not in found:
                found.append(node.value)

    class Defs(cst.CSTTransformer):  # a function's own name is a definition, not a read
        def leave_FunctionDef(
            self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
        ) -> cst.FunctionDef:
            return updated_node.with_changes(name=cst.Name("_"))

    module.visit(Defs()).visit(Reads())
    return found


def native_coroutines(
    done: list[str] | None = None, markers: frozenset[str] = frozenset()
) -> Transform:
    """The transform of one file (see the module's docstring); ``done`` receives the names of
    the functions it rewrote, the marking decorators among them; ``markers``, the marking
    decorators it may treat as ``asyncio.coroutine`` (see :func:`coroutine_markers`)."""

    def transform(module: cst.Module) -> cst.Module:
        imports = import_map(module)
        marks = markers & coroutine_markers(module)
        other_reads = _read_otherwise(module, marks)
        if other_reads:
            names = ", ".join(f"{n}()" for n in other_reads)
            raise Unfixable(
                f"{names} also used otherwise than as a decorator (what it gets there may be a "
                "generator still)"
            )
        native = _Native(imports, marks)
        after = module.visit(native)
        if native.problems:
            raise Unfixable("; ".join(native.problems))
        if not native.done and not marks:
            return module
        driven = _driven_as_generator(after, set(native.done))
        if driven:
            raise Unfixable("used as a generator: " + ", ".join(driven))
        if marks:
            after = after.visit(_Unmark(imports, marks))
        bare = {k for k, v in imports.items() if v == _DECORATOR}
        unused = {name for name in bare if not _reads(after, name)}
        if unused:
            after = after.visit(_DropDecoratorImport(unused))
        if done is not None:
            done[:] = native.done + sorted(marks)
        return after

    return transform
