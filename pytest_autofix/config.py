"""The resolved settings of a run, the state directory and the stash keys.

Read by the plugin at ``pytest_configure`` and by everything the run then loads; imports
nothing of pytest-autofix but the issue codes (for the select/ignore checks).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from pytest_autofix import codes

__all__ = [
    "SESSION_PLUGIN_NAME",
    "Settings",
    "notes_key",
    "resolve_settings",
    "settings_key",
    "state_dir",
]

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
