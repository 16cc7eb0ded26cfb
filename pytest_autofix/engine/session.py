"""The plugin object that exists only with ``--autofix``.

It captures in every process that runs tests and keeps the failures as plain data. Everything
heavy (classify, plan, apply, verify, report: libcst, pydantic, rich) is imported only in the
process that plans, and only when something failed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from pytest_autofix.config import Settings, notes_key, state_dir
from pytest_autofix.worker import startup
from pytest_autofix.worker.capture import FACTS_ATTR, CapturePlugin

if TYPE_CHECKING:
    from pytest_autofix.engine.rounds import Outcome
    from pytest_autofix.engine.warm import Launcher

_NO_FIX_STATUSES = (
    pytest.ExitCode.INTERRUPTED,
    pytest.ExitCode.INTERNAL_ERROR,
    pytest.ExitCode.USAGE_ERROR,
)

RawFailure = tuple[str, str, "dict[str, Any] | None", str]  # nodeid, when, facts, longrepr


class AutofixSession:
    """Registered by ``plugin.pytest_configure`` only when ``--autofix`` is given."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.worker = hasattr(config, "workerinput")
        self.failures: list[RawFailure] = []
        self.passed: set[str] = set()
        self.outcome: Outcome | None = None
        self.ran = False
        self.launcher: Launcher | None = None
        self.stopped: str | None = None  # the error that stopped the engine, in one line
        # Plain pytest stops at a collection error unless told to continue; --autofix goes on
        # (plugin.py sets the option after this). The exit status is plain pytest's all the same.
        self.stops_at_collection_errors = not getattr(
            config.option, "continue_on_collection_errors", False
        )
        self.collection_interrupts = False
        config.pluginmanager.register(CapturePlugin(config.rootpath), "autofix-capture")
        if not self.worker:  # start-up failures as collection errors (a worker's: its own)
            config.pluginmanager.register(startup.StartupPlugin(config), "autofix-startup")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker:
            return
        if report.failed:
            self._keep(report, report.when)
        elif report.when == "call" and report.passed:
            self.passed.add(report.nodeid)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not self.worker and report.failed:
            self._keep(report, "collect")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session) -> None:
        """Collection ran to its end in this process (not under pytest-xdist's controller, and
        not cut short by ``-x``/``--maxfail``): with errors, plain pytest stops here (status 2)."""
        if self.stops_at_collection_errors and session.testsfailed:
            self.collection_interrupts = True

    def plain_status(self, status: int, failing: Iterable[str]) -> int:
        """The status plain ``pytest`` gives where ``failing`` fail: its start-up failure's
        (4 for a conftest that does not import, 3 for a start-up or collection hook that
        raises) when one of them is a start-up failure (of the session, or one a rerun
        revealed); ``INTERRUPTED`` (2) for a collection error unless
        --continue-on-collection-errors; else ``status``."""
        failing = list(failing)
        at_startup = startup.plain_status(self.config, failing, self._revealed())
        if at_startup is not None:
            return at_startup
        if status != pytest.ExitCode.TESTS_FAILED or not self.collection_interrupts:
            return status
        collect = {nodeid for nodeid, when, _, _ in self.failures if when == "collect"}
        if any(n in collect or "::" not in n for n in failing):
            return int(pytest.ExitCode.INTERRUPTED)
        return status

    def _revealed(self) -> dict[str, int]:
        """The start-up failures the reruns revealed (a conftest's collection hook that raises
        once a fix lets items exist): node -> plain pytest's status."""
        reruns = self.outcome.reruns if self.outcome is not None else ()
        return {
            f.nodeid: int(f.facts["startup_status"])
            for rerun in reruns
            for f in rerun.failures
            if "startup_status" in f.facts
        }

    def _keep(self, report: pytest.TestReport | pytest.CollectReport, when: str) -> None:
        facts = getattr(report, FACTS_ATTR, None)
        self.failures.append((report.nodeid, when, facts, report.longreprtext))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.worker or exitstatus in _NO_FIX_STATUSES:
            return
        self.ran = True
        if not self.failures and self.settings.report is None and self.settings.patch is None:
            return  # a green run: nothing to load, nothing to do
        self._prepare_state_dir()
        try:
            with self._interruptible():
                self._fix(session, exitstatus)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: stopped, restored, pytest's status
            self.outcome = None
            self.stopped = f"autofix interrupted: the rerun was stopped; {self._files_state()}"
            session.exitstatus = pytest.ExitCode.INTERRUPTED
        except OSError as err:  # the disk, not a fix: say it in one line, as pytest would
            if self.outcome is None:
                self.stopped = f"autofix stopped: {err}; {self._files_state()}"
            else:  # the engine had finished: its report files could not be written
                said = f"could not write the report: {err}"
                note = self.outcome.note
                self.outcome.note = f"{note}; {said}" if note else said

    @contextlib.contextmanager
    def _interruptible(self) -> Iterator[None]:
        """While the engine runs, SIGINT and SIGTERM stop the reruns at once (they run in
        sessions of their own: a Ctrl-C does not reach them) and raise KeyboardInterrupt,
        so the transaction puts every file back on its way out. Main thread only."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        owner = os.getpid()  # not a planning worker forked meanwhile (forked.py)

        def interrupt(signum: int, frame: object) -> None:
            if self.launcher is not None and os.getpid() == owner:
                self.launcher.kill_all()
            raise KeyboardInterrupt(signal.Signals(signum).name)

        previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _prepare_state_dir(self) -> None:
        """The state dir, made as pytest makes its cache dir (README.md, .gitignore,
        CACHEDIR.TAG). When it cannot be made or written (a read-only rootdir or cache dir, a
        file named like it), an applied run could not journal its writes: it proposes
        instead, as ``--dry-run`` does, and says why."""
        import dataclasses

        from pytest_autofix import transaction

        path = state_dir(self.config)
        try:
            transaction.ensure_state_dir(path)
        except OSError as err:
            if not self.settings.dry_run:
                self.settings = dataclasses.replace(self.settings, dry_run=True)
                self.config.stash.setdefault(notes_key, []).append(
                    f"cannot write autofix's state dir {path} ({err.strerror or err}): without "
                    "a journal nothing is written; the fixes are proposed, as with --dry-run"
                )

    def _files_state(self) -> str:
        """What an error that stopped the engine left: restored files, or a journal to
        recover from at the next start."""
        from pytest_autofix import transaction

        left = transaction.unrestored(state_dir(self.config), self.config.rootpath)
        if left:
            return f"not restored yet: {', '.join(left)} (the next pytest start restores them)"
        return "every file is as it was before autofix"

    def _fix(self, session: pytest.Session, exitstatus: int) -> None:
        from pytest_autofix.engine import warm

        # The first rerun's interpreter starts now and imports pytest while the engine loads.
        if self.failures and not self.settings.dry_run:
            self.launcher = warm.for_config(
                self.config, state_dir(self.config), finish_timeout=self.settings.rerun_timeout
            )
            self.launcher.prepare()
        try:
            from pytest_autofix.engine import rounds as engine
            from pytest_autofix.report.progress import progress

            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            self.outcome = engine.run(
                self.config,
                self.settings,
                self.failures,
                self.passed,
                self.plain_status(int(exitstatus), (f[0] for f in self.failures))
                if self.settings.dry_run
                else int(exitstatus),
                progress=progress(reporter) if reporter is not None else None,
                launcher=self.launcher,
            )
        finally:
            if self.launcher is not None:
                self.launcher.stop_waiting()  # the reruns may still be exiting: see unconfigure
        if not self.settings.dry_run:  # plain pytest's status on the project as it is now
            self.outcome.exit_status = self.plain_status(
                self.outcome.exit_status, self.outcome.still_failing
            )
        session.exitstatus = self.outcome.exit_status
        from pytest_autofix.report import (
            summary as report,  # loaded while the rerun ran (rounds._load_report)
        )

        report.write_files(self.outcome, self.settings)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.stopped is not None:
            terminalreporter.write_line(self.stopped, red=True, bold=True)
        elif self.outcome is not None:
            from pytest_autofix.report import summary as report

            report.render(terminalreporter, self.outcome, self.settings)
        elif self.ran:
            mode = "dry run" if self.settings.dry_run else "fix"
            if self.config.get_verbosity() > -2:  # -qq: the closing line alone
                terminalreporter.write_sep("=", f"autofix ({mode})")
            terminalreporter.write_line("Found 0 issues in 0 failures; nothing to fix")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """The reruns' interpreters exit while the summary is written; wait for them here
        (each at most ``--autofix-rerun-timeout`` seconds: their results were in already).
        Then, after pytest's own summary of the first run, the verified state after the fixes
        is the last line, as the exit status reflects it."""
        if self.launcher is not None:
            try:
                with self._interruptible():
                    stopped = self.launcher.close()
            except KeyboardInterrupt:  # their results were in: only their exits are cut short
                stopped = 0
                config.get_terminal_writer().line(
                    "autofix interrupted while verification reruns were exiting (their results "
                    "were in); stopped them",
                    yellow=True,
                )
            self.launcher = None
            if stopped:
                line = (
                    f"autofix: {stopped} verification rerun(s) had written their results but "
                    f"did not exit within {self.settings.rerun_timeout:g}s; stopped"
                )
                config.get_terminal_writer().line(line, yellow=True)
        outcome = self.outcome
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if outcome is None or outcome.mode != "fix" or not outcome.reruns or reporter is None:
            return
        green = not outcome.still_failing
        config.get_terminal_writer().line(
            f"after autofix: {outcome.final_state()} (verified by rerun)",
            green=green,
            red=not green,
            bold=True,
        )
