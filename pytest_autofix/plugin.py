"""The pytest11 entry point: options, ini values and wiring.

This module imports nothing heavy. The plugin object that does the work
(:class:`pytest_autofix.session.AutofixSession`) is imported and registered only when
``--autofix`` is given, the way pytest's own ``--lf`` and ``--sw`` plugins work. Plain ``pytest``
pays for one ``os.path.exists`` (the crash-recovery check) and nothing else.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Generator
from pathlib import Path

import pytest

from pytest_autofix import codes

SESSION_PLUGIN_NAME = "autofix-session"


@dataclasses.dataclass(frozen=True)
class Settings:
    """The resolved options of one run: command line over ini value over default."""

    enabled: bool
    dry_run: bool
    min_confidence: float
    unsafe: bool
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    report: Path | None
    patch: Path | None
    max_rounds: int
    exclude: tuple[str, ...]
    rerun_timeout: float
    output_format: str
    exit_non_zero_on_fix: bool


settings_key = pytest.StashKey[Settings]()
# What the session could not do as asked and went on without (shown with the summary).
notes_key = pytest.StashKey[list[str]]()


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
        help="rounds of fix and rerun, each on what the last one left failing (default 3).",
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
        "('auto', the default: when GITHUB_ACTIONS=true).",
    )
    group.addoption(
        "--autofix-exit-non-zero-on-fix",
        action="store_true",
        default=None,
        help="exit non-zero when an applied run changed files.",
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
    parser.addini("autofix_max_rounds", "like --autofix-max-rounds", default="3")
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
        "autofix_exclude",
        "glob patterns (relative to the rootdir) of files autofix never edits",
        type="linelist",
        default=[],
    )


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_autofix import hookspec

    pluginmanager.add_hookspecs(hookspec)


def _opt(config: pytest.Config, name: str, ini: str) -> object:
    value = config.getoption(name)
    return config.getini(ini) if value is None else value


def _number(config: pytest.Config, name: str, ini: str, kind: type[float] | type[int]) -> float:
    raw = _opt(config, name, ini)
    flag = "--" + name.replace("_", "-")
    try:
        return kind(str(raw).strip())
    except ValueError:
        raise pytest.UsageError(
            f"{flag} (or ini {ini}) takes a {'whole ' if kind is int else ''}number, got {raw!r}"
        ) from None


def _writable_path(config: pytest.Config, name: str, ini: str) -> Path | None:
    raw = str(_opt(config, name, ini) or "").strip()
    if not raw:
        return None
    path = Path(raw)
    if not path.is_absolute():
        path = Path(config.invocation_params.dir, path)
    flag = "--" + name.replace("_", "-")
    if path.is_dir():
        raise pytest.UsageError(f"{flag}={raw}: that is a directory; give a file path")
    # Missing parent directories are created when the file is written (as --junitxml does);
    # here the nearest one that exists must be a writable directory.
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise pytest.UsageError(f"{flag}={raw}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        raise pytest.UsageError(f"{flag}={raw}: not writable")
    return path


def resolve_settings(config: pytest.Config) -> Settings:
    """Read and validate every autofix option; bad input is a UsageError before tests run."""
    enabled = bool(config.getoption("autofix"))
    dry_run = bool(_opt(config, "autofix_dry_run", "autofix_dry_run"))
    if config.getoption("autofix_dry_run") and not enabled:
        raise pytest.UsageError(
            "--dry-run only has a meaning with --autofix: use `pytest --autofix --dry-run`"
        )
    min_confidence = _number(config, "autofix_min_confidence", "autofix_min_confidence", float)
    if not 0.0 <= min_confidence <= 1.0:
        raise pytest.UsageError(
            f"--autofix-min-confidence must be within 0..1, got {min_confidence}"
        )
    max_rounds = int(_number(config, "autofix_max_rounds", "autofix_max_rounds", int))
    if max_rounds < 1:
        raise pytest.UsageError(f"--autofix-max-rounds must be at least 1, got {max_rounds}")
    rerun_timeout = _number(config, "autofix_rerun_timeout", "autofix_rerun_timeout", float)
    if rerun_timeout <= 0:
        raise pytest.UsageError(f"--autofix-rerun-timeout must be positive, got {rerun_timeout}")
    select = codes.split_codes(_opt(config, "autofix_select", "autofix_select"))  # type: ignore[arg-type]
    ignore = codes.split_codes(_opt(config, "autofix_ignore", "autofix_ignore"))  # type: ignore[arg-type]
    bad = codes.unknown_codes(select + ignore)
    if bad:
        raise pytest.UsageError(
            f"unknown issue code(s) {', '.join(bad)} in --autofix-select/--autofix-ignore; "
            f"known kinds: {', '.join(codes.KINDS)}; codes: see `docs/codes.md` "
            f"(e.g. {', '.join(list(codes.CODES)[:3])})"
        )
    output_format = str(_opt(config, "autofix_format", "autofix_format")).strip() or "auto"
    if output_format not in ("auto", "plain", "github"):
        raise pytest.UsageError(
            f"autofix_format must be auto, plain or github, got {output_format!r}"
        )
    report = patch = None
    if enabled:
        report = _writable_path(config, "autofix_report", "autofix_report")
        patch = _writable_path(config, "autofix_patch", "autofix_patch")
    return Settings(
        enabled=enabled,
        dry_run=dry_run and enabled,
        min_confidence=min_confidence,
        unsafe=bool(_opt(config, "autofix_unsafe", "autofix_unsafe")),
        select=tuple(select),
        ignore=tuple(ignore),
        report=report,
        patch=patch,
        max_rounds=max_rounds,
        exclude=tuple(config.getini("autofix_exclude")),
        rerun_timeout=rerun_timeout,
        output_format=output_format,
        exit_non_zero_on_fix=bool(
            _opt(config, "autofix_exit_non_zero_on_fix", "autofix_exit_non_zero_on_fix")
        ),
    )


def state_dir(config: pytest.Config) -> Path:
    """Where autofix keeps its journal and caches: ``<cache_dir>/autofix``."""
    try:
        raw = str(config.getini("cache_dir"))
    except ValueError:  # -p no:cacheprovider: pytest's default place all the same
        raw = ".pytest_cache"
    cache_dir = Path(os.path.expandvars(raw))
    if not cache_dir.is_absolute():
        cache_dir = config.rootpath / cache_dir
    return cache_dir / "autofix"


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Generator[None]:
    """With --autofix, a conftest.py that fails to import at start-up (a renamed module it
    imports, say) must not end the run before any session exists: pytest imports it again
    while collecting, where the failure becomes a collection error that autofix captures."""
    try:
        return (yield)
    except Exception as err:
        autofix = getattr(early_config.known_args_namespace, "autofix", False)
        if not autofix or type(err).__name__ != "ConftestImportFailure":
            raise
        return None


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if not config.getoption("autofix_undo"):
        return None
    from pytest_autofix import transaction

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
    settings = resolve_settings(config)
    config.stash[settings_key] = settings
    if str(config.getini("autofix_migrations")).strip():
        _check_migrations(config)
    # Every failure in one pass: a collection error must not stop the session.
    config.option.continue_on_collection_errors = True
    from pytest_autofix.session import AutofixSession

    config.pluginmanager.register(AutofixSession(config, settings), SESSION_PLUGIN_NAME)


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
