"""A pytest plugin for ``bench_tricks.py``: switches the package's speed tricks off, one by one.

Loaded in the fix run with ``-p autofix_bench_tricks`` (``bench_tricks.py`` copies this file
under that name into a directory on ``PYTHONPATH``; a ``-p`` value naming autofix is not passed
on to the verification reruns). It acts only in a run with ``--autofix``, and only on what
``AUTOFIX_BENCH_WITHOUT`` names (comma-separated):

============  ===============================================================================
``fork``      ``pytest_autofix.forked.spread`` is the plain loop ``[compute(i) for i in items]``
              (planning and the project index in one process)
``gc``        ``pytest_autofix.engine.rounds.run`` freezes nothing (``gc.freeze``/``unfreeze``
              are no-ops for that module)
``bytecode``  ``pytest_autofix.engine.bytecode.precompile`` writes nothing (the rerun compiles
              the edited test modules itself, as a plain run does)
``patience``  ``pytest_autofix.engine.plan._matcher`` is plain
              ``difflib.SequenceMatcher(None, a, b, autojunk=False)``
``cst``       the helpers of ``pytest_autofix.fixers.toolkit.cst`` are built on
              ``libcst.matchers`` (``findall``/``matches``), imported when a module takes them
              (``from ...toolkit.cst import find_all``), as ``import libcst.matchers`` at the
              top of the fixer modules would be
``lazy``      the built-in ``pytest_autofix_fixers`` returns the real fixers, every family
              imported and built when the engine collects the fixers
``control``   nothing switched off, but the six modules patched the same way with patches that
              change nothing: an A/A comparison, the noise floor (and the cost of the patching)
============  ===============================================================================

Nothing in the package is edited: each module is patched right after it is imported (a
``sys.meta_path`` finder wraps its loader), so every import still happens where and when the
package does it (``libcst`` is not imported before the tests run, for instance).

``AUTOFIX_BENCH_PROBE=PATH`` (with every trick on) writes to ``PATH``, as JSON, what each trick
did in the run: the ``spread`` calls and how many forked, the bytecode files written ahead,
the diffs long enough for the patience matcher, the toolkit helper calls and whether
``libcst.matchers`` was imported anyway, the fixer families loaded, and the garbage
collector's full collections during the engine.
"""

from __future__ import annotations

import functools
import gc
import importlib.abc
import importlib.machinery
import json
import os
import sys
import time
import types
from collections.abc import Callable, Sequence
from typing import Any

import pytest

WITHOUT_ENV = "AUTOFIX_BENCH_WITHOUT"
PROBE_ENV = "AUTOFIX_BENCH_PROBE"
TRICKS = ("fork", "gc", "bytecode", "patience", "cst", "lazy")
CONTROL = "control"
# family -> a module that only loading that family imports
FAMILIES = {
    "imports": "pytest_autofix.fixers.imports",
    "packages": "pytest_autofix.fixers.environment.missing_package",
    "fixtures": "pytest_autofix.fixers.fixtures",
    "environment": "pytest_autofix.fixers.environment.removed_api",
}

# the modules that take the toolkit's libcst helpers (``from ...toolkit.cst import ...``)
_CST_USERS = (
    "pytest_autofix.fixers.toolkit.fixture_transforms",
    "pytest_autofix.fixers.toolkit.import_transforms",
)

Patch = Callable[[types.ModuleType], None]
_probe: dict[str, Any] = {}


# -- patching a module right after its import ---------------------------------------------


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any, patch: Patch) -> None:
        self._loader = loader
        self._patch = patch

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        self._patch(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_code, ... (tracebacks)
        return getattr(self._loader, name)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def __init__(self, patches: dict[str, list[Patch]]) -> None:
        self.patches = patches

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.patches:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, functools.partial(self._apply, fullname))
        return spec

    def _apply(self, fullname: str, module: types.ModuleType) -> None:
        for patch in self.patches[fullname]:
            patch(module)


def _install(patches: dict[str, list[Patch]]) -> None:
    """Patch each module now if it is imported already, else right after its import."""
    later: dict[str, list[Patch]] = {}
    for name, todo in patches.items():
        module = sys.modules.get(name)
        if module is None:
            later[name] = todo
        else:
            for patch in todo:
                patch(module)
    if later:
        sys.meta_path.insert(0, _PatchOnImport(later))


# -- each trick switched off --------------------------------------------------------------


def _serial(module: types.ModuleType) -> None:
    def spread(items: Sequence[Any], compute: Callable[[Any], Any], weight: Any, *, least: int):  # type: ignore[no-untyped-def]
        return [compute(item) for item in items]

    module.spread = spread


class _GcWithoutFreeze:
    """The ``gc`` module as ``rounds`` sees it, with freezing switched off."""

    def __getattr__(self, name: str) -> Any:
        return getattr(gc, name)

    @staticmethod
    def freeze() -> None:
        return None

    @staticmethod
    def unfreeze() -> None:
        return None


def _no_freeze(module: types.ModuleType) -> None:
    module.gc = _GcWithoutFreeze()


def _no_precompile(module: types.ModuleType) -> None:
    def precompile(config: pytest.Config, paths: Any) -> int:
        return 0

    module.precompile = precompile


def _difflib(module: types.ModuleType) -> None:
    import difflib

    def matcher(old: list[bytes], new: list[bytes]) -> difflib.SequenceMatcher[bytes]:
        return difflib.SequenceMatcher(None, old, new, autojunk=False)

    module._matcher = matcher


_HELPERS = ("find_all", "is_name", "is_docstring", "is_import_line")


def _matchers(module: types.ModuleType) -> None:
    """The toolkit's helpers on ``libcst.matchers``: the module's attributes are removed and
    served by a module ``__getattr__`` that imports ``libcst.matchers`` first."""
    for name in _HELPERS:
        delattr(module, name)

    def __getattr__(name: str) -> Any:
        if name not in _HELPERS:
            raise AttributeError(name)
        import libcst as cst
        import libcst.matchers as m

        def of(types_: Any) -> Any:
            return tuple(types_) if isinstance(types_, tuple) else (types_,)

        def find_all(node: Any, types_: Any, predicate: Any = None) -> list[Any]:
            if predicate is None:
                return list(
                    m.findall(node, m.TypeOf(*(getattr(m, t.__name__) for t in of(types_))))
                )
            wanted = of(types_)
            return list(
                m.findall(node, m.MatchIfTrue(lambda n: isinstance(n, wanted) and predicate(n)))
            )

        def is_name(node: Any, value: str) -> bool:
            return node is not None and m.matches(node, m.Name(value))

        def is_docstring(statement: Any, *, concatenated: bool = False) -> bool:
            string = m.SimpleString() | m.ConcatenatedString() if concatenated else m.SimpleString()
            return m.matches(statement, m.SimpleStatementLine(body=[m.Expr(string)]))

        def is_import_line(statement: Any, types_: Any = (cst.Import, cst.ImportFrom)) -> bool:
            one = m.OneOf(*(getattr(m, t.__name__)() for t in of(types_)))
            return m.matches(statement, m.SimpleStatementLine(body=[one]))

        helpers = {
            "find_all": find_all,
            "is_name": is_name,
            "is_docstring": is_docstring,
            "is_import_line": is_import_line,
        }
        module.__dict__.update(helpers)
        return helpers[name]

    module.__getattr__ = __getattr__  # type: ignore[method-assign]


def _eager(module: types.ModuleType) -> None:
    @pytest.hookimpl(trylast=True)
    def pytest_autofix_fixers(config: pytest.Config) -> list[Any]:
        real = {f.name: f for load in module.LOADERS.values() for f in load(config)}
        return [real[name] for _, name, _ in module.BUILTIN]

    module.pytest_autofix_fixers = pytest_autofix_fixers


OFF: dict[str, tuple[str, Patch]] = {
    "fork": ("pytest_autofix.forked", _serial),
    "gc": ("pytest_autofix.engine.rounds", _no_freeze),
    "bytecode": ("pytest_autofix.engine.bytecode", _no_precompile),
    "patience": ("pytest_autofix.engine.plan", _difflib),
    "cst": ("pytest_autofix.fixers.toolkit.cst", _matchers),
    "lazy": ("pytest_autofix.fixers.registry", _eager),
}


# -- the probe: what each trick did in a run ----------------------------------------------


def _count(key: str, **extra: Any) -> None:
    entry = _probe.setdefault(key, {"calls": 0})
    entry["calls"] += 1
    for name, value in extra.items():
        entry[name] = entry.get(name, 0) + value


def _probe_fork(module: types.ModuleType) -> None:
    original = module.spread

    def spread(items: Sequence[Any], compute: Any, weight: Any, *, least: int) -> Any:
        total = sum(weight(item) for item in items)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        forks = len(items) >= 2 and cores >= 2 and total >= least and module.usable()
        started = time.perf_counter()
        result = original(items, compute, weight, least=least)
        _count(
            "fork",
            items=len(items),
            bytes=total,
            forked=int(forks),
            forked_bytes=total if forks else 0,
            seconds=time.perf_counter() - started,
        )
        return result

    module.spread = spread


def _probe_gc(module: types.ModuleType) -> None:
    original = module.run

    def run(*args: Any, **kwargs: Any) -> Any:
        full: list[float] = []
        started: list[float] = []

        def callback(phase: str, info: dict[str, int]) -> None:
            if info["generation"] != 2:
                return
            if phase == "start":
                started.append(time.perf_counter())
            elif started:
                full.append(time.perf_counter() - started.pop())

        alive = len(gc.get_objects())
        gc.callbacks.append(callback)
        try:
            return original(*args, **kwargs)
        finally:
            gc.callbacks.remove(callback)
            _count("gc", objects_frozen=alive, full_collections=len(full), seconds=sum(full))

    module.run = run


def _probe_bytecode(module: types.ModuleType) -> None:
    original = module.precompile

    def precompile(config: pytest.Config, paths: Any) -> int:
        paths = list(paths)
        started = time.perf_counter()
        written = original(config, paths)
        _count("bytecode", paths=len(paths), written=written, seconds=time.perf_counter() - started)
        return written  # type: ignore[no-any-return]

    module.precompile = precompile


def _probe_patience(module: types.ModuleType) -> None:
    original = module._matcher
    short = getattr(module, "_SHORT", 200)

    def matcher(old: list[bytes], new: list[bytes]) -> Any:
        _count("patience", long=int(len(old) >= short or len(new) >= short))
        return original(old, new)

    module._matcher = matcher


def _probe_cst(module: types.ModuleType) -> None:
    for name in _HELPERS:
        original = getattr(module, name)

        def counted(*args: Any, __f: Any = original, **kwargs: Any) -> Any:
            _count("cst")
            return __f(*args, **kwargs)

        setattr(module, name, counted)


PROBES: dict[str, tuple[str, Patch]] = {
    "fork": ("pytest_autofix.forked", _probe_fork),
    "gc": ("pytest_autofix.engine.rounds", _probe_gc),
    "bytecode": ("pytest_autofix.engine.bytecode", _probe_bytecode),
    "patience": ("pytest_autofix.engine.plan", _probe_patience),
    "cst": ("pytest_autofix.fixers.toolkit.cst", _probe_cst),
}


# -- the hooks ----------------------------------------------------------------------------


def _nothing(module: types.ModuleType) -> None:
    return None


def without() -> list[str]:
    names = [n.strip() for n in os.environ.get(WITHOUT_ENV, "").split(",") if n.strip()]
    unknown = sorted(set(names) - {*TRICKS, CONTROL})
    if unknown:
        raise pytest.UsageError(
            f"{WITHOUT_ENV}: unknown trick(s) {', '.join(unknown)}; known: {', '.join(TRICKS)}"
        )
    return names


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("autofix", False) or hasattr(config, "workerinput"):
        return
    names = without()
    patches: dict[str, list[Patch]] = {}
    for name in names:
        if name == CONTROL:
            for module, _ in OFF.values():
                patches.setdefault(module, []).append(_nothing)
            continue
        module, patch = OFF[name]
        patches.setdefault(module, []).append(patch)
    if os.environ.get(PROBE_ENV):
        if names:
            raise pytest.UsageError(f"{PROBE_ENV} probes the tricks: set no {WITHOUT_ENV}")
        for module, patch in PROBES.values():
            patches.setdefault(module, []).append(patch)
    _install(patches)


def pytest_unconfigure(config: pytest.Config) -> None:
    out = os.environ.get(PROBE_ENV)
    if not out or not config.getoption("autofix", False) or hasattr(config, "workerinput"):
        return
    probe = dict(_probe)
    probe["package"] = os.path.dirname(sys.modules["pytest_autofix"].__file__ or "")
    probe["lazy"] = {"families_loaded": [f for f, mod in FAMILIES.items() if mod in sys.modules]}
    probe.setdefault("cst", {"calls": 0})["matchers_imported"] = "libcst.matchers" in sys.modules
    probe["cst"]["codemod_imported"] = "libcst.codemod" in sys.modules
    probe["cst"]["users_imported"] = [m for m in _CST_USERS if m in sys.modules]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(probe, f, indent=1, sort_keys=True)
