"""What the import fixers read: import statements with the local names they bind, the names a
file uses from a module, and the names a module provides (a project module or one of the
project), all with :mod:`ast`. Nothing here edits or imports project code; the environment's
modules are read in ``_imports_env``.
"""

from __future__ import annotations

import ast
import collections
import dataclasses
import difflib
import keyword
import re
import warnings
import weakref
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_autofix.project import ModuleInfo, Project


@dataclasses.dataclass(frozen=True)
class ImportStmt:
    """One imported name of one import statement, with the local name it binds."""

    module: str  # absolute ("" when a relative import climbs above the top package)
    name: str | None  # from-imports: the imported name ("*" possible); None for `import module`
    asname: str | None
    line: int
    level: int  # as written
    type_checking: bool  # under `if TYPE_CHECKING:`
    top_level: bool  # runs at module level (not in a def or class body)

    @property
    def binds(self) -> str:
        """The local name the statement binds (``import a.b`` binds ``a``)."""
        if self.asname:
            return self.asname
        if self.name is not None:
            return self.name
        return self.module.partition(".")[0]

    def statement(self) -> str:
        """The statement as a line of code, with the absolute module."""
        alias = f" as {self.asname}" if self.asname else ""
        if self.name is None:
            return f"import {self.module}{alias}"
        return f"from {self.module} import {self.name}{alias}"


def package_of(info: ModuleInfo) -> str:
    """The package relative imports of ``info`` are resolved against."""
    return info.name if info.is_package else info.name.rpartition(".")[0]


def resolve(package: str, level: int, module: str | None) -> str:
    """The absolute module of ``from <level dots><module> import ...`` seen from ``package``."""
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    climb = level - 1
    if climb >= len(parts):
        return ""
    base = parts[: len(parts) - climb]
    return ".".join([*base, module] if module else base)


def relative_form(package: str, level: int, absolute: str) -> tuple[int, str] | None:
    """``absolute`` written with ``level`` leading dots from ``package``, when that is possible."""
    base = resolve(package, level, None)
    if not base:
        return None
    if absolute == base:
        return level, ""
    if absolute.startswith(base + "."):
        return level, absolute[len(base) + 1 :]
    return None


def parse(source: bytes) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None


def is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def import_statements(tree: ast.Module, package: str) -> list[ImportStmt]:
    """Every import of the module, in source order, flagged by where it sits."""
    found: list[ImportStmt] = []

    def visit(body: Iterable[ast.stmt], top: bool, checking: bool) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append(
                        ImportStmt(alias.name, None, alias.asname, node.lineno, 0, checking, top)
                    )
            elif isinstance(node, ast.ImportFrom):
                module = resolve(package, node.level, node.module)
                for alias in node.names:
                    found.append(
                        ImportStmt(
                            module, alias.name, alias.asname, node.lineno, node.level, checking, top
                        )
                    )
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(node.body, False, checking)
            elif isinstance(node, ast.If) and is_type_checking(node.test):
                visit(node.body, top, True)
                visit(node.orelse, top, checking)
            else:
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, None) or [], top, checking)
                for handler in getattr(node, "handlers", None) or []:
                    visit(handler.body, top, checking)
                for case in getattr(node, "cases", None) or []:
                    visit(case.body, top, checking)

    visit(tree.body, True, False)
    return found


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def attributes_of(tree: ast.AST, binding: str) -> set[str]:
    """The attributes read from ``binding`` (a local name or a dotted chain) in the file."""
    return set(_index(tree).attributes.get(binding, ()))


@dataclasses.dataclass
class _Names:
    """One walk of a tree, for every question the import fixers ask about names in it (they
    ask once per issue and file: one walk per file instead)."""

    loads: dict[str, list[ast.Name]]  # name -> its loads, in ast.walk order
    attributes: dict[str, set[str]]  # dotted chain -> the attributes read from it
    calls: dict[str, list[ast.Call]]  # dotted callee -> the calls, in ast.walk order
    bases: collections.Counter[str]  # dotted base class -> how often
    reads: collections.Counter[str]  # dotted name or attribute chain -> how often
    bindings: dict[str, str] | None = None  # top_level_bindings, when asked


# Trees are shared (``Project.tree``) and dropped when their file is invalidated; so is this.
_NAMES: weakref.WeakKeyDictionary[ast.AST, _Names] = weakref.WeakKeyDictionary()


def _index(tree: ast.AST) -> _Names:
    names = _NAMES.get(tree)
    if names is not None:
        return names
    names = _Names({}, {}, {}, collections.Counter(), collections.Counter())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = dotted(node.func)
            if callee is not None:
                names.calls.setdefault(callee, []).append(node)
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = dotted(base)
                if name is not None:
                    names.bases[name] += 1
        elif isinstance(node, ast.Name | ast.Attribute):
            name = dotted(node)
            if name is not None:
                names.reads[name] += 1
        if isinstance(node, ast.Attribute):
            owner = dotted(node.value)
            if owner is not None:
                names.attributes.setdefault(owner, set()).add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            names.loads.setdefault(node.id, []).append(node)
    _NAMES[tree] = names
    return names


def module_bindings(statements: Iterable[ImportStmt], module: str) -> set[str]:
    """The local expressions through which a file reaches ``module``: ``a.b`` for ``import
    a.b``, ``x`` for ``import a.b as x`` or ``from a import b as x``."""
    found: set[str] = set()
    parent, _, last = module.rpartition(".")
    for stmt in statements:
        if stmt.name is None and (stmt.module == module or stmt.module.startswith(module + ".")):
            found.add(stmt.asname or module)
        elif stmt.name is not None and stmt.module == parent and stmt.name == last:
            found.add(stmt.binds)
    return found


def top_level_bindings(tree: ast.Module) -> dict[str, str]:
    """Names bound at module level (what runs: ``if TYPE_CHECKING:`` bodies are left out), as
    name -> "function" | "class" | "variable" | "import"."""
    names = _index(tree)
    if names.bindings is None:
        names.bindings = _top_level_bindings(tree)
    return dict(names.bindings)


def _top_level_bindings(tree: ast.Module) -> dict[str, str]:
    found: dict[str, str] = {}

    def bind(name: str, kind: str) -> None:
        if kind != "import" or found.get(name, "import") == "import":
            found[name] = kind

    def targets(target: ast.expr | None) -> Iterator[str]:
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                yield from targets(element)
        elif isinstance(target, ast.Starred):
            yield from targets(target.value)

    def visit(body: Iterable[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                bind(node.name, "function")
            elif isinstance(node, ast.ClassDef):
                bind(node.name, "class")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    bind(alias.asname or alias.name.partition(".")[0], "import")
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        bind(alias.asname or alias.name, "import")
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    for name in targets(target):
                        bind(name, "variable")
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
                for name in targets(node.target):
                    bind(name, "variable")
            elif isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    for name in targets(item.optional_vars):
                        bind(name, "variable")
            elif isinstance(node, ast.Global | ast.Nonlocal):
                for name in node.names:
                    bind(name, "variable")
            if isinstance(node, ast.If) and is_type_checking(node.test):
                visit(node.orelse)
                continue
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, None) or [])
                for handler in getattr(node, "handlers", None) or []:
                    if getattr(handler, "name", None):
                        bind(handler.name, "variable")
                    visit(handler.body)
                for case in getattr(node, "cases", None) or []:
                    visit(case.body)

    visit(tree.body)
    for node in ast.walk(tree):  # walrus targets and global statements in functions
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            bind(node.target.id, "variable")
        elif isinstance(node, ast.Global):
            for name in node.names:
                bind(name, "variable")
    return found


def names_loaded(tree: ast.AST, name: str) -> list[ast.Name]:
    return list(_index(tree).loads.get(name, ()))


# -- how a name is used ----------------------------------------------------------------------


@dataclasses.dataclass
class Usage:
    """How a file uses a name: called (with these call shapes), subclassed, read."""

    calls: list[ast.Call] = dataclasses.field(default_factory=list)
    bases: int = 0
    reads: int = 0

    def kind(self, name: str) -> str | None:
        """The kind of definition the uses ask for, when they say: class, function, variable."""
        if self.bases or (name[:1].isupper() and not name.isupper()):
            return "class"
        if name.isupper() and len(name) > 1:
            return "variable"
        if self.calls:
            return "function"
        return None


def usage(trees: Iterable[ast.AST], binding: str) -> Usage:
    """How ``binding`` (a name or a dotted chain) is used across ``trees``."""
    found = Usage()
    for tree in trees:
        names = _index(tree)
        found.calls += names.calls.get(binding, ())
        found.bases += names.bases[binding]
        found.reads += names.reads[binding]
    return found


def kind_fits(wanted: str | None, kind: str) -> bool:
    """Whether a definition of ``kind`` can stand where uses ask for ``wanted``."""
    if wanted is None or kind in (wanted, "import", "module"):
        return True
    if wanted == "function":
        return kind in ("class", "variable")
    if wanted == "class":
        return kind == "variable"
    return False


def _init_of(cls: ast.ClassDef) -> ast.FunctionDef | None:
    """The ``__init__`` the class body defines, if any."""
    return next(
        (
            node
            for node in cls.body
            if isinstance(node, ast.FunctionDef) and node.name == "__init__"
        ),
        None,
    )


@dataclasses.dataclass(frozen=True)
class _Signature:
    """What a call must match to fit a function: its positional parameters (after ``self``
    for an ``__init__``), those without a default, the names a keyword argument may use, the
    keyword-only ones without a default, and whether ``*args``/``**kwargs`` take the rest."""

    positional: list[str]
    required: list[str]
    keywords: set[str]
    required_kw: set[str]
    varargs: bool
    varkw: bool

    @classmethod
    def of(cls, args: ast.arguments, skip: int) -> _Signature:
        positional = [a.arg for a in (*args.posonlyargs, *args.args)][skip:]
        defaults = len(args.defaults)
        required = positional[: len(positional) - defaults] if defaults else positional
        keywords = {a.arg for a in args.args[skip:]} | {a.arg for a in args.kwonlyargs}
        required_kw = {
            a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None
        }
        return cls(
            positional,
            required,
            keywords,
            required_kw,
            args.vararg is not None,
            args.kwarg is not None,
        )

    def accepts(self, call: ast.Call) -> bool:
        given = len(call.args)
        if given > len(self.positional) and not self.varargs:
            return False
        names = {k.arg for k in call.keywords if k.arg is not None}
        if not self.varkw and not names <= self.keywords:
            return False
        covered = set(self.positional[:given]) | names
        return set(self.required) <= covered and self.required_kw <= names


def _unpacks(call: ast.Call) -> bool:
    """Whether the call passes ``*args`` or ``**kwargs``: then its shape cannot be told."""
    return any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    )


def signature_fits(definition: ast.stmt | None, calls: list[ast.Call]) -> bool | None:
    """Whether every call shape fits the function (or the class's ``__init__``); None when the
    definition does not say (no source, no ``__init__``, a decorated function)."""
    if definition is None or not calls:
        return None
    skip = 0
    if isinstance(definition, ast.ClassDef):
        if definition.decorator_list:
            return None  # a dataclass, attrs, ...: the decorator writes __init__
        init = _init_of(definition)
        if init is None:
            if definition.bases or definition.keywords:
                return None  # __init__ may be inherited
            return all(not call.args and not call.keywords for call in calls)
        definition, skip = init, 1
    if not isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    if definition.decorator_list:
        return None
    signature = _Signature.of(definition.args, skip)
    return all(signature.accepts(call) for call in calls if not _unpacks(call))


def keywords_named(definition: ast.stmt | None, calls: list[ast.Call]) -> bool:
    """Whether the calls pass keyword arguments and the function (or ``__init__``) names
    every one of them as a parameter: the calls were written for it."""
    if isinstance(definition, ast.ClassDef):
        definition = _init_of(definition)
    if not isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    args = definition.args
    params = {a.arg for a in (*args.args, *args.kwonlyargs)}
    used = {k.arg for call in calls for k in call.keywords}
    return bool(used) and None not in used and used <= params


def mentions(source: bytes, definition: ast.stmt | None, name: str) -> bool:
    """Whether the definition (its docstring, comments, decorators and the two lines above
    it) names ``name``: "Was ``calc_total``", "renamed from calc_total"."""
    if definition is None or not hasattr(definition, "end_lineno"):
        return False
    lines = source.splitlines()
    start = max(definition.lineno - 3, 0)
    decorators = getattr(definition, "decorator_list", [])
    if decorators:
        start = max(min(d.lineno for d in decorators) - 3, 0)
    text = b"\n".join(lines[start : definition.end_lineno or definition.lineno])
    return re.search(rb"(?<![\w.])" + re.escape(name.encode()) + rb"\b", text) is not None


def top_level_definition(tree: ast.Module | None, name: str) -> ast.stmt | None:
    if tree is None:
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == name
        ):
            return node
    return None


# -- similarity ------------------------------------------------------------------------------


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


def module_similarity(old: str, new: str) -> float:
    """How alike two dotted module names are: the last components, or the whole names."""
    return max(similarity(old.rpartition(".")[2], new.rpartition(".")[2]), similarity(old, new))


def is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


# -- what a module provides ------------------------------------------------------------------


def project_provides(project: Project, info: ModuleInfo | None) -> dict[str, str] | None:
    """The names a project module provides as ``name -> kind`` (its submodules as "module",
    the names its ``from m import *`` of a project module binds), or None when it cannot be
    known (no such module, a syntax error, a module ``__getattr__``)."""
    if info is None or info.syntax_error:
        return None
    provided = _bound(project, info, 0)
    if provided.get("__getattr__") == "function":
        return None
    if info.is_package:
        for child in _children(project).get(info.name, ()):
            provided.setdefault(child, "module")
    return provided


_STAR_DEPTH = 20  # star imports followed at most this deep: a cycle of them ends here


def _bound(project: Project, info: ModuleInfo, depth: int) -> dict[str, str]:
    """The top-level names ``info`` binds, those of its star imports of project modules
    included (with the kind they have where they are defined)."""
    provided = dict(info.definitions)
    for ref in info.imports:
        if "*" in ref.names and not ref.in_function and depth < _STAR_DEPTH:
            for name, kind in star_exports(project, ref.module, depth + 1).items():
                if provided.get(name, "import") == "import":
                    provided[name] = kind
    return provided


def star_exports(project: Project, module: str, depth: int = 0) -> dict[str, str]:
    """The names ``from module import *`` binds (``name -> kind``): for a project module, those
    its ``__all__`` lists, or without one its public names; none known for a module outside
    the project or one that cannot be read."""
    info = project.module(module)
    if info is None or info.syntax_error:
        return {}
    provided = _bound(project, info, depth)
    try:
        listed = dunder_all(project.tree(info.path))
    except OSError:
        return {}
    if listed is not None:
        return {name: provided.get(name, "import") for name in listed}
    return {name: kind for name, kind in provided.items() if not name.startswith("_")}


def dunder_all(tree: ast.Module | None) -> list[str] | None:
    """The names a module's ``__all__ = [...]`` (or tuple) lists; None without one."""
    if tree is None:
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            return [
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return None


_CHILDREN: dict[int, tuple[object, dict[str, set[str]]]] = {}


def _children(project: Project) -> dict[str, set[str]]:
    """package name -> the names of its submodules, computed once per state of the index."""
    modules = project.modules()
    cached = _CHILDREN.get(id(project))
    if cached is not None and cached[0] is modules:
        return cached[1]
    children: dict[str, set[str]] = {}
    for other in modules:
        parent, _, last = other.rpartition(".")
        if parent:
            children.setdefault(parent, set()).add(last)
    _CHILDREN.clear()  # one project at a time: no growth over a long session
    _CHILDREN[id(project)] = (modules, children)
    return children


__all__ = [
    "ImportStmt",
    "Usage",
    "attributes_of",
    "dotted",
    "dunder_all",
    "import_statements",
    "is_identifier",
    "keywords_named",
    "kind_fits",
    "mentions",
    "module_bindings",
    "module_similarity",
    "names_loaded",
    "package_of",
    "parse",
    "project_provides",
    "relative_form",
    "resolve",
    "signature_fits",
    "similarity",
    "star_exports",
    "top_level_bindings",
    "top_level_definition",
    "usage",
]
