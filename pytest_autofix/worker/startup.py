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

The error is reported at the start of collection (``pytest_collection``), so the terminal,
the session's counts, autofix's capture and the rerun's recorder all see it as they see any
collection error; its node id is what pytest gives the directory's collector, so the rerun,
which runs that directory, proves the fix by starting up and running its tests.
:func:`plain_status` says what plain pytest would have exited with. Imports only the standard
library and pytest; :mod:`pytest_autofix.worker.capture` when a failure is kept.
"""

from __future__ import annotations

import dataclasses
import os
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["StartupFailure", "StartupPlugin", "conftest_failed", "failures_key", "plain_status"]

ROOTDIR_NODEID = "."


@dataclasses.dataclass(frozen=True)
class StartupFailure:
    nodeid: str  # the collector of the conftest's directory
    status: int  # what plain pytest exits with
    blocks: bool  # the conftest did not load: the session cannot run
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
    return _keep(early_config, path, cause, header, int(status), blocks=True)


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


def _dir_nodeid(conftest: Path, rootdir: Path) -> str | None:
    try:
        rel = conftest.parent.resolve().relative_to(rootdir.resolve())
    except (OSError, ValueError):
        return None
    return rel.as_posix() if rel.parts else ROOTDIR_NODEID


def _keep(
    config: pytest.Config, conftest: Path, exc: Exception, header: str, status: int, *, blocks: bool
) -> bool:
    nodeid = _dir_nodeid(conftest, config.rootpath)
    if nodeid is None:  # a conftest outside the rootdir is not the project's to fix
        return False
    from pytest_autofix.worker.capture import capture

    info = pytest.ExceptionInfo.from_exception(exc)
    node = _Directory(conftest.parent)
    facts = capture(info, rootdir=config.rootpath, when="collect", node=node)
    facts["startup"] = True
    failure = StartupFailure(nodeid, status, blocks, dict(facts), _longrepr(header, info))
    config.stash.setdefault(failures_key, []).append(failure)
    return True


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


def plain_status(config: pytest.Config, failing: Iterable[str]) -> int | None:
    """What plain pytest exits with when ``failing`` holds a start-up failure's node; None
    when it holds none."""
    kept = config.stash.get(failures_key, [])
    failing = set(failing)
    return next((f.status for f in kept if f.nodeid in failing), None)


class StartupPlugin:
    """Registered with ``--autofix`` in the process that reports (and always in the rerun)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def _hook_failed(self, err: Exception, hook: str) -> bool:
        conftest = _raising_conftest(self.config, err)
        if conftest is None:
            return False
        header = f"{hook} of conftest '{conftest}' raised at start-up."
        status = int(pytest.ExitCode.INTERNAL_ERROR)
        return _keep(self.config, conftest, err, header, status, blocks=False)

    @pytest.hookimpl(wrapper=True)
    def pytest_report_header(self) -> Any:
        try:
            return (yield)
        except Exception as err:
            if not self._hook_failed(err, "pytest_report_header"):
                raise
            return []

    def _blocked(self) -> bool:
        return any(f.blocks for f in self.config.stash.get(failures_key, []))

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool | None:
        """Each start-up failure, reported as a collection error; no collection at all when
        a conftest did not load."""
        from pytest_autofix.worker.capture import FACTS_ATTR

        for failure in self.config.stash.get(failures_key, []):
            report = pytest.CollectReport(failure.nodeid, "failed", failure.longrepr, [])
            setattr(report, FACTS_ATTR, failure.facts)
            session.ihook.pytest_collectreport(report=report)
        return True if self._blocked() else None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        return True if self._blocked() else None
