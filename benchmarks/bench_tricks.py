"""Do the package's speed tricks pay? Each one switched off in turn, fix runs side by side.

Six tricks: ``fork`` (planning and the project index forked over the cores, ``forked.py``),
``gc`` (``gc.freeze`` around the engine), ``bytecode`` (the rerun's rewritten bytecode written
ahead through private ``_pytest`` functions, ``engine/bytecode.py``), ``patience`` (the
hand-written patience diff in ``engine/plan.py``), ``cst`` (the libcst helpers of
``fixers/toolkit/cst.py`` in place of ``libcst.matchers``), ``lazy`` (the built-in fixers as
lazy stand-ins, ``fixers/registry.py``). ``_tricks.py`` switches one off at run time, without
editing the package (see its docstring). The variants of a case: ``with`` (every trick on),
``control`` (every trick on, the same modules patched with patches that change nothing: an A/A
comparison, so the noise floor) and one per trick switched off. They run interleaved: every
repetition runs every variant once, in an order rotated per repetition, the variants of one
case one after the other. The package measured is the one committed at ``--commit`` (HEAD),
extracted into the work directory and first on ``PYTHONPATH``, not the checkout, which others
may be editing meanwhile.

Two benchmarks, ``pytest --autofix`` as a whole process each time:

- the engine benchmark's projects (``bench_engine.py``: its generator, and its checks that
  every fix run fixes everything, byte-identical to the first, verified green);
- the real-world corpus (``realworld/run.py``: its cases, venvs and fix-run arguments), by
  default the twelve cases with the longest fix runs. Each case is prepared and its plain run
  before made once; the tree as it is then (bytecode included) is restored before every fix
  run. Every fix run must give the same report (statuses, fixes, files, reasons; not the times
  or the diffs' hunks) and the same project files as the first one, a probe run with every
  trick on; a difference is printed and makes the script exit 1.

Two figures per case and trick:

- **fix run, without / with**: the ratio of the fix run's wall time without the trick to the
  one with every trick, per repetition (the two ran minutes apart at most); the median and the
  min-max over the repetitions. Above 1: the trick saves time.
- **saving**: the part of the fix run (without the trick) that the trick saves, from the
  engine's time (session end to the report written, measured inside the process by
  ``bench_engine.py``'s timer plugin): ``(engine without - engine with) / fix run without``,
  per repetition; median and min-max. Every trick acts only inside the engine, so this leaves
  out the first test session, which is most of a long fix run and most of its noise.

A trick **pays** in a case where its median saving is 5 % or more, every repetition saves, and
the probe run shows that it acted there (it forked, the collector ran a full collection, it wrote
bytecode, a diff was long enough for the patience matcher, a module taking the libcst helpers
was imported without ``libcst.matchers`` being imported anyway, a family was left unloaded).
The probe run (untimed, every trick on, ``AUTOFIX_BENCH_PROBE``) records those facts.

    python benchmarks/bench_tricks.py [--quick] [--tricks fork,gc,...] [--repeat N]
        [--engine-repeat N] [--layouts confined,helpers,spread] [--sizes 10,100,1000]
        [--cases NAME,...] [--no-engine] [--no-corpus] [--commit REV] [--json PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "realworld"))

import _tricks  # noqa: E402
import bench_engine  # noqa: E402
import corpus  # noqa: E402
import run as realworld  # noqa: E402
from _common import children_cpu, ensure_installed, header, load, versions  # noqa: E402

PLUGIN = "autofix_bench_tricks"  # a -p value naming autofix is not passed on to the reruns
TRICKS = _tricks.TRICKS
THRESHOLD = 0.05  # a trick must save this much of a fix run (1 - with / without)
# The longest fix runs of the corpus (docs/benchmarks.md, the latest full run: 6.9-69 s)
LONGEST = (
    "lmfit-numpy-asfarray",
    "more-itertools-missing-import",
    "pyrsistent-collections-abc",
    "platformdirs-conftest-fixture-renamed",
    "networkx-nose-setup-many",
    "emcee-numpy-float",
    "attrs-fixture-in-sibling-module",
    "filelock-fixture-in-wrong-conftest",
    "click-relative-import",
    "cssutils-nose-setup-base-module",
    "python-stdnum-pkg-resources",
    "cached-property-asyncio-coroutine",
)
QUICK_CASES = ("markupsafe-collections-abc",)


def install_plugin(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "_tricks.py", directory / f"{PLUGIN}.py")
    return directory


def install_code(directory: Path, commit: str) -> str:
    """The package as committed at ``commit``, extracted into ``directory`` (first on every
    measured process's ``PYTHONPATH``, so it wins over the editable install): what others
    change in the checkout while this runs is not measured. Returns the commit's short hash."""
    checkout = HERE.parent
    short = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "-C", str(checkout), "archive", "--format=tar", short, "pytest_autofix"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    return short


# trick -> (a file of the package, a text it holds while the package has the trick)
_SIGNS = {
    "fork": ("forked.py", "def spread"),
    "gc": ("engine/rounds.py", "gc.freeze()"),
    "bytecode": ("engine/bytecode.py", "def precompile"),
    "patience": ("engine/plan.py", "def _matcher"),
    "cst": ("fixers/toolkit/cst.py", "def find_all"),
    "lazy": ("fixers/registry.py", "class LazyFixer"),
}


def has_trick(package: Path, trick: str) -> bool:
    """Whether the package extracted at ``package`` still has ``trick``."""
    rel, sign = _SIGNS[trick]
    path = package / rel
    return path.is_file() and sign in path.read_text(encoding="utf-8")


def variant_env(variant: str, probe: Path | None = None) -> dict[str, str]:
    env = {_tricks.WITHOUT_ENV: "" if variant == "with" else variant}
    if probe is not None:
        env[_tricks.PROBE_ENV] = str(probe)
    return env


def rotated(items: Sequence[str], k: int) -> list[str]:
    k %= len(items)
    return [*items[k:], *items[:k]]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- the engine benchmark's projects -------------------------------------------------------


class EngineCase:
    """One generated project of ``bench_engine.py``; its ``run_autofix`` checks every run."""

    def __init__(self, python: str, tmp: Path, args: argparse.Namespace, k: int, layout: str):
        self.name = f"engine {layout} K={k}"
        self.case = bench_engine.Case(python, tmp, args, k, layout)
        self.base_env = {**self.case.env, "PYTEST_ADDOPTS": f"-p {PLUGIN}"}
        self.probe_path = self.case.tmp / "probe.json"

    def prepare(self) -> dict[str, Any]:
        self.case.env = self.base_env
        self.case.warm_up()
        self.case.env = {**self.base_env, **variant_env("with", self.probe_path)}
        got = self.case.run_autofix()  # untimed; the reference fixed copy, proved green
        probe = json.loads(self.probe_path.read_text(encoding="utf-8"))
        return {**probe, "run": {k: got[k] for k in ("wall", "engine", "spent")}}

    def run(self, variant: str) -> dict[str, Any]:
        self.case.env = {**self.base_env, **variant_env(variant)}
        got = self.case.run_autofix()  # exits with the output if the fixes differ
        return {k: got[k] for k in ("wall", "cpu", "engine", "engine_cpu", "spent")}

    def cleanup(self) -> None:
        pass


# -- the real-world corpus -----------------------------------------------------------------


def tree_digest(root: Path) -> dict[str, str]:
    """The files of the case's tree that are the project's (tracked, or new and not ignored by
    its ``.gitignore``) with their hashes: what a fix may change, not the test suite's output
    (coverage data and the like) or the caches."""
    listed = subprocess.run(
        [*realworld.GIT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "surrogateescape")
    out = {}
    for rel in sorted(set(filter(None, listed.split("\0")))):
        path = root / rel
        if corpus.is_noise(rel) or path.is_symlink():
            continue
        out[rel] = hashlib.sha1(path.read_bytes()).hexdigest() if path.is_file() else "deleted"
    return out


def fixes_of(report: Path) -> tuple[Any, list[str]]:
    """The report without its times, and the fixes' diffs apart (the patience variant may cut a
    diff's hunks otherwise for the same file)."""
    if not report.is_file():
        return None, []
    data = json.loads(report.read_text(encoding="utf-8"))
    if data.get("rerun"):
        data["rerun"].pop("seconds", None)
    diffs = []
    for issue in data.get("issues", []):
        for fix in issue.get("fixes", []):
            diffs.append(fix.pop("diff", ""))
    return data, diffs


class CorpusCase:
    """One case of the corpus, prepared once; its tree restored before every fix run."""

    def __init__(self, runner: realworld.Runner, case: corpus.Case, plugins: Path, timeout: float):
        self.runner, self.case, self.plugins, self.timeout = runner, case, plugins, timeout
        self.name = case.name
        self.work = Path(tempfile.mkdtemp(prefix=f"autofix-tricks-{case.name}-", dir=runner.work))
        self.reference: dict[str, Any] | None = None
        self.differences: list[str] = []
        self.notes: set[str] = set()

    def prepare(self) -> dict[str, Any]:
        self.runner.times = {}
        self.tree, self.python = self.runner.prepare(self.case, self.work)
        before = self.runner.plain(self.python, self.tree, self.case, self.work, "before")
        if before.failing != frozenset(self.case.targets):
            raise realworld.Unprepared("the plain run before does not fail as recorded")
        self.before = self.runner.times["before"]
        self.snapshot = self.work / "snapshot"
        shutil.copytree(self.tree, self.snapshot, symlinks=True)
        probe = self.work / "probe.json"
        got = self._fix("with", probe)
        found = json.loads(probe.read_text(encoding="utf-8")) if probe.is_file() else {}
        return {**found, "run": {k: got[k] for k in ("wall", "engine", "spent")}}

    def run(self, variant: str) -> dict[str, Any]:
        return self._fix(variant, None)

    def _fix(self, variant: str, probe: Path | None) -> dict[str, Any]:
        shutil.rmtree(self.tree)
        shutil.copytree(self.snapshot, self.tree, symlinks=True)
        report = self.work / "autofix-report.json"
        report.unlink(missing_ok=True)
        args = [
            *self.case.pytest_args,
            "--autofix",
            f"--autofix-report={report}",
            f"--autofix-patch={self.work / 'autofix.patch'}",
            "-p",
            PLUGIN,
            "-p",
            bench_engine.TIMER_MODULE,
        ]
        timing = self.work / "timing.json"
        timing.unlink(missing_ok=True)
        extra = [realworld.standin(self.work / "standin"), self.plugins]  # the package too
        env = {**realworld.environment(self.tree, self.case, extra), **variant_env(variant, probe)}
        env[bench_engine.TIMER_ENV] = str(timing)
        log = self.work / f"fix-{variant}.log"
        cpu = children_cpu()
        timed = realworld.run_pytest(
            self.python, args, self.tree / self.case.root, env, log, self.timeout
        )
        cpu = children_cpu() - cpu
        fixes, diffs = fixes_of(report)
        outcome = {
            "exit": timed.returncode,
            "timed_out": timed.timed_out,
            "report": fixes,
            "tree": tree_digest(self.tree),
        }
        if self.reference is None:
            self.reference = outcome
            self.diffs = diffs
            if fixes is None or timed.timed_out:
                tail = log.read_text(errors="replace").splitlines()[-15:]
                raise SystemExit(f"{self.name}: the fix run wrote no report\n" + "\n".join(tail))
        elif outcome != self.reference:
            what = [k for k in outcome if outcome[k] != self.reference[k]]
            if "tree" in what:
                a, b = self.reference["tree"], outcome["tree"]
                files = sorted(f for f in a.keys() | b.keys() if a.get(f) != b.get(f))
                what[what.index("tree")] = "files " + ", ".join(files[:5])
            self.differences.append(f"{variant}: {'; '.join(what)} differ (log: {log})")
            say(f"    DIFFERENT from the first fix run: {self.differences[-1]}")
        elif diffs != self.diffs:
            self.notes.add(f"{variant}: the same fixes and files; diffs cut into other hunks")
        if not timing.is_file():
            raise SystemExit(f"{self.name}: the fix run wrote no engine timing (log: {log})")
        times = json.loads(timing.read_text(encoding="utf-8"))
        return {
            "wall": timed.seconds,
            "cpu": cpu,
            "engine": times["end"] - times["start"],
            "spent": {k: v[0] for k, v in times["spent"].items()},
        }

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


# -- measuring and summing up --------------------------------------------------------------


def measure(case: Any, variants: list[str], repeat: int) -> dict[str, Any]:
    """The probe run, then ``repeat`` repetitions of every variant in a rotated order."""
    say(f"{case.name}: preparing")
    probe = case.prepare()
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    loads = []
    for rep in range(repeat):
        for variant in rotated(variants, rep):
            loads.append(load())
            runs[variant].append(case.run(variant))
        row = "  ".join(f"{v} {runs[v][-1]['wall']:.2f}" for v in variants)
        say(f"  {case.name} {rep + 1}/{repeat}: {row}")
    out = {"name": case.name, "probe": probe, "runs": runs, "loads": loads}
    if isinstance(case, CorpusCase):
        out["before_seconds"] = case.before
        out["differences"] = case.differences
        out["notes"] = sorted(case.notes)
    return out


def base_of(variant: str) -> str:
    """What a variant is compared with: a trick switched off with ``control`` (the same
    patching, nothing switched off), ``control`` with ``with`` (no patching: the A/A)."""
    return "with" if variant == _tricks.CONTROL else _tricks.CONTROL


def paired(result: dict[str, Any], variant: str, key: str = "wall") -> list[float]:
    """without / with, per repetition."""
    runs = result["runs"]
    base = runs[base_of(variant)]
    return [w[key] / b[key] for w, b in zip(runs[variant], base, strict=True)]


def savings(result: dict[str, Any], variant: str) -> list[float]:
    """Per repetition: (engine without - engine with) / the fix run without."""
    runs = result["runs"]
    base = runs[base_of(variant)]
    return [
        (w["engine"] - b["engine"]) / w["wall"] for w, b in zip(runs[variant], base, strict=True)
    ]


def figure(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def totals(results: list[dict[str, Any]], variant: str) -> list[float]:
    """Per repetition: the sum of the cases' fix runs without / with."""
    reps = len(results[0]["runs"]["with"])
    base = base_of(variant)
    return [
        sum(r["runs"][variant][i]["wall"] for r in results)
        / sum(r["runs"][base][i]["wall"] for r in results)
        for i in range(reps)
    ]


def acted(probe: dict[str, Any], trick: str) -> bool:
    """Whether the trick did anything in the probe run (else a difference is noise)."""
    if trick == _tricks.CONTROL:
        return True
    p = probe.get(trick, {})
    if trick == "fork":
        return bool(p.get("forked"))
    if trick == "gc":
        return bool(p.get("full_collections"))
    if trick == "bytecode":
        return bool(p.get("written"))
    if trick == "patience":
        return bool(p.get("long"))
    if trick == "cst":
        return bool(p.get("users_imported")) and not p.get("matchers_imported")
    return len(p.get("families_loaded", [])) < len(_tricks.FAMILIES)  # lazy


def summarize(parts: dict[str, list[dict[str, Any]]], variants: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for variant in variants:
        cases = {}
        for part in parts.values():
            for r in part:
                saving = savings(r, variant)
                cases[r["name"]] = {
                    "wall": figure(paired(r, variant)),
                    "cpu": figure(paired(r, variant, "cpu")),
                    "saving": figure(saving),
                    "acted": acted(r["probe"], variant),
                    "pays": (
                        acted(r["probe"], variant)
                        and statistics.median(saving) >= THRESHOLD
                        and min(saving) > 0
                    ),
                }
        corpus_total = figure(totals(parts["corpus"], variant)) if parts.get("corpus") else None
        paying = [name for name, f in cases.items() if f["pays"]]
        out[variant] = {
            "cases": cases,
            "corpus_total": corpus_total,
            "pays_in": paying,
            "keep": bool(paying),
        }
    return out


def spread(result: dict[str, Any], key: str) -> str:
    """The runs with every trick: median (min-max), seconds."""
    values = [x[key] for x in result["runs"]["with"]]
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def ratio_cell(f: dict[str, float]) -> str:
    return f"{f['median']:.2f} ({f['min']:.2f}-{f['max']:.2f})"


def saving_cell(f: dict[str, Any]) -> str:
    s = f["saving"]
    mark = "*" if f["acted"] else " "
    return f"{s['median']:+.1%} ({s['min']:+.0%}..{s['max']:+.0%}){mark}"


def render(result: dict[str, Any]) -> str:
    m, v = result["machine"], result["versions"]
    variants = result["variants"][1:]
    summary = summarize(result["parts"], variants)
    repeat = result["repeat"]
    lines = [
        "pytest-autofix speed tricks: each switched off in turn; medians of "
        f"{repeat['engine']} (engine benchmark) and {repeat['corpus']} (corpus) interleaved "
        "repetitions, (min-max)",
        f"{result['date']}  {m['system']}, {m['cpus']} cores, Python {v['python']}, "
        f"pytest {v['pytest']}, pytest-autofix {v['pytest-autofix']} as of {result['commit']}, "
        f"libcst {v['libcst']}",
        f"load average {m['load_before']} before, {m['load_after']} after, "
        f"{result['load_range'][0]}-{result['load_range'][1]} during the runs; "
        f"{result['seconds_measuring']:.0f} s in all",
        "",
    ]
    rows = [r for part in result["parts"].values() for r in part]
    width = max([len(r["name"]) for r in rows] + [21])
    head = "  ".join(f"{t:>18}" for t in variants)
    lines.append(f"{'fix run: without/with':<{width}} {'with: s (min-max)':>19}  {head}")
    for r in rows:
        cells = "  ".join(
            f"{ratio_cell(summary[t]['cases'][r['name']]['wall']):>18}" for t in variants
        )
        lines.append(f"{r['name']:<{width}} {spread(r, 'wall'):>19}  {cells}")
    corpus_rows = result["parts"].get("corpus", [])
    if corpus_rows:
        total = sum(statistics.median(x["wall"] for x in r["runs"]["with"]) for r in corpus_rows)
        cells = "  ".join(f"{ratio_cell(summary[t]['corpus_total']):>18}" for t in variants)
        lines.append(f"{'corpus subset, total':<{width}} {total:>19.1f}  {cells}")
    lines += ["", f"{'saving of the fix run':<{width}} {'engine: s (min-max)':>19}  {head}"]
    for r in rows:
        cells = "  ".join(f"{saving_cell(summary[t]['cases'][r['name']]):>18}" for t in variants)
        lines.append(f"{r['name']:<{width}} {spread(r, 'engine'):>19}  {cells}")
    lines += [
        "",
        "with: every trick on, no patching; control: every trick on, the six modules patched "
        "with patches that change nothing;",
        "a trick's column compares the run with that trick switched off to control (the same "
        "patching), control's column control to with (A/A: the noise floor);",
        "fix run: its wall time, without the trick / with it (above 1: the trick saves time);",
        "saving: (engine without - engine with) / fix run without, the engine timed inside the "
        "run; * the trick acted there (probe run);",
        f"a trick pays where it acted, its median saving is >= {THRESHOLD:.0%} and every "
        "repetition saves.",
        "",
    ]
    for t in variants:
        s = summary[t]
        where = ", ".join(s["pays_in"]) or "nowhere"
        total = s["corpus_total"]
        tail = f"; corpus total, fix runs without/with {total['median']:.3f}" if total else ""
        verdict = "noise floor" if t == _tricks.CONTROL else ("KEEP" if s["keep"] else "remove")
        lines.append(f"{t:>9}: {verdict} (pays in: {where}{tail})")
    lines += [f"left out: {x}" for x in result["skipped"]]
    lines += ["", "what each trick did in the probe run (every trick on):"]
    packages = {r["probe"].get("package") for r in rows}
    lines.append(f"  (the package imported from {', '.join(sorted(map(str, packages)))})")
    for r in rows:
        lines.append(f"  {r['name']}: {probe_line(r['probe'])}")
        lines += [f"    DIFFERENT: {d}" for d in r.get("differences", [])]
        lines += [f"    note: {d}" for d in r.get("notes", [])]
    return "\n".join(lines)


STEPS = (("project index", "index"), ("plan (libcst)", "plan"), ("reruns", "reruns"))


def probe_line(p: dict[str, Any]) -> str:
    fork, gcp, bc = p.get("fork", {}), p.get("gc", {}), p.get("bytecode", {})
    pat, cst, lazy = p.get("patience", {}), p.get("cst", {}), p.get("lazy", {})
    run = p.get("run", {})
    spent = run.get("spent", {})
    steps = ", ".join(f"{short} {spent[k]:.2f}" for k, short in STEPS if k in spent)
    users = [u.rsplit(".", 1)[-1] for u in cst.get("users_imported", [])]
    return (
        f"fix run {run.get('wall', 0):.1f} s, engine {run.get('engine', 0):.1f} s ({steps}); "
        f"fork: forked {fork.get('forked', 0)} of {fork.get('calls', 0)} spread calls "
        f"({fork.get('forked_bytes', 0) // 1000} of {fork.get('bytes', 0) // 1000} KB); "
        f"gc: {gcp.get('full_collections', 0)} full collections in the engine "
        f"({gcp.get('seconds', 0):.3f} s), {gcp.get('objects_frozen', 0)} objects frozen; "
        f"bytecode: {bc.get('written', 0)} of {bc.get('paths', 0)} files written ahead; "
        f"patience: {pat.get('long', 0)} of {pat.get('calls', 0)} diffs long; "
        f"cst: {cst.get('calls', 0)} helper calls, users imported: {', '.join(users) or 'none'}, "
        f"matchers imported anyway: {'yes' if cst.get('matchers_imported') else 'no'}; "
        f"lazy: families loaded: {', '.join(lazy.get('families_loaded', [])) or 'none'}"
    )


def partial(path: Path | None, parts: dict[str, list[dict[str, Any]]]) -> None:
    """The runs so far, in ``PATH.partial`` (a long run that stops keeps what it measured)."""
    if path is not None:
        text = json.dumps({"parts": parts}, indent=1)
        path.with_name(path.name + ".partial").write_text(text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tricks",
        default=None,
        help="the tricks to switch off (those the package has at --commit; the ones removed "
        "since can be measured at an older commit, e.g. --commit 3d4c1fe)",
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="repetitions on the corpus (3; --quick: 1)"
    )
    parser.add_argument(
        "--engine-repeat",
        type=int,
        default=None,
        help="repetitions on the engine benchmark (5; --quick: 1)",
    )
    parser.add_argument(
        "--layouts",
        default=None,
        help="engine layouts (confined,helpers,spread; --quick: confined)",
    )
    parser.add_argument(
        "--sizes",
        type=bench_engine.parse_sizes,
        default=None,
        help="engine failing tests K (10,100,1000; --quick: 10)",
    )
    parser.add_argument(
        "--cases",
        default=None,
        help=f"corpus cases, comma-separated (the {len(LONGEST)} longest fix runs; --quick: "
        f"{','.join(QUICK_CASES)})",
    )
    parser.add_argument("--no-engine", action="store_true", help="skip the engine benchmark")
    parser.add_argument("--no-corpus", action="store_true", help="skip the corpus")
    parser.add_argument("--timeout", type=float, default=900.0, help="limit of each fix run (s)")
    parser.add_argument("--work", type=Path, default=None, help="where the work goes (tmp)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--commit", default="HEAD", help="measure the package as committed here (HEAD)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work (trees, logs)")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="print the report of a --json file again"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run (figures too noisy)")
    args = parser.parse_args(argv)
    if args.render is not None:
        print(render(json.loads(args.render.read_text(encoding="utf-8"))))
        return 0
    tricks = [t for t in (args.tricks or ",".join(TRICKS)).split(",") if t]
    if not tricks or set(tricks) - set(TRICKS):
        parser.error(f"--tricks: comma-separated among {', '.join(TRICKS)}")
    repeat = args.repeat or (1 if args.quick else 3)
    engine_repeat = args.engine_repeat or (1 if args.quick else 5)
    layouts = (
        args.layouts or ("confined" if args.quick else ",".join(bench_engine.LAYOUTS))
    ).split(",")
    if set(layouts) - set(bench_engine.LAYOUTS):
        parser.error(f"--layouts: comma-separated among {', '.join(bench_engine.LAYOUTS)}")
    sizes = args.sizes or ([10] if args.quick else [10, 100, 1000])
    names = args.cases.split(",") if args.cases else list(QUICK_CASES if args.quick else LONGEST)
    python = sys.executable
    ensure_installed(python)
    variants = ["with", _tricks.CONTROL, *tricks]

    tmp = Path(tempfile.mkdtemp(prefix="autofix-bench-tricks-", dir=args.work))
    plugins = install_plugin(tmp / "plugins")
    commit = install_code(plugins, args.commit)
    present = [t for t in tricks if has_trick(plugins / "pytest_autofix", t)]
    if args.tricks is None:
        tricks = present  # by default the tricks the package has at that commit
    elif present != tricks:
        missing = ", ".join(t for t in tricks if t not in present)
        parser.error(f"--tricks: the package at {args.commit} has no {missing}")
    variants = ["with", _tricks.CONTROL, *tricks]
    bench_engine.write_timer_plugin(plugins)
    engine_args = argparse.Namespace(causes=10, modules=50, passing=4)
    load_before = load()
    started = time.perf_counter()
    parts: dict[str, list[dict[str, Any]]] = {"engine": [], "corpus": []}
    skipped: list[str] = []
    try:
        if not args.no_engine:
            for layout in layouts:
                for k in sizes:
                    case = EngineCase(python, tmp, engine_args, k, layout)
                    parts["engine"].append(measure(case, variants, engine_repeat))
                    partial(args.json, parts)
        if not args.no_corpus:
            runner = realworld.Runner(
                argparse.Namespace(
                    cache=realworld.default_cache(),
                    index=realworld.INDEX,
                    timeout=args.timeout,
                    keep=False,
                    observe=False,
                    check_expected=False,
                    python=None,
                    refresh=False,
                    work=tmp,
                    plugin_arg=[],
                )
            )
            for c in corpus.load_cases(realworld.CASES, names):
                one = CorpusCase(runner, c, plugins, args.timeout)
                try:
                    parts["corpus"].append(measure(one, variants, repeat))
                    partial(args.json, parts)
                except realworld.Unprepared as exc:
                    say(f"{c.name}: not prepared, left out: {exc}")
                    skipped.append(f"{c.name}: {exc}")
                finally:
                    if not args.keep:
                        one.cleanup()
    finally:
        if args.keep:
            say(f"work kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    loads = [x for part in parts.values() for r in part for x in r["loads"] if x is not None]
    result: dict[str, Any] = {
        **header("tricks", load_before, versions(python), bytecode_cache=True),
        "commit": commit,
        "variants": variants,
        "repeat": {"engine": engine_repeat, "corpus": repeat},
        "threshold": THRESHOLD,
        "load_range": [min(loads, default=None), max(loads, default=None)],
        "seconds_measuring": round(time.perf_counter() - started, 1),
        "parts": parts,
        "skipped": skipped,
    }
    result["summary"] = summarize(parts, variants[1:])
    print(render(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    different = [d for r in parts["corpus"] for d in r["differences"] if "differ" in d]
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
