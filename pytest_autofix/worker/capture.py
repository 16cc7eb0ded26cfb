"""Live exception -> plain facts, attached to the report.

Runs in the process that ran the test (an xdist worker, the verification subprocess, or the only
process). Everything it produces is JSON-able (str, int, float, bool, None, lists and dicts of
them): pytest-xdist serializes a report's ``__dict__``, so an attribute holding such data reaches
the controller intact, where exception objects would not. Imports only the standard library and
pytest; classification happens later, in :mod:`pytest_autofix.engine.classify`.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.util
import inspect
import json
import linecache
import os
import re
import sys
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import pytest

from pytest_autofix import paths
from pytest_autofix.worker import sourcemap

if TYPE_CHECKING:
    from pytest_autofix.facts import (
        Address,
        ChainLink,
        Facts,
        NoseOwner,
        NosePackage,
        Origin,
        ProjectFrame,
    )
    from pytest_autofix.model import Failure

FACTS_ATTR = "autofix_facts"
FACTS_VERSION = 1
_MAX_MESSAGE = 4000
_CANNOT_IMPORT = re.compile(r"cannot import name '([^']+)'")


def in_project(path: str | os.PathLike[str], rootdir: Path) -> str | None:
    """``path`` relative to the rootdir in POSIX form, or None when it is not project source.

    Pseudo file names (``<frozen os>``, ``<string>``) are never project source, although
    ``os.path.abspath`` would put them under the working directory.
    """
    name = os.fspath(path)
    if name.startswith("<"):
        return None
    if os.path.isabs(name):  # a traceback's files, again and again: remembered
        return _in_project_abs(name, rootdir)
    return _in_project_abs.__wrapped__(os.path.abspath(name), rootdir)


@functools.lru_cache(maxsize=4096)
def _in_project_abs(name: str, rootdir: Path) -> str | None:
    try:
        rel = Path(os.path.normpath(name)).relative_to(rootdir)
    except ValueError:
        return None
    if paths.not_project(rel.as_posix()) is not None:  # the one policy: paths.py
        return None
    return rel.as_posix()


def project_path(
    path: str | os.PathLike[str], rootdir: Path, lineno: int | None = None
) -> str | None:
    """Like :func:`in_project`, and an installed copy of a project file (tox's non-editable
    install, ``pip install .``) counts as its source file in the rootdir: see
    :mod:`pytest_autofix.worker.sourcemap`."""
    rel = in_project(path, rootdir)
    if rel is None:
        rel = sourcemap.source_of(path, rootdir, lineno)
    return rel


def _qualname(tp: type) -> str:
    module = tp.__module__
    return tp.__qualname__ if module == "builtins" else f"{module}.{tp.__qualname__}"


def _walk(tb: TracebackType | None) -> Iterator[tuple[Any, int]]:
    yield from traceback.walk_tb(tb)


# A project frame, and the installed copy that ran it when it ran from one (its path).
_Located: TypeAlias = tuple["ProjectFrame", str | None]


def _frame_fact(filename: str, lineno: int, function: str, rootdir: Path) -> _Located | None:
    rel = in_project(filename, rootdir)
    installed = None
    if rel is None:
        rel = sourcemap.source_of(filename, rootdir, lineno)
        installed = os.path.abspath(filename) if rel is not None else None
    if rel is None:
        return None
    fact: ProjectFrame = {
        "path": rel,
        "line": lineno,
        "function": function,
        "source": linecache.getline(filename, lineno).strip(),
    }
    return fact, installed


def _located_frames(exc: BaseException, rootdir: Path) -> list[_Located]:
    frames: list[_Located] = []
    for frame, lineno in _walk(exc.__traceback__):
        fact = _frame_fact(frame.f_code.co_filename, lineno, frame.f_code.co_name, rootdir)
        if fact is not None:
            frames.append(fact)
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        fact = _frame_fact(exc.filename, exc.lineno, "<module>", rootdir)
        if fact is not None:
            fact[0]["source"] = (exc.text or fact[0]["source"]).strip()
            frames.append(fact)
    return frames


def project_frames(exc: BaseException, rootdir: Path) -> list[ProjectFrame]:
    """The traceback frames of ``exc`` inside the project, outermost first."""
    return [frame for frame, _ in _located_frames(exc, rootdir)]


def origin(module_name: str, rootdir: Path) -> Origin:
    """Where a top-level module comes from: project, stdlib, installed, or missing."""
    top = module_name.partition(".")[0]
    library: Origin = "stdlib" if top in sys.stdlib_module_names else "installed"
    module = sys.modules.get(module_name) or sys.modules.get(top)
    if module is not None:  # imported: its file, if it has one, says whose it is
        file: str | None = getattr(module, "__file__", None)
    else:
        found, file = _spec_file(top)
        if found and file is None:  # built-in, frozen, or a namespace without a location
            return "stdlib"
    if file is not None:
        return "project" if project_path(file, rootdir) is not None else library
    if module is not None:
        return library
    for base in (rootdir, rootdir / "src"):
        if (base / top).is_dir() or (base / f"{top}.py").is_file():
            return "project"
    return "stdlib" if top in sys.stdlib_module_names else "missing"


def _spec_file(top: str) -> tuple[bool, str | None]:
    """Whether the import system finds a top-level module, and its file or directory."""
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return False, None
    file = spec.origin if spec.origin not in (None, "built-in", "frozen") else None
    if file is None and spec.submodule_search_locations:
        file = next(iter(spec.submodule_search_locations), None)
    return True, file


def _primary(exc: BaseException) -> BaseException:
    """The exception that explains a wrapper: a CollectError's or conftest failure's cause."""
    seen = 0
    while seen < 5:
        seen += 1
        cause = exc.__cause__ or getattr(exc, "cause", None)
        wrapper = type(exc).__name__ in ("CollectError", "ConftestImportFailure")
        if wrapper and isinstance(cause, BaseException):
            exc = cause
            continue
        break
    return exc


# the errors whose facts the import and removed-API rules read
_TRANSLATABLE = (AttributeError, ImportError, NameError)


def _translated(exc: BaseException) -> BaseException:
    """The error a project's handler translated: ``except Exception as err: raise
    ValueError(f"... ({err})")`` (or ``from err``) says in its message the error it handles,
    which is the one to fix; ``exc`` itself otherwise (a handler failing on its own, or one
    whose message does not repeat the error it handles)."""
    inner = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if (
        isinstance(inner, _TRANSLATABLE)
        and not isinstance(exc, _TRANSLATABLE)
        and len(str(inner)) >= 10
        and str(inner) in str(exc)
    ):
        return inner
    return exc


# pytest's unittest plugin, given an error it cannot represent (testtools, twisted's trial), fails
# the test with this note and the error's own traceback as text
_NATIVE = "NOTE: Incompatible Exception Representation"
_NATIVE_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+), in (\S+)$', re.M)
_NATIVE_LAST = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit)): (.*)$")
_NO_ATTRIBUTE = re.compile(r"^module '([\w.]+)' has no attribute '(\w+)'")
_NOT_DEFINED = re.compile(r"^name '(\w+)' is not defined")
_NO_MODULE = re.compile(r"^No module named '([\w.]+)'")
_CANNOT_FROM = re.compile(r"^cannot import name '\w+' from '([\w.]+)'")


def _native(exc: BaseException, rootdir: Path) -> tuple[BaseException, list[_Located]] | None:
    """The error a native traceback in ``exc``'s message shows, rebuilt as the built-in exception
    it names, with the fields capture reads (``AttributeError.obj`` from the loaded module,
    ``NameError.name``, ``ImportError.name``), and its project frames from the text; None when
    the message holds no such traceback, or names no built-in exception."""
    text = str(exc)
    if _NATIVE not in text:
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    last = _NATIVE_LAST.match(lines[-1].strip()) if lines else None
    if last is None:
        return None
    name, message = last.group(1).rpartition(".")[2], last.group(2)
    cls = getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        return None
    rebuilt = _rebuilt(cls, message)
    located = [
        fact
        for path, line, function in _NATIVE_FRAME.findall(text)
        if (fact := _frame_fact(path, int(line), function, rootdir)) is not None
    ]
    return rebuilt, located


def _rebuilt(cls: type[BaseException], message: str) -> BaseException:
    if issubclass(cls, ImportError):
        found = _NO_MODULE.match(message) or _CANNOT_FROM.match(message)
        return cls(message, name=found.group(1) if found else None)
    rebuilt = cls(message)
    if isinstance(rebuilt, AttributeError) and (found := _NO_ATTRIBUTE.match(message)):
        rebuilt.name = found.group(2)
        rebuilt.obj = sys.modules.get(found.group(1))
    elif isinstance(rebuilt, NameError) and (found := _NOT_DEFINED.match(message)):
        rebuilt.name = found.group(1)
    return rebuilt


def _chain(exc: BaseException) -> list[ChainLink]:
    out: list[ChainLink] = []
    cur: BaseException | None = exc.__cause__ or exc.__context__
    while cur is not None and len(out) < 5:
        out.append({"exc_type": _qualname(type(cur)), "message": str(cur)[:500]})
        cur = cur.__cause__ or cur.__context__
    return out


def _masked(exc: BaseException) -> BaseException | None:
    """The error ``exc`` stands for: the one a ``raise ... from err`` names, or the one a
    ``finally`` block was running for when it failed itself (``yield output`` of a local the
    failing ``try`` never bound). Not an error an ``except`` block handled: a handler may have
    taken it in its stride (an optional import) before failing otherwise."""
    if exc.__cause__ is not None:
        return exc.__cause__
    inner = exc.__context__
    if inner is None or exc.__suppress_context__:
        return None
    inner_lines = {id(frame): line for frame, line in _walk(inner.__traceback__)}
    for frame, line in _walk(exc.__traceback__):
        inner_line = inner_lines.get(id(frame))
        if inner_line is not None and _finally_over(frame.f_code.co_filename, line, inner_line):
            return inner
    return None


def _finally_over(filename: str, line: int, inner: int) -> bool:
    """Line ``line`` of ``filename`` is in the ``finally`` block of a ``try`` whose other
    blocks hold line ``inner``."""
    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Try | ast.TryStar) and node.finalbody:
            start, end = node.finalbody[0].lineno, node.finalbody[-1].end_lineno or 0
            if start <= line <= end and node.lineno <= inner < start:
                return True
    return False


def _error_facts(exc: BaseException, frames: list[ProjectFrame]) -> Facts:
    """What the error is and where in the project it was raised: the facts every rule reads,
    of a failure's error and of the error it stands for (:func:`_masked_facts`)."""
    return {
        "exc_type": _qualname(type(exc)),
        "exc_mro": [_qualname(t) for t in type(exc).__mro__[:-2]][:12],
        "message": str(exc)[:_MAX_MESSAGE],
        "frame": frames[-1] if frames else None,
        "frames": frames[-8:],
    }


def _masked_facts(exc: BaseException, node: object, rootdir: Path, depth: int = 3) -> Facts:
    """The facts of the error a failure stands for (:func:`_masked`), as the rules read them,
    with the error it stands for in turn (``raise ... from`` in the handler a ``finally`` ran
    after), ``depth`` levels at most."""
    frames = project_frames(exc, rootdir)
    facts = _error_facts(exc, frames)
    facts.update(_exception_facts(exc, node, frames, rootdir))
    facts.update(_environment_facts(exc))
    masked = _masked(exc) if depth > 1 else None
    if masked is not None:
        facts["masked"] = _masked_facts(masked, node, rootdir, depth - 1)
    return facts


def _import_facts(exc: ImportError, rootdir: Path) -> Facts:
    facts: Facts = {"module": exc.name, "module_path": None}
    if exc.path:
        facts["module_path"] = project_path(exc.path, rootdir) or exc.path
    if exc.name:
        facts["origin"] = origin(exc.name, rootdir)
        if isinstance(exc, ModuleNotFoundError):
            parts = exc.name.split(".")
            facts["top_level"] = parts[0]
            found = ""
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                if prefix in sys.modules:
                    found = prefix
            facts["importable_parent"] = found or None
    match = _CANNOT_IMPORT.search(str(exc))
    if match:
        facts["import_name"] = match.group(1)
    return facts


def _function_tree(func: object) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The ``def`` of a function (of a classmethod's or staticmethod's), parsed from its
    source; None when it cannot be read."""
    if isinstance(func, classmethod | staticmethod):
        func = func.__func__
    if func is None or not callable(func):
        return None
    try:
        return _parsed_def(func)
    except TypeError:  # unhashable: no function, and inspect gives no source of it either
        return None


@functools.lru_cache(maxsize=256)
def _parsed_def(func: object) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """:func:`_function_tree`'s parse, once per function: a nose setup is read for its
    assignments and its globals, by every failing test of its class."""
    try:
        tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(func)))  # type: ignore[arg-type]
    except (OSError, TypeError, SyntaxError):
        return None
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return defs[0] if defs else None


def _setup_assigns(cls: type, method: str) -> list[str]:
    """The attributes ``method`` of ``cls`` sets on its first argument (``self.X = ...``, or
    ``cls.X = ...`` in a classmethod)."""
    node = _function_tree(cls.__dict__.get(method))
    if node is None:
        return []
    args = node.args.posonlyargs + node.args.args
    first = args[0].arg if args else "self"
    names = {
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute)
        and isinstance(n.ctx, ast.Store)
        and isinstance(n.value, ast.Name)
        and n.value.id == first
    }
    return sorted(names)


def _declared_global(func: object) -> list[str]:
    """The names a function declares ``global`` (nose-era setups bound modules so: ``global
    numpy; import numpy`` in a ``setupClass``)."""
    node = _function_tree(func)
    if node is None:
        return []
    return sorted({name for n in ast.walk(node) if isinstance(n, ast.Global) for name in n.names})


def _class_facts(cls: type) -> Facts:
    """The nose-style methods a test class defines that pytest does not call."""
    own = [o for o in _nose_chosen(cls) if o[1] is cls]
    return {
        "test_class": cls.__qualname__,
        "class_is_unittest": _is_unittest(cls),
        "nose_methods": [name for name, _, _ in own],
        "nose_assigns": sorted(
            {a for name, _, modern in own if modern in _SETUPS for a in _setup_assigns(cls, name)}
        ),
        "class_methods": sorted(k for k, v in vars(cls).items() if callable(v))[:200],
    }


def _module_getattr(exc: AttributeError) -> tuple[ModuleType, str] | None:
    """A module-level ``__getattr__(name)`` that raised a bare ``AttributeError(message)`` (as
    NumPy 2 does for ``np.NaN``): the module and the name, read from that frame."""
    last = None
    for frame, _ in _walk(exc.__traceback__):
        last = frame
    if last is None or last.f_code.co_name != "__getattr__" or last.f_code.co_argcount != 1:
        return None
    module = sys.modules.get(str(last.f_globals.get("__name__")))
    name = last.f_locals.get(last.f_code.co_varnames[0])
    if isinstance(module, ModuleType) and isinstance(name, str):
        return module, name
    return None


def _attribute_facts(exc: AttributeError, node: object, rootdir: Path) -> Facts:
    facts: Facts = {"attr": exc.name}
    obj = getattr(exc, "obj", None)
    if obj is None and exc.name is None:
        found = _module_getattr(exc)
        if found is None:
            return facts
        obj, facts["attr"] = found
    if isinstance(obj, ModuleType):
        facts["obj_kind"] = "module"
        facts["obj_module"] = obj.__name__
        facts["obj_origin"] = origin(obj.__name__, rootdir)
        file = getattr(obj, "__file__", None)
        if file and facts["obj_origin"] == "project":
            facts["obj_path"] = project_path(file, rootdir)
    else:
        tp = obj if isinstance(obj, type) else type(obj)
        facts["obj_kind"] = "class" if isinstance(obj, type) else "instance"
        facts["obj_type"] = _qualname(tp)
        facts["obj_mro"] = [_qualname(t) for t in tp.__mro__[:-1]][:20]
        item_cls = getattr(node, "cls", None)
        if item_cls is not None and isinstance(obj, item_cls):
            facts.update(_class_facts(item_cls))
    return facts


def _fixture_lookup_facts(exc: BaseException, rootdir: Path) -> Facts:
    facts: Facts = {"argname": getattr(exc, "argname", None)}
    try:
        rep = exc.formatrepr()  # type: ignore[attr-defined]
        text = str(rep.errorstring)
        facts["request_path"] = project_path(rep.filename, rootdir) or str(rep.filename)
        facts["request_line"] = int(rep.firstlineno) + 1
    except Exception:  # the repr is best effort; the argname is what matters
        text = str(exc)
    match = re.search(r"available fixtures: (.*)", text)
    facts["available"] = [n.strip() for n in match.group(1).split(",")] if match else []
    facts["recursive"] = "recursive dependency" in text
    facts["message"] = text.splitlines()[0] if text else f"fixture {facts['argname']!r} not found"
    try:
        request = exc.request  # type: ignore[attr-defined]
        stack = [request._pyfuncitem.obj, *(d.func for d in exc.fixturestack)]  # type: ignore[attr-defined]
        facts["requester"] = getattr(stack[-1], "__name__", None)
    except Exception:
        facts["requester"] = None
    return facts


def _env_var(exc: BaseException) -> str | None:
    if not isinstance(exc, KeyError) or not exc.args:
        return None
    for frame, _ in _walk(exc.__traceback__):
        code = frame.f_code
        # os is a frozen module on Python >= 3.11: its frames are in ``<frozen os>``
        in_os = code.co_filename == "<frozen os>" or Path(code.co_filename).name == "os.py"
        if code.co_name in ("__getitem__", "__delitem__") and in_os:
            return str(exc.args[0])
    return None


def _refused(exc: BaseException) -> BaseException | None:
    cur: BaseException | None = exc
    for _ in range(8):
        if cur is None:
            return None
        if isinstance(cur, ConnectionRefusedError) or "Connection refused" in str(cur):
            return cur
        cur = cur.__cause__ or cur.__context__
    return None


def _address(exc: BaseException) -> Address:
    """Host and port of a refused connection, from the locals of the frames that connected."""
    cur: BaseException | None = exc
    for _ in range(8):
        if cur is None:
            break
        for frame, _ in reversed(list(_walk(cur.__traceback__))):
            local = frame.f_locals
            address = local.get("address") or local.get("sa")
            if isinstance(address, tuple) and len(address) >= 2:
                return {"host": str(address[0]), "port": _int(address[1])}
            if "host" in local and "port" in local:
                return {"host": str(local["host"]), "port": _int(local["port"])}
        cur = cur.__cause__ or cur.__context__
    match = re.search(r"host='([^']+)',\s*port=(\d+)", str(exc)) or re.search(
        r"\(([\w.\-]+)[:,]\s*(\d+)\)", str(exc)
    )
    if match:
        return {"host": match.group(1), "port": int(match.group(2))}
    return {}


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None


def _os_error_facts(exc: OSError, frames: list[ProjectFrame], rootdir: Path) -> Facts:
    filename = exc.filename
    facts: Facts = {"errno": exc.errno, "filename": None}
    if not isinstance(filename, str | os.PathLike):
        return facts
    name = os.fspath(filename)
    name = name.decode(errors="replace") if isinstance(name, bytes) else name
    facts["filename"] = name
    facts["absolute"] = os.path.isabs(name)
    facts["cwd"] = in_project(os.getcwd(), rootdir) or os.getcwd()
    if not os.path.isabs(name):
        found: list[str] = []
        for frame in reversed(frames):
            # next to the file, or in a directory above it up to the rootdir (a path written
            # for a run from the project's root, read from a test file below it)
            directory = Path(frame["path"]).parent
            for base in (directory, *directory.parents):
                rel = base.joinpath(name).as_posix()
                if rel not in found and (rootdir / base / name).exists():
                    found.append(rel)
                    break
        facts["exists_relative_to"] = found
    return facts


def capture(
    excinfo: pytest.ExceptionInfo[BaseException],
    *,
    rootdir: Path,
    when: str,
    node: object = None,
) -> Facts:
    """Every structured fact the live exception gives, as JSON-able data."""
    wrapper = excinfo.value
    exc = _translated(_primary(wrapper))
    native = _native(exc, rootdir)
    exc, located = native if native is not None else (exc, _located_frames(exc, rootdir))
    frames = [frame for frame, _ in located]
    facts: Facts = {
        "v": FACTS_VERSION,
        "when": when,
        **_error_facts(exc, frames),
        "wrapper": _qualname(type(wrapper)) if exc is not wrapper else None,
        "chain": _chain(exc),
        "is_warning": isinstance(exc, Warning),
    }
    installed_copies = {frame["path"]: copy for frame, copy in located if copy is not None}
    if installed_copies:  # frame paths name the source; these are the copies that ran
        facts["installed_copies"] = installed_copies
    facts.update(_node_facts(node, rootdir))
    if when != "collect":
        try:
            facts.update(_nose_facts(node, rootdir))
        except Exception as err:  # a fact we could not read must not break the user's run
            facts["capture_error"] = f"{type(err).__name__}: {err}"
    try:
        facts.update(_exception_facts(exc, node, frames, rootdir))
        facts.update(_environment_facts(exc))
        if isinstance(exc, Warning):
            facts.update(_warning_facts(exc, rootdir))
        masked = _masked(exc)
        if masked is not None:
            facts["masked"] = _masked_facts(masked, node, rootdir)
    except Exception as err:  # a fact we could not read must not break the user's run
        facts["capture_error"] = f"{type(err).__name__}: {err}"
    return _plain(facts)


def _node_facts(node: object, rootdir: Path) -> Facts:
    """The failing item's or collector's file and class."""
    facts: Facts = {}
    item_path = getattr(node, "path", None)
    if item_path is not None:
        facts["node_path"] = in_project(item_path, rootdir)
    cls = getattr(node, "cls", None) if node is not None else None
    if cls is not None:
        facts["node_class"] = cls.__qualname__
    return facts


# nose's names for a test class's fixtures (nose 1.3.7: nose/case.py ran ``setup`` or
# ``setUp`` around each test of a plain class, nose/suite.py the class-level ones), in the order
# nose tried them (it ran the first one found), and the name pytest calls instead. On a
# unittest.TestCase only setup/teardown count: unittest runs setUp/tearDown/setUpClass itself.
_NOSE_MODERN: tuple[tuple[tuple[str, ...], str], ...] = (
    (("setup", "setUp"), "setup_method"),
    (("teardown", "tearDown"), "teardown_method"),
    (("setup_all", "setupClass", "setupAll", "setUpClass", "setUpAll"), "setup_class"),
    (
        ("teardown_all", "teardownClass", "teardownAll", "tearDownClass", "tearDownAll"),
        "teardown_class",
    ),
)
_SETUPS = frozenset({"setup_method", "setup_class"})
_CLASS_LEVEL = frozenset({"setup_class", "teardown_class"})
# a module's: nose tried setup_module, setupModule, setUpModule, setup, setUp (nose/suite.py);
# pytest calls setUpModule or setup_module (_pytest/python.py), so the others, unless one of
# those is there
_NOSE_MODULE_MODERN: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("setupModule", "setup", "setUp"), ("setup_module", "setUpModule")),
    (("teardownModule", "teardown", "tearDown"), ("teardown_module", "tearDownModule")),
)


# a test package's __init__.py: nose tried setup_package, setupPackage, setUpPackage, then the
# module's names (nose/suite.py: packageSetup + moduleSetup); pytest calls setUpModule or
# setup_module there (_pytest/python.py: Package.setup), so the others, unless one of those is
_NOSE_PACKAGE_MODERN: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("setup_package", "setupPackage", "setUpPackage"), ("setup_module", "setUpModule")),
    (
        ("teardown_package", "teardownPackage", "tearDownPackage"),
        ("teardown_module", "tearDownModule"),
    ),
)


def _nose_facts(node: object, rootdir: Path) -> Facts:
    """The nose-style setup and teardown methods pytest does not call (its nose support, which
    called ``setup()``/``teardown()``, was removed in pytest 8), around the failing test: its
    class's (looked up the way Python does, through the class's MRO, so a base class in
    another module counts) and its module's."""
    facts: Facts = {}
    cls = getattr(node, "cls", None)
    if isinstance(cls, type):
        owners = _nose_owners(cls, rootdir)
        if owners:
            facts["node_nose"] = owners
            facts["node_is_unittest"] = _is_unittest(cls)
    module = getattr(node, "module", None) if isinstance(node, pytest.Function) else None
    if isinstance(module, ModuleType):
        found = _nose_functions(module, _NOSE_MODULE_MODERN)
        if found:
            facts["module_nose"] = found
            facts["module_nose_globals"] = _globals_of(module, found)
        packages = _package_nose(node, module, rootdir)
        if packages:
            facts["package_nose"] = packages
    return facts


def _nose_functions(
    module: ModuleType, table: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
) -> list[str]:
    """The module's function of each kind of ``table`` that nose ran (the first of its names
    the module defines) and pytest does not (none of the kind's pytest names is there)."""
    found: list[str] = []
    for names, modern in table:
        if any(m in vars(module) for m in modern):
            continue
        found += [
            name
            for name in names
            if inspect.isfunction(vars(module).get(name))
            and getattr(vars(module)[name], "__module__", None) == module.__name__
        ][:1]  # the one nose ran
    return found


def _globals_of(module: ModuleType, functions: list[str]) -> list[str]:
    return sorted({g for name in functions for g in _declared_global(vars(module)[name])})


def _package_nose(node: object, module: ModuleType, rootdir: Path) -> list[NosePackage]:
    """The nose package-level setups and teardowns of the packages pytest collected the test
    under (its ``Package`` nodes' ``__init__.py``, found among the test module's parent
    packages)."""
    listchain = getattr(node, "listchain", None)
    if listchain is None:
        return []
    inits = {
        os.path.normcase(os.path.realpath(p.path / "__init__.py"))
        for p in listchain()
        if isinstance(p, pytest.Package)
    }
    found: list[NosePackage] = []
    parts = module.__name__.split(".")
    for i in range(1, len(parts)):
        package = sys.modules.get(".".join(parts[:i]))
        file = getattr(package, "__file__", None)
        if not isinstance(package, ModuleType) or not isinstance(file, str):
            continue
        if os.path.normcase(os.path.realpath(file)) not in inits:
            continue
        methods = _nose_functions(package, _NOSE_PACKAGE_MODERN)
        rel = in_project(file, rootdir)
        if methods and rel is not None:
            found.append(
                {"path": rel, "methods": methods, "globals": _globals_of(package, methods)}
            )
    return found


def _is_unittest(cls: type) -> bool:
    return any(
        base.__module__ == "unittest.case" and base.__name__ == "TestCase" for base in cls.__mro__
    )


def _nose_chosen(cls: type) -> list[tuple[str, type, str]]:
    """The nose method of each kind nose would have run for ``cls`` and pytest does not (none
    of a kind whose pytest name the class has: pytest calls that one, which may well call the
    nose one), with the class that defines it and the name pytest calls."""
    unittest_class = _is_unittest(cls)
    chosen: list[tuple[str, type, str]] = []
    for names, modern in _NOSE_MODERN:
        if any(modern in vars(k) for k in cls.__mro__):
            continue
        if unittest_class and modern in _CLASS_LEVEL:
            continue
        for name in names if not unittest_class else names[:1]:
            owner = next((k for k in cls.__mro__ if name in vars(k)), None)
            if owner is None:
                continue
            value = vars(owner)[name]
            if owner is object or owner.__module__.startswith("unittest"):
                break
            if modern in _CLASS_LEVEL and not isinstance(value, classmethod | staticmethod):
                break  # nose called it on the class, with no argument: it never ran
            if callable(value) or isinstance(value, classmethod | staticmethod):
                chosen.append((name, owner, modern))
            break
    return chosen


def _nose_owners(cls: type, rootdir: Path) -> list[NoseOwner]:
    """Each nose method ``cls`` has (defined or inherited, not shadowed by the method pytest
    calls instead), with the class that defines it."""
    owners: list[NoseOwner] = []
    for method, owner, _ in _nose_chosen(cls):
        try:
            source = inspect.getsourcefile(owner)
        except TypeError:
            source = None
        owners.append(
            {
                "method": method,
                "cls": owner.__qualname__,
                "module": owner.__module__,
                "path": in_project(source, rootdir) if source else None,
                "assigns": _setup_assigns(owner, method),
                "globals": _declared_global(vars(owner)[method]),
            }
        )
    return owners


def _exception_facts(
    exc: BaseException, node: object, frames: list[ProjectFrame], rootdir: Path
) -> Facts:
    """What the exception's own type knows (ImportError.name, AttributeError.obj, ...)."""
    facts: Facts = {}
    if isinstance(exc, ImportError):
        facts.update(_import_facts(exc, rootdir))
        if type(exc).__name__ == "ImportPathMismatchError":
            facts["mismatch"] = [str(a) for a in exc.args]
    if isinstance(exc, NameError) and not isinstance(exc, UnboundLocalError):
        facts["name"] = exc.name
    if isinstance(exc, AttributeError):
        facts.update(_attribute_facts(exc, node, rootdir))
    if type(exc).__name__ == "FixtureLookupError":
        facts.update(_fixture_lookup_facts(exc, rootdir))
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
        facts.update(_os_error_facts(exc, frames, rootdir))
    return facts


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _warning_facts(exc: Warning, rootdir: Path) -> Facts:
    """Whose a warning raised as an error is: the module that issued it (the innermost frame
    outside the warnings machinery) and, in the innermost project frame's line, the names bound
    to a module or to a module's class or function (``np`` -> ``numpy``, a from-imported
    ``SafeConfigParser`` -> ``configparser``)."""
    facts: Facts = {}
    project = None
    for frame, lineno in _walk(exc.__traceback__):
        module = frame.f_globals.get("__name__")
        if isinstance(module, str) and module != "warnings":
            facts["warned_from"] = module
        if in_project(frame.f_code.co_filename, rootdir) is not None:
            project = (frame, lineno)
    if project is None:
        return facts
    frame, lineno = project
    line = linecache.getline(frame.f_code.co_filename, lineno)
    modules: dict[str, str] = {}
    for name in set(_IDENTIFIER.findall(line)):
        if name in frame.f_locals:
            value = frame.f_locals[name]
        elif name in frame.f_globals:
            value = frame.f_globals[name]
        else:
            continue
        if isinstance(value, ModuleType):
            owner: object = value.__name__
        elif isinstance(value, type | FunctionType | BuiltinFunctionType):
            owner = getattr(value, "__module__", None)
        else:
            continue
        if isinstance(owner, str) and owner != "builtins":
            modules[name] = owner
    facts["line_modules"] = modules
    return facts


def _environment_facts(exc: BaseException) -> Facts:
    """What the traceback says about the environment: a missing variable, a refused
    connection."""
    facts: Facts = {}
    env_var = _env_var(exc)
    if env_var is not None:
        facts["env_var"] = env_var
    refused = _refused(exc)
    if refused is not None:
        facts["refused"] = True
        facts["address"] = _address(refused)
    return facts


def _plain(facts: Facts) -> Facts:
    """Force JSON-able data: anything exotic becomes its string."""
    result: Facts = json.loads(json.dumps(facts, default=str))
    return result


class CapturePlugin:
    """Attaches captured facts to every failed report (tests and collectors)."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        sourcemap.forget()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        report = yield
        if report.failed and call.excinfo is not None:  # type: ignore[attr-defined]
            setattr(
                report,
                FACTS_ATTR,
                capture(call.excinfo, rootdir=self.rootdir, when=call.when, node=item),
            )
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_exception_interact(
        self,
        node: pytest.Item | pytest.Collector,
        call: pytest.CallInfo[Any],
        report: pytest.CollectReport | pytest.TestReport,
    ) -> None:
        if isinstance(report, pytest.CollectReport) and call.excinfo is not None:
            setattr(
                report,
                FACTS_ATTR,
                capture(call.excinfo, rootdir=self.rootdir, when="collect", node=node),
            )


_E_LINE = re.compile(
    r"^E\s+([\w.]+(?:Error|Exception|Warning|Exit|Failed|Interrupt)\b):?\s?(.*)$", re.M
)


def to_failure(nodeid: str, when: str, facts: Mapping[str, Any] | None, longrepr: str) -> Failure:
    """A :class:`Failure` from the facts a report carried (plain JSON data, typed from here on
    as :class:`~pytest_autofix.facts.Facts`); from the ``longrepr`` text when there are none."""
    from pytest_autofix.model import Failure, Frame

    shipped = cast("Facts", facts) if facts else _longrepr_facts(longrepr)
    frame = shipped.get("frame")
    return Failure(
        nodeid=nodeid,
        when=when,  # type: ignore[arg-type]
        exc_type=str(shipped.get("exc_type") or "Exception"),
        message=str(shipped.get("message") or ""),
        facts=shipped,
        frame=Frame(**frame) if isinstance(frame, dict) else None,
        longrepr=longrepr[-8000:],
    )


def _longrepr_facts(longrepr: str) -> Facts:
    """The fallback: the exception's type and message (and a fixture's name) from the text."""
    matches = _E_LINE.findall(longrepr)
    exc_type, message = matches[-1] if matches else ("", longrepr.strip()[-500:])
    if not exc_type and "fixture '" in longrepr and "not found" in longrepr:
        exc_type = "FixtureLookupError"
    facts: Facts = {"exc_type": exc_type, "message": message, "fallback": True}
    if exc_type == "FixtureLookupError":
        m = re.search(r"fixture '(\w+)' not found", longrepr)
        facts["argname"] = m.group(1) if m else None
    return facts
