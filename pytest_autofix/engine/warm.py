"""Rerun interpreters started ahead of time, so the engine's own work hides their start-up.

A verification rerun is a fresh interpreter running ``sys.executable -m pytest -p no:autofix
...``. Part of its cost does not depend on the project at all: starting Python and importing
pytest (about a third of a small rerun). A :class:`Launcher` starts that part early, in a child
that runs :data:`BOOT`: it imports pytest and then waits for one line on stdin, the command line
of its rerun; only then does it run pytest's ``__main__`` with :func:`runpy.run_module`, as
``python -m pytest`` does (``sys.argv[0]`` is pytest's ``__main__.py``, ``sys.path[0]`` the
working directory). The engine prepares a child before it plans a round, so the two start-ups
overlap on two cores.

The results come back before the interpreter ends: the rerun plugin writes them, then says so
on a pipe (:data:`READY_ENV`), and the engine goes on while the child prints its summary and
exits. Its output goes to an unnamed temporary file, so it never blocks on a full pipe.
:meth:`Launcher.close` waits for the launched children to exit.

The child stays fresh: before its line arrives it has imported pytest and the standard library
only; no plugin module (pytest marks those for assertion rewriting when it loads them), no
conftest, no test module, nothing from the rootdir. Every project file is read after the
engine wrote it. A child that is not used is stopped; a child that died while waiting is
replaced by a new one.

Standard library only: the session starts a child before it imports the engine.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_autofix.worker.sourcemap import shadowed_source_roots

if TYPE_CHECKING:
    import pytest

__all__ = [
    "BOOT",
    "OUT_ENV",
    "READY_ENV",
    "Child",
    "Launcher",
    "clean_addopts",
    "for_config",
    "rerun_env",
    "result_path",
    "source_first",
]

OUT_ENV = "PYTEST_AUTOFIX_RERUN_OUT"
# The number of the pipe on which a rerun says "results written" (``rerun.py``), so that the
# engine goes on while the interpreter prints its summary and exits.
READY_ENV = "PYTEST_AUTOFIX_RERUN_READY"
_AUTOFIX_FLAGS = ("--autofix", "--dry-run")
# The session's pid, for a child to see that it was orphaned before it asked to die with it.
SESSION_ENV = "PYTEST_AUTOFIX_SESSION_PID"

BOOT = """\
import os, sys
if sys.platform == "linux":  # die with the session, even a kill -9 of it (PR_SET_PDEATHSIG)
    import ctypes
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != int(os.environ.get("PYTEST_AUTOFIX_SESSION_PID", os.getppid())):
        os._exit(1)  # the session died before the request was made
sys.path[0] = os.getcwd()
import pytest
line = sys.stdin.readline()
if not line.strip():
    raise SystemExit(0)
import json, runpy
sys.argv[1:] = json.loads(line)
runpy.run_module("pytest", run_name="__main__", alter_sys=True)
"""


def clean_addopts(env: dict[str, str]) -> None:
    """Drop the autofix options from ``PYTEST_ADDOPTS``: the rerun runs with ``-p no:autofix``."""
    raw = env.get("PYTEST_ADDOPTS")
    if raw:
        kept = [
            a for a in shlex.split(raw) if not a.startswith("--autofix") and a not in _AUTOFIX_FLAGS
        ]
        env["PYTEST_ADDOPTS"] = shlex.join(kept)


def source_first(env: dict[str, str], rootdir: Path) -> list[Path]:
    """Put the project's source roots first on the rerun's ``sys.path`` when this interpreter
    would import the project from an installed copy (tox's default non-editable install):
    ``PYTHONPATH`` entries come before site-packages (and its ``.pth`` files and editable
    finders), so the rerun imports the edited source. Nothing in the environment is touched.
    Returns the roots it added."""
    roots = shadowed_source_roots(rootdir)
    if roots:
        current = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join([*(str(r) for r in roots), *current])
    return roots


def rerun_env(rootdir: Path, out: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every rerun: this one, where results go, sources first, no autofix."""
    env = dict(os.environ if base is None else base)
    env[OUT_ENV] = str(out)
    env.pop("PYTEST_XDIST_WORKER", None)
    clean_addopts(env)
    source_first(env, rootdir)
    return env


def result_path(state_dir: Path) -> Path:
    """Where the rerun plugin writes its outcomes (``rerun.py``)."""
    return state_dir / "rerun-result.json"


def for_config(
    config: pytest.Config, state_dir: Path, *, finish_timeout: float = 600.0
) -> Launcher:
    """The launcher of a session's reruns: their environment (computed for each child: a
    round may have created a package that shadows an installed copy) and working directory.
    ``finish_timeout``: how long a rerun may take to exit once its results are in."""
    rootdir, out = config.rootpath, result_path(state_dir)
    return Launcher(
        lambda: rerun_env(rootdir, out),
        config.invocation_params.dir,
        finish_timeout=finish_timeout,
    )


class Child:
    """One rerun interpreter: its process, what it prints (kept in an unnamed temporary file,
    so it never blocks on a full pipe) and the pipe on which it says that its results are
    written (:data:`READY_ENV`)."""

    def __init__(self, env: Mapping[str, str], cwd: str) -> None:
        self.output_file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _release)
        ready, tell = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", BOOT],
                cwd=cwd,
                env={**env, READY_ENV: str(tell), SESSION_ENV: str(os.getpid())},
                stdin=subprocess.PIPE,
                stdout=self.output_file,
                stderr=subprocess.STDOUT,
                pass_fds=(tell,),
                start_new_session=True,  # a timeout kills the whole group (xdist workers too)
            )
        except BaseException:
            os.close(ready)
            self.output_file.close()
            raise
        finally:
            os.close(tell)  # the child holds the only writing end: EOF when it exits
        self.ready: int | None = ready
        self.told = False  # the rerun said its results are written
        self.stopped = False  # finish() had to kill it

    def poll(self) -> int | None:
        return self.proc.poll()

    def go(self, args: Iterable[str]) -> None:
        """Run ``python -m pytest <args>`` now (the one line it waits for)."""
        assert self.proc.stdin is not None
        line = (json.dumps(list(args)) + "\n").encode("utf-8")
        with contextlib.suppress(BrokenPipeError):  # it died: wait_results() says so
            self.proc.stdin.write(line)
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()

    def wait_results(self, timeout: float) -> bool:
        """Wait until the rerun's results are written (True) or it ended without saying so
        (False). Raises :class:`subprocess.TimeoutExpired` after ``timeout`` seconds.

        The interpreter may still be finishing (its terminal summary, its exit) when this
        returns True: :meth:`finish` waits for that."""
        deadline = time.monotonic() + timeout
        while self.ready is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise subprocess.TimeoutExpired(self.proc.args, timeout)
            readable, _, _ = select.select([self.ready], [], [], remaining)
            if readable:
                said = os.read(self.ready, 1)
                os.close(self.ready)
                self.ready = None
                self.told = bool(said)
        if not self.told:  # every writer closed: the interpreter ended (or is ending)
            self.proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        return self.told

    def output(self) -> str:
        """What it printed so far (everything, once it has exited); read it before
        :meth:`finish` or :meth:`kill`, which let go of it."""
        self.output_file.seek(0)
        return self.output_file.read().decode(errors="replace")

    def finish(self, timeout: float) -> int:
        """Wait for it to exit (its whole process group is killed after ``timeout``)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stopped = True
            self.kill()
        self._release()
        return self.proc.returncode

    def kill(self) -> None:
        """Stop it and everything it started (xdist workers)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        self.proc.wait()
        self._release()

    def _release(self) -> None:
        if self.ready is not None:
            os.close(self.ready)
            self.ready = None
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        self.output_file.close()


class Launcher:
    """Starts rerun interpreters: :meth:`prepare` one ahead, :meth:`launch` it with its args.

    At most one child waits at a time. A launched child whose results are in may still be
    finishing; :meth:`close` waits for those and stops a waiting child that was never used.
    """

    def __init__(
        self,
        env: Mapping[str, str] | Callable[[], Mapping[str, str]],
        cwd: str | os.PathLike[str],
        *,
        finish_timeout: float = 600.0,
    ) -> None:
        self.env = env  # or what gives it, asked for each child
        self.cwd = os.fspath(cwd)
        self.finish_timeout = finish_timeout
        self._waiting: Child | None = None
        self._launched: list[Child] = []
        self.started = 0  # children started, for tests and benchmarks
        self.warm = 0  # launches that found a child already waiting

    def _start(self) -> Child:
        self.started += 1
        return Child(self.env() if callable(self.env) else self.env, self.cwd)

    @property
    def waiting(self) -> Child | None:
        """The child started ahead and not launched yet, if any."""
        return self._waiting

    def prepare(self) -> None:
        """Start a child now, unless one is already waiting."""
        if self._waiting is not None and self._waiting.poll() is None:
            return
        self.stop_waiting()
        self._waiting = self._start()

    def launch(self, args: Iterable[str]) -> Child:
        """A child running ``python -m pytest <args>``: the waiting one when it is alive."""
        child = self._waiting
        self._waiting = None
        if child is not None and child.poll() is None:
            self.warm += 1
        else:
            if child is not None:
                child.kill()
            child = self._start()
        self._launched.append(child)
        child.go(args)
        return child

    def stop_waiting(self) -> None:
        """Stop the waiting child, if any (it has run nothing)."""
        if self._waiting is not None:
            self._waiting.kill()
            self._waiting = None

    def kill_all(self) -> None:
        """Stop every child now, the waiting one and the launched ones (an interrupted
        session: their results would prove nothing)."""
        self.stop_waiting()
        launched, self._launched = self._launched, []
        for child in launched:
            child.kill()

    def close(self) -> int:
        """Stop the waiting child; wait for the launched ones to exit. Returns how many of
        those did not exit within ``finish_timeout`` and were stopped."""
        self.stop_waiting()
        launched, self._launched = self._launched, []
        for child in launched:
            child.finish(self.finish_timeout)
        return sum(child.stopped for child in launched)

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
