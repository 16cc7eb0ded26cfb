"""The resolved settings of a run, the state directory and the stash keys.

Read by the plugin at ``pytest_configure`` and by everything the run then loads; imports
nothing of pytest-autofix at module level (a plain run reads only :func:`state_dir`), and the
issue codes when ``--autofix-select``/``--autofix-ignore`` are checked.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

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
    max_file_size: int = 500_000


settings_key = pytest.StashKey[Settings]()
# What the session could not do as asked and went on without (shown with the summary).
notes_key = pytest.StashKey[list[str]]()


_TRUTH = "true/false, yes/no, on/off or 1/0"


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _ini(config: pytest.Config, ini: str) -> object:
    """An ini value; one pytest cannot read (a boolean such as ``maybe``) is a usage error that
    names the key and what it takes."""
    try:
        return config.getini(ini)
    except (ValueError, pytest.UsageError) as err:  # "invalid truth value 'maybe'" (9.x: Usage)
        where = f" in {config.inipath.name}" if config.inipath else ""
        raise pytest.UsageError(f"{ini}{where}: {err}; it takes {_TRUTH}") from None


def _opt(config: pytest.Config, name: str, ini: str) -> object:
    value = config.getoption(name)
    return _ini(config, ini) if value is None else value


def _given(config: pytest.Config, name: str, ini: str, raw: object) -> str:
    """Where a bad value came from, as the user wrote it: ``--autofix-max-rounds=0`` or
    ``autofix_max_rounds = 0 (pyproject.toml)``."""
    shown = (
        raw if isinstance(raw, str) else " ".join(map(str, raw)) if isinstance(raw, list) else raw
    )
    if config.getoption(name) is not None:
        return f"{_flag(name)}={shown}"
    where = f" ({config.inipath.name})" if config.inipath else ""
    return f"{ini} = {shown}{where}"


def _number(
    config: pytest.Config, name: str, ini: str, kind: type[float] | type[int], takes: str
) -> float:
    """A number the option takes (``takes`` says which, for the message)."""
    raw = _opt(config, name, ini)
    try:
        value = kind(str(raw).strip())
    except ValueError:
        value = None
    if value is None or value != value or not _NUMBER_CHECKS[name](value):  # NaN is no number
        raise pytest.UsageError(f"{_given(config, name, ini, raw)}: {takes}")
    return value


_NUMBER_CHECKS = {
    "autofix_min_confidence": lambda v: 0.0 <= v <= 1.0,
    "autofix_max_rounds": lambda v: v >= 1,
    "autofix_rerun_timeout": lambda v: 0 < v < float("inf"),
}


def _writable_path(config: pytest.Config, name: str, ini: str) -> Path | None:
    raw = str(_opt(config, name, ini) or "").strip()
    if not raw:
        return None
    path = Path(raw)
    if not path.is_absolute():
        path = Path(config.invocation_params.dir, path)
    given = _given(config, name, ini, raw)
    if path.is_dir():
        raise pytest.UsageError(f"{given}: that is a directory; give a file path")
    # Missing parent directories are created when the file is written (as --junitxml does);
    # here the nearest one that exists must be a writable directory.
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise pytest.UsageError(f"{given}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        raise pytest.UsageError(f"{given}: not writable")
    return path


def _codes(config: pytest.Config, name: str, ini: str) -> list[str]:
    """The code patterns of --autofix-select/--autofix-ignore; an unknown one is a usage error
    that names it, the nearest known ones and where every code is explained."""
    from pytest_autofix import codes  # with --autofix only: a plain run needs no code table

    raw = _opt(config, name, ini)
    patterns = codes.split_codes(raw)  # type: ignore[arg-type]
    bad = codes.unknown_codes(patterns)
    if not bad:
        return patterns
    lines = [
        f"{_given(config, name, ini, raw)}: unknown issue code{'s' if len(bad) > 1 else ''} "
        + ", ".join(f"{b!r}{codes.did_you_mean(b)}" for b in bad)
    ]
    lines.append(f"  it takes codes or kinds, comma-separated; kinds: {', '.join(codes.KINDS)}")
    lines.append(f"  codes: {', '.join(codes.CODES)}")
    lines.append("  `pytest --autofix-explain CODE` says what a code means")
    raise pytest.UsageError("\n".join(lines))


def resolve_settings(config: pytest.Config) -> Settings:
    """Read and validate every autofix option; bad input is a UsageError before tests run,
    naming the option or ini key and what it takes."""
    enabled = bool(config.getoption("autofix"))
    dry_run = bool(_opt(config, "autofix_dry_run", "autofix_dry_run"))
    if config.getoption("autofix_dry_run") and not enabled:
        raise pytest.UsageError(
            "--dry-run only has a meaning with --autofix: use `pytest --autofix --dry-run`"
        )
    min_confidence = _number(
        config,
        "autofix_min_confidence",
        "autofix_min_confidence",
        float,
        "takes a number within 0..1 (default 0.8)",
    )
    max_rounds = int(
        _number(
            config,
            "autofix_max_rounds",
            "autofix_max_rounds",
            int,
            "takes a whole number of at least 1 (default 5)",
        )
    )
    rerun_timeout = _number(
        config,
        "autofix_rerun_timeout",
        "autofix_rerun_timeout",
        float,
        "takes a number of seconds above 0 (default 600)",
    )
    select = _codes(config, "autofix_select", "autofix_select")
    ignore = _codes(config, "autofix_ignore", "autofix_ignore")
    raw_format = _opt(config, "autofix_format", "autofix_format")
    output_format = str(raw_format).strip() or "auto"
    if output_format not in ("auto", "plain", "github"):
        given = _given(config, "autofix_format", "autofix_format", raw_format)
        raise pytest.UsageError(f"{given}: takes auto, plain or github (default auto)")
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
        max_file_size=_max_file_size(config),
    )


def _max_file_size(config: pytest.Config) -> int:
    """ini ``autofix_max_file_size``: a whole number of bytes, at least 1."""
    raw = str(config.getini("autofix_max_file_size")).strip()
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        where = f" ({config.inipath.name})" if config.inipath else ""
        raise pytest.UsageError(
            f"autofix_max_file_size = {raw}{where}: takes a whole number of bytes of at least 1 "
            "(default 500000)"
        )
    return value


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
