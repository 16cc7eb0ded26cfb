"""The cost of pytest-autofix: installed, on a plain ``pytest`` run; ``--autofix``, on a green one.

Generates a suite of passing tests in a temporary directory (1,000 by default, over ~50 modules,
with a conftest of fixtures and some parametrized tests), then times whole ``pytest`` processes,
all variants side by side in one run:

  (b) ``pytest -p no:cacheprovider -q -p no:autofix``   the plugin disabled (the baseline)
  (a) ``pytest -p no:cacheprovider -q``                 the plugin installed, entry point active
  (c) ``pytest -p no:cacheprovider -q --autofix``       autofix on, on the same green suite

Each repetition runs every variant once, in a rotated order, so that drift of the machine (CPU
frequency, caches, other load) hits all variants alike. Reported: median and min wall time
(``time.perf_counter`` around the process) per variant, and the overheads as the median of the
per-repetition ratios (a/b and c/a), with the ratios of the medians and of the mins beside them.
The CPU time of each process (user + system, from ``getrusage``) is reported beside the wall
time: it is much less disturbed by other load on a shared machine. Targets: (a) within 1 % of
(b), (c) within 3 % of (a).

It also measures ``python -X importtime -c "import pytest_autofix.plugin"`` (with pytest already
imported, as it is when pytest loads its plugins) and checks that no heavy module (libcst, rich,
pydantic) is imported, neither by the import nor by a whole plain session.

    python benchmarks/bench_overhead.py [--tests N] [--modules M] [--repeat K] [--json PATH]
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

HEAVY = ("libcst", "rich", "pydantic")
TARGETS = {"installed_vs_disabled": 1.0, "autofix_vs_installed": 3.0}
BASE_ARGS = ("-p", "no:cacheprovider", "-q")
VARIANTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # key: (label, extra arguments after BASE_ARGS)
    "disabled": ("(b) plugin disabled: -p no:autofix", ("-p", "no:autofix")),
    "installed": ("(a) plugin installed: plain pytest", ()),
    "autofix": ("(c) pytest --autofix (green suite)", ("--autofix",)),
}


# -- the generated suite ---------------------------------------------------------------------

CONFTEST = """\
import pytest


@pytest.fixture(scope="session")
def settings():
    return {"currency": "EUR", "rate": 0.2, "names": ["ada", "bob", "cy"]}


@pytest.fixture
def numbers():
    return list(range(20))


@pytest.fixture
def basket(numbers, settings):
    return {"items": numbers[:5], "currency": settings["currency"]}
"""

_TEMPLATES = (
    "def test_arith_{i}():\n    assert {i} * 2 - {i} == {i}\n",
    "def test_numbers_{i}(numbers):\n    assert sum(numbers) == 190 and {i} >= 0\n",
    'def test_settings_{i}(settings):\n    assert settings["rate"] * {i} == {i} * 0.2\n',
    'def test_basket_{i}(basket):\n    assert len(basket["items"]) == 5\n',
    'def test_text_{i}():\n    assert "item-{i}".split("-") == ["item", "{i}"]\n',
    "def test_dict_{i}():\n    d = {{k: k * k for k in range(10)}}\n    assert d[3] == 9\n",
)


def _module_source(index: int, count: int) -> str:
    """A test module with exactly ``count`` tests: a parametrized one and plain functions."""
    params = min(8, count // 3) if count >= 6 else 0
    parts = ["import pytest\n"]
    if params:
        values = ", ".join(f"({n}, {n * n})" for n in range(params))
        parts.append(
            f'@pytest.mark.parametrize(("n", "square"), [{values}])\n'
            f"def test_square_{index}(n, square):\n    assert n * n == square\n"
        )
    for i in range(count - params):
        template = _TEMPLATES[(index + i) % len(_TEMPLATES)]
        parts.append(template.format(i=i))
    return "\n\n".join(parts)


def generate_suite(root: Path, tests: int, modules: int) -> int:
    """Write the suite under ``root``; return the number of tests it holds."""
    modules = max(1, min(modules, tests))
    (root / "tests").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n", encoding="utf-8")
    (root / "tests" / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    base, extra = divmod(tests, modules)
    total = 0
    for m in range(modules):
        count = base + (1 if m < extra else 0)
        source = _module_source(m, count)
        (root / "tests" / f"test_mod{m:03d}.py").write_text(source, encoding="utf-8")
        total += count
    return total


# -- running and timing ----------------------------------------------------------------------

_PASSED = re.compile(r"(\d+) passed")


def command(python: str, key: str) -> list[str]:
    return [python, "-m", "pytest", *BASE_ARGS, *VARIANTS[key][1]]


def timed_run(cmd: list[str], cwd: Path, env: dict[str, str], expect: int) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run, which must pass ``expect`` tests."""
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    cpu = children_cpu() - cpu
    match = _PASSED.search(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "")
    if proc.returncode != 0 or match is None or int(match.group(1)) != expect:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise SystemExit(
            f"benchmark run failed: {' '.join(cmd)} (exit {proc.returncode}, "
            f"expected {expect} passed)\n{tail}"
        )
    return elapsed, cpu


Times = dict[str, dict[str, list[float]]]  # metric ("wall", "cpu") -> variant -> seconds


def measure(
    python: str, suite: Path, env: dict[str, str], expect: int, repeat: int, warmup: int
) -> Times:
    keys = list(VARIANTS)
    times: Times = {"wall": {k: [] for k in keys}, "cpu": {k: [] for k in keys}}
    for _ in range(warmup):  # byte-compile the suite, fill the OS caches
        for key in keys:
            timed_run(command(python, key), suite, env, expect)
    for rep in range(repeat):
        order = keys[rep % len(keys) :] + keys[: rep % len(keys)]
        for key in order:
            wall, cpu = timed_run(command(python, key), suite, env, expect)
            times["wall"][key].append(wall)
            times["cpu"][key].append(cpu)
        done = ", ".join(
            f"{k} {times['wall'][k][-1]:.3f}s ({times['cpu'][k][-1]:.3f}s cpu)" for k in keys
        )
        print(f"  repetition {rep + 1:>2}/{repeat}: {done}", file=sys.stderr, flush=True)
    return times


def _pct(ratio: float) -> float:
    return (ratio - 1.0) * 100.0


def compare(times: dict[str, list[float]], num: str, den: str) -> dict[str, float]:
    paired = [a / b for a, b in zip(times[num], times[den], strict=True)]
    q1, _, q3 = statistics.quantiles(paired, n=4) if len(paired) >= 2 else (paired[0],) * 3
    return {
        "paired_median_pct": _pct(statistics.median(paired)),
        "paired_q1_pct": _pct(q1),
        "paired_q3_pct": _pct(q3),
        "medians_pct": _pct(statistics.median(times[num]) / statistics.median(times[den])),
        "mins_pct": _pct(min(times[num]) / min(times[den])),
    }


# -- import cost -----------------------------------------------------------------------------

_IMPORT_PROBE = """\
import json, sys
import pytest
import pytest_autofix.plugin
after_plugin = [m for m in {heavy!r} if m in sys.modules]
import pytest_autofix.hookspec
after_hookspec = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps({{"after_plugin": after_plugin, "after_hookspec": after_hookspec}}))
"""

_SESSION_PROBE = """\
import json, sys
import pytest
rc = pytest.main(sys.argv[1:])
print(json.dumps({{
    "exit": int(rc),
    "heavy": [m for m in {heavy!r} if m in sys.modules],
    "autofix_modules": sorted(m for m in sys.modules if m.startswith("pytest_autofix")),
}}))
"""

_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s*\|\s*(\d+)\s*\|( *)(\S+)\s*$")


def import_cost(python: str, env: dict[str, str], samples: int) -> dict[str, Any]:
    """Cumulative import time (microseconds) of the plugin modules pytest imports on every run."""
    plugin_us: list[int] = []
    hookspec_us: list[int] = []
    heavy: dict[str, Any] = {}
    for _ in range(samples):
        proc = subprocess.run(
            [python, "-X", "importtime", "-c", _IMPORT_PROBE.format(heavy=HEAVY)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        cumulative = {}
        for line in proc.stderr.splitlines():
            m = _IMPORTTIME.match(line)
            if m:
                cumulative[m.group(4)] = int(m.group(2))
        plugin_us.append(cumulative["pytest_autofix.plugin"])
        hookspec_us.append(cumulative.get("pytest_autofix.hookspec", 0))
        heavy = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "plugin_us_median": statistics.median(plugin_us),
        "plugin_us_min": min(plugin_us),
        "hookspec_us_median": statistics.median(hookspec_us),
        "samples": samples,
        "heavy_after_plugin_import": heavy["after_plugin"],
        "heavy_after_hookspec_import": heavy["after_hookspec"],
    }


def session_modules(python: str, suite: Path, env: dict[str, str]) -> dict[str, Any]:
    """Heavy and pytest_autofix modules in sys.modules after a whole plain session."""
    out = {}
    for key in ("installed", "disabled"):
        args = [*BASE_ARGS, *VARIANTS[key][1]]
        proc = subprocess.run(
            [python, "-c", _SESSION_PROBE.format(heavy=HEAVY), *args],
            cwd=suite,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        lines = proc.stdout.strip().splitlines()
        probe = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None
        if probe is None or probe["exit"] != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise SystemExit(f"the in-process pytest session ({key}) did not pass:\n{tail}")
        out[key] = probe
    return out


# -- report ----------------------------------------------------------------------------------


def _verdict(pct: float, target: float) -> str:
    return "ok" if pct <= target else "OVER TARGET"


def render(result: dict[str, Any]) -> str:
    v = result["versions"]
    m = result["machine"]
    lines = [
        f"pytest-autofix overhead: {result['tests']} passing tests in {result['modules']} "
        f"modules, {result['repeat']} interleaved repetitions ({result['warmup']} warm-up)",
        f"{result['date']}  {m['system']}, {m['cpus']} cores, Python {v['python']}, "
        f"pytest {v['pytest']}, pytest-autofix {v['pytest-autofix']}",
        f"bytecode cache {'on' if result['bytecode_cache'] else 'off'}; load average "
        f"{m['load_before']} before, {m['load_after']} after; "
        f"{result['seconds_measuring']:.0f} s of runs",
        "",
        f"{'variant':<38} {'wall median':>11} {'min':>7} {'vs (b)':>7}"
        f" {'cpu median':>11} {'min':>7} {'vs (b)':>7}",
    ]
    for key in VARIANTS:
        row = [f"{VARIANTS[key][0]:<38}"]
        for metric in ("wall", "cpu"):
            cell = result["variants"][key][metric]
            base = result["variants"]["disabled"][metric]["median"]
            rel = "" if key == "disabled" else f"{_pct(cell['median'] / base):+.1f}%"
            row.append(f"{cell['median']:>10.3f}s {cell['min']:>6.3f}s {rel:>7}")
        lines.append(" ".join(row))
    lines.append("")
    names = {
        "installed_vs_disabled": "plugin installed vs disabled",
        "autofix_vs_installed": "--autofix vs plain",
    }
    for key, name in names.items():
        wall = result["ratios"]["wall"][key]
        cpu = result["ratios"]["cpu"][key]
        target = TARGETS[key]
        lines.append(
            f"{name}: {wall['paired_median_pct']:+.1f} % (target <= {target:g} %) "
            f"{_verdict(wall['paired_median_pct'], target)}"
        )
        lines.append(
            f"    wall: paired IQR {wall['paired_q1_pct']:+.1f}..{wall['paired_q3_pct']:+.1f} %,"
            f" medians {wall['medians_pct']:+.1f} %, mins {wall['mins_pct']:+.1f} %"
        )
        lines.append(
            f"    cpu:  {cpu['paired_median_pct']:+.1f} % (paired IQR "
            f"{cpu['paired_q1_pct']:+.1f}..{cpu['paired_q3_pct']:+.1f} %),"
            f" medians {cpu['medians_pct']:+.1f} %, mins {cpu['mins_pct']:+.1f} %"
        )
    imp = result["import"]
    lines += [
        "",
        f"import pytest_autofix.plugin: {imp['plugin_us_median']:.0f} us cumulative, python -X "
        f"importtime, pytest already imported (median of {imp['samples']}, min "
        f"{imp['plugin_us_min']} us); then pytest_autofix.hookspec "
        f"{imp['hookspec_us_median']:.0f} us",
        "heavy modules after that import: "
        + (", ".join(imp["heavy_after_hookspec_import"]) or f"none of {', '.join(HEAVY)}"),
    ]
    sess = result["session"]["installed"]
    base_heavy = set(result["session"]["disabled"]["heavy"])
    added = [h for h in sess["heavy"] if h not in base_heavy]
    lines.append(
        "after a whole plain session: "
        + (f"{', '.join(added)} imported because of the plugin" if added else "none of them")
        + f"; plugin modules loaded: {', '.join(sess['autofix_modules']) or '-'}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=1000, help="tests in the suite (1000)")
    parser.add_argument("--modules", type=int, default=50, help="test modules (50)")
    parser.add_argument("--repeat", type=int, default=15, help="timed repetitions (15)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (1)")
    parser.add_argument("--import-samples", type=int, default=9, help="importtime runs (9)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to benchmark")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run with PYTHONDONTWRITEBYTECODE=1 (every run compiles every module)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated suite")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when an overhead is over its target"
    )
    args = parser.parse_args(argv)
    if args.tests < 1 or args.repeat < 1 or args.modules < 1 or args.import_samples < 1:
        parser.error("--tests, --modules, --repeat and --import-samples must be at least 1")
    if args.json is not None and not args.json.resolve().parent.is_dir():
        parser.error(f"--json {args.json}: directory {args.json.resolve().parent} does not exist")

    ensure_installed(args.python)
    tmp = Path(tempfile.mkdtemp(prefix="autofix-bench-"))
    suite = tmp / "suite"
    env = make_env(None if args.no_bytecode_cache else tmp / "pycache")
    try:
        total = generate_suite(suite, args.tests, args.modules)
        load_before = load()
        started = time.perf_counter()
        times = measure(args.python, suite, env, total, args.repeat, args.warmup)
        elapsed = time.perf_counter() - started
        result: dict[str, Any] = {
            **header(
                "overhead",
                load_before,
                versions(args.python, ("pytest-autofix",), with_revision=False),
                bytecode_cache=not args.no_bytecode_cache,
            ),
            "tests": total,
            "modules": min(args.modules, args.tests),
            "repeat": args.repeat,
            "warmup": args.warmup,
            "seconds_measuring": round(elapsed, 1),
            "variants": {
                key: {
                    "label": VARIANTS[key][0],
                    "command": ["python", "-m", "pytest", *BASE_ARGS, *VARIANTS[key][1]],
                    **{metric: stats(times[metric][key]) for metric in ("wall", "cpu")},
                }
                for key in VARIANTS
            },
            "ratios": {
                metric: {
                    "installed_vs_disabled": compare(times[metric], "installed", "disabled"),
                    "autofix_vs_installed": compare(times[metric], "autofix", "installed"),
                }
                for metric in ("wall", "cpu")
            },
            "targets_pct": TARGETS,
            "import": import_cost(args.python, env, args.import_samples),
            "session": session_modules(args.python, suite, env),
        }
    finally:
        if args.keep:
            print(f"suite kept in {suite}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(render(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    over = [k for k, t in TARGETS.items() if result["ratios"]["wall"][k]["paired_median_pct"] > t]
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
