"""The libcst transforms of the pytest-removal fixer (``fixture.pytest-removals``).

Each function returns a transform, ``libcst.Module -> libcst.Module``; a file one cannot keep
working raises :class:`~pytest_autofix.fixers.toolkit.import_transforms.Unfixable` and is left
out of the fix with the reason. Every transform changes only what pytest removed: the rest of
the file keeps its bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pytest_autofix.fixers.toolkit.cst import OwnBodyVisitor, find_all
from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable

__all__ = [
    "HOOK_PATHS",
    "PYTEST_CONFIG",
    "drop_keyword",
    "fixture_keywords",
    "hook_path_arguments",
    "importorskip_import_error",
    "list_argvalues",
    "pytest_collect_members",
    "pytest_config_from_fixture",
    "pytest_names",
    "rename_attribute",
    "yield_tests_to_calls",
]

PYTEST_CONFIG = "pytest.config"

# pytest.fixture's parameters before pytest 6.0 made them keyword-only, in their order
_FIXTURE_PARAMS = ("scope", "params", "autouse", "ids", "name")
# builtins and itertools functions that return an iterator (a non-Collection iterable)
_ITERATOR_FUNCTIONS = frozenset({"map", "filter", "zip", "iter", "reversed", "enumerate"})


def pytest_names(module: cst.Module, names: set[str]) -> set[str]:
    """The local names ``from pytest import ...`` binds to any of ``names``."""
    found: set[str] = set()
    for node in find_all(
        module,
        cst.ImportFrom,
        lambda n: n.module is not None and get_full_name_for_node(n.module) == "pytest",
    ):
        if isinstance(node.names, cst.ImportStar):
            continue
        for alias in node.names:
            imported = get_full_name_for_node(alias.name) or ""
            if imported in names:
                local = alias.asname.name if alias.asname else alias.name
                found.add(get_full_name_for_node(local) or imported)
    return found


def _defines(module: cst.Module, name: str) -> bool:
    """Whether the module defines ``name`` itself (a function or method, or ``self.name =``):
    then ``x.name`` may be the project's own attribute."""
    if find_all(module, cst.FunctionDef, lambda n: n.name.value == name):
        return True
    return bool(
        find_all(
            module,
            cst.AssignTarget,
            lambda t: isinstance(t.target, cst.Attribute) and t.target.attr.value == name,
        )
    )


class _RenameAttribute(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old = old
        self.new = new

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        if updated_node.attr.value != self.old:
            return updated_node
        return updated_node.with_changes(attr=cst.Name(self.new))


def rename_attribute(old: str, new: str) -> Transform:
    """Every ``x.old`` -> ``x.new`` (``request.funcargnames`` -> ``request.fixturenames``);
    a file that defines ``old`` itself is left out (its own attribute of that name)."""

    def transform(module: cst.Module) -> cst.Module:
        if _defines(module, old):
            raise Unfixable(f"it defines {old} itself")
        return module.visit(_RenameAttribute(old, new))

    return transform


class _CollectMembers(cst.CSTTransformer):
    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if get_full_name_for_node(updated_node.value) != "pytest.collect":
            return updated_node
        return updated_node.with_changes(value=cst.Name("pytest"))


def pytest_collect_members() -> Transform:
    """``pytest.collect.Item`` -> ``pytest.Item``: the removed module only re-exported
    pytest's own names."""

    def transform(module: cst.Module) -> cst.Module:
        return module.visit(_CollectMembers())

    return transform


def _param_names(node: cst.FunctionDef) -> list[str]:
    p = node.params
    return [q.name.value for q in (*p.posonly_params, *p.params, *p.kwonly_params)]


def _is_fixture_decorator(decorator: cst.Decorator) -> bool:
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    return (get_full_name_for_node(expr) or "").rpartition(".")[2] in ("fixture", "yield_fixture")


def _with_param(node: cst.FunctionDef, name: str) -> cst.FunctionDef:
    """``name`` added to the parameters: after ``self`` and the other parameters without a
    default, before those with one (libcst puts the commas)."""
    params = list(node.params.params)
    at = next((i for i, p in enumerate(params) if p.default is not None), len(params))
    params.insert(at, cst.Param(cst.Name(name)))
    return node.with_changes(params=node.params.with_changes(params=params))


class _PytestConfig(cst.CSTTransformer):
    """``pytest.config`` -> the config a test or fixture is given: ``request.config`` when the
    function takes ``request``, ``pytestconfig`` when it takes that fixture or can take it (a
    test function or a fixture, not a method of a class with bases); a nested function reads
    the one of the function around it."""

    def __init__(self) -> None:
        super().__init__()
        self.functions: list[str | None] = []  # the replacement in each enclosing function
        self.classes: list[bool] = []  # whether each enclosing class has bases
        self.used = False  # the outermost function's replacement was used
        self.left: list[cst.Attribute] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(bool(node.bases))

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.classes.pop()
        return updated_node

    def _replacement(self, node: cst.FunctionDef) -> str | None:
        params = _param_names(node)
        if self.functions:
            return self.functions[0]
        if "request" in params:
            return "request.config"
        if "pytestconfig" in params:
            return "pytestconfig"
        in_plain_class = not (self.classes and self.classes[-1])
        test_or_fixture = node.name.value.startswith("test") or any(
            map(_is_fixture_decorator, node.decorators)
        )
        return "pytestconfig" if in_plain_class and test_or_fixture else None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(self._replacement(node))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        replacement = self.functions.pop()
        if self.functions or not self.used:
            return updated_node
        self.used = False
        if replacement == "pytestconfig" and "pytestconfig" not in _param_names(updated_node):
            return _with_param(updated_node, "pytestconfig")
        return updated_node

    def visit_Decorator(self, node: cst.Decorator) -> bool:
        # a decorator runs at import time, outside the function it decorates
        self.left += find_all(node, cst.Attribute, _is_pytest_config)
        return False

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if not _is_pytest_config(original_node):
            return updated_node
        replacement = self.functions[-1] if self.functions else None
        if replacement is None:
            self.left.append(original_node)
            return updated_node
        self.used = True
        return cst.parse_expression(replacement)


def _is_pytest_config(node: cst.Attribute) -> bool:
    return get_full_name_for_node(node) == PYTEST_CONFIG


def pytest_config_from_fixture() -> Transform:
    """``pytest.config`` in tests and fixtures -> ``request.config`` or the ``pytestconfig``
    fixture (added to the parameters when need be). A use outside them (module level, a
    decorator, a helper) has no config to read: such a file is left out."""

    def transform(module: cst.Module) -> cst.Module:
        visitor = _PytestConfig()
        after = module.visit(visitor)
        if visitor.left:
            raise Unfixable(f"{len(visitor.left)} use(s) outside a test or fixture")
        return after

    return transform


class _DropKeyword(cst.CSTTransformer):
    def __init__(self, functions: set[str], keyword: str) -> None:
        super().__init__()
        self.functions = functions
        self.keyword = keyword

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if (get_full_name_for_node(updated_node.func) or "") not in self.functions:
            return updated_node
        args = [a for a in updated_node.args if not (a.keyword and a.keyword.value == self.keyword)]
        if len(args) == len(updated_node.args):
            return updated_node
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(args=args)


def drop_keyword(functions: Sequence[str], keyword: str) -> Transform:
    """``keyword=...`` removed from the calls of pytest's ``functions`` (``raises``), however
    the file names them (``pytest.raises``, ``raises`` imported from pytest)."""

    def transform(module: cst.Module) -> cst.Module:
        names = {f"pytest.{f}" for f in functions} | pytest_names(module, set(functions))
        return module.visit(_DropKeyword(names, keyword))

    return transform


class _FixtureKeywords(cst.CSTTransformer):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def leave_Decorator(
        self, original_node: cst.Decorator, updated_node: cst.Decorator
    ) -> cst.Decorator:
        call = updated_node.decorator
        if (
            not isinstance(call, cst.Call)
            or (get_full_name_for_node(call.func) or "") not in self.names
        ):
            return updated_node
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if not positional:
            return updated_node
        if len(positional) > len(_FIXTURE_PARAMS) or any(a.star for a in call.args):
            raise Unfixable(f"{_code(call)} has more arguments than pytest.fixture took")
        args = [
            a.with_changes(
                keyword=cst.Name(name),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
            for a, name in zip(positional, _FIXTURE_PARAMS, strict=False)
        ]
        return updated_node.with_changes(
            decorator=call.with_changes(args=[*args, *call.args[len(positional) :]])
        )


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def fixture_keywords() -> Transform:
    """``@pytest.fixture("module", [1, 2])`` -> ``@pytest.fixture(scope="module",
    params=[1, 2])``: the positional arguments pytest 6 removed, by their old order (scope,
    params, autouse, ids, name)."""

    def transform(module: cst.Module) -> cst.Module:
        names = {"pytest.fixture", "pytest.yield_fixture"} | pytest_names(
            module, {"fixture", "yield_fixture"}
        )
        return module.visit(_FixtureKeywords(names))

    return transform


def _collection(node: cst.BaseExpression) -> bool:
    """A literal that is a Collection already: a list, tuple, set or dict display or
    comprehension, or a string."""
    return isinstance(
        node,
        cst.List
        | cst.Tuple
        | cst.Set
        | cst.Dict
        | cst.ListComp
        | cst.SetComp
        | cst.DictComp
        | cst.SimpleString
        | cst.ConcatenatedString,
    )


def _an_iterator(node: cst.BaseExpression) -> bool:
    """An expression that is an iterator however its names are bound: a generator expression,
    ``map()``, ``filter()``, ``zip()`` and the like, an ``itertools`` function."""
    if isinstance(node, cst.GeneratorExp):
        return True
    if not isinstance(node, cst.Call):
        return False
    name = get_full_name_for_node(node.func) or ""
    return name in _ITERATOR_FUNCTIONS or name.startswith("itertools.")


def _argvalues(call: cst.Call) -> int | None:
    """The index of a parametrize call's argvalues argument."""
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "argvalues":
            return i
    positional = [i for i, a in enumerate(call.args) if a.keyword is None and not a.star]
    return positional[1] if len(positional) > 1 else None


def _as_list(value: cst.BaseExpression) -> cst.Call | cst.ListComp:
    if isinstance(value, cst.GeneratorExp):  # (x for x in y) -> [x for x in y]
        return cst.ListComp(elt=value.elt, for_in=value.for_in)
    return cst.Call(cst.Name("list"), [cst.Arg(value)])


class _ListArgvalues(cst.CSTTransformer):
    def __init__(self, tests: set[str], parametrize: set[str]) -> None:
        super().__init__()
        self.tests = tests  # Class.test or test: every non-literal argvalues is made a list
        self.parametrize = parametrize
        self.scope: list[str] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.append(node.name.value)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.scope.pop()
        return updated_node

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        named = ".".join([*self.scope, updated_node.name.value]) in self.tests
        decorators = [self._decorator(d, named) for d in updated_node.decorators]
        return updated_node.with_changes(decorators=decorators)

    def _decorator(self, decorator: cst.Decorator, named: bool) -> cst.Decorator:
        call = decorator.decorator
        if (
            not isinstance(call, cst.Call)
            or (get_full_name_for_node(call.func) or "") not in self.parametrize
        ):
            return decorator
        at = _argvalues(call)
        if at is None:
            return decorator
        value = call.args[at].value
        if _collection(value) or not (named or _an_iterator(value)):
            return decorator
        if isinstance(value, cst.Call) and get_full_name_for_node(value.func) in ("list", "tuple"):
            return decorator
        args = list(call.args)
        args[at] = args[at].with_changes(value=_as_list(value))
        return decorator.with_changes(decorator=call.with_changes(args=args))


def list_argvalues(tests: Sequence[str]) -> Transform:
    """``@pytest.mark.parametrize("a", <iterator>)`` -> ``list(<iterator>)``: the argvalues of
    the named ``tests`` (``test_x`` or ``TestC.test_x``) whatever they are, unless a literal
    collection; elsewhere in the file those that are iterators by their form (a generator
    expression, ``map()``, ``zip()``, an ``itertools`` call). pytest iterates them once either
    way, so the parameters are the same."""

    def transform(module: cst.Module) -> cst.Module:
        marks = pytest_names(module, {"mark"})
        parametrize = {"pytest.mark.parametrize"} | {f"{m}.parametrize" for m in marks}
        return module.visit(_ListArgvalues(set(tests), parametrize))

    return transform


# -- hooks that take the py.path arguments pytest 9 removed -----------------------------------

# hook -> (old argument, new argument); docs/fixers.md lists them
HOOK_PATHS = {
    "pytest_ignore_collect": ("path", "collection_path"),
    "pytest_collect_file": ("path", "file_path"),
    "pytest_pycollect_makemodule": ("path", "module_path"),
    "pytest_report_header": ("startdir", "start_path"),
    "pytest_report_collectionfinish": ("startdir", "start_path"),
}
# py.path.local attributes -> the pathlib.Path expression that reads the same
_PY_PATH_ATTRIBUTES = {
    "basename": "{p}.name",
    "ext": "{p}.suffix",
    "purebasename": "{p}.stem",
    "strpath": "str({p})",
    "dirname": "str({p}.parent)",
}
# calls that read a py.path and a pathlib.Path alike (through os.fspath or str)
_PATH_READERS = frozenset({"str", "os.fspath", "open", "repr"})


class _HookPath(cst.CSTTransformer):
    """In one hook function: the parameter ``old`` -> ``new``, and each read of it as
    pathlib spells it; reads it cannot translate are listed in ``other``."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old = old
        self.new = new
        self.other: list[str] = []
        self.depth = 0
        self.names_not_read: set[int] = set()  # attribute and keyword names: not the variable

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return self.depth == 1  # a nested function's own names are its own

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.names_not_read.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.names_not_read.add(id(node.keyword))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.depth -= 1
        return updated_node

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        if updated_node.name.value == self.old:
            return updated_node.with_changes(name=cst.Name(self.new))
        return updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        value = original_node.value
        if not (isinstance(value, cst.Name) and value.value == self.old):
            return updated_node
        attr = original_node.attr.value
        if attr not in _PY_PATH_ATTRIBUTES:
            self.other.append(f"{self.old}.{attr}")
            return updated_node.with_changes(value=cst.Name(self.new))
        return cst.parse_expression(_PY_PATH_ATTRIBUTES[attr].format(p=self.new))

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        # Node.from_parent(parent, fspath=path) -> path=file_path (fspath= went in pytest 9.1)
        if (
            updated_node.keyword is not None
            and updated_node.keyword.value == "fspath"
            and isinstance(original_node.value, cst.Name)
            and original_node.value.value == self.old
        ):
            return updated_node.with_changes(keyword=cst.Name("path"))
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == self.old and id(original_node) not in self.names_not_read:
            return updated_node.with_changes(value=self.new)
        return updated_node


class _PlainReads(cst.CSTVisitor):
    """Reads of ``name`` other than as an attribute's object, a keyword argument ``fspath=``
    or an argument of a call that reads any path alike (``str()``, ``os.fspath()``,
    ``open()``, ``os.path.*``) or an f-string's field."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if not _is_name(node.value, self.name):
            node.value.visit(self)
        return False

    def visit_Call(self, node: cst.Call) -> bool:
        func = get_full_name_for_node(node.func) or ""
        if func in _PATH_READERS or func.startswith("os.path."):
            for arg in node.args:
                if not (isinstance(arg.value, cst.Name) and arg.value.value == self.name):
                    arg.visit(self)
            return False
        return True

    def visit_Arg(self, node: cst.Arg) -> bool:
        if not (node.keyword is not None and node.keyword.value == "fspath"):
            node.value.visit(self)
        return False

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> bool:
        return not (isinstance(node.expression, cst.Name) and node.expression.value == self.name)

    def visit_Param(self, node: cst.Param) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found.append(self.name)


def hook_path_arguments(unsafe: list[str] | None = None) -> Transform:
    """Every top-level hook of :data:`HOOK_PATHS` taking its py.path argument: the parameter
    renamed to the pathlib one, ``.basename``/``.ext``/``.purebasename``/``.strpath``/
    ``.dirname`` read as pathlib does, ``fspath=path`` passed on as ``path=``. ``unsafe``
    receives the reads that a pathlib.Path may not serve the same way (another py.path
    method, the path compared or passed on to a function)."""

    def transform(module: cst.Module) -> cst.Module:
        body = list(module.body)
        left: list[str] = []
        for i, statement in enumerate(body):
            if not isinstance(statement, cst.FunctionDef):
                continue
            hook = statement.name.value
            if hook not in HOOK_PATHS:
                continue
            old, new = HOOK_PATHS[hook]
            params = _param_names(statement)
            if old not in params:
                continue
            if new in params or _binds_in(statement, new):
                raise Unfixable(f"{hook}() already binds {new}")
            plain = _PlainReads(old)
            statement.body.visit(plain)
            rename = _HookPath(old, new)
            renamed = statement.visit(rename)
            assert isinstance(renamed, cst.FunctionDef)
            body[i] = renamed
            left += [f"{hook}(): {u}" for u in rename.other]
            left += [f"{hook}(): {old} passed on or compared" for _ in plain.found[:1]]
        if unsafe is not None:
            unsafe[:] = left
        return module.with_changes(body=body)

    return transform


def _is_name(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _binds_in(node: cst.FunctionDef, name: str) -> bool:
    return bool(find_all(node.body, cst.Name, lambda n: n.value == name))


class _ImportErrorSkips(cst.CSTTransformer):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if (get_full_name_for_node(updated_node.func) or "") not in self.names:
            return updated_node
        if any(a.keyword is not None and a.keyword.value == "exc_type" for a in updated_node.args):
            return updated_node
        if any(a.star for a in updated_node.args):
            return updated_node
        args = list(updated_node.args)
        if args and args[-1].comma is not cst.MaybeSentinel.DEFAULT:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        empty = cst.SimpleWhitespace("")
        keyword = cst.Arg(
            cst.Name("ImportError"),
            keyword=cst.Name("exc_type"),
            equal=cst.AssignEqual(whitespace_before=empty, whitespace_after=empty),
        )
        return updated_node.with_changes(args=[*args, keyword])


def importorskip_import_error() -> Transform:
    """``pytest.importorskip("m")`` -> ``pytest.importorskip("m", exc_type=ImportError)``:
    the skip pytest < 9.1 made when the module raised an ImportError while importing."""

    def transform(module: cst.Module) -> cst.Module:
        names = {"pytest.importorskip"} | pytest_names(module, {"importorskip"})
        return module.visit(_ImportErrorSkips(names))

    return transform


# -- yield tests (removed in pytest 4.0) ------------------------------------------------------

# a class with one of these runs it around each test: nose ran it around each yielded check
_PER_TEST_SETUP = frozenset(
    {"setup", "setup_method", "setUp", "teardown", "teardown_method", "tearDown"}
)


class _OwnYields(OwnBodyVisitor):
    """The yields of one function's own body: statement-level ``yield check, a, b`` (the
    only kind a yield test has), and how many others there are."""

    def __init__(self) -> None:
        super().__init__()
        self.statements: list[cst.Yield] = []
        self.others = 0

    def visit_Expr(self, node: cst.Expr) -> bool:
        value = node.value
        if (
            isinstance(value, cst.Yield)
            and value.value is not None
            and not isinstance(value.value, cst.From)
            and not value.lpar
        ):
            self.statements.append(value)
            return False
        return True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.others += 1


def _check_call(value: cst.BaseExpression) -> cst.Call:
    """``check, a, *rest`` -> ``check(a, *rest)``; ``check`` -> ``check()``."""
    if not isinstance(value, cst.Tuple) or not value.elements:
        return cst.Call(value, [])
    first, *rest = value.elements
    if isinstance(first, cst.StarredElement):
        raise Unfixable("a yielded tuple that starts with *args")
    args = [
        cst.Arg(e.value, star="*") if isinstance(e, cst.StarredElement) else cst.Arg(e.value)
        for e in rest
    ]
    return cst.Call(first.value, args)


class _YieldCalls(cst.CSTTransformer):
    """In one generator test's own body: ``yield check, a`` -> ``check(a)``."""

    def __init__(self, yields: list[cst.Yield]) -> None:
        super().__init__()
        self.yields = yields

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.Expr:
        value = original_node.value
        if any(value is y for y in self.yields):
            assert isinstance(value, cst.Yield) and isinstance(value.value, cst.BaseExpression)
            return updated_node.with_changes(value=_check_call(value.value))
        return updated_node


def _yield_test(node: cst.FunctionDef) -> cst.FunctionDef:
    """A test whose own body yields checks: each yield made a call, in order."""
    found = _OwnYields()
    node.visit(found)
    if not found.statements:
        return node
    if found.others:
        raise Unfixable(f"{node.name.value}() uses yield as a value, not as a yield test")
    made = node.visit(_YieldCalls(found.statements))
    assert isinstance(made, cst.FunctionDef)
    return made


def yield_tests_to_calls() -> Transform:
    """Every yield test of the module (a ``test*`` function, or a method of a ``Test*``
    class without a per-test setup, whose own body does ``yield check, a, b``) calls each
    check in turn: the test passes when every check passes, as nose's generated tests did
    together. A class with a per-test setup (nose ran it around each check) or a yield used
    as a value leaves the file out."""

    def test_function(statement: cst.CSTNode) -> cst.CSTNode:
        if isinstance(statement, cst.FunctionDef) and statement.name.value.startswith("test"):
            return _yield_test(statement)
        return statement

    def test_class(node: cst.ClassDef) -> cst.ClassDef:
        if not node.name.value.startswith("Test") or not isinstance(node.body, cst.IndentedBlock):
            return node
        inner = [test_function(s) for s in node.body.body]
        if all(a is b for a, b in zip(inner, node.body.body, strict=True)):
            return node
        methods = {s.name.value for s in node.body.body if isinstance(s, cst.FunctionDef)}
        if _PER_TEST_SETUP & methods:
            raise Unfixable(
                f"{node.name.value} has a per-test setup, which nose ran around each yielded check"
            )
        statements = [s for s in inner if isinstance(s, cst.BaseStatement)]
        return node.with_changes(body=node.body.with_changes(body=statements))

    def transform(module: cst.Module) -> cst.Module:
        body = [
            test_class(s) if isinstance(s, cst.ClassDef) else test_function(s) for s in module.body
        ]
        statements = [
            s for s in body if isinstance(s, cst.SimpleStatementLine | cst.BaseCompoundStatement)
        ]
        return module.with_changes(body=statements)

    return transform
