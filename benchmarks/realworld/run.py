#!/usr/bin/env python3
"""Run ``pytest --autofix`` from this checkout on the real-world corpus and score it.

    python benchmarks/realworld/run.py --list
    python benchmarks/realworld/run.py [CASE ...] [--check-expected] [--json PATH] [--keep]
    python benchmarks/realworld/run.py --observe CASE

Each case is a real PyPI release (an sdist, downloaded into a cache outside the repository) whose
test suite breaks under today's stack, or a current release with one mistake injected. See
README.md beside this file for the case format and how the figures are counted.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent.parent
CASES = HERE / "cases"
RECORDER_DIR = HERE / "_plugins"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from corpus import Case, Outcomes, Score  # noqa: E402

INDEX = "https://pypi.org/simple"
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz")
# What would change what a run loads or does; the runner sets these itself.
SCRUBBED_ENV = (
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
)
GIT = (
    "git",
    "-c",
    "user.name=realworld",
    "-c",
    "user.email=realworld@localhost",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "core.autocrlf=false",
)


class Unprepared(Exception):
    """A case that could not be prepared; the message says why."""


def default_cache() -> Path:
    if os.environ.get("PYTEST_AUTOFIX_REALWORLD_CACHE"):
        return Path(os.environ["PYTEST_AUTOFIX_REALWORLD_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pytest-autofix-realworld"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One process at a time prepares a venv or downloads an sdist (runs may overlap)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run(cmd: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], text=True, capture_output=True, **kwargs)


def _check(cmd: Sequence[str | Path], what: str, **kwargs: Any) -> str:
    proc = _run(cmd, **kwargs)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-12:]
        raise Unprepared(f"{what} failed ({proc.returncode}):\n    " + "\n    ".join(tail))
    return proc.stdout


# --- the sdist -----------------------------------------------------------------------------


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _sdist_of(filename: str, package: str, version: str) -> bool:
    for suffix in SDIST_SUFFIXES:
        if filename.lower().endswith(suffix):
            stem = filename[: -len(suffix)]
            return _normal(stem) == _normal(f"{package}-{version}")
    return False


def sdist(case: Case, cache: Path, index: str) -> Path:
    """The case's sdist, from the cache or downloaded (checked against the index's sha256)."""
    folder = cache / "sdists"
    with locked(folder / f".{_normal(case.package)}-{case.version}.lock"):
        for existing in sorted(folder.glob("*")):
            if existing.is_file() and _sdist_of(existing.name, case.package, case.version):
                return existing
        try:
            return _download(case, folder, index)
        except (OSError, ValueError, KeyError) as exc:
            fallback = _pip_download(case, folder, index)
            if fallback is None:
                raise Unprepared(f"no sdist of {case.package}=={case.version}: {exc}") from exc
            return fallback


def _download(case: Case, folder: Path, index: str) -> Path:
    url = f"{index.rstrip('/')}/{_normal(case.package)}/"
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    found = [f for f in files if _sdist_of(f["filename"], case.package, case.version)]
    if not found:
        raise ValueError(f"the index lists no sdist of {case.package}=={case.version}")
    found.sort(key=lambda f: not f["filename"].endswith(".tar.gz"))
    chosen = found[0]
    with urllib.request.urlopen(chosen["url"], timeout=120) as response:
        data = response.read()
    digest = chosen.get("hashes", {}).get("sha256")
    if digest and hashlib.sha256(data).hexdigest() != digest:
        raise ValueError(f"{chosen['filename']}: sha256 differs from the index")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / chosen["filename"]
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def _pip_download(case: Case, folder: Path, index: str) -> Path | None:
    with tempfile.TemporaryDirectory() as tmp:
        proc = _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--index-url",
                index,
                "-d",
                tmp,
                f"{case.package}=={case.version}",
            ]
        )
        got = [p for p in Path(tmp).iterdir() if _sdist_of(p.name, case.package, case.version)]
        if proc.returncode != 0 or not got:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        return Path(shutil.move(str(got[0]), folder / got[0].name))


def extract(archive: Path, into: Path) -> Path:
    """Extract ``archive`` into ``into``; the sdist's top directory."""
    into.mkdir(parents=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(into)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(into, filter="data")
    entries = [p for p in into.iterdir()]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return into


# --- the venv ------------------------------------------------------------------------------


def plugin_requirements() -> list[str]:
    """The plugin's own dependencies (from this checkout's pyproject.toml) and pytest-xdist."""
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], "pytest-xdist"]


def venv(case: Case, cache: Path, refresh: set[str] | None) -> Path:
    """The python of a cached venv with the latest pip, setuptools and pytest, the plugin's
    dependencies and the case's test dependencies (one venv per distinct list)."""
    requirements = sorted({"pip", "setuptools", "pytest", *plugin_requirements(), *case.deps})
    key_data = json.dumps([platform.python_version(), sys.base_prefix, requirements])
    key = hashlib.sha256(key_data.encode()).hexdigest()[:16]
    folder = cache / "venvs" / key
    python = folder / "bin" / "python"
    with locked(cache / "venvs" / f".{key}.lock"):
        fresh = refresh is not None and key not in refresh
        if (folder / ".complete").is_file() and not fresh:
            return python
        if folder.exists():
            shutil.rmtree(folder)
        base = getattr(sys, "_base_executable", sys.executable)
        _check([base, "-m", "venv", folder], "creating the venv")
        _check(
            [python, "-m", "pip", "install", "--quiet", "--upgrade", *requirements],
            f"installing {' '.join(requirements)}",
        )
        freeze = _check([python, "-m", "pip", "freeze", "--all"], "pip freeze")
        (folder / "requirements.txt").write_text("\n".join(requirements) + "\n")
        (folder / "freeze.txt").write_text(freeze)
        (folder / ".complete").write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        if refresh is not None:
            refresh.add(key)
    return python


def versions(python: Path) -> dict[str, str]:
    freeze = (python.parent.parent / "freeze.txt").read_text().splitlines()
    pairs = (line.split("==", 1) for line in freeze if "==" in line)
    return {name.lower(): version for name, version in pairs}


def standin(folder: Path) -> Path:
    """A directory that, on ``PYTHONPATH`` beside this checkout, makes the checkout look
    installed to pytest: a dist-info that declares its ``pytest11`` entry point."""
    info = folder / "pytest_autofix_checkout-0+checkout.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pytest-autofix-checkout\nVersion: 0+checkout\n"
    )
    (info / "entry_points.txt").write_text("[pytest11]\nautofix = pytest_autofix.plugin\n")
    return folder


# --- one case ------------------------------------------------------------------------------


@dataclass
class Timed:
    seconds: float
    returncode: int
    timed_out: bool


@dataclass
class Result:
    case: Case
    score: Score
    error: str | None = None
    times: dict[str, float] = field(default_factory=dict)
    plugin: dict[str, Any] | None = None
    tree: Path | None = None
    before: Outcomes | None = None
    versions: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        if self.error:
            return f"{self.case.name}  not prepared: {self.error}"
        text = f"{self.case.name}  {self.score.line()}"
        t = self.times
        if "fix" in t:
            text += (
                f"  (fix {t['fix']:.1f} s = {self.ratio} plain:"
                f" {t['before']:.1f} s before, {t['after']:.1f} s after)"
            )
        return text

    @property
    def ratio(self) -> str:
        """The fix run's wall time against the plain run before it ("" without a fix run)."""
        t = self.times
        return f"{t['fix'] / max(t['before'], 1e-9):.1f}x" if "fix" in t else ""


def run_pytest(
    python: Path, args: Sequence[str], cwd: Path, env: dict[str, str], log: Path, timeout: float
) -> Timed:
    """``python -m pytest ARGS`` in ``cwd``, its output in ``log``; killed with its process
    group after ``timeout`` seconds."""
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(python), "-m", "pytest", *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            code = proc.wait()
            timed_out = True
    return Timed(time.perf_counter() - start, code, timed_out)


def environment(tree: Path, case: Case, extra: Sequence[Path] = ()) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    paths = [str((tree / p).resolve()) for p in case.pythonpath] + [str(p) for p in extra]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["COLUMNS"] = "120"
    return env


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.cache: Path = args.cache
        self.index: str = args.index
        self.timeout: float = args.timeout
        self.keep: bool = args.keep or args.observe
        # Absolute, not resolved: a venv's python is a symlink to the base interpreter.
        self.python = Path(os.path.abspath(args.python)) if args.python else None
        self.refresh: set[str] | None = set() if args.refresh else None
        self.work: Path | None = args.work
        self.plugin_args: list[str] = args.plugin_arg
        self.mode = "observe" if args.observe else "expected" if args.check_expected else "fix"

    def plain(self, python: Path, tree: Path, case: Case, work: Path, label: str) -> Outcomes:
        results = work / f"{label}.json"
        args = [*case.pytest_args, "--continue-on-collection-errors", "-p", "realworld_recorder"]
        env = environment(tree, case, [RECORDER_DIR])
        env["AUTOFIX_REALWORLD_RESULTS"] = str(results)
        timed = run_pytest(python, args, tree / case.root, env, work / f"{label}.log", self.timeout)
        self.times[label] = timed.seconds
        if timed.timed_out:
            raise Unprepared(f"the {label} run timed out after {self.timeout:.0f} s")
        return Outcomes.read(results, timed.returncode)

    def prepare(self, case: Case, work: Path) -> tuple[Path, Path]:
        archive = sdist(case, self.cache, self.index)
        tree = extract(archive, work / "src")
        if not (tree / case.root).is_dir():
            raise Unprepared(f"root {case.root!r} is not a directory of the sdist")
        if case.inject is not None:
            env = {**os.environ, "PYTHONPATH": str(HERE)}  # for ``import injecting``
            _check([sys.executable, case.inject], "inject.py", cwd=tree, env=env)
        if (tree / ".git").exists():
            shutil.rmtree(tree / ".git")
        _check([*GIT, "init", "--quiet"], "git init", cwd=tree)
        _check([*GIT, "add", "--all", "--force"], "git add", cwd=tree)
        _check([*GIT, "commit", "--quiet", "--no-verify", "-m", "pristine"], "git commit", cwd=tree)
        python = self.python or venv(case, self.cache, self.refresh)
        return tree, python

    def one(self, case: Case) -> Result:
        self.times: dict[str, float] = {}
        if self.work is not None:
            self.work.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f"autofix-realworld-{case.name}-", dir=self.work))
        result = Result(case, corpus.unprepared(case), times=self.times, tree=None)
        try:
            tree, python = self.prepare(case, work)
            result.tree = tree
            if self.python is None:
                result.versions = versions(python)
            before = self.plain(python, tree, case, work, "before")
            result.before = before
            if self.mode == "observe":
                return result
            if not case.targets:
                raise Unprepared("no targets recorded yet (run.py --observe prints them)")
            observed = before.failing
            if observed != frozenset(case.targets):
                missing = sorted(frozenset(case.targets) - observed)
                extra = sorted(observed - frozenset(case.targets))
                raise Unprepared(
                    "baseline differs from the recorded targets: "
                    f"{len(missing)} recorded but not failing {missing[:3]}, "
                    f"{len(extra)} failing but not recorded {extra[:3]}"
                )
            expected = case.expected.read_text(encoding="utf-8") if case.expected.is_file() else ""
            if self.mode == "expected":
                if not expected:
                    raise Unprepared("no expected.patch")
                _check([*GIT, "apply", "--whitespace=nowarn", case.expected], "git apply", cwd=tree)
            else:
                result.plugin = self.fix(python, tree, case, work)
            after = self.plain(python, tree, case, work, "after")
            changes = self.changes(tree)
            result.score = corpus.score(case, before, after, changes, corpus.patch_files(expected))
        except Unprepared as exc:
            result.error = str(exc)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        finally:
            if not self.keep:
                shutil.rmtree(work, ignore_errors=True)
        return result

    def fix(self, python: Path, tree: Path, case: Case, work: Path) -> dict[str, Any]:
        report = work / "autofix-report.json"
        args = [
            *case.pytest_args,
            "--autofix",
            f"--autofix-report={report}",
            f"--autofix-patch={work / 'autofix.patch'}",
            *self.plugin_args,
        ]
        env = environment(tree, case, [standin(work / "standin"), CHECKOUT])
        timed = run_pytest(python, args, tree / case.root, env, work / "fix.log", self.timeout)
        self.times["fix"] = timed.seconds
        summary: dict[str, Any] = {"exit_status": timed.returncode, "timed_out": timed.timed_out}
        if report.is_file():
            data = json.loads(report.read_text(encoding="utf-8"))
            summary["summary"] = data.get("summary")
            summary["issues"] = [
                {
                    **{k: issue.get(k) for k in ("code", "status", "message", "path", "tests")},
                    "fixes": [
                        {k: fix.get(k) for k in ("fixer", "description", "applied", "reason")}
                        for fix in issue.get("fixes", [])
                    ],
                }
                for issue in data.get("issues", [])
            ]
        else:
            summary["summary"] = None
            tail = (work / "fix.log").read_text(errors="replace").splitlines()[-8:]
            summary["log_tail"] = tail
        return summary

    def changes(self, tree: Path) -> dict[str, str]:
        _check([*GIT, "add", "--all", "--force"], "git add", cwd=tree)
        out = _check(
            [*GIT, "diff", "--cached", "--name-status", "--no-renames", "-z", "HEAD"],
            "git diff",
            cwd=tree,
        )
        items = out.split("\0")
        return {items[i + 1]: items[i] for i in range(0, len(items) - 1, 2)}


def plugin_line(plugin: dict[str, Any] | None) -> str | None:
    if not plugin:
        return None
    if plugin.get("summary") is None:
        tail = " | ".join(plugin.get("log_tail", [])[-3:])
        return f"    plugin: no report (exit {plugin['exit_status']}): {tail}"
    s = plugin["summary"]
    parts = _status_parts(s)
    return (
        f"    plugin: {s['issues']} issues in {s['failures']} failures"
        f"{': ' + ', '.join(parts) if parts else ''}; exit {plugin['exit_status']}"
    )


def _status_parts(summary: dict[str, Any]) -> list[str]:
    """``["2 fixed", "1 rolled back"]``: the statuses of the plugin's issues that occur."""
    keys = ("fixed", "rolled_back", "suggested", "unfixable")
    return [f"{summary[k]} {k.replace('_', ' ')}" for k in keys if summary.get(k)]


def groups(results: list[Result]) -> Iterator[tuple[str, int, Score]]:
    """(kind or origin, how many cases, their total score) for each that occurs."""
    for attr, names in (("kind", corpus.KINDS), ("origin", corpus.ORIGINS)):
        for name in names:
            chosen = [r for r in results if getattr(r.case, attr) == name]
            if chosen:
                yield name, len(chosen), corpus.total(r.score for r in chosen)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run pytest --autofix from this checkout on the real-world corpus."
    )
    parser.add_argument("cases", nargs="*", metavar="CASE", help="case names (default: all)")
    parser.add_argument(
        "--list",
        action="store_true",
        help="print NAME KIND CLASS PACKAGE==VERSION TARGETS per case and exit",
    )
    parser.add_argument(
        "--check-expected",
        action="store_true",
        help="apply each case's expected.patch instead of running the plugin",
    )
    parser.add_argument(
        "--observe",
        action="store_true",
        help="prepare the cases, run the baseline, print the failing ids as a "
        "TOML list and keep the tree (for writing a case)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    parser.add_argument(
        "--plugin-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one more argument for the fix run, e.g. --plugin-arg=--autofix-max-rounds=6 "
        "(repeatable; the figures in the docs use none)",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="PATH",
        help="write the per-case table and the totals as Markdown (for the docs)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each case's work directory (tree, logs, report) and print it",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="limit of each pytest run (default 900)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=default_cache(),
        help="sdists and venvs (default ~/.cache/pytest-autofix-realworld, or "
        "$PYTEST_AUTOFIX_REALWORLD_CACHE)",
    )
    parser.add_argument(
        "--refresh", action="store_true", help="rebuild the venvs used with today's latest releases"
    )
    parser.add_argument("--index", default=INDEX, help=f"package index (default {INDEX})")
    parser.add_argument(
        "--python",
        type=Path,
        help="run the cases with this interpreter instead of cached venvs "
        "(it must have pytest and the plugin's dependencies)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        metavar="DIR",
        help="where the work directories go (default: the system's temp dir)",
    )
    parser.add_argument("--cases-dir", type=Path, default=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        cases = corpus.load_cases(args.cases_dir, args.cases)
    except corpus.CaseError as exc:
        parser.error(str(exc))
    if args.list:
        for case in cases:
            print(case.list_line())
        return 0
    runner = Runner(args)
    results: list[Result] = []
    started = time.perf_counter()
    for case in cases:
        result = runner.one(case)
        results.append(result)
        if runner.mode == "observe":
            print(observe_text(result), flush=True)
            continue
        print(result.line(), flush=True)
        if result.plugin and (line := plugin_line(result.plugin)):
            print(line, flush=True)
        for label, ids in (
            ("not fixed", result.score.as_json()["not_fixed"]),
            ("regressions", result.score.regressions),
            ("harmful", result.score.harmful),
            ("unrelated", result.score.unrelated),
        ):
            if ids and not result.error:
                shown = ", ".join(ids[:4]) + (f" (+{len(ids) - 4})" if len(ids) > 4 else "")
                print(f"    {label}: {shown}", flush=True)
        if result.tree is not None and runner.keep:
            print(f"    kept: {result.tree.parent.parent}", flush=True)
    if runner.mode == "observe":
        return 0 if all(r.error is None for r in results) else 1
    overall = corpus.total(r.score for r in results)
    elapsed = time.perf_counter() - started
    if args.json:
        args.json.write_text(json.dumps(report(results, runner.mode, elapsed), indent=1) + "\n")
    if args.markdown:
        args.markdown.write_text(markdown(results))
    if len(results) > 1:
        for name, count, part in groups(results):
            print(f"  {name} ({count} cases): {part.line()}")
    print(overall.line())
    bad = any(r.error for r in results)
    if runner.mode == "expected":
        bad = bad or not all(r.score.perfect for r in results)
    return 1 if bad else 0


def observe_text(result: Result) -> str:
    if result.error or result.before is None:
        return f"{result.case.name}  not prepared: {result.error}"
    before = result.before
    counts = ", ".join(f"{n} {k}" for k, n in sorted(before.counts().items()))
    lines = [
        f"# {result.case.name}: {counts or 'nothing ran'} "
        f"(pytest exit {before.exitstatus}, {result.times.get('before', 0):.1f} s)"
    ]
    lines.append("targets = [")
    lines.extend(f"  {json.dumps(n)}," for n in sorted(before.failing))
    lines.append("]")
    for nodeid, text in sorted(before.collect_errors.items()):
        last = text.strip().splitlines()[-1] if text.strip() else ""
        lines.append(f"# collection error {nodeid}: {last}")
    assert result.tree is not None
    if not before.started or before.exitstatus in (2, 3, 4):
        # interrupted, an internal error, a usage error: the cause is in pytest's last lines
        log = result.tree.parent.parent / "before.log"
        tail = log.read_text(errors="replace").splitlines()[-15:] if log.is_file() else []
        lines.append(f"# pytest exit {before.exitstatus}; its last lines:")
        lines.extend(f"#   {line}" for line in tail)
    lines.append(f"# tree (git root, pristine commit): {result.tree}")
    lines.append(f"# logs: {result.tree.parent.parent}")
    return "\n".join(lines)


def _statuses(plugin: dict[str, Any] | None) -> str:
    if not plugin or not plugin.get("summary"):
        return "no report" if plugin else ""
    s = plugin["summary"]
    parts = _status_parts(s)
    return f"{s['issues']}: " + ", ".join(parts) if parts else str(s["issues"])


def _secs(times: dict[str, float], label: str) -> str:
    return f"{times[label]:.1f}" if label in times else ""


def markdown(results: list[Result]) -> str:
    """The per-case table and the totals, as docs/benchmarks.md shows them."""
    rows = [
        "| case | kind | origin | package | targets | fixed | regr. | harmful | unrel. "
        "| issues (plugin) | fix s | before s | after s | fix/before |",
        "|---|---|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|",
    ]
    for r in results:
        c, sc, t = r.case, r.score, r.times
        figures = (
            f"{len(sc.targets)} | {len(sc.fixed)} | {len(sc.regressions)} | {len(sc.harmful)} "
            f"| {len(sc.unrelated)}"
        )
        if r.error:
            figures = f"{len(sc.targets)} | not prepared: {r.error.splitlines()[0]} | | | "
        rows.append(
            f"| {c.name} | {c.kind} | {c.origin} | {c.package}=={c.version} | {figures} "
            f"| {_statuses(r.plugin)} | {_secs(t, 'fix')} | {_secs(t, 'before')} "
            f"| {_secs(t, 'after')} | {r.ratio} |"
        )
    lines = ["\n".join(rows), ""]
    lines += [f"- {name} ({count} cases): {part.line()}" for name, count, part in groups(results)]
    lines.append(f"- all ({len(results)} cases): {corpus.total(r.score for r in results).line()}")
    return "\n".join(lines) + "\n"


def report(results: list[Result], mode: str, elapsed: float) -> dict[str, Any]:
    overall = corpus.total(r.score for r in results)
    return {
        "mode": mode,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "seconds": round(elapsed, 1),
        "total": {
            "targets": len(overall.targets),
            "fixed": len(overall.fixed),
            "regressions": len(overall.regressions),
            "harmful": len(overall.harmful),
            "unrelated": len(overall.unrelated),
        },
        "cases": [
            {
                "name": r.case.name,
                "kind": r.case.kind,
                "origin": r.case.origin,
                "package": r.case.package,
                "version": r.case.version,
                "error": r.error,
                "times": {k: round(v, 2) for k, v in r.times.items()},
                "plugin": r.plugin,
                **r.score.as_json(),
                "stack": {
                    k: r.versions[k]
                    for k in ("pytest", "numpy", "pandas", "setuptools", "pillow")
                    if k in r.versions
                },
            }
            for r in results
        ],
    }


if __name__ == "__main__":
    sys.exit(main())
