"""nose's test helpers rewritten into what pytest and the standard library offer.

:func:`migrate_nose` returns a transform that rewrites one file: every ``nose.tools`` assertion
called as a statement becomes an ``assert`` (its message kept, its operands parenthesized where
Python's precedence needs it), ``assert_raises`` becomes ``pytest.raises`` (call and context
forms), ``@raises`` a ``with pytest.raises(...)`` around the body, ``@nottest`` ``__test__ =
False``, nose's ``SkipTest`` the standard library's, and then the nose imports go. A file with a
use it cannot rewrite exactly (``with_setup``, an assertion used as a value, an argument it does
not know) is left alone: :class:`Unfixable` names what stays. ``@attr`` becomes pytest marks
only when ``marks=True`` (selecting by marks is not nose's ``-a``: the fix says so).
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from collections.abc import Callable, Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pytest_autofix.fixers.toolkit.cst import DroppingLines, find_all, is_docstring, names_read
from pytest_autofix.fixers.toolkit.import_style import ImportStyle
from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable, add_import

__all__ = [
    "ASSERTIONS",
    "NOSE_MODULES",
    "breaks_lines",
    "migrate_nose",
    "nose_names",
    "renamed_function",
    "reworded_above",
]

# the modules whose names are nose.tools' (``from nose.tools.trivial import eq_``)
NOSE_MODULES = ("nose.tools", "nose.tools.trivial", "nose.tools.nontrivial")
_SKIP_MODULES = ("nose", "nose.plugins.skip", "nose.exc", "nose.plugins.errorclass")

_COMPARE = {
    "==": cst.Equal,
    "!=": cst.NotEqual,
    "is": cst.Is,
    "is not": cst.IsNot,
    "in": cst.In,
    "not in": cst.NotIn,
    ">": cst.GreaterThan,
    ">=": cst.GreaterThanEqual,
    "<": cst.LessThan,
    "<=": cst.LessThanEqual,
}


@dataclasses.dataclass(frozen=True)
class Assertion:
    """A nose assertion: its parameters (unittest's names; the last one is ``msg``) and how
    its test expression is built from them."""

    params: tuple[str, ...]
    build: Callable[[dict[str, cst.BaseExpression]], cst.BaseExpression]
    needs_re: bool = False


def _compare(op: str) -> Callable[[dict[str, cst.BaseExpression]], cst.BaseExpression]:
    def build(a: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
        first, second = list(a.values())[:2]
        return _comparison(first, op, second)

    return build


def _comparison(left: cst.BaseExpression, op: str, right: cst.BaseExpression) -> cst.Comparison:
    operator = _COMPARE[op]
    space = cst.SimpleWhitespace(" ")
    return cst.Comparison(
        _operand(left),
        [
            cst.ComparisonTarget(
                operator(whitespace_before=space, whitespace_after=space)
                if operator not in (cst.IsNot, cst.NotIn)
                else operator(
                    whitespace_before=space, whitespace_between=space, whitespace_after=space
                ),
                _operand(right),
            )
        ],
    )


def _truth(a: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
    return _bare(next(iter(a.values())))


def _falsity(a: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
    return _not(next(iter(a.values())))


def _not(value: cst.BaseExpression) -> cst.BaseExpression:
    return cst.UnaryOperation(cst.Not(), _operand(value, allow=(cst.Comparison,)))


def _none(op: str) -> Callable[[dict[str, cst.BaseExpression]], cst.BaseExpression]:
    def build(a: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
        return _comparison(next(iter(a.values())), op, cst.Name("None"))

    return build


def _isinstance(negated: bool) -> Callable[[dict[str, cst.BaseExpression]], cst.BaseExpression]:
    def build(a: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
        obj, cls = list(a.values())[:2]
        call = cst.Call(cst.Name("isinstance"), [cst.Arg(_bare(obj)), cst.Arg(_bare(cls))])
        return cst.UnaryOperation(cst.Not(), call) if negated else call

    return build


def _regex(negated: bool) -> Callable[[dict[str, cst.BaseExpression]], cst.BaseExpression]:
    def build(a: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
        text, pattern = list(a.values())[:2]
        call = cst.Call(
            cst.Attribute(cst.Name("re"), cst.Name("search")),
            [cst.Arg(_bare(pattern)), cst.Arg(_bare(text))],
        )
        return cst.UnaryOperation(cst.Not(), call) if negated else call

    return build


def _pure(node: cst.BaseExpression) -> bool:
    """Reading ``node`` twice gives the same value and does nothing else: a name, an
    attribute of one, a number or string literal, ``-x`` of one of those."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return _pure(node.expression)
    if isinstance(node, cst.Attribute):
        return _pure(node.value)
    return isinstance(node, cst.Name | cst.Integer | cst.Float | cst.SimpleString)


def _arith(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` as an operand of ``-``: in parentheses unless it is an atom."""
    atoms = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float)
    if node.lpar or (isinstance(node, atoms) and not breaks_lines(node)):
        return node
    return _parenthesized(node)


def _almost(negated: bool) -> Callable[[dict[str, cst.BaseExpression]], cst.BaseExpression]:
    """unittest's assertAlmostEqual: equal, or the difference rounded to ``places`` (7) is
    zero; with ``delta``, the difference is at most ``delta``. Negated (assertNotAlmostEqual):
    not equal, and the rounded difference not zero (or above delta). The equality test is
    written out only when reading the operands twice is harmless (names, literals): for
    others (a call) the rounded difference alone, which differs from unittest only for two
    equal infinities."""

    def build(a: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
        first, second = a["first"], a["second"]
        diff = cst.Call(
            cst.Name("abs"),
            [cst.Arg(cst.BinaryOperation(_arith(first), cst.Subtract(), _arith(second)))],
        )
        if "delta" in a:
            close: cst.BaseExpression = _comparison(diff, ">" if negated else "<=", a["delta"])
        else:
            places = a.get("places", cst.Integer("7"))
            rounded = cst.Call(cst.Name("round"), [cst.Arg(diff), cst.Arg(_bare(places))])
            close = _comparison(rounded, "!=" if negated else "==", cst.Integer("0"))
        if not (_pure(first) and _pure(second)):
            return close
        equal = _comparison(first, "!=" if negated else "==", second)
        return cst.BooleanOperation(equal, cst.And() if negated else cst.Or(), close)

    return build


_BINARY = ("first", "second", "msg")
_ALMOST = ("first", "second", "places", "msg", "delta")

ASSERTIONS: dict[str, Assertion] = {
    "eq_": Assertion(("a", "b", "msg"), _compare("==")),
    "ok_": Assertion(("expr", "msg"), _truth),
    "assert_true": Assertion(("expr", "msg"), _truth),
    "assert_false": Assertion(("expr", "msg"), _falsity),
    "assert_equal": Assertion(_BINARY, _compare("==")),
    "assert_equals": Assertion(_BINARY, _compare("==")),
    "assert_not_equal": Assertion(_BINARY, _compare("!=")),
    "assert_not_equals": Assertion(_BINARY, _compare("!=")),
    "assert_dict_equal": Assertion(("d1", "d2", "msg"), _compare("==")),
    "assert_list_equal": Assertion(("list1", "list2", "msg"), _compare("==")),
    "assert_tuple_equal": Assertion(("tuple1", "tuple2", "msg"), _compare("==")),
    "assert_set_equal": Assertion(("set1", "set2", "msg"), _compare("==")),
    "assert_multi_line_equal": Assertion(_BINARY, _compare("==")),
    "assert_is": Assertion(("expr1", "expr2", "msg"), _compare("is")),
    "assert_is_not": Assertion(("expr1", "expr2", "msg"), _compare("is not")),
    "assert_in": Assertion(("member", "container", "msg"), _compare("in")),
    "assert_not_in": Assertion(("member", "container", "msg"), _compare("not in")),
    "assert_greater": Assertion(("a", "b", "msg"), _compare(">")),
    "assert_greater_equal": Assertion(("a", "b", "msg"), _compare(">=")),
    "assert_less": Assertion(("a", "b", "msg"), _compare("<")),
    "assert_less_equal": Assertion(("a", "b", "msg"), _compare("<=")),
    "assert_is_none": Assertion(("obj", "msg"), _none("is")),
    "assert_is_not_none": Assertion(("obj", "msg"), _none("is not")),
    "assert_is_instance": Assertion(("obj", "cls", "msg"), _isinstance(False)),
    "assert_not_is_instance": Assertion(("obj", "cls", "msg"), _isinstance(True)),
    "assert_regexp_matches": Assertion(("text", "expected_regex", "msg"), _regex(False), True),
    "assert_regex": Assertion(("text", "expected_regex", "msg"), _regex(False), True),
    "assert_not_regexp_matches": Assertion(("text", "unexpected_regex", "msg"), _regex(True), True),
    "assert_not_regex": Assertion(("text", "unexpected_regex", "msg"), _regex(True), True),
    "assert_almost_equal": Assertion(_ALMOST, _almost(False)),
    "assert_almost_equals": Assertion(_ALMOST, _almost(False)),
    "assert_not_almost_equal": Assertion(_ALMOST, _almost(True)),
    "assert_not_almost_equals": Assertion(_ALMOST, _almost(True)),
}
# the exception assertions: name -> whether its second argument is the regex
_RAISES = {
    "assert_raises": False,
    "assert_raises_regex": True,
    "assert_raises_regexp": True,
}
_DECORATORS = frozenset({"raises", "nottest", "istest", "attr"})
# a plain test class's camelCase methods nose ran: -> (the name nose tried first, pytest's)
_CAMEL_SETUP = {"setUp": ("setup", "setup_method"), "tearDown": ("teardown", "teardown_method")}
# nose.tools names with no rewrite here (with_setup only in some forms): a file that uses one
# keeps nose
_OTHER_TOOLS = frozenset({"with_setup", "set_trace", "timed", "make_decorator", "TimeExpired"})


# -- expressions ----------------------------------------------------------------------------


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def breaks_lines(node: cst.CSTNode) -> bool:
    """Whether ``node`` spans lines outside its own brackets (``a +`` / ``b``, which a call's
    parentheses allowed and an ``assert`` does not); lines broken inside its brackets or a
    triple-quoted string, or by a backslash, need no parentheses."""
    code = _code(node)
    if "\n" not in code:
        return False
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
            elif token.type in (tokenize.NL, tokenize.NEWLINE) and token.string and not depth:
                return True
    except (tokenize.TokenError, SyntaxError):
        return True
    return False


# what binds tighter than a comparison and reads the same on either side of one
_TIGHT = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
    cst.BinaryOperation,
    cst.Ellipsis,
    cst.Await,
)


def _parenthesized(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _operand(
    node: cst.BaseExpression, allow: tuple[type[cst.CSTNode], ...] = ()
) -> cst.BaseExpression:
    """``node`` as an operand of a comparison or ``not``: in parentheses unless it binds
    tighter (a name, a call, arithmetic, a literal, ``-x``), or it spans lines (inside the
    call's parentheses a line break was allowed; in an ``assert`` it is not)."""
    if node.lpar:
        return node
    tight = isinstance(node, (*_TIGHT, *allow)) or (
        isinstance(node, cst.UnaryOperation) and not isinstance(node.operator, cst.Not)
    )
    if isinstance(node, cst.Tuple):  # a tuple display needs its parentheses anyway
        tight = False
    if tight and not breaks_lines(node):
        return node
    return _parenthesized(node)


def _bare(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` standing alone (an ``assert``'s test, an argument of a call made here): in
    parentheses only when it spans lines or is a bare tuple."""
    if node.lpar or (not breaks_lines(node) and not isinstance(node, cst.Tuple)):
        return node
    return _parenthesized(node)


def _arguments(call: cst.Call, params: Sequence[str]) -> dict[str, cst.BaseExpression] | None:
    """The call's arguments by parameter name, or None when they do not fit (a star
    argument, an unknown keyword, too many)."""
    found: dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args) or len(positional) > len(params):
        return None
    for arg, name in zip(positional, params, strict=False):
        found[name] = arg.value
    for arg in call.args:
        if arg.keyword is None:
            continue
        name = arg.keyword.value
        if name not in params or name in found:
            return None
        found[name] = arg.value
    required = [p for p in params if p not in ("msg", "places", "delta")]
    if any(p not in found for p in required):
        return None
    # keep the parameters' order (the builders read the first two)
    return {p: found[p] for p in params if p in found}


# -- the file's nose names ------------------------------------------------------------------


@dataclasses.dataclass
class NoseNames:
    """What the file's nose imports bind: local name -> nose.tools name; the prefixes that
    reach nose.tools (``nt.`` for ``import nose.tools as nt``); the local names of nose's
    SkipTest; the import statements."""

    tools: dict[str, str] = dataclasses.field(default_factory=dict)
    prefixes: set[str] = dataclasses.field(default_factory=set)
    skiptest: set[str] = dataclasses.field(default_factory=set)
    star: bool = False
    statements: int = 0

    def tool(self, node: cst.BaseExpression) -> str | None:
        """The nose.tools name ``node`` (a call's function, a decorator) refers to."""
        name = get_full_name_for_node(node) or ""
        if name in self.tools:
            return self.tools[name]
        for prefix in self.prefixes:
            if name.startswith(prefix + ".") and "." not in name[len(prefix) + 1 :]:
                return name[len(prefix) + 1 :]
        return None


def _module_name(node: cst.ImportFrom) -> str:
    return "" if node.relative or node.module is None else get_full_name_for_node(node.module) or ""


def _from_nose(node: cst.ImportFrom, found: NoseNames) -> None:
    module = _module_name(node)
    if isinstance(node.names, cst.ImportStar):
        if module in NOSE_MODULES:
            found.star = True
        return
    for alias in node.names:
        name = get_full_name_for_node(alias.name) or ""
        local = get_full_name_for_node(alias.asname.name) if alias.asname else name
        local = local or name
        if module in NOSE_MODULES:
            found.tools[local] = name
        elif module in _SKIP_MODULES and name == "SkipTest":
            found.skiptest.add(local)
        elif module == "nose" and name == "tools":
            found.prefixes.add(local)
        elif module == "nose.plugins.attrib" and name == "attr":
            found.tools[local] = "attr"


def _import_nose(node: cst.Import, found: NoseNames) -> None:
    for alias in node.names:
        name = get_full_name_for_node(alias.name) or ""
        if alias.asname is not None and name in NOSE_MODULES:
            found.prefixes.add(get_full_name_for_node(alias.asname.name) or name)
        elif name == "nose" or name.startswith("nose."):
            found.prefixes |= {m for m in NOSE_MODULES if name == "nose" or m.startswith(name)}
            found.skiptest.add("nose.SkipTest")


def _is_nose_import(statement: cst.CSTNode) -> bool:
    if isinstance(statement, cst.ImportFrom):
        module = _module_name(statement)
        return module == "nose" or module.startswith("nose.")
    if isinstance(statement, cst.Import):
        return any(
            (get_full_name_for_node(a.name) or "").partition(".")[0] == "nose"
            for a in statement.names
        )
    return False


class _Collect(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = NoseNames()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if _is_nose_import(node):
            self.found.statements += 1
            _from_nose(node, self.found)

    def visit_Import(self, node: cst.Import) -> None:
        if _is_nose_import(node):
            self.found.statements += 1
            _import_nose(node, self.found)


def nose_names(module: cst.Module) -> NoseNames:
    """The nose names ``module`` binds (a star import binds those of nose.tools it uses)."""
    collect = _Collect()
    module.visit(collect)
    found = collect.found
    if found.star:
        used = {n.value for n in _names(module)}
        known = set(ASSERTIONS) | set(_RAISES) | _DECORATORS | _OTHER_TOOLS
        found.tools.update({n: n for n in used if n in known or n.startswith("assert_")})
    return found


def _names(module: cst.Module) -> list[cst.Name]:
    class Names(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.names: list[cst.Name] = []

        def visit_Name(self, node: cst.Name) -> None:
            self.names.append(node)

    names = Names()
    module.visit(names)
    return names.names


# -- the rewrite ----------------------------------------------------------------------------


def _dotted(name: str) -> cst.BaseExpression:
    return cst.parse_expression(name)


def _without_comma(arg: cst.Arg) -> cst.Arg:
    return arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)


def _raises_call(args: Sequence[cst.Arg], regex: bool) -> cst.Call:
    """``pytest.raises(E)`` or ``pytest.raises(E, match=r)`` from nose's first arguments."""
    made = [_without_comma(args[0])]
    if regex:
        made.append(
            cst.Arg(
                _bare(args[1].value),
                keyword=cst.Name("match"),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        )
    return cst.Call(_dotted("pytest.raises"), made)


def _body_with(body: cst.BaseSuite, item: cst.BaseExpression) -> cst.IndentedBlock:
    """The function body inside ``with item:`` (a docstring stays first)."""
    statements: list[cst.BaseStatement]
    if isinstance(body, cst.SimpleStatementSuite):
        statements = [cst.SimpleStatementLine(list(body.body))]
    else:
        statements = list(cast_block(body).body)
    head = statements[:1] if statements and is_docstring(statements[0], concatenated=True) else []
    rest = statements[len(head) :]
    if not rest:
        rest = [cst.SimpleStatementLine([cst.Pass()])]
    with_ = cst.With([cst.WithItem(item)], cst.IndentedBlock(rest))
    return cst.IndentedBlock([*head, with_])


@dataclasses.dataclass(frozen=True)
class _Setup:
    """``@with_setup(setup, teardown)``: the functions nose ran before and after the test."""

    setup: cst.BaseExpression | None
    teardown: cst.BaseExpression | None

    @classmethod
    def of(cls, call: cst.Call) -> _Setup | None:
        """Its two callables, when they are names or attributes (nose's parameters)."""
        found: dict[str, cst.BaseExpression] = {}
        positional = [a for a in call.args if a.keyword is None]
        if any(a.star for a in call.args) or len(positional) > 2:
            return None
        for arg, param in zip(positional, ("setup", "teardown"), strict=False):
            found[param] = arg.value
        for arg in call.args:
            if arg.keyword is not None:
                if arg.keyword.value not in ("setup", "teardown") or arg.keyword.value in found:
                    return None
                found[arg.keyword.value] = arg.value
        if not found or not all(isinstance(v, cst.Name | cst.Attribute) for v in found.values()):
            return None
        return cls(found.get("setup"), found.get("teardown"))


def _call_line(func: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Expr(cst.Call(func, []))])


def _body_between(body: cst.BaseSuite, setup: _Setup) -> cst.IndentedBlock:
    """The function body after ``setup()`` and inside ``try:`` / ``finally: teardown()``
    (a docstring stays first): nose's order, teardown only when setup succeeded."""
    statements: list[cst.BaseStatement]
    if isinstance(body, cst.SimpleStatementSuite):
        statements = [cst.SimpleStatementLine(list(body.body))]
    else:
        statements = list(cast_block(body).body)
    head = statements[:1] if statements and is_docstring(statements[0], concatenated=True) else []
    rest = statements[len(head) :] or [cst.SimpleStatementLine([cst.Pass()])]
    made: list[cst.BaseStatement] = [*head]
    if setup.setup is not None:
        made.append(_call_line(setup.setup))
    if setup.teardown is None:
        made.extend(rest)
    else:
        made.append(
            cst.Try(
                cst.IndentedBlock(rest),
                finalbody=cst.Finally(cst.IndentedBlock([_call_line(setup.teardown)])),
            )
        )
    return cst.IndentedBlock(made)


def cast_block(body: cst.BaseSuite) -> cst.IndentedBlock:
    assert isinstance(body, cst.IndentedBlock)
    return body


class _Migrate(cst.CSTTransformer):
    def __init__(self, names: NoseNames, marks: bool) -> None:
        super().__init__()
        self.names = names
        self.marks = marks
        self.needs: set[str] = set()  # "pytest", "re", "unittest"
        self.left: list[str] = []  # uses not rewritten
        self.marked: list[str] = []  # @attr made pytest marks
        self.raises_as: set[str] = set()  # names bound by ``with assert_raises(...) as cm``
        self.renamed: list[str] = []  # Class.setUp made setup_method

    # assertions called as statements
    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.BaseSmallStatement:
        call = updated_node.value
        tool = self.names.tool(call.func) if isinstance(call, cst.Call) else None
        if tool not in ASSERTIONS or not isinstance(call, cst.Call):
            return updated_node
        assertion = ASSERTIONS[tool]
        args = _arguments(call, assertion.params)
        if args is None:
            self.left.append(f"{_code(call)} (its arguments)")
            return updated_node
        msg = args.pop("msg", None)
        if assertion.needs_re:
            self.needs.add("re")
        return cst.Assert(
            test=_bare(assertion.build(args)),
            msg=_bare(msg) if msg is not None else None,
            semicolon=updated_node.semicolon,
        )

    # assert_raises(E, f, *args) as a statement
    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        made = self._raises_statement(updated_node)
        if made is updated_node and updated_node.deep_equals(original_node):
            return made
        # the comments inside a rewritten call go above the statement that replaces it
        comments = [
            line
            for old, new in zip(original_node.body, updated_node.body, strict=True)
            if made is not updated_node or not old.deep_equals(new)
            for line in _comments(old)
        ]
        if not comments:
            return made
        return made.with_changes(leading_lines=[*made.leading_lines, *comments])

    def _raises_statement(
        self, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.With:
        """``assert_raises(E, f, *args)`` as a statement -> ``with pytest.raises(E): f(*args)``
        (the line as it is otherwise)."""
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.Expr):
            return updated_node
        call = updated_node.body[0].value
        if not isinstance(call, cst.Call):
            return updated_node
        tool = self.names.tool(call.func)
        if tool not in _RAISES:
            return updated_node
        regex = _RAISES[tool]
        first = 2 if regex else 1
        if len(call.args) <= first or any(a.keyword or a.star for a in call.args[: first + 1]):
            self.left.append(f"{_code(call)} (its arguments)")
            return updated_node
        self.needs.add("pytest")
        rest = list(call.args[first + 1 :])
        if rest:
            rest[-1] = _without_comma(rest[-1])
        inner = cst.Call(call.args[first].value, rest)
        return cst.With(
            [cst.WithItem(_raises_call(call.args, regex))],
            cst.IndentedBlock([cst.SimpleStatementLine([cst.Expr(inner)])]),
            leading_lines=updated_node.leading_lines,
        )

    # with assert_raises(E) [as cm]:
    def leave_WithItem(
        self, original_node: cst.WithItem, updated_node: cst.WithItem
    ) -> cst.WithItem:
        call = updated_node.item
        tool = self.names.tool(call.func) if isinstance(call, cst.Call) else None
        if tool not in _RAISES or not isinstance(call, cst.Call):
            return updated_node
        regex = _RAISES[tool]
        if len(call.args) != (2 if regex else 1) or any(a.keyword or a.star for a in call.args):
            self.left.append(f"{_code(call)} (its arguments)")
            return updated_node
        self.needs.add("pytest")
        if updated_node.asname is not None and isinstance(updated_node.asname.name, cst.Name):
            self.raises_as.add(updated_node.asname.name.value)
        return updated_node.with_changes(item=_raises_call(call.args, regex))

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        value = updated_node.value
        if (
            updated_node.attr.value == "exception"
            and isinstance(value, cst.Name)
            and value.value in self.raises_as
        ):
            return updated_node.with_changes(attr=cst.Name("value"))
        if get_full_name_for_node(updated_node) == "nose.SkipTest":
            self.needs.add("unittest")
            return _dotted("unittest.SkipTest")
        return updated_node

    # decorators
    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef | cst.FlattenSentinel[cst.BaseStatement]:
        node = updated_node
        kept: list[cst.Decorator] = []
        after: list[cst.BaseStatement] = []
        setups: list[_Setup] = []
        for decorator in node.decorators:
            result = self._decorator(decorator, node.name.value, False)
            if isinstance(result, cst.Decorator):
                kept.append(result)
            elif isinstance(result, list):
                kept.extend(result)
            elif isinstance(result, str):  # "nottest"
                after.append(cst.parse_statement(f"{node.name.value}.__test__ = False\n"))
            elif isinstance(result, _Setup):
                setups.append(result)
            elif result is not None:  # the exception a @raises expects
                raises = cst.Call(_dotted("pytest.raises"), [cst.Arg(result)])
                node = node.with_changes(body=_body_with(node.body, raises))
                self.needs.add("pytest")
        for setup in setups:  # nose ran them around the test, @raises included
            node = node.with_changes(body=_body_between(node.body, setup))
        node = node.with_changes(decorators=kept)
        return cst.FlattenSentinel([node, *after]) if after else node

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        kept: list[cst.Decorator] = []
        nottest = False
        for decorator in updated_node.decorators:
            result = self._decorator(decorator, updated_node.name.value, True)
            if isinstance(result, cst.Decorator):
                kept.append(result)
            elif isinstance(result, list):
                kept.extend(result)
            elif isinstance(result, str):  # "nottest"
                nottest = True
            elif result is not None:
                kept.append(decorator)
                self.left.append(f"@raises on class {updated_node.name.value}")
        node = updated_node.with_changes(decorators=kept)
        if nottest:
            body = cast_block(node.body)
            statements = list(body.body)
            at = 1 if statements and is_docstring(statements[0], concatenated=True) else 0
            statements.insert(at, cst.parse_statement("__test__ = False\n"))
            node = node.with_changes(body=body.with_changes(body=statements))
        return self._camel_case_setup(node)

    def _camel_case_setup(self, node: cst.ClassDef) -> cst.ClassDef:
        """A plain test class's ``setUp``/``tearDown``, which nose ran (it tried ``setup``,
        then ``setUp``) and pytest never did -> ``setup_method``/``teardown_method``: only in
        a ``Test*`` class without bases (no ``unittest.TestCase``, which calls them itself),
        with no ``setup``/``teardown`` nose would have preferred or method of the new name,
        and that does not call them by name."""
        bases = [get_full_name_for_node(b.value) for b in node.bases]
        if not node.name.value.startswith("Test") or bases not in ([], ["object"]):
            return node
        if not isinstance(node.body, cst.IndentedBlock):
            return node
        methods = {s.name.value for s in node.body.body if isinstance(s, cst.FunctionDef)}
        read = {a.attr.value for a in find_all(node, cst.Attribute)}
        renames = {
            old: new
            for old, (nose_first, new) in _CAMEL_SETUP.items()
            if old in methods and nose_first not in methods and new not in methods
            if old not in read
        }
        if not renames:
            return node
        self.renamed += [f"{node.name.value}.{old}" for old in renames]
        statements = [
            renamed_function(s, renames[s.name.value])
            if isinstance(s, cst.FunctionDef) and s.name.value in renames
            else s
            for s in node.body.body
        ]
        return node.with_changes(body=node.body.with_changes(body=statements))

    def _decorator(
        self, decorator: cst.Decorator, name: str, is_class: bool
    ) -> cst.Decorator | list[cst.Decorator] | cst.BaseExpression | str | _Setup | None:
        """What becomes of one decorator: itself (kept), marks (``@attr``), "nottest" (an
        ``__test__ = False`` instead), the exception ``@raises`` expects, the functions
        ``@with_setup`` runs around the test, or None (dropped)."""
        expr = decorator.decorator
        func = expr.func if isinstance(expr, cst.Call) else expr
        tool = self.names.tool(func)
        if tool is None:
            return decorator
        if tool == "nottest" and not isinstance(expr, cst.Call):
            return "nottest"
        if tool == "istest" and not isinstance(expr, cst.Call):
            if name.startswith("Test" if is_class else "test"):
                return None
            self.left.append(f"@istest on {name} (pytest collects by name: rename it)")
            return decorator
        if tool == "raises" and isinstance(expr, cst.Call) and expr.args:
            return self._raises(decorator, expr, name)
        if tool == "attr" and isinstance(expr, cst.Call):
            return self._marks(decorator, expr, name)
        if tool == "with_setup" and isinstance(expr, cst.Call) and not is_class:
            found = _Setup.of(expr)
            if found is not None:
                return found
        self.left.append(f"@{_code(expr)} on {name}")
        return decorator

    def _raises(
        self, decorator: cst.Decorator, call: cst.Call, name: str
    ) -> cst.Decorator | cst.BaseExpression:
        """``@raises(E)`` -> ``E``, ``@raises(E1, E2)`` -> ``(E1, E2)``: what the body's
        ``pytest.raises`` expects."""
        if any(a.keyword or a.star for a in call.args):
            self.left.append(f"{_code(call)} on {name} (its arguments)")
            return decorator
        values = [a.value for a in call.args]
        if len(values) == 1:
            return _bare(values[0])
        return cst.Tuple([cst.Element(v) for v in values])

    def _marks(
        self, decorator: cst.Decorator, call: cst.Call, name: str
    ) -> cst.Decorator | list[cst.Decorator]:
        """``@attr("slow", speed="fast")`` -> ``@pytest.mark.slow``, ``@pytest.mark.speed("fast")``
        (only with ``marks``: selecting them is ``-m``, not nose's ``-a``)."""
        made: list[cst.Decorator] = []
        for arg in call.args:
            value = arg.value
            if arg.star or (arg.keyword is None and not _identifier_string(value)):
                self.left.append(f"{_code(call)} on {name} (its arguments)")
                return decorator
            mark = arg.keyword.value if arg.keyword else _string(value)
            expr = _dotted(f"pytest.mark.{mark}")
            if arg.keyword is not None:
                expr = cst.Call(expr, [cst.Arg(_bare(value))])
            made.append(
                cst.Decorator(expr, leading_lines=decorator.leading_lines if not made else [])
            )
        if not self.marks:
            self.left.append(f"{_code(call)} on {name} (nose attributes -> pytest marks)")
            return decorator
        self.needs.add("pytest")
        self.marked.append(name)
        return made

    # if __name__ == "__main__": nose.runmodule()
    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        if _code(updated_node.test).replace("'", '"') != '__name__ == "__main__"':
            return updated_node
        return updated_node.with_changes(body=updated_node.body.visit(_RunModule(self)))


# -- a renamed method and the comments that name it ---------------------------------------------

# words after which a name is a verb ("setup the database"), not the method's name
_OBJECTS = "the|a|an|some|any|all|each|every|our|my|your|this|these|those|its|their|it|them"


def _reworded(comment: cst.Comment | None, old: str, new: str) -> cst.Comment | None:
    """``comment`` with every word ``old`` that names this function made ``new``: exactly
    (not part of a longer name, not hyphenated), not a verb before its object ("setup the
    database"), not another's (``unittest's setUp``, ``TestCase.setUp``; ``self.setUp`` is
    this one)."""
    if comment is None:
        return None
    word = rf"(?<![\w-]){re.escape(old)}(?![\w-])(?!\s+(?:{_OBJECTS})\b)"

    def sub(match: re.Match[str]) -> str:
        before = match.string[: match.start()]
        if re.search(r"['\u2019]s\s+$", before):
            return match.group()
        owner = re.search(r"(\w+)\.$", before)
        if owner is not None and owner.group(1) not in ("self", "cls"):
            return match.group()
        return new

    text = re.sub(word, sub, comment.value)
    return comment if text == comment.value else comment.with_changes(value=text)


def _reworded_lines(
    lines: Sequence[cst.EmptyLine], old: str, new: str, *, last: bool
) -> list[cst.EmptyLine]:
    """``lines`` with the comments of their run next to the function reworded: the last ones
    (``last``: above it, up to a blank line) or the first ones (below its ``def`` line)."""
    result = list(lines)
    order = range(len(result) - 1, -1, -1) if last else range(len(result))
    for k in order:
        line = result[k]
        if line.comment is None:
            break
        result[k] = line.with_changes(comment=_reworded(line.comment, old, new))
    return result


def reworded_above(lines: Sequence[cst.EmptyLine], old: str, new: str) -> list[cst.EmptyLine]:
    """``lines`` (above a function renamed from ``old`` to ``new``: a module's ``header``
    when the function comes first) with the comments directly above it reworded."""
    return _reworded_lines(lines, old, new, last=True)


def renamed_function(func: cst.FunctionDef, new: str) -> cst.FunctionDef:
    """``func`` named ``new``, and the comments attached to it that name it by its old name
    worded with the new one: the comment lines directly above it (or its decorators, or
    between them and the ``def``), the comment of its ``def`` line and those directly below
    that line. Only the old name as a word (``# setup is called before each test``); no other
    comment changes."""
    old = func.name.value
    func = func.with_changes(
        name=func.name.with_changes(value=new),
        leading_lines=_reworded_lines(func.leading_lines, old, new, last=True),
        lines_after_decorators=_reworded_lines(func.lines_after_decorators, old, new, last=True),
    )
    body = func.body
    if isinstance(body, cst.SimpleStatementSuite):
        trailing = body.trailing_whitespace
        comment = _reworded(trailing.comment, old, new)
        return func.with_changes(
            body=body.with_changes(trailing_whitespace=trailing.with_changes(comment=comment))
        )
    assert isinstance(body, cst.IndentedBlock)
    header = body.header.with_changes(comment=_reworded(body.header.comment, old, new))
    statements = list(body.body)
    first = statements[0] if statements else None
    if isinstance(first, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        lines = _reworded_lines(first.leading_lines, old, new, last=False)
        statements[0] = first.with_changes(leading_lines=lines)
    return func.with_changes(body=body.with_changes(header=header, body=statements))


class _RunModule(cst.CSTTransformer):
    """``nose.runmodule()``, ``nose.main()``, ``nose.run()`` under ``__main__`` ->
    ``pytest.main([__file__])``: the file run as a script runs its tests."""

    def __init__(self, owner: _Migrate) -> None:
        super().__init__()
        self.owner = owner

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        name = get_full_name_for_node(updated_node.func) or ""
        if name not in ("nose.runmodule", "nose.main", "nose.run"):
            return updated_node
        self.owner.needs.add("pytest")
        return cst.parse_expression("pytest.main([__file__])")


def _comments(node: cst.CSTNode) -> list[cst.EmptyLine]:
    """The comments inside ``node``, each as a line of its own."""
    found: list[cst.EmptyLine] = []

    class Comments(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(cst.EmptyLine(indent=True, comment=comment))

    node.visit(Comments())
    return found


def _identifier_string(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.SimpleString) and _string(node).isidentifier()


def _string(node: cst.BaseExpression) -> str:
    assert isinstance(node, cst.SimpleString)
    value = node.evaluated_value
    return value if isinstance(value, str) else ""


class _DropNoseImports(DroppingLines):
    def __init__(self, strip: bool) -> None:
        super().__init__()
        self.strip = strip  # no import takes their place

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        """The lines above a removed import go to the next statement; the module's first
        statements removed (and nothing added in their place), the blank lines that
        separated them from the next one go with them."""
        updated_node = super().leave_Module(original_node, updated_node)
        if not self.strip or not original_node.body or not updated_node.body:
            return updated_node
        if not any(original_node.body[0] is r for r in self.removed):
            return updated_node
        first = updated_node.body[0]
        lines = list(first.leading_lines)
        while lines and lines[0].comment is None:
            lines.pop(0)
        body = [first.with_changes(leading_lines=lines), *updated_node.body[1:]]
        return updated_node.with_changes(body=body)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        body: list[cst.BaseSmallStatement] = []
        for small in updated_node.body:
            if isinstance(small, cst.ImportFrom) and _is_nose_import(small):
                continue
            if isinstance(small, cst.Import) and _is_nose_import(small):
                kept = [
                    a
                    for a in small.names
                    if (get_full_name_for_node(a.name) or "").partition(".")[0] != "nose"
                ]
                if not kept:
                    continue
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                small = small.with_changes(names=kept)
            body.append(small)
        if not body:
            self.removed.append(original_node)
            return cst.RemoveFromParent()
        if len(body) != len(updated_node.body):
            body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(body=body)


@dataclasses.dataclass
class Outcome:
    """What :func:`migrate_nose` did to the last file it rewrote."""

    marked: list[str] = dataclasses.field(default_factory=list)
    renamed: list[str] = dataclasses.field(default_factory=list)


def migrate_nose(
    marks: bool = False, outcome: Outcome | None = None, style: ImportStyle | None = None
) -> Transform:
    """The transform of one file (see the module's docstring): :class:`Unfixable` names the
    uses it leaves, and then nothing changes. The imports it adds (``pytest``, ``re``,
    ``unittest``) go where ``style`` (the project's isort or ruff settings) puts them."""

    def transform(module: cst.Module) -> cst.Module:
        names = nose_names(module)
        if not names.statements:
            return module
        migrate = _Migrate(names, marks)
        after = module.visit(migrate)
        left = list(migrate.left)
        free = names_read(after)
        skiptest = sorted(n for n in names.skiptest - {"nose.SkipTest"} if n in free)
        bound = set(names.tools) | {p.partition(".")[0] for p in names.prefixes}
        left += sorted(n for n in free if n.partition(".")[0] in bound)
        left += sorted(n for n in free if n.startswith("nose."))
        if left:
            raise Unfixable("nose left in use: " + ", ".join(dict.fromkeys(left)))
        # the new imports join the block the nose imports leave, keeping its spacing
        for needed in sorted(migrate.needs):
            after = add_import(needed, style=style)(after)
        for local in skiptest:
            asname = None if local == "SkipTest" else local
            after = add_import("unittest", "SkipTest", asname, style=style)(after)
        after = after.visit(_DropNoseImports(strip=not (migrate.needs or skiptest)))
        if outcome is not None:
            outcome.marked = list(migrate.marked)
            outcome.renamed = list(migrate.renamed)
        return after

    return transform
