"""What ``pytest --autofix`` achieves on the projects in ``examples/``, and what it costs.

For every ``examples/*/`` project (copied to a temporary directory: the repository's examples
are never written to), timed whole processes, interleaved (each repetition runs every variant
of every example once, in a rotated order):

  (f) ``pytest --autofix --autofix-report=r.json``                     on a fresh broken copy
  (p) ``pytest -p no:autofix --continue-on-collection-errors``          on a fresh broken copy

``--continue-on-collection-errors`` makes the plain run execute the same tests as the autofix
run, which turns it on itself. Per example and in total: failures (``summary.failures``),
issues, fixed and verified (status ``fixed``), left failing (failed + errors of a plain run of
the fixed copy afterwards), edits rolled back (status ``rolled-back``), suggested, unfixable,
the reruns (progress lines), the engine time (session end to the report, measured in the
process as in bench_engine.py) and the ratio (f)/(p): the median of the per-repetition ratios of
wall times. ``--xdist`` adds both variants with ``-n 2``.

    python benchmarks/bench_examples.py [--repeat N] [--xdist] [--only NAMES] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ensure_installed, header, load, make_env, stats, versions
from bench_engine import (
    IGNORED,
    TIMER_ENV,
    TIMER_MODULE,
    Run,
    compile_engine,
    fresh_copy,
    reruns_of,
    take_snapshot,
    tree_bytes,
    write_timer_plugin,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STATUSES = ("fixed", "rolled-back", "suggested", "unfixable", "proposed")
PLAIN = ("-p", "no:autofix", "--continue-on-collection-errors")


def discover(root: Path) -> list[Path]:
    configs = ("pyproject.toml", "pytest.ini", "tox.ini", "setup.cfg")
    return sorted(
        p for p in root.iterdir() if p.is_dir() and any((p / c).exists() for c in configs)
    )


def failing(run: Run) -> int:
    return run.counts.get("failed", 0) + run.counts.get("errors", 0)


class Example:
    """One example: its pristine copy, the variants' working copies, the runs on them."""

    def __init__(self, python: str, source: Path, tmp: Path, xdist: bool) -> None:
        self.python, self.name = python, source.name
        self.tmp = tmp / self.name
        self.pycache = tmp / "pycache"
        self.env = make_env(self.pycache, tmp / "plugins")
        self.template = self.tmp / "original"
        shutil.copytree(source, self.template, ignore=IGNORED)
        self.before = tree_bytes(source)
        self.modes = ["plain", "n2"] if xdist else ["plain"]
        self.report_path = self.tmp / "r.json"
        self.timing_path = self.tmp / "timing.json"
        self.fixed: dict[str, dict[str, bytes]] = {}  # mode -> the first fixed copy's bytes
        self.after: dict[str, dict[str, int]] = {}  # mode -> counts of the run afterwards
        self.unstable: set[str] = set()
        self.plain_counts: dict[str, dict[str, int]] = {}

    def _dir(self, variant: str, mode: str) -> Path:
        return self.tmp / f"{variant}-{mode}" / self.name

    def _xdist(self, mode: str) -> list[str]:
        return ["-n", "2"] if mode == "n2" else []

    def warm_up(self) -> None:
        """Compile the broken example at every working copy's path; keep that bytecode cache
        as each copy's starting state. The engine's installed modules are compiled too."""
        compile_engine(self.python, self.tmp, self.env)
        for mode in self.modes:
            for variant in ("autofix", "plain"):
                path = self._dir(variant, mode)
                fresh_copy(self.template, path, self.pycache, None)
                Run([self.python, "-m", "pytest", *PLAIN], path, self.env)
                take_snapshot(self.pycache, path, self.tmp / "snapshots" / f"{variant}-{mode}")

    def run_plain(self, mode: str) -> dict[str, Any]:
        path = self._dir("plain", mode)
        fresh_copy(self.template, path, self.pycache, self.tmp / "snapshots" / f"plain-{mode}")
        run = Run([self.python, "-m", "pytest", *PLAIN, *self._xdist(mode)], path, self.env)
        if run.returncode not in (0, 1):
            raise run.fail(f"{self.name}: the plain run of the broken example did not run")
        if self.plain_counts.setdefault(mode, run.counts) != run.counts:
            raise run.fail(f"{self.name}: the plain runs disagree: {self.plain_counts[mode]}")
        return {"wall": run.wall, "cpu": run.cpu, "failing": failing(run)}

    def run_autofix(self, mode: str) -> dict[str, Any]:
        path = self._dir("autofix", mode)
        fresh_copy(self.template, path, self.pycache, self.tmp / "snapshots" / f"autofix-{mode}")
        self.report_path.unlink(missing_ok=True)
        self.timing_path.unlink(missing_ok=True)
        cmd = [self.python, "-m", "pytest", "-p", TIMER_MODULE, *self._xdist(mode), "--autofix"]
        cmd.append(f"--autofix-report={self.report_path}")
        run = Run(cmd, path, {**self.env, TIMER_ENV: str(self.timing_path)})
        if run.returncode not in (0, 1) or not self.report_path.exists():
            raise run.fail(f"{self.name}: the autofix run failed (no JSON report)")
        report = json.loads(self.report_path.read_text(encoding="utf-8"))
        timing = (
            json.loads(self.timing_path.read_text(encoding="utf-8"))
            if self.timing_path.exists()
            else None
        )
        result = tree_bytes(path)
        if mode not in self.fixed or result != self.fixed[mode]:
            if mode in self.fixed:
                self.unstable.add(mode)  # another outcome than the first run: count it again
            self.fixed[mode] = result
            self.after[mode] = self._left_failing(path)
        statuses = [i["status"] for i in report["issues"]]
        rerun = report["rerun"] or {"seconds": 0.0, "tests": []}
        reruns = reruns_of(run.output)
        return {
            "wall": run.wall,
            "cpu": run.cpu,
            "exit": run.returncode,
            "summary": report["summary"],
            "statuses": {s: statuses.count(s) for s in STATUSES},
            "engine": timing["end"] - timing["start"] if timing else None,
            "rerun_seconds": float(rerun["seconds"]),
            "rerun_nodes": len(rerun["tests"]),
            "reruns": reruns["verify"] + reruns["bisect"],
            "spent": {k: v[0] for k, v in timing["spent"].items()} if timing else {},
            "left_failing": failing_counts(self.after[mode]),
            "changed_files": sorted(
                k for k in set(result) | set(self.before) if result.get(k) != self.before.get(k)
            ),
        }

    def _left_failing(self, fixed: Path) -> dict[str, int]:
        check = self.tmp / "check" / self.name
        fresh_copy(fixed, check, self.pycache, None)
        cmd = [self.python, "-m", "pytest", *PLAIN, "-p", "no:cacheprovider"]
        run = Run(cmd, check, self.env)
        if run.returncode not in (0, 1):
            raise run.fail(f"{self.name}: the plain run of the fixed copy did not run")
        return run.counts


def failing_counts(counts: dict[str, int]) -> int:
    return counts.get("failed", 0) + counts.get("errors", 0)


def measure(
    examples: list[Example], repeat: int
) -> dict[str, dict[str, dict[str, list[dict[str, Any]]]]]:
    """runs[example][variant-mode] = one dict per repetition."""
    jobs = [(e, v, m) for e in examples for m in e.modes for v in ("autofix", "plain")]
    runs: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {
        e.name: {m: {"autofix": [], "plain": []} for m in e.modes} for e in examples
    }
    for rep in range(repeat):
        shift = rep % len(jobs)
        for example, variant, mode in jobs[shift:] + jobs[:shift]:
            do = example.run_autofix if variant == "autofix" else example.run_plain
            runs[example.name][mode][variant].append(do(mode))
        done = ", ".join(
            f"{e.name} {runs[e.name][m]['autofix'][-1]['wall']:.1f}s"
            f"/{runs[e.name][m]['plain'][-1]['wall']:.1f}s" + (" (-n 2)" if m == "n2" else "")
            for e in examples
            for m in e.modes
        )
        print(f"  repetition {rep + 1}/{repeat} (autofix/plain): {done}", file=sys.stderr)
    return runs


def summarize(example: Example, mode: str, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    a, p = runs["autofix"], runs["plain"]
    last = a[-1]
    engines = [x["engine"] for x in a if x["engine"] is not None]
    return {
        "example": example.name,
        "xdist": mode == "n2",
        "repetitions": len(a),
        "failing_before": p[-1]["failing"],
        "failures": last["summary"]["failures"],
        "issues": last["summary"]["issues"],
        "fixed": last["statuses"]["fixed"],
        "left_failing": last["left_failing"],
        "left_counts": example.after[mode],
        "rolled_back": last["statuses"]["rolled-back"],
        "suggested": last["statuses"]["suggested"],
        "unfixable": last["statuses"]["unfixable"],
        "summary": last["summary"],
        "exit_status": last["exit"],
        "changed_files": last["changed_files"],
        "outcome_varied": mode in example.unstable,
        "reruns": sorted({x["reruns"] for x in a}),
        "rerun_nodes": last["rerun_nodes"],
        "rerun_seconds": stats([x["rerun_seconds"] for x in a]),
        "engine": stats(engines) if engines else None,
        "engine_breakdown_median_seconds": {
            k: statistics.median(x["spent"].get(k, 0.0) for x in a)
            for k in sorted({k for x in a for k in x["spent"]})
        },
        "autofix": {k: stats([x[k] for x in a]) for k in ("wall", "cpu")},
        "plain": {k: stats([x[k] for x in p]) for k in ("wall", "cpu")},
        "ratio": statistics.median(x["wall"] / y["wall"] for x, y in zip(a, p, strict=True)),
        "ratio_cpu": statistics.median(x["cpu"] / y["cpu"] for x, y in zip(a, p, strict=True)),
    }


COUNTED = ("failures", "issues", "fixed", "left_failing", "rolled_back", "suggested", "unfixable")


def total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {k: sum(r[k] for r in rows) for k in ("failing_before", *COUNTED)}
    out["reruns"] = sum(max(r["reruns"]) for r in rows)
    for key in ("autofix", "plain"):
        out[key] = {m: sum(r[key][m]["median"] for r in rows) for m in ("wall", "cpu")}
    out["engine"] = sum(r["engine"]["median"] for r in rows if r["engine"])
    out["rerun_seconds"] = sum(r["rerun_seconds"]["median"] for r in rows)
    out["ratio"] = out["autofix"]["wall"] / out["plain"]["wall"]
    out["ratio_cpu"] = out["autofix"]["cpu"] / out["plain"]["cpu"]
    return out


def _row(name: str, r: dict[str, Any], reruns: str) -> str:
    engine = r["engine"]["median"] if isinstance(r["engine"], dict) else r["engine"] or 0.0
    rerun = r["rerun_seconds"]
    rerun = rerun["median"] if isinstance(rerun, dict) else rerun
    a, p = r["autofix"], r["plain"]
    a_wall = a["wall"]["median"] if isinstance(a["wall"], dict) else a["wall"]
    a_cpu = a["cpu"]["median"] if isinstance(a["cpu"], dict) else a["cpu"]
    p_wall = p["wall"]["median"] if isinstance(p["wall"], dict) else p["wall"]
    return (
        f"{name:<14} {r['failures']:>5} {r['issues']:>6} {r['fixed']:>5} {r['left_failing']:>5}"
        f" {r['rolled_back']:>5} {r['suggested']:>5} {r['unfixable']:>5} {reruns:>6}"
        f"  {a_wall:>6.2f} ({a_cpu:>5.2f}) {engine:>6.2f} {rerun:>6.2f} {p_wall:>6.2f}"
        f" {r['ratio']:>6.2f}x"
    )


def render(result: dict[str, Any]) -> str:
    m, v = result["machine"], result["versions"]
    lines = [
        f"pytest-autofix on examples/: {len({r['example'] for r in result['examples']})} "
        "projects, "
        f"{result['repeat']} interleaved repetition(s)",
        f"{result['date']}  {m['system']}, {m['cpus']} cores, Python {v['python']}, "
        f"pytest {v['pytest']}, pytest-autofix {v['pytest-autofix']} ({v['revision']}), "
        f"pytest-xdist {v['pytest-xdist']}",
        f"bytecode cache on; load average {m['load_before']} before, {m['load_after']} after; "
        f"{result['seconds_measuring']:.0f} s in all",
        "",
        "fixed = issues fixed and verified; left = failed + errors of a plain run afterwards;",
        "seconds, medians: autofix run wall (cpu), its engine, its reruns (rerun.seconds), the",
        "plain run; ratio = autofix/plain wall, median of the per-repetition ratios",
        "",
    ]
    header = (
        f"{'example':<14} {'fails':>5} {'issues':>6} {'fixed':>5} {'left':>5} {'rolled':>5}"
        f" {'sugg':>5} {'unfix':>5} {'reruns':>6}  {'autofix':>6} {'(cpu)':>7} {'engine':>6}"
        f" {'reruns':>6} {'plain':>6} {'ratio':>7}"
    )
    for mode, title in (("plain", ""), ("n2", "with -n 2 (pytest-xdist)")):
        rows = [r for r in result["examples"] if r["xdist"] == (mode == "n2")]
        if not rows:
            continue
        if title:
            lines += ["", title]
        lines.append(header)
        for r in rows:
            flag = " *" if r["outcome_varied"] else ""
            lines.append(_row(r["example"], r, "/".join(map(str, r["reruns"]))) + flag)
        t = result["totals"][mode]
        lines.append(_row("total", t, str(t["reruns"])))
    if any(r["outcome_varied"] for r in result["examples"]):
        lines.append("* the fixed copy differed between repetitions (figures: the last one)")
    for r in result["examples"]:
        if r["changed_files"] and not r["xdist"]:
            lines.append(f"{r['example']}: changed {', '.join(r['changed_files'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=None, help="repetitions (3; --quick: 1)")
    parser.add_argument("--xdist", action="store_true", help="also run everything with -n 2")
    parser.add_argument("--only", metavar="NAMES", help="comma-separated example names")
    parser.add_argument("--examples", type=Path, default=EXAMPLES, help="the examples directory")
    parser.add_argument("--python", default=sys.executable, help="interpreter to benchmark")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    parser.add_argument("--quick", action="store_true", help="a smoke run: one repetition")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.json is not None and not args.json.resolve().parent.is_dir():
        parser.error(f"--json {args.json}: directory {args.json.resolve().parent} does not exist")
    sources = discover(args.examples)
    if args.only:
        names = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = names - {s.name for s in sources}
        if unknown:
            parser.error(f"unknown example(s): {', '.join(sorted(unknown))}")
        sources = [s for s in sources if s.name in names]
    if not sources:
        parser.error(f"no example project in {args.examples}")
    ensure_installed(args.python)
    if args.xdist:
        probe = subprocess.run([args.python, "-c", "import xdist"], capture_output=True)
        if probe.returncode != 0:
            parser.error("--xdist: pytest-xdist is not installed")
    originals = {s: tree_bytes(s) for s in sources}

    tmp = Path(tempfile.mkdtemp(prefix="autofix-bench-examples-"))
    write_timer_plugin(tmp / "plugins")
    load_before = load()
    started = time.perf_counter()
    try:
        examples = [Example(args.python, s, tmp, args.xdist) for s in sources]
        for example in examples:
            example.warm_up()
        runs = measure(examples, repeat)
        rows = [summarize(e, m, runs[e.name][m]) for e in examples for m in e.modes]
    finally:
        if args.keep:
            print(f"copies kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for source, data in originals.items():
        if tree_bytes(source) != data:
            raise SystemExit(
                f"{source} changed while the benchmark ran (not by it: it writes only to "
                "copies); the figures may mix two versions, run it again"
            )
    modes = ["plain", "n2"] if args.xdist else ["plain"]
    result: dict[str, Any] = {
        **header("examples", load_before, versions(args.python), bytecode_cache=True),
        "repeat": repeat,
        "seconds_measuring": round(time.perf_counter() - started, 1),
        "commands": {
            "autofix": f"python -m pytest -p {TIMER_MODULE} --autofix --autofix-report=PATH",
            "plain": "python -m pytest " + " ".join(PLAIN),
            "left_failing": "python -m pytest " + " ".join(PLAIN) + " -p no:cacheprovider",
            "xdist": "the same with -n 2" if args.xdist else None,
        },
        "examples": rows,
        "totals": {m: total([r for r in rows if r["xdist"] == (m == "n2")]) for m in modes},
    }
    print(render(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
