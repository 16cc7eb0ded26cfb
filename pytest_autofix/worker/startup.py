"""Failures that stop pytest before any test runs, turned into collection errors.

Plain pytest ends at once when a ``conftest.py`` does not import at start-up (``ImportError
while loading conftest``, status 4), when a module it names in ``pytest_plugins`` raises on
import (status 3, or 4 when that module is not found), or when one of its start-up hooks
(``pytest_report_header``, called as the session starts) raises (``INTERNALERROR``, status
3). With ``--autofix`` (and always in the verification rerun) such a failure is kept here
instead, with its facts, as a collection error of the conftest's directory (``.`` for the
rootdir's), and the session goes on:

- a conftest that did not load *blocks* the session: nothing is collected nor run (plain
  pytest runs nothing either), and the one collection error is the run's failure;
- a start-up hook that raised loses its header lines; the session collects and runs as usual,
  with the error as one more collection error.

A conftest's (or a project plugin module's: one a ``pytest_plugins`` names) implementation of
a collection-time hook that raises ends plain pytest with ``INTERNALERROR`` (status 3) as well
(:data:`COLLECTION_HOOKS`). Each such implementation is guarded as it is registered: its
exception is kept the same way, as a collection error of the conftest's directory (the
rootdir's for a plugin module), reported at once; the implementation is not called again in
the session, and the hook's other implementations (pytest's ``-k``/``-m`` deselection, the
other plugins') run as usual. A hook that sees the items (it may skip, deselect or reorder
them) *blocks the run*: the items are collected in full, none runs, as none would have in
plain pytest. A report hook only loses its lines.

The error is reported at the start of collection (``pytest_collection``), so the terminal,
the session's counts, autofix's capture and the rerun's recorder all see it as they see any
collection error; its node id is what pytest gives the directory's collector, so the rerun,
which runs that directory, proves the fix by starting up and running its tests.
:func:`plain_status` says what plain pytest would have exited with. Imports only the standard
library, pytest and :mod:`pytest_autofix.paths`; :mod:`pytest_autofix.worker.capture` when a
failure is kept.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import traceback
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_autofix import paths

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from pluggy import HookImpl

__all__ = [
    "COLLECTION_HOOKS",
    "StartupFailure",
    "StartupPlugin",
    "conftest_failed",
    "failures_key",
    "plain_status",
    "run_blocked",
]

ROOTDIR_NODEID = "."

# The hooks pytest calls around the collectors (outside their ``collect()``, whose errors are
# collection errors already: ``pytest_generate_tests``, ``pytest_make_parametrize_id``,
# ``pytest_collect_file``, ``pytest_ignore_collect``, ``pytest_pycollect_makeitem``): a
# conftest implementation that raises in one ends plain pytest with INTERNALERROR. True: the
# hook sees the items, so a session whose implementation raised runs none of them.
COLLECTION_HOOKS: dict[str, bool] = {
    "pytest_collectstart": True,
    "pytest_itemcollected": True,
    "pytest_collectreport": True,
    "pytest_collection_modifyitems": True,
    "pytest_deselected": True,
    "pytest_collection_finish": True,
    "pytest_report_collectionfinish": False,
}


@dataclasses.dataclass(frozen=True)
class StartupFailure:
    nodeid: str  # the collector of the conftest's directory
    status: int  # what plain pytest exits with
    blocks: bool  # the conftest did not load, or a hook that sees the items raised: no test runs
    facts: dict[str, Any]
    longrepr: str


failures_key = pytest.StashKey[list[StartupFailure]]()


def conftest_failed(early_config: pytest.Config, err: Exception) -> bool:
    """Keep ``err``, raised by ``pytest_load_initial_conftests``, when it is a conftest that
    failed to import, or a ``pytest_plugins`` module a conftest names that failed to import;
    False (the caller re-raises) for anything else."""
    name = type(err).__name__
    cause = err.__cause__ if isinstance(err.__cause__, Exception) else None
    if name == "ConftestImportFailure":
        path = getattr(err, "path", None)
        cause = getattr(err, "cause", cause)
        status = pytest.ExitCode.USAGE_ERROR
    elif name in ("PluginImportFailure", "UsageError") and cause is not None:
        path = _importing_conftest(err)
        status = (
            pytest.ExitCode.INTERNAL_ERROR
            if name == "PluginImportFailure"
            else pytest.ExitCode.USAGE_ERROR
        )
    else:
        return False
    if not isinstance(path, Path) or not isinstance(cause, Exception):
        return False
    header = f"ImportError while loading conftest '{path}'."
    return _keep(early_config, path.parent, cause, header, int(status), blocks=True) is not None


def _importing_conftest(err: BaseException) -> Path | None:
    """The conftest.py pytest was registering when ``err`` was raised (a module named in its
    ``pytest_plugins`` did not import), from pytest's own frame; None when it was not."""
    found = None
    for frame, _ in traceback.walk_tb(err.__traceback__):
        if frame.f_code.co_name == "_importconftest":
            candidate = frame.f_locals.get("conftestpath")
            if isinstance(candidate, Path):
                found = candidate
    return found


def _dir_nodeid(directory: Path, rootdir: Path) -> str | None:
    try:
        rel = directory.resolve().relative_to(rootdir.resolve())
    except (OSError, ValueError):
        return None
    return rel.as_posix() if rel.parts else ROOTDIR_NODEID


def _keep(
    config: pytest.Config,
    directory: Path,
    exc: Exception,
    header: str,
    status: int,
    *,
    blocks: bool,
) -> StartupFailure | None:
    """The failure kept as a collection error of ``directory`` (a conftest's); None when that
    is outside the rootdir: not the project's to fix."""
    nodeid = _dir_nodeid(directory, config.rootpath)
    if nodeid is None:
        return None
    from pytest_autofix.worker.capture import capture

    info = pytest.ExceptionInfo.from_exception(exc)
    facts = capture(info, rootdir=config.rootpath, when="collect", node=_Directory(directory))
    facts["startup"] = True
    facts["startup_status"] = status
    failure = StartupFailure(nodeid, status, blocks, dict(facts), _longrepr(header, info))
    config.stash.setdefault(failures_key, []).append(failure)
    return failure


@dataclasses.dataclass(frozen=True)
class _Directory:
    """What capture reads of the collector a collection error belongs to: its path."""

    path: Path


def _internal(entry: Any) -> bool:
    """pytest's, pluggy's, importlib's frames, and this module's hook wrapper."""
    path = str(entry.path)
    return (
        path.startswith("<")
        or path == __file__
        or any(part in ("_pytest", "pluggy", "importlib") for part in Path(path).parts)
    )


def _longrepr(header: str, info: pytest.ExceptionInfo[BaseException]) -> str:
    """pytest's rendering of a conftest import error: the header, the short traceback without
    pytest's, pluggy's and importlib's frames, and the chained errors."""
    info.traceback = info.traceback.filter(lambda entry: not _internal(entry))
    text = str(info.getrepr(style="short", chain=True)) if info.traceback else info.exconly()
    return f"{header}\n{text}"


def _raising_conftest(config: pytest.Config, err: BaseException) -> Path | None:
    """The registered conftest.py whose hook implementation raised ``err``."""
    for frame, _ in traceback.walk_tb(err.__traceback__):
        filename = frame.f_code.co_filename
        if os.path.basename(filename) == "conftest.py":
            path = Path(filename)
            if config.pluginmanager.get_plugin(str(path)) is not None:
                return path
            return None
    return None


def plain_status(
    config: pytest.Config, failing: Iterable[str], found: Mapping[str, int] | None = None
) -> int | None:
    """What plain pytest exits with when ``failing`` holds a start-up failure's node (this
    session's, or one of ``found``: node -> status, those a rerun revealed); None when it
    holds none."""
    kept = {f.nodeid: f.status for f in config.stash.get(failures_key, [])}
    kept.update(found or {})
    return next((kept[n] for n in failing if n in kept), None)


def run_blocked(config: pytest.Config) -> bool:
    """A failure kept in this session stops every test from running."""
    return any(f.blocks for f in config.stash.get(failures_key, []))


def _project_plugin(plugin: object, rootdir: Path) -> Path | None:
    """The directory whose collection error a hook of ``plugin`` that raises is: a conftest's
    own, the rootdir's for another module of the project (a ``pytest_plugins`` module); None
    for a plugin that is not the project's (installed, pytest's, autofix's)."""
    if not isinstance(plugin, types.ModuleType) or plugin.__name__.startswith("pytest_autofix"):
        return None
    file = getattr(plugin, "__file__", None)
    if not file:
        return None
    path = Path(os.path.abspath(file))
    if not path.is_relative_to(rootdir) or paths.not_project(path.relative_to(rootdir).as_posix()):
        return None  # outside the project, or installed in it (a venv's site-packages): paths.py
    return path.parent if path.name == "conftest.py" else rootdir


class StartupPlugin:
    """Registered with ``--autofix`` in the process that reports (and always in the rerun)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.raised: set[tuple[str, int]] = set()  # (hook, id(plugin)): not called again
        self.session: pytest.Session | None = None  # set as collection starts

    def _hook_failed(self, err: Exception, hook: str) -> bool:
        conftest = _raising_conftest(self.config, err)
        if conftest is None:
            return False
        header = f"{hook} of conftest '{conftest}' raised at start-up."
        status = int(pytest.ExitCode.INTERNAL_ERROR)
        return _keep(self.config, conftest.parent, err, header, status, blocks=False) is not None

    def pytest_plugin_registered(self, plugin: object, manager: pytest.PytestPluginManager) -> None:
        """Guard the project's implementations of :data:`COLLECTION_HOOKS` (historic: the
        conftests registered before this plugin come too)."""
        directory = _project_plugin(plugin, self.config.rootpath)
        if directory is None:
            return
        for name, blocks in COLLECTION_HOOKS.items():
            caller = getattr(manager.hook, name, None)
            for impl in caller.get_hookimpls() if caller is not None else ():
                if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper):
                    self._guard(impl, name, directory, blocks=blocks)

    def _guard(self, impl: HookImpl, hook: str, directory: Path, *, blocks: bool) -> None:
        function = impl.function
        if getattr(function, _GUARDED, False):
            return
        key = (hook, id(impl.plugin))
        where = getattr(impl.plugin, "__file__", impl.plugin_name)

        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if key in self.raised:
                return None
            try:
                return function(*args, **kwargs)
            except (pytest.UsageError, pytest.exit.Exception):
                raise  # the project stops the run on purpose
            except Exception as err:
                header = f"{hook} of '{where}' raised during collection."
                status = int(pytest.ExitCode.INTERNAL_ERROR)
                failure = _keep(self.config, directory, err, header, status, blocks=blocks)
                if failure is None:
                    raise
                self.raised.add(key)
                self._report(failure)
                return None

        setattr(guarded, _GUARDED, True)
        # pluggy calls ``HookImpl.function`` (its argument names were read at registration)
        setattr(impl, "function", guarded)  # noqa: B010 (typed Final; a slot, assignable)

    def _report(self, failure: StartupFailure) -> None:
        from pytest_autofix.worker.capture import FACTS_ATTR

        report = pytest.CollectReport(failure.nodeid, "failed", failure.longrepr, [])
        setattr(report, FACTS_ATTR, failure.facts)
        hook: Callable[..., object] = (
            self.session.ihook.pytest_collectreport
            if self.session is not None
            else self.config.hook.pytest_collectreport
        )
        hook(report=report)

    @pytest.hookimpl(wrapper=True)
    def pytest_report_header(self) -> Any:
        try:
            return (yield)
        except Exception as err:
            if not self._hook_failed(err, "pytest_report_header"):
                raise
            return []

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool | None:
        """Each start-up failure, reported as a collection error; no collection at all when
        a conftest did not load."""
        self.session = session
        for failure in self.config.stash.get(failures_key, []):
            self._report(failure)
        return True if run_blocked(self.config) else None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        """No test runs when a conftest did not load, or a hook that sees the items raised."""
        return True if run_blocked(self.config) else None


_GUARDED = "__autofix_guarded__"
