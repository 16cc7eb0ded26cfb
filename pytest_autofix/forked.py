"""Independent work spread over the machine's cores with ``fork``, only where that is safe.

Planning runs every fix's libcst transforms on every file it edits; for long files that is
most of the engine's own time, and every (fix, file) result is independent of the others. While
the engine plans, the rerun interpreter it prepared is waiting, so the other cores are idle.
:func:`spread` forks workers that compute part of the items and send their results back
through a pipe, while this process computes its own part. Small work stays here: the caller
says from what total weight forking pays.

Forking is safe only in a process with a single thread: another thread might hold a lock that
the child would then never see released. So :func:`spread` forks only on Linux, only when this
process has exactly one thread (Python's and the operating system's count: an xdist controller
has execnet's threads, a progress spinner its own), not under a tracer or profiler (a debugger,
coverage: they would not see the work), and not when :data:`SERIAL_ENV` is set. Otherwise,
and for any worker that fails, the items are computed here, in order, as if there were no
workers: a result never depends on where it was computed.

A worker writes nothing but its results: its ``sys.stdout`` and ``sys.stderr`` go to
``os.devnull`` (the parent's buffers, which it inherited, are never flushed twice), and it ends
with :func:`os._exit`, running no exit handler of the parent's.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

__all__ = ["SERIAL_ENV", "spread", "usable"]

SERIAL_ENV = "PYTEST_AUTOFIX_SERIAL"
_MAX_WORKERS = 8
_KEPT: list[object] = []  # in a worker: the streams it inherited, never finalised there

T = TypeVar("T")
R = TypeVar("R")


def usable() -> bool:
    """Whether :func:`spread` may fork here (see the module's docstring)."""
    if sys.platform != "linux" or not hasattr(os, "fork") or os.environ.get(SERIAL_ENV):
        return False
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return False
    if threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def spread(
    items: Sequence[T], compute: Callable[[T], R], weight: Callable[[T], int], *, least: int
) -> list[R]:
    """``[compute(item) for item in items]``, computed on up to one process per core.

    ``compute`` must be a pure function of its item whose result pickles; ``weight`` estimates
    an item's cost (it balances the parts), and the items are spread only when their weights
    add up to ``least`` at least: below that, forking costs more than it saves (the two
    processes copy the memory pages either writes, while the other also runs). An exception
    from ``compute`` in this process propagates as in the plain loop; an item whose worker
    failed is computed here afterwards.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    count = min(len(items), cores, _MAX_WORKERS)
    weights = [weight(item) for item in items] if count >= 2 else []
    if count < 2 or sum(weights) < least or not usable():
        return [compute(item) for item in items]
    parts = _balanced(weights, count)
    results: dict[int, R] = {}
    pending: list[tuple[int, int, list[int]]] = []  # forked: pid, read end, item indexes
    try:
        for part in parts[1:]:
            child = _fork(items, part, compute)
            if child is not None:  # else (fork refused) the part is computed here, below
                pending.append(child)
        for i in parts[0]:
            results[i] = compute(items[i])
        while pending:
            pid, read, part = pending[0]
            values = _collect(pid, read)
            pending.pop(0)
            if values is not None and len(values) == len(part):
                results.update(zip(part, cast("list[R]", values), strict=True))
    finally:
        for pid, read, _ in pending:  # interrupted: stop the workers still running
            _stop(pid, read)
    return [results[i] if i in results else compute(item) for i, item in enumerate(items)]


def _balanced(weights: list[int], count: int) -> list[list[int]]:
    """Item indexes in ``count`` parts of about equal weight (heaviest first to the lightest
    part); each part in item order. Part 0, computed here, is one of the lightest."""
    parts: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for i in sorted(range(len(weights)), key=lambda i: -weights[i]):
        lightest = min(range(count), key=lambda k: (loads[k], -k))
        parts[lightest].append(i)
        loads[lightest] += max(weights[i], 1)
    return [sorted(part) for part in parts]


def _fork(
    items: Sequence[T], part: list[int], compute: Callable[[T], R]
) -> tuple[int, int, list[int]] | None:
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory: no worker
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the worker: never returns
        code = 1
        try:
            os.close(read)
            _KEPT.extend((sys.stdout, sys.stderr))  # kept alive, so never flushed here
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (ended by _exit)
            data = pickle.dumps([compute(items[i]) for i in part], pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read, part


def _collect(pid: int, read: int) -> list[object] | None:
    """A worker's results, or None when it failed (its items are then computed here). Reads
    to the end before reaping, so a worker never blocks on a full pipe."""
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    try:
        values = pickle.loads(data)
    except Exception:
        return None
    return values if isinstance(values, list) else None


def _stop(pid: int, read: int) -> None:
    """Kill and reap a worker that was not collected (this process is single-threaded, so its
    read end cannot have been reused since)."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        os.close(read)
