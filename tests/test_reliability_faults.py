"""Reliability under faults (issue 18): a full disk (a real tmpfs), files and directories the
system refuses to write (immutable with ``chattr +i`` as root, else without write permission),
a read-only state dir, a ``.pytest_cache`` that is a file. Every case ends in one clear line,
no traceback, and every byte as it was (or as a verified fix left it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from autofix_testing import snapshot

from pytest_autofix.transaction import (
    RestoreError,
    Transaction,
    WriteError,
    recover,
    unrestored,
)

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
BROKEN_MODULE = (
    "from collections import Mapping\n\n\ndef f(x):\n    return isinstance(x, Mapping)\n"
)
TEST_MODULE = "from pkg.mod import f\n\n\ndef test_f():\n    assert f({})\n"


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB file system of its own (root only: mounting needs it)."""
    if not ROOT or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    with _tmpfs(tmp_path / "disk", "2m") as disk:
        yield disk


def _fill(disk: Path) -> Path:
    """Take every free byte of ``disk``; the filler's path (delete it to free them)."""
    filler = disk / "filler"
    with contextlib.suppress(OSError), filler.open("ab") as out:
        while True:
            out.write(b"x" * 4096)
            out.flush()
    return filler


def _project(root: Path, test_module: str = TEST_MODULE) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text(BROKEN_MODULE)
    (root / "test_mod.py").write_text(test_module)


def _autofix(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# -- a full disk ---------------------------------------------------------------------------


def test_a_rollback_on_a_full_disk_puts_the_original_back_in_place(small_disk: Path) -> None:
    """A temp copy needs room the disk no longer has: the original goes back into the file's
    own blocks (it used to fail, leaving the unverified edit on disk until the next start)."""
    root = small_disk / "proj"
    root.mkdir()
    original = b"x = 1\n" * 100
    (root / "a.py").write_bytes(original)
    with Transaction(root, root / ".pytest_cache" / "autofix") as txn:
        txn.read("a.py")
        txn.write("a.py", original + b"y = 2\n")
        filler = _fill(small_disk)
        with pytest.raises(OSError):  # no room for anything new...
            (small_disk / "more").write_bytes(b"z" * 8192)
        assert txn.restore() == [root / "a.py"]  # ...yet the rollback works
    assert (root / "a.py").read_bytes() == original
    filler.unlink()


RERUN_FILLS_THE_DISK = """
import os

if "PYTEST_AUTOFIX_RERUN_OUT" in os.environ:  # the verification rerun fills the disk
    with open(os.path.join(os.path.dirname(__file__), "..", "filler"), "ab") as out:
        try:
            while True:
                out.write(b"x" * 4096)
                out.flush()
        except OSError:
            pass

from pkg.mod import f


def test_f():
    assert f({})
"""


def test_a_disk_that_fills_during_the_run_leaves_every_byte_and_no_traceback(
    small_disk: Path,
) -> None:
    """The rerun fills the disk: it cannot write its results, the fix is rolled back on a full
    disk, the journal cannot record the end of the run. One line says so; the next start finds
    every file as it was."""
    root = small_disk / "proj"
    _project(root, RERUN_FILLS_THE_DISK)
    before = snapshot(root)
    done = _autofix(root, "--autofix")
    out = done.stdout + done.stderr
    assert "Traceback (most recent call last)" not in out
    assert "No space left on device" in out
    assert snapshot(root) == before
    (small_disk / "filler").unlink()
    again = _autofix(root)
    assert "Traceback (most recent call last)" not in again.stdout + again.stderr
    assert snapshot(root) == before


def test_a_full_disk_before_the_run_writes_nothing(small_disk: Path) -> None:
    root = small_disk / "proj"
    _project(root)
    (root / ".pytest_cache" / "autofix").mkdir(parents=True)  # a run before made it
    before = snapshot(root)
    filler = _fill(small_disk)
    done = _autofix(root, "--autofix")
    out = done.stdout + done.stderr
    assert "Traceback (most recent call last)" not in out
    assert "No space left on device" in out
    assert snapshot(root) == before
    filler.unlink()
    assert recover(root / ".pytest_cache" / "autofix", root) == []


# -- files and directories the system refuses to write --------------------------------------


@contextlib.contextmanager
def _unwritable(path: Path) -> Iterator[str]:
    """``path`` made unwritable: immutable (``chattr +i``) as root, else without write
    permission; yields the words the system gives for it."""
    if ROOT:
        if not shutil.which("chattr"):
            pytest.skip("no chattr")
        if subprocess.run(["chattr", "+i", str(path)], check=False).returncode != 0:
            pytest.skip("this file system has no immutable flag")
        try:
            yield "Operation not permitted"
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield "Permission denied"
        finally:
            path.chmod(mode)


@pytest.mark.parametrize("which", ["pkg/mod.py", "pkg"])
def test_an_unwritable_file_or_directory_is_left_as_is_with_one_line(
    tmp_path: Path, which: str
) -> None:
    if not ROOT and which == "pkg/mod.py":
        pytest.skip("a read-only file in a writable directory is replaced as any other")
    _project(tmp_path)
    before = snapshot(tmp_path)
    with _unwritable(tmp_path / which) as words:
        done = _autofix(tmp_path, "--autofix")
    out = done.stdout + done.stderr
    assert "Traceback (most recent call last)" not in out
    assert f"not written: pkg/mod.py: could not write it ({words}); left as is" in out
    assert snapshot(tmp_path) == before
    assert done.returncode != 0  # the test still fails


def test_a_write_error_is_a_write_error_and_the_file_stays(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _project(root)
    with Transaction(root, tmp_path / "state") as txn, _unwritable(root / "pkg") as words:
        txn.read("pkg/mod.py")
        with pytest.raises(WriteError, match=f"could not write it \\({words}\\)") as info:
            txn.write("pkg/mod.py", b"x = 1\n")
        assert info.value.path == root / "pkg" / "mod.py"
    assert (root / "pkg" / "mod.py").read_text() == BROKEN_MODULE
    assert not [p for p in (root / "pkg").iterdir() if p.name.startswith(".autofix-tmp-")]


@pytest.mark.parametrize("case", ["read-only rootdir", "read-only cache dir", "cache is a file"])
def test_no_state_dir_means_fixes_are_proposed_not_written(tmp_path: Path, case: str) -> None:
    """Without a journal nothing may be written: the run proposes, as --dry-run, and says why."""
    _project(tmp_path)
    cache = tmp_path / ".pytest_cache"
    if case == "cache is a file":
        cache.write_text("not a directory\n")
    elif case == "read-only cache dir":
        cache.mkdir()
    before = snapshot(tmp_path)
    target = tmp_path if case == "read-only rootdir" else cache
    guard = _unwritable(target) if case != "cache is a file" else contextlib.nullcontext("")
    with guard:
        done = _autofix(tmp_path, "--autofix")
    out = done.stdout + done.stderr
    assert "Traceback (most recent call last)" not in out
    assert f"cannot write autofix's state dir {cache / 'autofix'} (" in out
    assert "the fixes are proposed, as with --dry-run" in out
    assert "proposed    environment.removed-api" in out
    assert snapshot(tmp_path) == before


# -- signals during a rerun -------------------------------------------------------------------

HANGING_RERUN = """
import os
import time

from pkg.mod import f


def test_f():
    if "PYTEST_AUTOFIX_RERUN_OUT" in os.environ:  # the verification rerun hangs
        with open("rerun.pid", "w") as out:
            out.write(str(os.getpid()))
        time.sleep(600)
    assert f({})
"""


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat_file:  # a zombie is not alive
            return stat_file.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def _wait_for(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@contextlib.contextmanager
def _session_in_a_rerun(root: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A real ``pytest --autofix`` whose verification rerun hangs; yields it and the rerun's
    pid once the rerun runs. Whatever is left is killed at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "--autofix"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    rerun = None
    try:
        assert _wait_for(lambda: (root / "rerun.pid").is_file(), 120), "the rerun did not start"
        rerun = int((root / "rerun.pid").read_text())
        yield proc, rerun
    finally:
        for pid in (proc.pid, rerun):
            if pid is not None and _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.communicate(timeout=60)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_rerun_stops_it_restores_and_exits_interrupted(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """Ctrl-C reaches the session only (the rerun runs in a session of its own); SIGTERM the
    same: the rerun is stopped at once, every file put back, pytest's interrupted status, and
    one line instead of a traceback."""
    _project(tmp_path, HANGING_RERUN)
    before = snapshot(tmp_path)
    with _session_in_a_rerun(tmp_path) as (proc, rerun):
        assert (tmp_path / "pkg" / "mod.py").read_text() != BROKEN_MODULE  # the fix is on disk
        started = time.monotonic()
        os.kill(proc.pid, sig)
        out, _ = proc.communicate(timeout=60)
        assert time.monotonic() - started < 30
        assert not _alive(rerun)
    assert proc.returncode == pytest.ExitCode.INTERRUPTED
    assert "Traceback (most recent call last)" not in out
    assert "autofix interrupted: the rerun was stopped; every file is as it was before" in out
    assert {k: v for k, v in snapshot(tmp_path).items() if k != "rerun.pid"} == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_rerun_dies_with_a_killed_session_and_the_next_start_restores(tmp_path: Path) -> None:
    _project(tmp_path, HANGING_RERUN)
    before = snapshot(tmp_path)
    with _session_in_a_rerun(tmp_path) as (proc, rerun):
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _wait_for(lambda: not _alive(rerun), 10), "the rerun outlived its session"
    (tmp_path / "rerun.pid").unlink()
    done = _autofix(tmp_path)
    assert "was interrupted; restored 1 file(s) to their state before it: pkg/mod.py" in (
        done.stdout
    )
    assert snapshot(tmp_path) == before


def test_a_rollback_the_system_refuses_keeps_the_journal_for_the_next_start(
    tmp_path: Path,
) -> None:
    """The directory became unwritable after the fix was written: the rollback cannot put the
    original back. It says which file and where its original is, the journal stays active,
    and recovery restores the file once the directory is writable again."""
    root = tmp_path / "proj"
    _project(root)
    state = tmp_path / "state"
    # exits in reverse: the transaction rolls back (and cannot), pytest.raises sees it, and
    # only then is the directory made writable again
    with (
        contextlib.ExitStack() as later,
        pytest.raises(RestoreError) as info,
        Transaction(root, state) as txn,
    ):
        txn.read("pkg/mod.py")
        txn.write("pkg/mod.py", b"x = 1\n")
        words = later.enter_context(_unwritable(root / "pkg"))
    assert str(info.value).startswith(f"could not restore pkg/mod.py ({words}; its original is in ")
    assert unrestored(state, root) == ["pkg/mod.py"]
    assert (root / "pkg" / "mod.py").read_bytes() == b"x = 1\n"
    assert "restored 1 file(s) to their state before it: pkg/mod.py" in recover(state, root)[0]
    assert (root / "pkg" / "mod.py").read_text() == BROKEN_MODULE


HANGING_EXIT = """
import os
import threading
import time

from pkg.mod import f


def test_f():
    if "PYTEST_AUTOFIX_RERUN_OUT" in os.environ:  # the rerun never exits: a non-daemon thread
        with open("rerun.pid", "w") as out:
            out.write(str(os.getpid()))
        threading.Thread(target=time.sleep, args=(600,)).start()
    assert f({})
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_signal_while_reruns_finish_exiting_stops_them_without_a_traceback(
    tmp_path: Path,
) -> None:
    """The fix is verified (the rerun's results were in); the session waits at its end for the
    rerun's interpreter, which hangs on its way out. Ctrl-C there stops it; the verified fix
    stays, and no traceback."""
    _project(tmp_path, HANGING_EXIT)
    manifest = tmp_path / ".pytest_cache" / "autofix" / "journal" / "manifest.json"
    with _session_in_a_rerun(tmp_path) as (proc, rerun):
        assert _wait_for(lambda: '"state": "committed"' in _text(manifest), 120)
        time.sleep(1)  # past the summary: the session waits for the rerun to exit
        os.kill(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        assert _wait_for(lambda: not _alive(rerun), 10), out
    assert "Traceback (most recent call last)" not in out
    assert "autofix interrupted while verification reruns were exiting" in out
    fixed = (tmp_path / "pkg" / "mod.py").read_text()
    assert fixed.startswith("from collections.abc import Mapping")
