"""The pytest11 entry point: options, ini values and wiring.

This module imports nothing heavy. The plugin object that does the work
(:class:`pytest_autofix.engine.session.AutofixSession`) is imported and registered only when
``--autofix`` is given, the way pytest's own ``--lf`` and ``--sw`` plugins work. Plain ``pytest``
pays for one ``os.path.exists`` (the crash-recovery check) and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autofix", "repair failing tests (pytest-autofix)")
    group.addoption(
        "--autofix",
        action="store_true",
        default=False,
        help="collect every failure, apply confident fixes, verify them by a rerun, "
        "roll back what the rerun does not prove, report.",
    )
    group.addoption(
        "--autofix-dry-run",
        "--dry-run",
        action="store_true",
        default=None,
        dest="autofix_dry_run",
        help="with --autofix: propose fixes as diffs, write nothing to the project.",
    )
    group.addoption(
        "--autofix-min-confidence",
        default=None,
        metavar="F",
        help="apply only fixes with confidence >= F, within 0..1 (default 0.8).",
    )
    group.addoption(
        "--autofix-unsafe",
        action="store_true",
        default=None,
        help="also apply fixes marked unsafe (they may change behaviour).",
    )
    group.addoption(
        "--autofix-select",
        default=None,
        metavar="CODES",
        help="comma-separated issue codes or prefixes to act on (e.g. import,fixture.not-found).",
    )
    group.addoption(
        "--autofix-ignore",
        default=None,
        metavar="CODES",
        help="comma-separated issue codes or prefixes to leave alone.",
    )
    group.addoption(
        "--autofix-report", default=None, metavar="PATH", help="write the JSON report to PATH."
    )
    group.addoption(
        "--autofix-patch",
        default=None,
        metavar="PATH",
        help="write a git-apply-able patch of the proposed (dry-run) or applied fixes.",
    )
    group.addoption(
        "--autofix-max-rounds",
        default=None,
        metavar="N",
        help="rounds of fix and rerun, each on what the last one left failing (default 5).",
    )
    group.addoption(
        "--autofix-rerun-timeout",
        default=None,
        metavar="SECONDS",
        help="bound on one verification rerun (default 600).",
    )
    group.addoption(
        "--autofix-format",
        default=None,
        choices=("auto", "plain", "github"),
        help="extra output for CI: 'github' emits workflow annotations for proposed fixes "
        "('auto', the default: when GITHUB_ACTIONS=true); a Markdown summary is appended to "
        "$GITHUB_STEP_SUMMARY when it is set, unless 'plain'.",
    )
    group.addoption(
        "--autofix-exit-non-zero-on-fix",
        action="store_true",
        default=None,
        help="exit non-zero when an applied run changed files.",
    )
    group.addoption(
        "--autofix-explain",
        default=None,
        metavar="CODE",
        help="say what an issue code (or a kind: import, fixture, ...) means, how autofix "
        "fixes it, with an example; then exit.",
    )
    group.addoption(
        "--autofix-undo",
        action="store_true",
        default=False,
        help="restore every file changed by the last applied autofix run, then exit.",
    )

    parser.addini("autofix_dry_run", "like --autofix-dry-run", type="bool", default=False)
    parser.addini("autofix_min_confidence", "like --autofix-min-confidence", default="0.8")
    parser.addini("autofix_unsafe", "like --autofix-unsafe", type="bool", default=False)
    parser.addini("autofix_select", "like --autofix-select", type="args", default=[])
    parser.addini("autofix_ignore", "like --autofix-ignore", type="args", default=[])
    parser.addini("autofix_report", "like --autofix-report", default="")
    parser.addini("autofix_patch", "like --autofix-patch", default="")
    parser.addini("autofix_max_rounds", "like --autofix-max-rounds", default="5")
    parser.addini("autofix_rerun_timeout", "like --autofix-rerun-timeout", default="600")
    parser.addini("autofix_format", "like --autofix-format", default="auto")
    parser.addini(
        "autofix_exit_non_zero_on_fix",
        "like --autofix-exit-non-zero-on-fix",
        type="bool",
        default=False,
    )
    parser.addini(
        "autofix_migrations",
        "a TOML file of extra migration-catalogue entries, relative to the rootdir",
        default="",
    )
    parser.addini(
        "autofix_max_file_size",
        "the largest file (in bytes) autofix reads or edits; larger ones are left alone",
        default="500000",
    )
    parser.addini(
        "autofix_exclude",
        "glob patterns (relative to the rootdir) of files autofix never edits",
        type="linelist",
        default=[],
    )


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_autofix import hookspec

    pluginmanager.add_hookspecs(hookspec)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Generator[None]:
    """With --autofix, a conftest.py that fails to import at start-up (a renamed module it
    imports, say), or a module its ``pytest_plugins`` names that does, must not end the run
    before any session exists: the failure is kept (:mod:`pytest_autofix.worker.startup`) and
    becomes the session's one collection error, which autofix captures and fixes; nothing else
    is collected, as plain pytest would run nothing. So must a conftest whose hooks pytest
    refuses (``pytest_collect_file(path, parent)``, the py.path argument pytest 9 removed): its
    half-registered plugin is unregistered, and registering it again while collecting fails
    the same way, as a collection error."""
    try:
        return (yield)
    except Exception as err:
        autofix = getattr(early_config.known_args_namespace, "autofix", False)
        if not autofix:
            raise
        if type(err).__name__ == "PluginValidationError":
            plugin = getattr(err, "plugin", None)
            manager = early_config.pluginmanager
            if plugin is None or not _is_conftest(plugin) or not _py_path_hook(str(err)):
                raise  # only the refusal a fixer can repair goes on to the session
            if manager.is_registered(plugin):
                manager.unregister(plugin)
            return None
        from pytest_autofix.worker import startup

        if not startup.conftest_failed(early_config, err):
            raise
        return None


def _py_path_hook(message: str) -> bool:
    """pytest 9's refusal of a hook that takes the py.path argument it removed."""
    import re

    return (
        re.search(
            r"for hook '(pytest_ignore_collect|pytest_collect_file|pytest_pycollect_makemodule|"
            r"pytest_report_header|pytest_report_collectionfinish)'[\s\S]*"
            r"Argument\(s\) \{'(path|startdir)'\} are declared in the hookimpl",
            message,
        )
        is not None
    )


def _is_conftest(plugin: object) -> bool:
    return os.path.basename(str(getattr(plugin, "__file__", "") or "")) == "conftest.py"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if config.getoption("autofix_explain") is not None:
        return _explain(config, str(config.getoption("autofix_explain")).strip())
    if not config.getoption("autofix_undo"):
        return None
    from pytest_autofix import transaction
    from pytest_autofix.config import state_dir

    outcome = transaction.undo(state_dir(config), config.rootpath)
    for line in outcome.lines:
        _say(config, line)
    return 0 if outcome.ok else 1


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _is_worker(config):
        _recover_after_crash(config)
    if not config.getoption("autofix"):
        # Off: the ini values are not read (a plain run never fails on them); only the one
        # flag that cannot mean anything alone is an error.
        if config.getoption("autofix_dry_run"):
            raise pytest.UsageError(
                "--dry-run only has a meaning with --autofix: use `pytest --autofix --dry-run`"
            )
        return
    from pytest_autofix.config import SESSION_PLUGIN_NAME, resolve_settings, settings_key

    settings = resolve_settings(config)
    config.stash[settings_key] = settings
    if str(config.getini("autofix_migrations")).strip():
        _check_migrations(config)
    from pytest_autofix.engine.session import AutofixSession

    # Made before the option is set below: it keeps the user's --continue-on-collection-errors
    # (the exit status is plain pytest's, which stops at collection errors without it).
    session = AutofixSession(config, settings)
    # Every failure in one pass: a collection error must not stop the session.
    config.option.continue_on_collection_errors = True
    config.pluginmanager.register(session, SESSION_PLUGIN_NAME)


def _explain(config: pytest.Config, code: str) -> int:
    """``--autofix-explain CODE``: print, exit 0 without running tests (as ``--markers``
    does); an unknown code is a usage error that lists the known ones."""
    from pytest_autofix import codes
    from pytest_autofix.report import explain

    if code in codes.KINDS:
        _say(config, explain.kind_listing(code).rstrip("\n"))
        return 0
    if code not in codes.CODES:
        raise pytest.UsageError(explain.unknown(code))
    _say(config, explain.explain(code, explain.plugin_fixers(config, code)).rstrip("\n"))
    return 0


def _check_migrations(config: pytest.Config) -> None:
    """A user's migration file that does not load is a usage error before tests run."""
    from pytest_autofix import catalogue

    try:
        path = catalogue.user_file(config)
        if path is not None:
            catalogue.load_file(path)
    except catalogue.CatalogueError as err:
        raise pytest.UsageError(f"autofix_migrations: {err}") from None


def _recover_after_crash(config: pytest.Config) -> None:
    """An applied run that died mid-way left an active journal: restore from it, say so."""
    from pytest_autofix.config import state_dir

    journal = state_dir(config) / "journal" / "manifest.json"
    if not os.path.exists(journal):
        return
    from pytest_autofix import transaction

    lines = transaction.recover(state_dir(config), config.rootpath)
    for line in lines:
        _say(config, line, yellow=True, bold=True)


def _say(config: pytest.Config, line: str, **markup: bool) -> None:
    if config.pluginmanager.get_plugin("terminalreporter") is not None:
        config.get_terminal_writer().line(line, **markup)
    else:
        print(line)
