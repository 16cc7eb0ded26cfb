"""A pytest plugin that records every test's outcome and every collection error by node id.

Loaded by the real-world runner with ``-p realworld_recorder`` in the plain runs before and after
a fix; writes JSON to the path in ``AUTOFIX_REALWORLD_RESULTS`` at the end of the session. Under
pytest-xdist the controller receives every report, so it is recorded there.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

# The worst outcome of a test's phases wins: an error in setup or teardown beats a passed call.
_RANK = {"passed": 0, "xpassed": 1, "skipped": 2, "xfailed": 3, "failed": 4, "error": 5}

_tests: dict[str, str] = {}
_collect_errors: dict[str, str] = {}
_collect_skipped: list[str] = []


def _outcome(report: pytest.TestReport) -> str:
    if report.when != "call" and report.failed:
        return "error"
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    return str(report.outcome)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if type(report).__name__ == "SubtestReport" and not report.failed:
        # A subtest (unittest's subTest, pytest 9's subtests) that passed or skipped says
        # nothing about its test as a whole; one that failed makes the test fail.
        return
    if report.when != "call" and report.passed:
        _tests.setdefault(report.nodeid, "passed")
        return
    outcome = _outcome(report)
    previous = _tests.get(report.nodeid, "passed")
    _tests[report.nodeid] = outcome if _RANK[outcome] >= _RANK[previous] else previous


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _collect_errors[report.nodeid] = str(report.longrepr)[-2000:]
    elif report.skipped:
        _collect_skipped.append(report.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return
    path = os.environ.get("AUTOFIX_REALWORLD_RESULTS")
    if not path:
        return
    data: dict[str, Any] = {
        "exitstatus": int(exitstatus),
        "tests": _tests,
        "collect_errors": _collect_errors,
        "collect_skipped": _collect_skipped,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
