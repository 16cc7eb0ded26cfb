"""Run every benchmark of pytest-autofix, one after the other, and print their reports.

    python benchmarks/run_all.py                   # all benchmarks, default sizes
    python benchmarks/run_all.py --quick           # fewer repetitions: a smoke run
    python benchmarks/run_all.py --only overhead   # a subset, by name
    python benchmarks/run_all.py --json-dir out/   # also write out/<name>.json per benchmark

To add a benchmark: a script in this directory that prints its report, exits non-zero on an
error and accepts ``--json PATH``; then one entry in BENCHMARKS below (its arguments for a
default run and for ``--quick``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent


class Benchmark(NamedTuple):
    name: str
    script: str
    what: str
    quick: tuple[str, ...]  # the arguments with --quick
    args: tuple[str, ...] = ()  # the arguments without --quick


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "overhead",
        "bench_overhead.py",
        "wall time of plain pytest with the plugin installed vs disabled, and of --autofix on a "
        "green suite; import cost of the entry point",
        ("--repeat", "3", "--import-samples", "3"),
    ),
    Benchmark(
        "engine",
        "bench_engine.py",
        "the fix engine: session end to verified fixes for 10, 100 and 1,000 failing tests over "
        "10 root causes, against one plain rerun of the same tests",
        ("--quick",),
    ),
    Benchmark(
        "examples",
        "bench_examples.py",
        "pytest --autofix on every examples/ project (copies): issues fixed, left failing, "
        "rolled back, suggested; time against a plain run; also with -n 2",
        ("--quick",),
        ("--xdist",),
    ),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="NAMES", help="comma-separated benchmark names")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--json-dir", type=Path, metavar="DIR", help="write DIR/<name>.json")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    if args.list:
        for b in BENCHMARKS:
            print(f"{b.name:<12} benchmarks/{b.script}: {b.what}")
        return 0
    selected = list(BENCHMARKS)
    if args.only:
        names = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = names - {b.name for b in BENCHMARKS}
        if unknown:
            parser.error(
                f"unknown benchmark(s): {', '.join(sorted(unknown))}; "
                f"known: {', '.join(b.name for b in BENCHMARKS)}"
            )
        selected = [b for b in BENCHMARKS if b.name in names]
    if args.json_dir is not None:
        args.json_dir.mkdir(parents=True, exist_ok=True)

    failed: list[str] = []
    for b in selected:
        cmd = [sys.executable, str(HERE / b.script)]
        cmd += b.quick if args.quick else b.args
        if args.json_dir is not None:
            cmd += ["--json", str(args.json_dir / f"{b.name}.json")]
        print(f"=== {b.name}: {b.what}", flush=True)
        started = time.perf_counter()
        rc = subprocess.call(cmd)
        print(f"=== {b.name}: exit {rc} after {time.perf_counter() - started:.0f} s\n", flush=True)
        if rc != 0:
            failed.append(b.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
