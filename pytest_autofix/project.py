"""The read-only view of the project that fixers get.

:class:`Project` indexes every ``.py`` file under the rootdir with :mod:`ast` (fast, and enough
for names, imports and fixtures): top-level definitions, imports with relative ones resolved,
fixtures, tests. From the imports it answers graph questions (who imports this module, what
does a test module import transitively). It caches file bytes and libcst parses for fixers.

Nothing here writes to the project. The only write is the index cache, ``index.json`` in the
``cache_dir`` given (the pytest cache dir, outside the project tree), replaced atomically.

Module names follow pytest's default ``prepend`` import mode: walk up while the directory has an
``__init__.py``; the first directory without one is the ``sys.path`` entry (the *base*). So
``src/pkg/m.py`` is ``pkg.m`` and a ``tests/test_x.py`` without ``__init__.py`` is ``test_x``.
Two files can share a name that way (every rootdir-less ``conftest.py`` is ``conftest``):
:meth:`Project.modules` maps a name to the first such file in path order, and
:meth:`Project.all_modules` / :meth:`Project.module_at` reach every file.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import stat
import sys
import tempfile
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pytest_autofix import dynamic_imports, paths

if TYPE_CHECKING:
    import libcst

__all__ = ["FixtureInfo", "ImportRef", "IndexStats", "ModuleInfo", "Project"]

_SKIP_DIRS = frozenset({"node_modules"})  # besides what paths says is no project source
_CACHE_FILE = "index.json"
_CACHE_VERSION = 2
# An entry stamped this close to the cache write may have changed within the same mtime tick:
# it is reused only when its content hash still matches (git's "racily clean" problem).
_RACY_NS = 2_000_000_000


@dataclasses.dataclass(frozen=True)
class ImportRef:
    """One imported module, as a module statement imports it.

    ``module`` is absolute: ``"a.b"`` for ``import a.b`` and ``from a.b import x``; a relative
    import is resolved against the importing module's package (``from . import x`` gives the
    package, and ``x`` may itself be a submodule). A relative import that climbs above the top
    package stays as written (``"..x"``) and matches no module.
    """

    module: str
    names: tuple[str, ...]  # from-imports: the imported names ("*" possible); () for `import`
    line: int
    level: int  # 0 absolute, >0 relative (as written)
    in_function: bool  # inside a def/class body rather than at module level
    type_checking: bool  # under `if TYPE_CHECKING:`


@dataclasses.dataclass(frozen=True)
class FixtureInfo:
    """A top-level ``@pytest.fixture`` (or ``@fixture``) function."""

    name: str  # the fixture name: name= of the decorator, else the function name
    function: str
    line: int  # of the ``def``, as in tracebacks
    scope: str  # "function" unless scope= says otherwise; "dynamic" for a callable scope
    params: tuple[str, ...]  # argument names of the fixture function


@dataclasses.dataclass(frozen=True)
class ModuleInfo:
    name: str
    path: Path
    rel: str  # rootdir-relative, POSIX
    is_package: bool
    # top-level name -> "function" | "class" | "variable" | "import"
    definitions: Mapping[str, str] = dataclasses.field(hash=False)
    imports: tuple[ImportRef, ...]
    # modules it loads by name or path at run time, absolute: see pytest_autofix.dynamic_imports
    dynamic: tuple[str, ...]
    fixtures: tuple[FixtureInfo, ...]
    tests: tuple[str, ...]  # top-level test* functions and Test* classes (rough, for selection)
    syntax_error: bool  # it does not parse, or it was not read (Project.unread): no facts


@dataclasses.dataclass
class IndexStats:
    """How the index was built, over the life of one :class:`Project`."""

    parsed: int = 0  # files read and parsed with ast
    reused: int = 0  # files taken from the index cache unchanged


# -- what one file says, independent of where it sits (this part is cached) ------------------


@dataclasses.dataclass(frozen=True)
class _Facts:
    definitions: dict[str, str]
    imports: tuple[ImportRef, ...]  # module as written ("" for `from . import x`), unresolved
    fixtures: tuple[FixtureInfo, ...]
    tests: tuple[str, ...]
    syntax_error: bool
    dynamic: tuple[str, ...] = ()  # as written: relative ones start with "."


def _scan(source: bytes) -> _Facts:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for "\d" and friends
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return _Facts({}, (), (), (), syntax_error=True)
    definitions: dict[str, str] = {}
    fixtures: list[FixtureInfo] = []
    tests: list[str] = []
    for node in _top_level(tree.body):
        for name, kind in _bindings(node):
            if kind != "import" or definitions.get(name, "import") == "import":
                definitions[name] = kind  # a real definition wins over an import fallback
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            fixture = _fixture(node)
            if fixture is not None:
                fixtures.append(fixture)
            elif node.name.startswith("test"):
                tests.append(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            tests.append(node.name)
    collector = _ImportCollector()
    collector.visit(tree)
    dynamic = dynamic_imports.scan(source, tree)
    return _Facts(
        definitions, tuple(collector.imports), tuple(fixtures), tuple(tests), False, dynamic
    )


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run at module level, through if/try/with/for blocks.

    The body of ``if TYPE_CHECKING:`` never runs, so what it binds is not a module attribute.
    """
    for node in body:
        yield node
        blocks: list[list[ast.stmt]] = []
        if isinstance(node, ast.If):
            blocks = [node.orelse] if _is_type_checking(node.test) else [node.body, node.orelse]
        elif isinstance(node, ast.Try | ast.TryStar):
            blocks = [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            blocks = [node.body, node.orelse]
        elif isinstance(node, ast.With | ast.AsyncWith):
            blocks = [node.body]
        elif isinstance(node, ast.Match):
            blocks = [case.body for case in node.cases]
        for block in blocks:
            yield from _top_level(block)


def _bindings(node: ast.stmt) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        yield node.name, "function"
    elif isinstance(node, ast.ClassDef):
        yield node.name, "class"
    elif isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.asname or alias.name.partition(".")[0], "import"
    elif isinstance(node, ast.ImportFrom):
        for alias in node.names:
            if alias.name != "*":
                yield alias.asname or alias.name, "import"
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            yield from _target_names(target)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
        yield from _target_names(node.target)
    elif isinstance(node, ast.With | ast.AsyncWith):
        for item in node.items:
            if item.optional_vars is not None:
                yield from _target_names(item.optional_vars)
    elif type(node).__name__ == "TypeAlias":  # `type X = ...` (Python 3.12+)
        yield from _target_names(getattr(node, "name", None))


def _target_names(target: ast.expr | None) -> Iterator[tuple[str, str]]:
    if isinstance(target, ast.Name):
        yield target.id, "variable"
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> FixtureInfo | None:
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        func = call.func if call is not None else decorator
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if called not in ("fixture", "yield_fixture"):
            continue
        keywords = {kw.arg: kw.value for kw in call.keywords} if call is not None else {}
        scope = "function"
        if "scope" in keywords:
            scope = _constant_str(keywords["scope"]) or "dynamic"
        args = node.args
        params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        return FixtureInfo(
            name=_constant_str(keywords.get("name")) or node.name,
            function=node.name,
            line=node.lineno,
            scope=scope,
            params=tuple(params),
        )
    return None


def _constant_str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class _ImportCollector(ast.NodeVisitor):
    """Every import statement of a module, flagged by where it sits."""

    def __init__(self) -> None:
        self.imports: list[ImportRef] = []
        self._in_function = False
        self._type_checking = False

    def _visit_scope(self, node: ast.AST) -> None:
        outer, self._in_function = self._in_function, True
        self.generic_visit(node)
        self._in_function = outer

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        outer, self._type_checking = self._type_checking, True
        for statement in node.body:
            self.visit(statement)
        self._type_checking = outer
        for statement in node.orelse:
            self.visit(statement)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, (), node.lineno, 0)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        names = tuple(alias.name for alias in node.names)
        self._add(node.module or "", names, node.lineno, node.level)

    def _add(self, module: str, names: tuple[str, ...], line: int, level: int) -> None:
        ref = ImportRef(module, names, line, level, self._in_function, self._type_checking)
        self.imports.append(ref)


def _anchored(name: str, importer: str, is_package: bool) -> str:
    """A module loaded dynamically, made absolute (see :func:`_resolve`)."""
    if not name.startswith("."):
        return name
    level = len(name) - len(name.lstrip("."))
    ref = _resolve(ImportRef(name[level:], (), 0, level, False, False), importer, is_package)
    return dynamic_imports.ANY if ref.module.startswith(".") else ref.module


def _resolve(ref: ImportRef, importer: str, is_package: bool) -> ImportRef:
    """``ref`` with a relative module made absolute, seen from the module named ``importer``."""
    if ref.level == 0:
        return ref
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    climb = ref.level - 1
    if climb >= len(package):  # above the top-level package: Python raises ImportError too
        return dataclasses.replace(ref, module="." * ref.level + ref.module)
    parts = package[: len(package) - climb]
    return dataclasses.replace(ref, module=".".join([*parts, ref.module] if ref.module else parts))


# -- the index cache (JSON) ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Stamp:
    mtime_ns: int
    size: int  # -1: not read (then ``digest`` says why)
    digest: str


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _facts_to_json(facts: _Facts) -> dict[str, Any]:
    return dataclasses.asdict(facts)


def _facts_from_json(data: Any) -> _Facts:
    """Raises KeyError/TypeError/ValueError on anything malformed."""
    definitions = {str(k): str(v) for k, v in dict(data["definitions"]).items()}
    imports = tuple(
        ImportRef(
            module=str(i["module"]),
            names=tuple(str(n) for n in i["names"]),
            line=int(i["line"]),
            level=int(i["level"]),
            in_function=bool(i["in_function"]),
            type_checking=bool(i["type_checking"]),
        )
        for i in data["imports"]
    )
    fixtures = tuple(
        FixtureInfo(
            name=str(f["name"]),
            function=str(f["function"]),
            line=int(f["line"]),
            scope=str(f["scope"]),
            params=tuple(str(p) for p in f["params"]),
        )
        for f in data["fixtures"]
    )
    tests = tuple(str(t) for t in data["tests"])
    dynamic = tuple(str(d) for d in data["dynamic"])
    return _Facts(definitions, imports, fixtures, tests, bool(data["syntax_error"]), dynamic)


def _parse(path: Path, limit: int = paths.DEFAULT_MAX_FILE_SIZE) -> tuple[_Stamp, _Facts]:
    """A file's stamp and facts, read and parsed now (none when it is not read: see
    :func:`paths.read_source`)."""
    try:
        st = path.stat()
        source = paths.read_source(path, limit)  # not kept: fixers read few of those indexed
    except OSError as err:
        why = err.why if isinstance(err, paths.Unreadable) else err.strerror or str(err)
        return _Stamp(0, -1, why), _Facts({}, (), (), (), syntax_error=True)
    try:
        facts = _scan(source)
    except RecursionError:  # a 500-term expression: deeper than the visitors may recurse
        why = "nested too deeply to index: RecursionError"
        return _Stamp(0, -1, why), _Facts({}, (), (), (), syntax_error=True)
    return _Stamp(st.st_mtime_ns, st.st_size, _digest(source)), facts


def _regular(path: Path) -> bool:
    """``path`` leads to a regular file (not a FIFO, a device, a directory, nothing)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


@dataclasses.dataclass
class _CacheEntry:
    stamp: _Stamp
    facts: _Facts
    racy: bool


def _load_cache(file: Path, rootdir: Path) -> dict[str, _CacheEntry]:
    """The entries of ``file``; nothing when it is missing, corrupt or from another setup."""
    try:
        written = file.stat().st_mtime_ns
        data = json.loads(file.read_bytes())
        if (data["version"], data["python"], data["rootdir"]) != _cache_header(rootdir):
            return {}
        entries = {}
        for rel, entry in dict(data["files"]).items():
            stamp = _Stamp(int(entry["mtime_ns"]), int(entry["size"]), str(entry["digest"]))
            racy = stamp.mtime_ns >= written - _RACY_NS
            entries[str(rel)] = _CacheEntry(stamp, _facts_from_json(entry["facts"]), racy)
        return entries
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _cache_header(rootdir: Path) -> tuple[int, str, str]:
    return _CACHE_VERSION, f"{sys.version_info[0]}.{sys.version_info[1]}", str(rootdir)


def _save_cache(file: Path, rootdir: Path, entries: Mapping[str, tuple[_Stamp, _Facts]]) -> None:
    version, python, root = _cache_header(rootdir)
    files = {
        rel: {**dataclasses.asdict(stamp), "facts": _facts_to_json(facts)}
        for rel, (stamp, facts) in sorted(entries.items())
    }
    payload = {"version": version, "python": python, "rootdir": root, "files": files}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=file.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out, separators=(",", ":"))
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only cache dir costs a re-parse next time, nothing else


# -- the project ---------------------------------------------------------------------------


class Project:
    """A read-only, cached view of the files under ``rootdir``."""

    def __init__(
        self,
        rootdir: Path,
        *,
        cache_dir: Path | None = None,
        exclude: Sequence[str] = (),
        python_files: Sequence[str] = paths.DEFAULT_PYTHON_FILES,
        max_file_size: int = paths.DEFAULT_MAX_FILE_SIZE,
    ) -> None:
        self.rootdir = Path(os.path.abspath(rootdir))
        self.cache_dir = cache_dir
        self.exclude = tuple(exclude)
        self.python_files = tuple(python_files)
        self.max_file_size = max_file_size  # larger files are listed, never read
        self.stats = IndexStats()
        self._files: dict[str, Path] | None = None  # rel -> path, the files indexed
        self._facts: dict[str, tuple[_Stamp, _Facts]] = {}
        self._disk_cache_read = False
        self._dirty = False  # facts changed since the cache was written
        self._has_init: dict[Path, bool] = {}
        self._by_rel: dict[str, ModuleInfo] | None = None
        self._by_name: dict[str, list[ModuleInfo]] = {}
        self._modules: Mapping[str, ModuleInfo] = MappingProxyType({})
        self._graph: tuple[dict[str, set[str]], dict[str, set[str]]] | None = None
        self._sources: dict[Path, bytes] = {}
        self._csts: dict[Path, libcst.Module] = {}
        self._trees: dict[Path, ast.Module | None] = {}

    # -- files and names

    def files(self) -> list[Path]:
        """Every ``.py`` regular file under the rootdir (a symlink to one counts), sorted,
        without tool and environment dirs. A FIFO or a device named ``*.py`` is not listed."""
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(self.rootdir):
            directory = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if not self._skip_dir(directory / d))
            for filename in filenames:
                path = directory / filename
                if (
                    filename.endswith(".py")
                    and not self._excluded(self._rel(path))
                    and _regular(path)
                ):
                    found.append(path)
        return sorted(found)

    @property
    def unread(self) -> dict[str, str]:
        """The listed files the index did not read, rel -> why (larger than
        ``max_file_size``, or unreadable): fixers learn nothing of them."""
        self._index()
        return {rel: s.digest for rel, (s, _) in sorted(self._facts.items()) if s.size == -1}

    def _skip_dir(self, directory: Path) -> bool:
        name = directory.name
        if name.startswith(".") or name in _SKIP_DIRS or paths.not_project(name + "/-"):
            return True
        return paths.not_project_dir(directory) is not None or self._excluded(self._rel(directory))

    def _excluded(self, rel: str | None) -> bool:
        return rel is None or paths.excluded(rel, self.exclude) is not None

    def is_test_file(self, rel: str) -> bool:
        """A file pytest collects tests from (``python_files``; :mod:`pytest_autofix.paths`)."""
        return paths.is_test_file(rel, self.python_files)

    def is_test_module(self, rel: str) -> bool:
        """A test file or a ``conftest.py``: a module pytest itself imports."""
        return paths.is_test_module(rel, self.python_files)

    def _wanted(self, path: Path) -> bool:
        """Would :meth:`files` list ``path`` (an existing file under the rootdir)?"""
        rel = self._rel(path)
        if rel is None or not path.name.endswith(".py") or not path.is_file():
            return False
        directory = path.parent
        while directory != self.rootdir:
            if self._skip_dir(directory):
                return False
            directory = directory.parent
        return not self._excluded(rel)

    def _abs(self, path: str | os.PathLike[str]) -> Path:
        return Path(os.path.normpath(self.rootdir / path))

    def _rel(self, path: str | os.PathLike[str]) -> str | None:
        absolute = self._abs(path)
        try:
            return absolute.relative_to(self.rootdir).as_posix()
        except ValueError:
            return None

    def module_name(self, path: Path) -> str | None:
        """The dotted name pytest's default (prepend) import mode gives ``path``, else None."""
        absolute = self._abs(path)
        if absolute.suffix != ".py" or self._rel(absolute) is None:
            return None
        parts = [] if absolute.name == "__init__.py" else [absolute.stem]
        directory = absolute.parent
        while directory != directory.parent and self._is_package_dir(directory):
            parts.append(directory.name)
            directory = directory.parent
        return ".".join(reversed(parts)) or None

    def _is_package_dir(self, directory: Path) -> bool:
        if directory not in self._has_init:
            self._has_init[directory] = (directory / "__init__.py").is_file()
        return self._has_init[directory]

    # -- the index

    def modules(self) -> Mapping[str, ModuleInfo]:
        """Module name -> info, for every indexed file (the first file of a shared name)."""
        self._index()
        return self._modules

    def all_modules(self) -> list[ModuleInfo]:
        """Every indexed file's info in path order, name clashes included."""
        return list(self._index().values())

    def module(self, name: str) -> ModuleInfo | None:
        return self.modules().get(name)

    def module_at(self, path: str | os.PathLike[str]) -> ModuleInfo | None:
        """The info of the file at ``path`` (absolute or rootdir-relative)."""
        rel = self._rel(path)
        return None if rel is None else self._index().get(rel)

    def definitions_of(self, name: str) -> list[tuple[str, str]]:
        """``(module, kind)`` for every module defining ``name`` at top level (not importing it)."""
        return [
            (info.name, kind)
            for info in self._index().values()
            if (kind := info.definitions.get(name, "import")) != "import"
        ]

    def fixtures(self) -> list[tuple[ModuleInfo, FixtureInfo]]:
        return [(info, fixture) for info in self._index().values() for fixture in info.fixtures]

    def _index(self) -> dict[str, ModuleInfo]:
        if self._by_rel is not None:
            return self._by_rel
        if self._files is None:
            self._files = {rel: path for path in self.files() if (rel := self._rel(path))}
        cached = self._read_disk_cache()
        todo: list[tuple[str, Path]] = []
        for rel, path in self._files.items():
            if rel not in self._facts:
                reused = self._reuse(path, cached.get(rel))
                if reused is None:
                    todo.append((rel, path))
                else:
                    self._facts[rel] = reused
        if todo:
            self.stats.parsed += len(todo)
            self._dirty = True
            for rel, path in todo:
                self._facts[rel] = _parse(path, limit=self.max_file_size)
        for rel in set(self._facts) - set(self._files):
            del self._facts[rel]
            self._dirty = True
        by_rel = {rel: self._info(rel, path) for rel, path in sorted(self._files.items())}
        self._by_name = {}
        for info in by_rel.values():
            self._by_name.setdefault(info.name, []).append(info)
        self._modules = MappingProxyType({name: infos[0] for name, infos in self._by_name.items()})
        self._by_rel = by_rel
        self._graph = None
        if self._dirty and self.cache_dir is not None:
            _save_cache(self.cache_dir / _CACHE_FILE, self.rootdir, self._facts)
        self._dirty = False
        return by_rel

    def _read_disk_cache(self) -> dict[str, _CacheEntry]:
        if self._disk_cache_read or self.cache_dir is None:
            return {}
        self._disk_cache_read = True
        return _load_cache(self.cache_dir / _CACHE_FILE, self.rootdir)

    def _reuse(self, path: Path, entry: _CacheEntry | None) -> tuple[_Stamp, _Facts] | None:
        if entry is None:
            return None
        try:
            st = path.stat()
            if (st.st_mtime_ns, st.st_size) != (entry.stamp.mtime_ns, entry.stamp.size):
                return None
            if entry.racy and _digest(paths.read_source(path, self.max_file_size)) != (
                entry.stamp.digest
            ):
                return None
        except OSError:
            return None
        self.stats.reused += 1
        return entry.stamp, entry.facts

    def _info(self, rel: str, path: Path) -> ModuleInfo:
        facts = self._facts[rel][1]
        name = self.module_name(path) or path.stem
        is_package = path.name == "__init__.py"
        return ModuleInfo(
            name=name,
            path=path,
            rel=rel,
            is_package=is_package,
            definitions=MappingProxyType(facts.definitions),
            imports=tuple(_resolve(ref, name, is_package) for ref in facts.imports),
            dynamic=tuple(_anchored(d, name, is_package) for d in facts.dynamic),
            fixtures=facts.fixtures,
            tests=facts.tests,
            syntax_error=facts.syntax_error,
        )

    def invalidate(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        """Forget what is known of ``paths`` (edited, created or deleted files).

        The next :meth:`modules` call re-parses only those; names are recomputed for all, since
        a new or removed ``__init__.py`` renames its siblings.
        """
        for path in paths:
            absolute = self._abs(path)
            rel = self._rel(absolute)
            self._sources.pop(absolute, None)
            self._csts.pop(absolute, None)
            self._trees.pop(absolute, None)
            if rel is None:
                continue
            self._facts.pop(rel, None)
            if self._files is not None:
                if self._wanted(absolute):
                    self._files[rel] = absolute
                else:
                    self._files.pop(rel, None)
        self._has_init.clear()
        self._by_rel = None
        self._graph = None

    # -- the import graph

    def importers_of(self, module: str) -> set[str]:
        """Project modules importing ``module`` directly (``import a.b`` imports a and a.b).

        Every import statement counts, including those in functions and under TYPE_CHECKING.
        """
        imports, _ = self._graphs()
        targets = {info.rel for info in self._by_name.get(module, [])}
        by_rel = self._index()
        return {by_rel[rel].name for rel, deps in imports.items() if deps & targets}

    def import_closure(self, module: str) -> set[str]:
        """Project modules ``module`` imports at run time, transitively.

        That includes the packages (``__init__``) on the way to each module and, for test
        modules and conftests, the ``conftest.py`` files pytest loads before them. Imports
        under TYPE_CHECKING never run and are left out.
        """
        _, runtime = self._graphs()
        return self._reach(module, runtime)

    def dependents(self, module: str) -> set[str]:
        """Project modules that import ``module`` at run time, transitively: who is affected
        when it is edited (the inverse of :meth:`import_closure`)."""
        _, runtime = self._graphs()
        return self._reach(module, _reverse(runtime))

    def dependents_of_files(self, paths: Iterable[str | os.PathLike[str]]) -> set[str]:
        """Like :meth:`dependents`, by path, as rootdir-relative paths (names can clash)."""
        _, runtime = self._graphs()
        start = {rel for path in paths if (rel := self._rel(path)) is not None}
        return _bfs(start, _reverse(runtime)) - start

    def _reach(self, module: str, graph: Mapping[str, set[str]]) -> set[str]:
        by_rel = self._index()
        start = {info.rel for info in self._by_name.get(module, [])}
        return {by_rel[rel].name for rel in _bfs(start, graph)} - {module}

    def _graphs(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """(every import statement, what runs at import time), as rel -> rels imported."""
        by_rel = self._index()
        if self._graph is not None:
            return self._graph
        imports: dict[str, set[str]] = {rel: set() for rel in by_rel}
        runtime: dict[str, set[str]] = {rel: set() for rel in by_rel}
        for rel, info in by_rel.items():
            for ref in info.imports:
                targets = self._targets(ref, info)
                imports[rel] |= targets
                if not ref.type_checking:
                    runtime[rel] |= targets
            loaded = self._loaded(info)
            imports[rel] |= loaded
            runtime[rel] |= self._implicit(info) | loaded
            imports[rel].discard(rel)
            runtime[rel].discard(rel)
        self._graph = imports, runtime
        return self._graph

    def _targets(self, ref: ImportRef, importer: ModuleInfo) -> set[str]:
        """The files an import statement runs: each package on the way, the module, and the
        submodules a from-import names."""
        if ref.module.startswith(".") or not ref.module:
            return set()
        parts = ref.module.split(".")
        names = [".".join(parts[: i + 1]) for i in range(len(parts))]
        names += [f"{ref.module}.{name}" for name in ref.names if name != "*"]
        return {rel for name in names for rel in self._lookup(name, importer)}

    def _loaded(self, info: ModuleInfo) -> set[str]:
        """The files a module loads by a name it spells (``importlib.import_module("a.b")``,
        ``f"a.{x}"``: every module under ``a``) and the packages on the way. What it loads
        without a name it spells (:data:`dynamic_imports.ANY`) is not here."""
        found: set[str] = set()
        for name in info.dynamic:
            if name == dynamic_imports.ANY:
                continue
            if name.endswith(dynamic_imports.ANY):
                prefix = name[: -len(dynamic_imports.ANY)]
                under = (infos for n, infos in self._by_name.items() if n.startswith(prefix))
                found |= {info.rel for infos in under for info in infos}
                name = prefix.rpartition(".")[0]
                if not name:
                    continue
            found |= self._targets(ImportRef(name, (), 0, 0, False, False), info)
        return found

    def _implicit(self, info: ModuleInfo) -> set[str]:
        """What pytest loads before this module: its parent packages and, for a test module
        or a conftest, every conftest.py from the rootdir down to its directory."""
        parts = info.name.split(".")
        parents = (".".join(parts[:i]) for i in range(1, len(parts)))
        found = {rel for parent in parents for rel in self._lookup(parent, info)}
        if self.is_test_module(info.rel):
            directory = info.path.parent
            while True:
                conftest = self._rel(directory / "conftest.py")
                if conftest is not None and conftest in self._index():
                    found.add(conftest)
                if directory == self.rootdir or self._rel(directory) is None:
                    break
                directory = directory.parent
        return found

    def _lookup(self, name: str, importer: ModuleInfo) -> list[str]:
        """The files a module name means for ``importer``: the one importable from its own
        base directory when the name is shared, else every file of that name."""
        infos = self._by_name.get(name, [])
        if len(infos) > 1:
            base = _base(importer)
            same = [info for info in infos if _base(info) == base]
            infos = same or infos
        return [info.rel for info in infos]

    # -- cached reads for fixers

    def source(self, path: str | os.PathLike[str]) -> bytes:
        """The bytes of a file (absolute or rootdir-relative), read once; OSError when it
        cannot be read, :class:`paths.Unreadable` when it is not a regular file or is larger
        than ``max_file_size``."""
        absolute = self._abs(path)
        if absolute not in self._sources:  # a regular file within max_file_size, else OSError
            self._sources[absolute] = paths.read_source(absolute, self.max_file_size)
        return self._sources[absolute]

    def tree(self, path: str | os.PathLike[str]) -> ast.Module | None:
        """The :mod:`ast` parse of a file, parsed once; None when it does not parse (raises
        OSError when it cannot be read). Every fixer asking about the same file shares it:
        treat it as read-only."""
        absolute = self._abs(path)
        if absolute not in self._trees:
            source = self.source(absolute)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # SyntaxWarning for "\d" and friends
                    self._trees[absolute] = ast.parse(source)
            except (SyntaxError, ValueError, RecursionError):
                self._trees[absolute] = None
        return self._trees[absolute]

    def cst(self, path: str | os.PathLike[str]) -> libcst.Module:
        """The libcst parse of a file, parsed once (raises libcst.ParserSyntaxError)."""
        import libcst

        absolute = self._abs(path)
        if absolute not in self._csts:
            self._csts[absolute] = libcst.parse_module(self.source(absolute))
        return self._csts[absolute]


def _base(info: ModuleInfo) -> Path:
    """The sys.path entry a module is imported from."""
    depth = info.name.count(".") + (1 if info.is_package else 0)
    return info.path.parents[depth]


def _reverse(graph: Mapping[str, set[str]]) -> dict[str, set[str]]:
    reverse: dict[str, set[str]] = {node: set() for node in graph}
    for node, targets in graph.items():
        for target in targets:
            reverse[target].add(node)
    return reverse


def _bfs(start: set[str], graph: Mapping[str, set[str]]) -> set[str]:
    """Every node reachable from ``start`` in one or more steps."""
    seen: set[str] = set()
    queue = deque(start)
    while queue:
        for target in graph.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
