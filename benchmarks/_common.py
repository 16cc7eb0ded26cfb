"""What the benchmarks share: the measured processes' environment, their CPU time, the machine
and the versions a report names (and the header of its JSON), the installed entry point, the
figures of a series of times.

Imported as ``_common`` (the scripts run as ``python benchmarks/bench_x.py``: ``sys.path[0]`` is
this directory).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Variables that would change what a run loads or does; the benchmark controls these itself.
_SCRUBBED_ENV = (
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX",
)


def make_env(pycache: Path | None, plugins: Path | None = None) -> dict[str, str]:
    """The environment of every measured process.

    Bytecode caching is on, as on a developer's machine, but the caches are written under the
    benchmark's temporary directory (``PYTHONPYCACHEPREFIX``), so nothing lands in the project
    or in site-packages. ``pycache=None``: caching off, every run compiles every module.
    ``plugins``: a directory put first on ``PYTHONPATH`` (for plugins loaded with ``-p``).
    """
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env["PYTHONHASHSEED"] = "0"
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if plugins is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(plugins), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
        )
    return env


def children_cpu() -> float:
    """CPU time (user + system) of the waited-for child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def cpus() -> int | None:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def header(
    benchmark: str, load_before: float | None, versions: dict[str, Any], *, bytecode_cache: bool
) -> dict[str, Any]:
    """The keys every benchmark's JSON starts with: what ran, when, where, with what."""
    return {
        "benchmark": benchmark,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "versions": versions,
        "bytecode_cache": bytecode_cache,
    }


def machine(load_before: float | None) -> dict[str, Any]:
    return {
        "system": f"{platform.system()} {platform.machine()}",
        "cpus": cpus(),
        "load_before": load_before,
        "load_after": load(),
    }


def entry_point(python: str) -> str | None:
    probe = (
        "from importlib.metadata import entry_points\n"
        "print(next((e.value for e in entry_points(group='pytest11') if e.name == 'autofix'), ''))"
    )
    proc = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    return proc.stdout.strip() or None


def ensure_installed(python: str) -> None:
    ep = entry_point(python)
    if ep != "pytest_autofix.plugin":
        raise SystemExit(
            f"the pytest11 entry point 'autofix' is not installed for {python} "
            f"(found {ep!r}); install pytest-autofix first (pip install -e .)"
        )


def versions(
    python: str,
    packages: Sequence[str] = ("pytest-autofix", "pytest-xdist", "libcst"),
    with_revision: bool = True,
) -> dict[str, Any]:
    """Python's and pytest's versions in ``python``, each of ``packages``' (None: not
    installed) and, ``with_revision``, the checkout's commit."""
    probe = (
        "import json, platform, pytest\n"
        "from importlib.metadata import version, PackageNotFoundError\n"
        "def v(n):\n"
        "    try:\n"
        "        return version(n)\n"
        "    except PackageNotFoundError:\n"
        "        return None\n"
        "print(json.dumps({'python': platform.python_version(), 'pytest': pytest.__version__,"
        f" **{{n: v(n) for n in {list(packages)!r}}}}}))"
    )
    proc = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    found: dict[str, Any] = json.loads(proc.stdout)
    return {**found, "revision": revision()} if with_revision else found


def revision() -> str | None:
    """The checkout's commit, ``+dirty`` with uncommitted changes (read-only git commands)."""
    repo = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        cmd = ["git", "-C", str(repo), *args]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def stats(values: list[float]) -> dict[str, Any]:
    return {
        "times": [round(v, 4) for v in values],
        "median": statistics.median(values),
        "min": min(values),
    }
