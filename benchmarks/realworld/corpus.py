"""The real-world corpus: its cases (recipes) and how a run of one is scored.

Pure: no process, no download. ``run.py`` prepares the cases and runs pytest; this module reads
``cases/*/case.toml`` and turns the recorded outcomes of the runs before and after a fix into
the figures: fixed targets, regressions, harmful and unrelated edits. Imported as ``corpus``
(``run.py`` runs with this directory first on ``sys.path``; the tests insert it).
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

KINDS = ("import", "fixture", "environment")
ORIGINS = ("natural", "injected")
FAILING = frozenset({"failed", "error"})
NOT_RUN = frozenset({"skipped", "xfailed"})
# A run that produced no results at all (pytest could not start: a broken conftest.py, an
# unknown option): the whole session is the one failing "test".
SESSION = "<session>"

_REQUIRED = ("kind", "origin", "package", "version", "summary", "pytest_args")
# targets may be empty while a case is being written (run.py --observe prints them)
_OPTIONAL = ("targets", "deps", "pythonpath", "root", "noise", "hidden", "deselected", "verified")
# Files that a test run writes by itself and that never count as an edit.
_NOISE_PARTS = ("__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".tox", ".eggs")
_NOISE_SUFFIXES = (".pyc", ".pyo", ".egg-info")


class CaseError(ValueError):
    """A case.toml that does not describe a case."""


@dataclass(frozen=True)
class Case:
    name: str
    dir: Path
    kind: str
    origin: str
    package: str
    version: str
    summary: str
    pytest_args: tuple[str, ...]
    targets: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()
    pythonpath: tuple[str, ...] = (".",)
    root: str = "."
    noise: tuple[str, ...] = ()
    deselected: str = ""
    verified: str = ""

    @property
    def all_targets(self) -> tuple[str, ...]:
        return self.targets + self.hidden

    @property
    def inject(self) -> Path | None:
        path = self.dir / "inject.py"
        return path if path.is_file() else None

    @property
    def expected(self) -> Path:
        return self.dir / "expected.patch"

    def list_line(self) -> str:
        return (
            f"{self.name} {self.kind} {self.origin} {self.package}=={self.version} "
            f"{len(self.all_targets)}"
        )


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CaseError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def load_case(directory: Path) -> Case:
    """The case in ``directory``; ``CaseError`` says what is wrong with its case.toml."""
    where = str(directory / "case.toml")
    try:
        data = tomllib.loads((directory / "case.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CaseError(f"{where}: missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{where}: {exc}") from None
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise CaseError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise CaseError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if data["kind"] not in KINDS:
        raise CaseError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if data["origin"] not in ORIGINS:
        raise CaseError(f"{where}: origin must be one of {', '.join(ORIGINS)}")
    for key in ("package", "version", "summary", "root", "deselected", "verified"):
        if key in data and not isinstance(data[key], str):
            raise CaseError(f"{where}: {key} must be a string")
    lists = {
        key: _strings(data, key, where)
        for key in ("pytest_args", "targets", "hidden", "deps", "pythonpath", "noise")
        if key in data
    }
    if "pytest_args" in lists and "no:cacheprovider" in lists["pytest_args"]:
        raise CaseError(f"{where}: the plugin keeps its journal in pytest's cache; keep it on")
    return Case(
        name=directory.name,
        dir=directory,
        kind=data["kind"],
        origin=data["origin"],
        package=data["package"],
        version=data["version"],
        summary=data["summary"],
        root=data.get("root", "."),
        deselected=data.get("deselected", ""),
        verified=data.get("verified", ""),
        **lists,  # type: ignore[arg-type]
    )


def load_cases(cases_dir: Path, names: Iterable[str] = ()) -> list[Case]:
    """Every case under ``cases_dir`` (sorted by name), or the ``names`` asked for."""
    wanted = list(names)
    available = sorted(p.name for p in cases_dir.iterdir() if (p / "case.toml").is_file())
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise CaseError(f"no such case: {', '.join(unknown)} (see --list)")
    return [load_case(cases_dir / n) for n in (wanted or available)]


# --- the outcomes of one plain run ---------------------------------------------------------


@dataclass(frozen=True)
class Outcomes:
    """What a plain pytest run recorded: each test's outcome by node id, the collectors that
    failed to collect. ``started`` is False when pytest produced no results at all."""

    tests: Mapping[str, str] = field(default_factory=dict)
    collect_errors: Mapping[str, str] = field(default_factory=dict)
    started: bool = True
    exitstatus: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcomes:
        return cls(
            tests=dict(data["tests"]),
            collect_errors=dict(data["collect_errors"]),
            exitstatus=int(data["exitstatus"]),
        )

    @classmethod
    def read(cls, path: Path, exitstatus: int) -> Outcomes:
        """The recorder's file, or a run that never started when it wrote none."""
        if not path.is_file():
            return cls(started=False, exitstatus=exitstatus)
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    @property
    def failing(self) -> frozenset[str]:
        if not self.started:
            return frozenset({SESSION})
        failing = {n for n, o in self.tests.items() if o in FAILING}
        return frozenset(failing | set(self.collect_errors))

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.tests.values():
            counts[outcome] = counts.get(outcome, 0) + 1
        if self.collect_errors:
            counts["collection errors"] = len(self.collect_errors)
        return counts


def _base(nodeid: str) -> str:
    """``test_x[1-a]`` -> ``test_x``: the function a parametrized instance belongs to."""
    return nodeid.split("[", 1)[0] if nodeid.endswith("]") else nodeid


def is_collector(target: str) -> bool:
    """A module or directory (a collection error), not a test: no ``::`` in its id."""
    return target != SESSION and "::" not in target


def matching(target: str, ids: Iterable[str]) -> list[str]:
    """The ids a test target stands for: itself, its parametrized instances (``test_x`` covers
    ``test_x[1]``), or the other way round (``test_x[1]`` is covered by a ``test_x`` that is
    no longer parametrized)."""
    base = _base(target)
    return [n for n in ids if n in (target, base) or _base(n) == target]


def covered(nodeid: str, targets: Iterable[str]) -> bool:
    """Whether ``nodeid`` is one of the targets (or a parametrized instance of one)."""
    return any(matching(t, (nodeid,)) for t in targets)


def behind(collector: str, nodeid: str) -> bool:
    """``nodeid`` is a test of ``collector`` (a module, a class, a directory)."""
    return nodeid.startswith((collector + "::", collector.rstrip("/") + "/"))


def target_fixed(target: str, after: Outcomes, hidden: Iterable[str] = ()) -> bool:
    if target == SESSION:
        return after.started
    if not after.started:
        return False
    if is_collector(target):
        # It collects, and the tests it hid pass: they never ran before, so they count for
        # the collection error they were behind (those listed as hidden targets count alone).
        return target not in after.collect_errors and not any(
            behind(target, n) and o in FAILING and not covered(n, hidden)
            for n, o in after.tests.items()
        )
    found = matching(target, after.tests)
    return bool(found) and all(after.tests[n] == "passed" for n in found)


def _gone_or_skipped(nodeid: str, before: str | None, after: Outcomes) -> bool:
    found = matching(nodeid, after.tests)
    if not found:
        return True
    was_run = before is None or before not in NOT_RUN
    return was_run and any(after.tests[n] in NOT_RUN for n in found)


# --- changed files -------------------------------------------------------------------------


def is_noise(path: str, globs: Iterable[str] = ()) -> bool:
    parts = PurePosixPath(path).parts
    if any(p in _NOISE_PARTS or p.endswith(_NOISE_SUFFIXES) for p in parts):
        return True
    return any(fnmatch.fnmatch(path, g) for g in globs)


_DIFF_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)


def patch_files(patch: str) -> frozenset[str]:
    """The paths a ``git diff`` touches, on either side of a rename."""
    files: set[str] = set()
    for old, new in _DIFF_HEADER.findall(patch):
        files.update((old, new))
    return frozenset(files)


# --- the score of one case -----------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    targets: tuple[str, ...]
    fixed: tuple[str, ...]
    regressions: tuple[str, ...]
    harmful: tuple[str, ...]
    unrelated: tuple[str, ...]

    @property
    def perfect(self) -> bool:
        return len(self.fixed) == len(self.targets) and not (
            self.regressions or self.harmful or self.unrelated
        )

    def line(self) -> str:
        return (
            f"fixed {len(self.fixed)} of {len(self.targets)} targets, "
            f"regressions {len(self.regressions)}, harmful {len(self.harmful)}, "
            f"unrelated {len(self.unrelated)}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "targets": len(self.targets),
            "fixed": list(self.fixed),
            "not_fixed": [t for t in self.targets if t not in self.fixed],
            "regressions": list(self.regressions),
            "harmful": list(self.harmful),
            "unrelated": list(self.unrelated),
        }


def unprepared(case: Case) -> Score:
    """A case that could not be prepared: every target counts as not fixed."""
    return Score(case.all_targets, (), (), (), ())


def score(
    case: Case,
    before: Outcomes,
    after: Outcomes,
    changes: Mapping[str, str],
    expected_files: frozenset[str],
) -> Score:
    """The figures of one case.

    ``changes``: path (relative to the git root) -> ``git diff --name-status`` letter (M, A, D)
    against the pristine tree, noise included (it is filtered here).
    """
    targets = case.all_targets
    fixed = tuple(t for t in targets if target_fixed(t, after, case.hidden))
    before_failing = before.failing
    # a test that never ran before, behind a collection error, counts for that error's target
    uncollected = [c for c in before.collect_errors if c in targets] if before.started else []
    regressions = tuple(
        sorted(
            n
            for n in after.failing
            if n not in before_failing
            and n != SESSION
            and not covered(n, targets)
            and not (n not in before.tests and any(behind(c, n) for c in uncollected))
        )
    )
    harmful: list[str] = []
    if after.started:
        for nodeid, outcome in sorted(before.tests.items()):
            if (outcome == "passed" or covered(nodeid, targets)) and _gone_or_skipped(
                nodeid, outcome, after
            ):
                harmful.append(nodeid)
        for target in targets:
            if target in harmful or target == SESSION:
                continue
            if is_collector(target):
                continue  # deleting it is counted as a deleted file
            if (
                target not in before.tests
                and _collected(target, after)
                and _gone_or_skipped(target, None, after)
            ):
                harmful.append(target)
    edited = {p: s for p, s in changes.items() if not is_noise(p, case.noise)}
    harmful.extend(f"deleted {p}" for p, s in sorted(edited.items()) if s == "D")
    unrelated = tuple(sorted(p for p in edited if p not in expected_files))
    return Score(targets, fixed, regressions, tuple(harmful), unrelated)


def _collected(target: str, after: Outcomes) -> bool:
    """Whether the module of a test target collected after the fix (a hidden target behind a
    collection error that is still there is not fixed, but not gone either)."""
    return not any(behind(c, target) for c in after.collect_errors)


def total(scores: Iterable[Score]) -> Score:
    """The sum of several cases' scores (for the closing line)."""
    parts = list(scores)

    def join(attr: str) -> tuple[str, ...]:
        return tuple(x for s in parts for x in getattr(s, attr))

    return Score(
        join("targets"), join("fixed"), join("regressions"), join("harmful"), join("unrelated")
    )
