"""The plugin loaded into the verification subprocess (``-p pytest_autofix.worker.recorder``).

It captures facts the same way the main session does and, in the process that reports (the only
one, or the xdist controller), writes every outcome and failure as JSON to the file named by
``PYTEST_AUTOFIX_RERUN_OUT``, then says so on the pipe named by ``PYTEST_AUTOFIX_RERUN_READY``:
the engine reads the results while this interpreter prints its summary and exits. It declares
the autofix options as inert, so a ``--autofix`` in the user's ``addopts`` does not break the
rerun, which runs with ``-p no:autofix``.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_autofix import plugin
from pytest_autofix.engine.warm import OUT_ENV, READY_ENV
from pytest_autofix.worker import startup
from pytest_autofix.worker.capture import FACTS_ATTR, CapturePlugin


def _take_ready_pipe() -> int | None:
    """The pipe's number, taken out of the environment as this plugin loads (before any test
    runs), so that no process the tests start inherits the number or the pipe."""
    raw = os.environ.pop(READY_ENV, None)
    if raw is None or not raw.isdigit():
        return None
    try:
        if not stat.S_ISFIFO(os.fstat(int(raw)).st_mode):
            return None  # not the pipe the launcher passed: leave that file alone
        os.set_inheritable(int(raw), False)
    except OSError:
        return None
    return int(raw)


_READY = _take_ready_pipe()


def pytest_addoption(parser: pytest.Parser) -> None:
    plugin.pytest_addoption(parser)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    plugin.pytest_addhooks(pluginmanager)  # a conftest.py may implement the autofix hooks


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Generator[None]:
    """A conftest that does not import is kept as the rerun's collection error, as in the
    session (:mod:`pytest_autofix.worker.startup`): the rerun is evidence, not a crash."""
    try:
        return (yield)
    except Exception as err:
        if hasattr(early_config, "workerinput") or not startup.conftest_failed(early_config, err):
            raise
        return None


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(CapturePlugin(config.rootpath), "autofix-rerun-capture")
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(startup.StartupPlugin(config), "autofix-rerun-startup")
    if not hasattr(config, "workerinput") and os.environ.get(OUT_ENV):
        config.pluginmanager.register(_Recorder(Path(os.environ[OUT_ENV])), "autofix-recorder")


class _Recorder:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.outcomes: dict[str, str] = {}
        self.failures: list[dict[str, Any]] = []

    def _failed(self, report: pytest.TestReport | pytest.CollectReport, when: str) -> None:
        self.failures.append(
            {
                "nodeid": report.nodeid,
                "when": when,
                "facts": getattr(report, FACTS_ATTR, None),
                "longrepr": report.longreprtext[-8000:],
            }
        )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
            self._failed(report, report.when)
        elif report.when == "call" or (report.skipped and report.when == "setup"):
            self.outcomes.setdefault(report.nodeid, "skipped" if report.skipped else "passed")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
            self._failed(report, "collect")

    @pytest.hookimpl(trylast=True)  # after the other plugins' session teardown
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        global _READY
        if startup.run_blocked(session.config):
            # no test ran (worker/startup.py): the modules that collected say so themselves
            for item in session.items:
                self.outcomes.setdefault(item.nodeid.split("::", 1)[0], "collected")
        data = {"outcomes": self.outcomes, "failures": self.failures, "exitstatus": int(exitstatus)}
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.out)
        if _READY is not None:
            ready, _READY = _READY, None
            try:
                os.write(ready, b"\n")
            except OSError:
                pass  # the engine is gone; it reads the file when it looks
            finally:
                os.close(ready)
