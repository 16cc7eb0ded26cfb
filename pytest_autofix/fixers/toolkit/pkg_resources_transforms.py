"""``pkg_resources`` uses rewritten into ``importlib.metadata``, ``importlib.resources``,
``os.path`` and ``packaging.version``, each with how exact it is.

:func:`migrate_pkg_resources` returns a transform for one file. Every use it knows is rewritten
and recorded as a :class:`Use` (what, how sure, whether it is safe); the file's pkg_resources
imports then go. A file that keeps a use it cannot rewrite exactly (``get_distribution(x)``
kept as an object, ``require("x>=1")``, ``working_set``, ``declare_namespace``) raises
:class:`Unfixable` naming it, and is left whole: the import of a removed module would still
fail.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pytest_autofix.fixers.toolkit.cst import names_read
from pytest_autofix.fixers.toolkit.environment_transforms import bound_names, import_map
from pytest_autofix.fixers.toolkit.import_style import ImportStyle
from pytest_autofix.fixers.toolkit.import_transforms import Transform, Unfixable, add_import
from pytest_autofix.fixers.toolkit.nose_transforms import breaks_lines, keep_spacing

__all__ = ["Environment", "Use", "migrate_pkg_resources"]

_MODULE = "pkg_resources"
# a requirement that is only a distribution name (no version specifier, marker or extra)
_BARE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# the attributes of a pkg_resources EntryPoint that an importlib.metadata EntryPoint has too
_ENTRY_POINT_SAME = frozenset({"name", "load", "group"})

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
        dotted = get_full_name_for_node(node) or ""
        root, dot, rest = dotted.partition(".")
        if root not in self.imports:
            return ""
        return self.imports[root] + dot + rest

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
        self.needs.add("pkgutil")
        self.uses.append(
            Use(
                "declare_namespace(__name__) -> __path__ = pkgutil.extend_path(__path__, __name__)",
                ON_DISK,
                caveat="a pkgutil-style namespace: its portions on sys.path join it as before; "
                "eggs and the working set's later additions do not",
            )
        )
        assign = cst.parse_statement("__path__ = pkgutil.extend_path(__path__, __name__)\n")
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
        if api.startswith("resource_"):
            return self._resource(api, updated_node)
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
        self.uses.append(
            Use(
                "iter_entry_points(group) -> importlib.metadata.entry_points(group=group)",
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
        return "not iterated in a loop"

    def _loop_of(self, call: cst.Call) -> cst.CSTNode:
        for node in self._loop_nodes:
            if isinstance(node, cst.For) and node.iter is call:
                return node
            if isinstance(node, cst.CompFor) and node.iter is call:
                return self._comprehensions[node]
        return call

    def visit_Module(self, node: cst.Module) -> None:
        collect = _Loops()
        node.visit(collect)
        self._loop_nodes = collect.nodes
        self._comprehensions = collect.owners
        self.loops = collect.iterables

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

    def __init__(self) -> None:
        super().__init__()
        self.iterables: list[tuple[str, cst.CSTNode]] = []
        self.nodes: list[cst.CSTNode] = []
        self.owners: dict[cst.CompFor, cst.CSTNode] = {}
        self._comps: list[cst.CSTNode] = []

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


class _DropImports(cst.CSTTransformer):
    """The pkg_resources imports removed; the lines above each go to the next statement."""

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
        if not locals_:
            return module
        migrate = _Migrate(imports, env)
        after = module.visit(migrate)
        free = names_read(after)
        left = _left(free, imports, locals_)
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
