"""``pkg_resources`` uses rewritten into ``importlib.metadata``, ``importlib.resources``,
``os.path`` and ``packaging.version``, each with how exact it is.

:func:`migrate_pkg_resources` returns a transform for one file. Every use it knows is rewritten
and recorded as a :class:`Use` (what, how sure, whether it is safe); the file's pkg_resources
imports then go. A file that keeps a use it cannot rewrite exactly (``get_distribution(x)``
kept as an object, ``require("x>=1")``, ``working_set``, ``declare_namespace``) raises
:class:`Unfixable` naming it, and is left whole: the import of a removed module would still
fail.

The module is found however the file names it: an import, ``__import__("pkg_resources")`` (the
namespace idiom), ``sys.modules["pkg_resources"]`` (a mock's target). Besides the calls, the
entry points a test makes (``EntryPoint(...)``, ``EntryPoint.parse("...")``) and the mocks it
installs in place of ``iter_entry_points`` follow the migrated calls.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pytest_autofix.fixers.toolkit.cst import DroppingLines, is_name, names_read
from pytest_autofix.fixers.toolkit.environment_transforms import bound_names, import_map
from pytest_autofix.fixers.toolkit.import_style import ImportStyle
from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable, add_import
from pytest_autofix.fixers.toolkit.nose_transforms import breaks_lines

__all__ = ["Environment", "Use", "migrate_pkg_resources"]

_MODULE = "pkg_resources"
# a requirement that is only a distribution name (no version specifier, marker or extra)
_BARE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# the attributes of a pkg_resources EntryPoint that an importlib.metadata EntryPoint has too
_ENTRY_POINT_SAME = frozenset({"name", "load", "group"})
_NEW_ENTRY_POINTS = "importlib.metadata.entry_points"
# what checks the arguments a mock was called with
_CHECKS = (
    "assert_called_with|assert_called_once_with|assert_any_call|assert_has_calls"
    "|call_args|call_args_list|mock_calls"
)
# pkg_resources.EntryPoint.parse's grammar: "name = module:attrs [extras]"; the part after "="
# is an importlib.metadata EntryPoint's value, which reads the same grammar
_ENTRY_POINT_LINE = re.compile(
    r"^\s*(?P<name>[^=\"']+?)\s*=\s*(?P<value>[\w.]+\s*(?::\s*[\w.]+)?\s*(?:\[[^\"'\]]*\])?)\s*$"
)

EXACT, ON_DISK, ENTRY_POINTS, ENTRY_POINT_OBJECTS = 0.9, 0.85, 0.85, 0.7


@dataclasses.dataclass(frozen=True)
class Environment:
    """What the project's Python offers: ``entry_points(group=)`` needs 3.10,
    ``importlib.resources.files`` 3.9, ``packaging.version`` the packaging distribution."""

    python: tuple[int, int]
    packaging: bool


@dataclasses.dataclass(frozen=True)
class Use:
    """One rewritten use: what it was, how sure the rewrite is, and what could change."""

    what: str
    confidence: float
    safe: bool = True
    caveat: str = ""
    patch: bool = False  # a mock of the old API, right only when the code it mocks is migrated


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _expr(text: str) -> cst.BaseExpression:
    return cst.parse_expression(text)


def _call(func: str, *args: cst.BaseExpression | cst.Arg) -> cst.Call:
    return cst.Call(
        _expr(func), [a if isinstance(a, cst.Arg) else cst.Arg(_plain(a)) for a in args]
    )


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    empty = cst.SimpleWhitespace("")
    return cst.Arg(
        _plain(value),
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=empty, whitespace_after=empty),
    )


def _plain(node: cst.BaseExpression) -> cst.BaseExpression:
    """An argument as it was, on one line when it spanned several without brackets."""
    if breaks_lines(node) and not node.lpar:
        return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return node


def _positional(call: cst.Call, names: Sequence[str]) -> list[cst.BaseExpression] | None:
    """The call's arguments by position (keywords of ``names`` accepted), None when they do
    not fit (a star argument, another keyword, too many)."""
    if any(a.star for a in call.args):
        return None
    values: dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None]
    if len(positional) > len(names):
        return None
    for arg, name in zip(positional, names, strict=False):
        values[name] = arg.value
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value not in names or arg.keyword.value in values:
                return None
            values[arg.keyword.value] = arg.value
    found = []
    for name in names:
        if name not in values:
            break
        found.append(values[name])
    return found if len(found) == len(values) else None


def _string(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain string literal, else None."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _module_ref(node: cst.BaseExpression, imports: dict[str, str]) -> bool:
    """``__import__("pkg_resources")`` or ``sys.modules["pkg_resources"]``: the module with no
    import statement naming it (the declare_namespace idiom, a mock patching it)."""
    if isinstance(node, cst.Call) and is_name(node.func, "__import__"):
        args = node.args
        return (
            len(args) == 1
            and not args[0].keyword
            and not args[0].star
            and (_string(args[0].value) == _MODULE)
        )
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if not (isinstance(index, cst.Index) and _string(index.value) == _MODULE):
            return False
        root, dot, rest = (get_full_name_for_node(node.value) or "").partition(".")
        return root in imports and imports[root] + dot + rest == "sys.modules"
    return False


def _patcher(call: cst.Call) -> str:
    """``patch`` for ``mock.patch(...)``, ``patch(...)``, ``mocker.patch(...)``; ``object``
    for ``mock.patch.object(...)``; ``setattr`` for ``monkeypatch.setattr(...)``; else ""."""
    name = get_full_name_for_node(call.func) or ""
    parts = name.split(".")
    if parts[-1] == "patch":
        return "patch"
    if parts[-2:] == ["patch", "object"]:
        return "object"
    if len(parts) > 1 and parts[-1] == "setattr":
        return "setattr"
    return ""


def _parsed_entry_point(call: cst.Call) -> tuple[cst.SimpleString | None, ...]:
    """``EntryPoint.parse("name = module:attr [extra]")``: its name and value, as literals."""
    found = _positional(call, ["src"])
    source = found[0] if found else None
    parsed = _ENTRY_POINT_LINE.match(_string(source) or "")
    if not isinstance(source, cst.SimpleString) or not parsed:
        return None, None
    quote = source.quote if source.quote in ('"', "'") else '"'
    return tuple(cst.SimpleString(f"{quote}{parsed[k].strip()}{quote}") for k in ("name", "value"))


def _literals(node: cst.BaseExpression) -> list[str] | None:
    """The strings of a tuple or list of string literals, else None."""
    if not isinstance(node, (cst.Tuple, cst.List)):
        return None
    found = [_string(e.value) for e in node.elements if isinstance(e, cst.Element)]
    strings = [f for f in found if f is not None]
    return strings if len(strings) == len(node.elements) else None


def _argument(call: cst.Call, keyword: str, at: int) -> cst.BaseExpression | None:
    """The argument ``keyword`` of ``call``, else its positional argument ``at`` (-1: none)."""
    found = next((a.value for a in call.args if is_name(a.keyword, keyword)), None)
    positional = [a.value for a in call.args if a.keyword is None]
    return found if found is not None or not 0 <= at < len(positional) else positional[at]


def _is_mock(call: cst.Call) -> bool:
    """``Mock(...)``, ``mock.MagicMock(...)``, ``mocker.AsyncMock(...)``: takes any call."""
    return (get_full_name_for_node(call.func) or "").rpartition(".")[2].endswith("Mock")


def _keyword_parameters(parameters: cst.Parameters) -> bool:
    """Whether a function with ``parameters`` takes ``f(group=g)`` and ``f(group=g, name=n)``."""
    if isinstance(parameters.star_kwarg, cst.Param):
        return True
    named = [p.name.value for p in parameters.params]
    required = [
        p.name.value for p in (*parameters.posonly_params, *parameters.params) if not p.default
    ]
    required += [p.name.value for p in parameters.kwonly_params if not p.default]
    return {"group", "name"} <= set(named) and set(required) <= {"group", "name"}


def _entry_point_value(args: Sequence[cst.BaseExpression]) -> cst.BaseExpression | None:
    """The ``value`` of an importlib.metadata EntryPoint (``module:attr.attr [extra]``) from
    pkg_resources' ``module_name, attrs, extras``: literals, or the module name alone."""
    module, *rest = args
    if not rest:
        return module
    name = _string(module)
    attrs, *extras = [_literals(arg) for arg in rest]
    if name is None or attrs is None or None in extras:
        return None
    value = name + (":" + ".".join(attrs) if attrs else "")
    if extras and extras[0]:
        value += " [" + ",".join(extras[0]) + "]"
    assert isinstance(module, cst.SimpleString)
    quote = module.quote if module.quote in ('"', "'") and module.quote not in value else '"'
    return cst.SimpleString(f"{quote}{value}{quote}")


class _Migrate(cst.CSTTransformer):
    def __init__(self, imports: dict[str, str], env: Environment) -> None:
        super().__init__()
        self.imports = imports
        self.env = env
        self.uses: list[Use] = []
        self.left: list[str] = []
        self.needs: set[str] = set()  # modules to import
        self.loops: list[tuple[str, cst.CSTNode]] = []  # entry-point loop targets and bodies

    def qualified(self, node: cst.BaseExpression) -> str:
        attrs: list[str] = []
        while isinstance(node, cst.Attribute):
            attrs.insert(0, node.attr.value)
            node = node.value
        if _module_ref(node, self.imports):
            return ".".join([_MODULE, *attrs])
        if not isinstance(node, cst.Name) or node.value not in self.imports:
            return ""
        return ".".join([self.imports[node.value], *attrs])

    def _api(self, call: cst.BaseExpression) -> str:
        """``get_distribution`` for a call of ``pkg_resources.get_distribution``, else ""."""
        if not isinstance(call, cst.Call):
            return ""
        name = self.qualified(call.func)
        return name[len(_MODULE) + 1 :] if name.startswith(_MODULE + ".") else ""

    # get_distribution(x).version
    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        call = updated_node.value
        if updated_node.attr.value != "version" or self._api(call) != "get_distribution":
            return updated_node
        assert isinstance(call, cst.Call)
        args = _positional(call, ["dist"])
        if not args:
            return updated_node
        self.needs.add("importlib.metadata")
        self.uses.append(Use("get_distribution(x).version -> importlib.metadata.version(x)", EXACT))
        return _call("importlib.metadata.version", args[0]).with_changes(
            lpar=updated_node.lpar, rpar=updated_node.rpar
        )

    # require("name") and declare_namespace(__name__) as statements
    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.Expr | cst.Assign:
        call = updated_node.value
        if self._api(call) == "declare_namespace":
            return self._namespace(updated_node)
        if self._api(call) != "require":
            return updated_node
        assert isinstance(call, cst.Call)
        args = _positional(call, ["requirements"])
        value = args[0] if args else None
        if not (
            isinstance(value, cst.SimpleString)
            and isinstance(value.evaluated_value, str)
            and _BARE_NAME.match(value.evaluated_value)
        ):
            return updated_node  # left: a version specifier, several, or not a literal
        self.needs.add("importlib.metadata")
        self.uses.append(
            Use(
                'require("x") -> importlib.metadata.distribution("x")',
                EXACT,
                caveat="it does not check x's own requirements as require() did",
            )
        )
        return updated_node.with_changes(value=_call("importlib.metadata.distribution", value))

    def _namespace(self, statement: cst.Expr) -> cst.Expr | cst.Assign:
        """``declare_namespace(__name__)`` in a package's ``__init__.py`` ->
        ``__path__ = pkgutil.extend_path(__path__, __name__)``: a pkgutil-style namespace
        package, which the other portions on sys.path join as they joined pkg_resources'."""
        call = statement.value
        assert isinstance(call, cst.Call)
        args = _positional(call, ["packageName"])
        if not (args and isinstance(args[0], cst.Name) and args[0].value == "__name__"):
            return statement
        inline = isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Call)
        pkgutil = '__import__("pkgutil")' if inline else "pkgutil"
        if not inline:
            self.needs.add("pkgutil")
        self.uses.append(
            Use(
                "declare_namespace(__name__) -> __path__ = pkgutil.extend_path(__path__, __name__)",
                ON_DISK,
                caveat="a pkgutil-style namespace: its portions on sys.path join it as before; "
                "eggs and the working set's later additions do not",
            )
        )
        assign = cst.parse_statement(f"__path__ = {pkgutil}.extend_path(__path__, __name__)\n")
        assert isinstance(assign, cst.SimpleStatementLine)
        made = assign.body[0]
        assert isinstance(made, cst.Assign)
        return made.with_changes(semicolon=statement.semicolon)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        api = self._api(updated_node)
        if api == "parse_version":
            return self._parse_version(updated_node)
        if api == "iter_entry_points":
            return self._entry_points(original_node, updated_node)
        if api in ("EntryPoint", "EntryPoint.parse"):
            return self._entry_point(api, updated_node)
        if api.startswith("resource_"):
            return self._resource(api, updated_node)
        if original_node in self.nexts:
            return self._next(updated_node)
        if _patcher(updated_node):
            return self._patch(original_node, updated_node)
        return updated_node

    def _parse_version(self, call: cst.Call) -> cst.BaseExpression:
        args = _positional(call, ["v"])
        if not args or not self.env.packaging:
            return call
        self.needs.add("packaging.version")
        self.uses.append(
            Use(
                "parse_version(v) -> packaging.version.parse(v)",
                EXACT,
                caveat="a version PEP 440 does not allow raises InvalidVersion, as "
                "pkg_resources does since setuptools 66",
            )
        )
        return _call("packaging.version.parse", args[0])

    def _entry_points(self, original: cst.Call, call: cst.Call) -> cst.BaseExpression:
        args = _positional(call, ["group", "name"])
        if not args or self.env.python < (3, 10):
            return call
        self.needs.add("importlib.metadata")
        keywords = [_keyword(k, v) for k, v in zip(("group", "name"), args, strict=False)]
        objects = self._entry_point_objects(original)
        in_next = any(outer.args[0].value is original for outer in self.nexts)
        self.uses.append(
            Use(
                "next(iter_entry_points(group, name), d) -> "
                "next(iter(importlib.metadata.entry_points(group=group, name=name)), d)"
                if in_next
                else "iter_entry_points(group) -> importlib.metadata.entry_points(group=group)",
                ENTRY_POINTS if not objects else ENTRY_POINT_OBJECTS,
                safe=not objects,
                caveat=""
                if not objects
                else f"the entry points are used beyond .name and .load() ({objects}), "
                "which importlib.metadata's EntryPoint spells differently (.module, .attr, .dist)",
            )
        )
        return _call("importlib.metadata.entry_points", *keywords)

    def _entry_point_objects(self, call: cst.Call) -> str:
        """How the loop over ``call`` uses its entry points beyond what both kinds share
        (empty: only ``.name``, ``.group``, ``.load()``); the call not iterated by a loop or a
        comprehension counts as such a use."""
        for target, body in self.loops:
            if body is call:
                return "" if not target else _other_uses(self._loop_of(call), target)
        for outer, (target, scope) in self.nexts.items():
            if outer.args[0].value is not call:
                continue
            if outer in self.direct:
                return ""
            return _next_uses(scope, target) if target else "next() not assigned to a name"
        return "not iterated in a loop"

    def _next(self, call: cst.Call) -> cst.Call:
        """``next(iter_entry_points(...), d)``: entry_points() gives a tuple, not an iterator."""
        first = call.args[0]
        inner = first.value
        if (
            not isinstance(inner, cst.Call)
            or get_full_name_for_node(inner.func) != _NEW_ENTRY_POINTS
        ):
            return call  # left as it was (its iter_entry_points is left: the file is too)
        wrapped = first.with_changes(value=cst.Call(cst.Name("iter"), [cst.Arg(first.value)]))
        return call.with_changes(args=[wrapped, *call.args[1:]])

    def _loop_of(self, call: cst.Call) -> cst.CSTNode:
        for node in self._loop_nodes:
            if isinstance(node, cst.For) and node.iter is call:
                return node
            if isinstance(node, cst.CompFor) and node.iter is call:
                return self._comprehensions[node]
        return call

    def visit_Module(self, node: cst.Module) -> None:
        collect = _Loops(self)
        node.visit(collect)
        self._loop_nodes = collect.nodes
        self._comprehensions = collect.owners
        self.loops = collect.iterables
        self.nexts = collect.nexts
        self.direct = collect.direct
        self.bound = collect.bound
        self.functions = collect.functions
        self.mocks = collect.mocks
        self.decorated = collect.decorated
        self.code = node.code

    def _entry_point(self, api: str, call: cst.Call) -> cst.BaseExpression:
        """``EntryPoint(name, module_name, attrs, extras)`` and ``EntryPoint.parse("n = m:a")``
        (literals) -> ``importlib.metadata.EntryPoint(name, value, group=None)``."""
        if api == "EntryPoint":
            args = _positional(call, ["name", "module_name", "attrs", "extras"])
            value = _entry_point_value(args[1:]) if args and len(args) > 1 else None
            name = args[0] if args else None
        else:
            name, value = _parsed_entry_point(call)
        if name is None or value is None or self.env.python < (3, 8):
            return call
        self.needs.add("importlib.metadata")
        self.uses.append(
            Use(
                f"{api}(...) -> importlib.metadata.EntryPoint(name, value, group=None)",
                ENTRY_POINTS,
                caveat="the new EntryPoint spells .module_name, .attrs as .module, .attr and "
                "prints differently; a pkg_resources EntryPoint has no group",
            )
        )
        return _call("importlib.metadata.EntryPoint", name, value, _keyword("group", _expr("None")))

    def _checked(self, original: cst.Call, new_at: int) -> bool:
        """Whether the mock ``original`` installs has its call arguments checked: the one its
        ``new`` argument names, or the name it is bound to (``with ... as m``, ``m = ...``),
        anywhere in the file; a decorator's, anywhere in what it decorates."""
        new = _argument(original, "new", new_at)
        effect = _argument(original, "side_effect", -1)
        if not (self._takes_keywords(new) and self._takes_keywords(effect)):
            return True  # a stand-in that entry_points(group=...) would call wrongly
        if original in self.decorated:
            return re.search(rf"\.({_CHECKS})\b", _code(self.decorated[original])) is not None
        names = {self.bound[original]} if original in self.bound else set()
        if isinstance(new, cst.Name):
            names.add(new.value)
        return any(re.search(rf"\b{re.escape(n)}\.({_CHECKS})\b", self.code) for n in names)

    def _takes_keywords(self, value: cst.BaseExpression | None) -> bool:
        """Whether a mock's stand-in takes the calls the migrated code makes:
        ``entry_points(group=g[, name=n])``. A Mock (or none: patch makes one) takes anything;
        a function or lambda must take ``group`` and ``name`` by keyword (or ``**kwargs``)
        and no other argument it requires; another name is unknown."""
        if value is None:
            return True
        if isinstance(value, cst.Name):
            if value.value in self.mocks:
                return True
            parameters = self.functions.get(value.value)
            return parameters is not None and _keyword_parameters(parameters)
        if isinstance(value, cst.Lambda):
            return _keyword_parameters(value.params)
        return isinstance(value, cst.Call) and _is_mock(value)

    def _patch(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """A mock of ``pkg_resources.iter_entry_points`` -> of ``importlib.metadata.entry_points``,
        which the migrated code calls (by attribute, as the patch needs); left when the mock's
        call arguments are checked (the migrated calls pass keywords)."""
        kind = _patcher(call)
        args = list(call.args)
        if not args or args[0].keyword or args[0].star:
            return call
        target = args[0].value
        string = _string(target) == f"{_MODULE}.iter_entry_points"
        if self._checked(original, 1 if string else 2):
            return call
        if kind in ("patch", "setattr") and string:
            assert isinstance(target, cst.SimpleString)
            new = f"{target.quote}{_NEW_ENTRY_POINTS}{target.quote}"
            args[0] = args[0].with_changes(value=cst.SimpleString(new))
        elif (
            kind in ("object", "setattr")
            and len(args) > 1
            and self.qualified(args[0].value) == _MODULE
            and _string(args[1].value) == "iter_entry_points"
            and not args[1].keyword
        ):
            attribute = args[1].value
            assert isinstance(attribute, cst.SimpleString)
            args[0] = args[0].with_changes(value=_expr("importlib.metadata"))
            new = f"{attribute.quote}entry_points{attribute.quote}"
            args[1] = args[1].with_changes(value=cst.SimpleString(new))
        else:
            return call
        self.needs.add("importlib.metadata")
        self.uses.append(
            Use(
                "a mock of iter_entry_points -> of importlib.metadata.entry_points",
                ENTRY_POINTS,
                caveat="it stands in for the entry_points(group=...) calls this migration "
                "writes, which pass keywords",
                patch=True,
            )
        )
        return call.with_changes(args=args)

    def _resource(self, api: str, call: cst.Call) -> cst.BaseExpression:
        args = _positional(call, ["package_or_requirement", "resource_name"])
        if not args or len(args) != 2:
            return call
        owner, name = args
        if isinstance(owner, cst.Name) and owner.value == "__name__":
            return self._module_resource(api, name, call)
        if isinstance(owner, cst.SimpleString) and self.env.python >= (3, 9):
            return self._package_resource(api, owner, name, call)
        return call

    def _module_resource(
        self, api: str, name: cst.BaseExpression, call: cst.Call
    ) -> cst.BaseExpression:
        """``resource_*(__name__, p)``: the file ``p`` next to this module."""
        path = _call("os.path.join", _call("os.path.dirname", _expr("__file__")), name)
        made: dict[str, cst.BaseExpression] = {
            "resource_filename": path,
            "resource_exists": _call("os.path.exists", path),
            "resource_isdir": _call("os.path.isdir", path),
            "resource_listdir": _call("os.listdir", path),
            "resource_stream": _call("open", path, cst.SimpleString('"rb"')),
        }
        if api == "resource_string":
            self.needs.add("pathlib")
            here = _expr("pathlib.Path(__file__).parent")
            made[api] = cst.Call(
                cst.Attribute(
                    cst.Call(cst.Attribute(here, cst.Name("joinpath")), [cst.Arg(_plain(name))]),
                    cst.Name("read_bytes"),
                ),
                [],
            )
        if api not in made:
            return call
        if api != "resource_string":
            self.needs.add("os")
        self.uses.append(
            Use(
                f"{api}(__name__, p) -> the file next to the module",
                EXACT,
                caveat="a module inside a zipped egg has no such file",
            )
        )
        return made[api]

    def _package_resource(
        self, api: str, package: cst.BaseExpression, name: cst.BaseExpression, call: cst.Call
    ) -> cst.BaseExpression:
        """``resource_*("pkg", p)``: ``importlib.resources.files("pkg")``, a Traversable that
        is a real path for a package on disk."""
        files = _call("importlib.resources.files", package)
        joined = cst.Call(cst.Attribute(files, cst.Name("joinpath")), [cst.Arg(_plain(name))])

        def method(name: str, *args: cst.BaseExpression) -> cst.Call:
            return cst.Call(cst.Attribute(joined, cst.Name(name)), [cst.Arg(a) for a in args])

        made: dict[str, cst.BaseExpression] = {
            "resource_filename": _call("str", joined),
            "resource_string": method("read_bytes"),
            "resource_stream": method("open", cst.SimpleString('"rb"')),
            "resource_isdir": method("is_dir"),
            "resource_listdir": _expr(f"[r.name for r in {_code(method('iterdir'))}]"),
        }
        if api not in made:
            return call
        self.needs.add("importlib.resources")
        self.uses.append(
            Use(
                f'{api}("pkg", p) -> importlib.resources.files("pkg").joinpath(p)',
                ON_DISK,
                caveat="exact for a package on disk; in a zip file, files() is no real path",
            )
        )
        return made[api]

    # except DistributionNotFound:
    def leave_ExceptHandler(
        self, original_node: cst.ExceptHandler, updated_node: cst.ExceptHandler
    ) -> cst.ExceptHandler:
        kind = updated_node.type
        if kind is None:
            return updated_node
        if isinstance(kind, cst.Tuple):
            elements = [e.with_changes(value=self._exception(e.value)) for e in kind.elements]
            new: cst.BaseExpression = kind.with_changes(elements=elements)
        else:
            new = self._exception(kind)
        return updated_node.with_changes(type=new)

    def _exception(self, node: cst.BaseExpression) -> cst.BaseExpression:
        if self.qualified(node) != f"{_MODULE}.DistributionNotFound":
            return node
        self.needs.add("importlib.metadata")
        self.uses.append(
            Use(
                "except DistributionNotFound -> except importlib.metadata.PackageNotFoundError",
                EXACT,
            )
        )
        return _expr("importlib.metadata.PackageNotFoundError")


class _Loops(cst.CSTVisitor):
    """Every ``for x in <call>`` and comprehension over a call: the call, the loop's target
    name (empty when not a plain name), and the node its uses are in."""

    def __init__(self, migrate: _Migrate) -> None:
        super().__init__()
        self.migrate = migrate
        self.iterables: list[tuple[str, cst.CSTNode]] = []
        self.nodes: list[cst.CSTNode] = []
        self.owners: dict[cst.CompFor, cst.CSTNode] = {}
        self._comps: list[cst.CSTNode] = []
        # next(iter_entry_points(...)): the name it is assigned to ("" if none), and the
        # function (or module) where that name lives
        self.nexts: dict[cst.Call, tuple[str, cst.CSTNode]] = {}
        self.direct: set[cst.Call] = set()  # next(...) used at once as both kinds allow
        self.bound: dict[cst.Call, str] = {}  # a call's value bound to a name: = or with-as
        self.functions: dict[str, cst.Parameters] = {}  # def or name = lambda: its parameters
        self.mocks: set[str] = set()  # names bound to Mock(...), MagicMock(...)
        self.decorated: dict[cst.Call, cst.CSTNode] = {}  # a decorator's call: what it decorates
        self._scopes: list[cst.CSTNode] = []

    def visit_Module(self, node: cst.Module) -> None:
        self._scopes.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(node)
        self._decorators(node)
        self.functions[node.name.value] = node.params

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._decorators(node)

    def _decorators(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        for decorator in node.decorators:
            if isinstance(decorator.decorator, cst.Call):
                self.decorated[decorator.decorator] = node

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if (
            isinstance(node.item, cst.Call)
            and node.asname
            and isinstance(node.asname.name, cst.Name)
        ):
            self.bound[node.item] = node.asname.name.value

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def _is_next(self, node: cst.BaseExpression) -> bool:
        """``next(pkg_resources.iter_entry_points(...)[, default])``."""
        return (
            isinstance(node, cst.Call)
            and is_name(node.func, "next")
            and 1 <= len(node.args) <= 2
            and not any(a.keyword or a.star for a in node.args)
            and self.migrate._api(node.args[0].value) == "iter_entry_points"
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(node.value, cst.Call) and isinstance(target, cst.Name):
            self.bound[node.value] = target.value
            if _is_mock(node.value):
                self.mocks.add(target.value)
        if isinstance(node.value, cst.Lambda) and isinstance(target, cst.Name):
            self.functions[target.value] = node.value.params
        if self._is_next(node.value) and isinstance(target, cst.Name):
            assert isinstance(node.value, cst.Call)
            self.nexts[node.value] = (target.value, self._scopes[-1])

    def visit_Call(self, node: cst.Call) -> None:
        if self._is_next(node):
            self.nexts.setdefault(node, ("", self._scopes[-1]))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._is_next(node.value) and node.attr.value in _ENTRY_POINT_SAME:
            assert isinstance(node.value, cst.Call)
            self.direct.add(node.value)  # next(...).load()

    def visit_Expr(self, node: cst.Expr) -> None:
        if self._is_next(node.value):
            assert isinstance(node.value, cst.Call)
            self.direct.add(node.value)  # next(...) for its StopIteration only

    def _target(self, node: cst.BaseExpression) -> str:
        return node.value if isinstance(node, cst.Name) else ""

    def visit_For(self, node: cst.For) -> None:
        self.nodes.append(node)
        self.iterables.append((self._target(node.target), node.iter))

    def _comprehension(self, node: cst.CSTNode) -> None:
        self._comps.append(node)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.nodes.append(node)
        self.owners[node] = self._comps[-1] if self._comps else node
        self.iterables.append((self._target(node.target), node.iter))


def _other_uses(scope: cst.CSTNode, name: str) -> str:
    """The uses of ``name`` in ``scope`` that are not ``.name``, ``.group`` or ``.load``."""
    found: list[str] = []

    class Uses(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if isinstance(node.value, cst.Name) and node.value.value == name:
                if node.attr.value not in _ENTRY_POINT_SAME:
                    found.append(f".{node.attr.value}")
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                found.append(name)

        def visit_CompFor(self, node: cst.CompFor) -> bool:
            node.iter.visit(self)
            for child in node.ifs:
                child.visit(self)
            if node.inner_for_in is not None:
                node.inner_for_in.visit(self)
            return False

        def visit_For(self, node: cst.For) -> bool:
            node.body.visit(self)
            if node.orelse is not None:
                node.orelse.visit(self)
            return False

    scope.visit(Uses())
    return ", ".join(dict.fromkeys(found))


def _next_uses(scope: cst.CSTNode, name: str) -> str:
    """The uses of ``name`` (an entry point or None, from ``next(..., None)``) in ``scope``
    that are not ``.name``, ``.group``, ``.load``, ``is (not) None``, a truth test (both kinds
    of entry point are always true) or an assignment to it."""
    found: list[str] = []

    class Uses(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if is_name(node.value, name):
                if node.attr.value not in _ENTRY_POINT_SAME:
                    found.append(f".{node.attr.value}")
                return False
            return True

        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return not is_name(node.target, name)

        def visit_Comparison(self, node: cst.Comparison) -> bool:
            return not (
                is_name(node.left, name)
                and all(
                    isinstance(c.operator, (cst.Is, cst.IsNot)) and is_name(c.comparator, "None")
                    for c in node.comparisons
                )
            )

        def visit_If(self, node: cst.If) -> bool:
            return self._tested(node.test, node.body, node.orelse)

        def visit_While(self, node: cst.While) -> bool:
            return self._tested(node.test, node.body, node.orelse)

        def visit_IfExp(self, node: cst.IfExp) -> bool:
            return self._tested(node.test, node.body, node.orelse)

        def _tested(self, test: cst.BaseExpression, *parts: cst.CSTNode | None) -> bool:
            if not is_name(test, name):
                return True
            for part in parts:
                if part is not None:
                    part.visit(self)
            return False

        def visit_UnaryOperation(self, node: cst.UnaryOperation) -> bool:
            return not (isinstance(node.operator, cst.Not) and is_name(node.expression, name))

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                found.append(name)

    scope.visit(Uses())
    return ", ".join(dict.fromkeys(found))


class _Refs(cst.CSTVisitor):
    """What still imports pkg_resources without an import statement:
    ``__import__("pkg_resources")``, which fails as the import would. (A ``sys.modules`` read
    or a mock's target ``"pkg_resources.x"`` left fails only the tests that reach it.)"""

    def __init__(self, imports: dict[str, str]) -> None:
        super().__init__()
        self.imports = imports
        self.found: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Call) and _module_ref(node.value, self.imports):
            self.found.append(f"{_MODULE}.{node.attr.value}")
            return False
        return True

    def visit_Call(self, node: cst.Call) -> None:
        if _module_ref(node, self.imports):
            self.found.append(_code(node))

    def visit_Try(self, node: cst.Try) -> bool:
        """A body guarded by ``except ImportError`` already copes without pkg_resources (the
        namespace idiom with a pkgutil fallback): not counted."""
        if not any(_catches_import_error(h) for h in node.handlers):
            return True
        for part in (*node.handlers, node.orelse, node.finalbody):
            if part is not None:
                part.visit(self)
        return False


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    names = {get_full_name_for_node(k.value if isinstance(k, cst.Element) else k) for k in kinds}
    return bool(names & {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _left(names: set[str], imports: dict[str, str], locals_: set[str]) -> list[str]:
    """The pkg_resources APIs ``names`` (read in the file) still use, by their qualified
    name: ``pkg_resources.working_set``."""
    found: set[str] = set()
    for name in names:
        root, _, rest = name.partition(".")
        if root not in locals_:
            continue
        qualified = imports[root]
        found.add(
            f"{qualified}.{rest.partition('.')[0]}" if qualified == _MODULE and rest else qualified
        )
    # pkg_resources itself is listed only when nothing more precise is
    precise = {f for f in found if f != _MODULE}
    return sorted(precise or found)


def _is_pkg_resources(statement: cst.CSTNode) -> bool:
    if isinstance(statement, cst.ImportFrom):
        module = get_full_name_for_node(statement.module) if statement.module else ""
        return not statement.relative and (module or "").partition(".")[0] == _MODULE
    if isinstance(statement, cst.Import):
        return all(
            (get_full_name_for_node(a.name) or "").partition(".")[0] == _MODULE
            for a in statement.names
        )
    return False


class _DropImports(DroppingLines):
    """The pkg_resources imports removed; the lines above each go to the next statement."""

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        body = [s for s in updated_node.body if not _is_pkg_resources(s)]
        if not body:
            self.removed.append(original_node)
            return cst.RemoveFromParent()
        if len(body) != len(updated_node.body):
            body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(body=body)
        return updated_node


def _check_names(module: cst.Module, imports: dict[str, str], needs: set[str]) -> None:
    """The roots the new imports bind must not be bound to something else in the file."""
    bound = bound_names(module.code)
    for needed in needs:
        root = needed.partition(".")[0]
        if root in bound and imports.get(root, root) != root:
            raise Unfixable(f"{root!r} is bound to something else in this file")


def migrate_pkg_resources(
    env: Environment, uses: list[Use] | None = None, style: ImportStyle | None = None
) -> Transform:
    """The transform of one file; ``uses`` (when given) receives what it rewrote. The imports
    it adds go where ``style`` (the project's isort or ruff settings) puts them."""

    def transform(module: cst.Module) -> cst.Module:
        if "import *" in _code_of_imports(module):
            raise Unfixable("from pkg_resources import *: the names it uses are unknown")
        imports = import_map(module)
        locals_ = {k for k, v in imports.items() if v == _MODULE or v.startswith(_MODULE + ".")}
        refs = _Refs(imports)
        module.visit(refs)
        if not locals_ and not refs.found:
            return module
        migrate = _Migrate(imports, env)
        after = module.visit(migrate)
        free = names_read(after)
        refs = _Refs(imports)
        after.visit(refs)
        left = _left(free, imports, locals_) + list(dict.fromkeys(refs.found))
        if left:
            raise Unfixable(f"pkg_resources left in use: {', '.join(left)}")
        _check_names(after, imports, migrate.needs)
        for needed in sorted(migrate.needs):
            after = add_import(needed, style=style)(after)
        after = after.visit(_DropImports())
        if uses is not None:
            uses[:] = migrate.uses
        return after

    return transform


def _code_of_imports(module: cst.Module) -> str:
    return "\n".join(_code(s) for s in module.body if any(_is_pkg_resources(x) for x in _smalls(s)))


def _smalls(statement: cst.CSTNode) -> Sequence[cst.CSTNode]:
    return statement.body if isinstance(statement, cst.SimpleStatementLine) else []
