"""The fix engine's cost: session end to verified fixes, against ONE plain rerun of those tests.

Generates a project in a temporary directory: ``M`` test modules (50) that define ten helpers
``value_0() .. value_9()``, ``P`` passing tests per module (4) and ``K`` failing tests that call
an undefined name ``value_<c>x_<c>()`` (a NameError), ``C`` root causes (10 distinct names).
Three layouts: ``confined`` puts each cause in one module whatever ``K`` is, so a larger ``K``
means more failing tests with the same ten edits of ten files that grow (the target is judged
on it: flat in the failing tests); ``helpers`` puts each cause in a small helper module that
the failing tests, dealt round the modules, call: more failing tests, the same ten edits of the
same ten small files; ``spread`` deals each cause's failing tests round the modules, so its
edits grow with ``K`` too (10 files at K=10, all 50 from K=500), a stress case reported beside
them.
A table-driven fixer in the project's ``conftest.py``, written through
the public API as in ``tests/test_engine.py``, renames ``value_<c>x_<c>`` to ``value_<c>``: one
issue and one fix per root cause, whatever ``K`` is. Per size ``K`` (10, 100 and 1,000 failing
tests by default) it times whole processes, all variants side by side, interleaved:

  (f) ``pytest --autofix --autofix-report=r.json``   on a fresh copy of the broken project
  (p) ``pytest``                                      plain, on a fresh copy of the broken project
  (r) ``pytest -p no:autofix <rerun.tests>``          on a fresh copy of the fixed project: ONE
                                                      plain run of the node ids the engine reran

The engine time is measured inside the ``--autofix`` process, without touching the package: a
small plugin loaded with ``-p`` wraps ``pytest_sessionfinish`` (a ``trylast`` hook wrapper, so it
runs just around the non-wrapper implementations, autofix's among them) and records the monotonic
clock and the CPU time (self + waited children, so the reruns count) when the tests are done and
when the engine has verified the fixes and written the report. Beside it: the report's
``rerun.seconds`` (the time in rerun subprocesses), the rest of the engine (planning, imports,
the project index, writing; broken down by timing a few internal functions, patched at run
time), the number of reruns (the ``autofix: rerunning ...`` and
``autofix: bisecting ...`` progress lines) and, as a cross-check, (f) minus (p). Target: the
engine within 1.2x of (r), flat in ``K``, one rerun per round (this project needs one round).

Every autofix run must exit 0 with every issue fixed; every fixed copy must be byte-identical to
the first one, which a plain run of the whole suite proves green (``K + M*P passed``).

    python benchmarks/bench_engine.py [--sizes 10,100,1000] [--layouts confined,helpers,spread]
                                      [--repeat N] [--json PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import children_cpu, ensure_installed, header, load, make_env, stats, versions

TARGET_RATIO = 1.2
TIMER_MODULE = "autofix_bench_timer"
# (module, attribute, label): the engine's steps timed for the breakdown. Internal names: when
# one moves, it drops out of the breakdown (into "other"), the engine time stays exact.
PATCHED = (
    ("pytest_autofix.engine.rounds", "_collect_fixers", "load fixers"),
    ("pytest_autofix.engine.rounds", "project_modules", "project index"),
    ("pytest_autofix.engine.rounds", "classify", "classify"),
    ("pytest_autofix.engine.rounds", "group", "classify"),
    ("pytest_autofix.engine.rounds", "propose", "fixers propose"),
    ("pytest_autofix.engine.plan", "build", "plan (libcst)"),
    ("pytest_autofix.transaction", "Transaction.set_contents", "write files"),
    ("pytest_autofix.engine.verify", "affected", "select tests"),
    ("pytest_autofix.engine.verify", "rerun", "reruns"),
    ("pytest_autofix.report.summary", "write_files", "JSON report"),
    # after the engine, in pytest_terminal_summary: not part of the engine time
    ("pytest_autofix.report.summary", "render", "terminal summary"),
)
AFTER = ("terminal summary",)
BREAKDOWN = tuple(
    label for label in ("imports", *dict.fromkeys(p[2] for p in PATCHED)) if label not in AFTER
)
TIMER_ENV = "AUTOFIX_BENCH_TIMING"
# What an autofix run imports beyond a plain one: compiled into the benchmark's bytecode cache
# before any run is timed (site-packages are compiled at install time on a user's machine).
ENGINE_IMPORTS = (
    "import libcst, rich.console, pytest_autofix.engine.rounds, pytest_autofix.report.summary, "
    "pytest_autofix.worker.recorder, pytest_autofix.fixers.imports, "
    "pytest_autofix.fixers.fixtures, pytest_autofix.fixers.environment.removed_api, "
    "pytest_autofix.fixers.environment.anchor_path, pytest_autofix.fixers.environment.env_var, "
    "pytest_autofix.fixers.environment.service, pytest_autofix.fixers.environment.missing_package"
)
# Loaded with ``-p autofix_bench_timer`` into the --autofix runs only (from a directory put on
# PYTHONPATH). It records nothing in xdist workers, nor in the engine's reruns (--autofix off).
TIMER_PLUGIN = f'''\
"""Times pytest-autofix's engine from outside the package (pytest-autofix benchmarks).

Around the engine (a ``trylast`` wrapper of ``pytest_sessionfinish``: inside pytest's own
wrappers, around autofix's hook), and, for a breakdown, around a few of the engine's internal
functions, patched at run time; a function that is not found is left out of the breakdown.
Written at the end of the engine, and again at ``pytest_unconfigure`` (the terminal summary;
the engine's CPU time then includes its reruns' whole processes, reaped by then).
"""
import functools
import importlib
import json
import os
import resource
import sys
import time

import pytest

PATCHED = {PATCHED!r}


def _cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _patch(spent, entries=PATCHED):
    """Time the functions of ``entries``; those of a module not imported yet (the engine
    loads the report while its rerun runs) are patched after the next timed call returns."""
    for entry in entries:
        module_name, qualname, key = entry
        owner = sys.modules.get(module_name)
        if owner is None:
            _PENDING.append(entry)
            continue
        try:
            *path, name = qualname.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = getattr(owner, name)
        except AttributeError:
            continue

        def timed(*args, __f=original, __key=key, **kwargs):
            start = time.monotonic()
            try:
                return __f(*args, **kwargs)
            finally:
                seconds, calls = spent.get(__key, (0.0, 0))
                spent[__key] = (seconds + time.monotonic() - start, calls + 1)
                if _PENDING:
                    pending = _PENDING[:]
                    _PENDING.clear()
                    _patch(spent, pending)

        setattr(owner, name, functools.wraps(original)(timed))


_PENDING = []


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    out = os.environ.get("{TIMER_ENV}")
    timed = bool(out) and config.getoption("autofix", False) and not hasattr(
        config, "workerinput"
    )
    start = time.monotonic()
    own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    spent = {{}}
    if timed:
        try:  # what autofix imports before its engine runs
            importlib.import_module("pytest_autofix.engine.rounds")
            importlib.import_module("pytest_autofix.report.progress")
        except ImportError:
            pass
        spent["imports"] = (time.monotonic() - start, 1)
        _patch(spent)
    try:
        return (yield)
    finally:
        if timed:
            own = _cpu(resource.RUSAGE_SELF) - own
            _DONE.update(out=out, start=start, end=time.monotonic(), own=own, children=children)
            _DONE["cpu"] = own + _cpu(resource.RUSAGE_CHILDREN) - children
            _DONE["spent"] = spent
            _write(dict(spent))


_DONE = {{}}


def _write(spent):
    data = {{k: _DONE[k] for k in ("start", "end", "cpu")}}
    with open(_DONE["out"], "w", encoding="utf-8") as f:
        json.dump({{**data, "spent": spent, "unconfigure": time.monotonic()}}, f)


@pytest.hookimpl(trylast=True)  # after autofix has waited for its reruns to exit
def pytest_unconfigure(config):
    if _DONE:  # the reruns' CPU counts once they are reaped, exit included
        _DONE["cpu"] = _DONE["own"] + _cpu(resource.RUSAGE_CHILDREN) - _DONE["children"]
        _write(_DONE["spent"])
'''


# -- the generated project -------------------------------------------------------------------

# The table fixer of tests/test_engine.py, with its imports moved into the hook so that plain
# runs of the project (the baseline) do not pay for importing libcst. ``optionalhook``: the
# hook is unknown to pytest when the plugin is disabled (-p no:autofix).
CONFTEST = """\
import pytest

RULES = {rules!r}


def _rename(old, new):
    import libcst as cst

    def transform(module):
        class T(cst.CSTTransformer):
            def leave_Name(self, original, updated):
                return updated.with_changes(value=new) if updated.value == old else updated

        return module.visit(T())

    return transform


@pytest.hookimpl(optionalhook=True)
def pytest_autofix_fixers(config):
    from pytest_autofix import FileEdit, Fix, IssueKind

    class TableFixer:
        name = "bench.table"
        kinds = frozenset({{IssueKind.IMPORT}})

        def propose(self, issue, project):
            new = RULES.get(issue.details.get("name"))
            if issue.code != "import.name-undefined" or new is None:
                return []
            paths = sorted({{loc["path"] for loc in issue.details["locations"]}})
            edits = [FileEdit(path, _rename(issue.details["name"], new)) for path in paths]
            return [Fix(f"rename {{issue.details['name']}} to {{new}}", 0.95, edits)]

    return [TableFixer()]
"""


LAYOUTS = ("confined", "helpers", "spread")


def generate_project(
    root: Path, failing: int, causes: int, modules: int, passing: int, layout: str = "confined"
) -> int:
    """Write the broken project under ``root``; return its number of tests.

    ``confined``: each root cause lives in one module, whatever ``failing`` is (more failing
    tests, the same edits of files that grow). ``helpers``: each root cause is a helper module
    ``tests/cause_<c>.py`` whose function calls the undefined name; the failing tests call it
    from modules they are dealt round (more failing tests, the same edits of the same ten small
    files). ``spread``: the failing tests of each cause go round the modules, so a cause reaches
    more modules as ``failing`` grows (10 edited files at K=10, every module by K=500): the
    edits grow with ``failing``.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r} is not one of {LAYOUTS}")
    tests: dict[int, list[str]] = {m: [] for m in range(modules)}
    uses: dict[int, set[int]] = {m: set() for m in range(modules)}  # helpers: causes imported
    for m in range(modules):
        for i in range(passing):
            c = (m + i) % 10
            tests[m].append(f"def test_ok_{m}_{i}():\n    assert value_{c}() == {c}\n")
    for j in range(failing):
        c = j % causes
        if layout == "confined":  # one module per cause, the causes evenly apart
            m = (c * max(1, modules // causes)) % modules
        else:  # each cause over many modules, each module holding several causes
            m = (j // causes + 3 * c) % modules
        if layout == "helpers":
            uses[m].add(c)
            tests[m].append(f"def test_broken_{j}():\n    assert cause_{c}.value() == {c % 10}\n")
        else:
            tests[m].append(
                f"def test_broken_{j}():\n    assert value_{c % 10}x_{c}() == {c % 10}\n"
            )
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n', encoding="utf-8"
    )
    (root / "tests").mkdir()
    rules = {f"value_{c % 10}x_{c}": f"value_{c % 10}" for c in range(causes)}
    (root / "conftest.py").write_text(CONFTEST.format(rules=rules), encoding="utf-8")
    helpers = "".join(f"def value_{v}():\n    return {v}\n\n\n" for v in range(10))
    for m, bodies in tests.items():
        imports = "".join(f"import cause_{c}\n" for c in sorted(uses[m]))
        text = (imports + "\n\n" if imports else "") + helpers + "\n\n".join(bodies)
        (root / "tests" / f"test_m{m:03d}.py").write_text(text, encoding="utf-8")
    if layout == "helpers":
        for c in range(causes):
            v = c % 10
            source = (
                f"def value_{v}():\n    return {v}\n\n\ndef value():\n    return value_{v}x_{c}()\n"
            )
            (root / "tests" / f"cause_{c}.py").write_text(source, encoding="utf-8")
    return failing + modules * passing


# -- processes, copies and the bytecode cache ------------------------------------------------

_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")
IGNORED = shutil.ignore_patterns(".pytest_cache", "__pycache__", "*.pyc")


def write_timer_plugin(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{TIMER_MODULE}.py").write_text(TIMER_PLUGIN, encoding="utf-8")


def counts(output: str) -> dict[str, int]:
    """pytest's final counts ("3 failed, 2 passed, 1 error"), errors under "errors"."""
    lines = [ln for ln in output.strip().splitlines() if _COUNT.search(ln)]
    out: dict[str, int] = {}
    for n, what in _COUNT.findall(lines[-1] if lines else ""):
        key = "errors" if what.startswith("error") else what
        out[key] = out.get(key, 0) + int(n)
    return out


class Run:
    """One finished process: wall and CPU time, output, exit status."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
        cpu = children_cpu()
        self.started = time.monotonic()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        self.ended = time.monotonic()
        self.cpu = children_cpu() - cpu
        self.wall = self.ended - self.started
        self.cmd, self.returncode = cmd, proc.returncode
        self.output = proc.stdout + proc.stderr
        self.counts = counts(proc.stdout)

    def fail(self, why: str) -> SystemExit:
        tail = "\n".join(self.output.strip().splitlines()[-20:])
        return SystemExit(
            f"benchmark run failed: {why}\n  command: {' '.join(self.cmd)}\n"
            f"  exit status {self.returncode}\n{tail}"
        )


def compile_engine(python: str, cwd: Path, env: dict[str, str]) -> None:
    """Import (and so compile into the benchmark's bytecode cache) what the engine loads."""
    compiled = Run([python, "-c", ENGINE_IMPORTS], cwd, env)
    if compiled.returncode != 0:
        raise compiled.fail("the engine's modules did not import")


def pyc_dir(pycache: Path, project: Path) -> Path:
    """Where ``PYTHONPYCACHEPREFIX`` keeps the bytecode of the files under ``project``."""
    return pycache / project.resolve().relative_to(project.resolve().anchor)


def fresh_copy(src: Path, dest: Path, pycache: Path, snapshot: Path | None) -> None:
    """``dest`` := a copy of ``src`` (mtimes kept) and, when given, its bytecode cache as it was
    in ``snapshot``: modules unchanged since then are not compiled again, edited ones are."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest, ignore=IGNORED)
    if snapshot is not None:
        cache = pyc_dir(pycache, dest)
        shutil.rmtree(cache, ignore_errors=True)
        if snapshot.exists():
            shutil.copytree(snapshot, cache)


def take_snapshot(pycache: Path, project: Path, snapshot: Path) -> None:
    shutil.rmtree(snapshot, ignore_errors=True)
    cache = pyc_dir(pycache, project)
    if cache.exists():
        shutil.copytree(cache, snapshot)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".pytest_cache" not in p.parts and "__pycache__" not in p.parts
    }


_PROGRESS = re.compile(r"^autofix: (rerunning|bisecting)\b", re.MULTILINE)


def reruns_of(output: str) -> dict[str, int]:
    found = _PROGRESS.findall(output)
    return {"verify": found.count("rerunning"), "bisect": found.count("bisecting")}


# -- one size --------------------------------------------------------------------------------

VARIANTS = ("autofix", "plain", "rerun")


class Case:
    """One generated project and the interleaved runs on it."""

    def __init__(
        self, python: str, tmp: Path, args: argparse.Namespace, failing: int, layout: str
    ) -> None:
        self.python, self.failing, self.causes = python, failing, min(args.causes, failing)
        self.layout = layout
        self.tmp = tmp / f"{layout}-k{failing}"
        self.pycache = tmp / "pycache"
        self.env = make_env(self.pycache, tmp / "plugins")
        self.template = self.tmp / "broken"
        self.total = generate_project(
            self.template, failing, self.causes, args.modules, args.passing, layout
        )
        self.dirs = {v: self.tmp / v / "project" for v in VARIANTS}
        self.snap = {v: self.tmp / "snapshots" / v for v in VARIANTS}
        self.report_path = self.tmp / "r.json"
        self.timing_path = self.tmp / "timing.json"
        self.fixed = self.tmp / "fixed"
        self.fixed_bytes: dict[str, bytes] = {}
        self.rerun_tests: list[str] = []
        self.rerun_passed = 0

    # the three variants ----------------------------------------------------------------------

    def run_autofix(self) -> dict[str, Any]:
        fresh_copy(self.template, self.dirs["autofix"], self.pycache, self.snap["autofix"])
        self.report_path.unlink(missing_ok=True)
        self.timing_path.unlink(missing_ok=True)
        cmd = [self.python, "-m", "pytest", "-p", TIMER_MODULE, "--autofix"]
        cmd.append(f"--autofix-report={self.report_path}")
        run = Run(cmd, self.dirs["autofix"], {**self.env, TIMER_ENV: str(self.timing_path)})
        if run.returncode != 0:
            raise run.fail("the autofix run did not exit 0 (not every failure fixed)")
        if not self.report_path.exists() or not self.timing_path.exists():
            raise run.fail("no JSON report or no engine timing was written")
        report = json.loads(self.report_path.read_text(encoding="utf-8"))
        timing = json.loads(self.timing_path.read_text(encoding="utf-8"))
        s, rerun = report["summary"], report["rerun"]
        want = {"failures": self.failing, "issues": self.causes, "fixed": self.causes}
        if {k: s[k] for k in want} != want or s["rolled_back"] or not rerun or rerun["failed"]:
            raise run.fail(f"unexpected report: summary {s}, rerun {rerun and rerun['failed']}")
        if not self.fixed_bytes:  # the first run: prove its result green, keep it as reference
            self._keep_fixed()
        elif tree_bytes(self.dirs["autofix"]) != self.fixed_bytes:
            raise run.fail("the fixed copy differs from the first (verified green) fixed copy")
        if self.rerun_tests and rerun["tests"] != self.rerun_tests:
            raise run.fail("rerun.tests differs from the first autofix run's")
        self.rerun_tests, self.rerun_passed = list(rerun["tests"]), int(rerun["passed"])
        reruns = reruns_of(run.output)
        engine = timing["end"] - timing["start"]
        return {
            "wall": run.wall,
            "cpu": run.cpu,
            "engine": engine,
            "engine_cpu": timing["cpu"],
            "before_engine": timing["start"] - run.started,
            "after_engine": run.ended - timing["end"],
            "terminal_summary": timing["spent"].get("terminal summary", [0.0])[0],
            "exit": run.ended - timing["unconfigure"],
            "rerun_seconds": float(rerun["seconds"]),
            "other": engine - float(rerun["seconds"]),
            "reruns": reruns["verify"] + reruns["bisect"],
            "bisect_reruns": reruns["bisect"],
            "spent": {k: v[0] for k, v in timing["spent"].items()},
            "calls": {k: v[1] for k, v in timing["spent"].items()},
        }

    def _keep_fixed(self) -> None:
        shutil.rmtree(self.fixed, ignore_errors=True)
        shutil.copytree(self.dirs["autofix"], self.fixed, ignore=IGNORED)
        check_dir = self.tmp / "check" / "project"
        fresh_copy(self.fixed, check_dir, self.pycache, None)
        check = Run([self.python, "-m", "pytest", "-p", "no:autofix"], check_dir, self.env)
        if check.returncode != 0 or check.counts != {"passed": self.total}:
            raise check.fail(f"the fixed project is not green ({self.total} tests expected)")
        self.fixed_bytes = tree_bytes(self.fixed)

    def run_plain(self) -> dict[str, Any]:
        fresh_copy(self.template, self.dirs["plain"], self.pycache, self.snap["plain"])
        run = Run([self.python, "-m", "pytest"], self.dirs["plain"], self.env)
        want = {"failed": self.failing, "passed": self.total - self.failing}
        want = {k: n for k, n in want.items() if n}
        if run.returncode != 1 or run.counts != want:
            raise run.fail(f"the plain run of the broken copy did not report {want}")
        return {"wall": run.wall, "cpu": run.cpu}

    def run_rerun(self) -> dict[str, Any]:
        fresh_copy(self.fixed, self.dirs["rerun"], self.pycache, self.snap["rerun"])
        cmd = [self.python, "-m", "pytest", "-p", "no:autofix", *self.rerun_tests]
        run = Run(cmd, self.dirs["rerun"], self.env)
        if run.returncode != 0 or run.counts != {"passed": self.rerun_passed}:
            raise run.fail(f"the plain rerun did not report {self.rerun_passed} passed")
        return {"wall": run.wall, "cpu": run.cpu}

    # warm-up and measurement -----------------------------------------------------------------

    def warm_up(self) -> None:
        """Compile the broken project at every variant's path (untimed) and keep that bytecode
        cache as the variant's starting state for every repetition: a developer's checkout has
        compiled the broken modules before; the edited ones are compiled again in the rerun.
        The installed modules the engine imports are compiled too, as ``pip install`` does."""
        compile_engine(self.python, self.tmp, self.env)
        for variant in VARIANTS:
            fresh_copy(self.template, self.dirs[variant], self.pycache, None)
            cmd = [self.python, "-m", "pytest", "-p", "no:autofix"]
            run = Run(cmd, self.dirs[variant], self.env)
            if run.returncode != 1 or run.counts.get("failed") != self.failing:
                raise run.fail("the warm-up run of the broken project did not fail as built")
            take_snapshot(self.pycache, self.dirs[variant], self.snap[variant])

    def measure(self, repeat: int, budget: float) -> dict[str, list[dict[str, Any]]]:
        """Up to ``repeat`` repetitions, each running the three variants in a rotated order
        (the first starts with the autofix run: the rerun needs its fixed project); no new
        repetition once ``budget`` seconds would be exceeded (at least one)."""
        runs: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
        do = {"autofix": self.run_autofix, "plain": self.run_plain, "rerun": self.run_rerun}
        started = time.perf_counter()
        for rep in range(repeat):
            rep_started = time.perf_counter()
            order = VARIANTS[rep % 3 :] + VARIANTS[: rep % 3]
            for variant in order:
                runs[variant].append(do[variant]())
            a, p, r = runs["autofix"][-1], runs["plain"][-1], runs["rerun"][-1]
            print(
                f"  {self.layout:>8} {self.failing:>5} failing, repetition {rep + 1}/{repeat}: "
                f"autofix "
                f"{a['wall']:.2f}s (engine {a['engine']:.2f}s, {a['reruns']} rerun(s)), "
                f"plain {p['wall']:.2f}s, rerun alone {r['wall']:.2f}s",
                file=sys.stderr,
                flush=True,
            )
            now = time.perf_counter()
            if now - started + (now - rep_started) > budget and rep + 1 < repeat:
                print(f"  time budget ({budget:g} s) reached", file=sys.stderr, flush=True)
                break
        return runs


def _paired(num: list[float], den: list[float]) -> float:
    return statistics.median(a / b for a, b in zip(num, den, strict=True))


def summarize(case: Case, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    a, p, r = runs["autofix"], runs["plain"], runs["rerun"]
    keys: tuple[str, ...] = ("wall", "cpu", "engine", "engine_cpu", "before_engine")
    keys += ("after_engine", "terminal_summary", "exit")
    col = {k: [x[k] for x in a] for k in (*keys, "rerun_seconds", "other")}
    rerun_wall = [x["wall"] for x in r]
    diff = [x["wall"] - y["wall"] for x, y in zip(a, p, strict=True)]
    diff_cpu = [x["cpu"] - y["cpu"] for x, y in zip(a, p, strict=True)]
    spent = {k: statistics.median(x["spent"].get(k, 0.0) for x in a) for k in BREAKDOWN}
    spent["other"] = statistics.median(
        x["engine"] - sum(x["spent"].get(k, 0.0) for k in BREAKDOWN) for x in a
    )
    return {
        "layout": case.layout,
        "failing": case.failing,
        "causes": case.causes,
        "tests": case.total,
        "repetitions": len(a),
        "rerun_tests": case.rerun_tests,
        "rerun_nodes": len(case.rerun_tests),
        "rerun_tests_passed": case.rerun_passed,
        "reruns": sorted({x["reruns"] for x in a}),
        "bisect_reruns": max(x["bisect_reruns"] for x in a),
        "autofix": {k: stats(v) for k, v in col.items()},
        "plain": {k: stats([x[k] for x in p]) for k in ("wall", "cpu")},
        "rerun_alone": {k: stats([x[k] for x in r]) for k in ("wall", "cpu")},
        "autofix_minus_plain": {"wall": stats(diff), "cpu": stats(diff_cpu)},
        "breakdown_median_seconds": spent,
        "breakdown_calls": {k: max(x["calls"].get(k, 0) for x in a) for k in BREAKDOWN},
        "ratio": {
            "paired_median": _paired(col["engine"], rerun_wall),
            "medians": statistics.median(col["engine"]) / statistics.median(rerun_wall),
            "mins": min(col["engine"]) / min(rerun_wall),
            "cpu_paired_median": _paired(col["engine_cpu"], [x["cpu"] for x in r]),
            "rerun_seconds_paired_median": _paired(col["rerun_seconds"], rerun_wall),
            "autofix_minus_plain_paired_median": _paired(diff, rerun_wall),
        },
    }


def render(result: dict[str, Any]) -> str:
    m, v = result["machine"], result["versions"]
    lines = [
        f"pytest-autofix engine: {result['modules']} test modules, "
        f"{result['passing_per_module']} passing tests each, + K failing tests (NameErrors) "
        f"over {result['causes']} root causes; up to {result['repeat']} interleaved "
        f"repetitions per K ({result['budget_seconds']:g} s budget per K)",
        f"{result['date']}  {m['system']}, {m['cpus']} cores, Python {v['python']}, "
        f"pytest {v['pytest']}, pytest-autofix {v['pytest-autofix']} ({v['revision']}), "
        f"libcst {v['libcst']}",
        f"bytecode cache on; load average {m['load_before']} before, {m['load_after']} after; "
        f"{result['seconds_measuring']:.0f} s in all",
        "",
        "seconds, median wall (cpu); engine: session end -> fixes verified, report written;",
        "alone: ONE plain `pytest -p no:autofix <rerun.tests>` of the fixed project",
        "",
        f"{'layout':>8} {'K':>5} {'reps':>4} {'issues':>6} {'files':>5} {'reruns':>6}"
        f"  {'autofix run':>13}  {'plain run':>13}  {'engine':>13}  {'reruns':>6} {'rest':>6}"
        f"  {'alone':>13}  {'engine/alone':>14}",
    ]
    for c in result["cases"]:
        a, p, r = c["autofix"], c["plain"], c["rerun_alone"]
        ratio = c["ratio"]["paired_median"]
        lines.append(
            f"{c['layout']:>8} {c['failing']:>5} {c['repetitions']:>4} {c['causes']:>6}"
            f" {c['rerun_nodes']:>5}"
            f" {'/'.join(str(n) for n in c['reruns']):>6}"
            f"  {a['wall']['median']:>5.2f} ({a['cpu']['median']:>5.2f})"
            f"  {p['wall']['median']:>5.2f} ({p['cpu']['median']:>5.2f})"
            f"  {a['engine']['median']:>5.2f} ({a['engine_cpu']['median']:>5.2f})"
            f"  {a['rerun_seconds']['median']:>6.2f} {a['other']['median']:>6.2f}"
            f"  {r['wall']['median']:>5.2f} ({r['cpu']['median']:>5.2f})"
            f"  {ratio:>7.2f}x {'ok' if ratio <= TARGET_RATIO else 'OVER'}"
        )
    lines += [
        "",
        f"engine/alone: median of the per-repetition ratios, target <= {TARGET_RATIO:g}x, flat "
        "in K; files: node ids in rerun.tests",
        "reruns: rerun subprocesses per autofix run (this project needs one round); reruns: "
        "rerun.seconds; rest: engine minus reruns",
        "",
    ]
    for c in result["cases"]:
        q, a = c["ratio"], c["autofix"]
        lines.append(
            f"{c['layout']} K={c['failing']}: engine/alone medians {q['medians']:.2f}x, "
            f"mins {q['mins']:.2f}x, "
            f"cpu {q['cpu_paired_median']:.2f}x; the engine's reruns/alone "
            f"{q['rerun_seconds_paired_median']:.2f}x; autofix-plain "
            f"{c['autofix_minus_plain']['wall']['median']:.2f}s "
            f"({q['autofix_minus_plain_paired_median']:.2f}x alone); tests done at "
            f"{a['before_engine']['median']:.2f}s; after the engine "
            f"{a['after_engine']['median']:.2f}s (autofix's terminal summary "
            f"{a['terminal_summary']['median']:.2f}s, interpreter exit {a['exit']['median']:.2f}s)"
        )
        spent, calls = c["breakdown_median_seconds"], c["breakdown_calls"]
        parts = [
            f"{k} {spent[k]:.2f}" + (f" ({calls[k]}x)" if calls.get(k, 0) > 1 else "")
            for k in (*BREAKDOWN, "other")
            if k == "other" or calls.get(k)
        ]
        lines.append("    engine breakdown (s): " + ", ".join(parts))
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=None,
        help="failing tests K, comma-separated (10,100,1000; --quick: 10,100)",
    )
    parser.add_argument(
        "--layouts",
        default=None,
        help="where the causes live, comma-separated: confined (one module per cause: the "
        "target), helpers (one small helper module per cause, called by the failing tests), "
        "spread (a cause reaches more modules as K grows) (confined,helpers,spread; --quick: "
        "confined)",
    )
    parser.add_argument("--causes", type=int, default=10, help="root causes (10)")
    parser.add_argument("--modules", type=int, default=50, help="test modules (50)")
    parser.add_argument("--passing", type=int, default=4, help="passing tests per module (4)")
    parser.add_argument(
        "--repeat", type=int, default=None, help="repetitions per size, at most (5; --quick: 1)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds per size after which no new repetition starts (60; at least one runs)",
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter to benchmark")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: sizes 10,100, one repetition"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the engine is over its target"
    )
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10, 100] if args.quick else [10, 100, 1000])
    repeat = args.repeat or (1 if args.quick else 5)
    layouts = (args.layouts or ("confined" if args.quick else ",".join(LAYOUTS))).split(",")
    if not layouts or set(layouts) - set(LAYOUTS):
        parser.error(f"--layouts: comma-separated among {', '.join(LAYOUTS)}")
    if repeat < 1 or args.causes < 1 or args.modules < 1 or args.passing < 0:
        parser.error("--repeat, --causes and --modules must be at least 1, --passing >= 0")
    if args.json is not None and not args.json.resolve().parent.is_dir():
        parser.error(f"--json {args.json}: directory {args.json.resolve().parent} does not exist")
    ensure_installed(args.python)

    tmp = Path(tempfile.mkdtemp(prefix="autofix-bench-engine-"))
    write_timer_plugin(tmp / "plugins")
    cases = []
    load_before = load()
    started = time.perf_counter()
    try:
        for layout in layouts:
            for failing in sizes:
                case = Case(args.python, tmp, args, failing, layout)
                case.warm_up()
                cases.append(summarize(case, case.measure(repeat, args.budget)))
    finally:
        if args.keep:
            print(f"projects kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    result: dict[str, Any] = {
        **header("engine", load_before, versions(args.python), bytecode_cache=True),
        "modules": args.modules,
        "passing_per_module": args.passing,
        "causes": args.causes,
        "layouts": layouts,
        "repeat": repeat,
        "budget_seconds": args.budget,
        "seconds_measuring": round(time.perf_counter() - started, 1),
        "target_ratio": TARGET_RATIO,
        "commands": {
            "autofix": f"python -m pytest -p {TIMER_MODULE} --autofix --autofix-report=PATH",
            "plain": "python -m pytest",
            "rerun_alone": "python -m pytest -p no:autofix <rerun.tests>",
        },
        "cases": cases,
    }
    print(render(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    over = [c for c in cases if c["ratio"]["paired_median"] > TARGET_RATIO]
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
