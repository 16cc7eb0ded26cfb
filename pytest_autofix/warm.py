"""Rerun interpreters started ahead of time, so the engine's own work hides their start-up.

A verification rerun is a fresh interpreter running ``sys.executable -m pytest -p no:autofix
...``. Part of its cost does not depend on the project at all: starting Python and importing
pytest (about a third of a small rerun). A :class:`Launcher` starts that part early, in a child
that runs :data:`BOOT`: it imports pytest and then waits for one line on stdin, the command line
of its rerun; only then does it run ``pytest.console_main()``, exactly as ``python -m pytest``
does (``sys.argv[0]`` is pytest's ``__main__.py``, ``sys.path[0]`` the working directory). The
engine prepares a child before it plans a round, so the two start-ups overlap on two cores.

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
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_autofix.sourcemap import shadowed_source_roots

if TYPE_CHECKING:
    import pytest

__all__ = [
    "BOOT",
    "OUT_ENV",
    "Launcher",
    "clean_addopts",
    "for_config",
    "rerun_env",
    "result_path",
    "source_first",
]

OUT_ENV = "PYTEST_AUTOFIX_RERUN_OUT"
_AUTOFIX_FLAGS = ("--autofix", "--dry-run")

BOOT = """\
import os, sys
sys.path[0] = os.getcwd()
import pytest, pytest.__main__
line = sys.stdin.readline()
if not line.strip():
    raise SystemExit(0)
import json
sys.argv = [pytest.__main__.__file__, *json.loads(line)]
raise SystemExit(pytest.console_main())
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


def for_config(config: pytest.Config, state_dir: Path) -> Launcher:
    """The launcher of a session's reruns: their environment (computed for each child: a
    round may have created a package that shadows an installed copy) and working directory."""
    rootdir, out = config.rootpath, result_path(state_dir)
    return Launcher(lambda: rerun_env(rootdir, out), config.invocation_params.dir)


class Launcher:
    """Starts rerun interpreters: :meth:`prepare` one ahead, :meth:`launch` it with its args.

    At most one child waits at a time. :meth:`close` stops a child that was never used.
    """

    def __init__(
        self,
        env: Mapping[str, str] | Callable[[], Mapping[str, str]],
        cwd: str | os.PathLike[str],
    ) -> None:
        self.env = env  # or what gives it, asked for each child
        self.cwd = os.fspath(cwd)
        self._waiting: subprocess.Popen[bytes] | None = None
        self.started = 0  # children started, for tests and benchmarks
        self.warm = 0  # launches that found a child already waiting

    def _start(self) -> subprocess.Popen[bytes]:
        self.started += 1
        return subprocess.Popen(
            [sys.executable, "-c", BOOT],
            cwd=self.cwd,
            env=dict(self.env() if callable(self.env) else self.env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a timeout kills the whole group (xdist workers too)
        )

    @property
    def waiting(self) -> subprocess.Popen[bytes] | None:
        """The child started ahead and not launched yet, if any."""
        return self._waiting

    def prepare(self) -> None:
        """Start a child now, unless one is already waiting."""
        if self._waiting is not None and self._waiting.poll() is None:
            return
        self._discard()
        self._waiting = self._start()

    def launch(self, args: Iterable[str]) -> tuple[subprocess.Popen[bytes], bytes]:
        """A child for ``python -m pytest <args>`` and the line that starts it: pass it as
        ``communicate(input=...)``. A waiting child is used when it is still alive."""
        proc = self._waiting
        self._waiting = None
        if proc is not None and proc.poll() is None:
            self.warm += 1
        else:
            if proc is not None:
                _stop(proc)
            proc = self._start()
        return proc, (json.dumps(list(args)) + "\n").encode("utf-8")

    def _discard(self) -> None:
        if self._waiting is not None:
            _stop(self._waiting)
            self._waiting = None

    def close(self) -> None:
        """Stop the waiting child, if any (it has run nothing)."""
        self._discard()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
