"""Rerun interpreters started ahead (``warm.py``): fresh for the files, stopped when unused.

Real child processes throughout; the end-to-end tests look at the session's own children in
``/proc`` after the engine is done (Linux).
"""

from __future__ import annotations

import json
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from pytest_autofix.engine import warm

XDIST = [pytest.param([], id="serial"), pytest.param(["-n", "2"], id="xdist")]
needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _project(root: Path) -> Path:
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    return root / "result.json"


RERUN = ["-p", "no:autofix", "-p", "pytest_autofix.worker.recorder", "-q"]


def _launch(launcher: warm.Launcher, root: Path, *args: str) -> tuple[int, str]:
    """Run a rerun to its end: its exit status and everything it printed."""
    child = launcher.launch([*RERUN, *args])
    child.wait_results(120)
    child.proc.wait(timeout=120)
    output = child.output()
    return child.finish(120), output


def _waiting_for_stdin(child: warm.Child, timeout: float = 10.0) -> None:
    """Wait until the child is blocked reading its command line (it has imported pytest).

    ``/proc/<pid>/wchan`` names the kernel function it sleeps in; where the kernel hides it
    ("0"), the full ``timeout`` is waited instead, far longer than importing pytest takes.
    """
    pid = child.proc.pid
    wchan = Path(f"/proc/{pid}/wchan")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            where = wchan.read_text()
        except OSError:
            where = ""
        if "read" in where or "wait" in where:
            return
        time.sleep(0.05)


@needs_proc
def test_a_prepared_interpreter_reads_the_files_written_after_it_started(tmp_path: Path) -> None:
    out = _project(tmp_path)
    launcher = warm.Launcher(warm.rerun_env(tmp_path, out), tmp_path)
    launcher.prepare()
    assert launcher.waiting is not None
    _waiting_for_stdin(launcher.waiting)
    cmdline = Path(f"/proc/{launcher.waiting.proc.pid}/cmdline").read_bytes()
    assert warm.BOOT.encode() in cmdline  # the bootstrap, nothing of the project
    # written after the child started: the rerun must see exactly this
    (tmp_path / "conftest.py").write_text("VALUE = 2\n", encoding="utf-8")
    (tmp_path / "test_late.py").write_text(
        "import sys\n\n"
        "def test_late():\n"
        "    assert sys.modules['conftest'].VALUE == 2\n"
        "    assert sys.argv[0].endswith('__main__.py')\n",
        encoding="utf-8",
    )
    code, output = _launch(launcher, tmp_path, str(tmp_path / "test_late.py"))
    assert code == 0, output
    assert (launcher.started, launcher.warm) == (1, 1)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["outcomes"] == {"test_late.py::test_late": "passed"}


def test_close_stops_a_waiting_interpreter(tmp_path: Path) -> None:
    launcher = warm.Launcher(warm.rerun_env(tmp_path, _project(tmp_path)), tmp_path)
    with launcher:
        launcher.prepare()
        child = launcher.waiting
        assert child is not None and child.poll() is None
        launcher.prepare()  # one waits at a time
        assert launcher.waiting is child and launcher.started == 1
    assert child.poll() is not None and launcher.waiting is None


def test_a_waiting_interpreter_exits_when_its_parent_goes(tmp_path: Path) -> None:
    """Its stdin closes with the engine's process: it exits without running anything."""
    launcher = warm.Launcher(warm.rerun_env(tmp_path, _project(tmp_path)), tmp_path)
    launcher.prepare()
    child = launcher.waiting
    assert child is not None and child.proc.stdin is not None
    child.proc.stdin.close()
    assert child.proc.wait(timeout=60) == 0
    assert child.output() == ""
    launcher.close()


def test_a_dead_waiting_interpreter_is_replaced(tmp_path: Path) -> None:
    out = _project(tmp_path)
    (tmp_path / "test_a.py").write_text("def test_a():\n    pass\n", encoding="utf-8")
    launcher = warm.Launcher(warm.rerun_env(tmp_path, out), tmp_path)
    launcher.prepare()
    assert launcher.waiting is not None
    launcher.waiting.kill()
    code, output = _launch(launcher, tmp_path, str(tmp_path / "test_a.py"))
    assert code == 0, output
    assert (launcher.started, launcher.warm) == (2, 0)
    assert json.loads(out.read_text())["outcomes"] == {"test_a.py::test_a": "passed"}


# -- end to end: the session leaves no interpreter behind -------------------------------------

CHILDREN_CONFTEST = """
import os
from pathlib import Path


def _children():
    mine = str(os.getpid())
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == mine:
            found.append(stat.parent.name)
    return found


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        Path("children.txt").write_text(" ".join(_children()))
"""


@needs_proc
@pytest.mark.parametrize("xdist", XDIST)
def test_a_session_leaves_no_interpreter_behind(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makeconftest(CHILDREN_CONFTEST)
    pytester.makepyfile(
        test_a=textwrap.dedent(
            """
            import os

            def test_a():
                assert os.path.join("a", "b")

            def test_fixed():
                assert json.dumps(1) == "1"

            def test_for_a_person():
                assert os.environ["AUTOFIX_TEST_SURELY_UNSET"]
            """
        )
    )
    result = pytester.runpytest_subprocess(
        "--autofix", "--autofix-report=report.json", *xdist, "-p", "no:randomly"
    )
    report = json.loads((pytester.path / "report.json").read_text())
    statuses = sorted(i["status"] for i in report["issues"])
    assert statuses == ["fixed", "suggested"], result.stdout.str()
    assert report["rerun"]["passed"] == 2
    assert (pytester.path / "children.txt").read_text() == ""


@needs_proc
def test_a_run_with_nothing_to_apply_stops_its_prepared_interpreter(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makeconftest(CHILDREN_CONFTEST)
    pytester.makepyfile(
        test_a='import os\n\ndef test_env():\n    assert os.environ["AUTOFIX_TEST_SURELY_UNSET"]\n'
    )
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=report.json")
    report = json.loads((pytester.path / "report.json").read_text())
    assert [i["status"] for i in report["issues"]] == ["suggested"], result.stdout.str()
    assert report["rerun"] is None
    assert (pytester.path / "children.txt").read_text() == ""


def test_the_bootstrap_runs_pytest_like_dash_m(tmp_path: Path) -> None:
    """``sys.path[0]`` is the working directory, as ``python -m pytest`` makes it."""
    out = _project(tmp_path)
    (tmp_path / "localmod.py").write_text("X = 1\n", encoding="utf-8")
    (tmp_path / "test_path.py").write_text(
        "import os, sys\n\n"
        "def test_path():\n"
        "    import localmod\n"
        "    assert sys.path[0] == os.getcwd()\n",
        encoding="utf-8",
    )
    env = warm.rerun_env(tmp_path, out)
    env.pop("PYTHONPATH", None)
    env["PYTHONWARNINGS"] = "error"  # no deprecated entry point (pytest.console_main) either
    launcher = warm.Launcher(env, tmp_path)
    code, output = _launch(launcher, tmp_path, "--import-mode=importlib", "test_path.py")
    assert code == 0, output
    assert json.loads(out.read_text())["outcomes"] == {"test_path.py::test_path": "passed"}


def test_each_child_gets_the_environment_of_its_time(tmp_path: Path) -> None:
    """``for_config`` hands a function: a later round's child sees a package created since."""
    out = _project(tmp_path)
    (tmp_path / "test_env.py").write_text(
        "import os\n\ndef test_env():\n    assert os.environ['AUTOFIX_ROUND'] == '2'\n",
        encoding="utf-8",
    )
    rounds = iter(["1", "2"])
    launcher = warm.Launcher(
        lambda: {**warm.rerun_env(tmp_path, out), "AUTOFIX_ROUND": next(rounds)}, tmp_path
    )
    launcher.prepare()
    launcher.close()  # round 1's child, never used
    code, output = _launch(launcher, tmp_path, "test_env.py")
    assert code == 0, output
    assert launcher.started == 2


# -- results before exit: the engine goes on while the rerun prints its summary and exits ------

HELD_AT_EXIT = """
import time
from pathlib import Path


def pytest_unconfigure(config):
    release = Path(__file__).with_name("release")
    deadline = time.monotonic() + 60
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
"""


def test_the_results_come_back_while_the_interpreter_is_still_exiting(tmp_path: Path) -> None:
    out = _project(tmp_path)
    (tmp_path / "conftest.py").write_text(HELD_AT_EXIT, encoding="utf-8")
    (tmp_path / "test_a.py").write_text("def test_a():\n    pass\n", encoding="utf-8")
    launcher = warm.Launcher(warm.rerun_env(tmp_path, out), tmp_path)
    child = launcher.launch([*RERUN, "test_a.py"])
    assert child.wait_results(120) is True
    assert child.poll() is None  # held in its pytest_unconfigure, after the results
    assert json.loads(out.read_text())["outcomes"] == {"test_a.py::test_a": "passed"}
    (tmp_path / "release").touch()
    launcher.close()  # waits for it to exit
    assert child.poll() == 0


def test_close_kills_a_rerun_that_does_not_exit(tmp_path: Path) -> None:
    out = _project(tmp_path)
    (tmp_path / "conftest.py").write_text(HELD_AT_EXIT, encoding="utf-8")
    (tmp_path / "test_a.py").write_text("def test_a():\n    pass\n", encoding="utf-8")
    launcher = warm.Launcher(warm.rerun_env(tmp_path, out), tmp_path, finish_timeout=0.5)
    child = launcher.launch([*RERUN, "test_a.py"])
    assert child.wait_results(120) is True
    launcher.close()  # never released: killed after finish_timeout
    assert child.poll() == -9


def test_a_rerun_that_dies_early_says_nothing_and_its_output_is_kept(tmp_path: Path) -> None:
    out = _project(tmp_path)
    # (a conftest that does not import would be the rerun's collection error, with results)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = ["--gives-up"]\n', encoding="utf-8"
    )
    (tmp_path / "test_a.py").write_text("def test_a():\n    pass\n", encoding="utf-8")
    launcher = warm.Launcher(warm.rerun_env(tmp_path, out), tmp_path)
    child = launcher.launch([*RERUN, "test_a.py"])
    assert child.wait_results(120) is False
    assert child.poll() == 4  # pytest's usage error: no results were written
    assert "unrecognized arguments: --gives-up" in child.output()
    assert not out.exists()
    launcher.close()


def test_a_rerun_that_hangs_times_out(tmp_path: Path) -> None:
    out = _project(tmp_path)
    (tmp_path / "test_a.py").write_text(
        "import time\n\ndef test_a():\n    time.sleep(60)\n", encoding="utf-8"
    )
    launcher = warm.Launcher(warm.rerun_env(tmp_path, out), tmp_path)
    child = launcher.launch([*RERUN, "test_a.py"])
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait_results(1.0)
    child.kill()
    assert child.poll() == -9
    launcher.close()


@needs_proc
def test_the_tests_of_a_rerun_see_neither_the_pipe_nor_its_number(tmp_path: Path) -> None:
    """The number leaves the environment as the rerun plugin loads and the pipe is not
    inheritable: a process a test starts, even with ``close_fds=False``, holds no pipe."""
    out = _project(tmp_path)
    (tmp_path / "list_fds.py").write_text(
        textwrap.dedent(
            """
            import os, stat

            found = []
            for f in os.listdir("/proc/self/fd"):
                try:
                    if int(f) > 2 and stat.S_ISFIFO(os.stat("/proc/self/fd/" + f).st_mode):
                        found.append(int(f))
                except OSError:
                    pass  # the listing's own descriptor, closed by now
            print(sorted(found))
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "test_fds.py").write_text(
        textwrap.dedent(
            f"""
            import os, subprocess, sys

            def test_fds():
                assert {warm.READY_ENV!r} not in os.environ
                got = subprocess.run(
                    [sys.executable, "list_fds.py"], close_fds=False, capture_output=True,
                    text=True,
                )
                assert got.stdout.strip() == "[]", got.stdout + got.stderr
            """
        ),
        encoding="utf-8",
    )
    code, output = _launch(
        warm.Launcher(warm.rerun_env(tmp_path, out), tmp_path), tmp_path, "test_fds.py"
    )
    assert code == 0, output
    assert json.loads(out.read_text())["outcomes"] == {"test_fds.py::test_fds": "passed"}


HANGS_AFTER_ITS_RESULTS = (
    CHILDREN_CONFTEST
    + f"""
import time

_write_children = pytest_unconfigure


def pytest_unconfigure(config):
    if os.environ.get({warm.OUT_ENV!r}):  # the verification rerun: results in, no exit
        time.sleep(120)
    else:
        _write_children(config)
"""
)


@needs_proc
def test_a_rerun_that_does_not_exit_after_its_results_is_stopped_and_said(
    pytester: pytest.Pytester,
) -> None:
    """Its results count (they were complete); the session waits ``--autofix-rerun-timeout``
    for the interpreter to exit, then stops it, says so and leaves no process behind."""
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makeconftest(HANGS_AFTER_ITS_RESULTS)
    pytester.makepyfile(test_a="def test_fixed():\n    assert json.dumps(1) == '1'\n")
    result = pytester.runpytest_subprocess(
        "--autofix", "--autofix-report=report.json", "--autofix-rerun-timeout=3"
    )
    report = json.loads((pytester.path / "report.json").read_text())
    assert [i["status"] for i in report["issues"]] == ["fixed"], result.stdout.str()
    result.stdout.fnmatch_lines(["*1 verification rerun(s) had written their results*stopped"])
    assert result.ret == 0
    assert (pytester.path / "children.txt").read_text() == ""
