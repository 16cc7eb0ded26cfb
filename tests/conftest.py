"""Shared helpers of the end-to-end tests: project builders, inner pytest runs, report checks.

The outer session runs with ``-p no:autofix``; every inner run here loads the plugin through its
``pytest11`` entry point, the way a user's ``pytest`` does. Nothing here is autouse: the fixtures
act only in the tests that ask for them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from pytest_autofix import codes

try:  # a lock shared by the pytest-xdist workers of one run (POSIX)
    import fcntl
except ImportError:  # pragma: no cover - Windows: every worker runs its own copy
    fcntl = None  # type: ignore[assignment]

STATUSES = ("fixed", "proposed", "suggested", "rolled-back", "unfixable")
DRY_RUN_STATUSES = ("proposed", "suggested", "unfixable")
UNSET_ENV_VAR = "AUTOFIX_TEST_SURELY_UNSET"
# What must not leak from the outer session (or the user's shell) into an inner run.
_ISOLATE_ENV = (
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_XDIST_TESTRUNUID",
    "PYTEST_CURRENT_TEST",
    "NO_COLOR",
    "FORCE_COLOR",
    "GITHUB_ACTIONS",
    UNSET_ENV_VAR,
)


# -- projects -----------------------------------------------------------------------------


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    """Write ``{relative path: text}`` under ``root``; texts are dedented."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


class Projects:
    """Small projects as ``{path: text}`` dicts, shared by the test modules."""

    write = staticmethod(write_tree)

    @staticmethod
    def one_failure() -> dict[str, str]:
        """The smallest broken project: one failing assertion."""
        return {
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
            "tests/test_one.py": "def test_sum():\n    assert 1 + 1 == 3\n",
        }

    @staticmethod
    def four_issues() -> dict[str, str]:
        """A collection error, a fixture typo shared by three tests, a removed stdlib attribute
        and a failed assertion: four issues; three tests pass."""
        return {
            "pyproject.toml": """\
                [tool.pytest.ini_options]
                testpaths = ["tests"]
                pythonpath = ["."]
                """,
            "shop/__init__.py": "",
            "shop/prices.py": """\
                def total(items):
                    return sum(price for _, price in items)
                """,
            "tests/conftest.py": """\
                import pytest


                @pytest.fixture
                def client():
                    return {"name": "ada", "cart": [("tea", 3.5), ("cake", 2.0)]}
                """,
            # collection error: the module was renamed to shop.prices
            "tests/test_orders.py": """\
                from shop.pricing import total


                def test_total():
                    assert total([("a", 1.0)]) == 1.0
                """,
            "tests/test_cart.py": """\
                def test_name(clinet):
                    assert clinet["name"] == "ada"


                def test_size(clinet):
                    assert len(clinet["cart"]) == 2


                def test_first(clinet):
                    assert clinet["cart"][0][0] == "tea"


                def test_plain():
                    assert 1 + 1 == 2
                """,
            "tests/test_compat.py": """\
                import collections


                def test_mapping():
                    assert isinstance({}, collections.Mapping)


                def test_counter():
                    assert collections.Counter("aab")["a"] == 2
                """,
            "tests/test_math.py": """\
                def test_double():
                    assert 2 * 2 == 4


                def test_rounding():
                    assert round(2.675, 2) == 2.68
                """,
        }

    FOUR_ISSUES = frozenset(
        {
            ("import.module-not-found", ("tests/test_orders.py",)),
            (
                "fixture.not-found",
                (
                    "tests/test_cart.py::test_first",
                    "tests/test_cart.py::test_name",
                    "tests/test_cart.py::test_size",
                ),
            ),
            ("environment.removed-api", ("tests/test_compat.py::test_mapping",)),
            ("other.assertion", ("tests/test_math.py::test_rounding",)),
        }
    )
    FOUR_ISSUES_PASSED = 3

    @staticmethod
    def fixer_conftest() -> str:
        """A conftest with the ``client`` fixture and two third-party fixers: a libcst rename
        for ``fixture.not-found`` (confidence 0.9) and a display-only suggestion for ``other``."""
        return """\
            import libcst
            import pytest

            from pytest_autofix import FileEdit, Fix, IssueKind


            @pytest.fixture
            def client():
                return {"name": "ada"}


            class _Rename(libcst.CSTTransformer):
                def __init__(self, old, new):
                    super().__init__()
                    self.old, self.new = old, new

                def leave_Name(self, original_node, updated_node):
                    if updated_node.value == self.old:
                        return updated_node.with_changes(value=self.new)
                    return updated_node


            class RenameFixture:
                name = "test.rename-fixture"
                kinds = frozenset({IssueKind.FIXTURE})

                def propose(self, issue, project):
                    if issue.code != "fixture.not-found":
                        return []
                    old = issue.details["argname"]
                    rename = _Rename(old, "client")
                    edit = FileEdit(issue.path, lambda module: module.visit(rename))
                    return [Fix(f"rename {old!r} to 'client'", 0.9, [edit])]


            class LookAtIt:
                name = "test.look-at-it"
                kinds = frozenset({IssueKind.OTHER})

                def propose(self, issue, project):
                    return [Fix("look at the numbers", 0.3)]


            def pytest_autofix_fixers(config):
                return [RenameFixture(), LookAtIt()]
            """


@pytest.fixture(scope="session")
def projects() -> type[Projects]:
    return Projects


# -- runs ---------------------------------------------------------------------------------


def fn_escape(text: str) -> str:
    """``text`` as an fnmatch pattern that matches exactly it."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def issue_line(issue: Mapping[str, Any]) -> str:
    """The fnmatch pattern of an issue's line in the terminal summary, from its JSON entry."""
    n = len(issue["tests"])
    line = f"{issue['status']:<11} {issue['code']}  {issue['message']}  ({n} test"
    line += "s)" if n != 1 else ")"
    if issue["path"] is not None:
        line += f"  {issue['path']}" + (f":{issue['line']}" if issue["line"] else "")
    return fn_escape(line)


def found_line(report: Mapping[str, Any]) -> str:
    """The fnmatch pattern of the closing ``Found N issues ...`` line of a dry run."""
    s = report["summary"]
    issues = f"{s['issues']} issue{'s' if s['issues'] != 1 else ''}"
    failures = f"{s['failures']} failure{'s' if s['failures'] != 1 else ''}"
    return f"Found {issues} in {failures} (*); nothing was written (dry run)"


@dataclasses.dataclass
class AutofixRun:
    """One inner pytest run: its output, its JSON report (if written) and its project."""

    result: pytest.RunResult
    report: dict[str, Any] | None
    path: Path

    @property
    def issues(self) -> list[dict[str, Any]]:
        assert self.report is not None, "no JSON report was written"
        return list(self.report["issues"])

    def issue_with(self, nodeid: str) -> dict[str, Any]:
        """The one issue that lists ``nodeid``."""
        found = [i for i in self.issues if nodeid in i["tests"]]
        assert len(found) == 1, f"{nodeid}: in {len(found)} issues: {self.issues}"
        return found[0]

    def issue_set(self) -> set[tuple[str, tuple[str, ...]]]:
        return {(i["code"], tuple(sorted(i["tests"]))) for i in self.issues}

    def section(self) -> list[str]:
        """The lines of the autofix section of the terminal summary (sep line to Found line)."""
        lines = self.result.outlines
        starts = [i for i, line in enumerate(lines) if "= autofix (" in line]
        ends = [i for i, line in enumerate(lines) if "Found " in line and starts and i > starts[0]]
        output = "\n".join(lines + self.result.errlines)
        assert starts and ends, f"no autofix section in the output:\n{output}"
        return lines[starts[0] : ends[0] + 1]

    def expect_terminal(self, issue: Mapping[str, Any]) -> None:
        """The issue's line and the closing line are in the terminal summary."""
        assert self.report is not None
        self.result.stdout.fnmatch_lines([issue_line(issue)])
        self.result.stdout.fnmatch_lines([found_line(self.report)])

    def check_schema(self) -> None:
        assert self.report is not None, "no JSON report was written"
        check_report(self.report)


def _load_report(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def run_pytest(
    cwd: Path, args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 300
) -> pytest.RunResult:
    """``python -m pytest ARGS`` in ``cwd``, isolated the way pytester isolates its runs."""
    full_env = {k: v for k, v in os.environ.items() if k not in _ISOLATE_ENV}
    full_env["PY_COLORS"] = "0"
    full_env.update(env or {})
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return pytest.RunResult(
        proc.returncode,
        proc.stdout.splitlines(),
        proc.stderr.splitlines(),
        time.monotonic() - start,
    )


class Autofix:
    """An inner pytest run in a pytester directory, with the plugin active."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.path = pytester.path

    def write(self, files: Mapping[str, str]) -> None:
        write_tree(self.path, files)

    def run(
        self,
        *args: str,
        dry_run: bool = True,
        report: str | None = "report.json",
        in_process: bool = False,
    ) -> AutofixRun:
        """``pytest --autofix [--dry-run] [--autofix-report=REPORT] ARGS`` in a subprocess.

        ``in_process=True`` runs it in this interpreter instead (fast): only for projects whose
        test modules do not matter beyond the run (pytester restores ``sys.modules``).
        """
        flags = ["--autofix", *(["--dry-run"] if dry_run else [])]
        if report is not None:
            flags.append(f"--autofix-report={report}")
        if in_process:
            result = self.pytester.runpytest_inprocess(*flags, *args)
        else:
            result = self.pytester.runpytest_subprocess(*flags, *args, timeout=300)
        return AutofixRun(result, _load_report(self.path / report) if report else None, self.path)

    def plain(self, *args: str) -> pytest.RunResult:
        """``pytest ARGS`` in a subprocess: the plugin is installed but ``--autofix`` is off."""
        return self.pytester.runpytest_subprocess(*args, timeout=300)


@pytest.fixture
def autofix(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Autofix:
    for name in _ISOLATE_ENV:
        monkeypatch.delenv(name, raising=False)
    return Autofix(pytester)


class SharedRuns:
    """Runs that several tests read, done once per outer session even under pytest-xdist.

    Every worker of one outer run uses the same directory; a file lock makes the first worker
    that asks build the project and run it while the others wait and then read its result.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def get(
        self,
        key: str,
        files: Mapping[str, str],
        args: Sequence[str],
        *,
        cwd: str = ".",
        report: str = "report.json",
    ) -> AutofixRun:
        base = self.root / key
        base.mkdir(parents=True, exist_ok=True)
        project = base / "project"
        done = base / "result.json"
        with _locked(base / "lock"):
            if not done.exists():
                write_tree(project, files)
                result = run_pytest(project / cwd, args)
                out = {"ret": int(result.ret), "out": result.outlines, "err": result.errlines}
                done.write_text(json.dumps({**out, "duration": result.duration}), "utf-8")
        data = json.loads(done.read_text("utf-8"))
        result = pytest.RunResult(data["ret"], data["out"], data["err"], data["duration"])
        return AutofixRun(result, _load_report(project / cwd / report), project)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def shared_runs(tmp_path_factory: pytest.TempPathFactory) -> SharedRuns:
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None:
        base = base.parent  # the directory every worker's basetemp lives in
    return SharedRuns(base / "shared-runs")


# -- the JSON report, checked by hand against DESIGN.md -----------------------------------

_NONE = type(None)
_REPORT = {
    "version": int,
    "mode": str,
    "exit_status": int,
    "summary": dict,
    "issues": list,
    "rerun": (dict, _NONE),
}
_SUMMARY = dict.fromkeys(
    ("failures", "issues", "fixed", "proposed", "suggested", "rolled_back", "unfixable"), int
)
_ISSUE = {
    "id": str,
    "kind": str,
    "code": str,
    "message": str,
    "tests": list,
    "path": (str, _NONE),
    "line": (int, _NONE),
    "status": str,
    "fixes": list,
}
_FIX = {
    "fixer": str,
    "description": str,
    "confidence": float,
    "safe": bool,
    "files": list,
    "diff": str,
    "applied": bool,
    "verified": bool,
    "reason": (str, _NONE),
}
_RERUN = {"tests": list, "passed": int, "failed": int, "seconds": float}


def _check_keys(where: str, obj: Any, spec: Mapping[str, type | tuple[type, ...]]) -> None:
    assert isinstance(obj, dict), f"{where}: {obj!r} is not an object"
    assert set(obj) == set(spec), f"{where}: keys {sorted(obj)} != {sorted(spec)}"
    for key, types in spec.items():
        value = obj[key]
        allowed = types if isinstance(types, tuple) else (types,)
        # JSON true/false are not numbers here
        assert isinstance(value, allowed) and (bool in allowed or not isinstance(value, bool)), (
            f"{where}.{key}: {value!r} is not {allowed}"
        )


def _strings(where: str, values: list[Any]) -> None:
    assert all(isinstance(v, str) and v for v in values), f"{where}: {values!r}"


def check_report(report: Mapping[str, Any]) -> None:
    """Every key and type of DESIGN.md's JSON report (``"version": 1``), and its arithmetic."""
    _check_keys("report", report, _REPORT)
    assert report["version"] == 1
    assert report["mode"] in ("fix", "dry-run")
    summary = report["summary"]
    _check_keys("summary", summary, _SUMMARY)
    assert all(n >= 0 for n in summary.values()), summary
    for n, issue in enumerate(report["issues"]):
        where = f"issues[{n}]"
        _check_keys(where, issue, _ISSUE)
        assert issue["kind"] in codes.KINDS, issue
        assert issue["code"] in codes.CODES, issue
        assert issue["code"].partition(".")[0] == issue["kind"], issue
        assert issue["status"] in STATUSES, issue
        assert issue["tests"], f"{where}: an issue without tests"
        _strings(f"{where}.tests", issue["tests"])
        assert issue["line"] is None or issue["line"] >= 1, issue
        for m, fix in enumerate(issue["fixes"]):
            _check_keys(f"{where}.fixes[{m}]", fix, _FIX)
            assert 0.0 <= fix["confidence"] <= 1.0, fix
            _strings(f"{where}.fixes[{m}].files", fix["files"])
    if report["rerun"] is not None:
        _check_keys("rerun", report["rerun"], _RERUN)
        _strings("rerun.tests", report["rerun"]["tests"])
        assert report["rerun"]["seconds"] >= 0
    # the counts add up
    statuses = [i["status"] for i in report["issues"]]
    assert summary["issues"] == len(report["issues"])
    assert sum(summary[s.replace("-", "_")] for s in STATUSES) == summary["issues"]
    for status in STATUSES:
        assert summary[status.replace("-", "_")] == statuses.count(status), (status, summary)
    if report["mode"] == "dry-run":
        # one pass: every failing node is in exactly one issue; nothing was applied or rerun
        tests = [t for i in report["issues"] for t in i["tests"]]
        assert len(tests) == len(set(tests)) == summary["failures"], (tests, summary)
        assert set(statuses) <= set(DRY_RUN_STATUSES), statuses
        assert report["rerun"] is None


# -- installs without the index: a wheelhouse ---------------------------------------------------

_REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout (built from a copy: nothing is written into the checkout), the
    wheels of its dependencies and setuptools (the example's build backend), fetched once per
    session: the tox environments then install from here without asking the index (measured:
    30 s instead of 49 s per environment on a loaded machine)."""
    base = tmp_path_factory.mktemp("wheelhouse")
    copy = base / "src"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(_REPO / name, copy / name)
    shutil.copytree(
        _REPO / "pytest_autofix",
        copy / "pytest_autofix",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    out = base / "wheels"
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "-w", str(out), str(copy), "setuptools>=61"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    return out


@pytest.fixture(scope="session")
def autofix_wheel(wheelhouse: Path) -> Path:
    return next(wheelhouse.glob("pytest_autofix-*.whl"))
