"""Imports no import statement shows: modules a file loads by name or by path at run time.

The project index (:mod:`pytest_autofix.project`) records what this module finds in each file, so
that verification knows which tests a module loaded dynamically affects. A file says one of:

- ``"pkg.mod"``: it imports that module by a name it spells (``importlib.import_module``,
  ``__import__``, ``pytest.importorskip``, ``runpy.run_module``, ``pytest_plugins``, ...), as
  a string, a module-level constant, a ``for`` loop over strings or a ``parametrize`` list;
- ``"pkg.plugins.*"``: a name it builds from a literal start (``f"pkg.plugins.{name}"``,
  ``"pkg." + name``): every module whose dotted name starts so;
- ``".mod"``, ``".*"``: the same, relative to the file's own package
  (``import_module("." + name, __name__)``, the lazy loader of many ``__init__.py``);
- ``"*"``: something no literal in the file names (a name from elsewhere, a path,
  ``spec_from_file_location``, ``runpy.run_path``, entry points): it may load any module.

Only files whose bytes mention one of these loaders are walked (:data:`TRIGGERS`).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Iterator

__all__ = ["ANY", "TRIGGERS", "scan"]

ANY = "*"

# the callables that import the module their first argument names
_BY_NAME = frozenset(
    {
        "import_module",
        "__import__",
        "importorskip",
        "run_module",
        "import_string",
        "find_spec",
        "resolve_name",
    }
)
# ... and those that load what no name in the call says (a path, an entry point, a loader)
_BY_PATH = frozenset(
    {
        "spec_from_file_location",
        "spec_from_loader",
        "run_path",
        "load_source",
        "load_module",
        "SourceFileLoader",
        "SourcelessFileLoader",
        "entry_points",
        "iter_entry_points",
        "load_entry_point",
    }
)
# a file whose bytes hold none of these is not walked
TRIGGERS = (
    b"import_module",
    b"__import__",
    b"importorskip",
    b"run_module",
    b"run_path",
    b"import_string",
    b"find_spec",
    b"spec_from_",
    b"load_source",
    b"load_module",
    b"FileLoader",
    b"entry_point",
    b"resolve_name",
    b"pytest_plugins",
)
_DOTTED = re.compile(r"\.*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_PREFIX = re.compile(r"\.*([A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_0-9]*")
_ANCHORS = frozenset({"__name__", "__package__"})


def scan(source: bytes, tree: ast.Module) -> tuple[str, ...]:
    """What ``tree`` (parsed from ``source``) loads dynamically, in the forms above, sorted."""
    if not any(trigger in source for trigger in TRIGGERS):
        return ()
    names = _Names(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found.update(_call(node, names))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            found.update(_pytest_plugins(node))
    return tuple(sorted(found))


def _call(node: ast.Call, names: _Names) -> Iterator[str]:
    func = node.func
    callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if callee in _BY_PATH:
        yield ANY
        return
    if callee not in _BY_NAME:
        return
    if not node.args:
        name_kw = [k.value for k in node.keywords if k.arg in ("name", "modname", "mod_name")]
        if not name_kw:
            yield ANY
            return
        first = name_kw[0]
    else:
        first = node.args[0]
    spelled = _values(first, names)
    if spelled is None:
        yield ANY
        return
    anchor = _anchor(node) if callee == "import_module" else ""
    fromlist = _fromlist(node) if callee == "__import__" else ()
    for value in spelled:
        if value.startswith("."):
            if anchor is None:
                yield ANY
                continue
            value = _join(anchor, value) if anchor else value
        yield value
        for sub in fromlist:
            if not value.endswith("*"):
                yield f"{value}.{sub}"


def _anchor(node: ast.Call) -> str | None:
    """``import_module``'s package: "" for the importing module's own (``__name__``,
    ``__package__``, ``__spec__.parent``), the name a literal gives, None when unknown."""
    given = node.args[1] if len(node.args) > 1 else None
    for keyword in node.keywords:
        if keyword.arg == "package":
            given = keyword.value
    if given is None:
        return None
    if isinstance(given, ast.Name) and given.id in _ANCHORS:
        return ""
    if isinstance(given, ast.Attribute) and given.attr == "parent":
        return ""
    if isinstance(given, ast.Constant) and isinstance(given.value, str) and given.value:
        return given.value
    return None


def _join(anchor: str, relative: str) -> str:
    level = len(relative) - len(relative.lstrip("."))
    parts = anchor.split(".")
    if level - 1 >= len(parts):
        return ANY
    base = parts[: len(parts) - (level - 1)]
    rest = relative[level:]
    return ".".join([*base, rest]) if rest else ".".join(base)


def _fromlist(node: ast.Call) -> tuple[str, ...]:
    given = node.args[3] if len(node.args) > 3 else None
    for keyword in node.keywords:
        if keyword.arg == "fromlist":
            given = keyword.value
    if not isinstance(given, ast.List | ast.Tuple):
        return ()
    return tuple(_strings(given.elts) or ())


def _pytest_plugins(node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> Iterator[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if not any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in targets):
        return
    value = node.value
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        yield from _dotted([value.value])
        return
    if isinstance(value, ast.List | ast.Tuple):
        strings = _strings(value.elts)
        if strings is not None:
            yield from _dotted(strings)
            return
    if value is not None:
        yield ANY


def _values(node: ast.expr, names: _Names) -> list[str] | None:
    """The names (or ``prefix*``) ``node`` can spell; None when no literal says."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return list(_dotted([node.value]))
    if isinstance(node, ast.Name):
        bound = names.literals.get(node.id)
        return None if bound is None else list(_dotted(bound))
    prefix = _prefix(node)
    if not prefix or not _PREFIX.fullmatch(prefix):  # "": any module at all
        return None
    return [prefix + ANY]


def _prefix(node: ast.expr) -> str | None:
    """The literal start of a name built at run time: ``f"a.{x}"``, ``"a." + x``,
    ``"a.%s" % x``, ``"a.{}".format(x)``."""
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value
    elif isinstance(node, ast.BinOp) and _is_str(node.left):
        left: str = node.left.value  # type: ignore[attr-defined]
        if isinstance(node.op, ast.Add):
            return left
        if isinstance(node.op, ast.Mod):
            return left.partition("%")[0]
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and _is_str(node.func.value)
    ):
        return str(node.func.value.value).partition("{")[0]  # type: ignore[attr-defined]
    return None


def _dotted(values: Iterable[str]) -> Iterator[str]:
    """The values that can be module names (others import nothing of the project)."""
    return (v for v in values if _DOTTED.fullmatch(v))


def _strings(elts: list[ast.expr]) -> list[str] | None:
    out = []
    for elt in elts:
        if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
            return None
        out.append(elt.value)
    return out


class _Names:
    """The module's :func:`_literal_names`, found when a call first asks (most never do)."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree

    @functools.cached_property
    def literals(self) -> dict[str, set[str] | None]:
        return _literal_names(self.tree)


def _literal_names(tree: ast.Module) -> dict[str, set[str] | None]:
    """Every name the module binds, with the strings it may hold when every binding is a
    literal (a string constant, a ``for`` over strings, a ``parametrize`` column of strings),
    else None. Scopes are not told apart: a name bound otherwise anywhere is unknown."""
    names: dict[str, set[str] | None] = {}

    def bind(name: str, values: Iterable[str] | None) -> None:
        if values is None or (name in names and names[name] is None):
            names[name] = None
            return
        names.setdefault(name, set()).update(values)  # type: ignore[union-attr]

    for node in ast.walk(tree):
        for name, values in _bindings(node):
            bind(name, values)
    return names


def _bindings(node: ast.AST) -> Iterator[tuple[str, list[str] | None]]:
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        literal = [value.value] if _is_str(value) else None  # type: ignore[union-attr]
        for target in targets:
            yield from _targets(target, literal)
    elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
        yield from _targets(node.target, _iterated(node.iter))
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        columns = _parametrized(node) if not isinstance(node, ast.Lambda) else {}
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in every:
            yield arg.arg, columns.get(arg.arg)
    elif isinstance(node, ast.AugAssign):
        yield from _targets(node.target, None)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        yield from _targets(node.optional_vars, None)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name, None
    elif isinstance(node, ast.Import | ast.ImportFrom):
        for alias in node.names:
            yield (alias.asname or alias.name).partition(".")[0], None


def _is_str(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _targets(target: ast.expr, values: list[str] | None) -> Iterator[tuple[str, list[str] | None]]:
    if isinstance(target, ast.Name):
        yield target.id, values
    else:  # unpacking, attributes, subscripts: no literal is known for the names inside
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                yield node.id, None


def _iterated(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return _strings(node.elts)
    return None


def _parametrized(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, list[str] | None]:
    """The arguments a ``parametrize`` mark gives only strings: name -> those strings."""
    columns: dict[str, list[str] | None] = {}
    for decorator in node.decorator_list:
        if not (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "parametrize"
            and len(decorator.args) >= 2
            and _is_str(decorator.args[0])
            and isinstance(decorator.args[1], ast.List | ast.Tuple)
        ):
            continue
        argnames = [a.strip() for a in decorator.args[0].value.split(",") if a.strip()]  # type: ignore[attr-defined]
        rows = [_row(elt, len(argnames)) for elt in decorator.args[1].elts]
        for i, name in enumerate(argnames):
            column = [row[i] for row in rows if row is not None]
            ok = len(column) == len(rows) and all(isinstance(v, str) for v in column)
            columns[name] = [str(v) for v in column] if ok else None
    return columns


def _row(elt: ast.expr, width: int) -> list[object] | None:
    """One parametrize row's values (constants only; ``pytest.param(...)`` unwrapped)."""
    if isinstance(elt, ast.Call) and getattr(elt.func, "attr", None) == "param":
        values: list[ast.expr] = list(elt.args)
    elif width > 1 and isinstance(elt, ast.Tuple | ast.List):
        values = list(elt.elts)
    else:
        values = [elt]
    if len(values) != width or not all(isinstance(v, ast.Constant) for v in values):
        return None
    return [v.value for v in values]  # type: ignore[attr-defined]
