"""The libcst transforms of the fixture fixers.

Each function returns a transform, ``libcst.Module -> libcst.Module``, that finds what it edits
in the module it is given (functions by the line of their ``def``). A transform that cannot
keep the file working raises :class:`Unfixable`; fixers run every transform once when they
propose it (``_imports_common.Edits``), so such a file is left out of the fix, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import BaseAssignment, GlobalScope, MetadataWrapper, Scope, ScopeProvider

from pytest_autofix.fixers.toolkit.cst import find_all, is_docstring, is_import_line, is_name
from pytest_autofix.fixers.toolkit.import_style import ImportStyle
from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable, add_import
from pytest_autofix.fixers.toolkit.nose_transforms import renamed_function, reworded_above
from pytest_autofix.fixers.toolkit.scan import import_statements, parse, top_level_bindings

__all__ = [
    "append_function",
    "decorate_fixture",
    "function_code",
    "monkeypatch_context",
    "msg_to_reason",
    "narrow_scope",
    "remove_fixture_marks",
    "remove_function",
    "rename_methods",
    "rename_param",
    "rename_usefixtures",
    "request_instead_of_call",
    "set_fixture_name",
    "tmp_path_from_factory",
    "warns_none_to_catch_warnings",
]

FunctionNode = cst.FunctionDef


def _params(node: cst.FunctionDef) -> list[cst.Param]:
    p = node.params
    return [*p.posonly_params, *p.params, *p.kwonly_params]


def _binds(module: cst.Module, name: str) -> bool:
    """Whether the module imports ``name`` as a module at top level (``import name``)."""
    for statement in module.body:
        if is_import_line(statement, cst.Import):
            imp = cast("cst.Import", cast("cst.SimpleStatementLine", statement).body[0])
            for alias in imp.names:
                if alias.asname is None and get_full_name_for_node(alias.name) == name:
                    return True
    return False


def _ensure_import(module: cst.Module, name: str) -> cst.Module:
    if _binds(module, name):
        return module
    tree = parse(module.code.encode("utf-8"))
    if tree is None:
        raise Unfixable("the module does not parse")
    kind = top_level_bindings(tree).get(name)
    if kind == "import" and any(
        s.name is None and s.binds == name for s in import_statements(tree, "")
    ):
        return module  # imported inside an `if` or a `try`
    if kind is not None:
        raise Unfixable(f"the name {name!r} is already used for something else")
    return add_import(name)(module)


class _AtLines(cst.CSTTransformer):
    """Edits the functions named by ``targets``: ``name`` for a module-level function,
    ``Class.name`` for a method (the innermost class). Names, not lines: the plan may chain
    this transform after another fix of the same file that moved the lines."""

    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(self, targets: set[str]) -> None:
        super().__init__()
        self.lines = targets
        self.found = 0
        self.classes: list[str] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.classes.pop()
        return updated_node

    def _target(self, node: cst.FunctionDef) -> bool:
        name = node.name.value
        qualname = f"{self.classes[-1]}.{name}" if self.classes else name
        return qualname in self.lines


def _run(module: cst.Module, transformer: _AtLines, what: str) -> cst.Module:
    result = MetadataWrapper(module).visit(transformer)
    if not transformer.found:
        raise Unfixable(f"{what} not found")
    return result


# -- rename a requested fixture in a requesting function ------------------------------------


class _RenameParam(_AtLines):
    def __init__(self, lines: set[str], old: str, new: str) -> None:
        super().__init__(lines)
        self.old, self.new = old, new
        self.names: set[int] = set()
        self.params: set[int] = set()
        self.star = False  # `from m import *`: a read that finds nothing may find a name there

    def visit_Module(self, node: cst.Module) -> None:
        self.star = bool(find_all(node, cst.ImportStar))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if not self._target(node):
            return True
        param = next((p for p in _params(node) if p.name.value == self.old), None)
        if param is None:
            return True
        scope = cast("Scope", self.get_metadata(ScopeProvider, param))
        self._check_new(node, scope)
        for assignment in scope.assignments[self.old]:
            bound = getattr(assignment, "node", None)
            if isinstance(bound, cst.Name):
                self.names.add(id(bound))
            for access in assignment.references:
                if isinstance(access.node, cst.Name):
                    self.names.add(id(access.node))
        self.params.add(id(param))
        self.found += 1
        return True

    def _check_new(self, node: cst.FunctionDef, function: Scope) -> None:
        """Refuse when the parameter ``new`` would change what the function means: unless every
        name ``new`` in its body is a read that finds nothing (a ``NameError`` waiting) or a
        module-level fixture function of that name (calling a fixture directly is an error:
        the body meant the fixture's value). Anything else (a parameter, a local or a nested
        binding, a ``global``, a helper function, a variable, an import, a name a star import
        may bring) is refused."""
        taken = f"{self.new!r} already means something in {node.name.value}()"
        if node.name.value == self.new or any(p.name.value == self.new for p in _params(node)):
            raise Unfixable(taken)
        for statement in find_all(node.body, (cst.Global, cst.Nonlocal)):
            if any(n.name.value == self.new for n in statement.names):
                raise Unfixable(taken)
        for name in find_all(node.body, cst.Name, lambda n: n.value == self.new):
            scope = self.get_metadata(ScopeProvider, name, None)
            if scope is None or not _within(scope, function) or scope.assignments[self.new]:
                raise Unfixable(taken)
            for access in scope.accesses[self.new]:
                referents = access.referents
                if access.node is not name:
                    continue
                if not all(_is_fixture_function(r, self.new) for r in referents) or (
                    not referents and self.star
                ):
                    raise Unfixable(taken)

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        if id(original_node) in self.params:
            return updated_node.with_changes(name=cst.Name(self.new))
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if id(original_node) in self.names:
            return updated_node.with_changes(value=self.new)
        return updated_node


def _within(scope: Scope, function: Scope) -> bool:
    """Whether ``scope`` is ``function`` or nested in it."""
    current: Scope | None = scope
    while current is not None and not isinstance(current, GlobalScope):
        if current is function:
            return True
        current = current.parent
    return False


def _is_fixture_function(assignment: BaseAssignment, name: str) -> bool:
    """Whether ``assignment`` is a module-level ``def`` decorated as a fixture registered as
    ``name`` (no ``name=`` argument, or that one)."""
    node = getattr(assignment, "node", None)
    if not isinstance(assignment.scope, GlobalScope) or not isinstance(node, cst.FunctionDef):
        return False
    for decorator in node.decorators:
        if _is_fixture(decorator):
            call = decorator.decorator
            args = call.args if isinstance(call, cst.Call) else ()
            named = [a.value for a in args if a.keyword is not None and a.keyword.value == "name"]
            return all(isinstance(v, cst.SimpleString) and v.evaluated_value == name for v in named)
    return False


class _UseFixtures(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        name = get_full_name_for_node(updated_node.func) or ""
        if name.rpartition(".")[2] != "usefixtures":
            return updated_node
        args = []
        for arg in updated_node.args:
            value = arg.value
            if isinstance(value, cst.SimpleString) and value.evaluated_value == self.old:
                text = f"{value.prefix}{value.quote}{self.new}{value.quote}"
                arg = arg.with_changes(value=value.with_changes(value=text))
            args.append(arg)
        return updated_node.with_changes(args=args)


def rename_usefixtures(old: str, new: str) -> Transform:
    """Every ``usefixtures("old")`` mark in the module (on a function, a class, or in
    ``pytestmark``) names ``new`` instead."""

    def transform(module: cst.Module) -> cst.Module:
        return module.visit(_UseFixtures(old, new))

    return transform


def rename_param(lines: set[str], old: str, new: str) -> Transform:
    """In each function named in ``lines`` (``name`` or ``Class.name``): the parameter ``old``
    becomes ``new``, and so does every read and write of it (scope analysis: closures too, a
    shadowing local of a nested function not). A body that already names ``new`` is left alone
    (:class:`Unfixable`) unless each such name is a read that finds nothing or the
    module-level fixture function ``new``: then the parameter is what it meant."""

    def transform(module: cst.Module) -> cst.Module:
        return _run(module, _RenameParam(lines, old, new), f"a function requesting {old!r}")

    return transform


# -- request a fixture instead of calling it -------------------------------------------------


def _add_param(node: cst.FunctionDef, name: str) -> cst.FunctionDef:
    params = list(node.params.params)
    at = next((i for i, p in enumerate(params) if p.default is not None), len(params))
    new = cst.Param(cst.Name(name))
    if at == len(params) and params and params[-1].comma is not cst.MaybeSentinel.DEFAULT:
        new = new.with_changes(comma=params[-1].comma)
        params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    params.insert(at, new)
    return node.with_changes(params=node.params.with_changes(params=params))


class _RequestInstead(_AtLines):
    def __init__(self, lines: set[str], fixture: str) -> None:
        super().__init__(lines)
        self.fixture = fixture
        self.calls: set[int] = set()
        self.functions: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if not self._target(node):
            return True
        calls = find_all(node.body, cst.Call, lambda c: is_name(c.func, self.fixture))
        for call in calls:
            if call.args:
                raise Unfixable(f"{self.fixture}() is called with arguments")
            scope = self.get_metadata(ScopeProvider, call.func, None)
            if scope is not None and any(
                not isinstance(getattr(a, "node", None), cst.FunctionDef)
                for a in scope[self.fixture]
            ):
                raise Unfixable(f"{self.fixture!r} is also a local name there")
            self.calls.add(id(call))
        if not calls:
            return True
        if any(p.name.value == self.fixture for p in _params(node)):
            raise Unfixable(f"{node.name.value}() already has a parameter {self.fixture!r}")
        self.functions.add(id(node))
        self.found += 1
        return True

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if id(original_node) in self.calls:
            return cst.Name(self.fixture, lpar=updated_node.lpar, rpar=updated_node.rpar)
        return updated_node

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if id(original_node) in self.functions:
            return _add_param(updated_node, self.fixture)
        return updated_node


def request_instead_of_call(lines: set[str], fixture: str) -> Transform:
    """In each function named in ``lines`` (``name`` or ``Class.name``): ``fixture()`` becomes
    ``fixture`` and ``fixture`` is added to the function's parameters (before any with a
    default)."""

    def transform(module: cst.Module) -> cst.Module:
        return _run(module, _RequestInstead(lines, fixture), f"a call of {fixture}()")

    return transform


# -- decorate, move ---------------------------------------------------------------------------


def _top_function(module: cst.Module, name: str) -> int:
    for i, statement in enumerate(module.body):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return i
    raise Unfixable(f"no top-level function {name}()")


def decorate_fixture(name: str) -> Transform:
    """``@pytest.fixture`` on the top-level function ``name`` (and ``import pytest``)."""

    def transform(module: cst.Module) -> cst.Module:
        module = _ensure_import(module, "pytest")
        i = _top_function(module, name)
        node = cast("cst.FunctionDef", module.body[i])
        decorator = cst.Decorator(cst.Attribute(cst.Name("pytest"), cst.Name("fixture")))
        node = node.with_changes(decorators=[decorator, *node.decorators])
        body = list(module.body)
        body[i] = node
        return module.with_changes(body=body)

    return transform


def remove_function(name: str, imports: Sequence[str] = ()) -> Transform:
    """Remove the top-level function ``name`` (comments above it go with it), and of the
    names it used that ``imports`` lists, the top-level imports nothing else in the module
    reads any more (a name spelled anywhere else, even as an attribute or in a string such as
    ``__all__``, keeps its import)."""

    def transform(module: cst.Module) -> cst.Module:
        i = _top_function(module, name)
        body = list(module.body)
        del body[i]
        module = module.with_changes(body=body)
        unused = set(imports) - _spelled_outside_imports(module)
        return _drop_imports(module, unused) if unused else module

    return transform


def _spelled_outside_imports(module: cst.Module) -> set[str]:
    """Every name and string the module spells outside its import statements."""
    found: set[str] = set()

    class Spelled(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            found.add(node.raw_value)

    module.visit(Spelled())
    return found


def _drop_imports(module: cst.Module, names: set[str]) -> cst.Module:
    """``module`` without the top-level import bindings of ``names`` (a statement left with
    nothing is removed; the first statement then left at the top loses its blank lines)."""
    body: list[cst.BaseStatement] = []
    for statement in module.body:
        kept = _without(statement, names) if is_import_line(statement) else statement
        if kept is not None:
            body.append(kept)
    if len(body) == len(module.body) and body == list(module.body):
        return module
    if not body and not module.header and not module.footer:
        return module.with_changes(body=[], has_trailing_newline=False)  # an empty file
    header = module.header or (body and is_docstring(body[0]))
    if body and not header and len(body) < len(module.body):
        first = cast("cst.SimpleStatementLine | cst.BaseCompoundStatement", body[0])
        leading = list(first.leading_lines)
        while leading and leading[0].comment is None:
            leading.pop(0)
        body[0] = first.with_changes(leading_lines=leading)
    return module.with_changes(body=body)


def _without(statement: cst.BaseStatement, names: set[str]) -> cst.BaseStatement | None:
    """The import line ``statement`` without the bindings of ``names``; None when nothing is
    left of it."""
    line = cast("cst.SimpleStatementLine", statement)
    small: list[cst.BaseSmallStatement] = []
    for node in line.body:
        if not isinstance(node, cst.Import | cst.ImportFrom) or isinstance(
            node.names, cst.ImportStar
        ):
            small.append(node)
            continue
        kept = [a for a in node.names if _binding(a) not in names]
        if len(kept) == len(node.names):
            small.append(node)
        elif kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            small.append(node.with_changes(names=kept))
    if small == list(line.body):
        return line
    if not small:
        return None
    small[-1] = small[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return line.with_changes(body=small)


def _binding(alias: cst.ImportAlias) -> str:
    """The name an import alias binds (``import a.b`` binds ``a``)."""
    if alias.asname is not None:
        return cast("cst.Name", alias.asname.name).value
    return (get_full_name_for_node(alias.name) or "").partition(".")[0]


def function_code(module: cst.Module, name: str) -> str:
    """The source of the top-level function ``name``, without the blank lines above it."""
    node = cast("cst.FunctionDef", module.body[_top_function(module, name)])
    lines = [line for line in node.leading_lines if line.comment is not None]
    return module.code_for_node(node.with_changes(leading_lines=lines))


def append_function(
    code: str,
    imports: Sequence[tuple[str, str | None, str | None]],
    *,
    style: ImportStyle | None = None,
) -> Transform:
    """Add the function ``code`` at the end of the module, after two blank lines, with the
    imports it needs (``(module, name, asname)``), each in its section (``style``: see
    :func:`add_import`)."""

    def transform(module: cst.Module) -> cst.Module:
        for mod, name, asname in imports:
            module = add_import(mod, name, asname, style=style)(module)
        statement = cst.parse_statement(code, config=module.config_for_parsing)
        if module.body:
            blank = cst.EmptyLine()
            kept = [line for line in statement.leading_lines if line.comment is not None]
            statement = statement.with_changes(leading_lines=[blank, blank, *kept])
        # the file ends with the new function, and so with a newline (an empty file has none)
        return module.with_changes(body=[*module.body, statement], has_trailing_newline=True)

    return transform


# -- scope mismatch ----------------------------------------------------------------------------


def _body_start(body: Sequence[cst.BaseStatement]) -> int:
    return 1 if body and is_docstring(body[0], concatenated=True) else 0


class _Fixture(_AtLines):
    def __init__(self, lines: set[str], edit: Callable[[cst.FunctionDef], cst.FunctionDef]):
        super().__init__(lines)
        self.edit = edit
        self.targets: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if self._target(node):
            self.targets.add(id(node))
            self.found += 1
        return True

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if id(original_node) in self.targets:
            return self.edit(updated_node)
        return updated_node


def _without_param(node: cst.FunctionDef, name: str) -> cst.FunctionDef:
    params = [p for p in node.params.params if p.name.value != name]
    if params:
        params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(params=node.params.with_changes(params=params))


def tmp_path_from_factory(line: str, old: str, factory: str, basename: str) -> Transform:
    """The fixture function ``line`` requests ``factory`` instead of ``old`` and makes its own
    directory: ``old = factory.mktemp(basename)`` as its first statement."""

    def edit(node: cst.FunctionDef) -> cst.FunctionDef:
        names = [p.name.value for p in _params(node)]
        if factory in names:
            node = _without_param(node, old)
        else:
            params = [
                p.with_changes(name=cst.Name(factory)) if p.name.value == old else p
                for p in node.params.params
            ]
            node = node.with_changes(params=node.params.with_changes(params=params))
        if not isinstance(node.body, cst.IndentedBlock):
            raise Unfixable("a one-line fixture body")
        statement = cst.parse_statement(f'{old} = {factory}.mktemp("{basename}")\n')
        body = list(node.body.body)
        body.insert(_body_start(body), statement)
        return node.with_changes(body=node.body.with_changes(body=body))

    def transform(module: cst.Module) -> cst.Module:
        return _run(module, _Fixture({line}, edit), "the fixture")

    return transform


def monkeypatch_context(line: str, old: str = "monkeypatch") -> Transform:
    """The fixture function ``line`` stops requesting ``monkeypatch`` and opens its own: its
    body (after the docstring) inside ``with pytest.MonkeyPatch.context() as monkeypatch:``; a
    final ``return x`` of a plain fixture becomes ``yield x`` so the patches last as long as
    the fixture's value."""

    def edit(node: cst.FunctionDef) -> cst.FunctionDef:
        if not isinstance(node.body, cst.IndentedBlock):
            raise Unfixable("a one-line fixture body")
        body = list(node.body.body)
        start = _body_start(body)
        inner = body[start:]
        if not find_all(node.body, cst.Yield):
            returns = find_all(node.body, cst.Return)
            last = inner[-1] if inner else None
            if (
                len(returns) != 1
                or not isinstance(last, cst.SimpleStatementLine)
                or not isinstance(last.body[0], cst.Return)
                or last.body[0].value is None
            ):
                raise Unfixable("the fixture returns from more than one place")
            value = last.body[0].value
            inner[-1] = last.with_changes(body=[cst.Expr(cst.Yield(value))])
        node = _without_param(node, old)
        block = cst.With(
            items=[
                cst.WithItem(
                    cst.parse_expression("pytest.MonkeyPatch.context()"),
                    asname=cst.AsName(cst.Name(old)),
                )
            ],
            body=cst.IndentedBlock(body=inner),
        )
        return node.with_changes(body=node.body.with_changes(body=[*body[:start], block]))

    def transform(module: cst.Module) -> cst.Module:
        module = _ensure_import(module, "pytest")
        return _run(module, _Fixture({line}, edit), "the fixture")

    return transform


def narrow_scope(line: str, scope: str) -> Transform:
    """The fixture function ``line`` gets ``scope`` (no ``scope=`` argument for "function")."""

    def edit(node: cst.FunctionDef) -> cst.FunctionDef:
        decorators = list(node.decorators)
        for i, decorator in enumerate(decorators):
            call = decorator.decorator
            if not isinstance(call, cst.Call):
                continue
            if not any(a.keyword and a.keyword.value == "scope" for a in call.args):
                continue
            args: list[cst.Arg] = []
            for arg in call.args:
                if arg.keyword and arg.keyword.value == "scope":
                    if scope != "function":
                        args.append(arg.with_changes(value=cst.SimpleString(f'"{scope}"')))
                else:
                    args.append(arg)
            if args:
                args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            decorators[i] = decorator.with_changes(decorator=call.with_changes(args=args))
            return node.with_changes(decorators=decorators)
        raise Unfixable("no scope= argument on the fixture decorator")

    def transform(module: cst.Module) -> cst.Module:
        return _run(module, _Fixture({line}, edit), "the fixture")

    return transform


# -- removed pytest APIs -----------------------------------------------------------------------


class _RenameAttributes(cst.CSTTransformer):
    """Every ``X.old`` (``self.setUp``, ``super().setUp``, ``Base.setUp``) -> ``X.new``."""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__()
        self.names = names

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        new = self.names.get(updated_node.attr.value)
        if new is None:
            return updated_node
        return updated_node.with_changes(attr=updated_node.attr.with_changes(value=new))


def rename_methods(cls: str | None, names: dict[str, str], *, calls: bool = False) -> Transform:
    """Rename the methods of the top-level class ``cls`` (or, with ``cls=None``, top-level
    functions) by ``names``, with the comments attached to each that name it
    (:func:`~pytest_autofix.fixers.toolkit.nose_transforms.renamed_function`); with
    ``calls``, every attribute of those names in the class's body too (the caller has checked
    that each is the method itself: ``super().setUp()``, ``self.setUp()``, ``Base.setUp(self)``)."""

    def rename(statements: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        result: list[cst.BaseStatement] = []
        for statement in statements:
            if isinstance(statement, cst.FunctionDef) and statement.name.value in names:
                statement = renamed_function(statement, names[statement.name.value])
            result.append(statement)
        return result

    def transform(module: cst.Module) -> cst.Module:
        if cls is None:
            first = module.body[0] if module.body else None
            header = module.header  # the comments above the first statement
            if isinstance(first, cst.FunctionDef) and first.name.value in names:
                header = reworded_above(header, first.name.value, names[first.name.value])
            return module.with_changes(header=header, body=rename(module.body))
        body = list(module.body)
        for i, statement in enumerate(body):
            if isinstance(statement, cst.ClassDef) and statement.name.value == cls:
                if not isinstance(statement.body, cst.IndentedBlock):
                    raise Unfixable(f"class {cls} has a one-line body")
                block = statement.body
                if calls:
                    block = cast(cst.IndentedBlock, block.visit(_RenameAttributes(names)))
                block = block.with_changes(body=rename(block.body))
                body[i] = statement.with_changes(body=block)
                return module.with_changes(body=body)
        raise Unfixable(f"no class {cls}")

    return transform


def _pytest_names(module: cst.Module, names: set[str]) -> set[str]:
    """The local names ``from pytest import ...`` binds to any of ``names``."""
    found: set[str] = set()
    for node in find_all(module, cst.ImportFrom, lambda n: is_name(n.module, "pytest")):
        if isinstance(node.names, cst.ImportStar):
            continue
        for alias in node.names:
            imported = get_full_name_for_node(alias.name) or ""
            if imported in names:
                local = alias.asname.name if alias.asname else alias.name
                found.add(get_full_name_for_node(local) or imported)
    return found


class _MsgToReason(cst.CSTTransformer):
    def __init__(self, bare: set[str]) -> None:
        super().__init__()
        self.bare = bare

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        name = get_full_name_for_node(updated_node.func) or ""
        if name not in ("pytest.skip", "pytest.fail", "pytest.exit") and name not in self.bare:
            return updated_node
        args = [
            a.with_changes(keyword=cst.Name("reason"))
            if a.keyword and a.keyword.value == "msg"
            else a
            for a in updated_node.args
        ]
        return updated_node.with_changes(args=args)


def msg_to_reason() -> Transform:
    """``pytest.skip/fail/exit(msg=...)`` (also imported bare from pytest) -> ``reason=``."""

    def transform(module: cst.Module) -> cst.Module:
        bare = _pytest_names(module, {"skip", "fail", "exit"})
        return module.visit(_MsgToReason(bare))

    return transform


def _is_mark(decorator: cst.Decorator, bare: set[str]) -> bool:
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    name = get_full_name_for_node(expr) or ""
    return name.startswith("pytest.mark.") or (name.partition(".")[0] in bare and "." in name)


class _RemoveMarks(cst.CSTTransformer):
    def __init__(self, bare: set[str]) -> None:
        super().__init__()
        self.bare = bare
        self.removed = 0

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        decorators = updated_node.decorators
        if not any(_is_fixture(d) for d in decorators):
            return updated_node
        kept = [d for d in decorators if not _is_mark(d, self.bare)]
        self.removed += len(decorators) - len(kept)
        return updated_node.with_changes(decorators=kept)


def _is_fixture(decorator: cst.Decorator) -> bool:
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    name = get_full_name_for_node(expr) or ""
    return name.rpartition(".")[2] in ("fixture", "yield_fixture")


def remove_fixture_marks() -> Transform:
    """Remove every ``@pytest.mark...`` decorator of a fixture function."""

    def transform(module: cst.Module) -> cst.Module:
        return module.visit(_RemoveMarks(_pytest_names(module, {"mark"})))

    return transform


class _WarnsNone(cst.CSTTransformer):
    def __init__(self, warns: set[str]) -> None:
        super().__init__()
        self.warns = warns
        self.withs: set[int] = set()

    def _is_warns_none(self, item: cst.WithItem) -> bool:
        call = item.item
        if not isinstance(call, cst.Call):
            return False
        name = get_full_name_for_node(call.func) or ""
        if name != "pytest.warns" and name not in self.warns:
            return False
        return (
            len(call.args) == 1
            and call.args[0].keyword is None
            and is_name(call.args[0].value, "None")
        )

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.With:
        if not any(self._is_warns_none(item) for item in updated_node.items):
            return updated_node
        if not isinstance(updated_node.body, cst.IndentedBlock):
            raise Unfixable("a one-line with statement")
        items = [
            item.with_changes(item=cst.parse_expression("warnings.catch_warnings(record=True)"))
            if self._is_warns_none(item)
            else item
            for item in updated_node.items
        ]
        statement = cst.parse_statement('warnings.simplefilter("always")\n')
        body = updated_node.body.with_changes(body=[statement, *updated_node.body.body])
        self.withs.add(id(original_node))
        return updated_node.with_changes(items=items, body=body)


def warns_none_to_catch_warnings() -> Transform:
    """``with pytest.warns(None) [as record]:`` -> ``with warnings.catch_warnings(record=True)
    [as record]:`` + ``warnings.simplefilter("always")`` (and ``import warnings``)."""

    def transform(module: cst.Module) -> cst.Module:
        visitor = _WarnsNone(_pytest_names(module, {"warns"}))
        result = module.visit(visitor)
        if not visitor.withs:
            return module
        return _ensure_import(result, "warnings")

    return transform


def set_fixture_name(line: str, name: str) -> Transform:
    """The fixture function ``line`` is registered as ``name``: ``@pytest.fixture(name=...)``."""

    def edit(node: cst.FunctionDef) -> cst.FunctionDef:
        decorators = list(node.decorators)
        for i, decorator in enumerate(decorators):
            if not _is_fixture(decorator):
                continue
            expr = decorator.decorator
            value = cst.SimpleString(f'"{name}"')
            if isinstance(expr, cst.Call):
                args = [a for a in expr.args if not (a.keyword and a.keyword.value == "name")]
                if args:
                    args[-1] = args[-1].with_changes(
                        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                    )
                keyword = cst.Arg(
                    value,
                    keyword=cst.Name("name"),
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                )
                expr = expr.with_changes(args=[*args, keyword])
            else:
                expr = cst.Call(
                    expr,
                    args=[
                        cst.Arg(
                            value,
                            keyword=cst.Name("name"),
                            equal=cst.AssignEqual(
                                cst.SimpleWhitespace(""), cst.SimpleWhitespace("")
                            ),
                        )
                    ],
                )
            decorators[i] = decorator.with_changes(decorator=expr)
            return node.with_changes(decorators=decorators)
        raise Unfixable("no fixture decorator")

    def transform(module: cst.Module) -> cst.Module:
        return _run(module, _Fixture({line}, edit), "the fixture")

    return transform
