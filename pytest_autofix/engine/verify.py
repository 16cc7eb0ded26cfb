"""Verification: which tests a batch of edits affects, and one fresh-interpreter rerun of them."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import subprocess
import time
import types
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

import pytest

from pytest_autofix import dynamic_imports
from pytest_autofix.engine import warm
from pytest_autofix.engine.warm import Launcher
from pytest_autofix.model import Failure, FileEdit
from pytest_autofix.project import Project
from pytest_autofix.worker import sourcemap
from pytest_autofix.worker.capture import to_failure

__all__ = [
    "Part",
    "RerunResult",
    "affected",
    "arguments",
    "parts",
    "plugin_files",
    "rerun",
    "under",
    "unreached",
]


@dataclasses.dataclass
class RerunResult:
    tests: list[str]
    outcomes: dict[str, str]  # nodeid -> passed | failed | skipped | collected (a module)
    failures: list[Failure]
    seconds: float  # from the launch until its results were written
    returncode: int  # pytest's exit status in the rerun (-9: killed at the timeout)
    error: str | None = None  # the rerun itself did not work (timeout, crash): trust nothing

    def failed(self, nodeid: str) -> bool:
        """A node (or any test :func:`under` it) failed in this rerun."""
        if self.error is not None:
            return True
        base = _unparametrized(nodeid)
        return nodeid in self._failed_nodes or (
            base is not None
            and (
                self.outcomes.get(base) == "failed"
                or any(o == "failed" for o in self._widened(nodeid, base))
            )
        )

    def ran(self, nodeid: str) -> bool:
        """The node ran, or tests :func:`under` it did: a module's or a directory's tests, a
        test's parametrized instances, the test itself when it is no longer parametrized, or
        the instances it became when another parametrization joined it."""
        base = _unparametrized(nodeid)
        return nodeid in self._ran_nodes or (
            base is not None and (base in self.outcomes or any(self._widened(nodeid, base)))
        )

    def _widened(self, nodeid: str, base: str) -> Iterator[str]:
        """The outcomes of the instances ``nodeid`` became with more parameters (see
        :func:`under`)."""
        for other, outcome in self._instances.get(base, ()):
            if _widens(other, nodeid):
                yield outcome

    @functools.cached_property
    def _instances(self) -> dict[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        for nodeid, outcome in self.outcomes.items():
            base = _unparametrized(nodeid)
            if base is not None:
                found.setdefault(base, []).append((nodeid, outcome))
        return found

    @functools.cached_property
    def _ran_nodes(self) -> frozenset[str]:
        return frozenset(a for n in self.outcomes for a in _ancestors(n))

    @functools.cached_property
    def _failed_nodes(self) -> frozenset[str]:
        failed = (n for n, o in self.outcomes.items() if o == "failed")
        return frozenset(a for n in failed for a in _ancestors(n))


_ROOTDIR = "."  # the node id of the rootdir's own collector (a conftest.py there fails on it)


def _ancestors(nodeid: str) -> Iterator[str]:
    """``nodeid`` and every node id that contains it: its directories (the rootdir's is
    ``.``), module and class, and the test whose parametrized instance it is
    (``t.py::test_x`` for ``t.py::test_x[1]``)."""
    yield nodeid
    for i, char in enumerate(nodeid):
        if char in "/[" or nodeid.startswith("::", i):
            yield nodeid[:i]
    if nodeid:
        yield _ROOTDIR


def _unparametrized(nodeid: str) -> str | None:
    """``t.py::test_x`` for ``t.py::test_x[1]``; None for a node id that names no instance."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return None
    return nodeid[: nodeid.index("[")]


def under(nodeid: str, parent: str) -> bool:
    """``nodeid`` is ``parent`` or belongs to it: a test of a module, class or directory, an
    instance of a parametrized test, a test that is no longer parametrized standing for the
    instance ``parent`` names (a target ``test_x[1]`` is run by ``test_x``), or an instance
    with more parameters than ``parent`` (``test_x[sqlite-1]`` for ``test_x[1]``, once the
    test requests a parametrized fixture it misspelled before)."""
    return (
        nodeid == parent
        or (parent == _ROOTDIR and bool(nodeid))
        or nodeid.startswith((parent + "::", parent + "/", parent + "["))
        or nodeid == _unparametrized(parent)
        or _widens(nodeid, parent)
    )


def _widens(nodeid: str, parent: str) -> bool:
    """``nodeid`` is an instance of the same test as the instance ``parent``, whose ids it
    holds in order among more (pytest joins an instance's ids with ``-``)."""
    base = _unparametrized(parent)
    if base is None or _unparametrized(nodeid) != base:
        return False
    wanted = parent[len(base) + 1 : -1].split("-")
    ids = nodeid[len(base) + 1 : -1].split("-")  # more ids than ``parent``: not ``parent``
    have = iter(ids)
    return len(wanted) < len(ids) and all(part in have for part in wanted)


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def affected(
    project: Project,
    targets: Iterable[str],
    edited: Iterable[str],
    test_files: Iterable[str],
    *,
    everywhere: Collection[str] = (),
) -> list[str]:
    """The failing tests the fixes target, plus the test files whose run can load an edited
    module, whole:

    - its import closure includes the module (a ``conftest.py`` counts for every test below
      it, and so does an ``__init__.py``: it decides the name the test modules below it import
      as); imports by a name the code spells (``importlib.import_module("a.b")``,
      ``pytest_plugins``, ``f"a.{x}"``: :mod:`pytest_autofix.dynamic_imports`) count as imports;
    - its import closure includes a module that loads what no name in it spells (a path, a
      name from elsewhere, an entry point): that may be any module, so any edit selects it;
    - ``everywhere`` (modules every test's session loads: plugins given with ``-p`` or by an
      entry point) is or imports an edited module: then every test file.

    ``edited``, ``test_files`` and ``everywhere`` are rootdir-relative POSIX paths; node ids
    come back sorted, a whole test file standing for all of its tests.
    """
    edited = set(edited)
    reached = project.dependents_of_files(edited) | edited
    if edited:
        loose = {m.rel for m in project.all_modules() if dynamic_imports.ANY in m.dynamic}
        reached |= project.dependents_of_files(loose) | loose
    scopes = [folder for rel in edited if (folder := _scope(rel)) is not None]
    if reached & set(everywhere):
        scopes.append(".")
    selected: set[str] = set(targets)
    for rel in test_files:
        if rel in reached or any(_below(rel, folder) for folder in scopes):
            selected.add(rel)
    files = {n for n in selected if "::" not in n}
    return sorted(n for n in selected if "::" not in n or _file_of(n) not in files)


def plugin_files(config: pytest.Config) -> frozenset[str]:
    """The project's files loaded as pytest plugins (``-p``, ``PYTEST_PLUGINS``, entry points;
    not the ``conftest.py`` files, which reach only the tests below them), rootdir-relative:
    every test's session runs them. An installed copy counts as its source file."""
    found = set()
    for plugin in config.pluginmanager.get_plugins():
        file = getattr(plugin, "__file__", None) if isinstance(plugin, types.ModuleType) else None
        if not file or os.path.basename(file) == "conftest.py":
            continue
        path = Path(os.path.abspath(file))
        if path.is_relative_to(config.rootpath):
            found.add(path.relative_to(config.rootpath).as_posix())
        elif (source := sourcemap.source_of(path, config.rootpath)) is not None:
            found.add(source)
    return frozenset(found)


def unreached(
    project: Project,
    edited: Iterable[str],
    tests: Iterable[str],
    *,
    everywhere: Collection[str] = (),
) -> list[str]:
    """The ``edited`` files that a rerun of ``tests`` (as :func:`affected` selects them) does
    not reach: not one of their files, not a ``conftest.py`` or ``__init__.py`` above one, not
    in the import closure of one of them or of a ``conftest.py`` above one (imports by a name
    the code spells count, not a module that may load anything), not ``everywhere`` (loaded
    by every session, see :func:`affected`) nor in its import closure."""
    files = {_file_of(t) for t in tests}
    everywhere = set(everywhere)

    def covers(rel: str, names: tuple[str, ...]) -> bool:
        folder = _scope(rel, names)
        return folder is not None and any(f in ("", ".") or _below(f, folder) for f in files)

    left = []
    for rel in edited:
        if rel in files or covers(rel, _SCOPING) or (files and rel in everywhere):
            continue
        dependents = project.dependents_of_files([rel])
        if dependents & files or any(covers(d, ("conftest.py",)) for d in dependents):
            continue
        if files and dependents & everywhere:
            continue
        left.append(rel)
    return left


@dataclasses.dataclass(frozen=True)
class Part:
    """The edits of a fix that stand or fall together, and the targets they serve."""

    label: str  # the scope, or the file
    rel: str
    scope: str | None
    edits: tuple[FileEdit, ...]
    serves: frozenset[str]  # the fix's targets this part's edits reach
    everywhere: frozenset[str] = frozenset()  # see affected()

    def touches(self, project: Project, tests: Iterable[str]) -> bool:
        """A rerun of one of ``tests`` reaches this part's edits."""
        if self.scope is not None:
            return any(under(t, self.scope) or under(self.scope, t) for t in tests)
        return bool(_reaching(project, self.rel, tests, self.everywhere))


def parts(
    project: Project,
    rootdir: Path,
    edits: Iterable[FileEdit],
    targets: Iterable[str],
    *,
    everywhere: Collection[str] = (),
) -> list[Part]:
    """A fix's edits grouped by file and scope (:class:`FileEdit`), each with the ``targets``
    it serves: the tests under its scope, or those whose rerun reaches its file (the file
    itself, a ``conftest.py`` or ``__init__.py`` above, the import closure)."""
    targets = list(targets)
    groups: dict[tuple[str, str | None], list[FileEdit]] = {}
    for edit in edits:
        path = Path(edit.path)
        rel = (path if path.is_absolute() else rootdir / path).relative_to(rootdir).as_posix()
        groups.setdefault((rel, edit.scope), []).append(edit)
    out = []
    for (rel, scope), group in groups.items():
        if scope is not None:
            serves = {t for t in targets if under(t, scope) or under(scope, t)}
        else:
            serves = set(_reaching(project, rel, targets, everywhere))
        out.append(
            Part(scope or rel, rel, scope, tuple(group), frozenset(serves), frozenset(everywhere))
        )
    return out


def _reaching(
    project: Project, rel: str, tests: Iterable[str], everywhere: Collection[str] = ()
) -> list[str]:
    """The ``tests`` whose rerun reaches the file ``rel`` (see :func:`unreached`)."""
    tests = list(tests)
    files = {_file_of(t) for t in tests}
    hit = {f for f in files if not unreached(project, [rel], [f], everywhere=everywhere)}
    return [t for t in tests if _file_of(t) in hit]


# The files whose effect reaches every test module below their folder.
_SCOPING = ("conftest.py", "__init__.py")


def _scope(rel: str, names: tuple[str, ...] = _SCOPING) -> str | None:
    """The folder a ``conftest.py`` or ``__init__.py`` governs ("." at the rootdir); None for
    another file."""
    folder, _, name = rel.rpartition("/")
    return (folder or ".") if name in names else None


def _below(rel: str, folder: str) -> bool:
    """``rel`` (a file or a directory node) is ``folder`` or inside it; "." is the rootdir."""
    return folder == "." or rel == folder or rel.startswith(folder + "/")


def arguments(
    config: pytest.Config, state_dir: Path, nodeids: list[str], *, xdist: bool = True
) -> list[str]:
    """The rerun's arguments after ``python -m pytest``: ``-p no:autofix`` with the session's
    rootdir, ini and relevant options; node ids go to an ``@file``."""
    args_file = state_dir / "rerun-args.txt"
    # node ids are rootdir-relative; the rerun runs from the user's working directory
    absolute = [
        str(config.rootpath / n.split("::", 1)[0]) + n[len(n.split("::", 1)[0]) :] for n in nodeids
    ]
    args_file.write_text("\n".join(absolute) + "\n", encoding="utf-8")
    args = [
        "-p",
        "no:autofix",
        "-p",
        "pytest_autofix.worker.recorder",
        "--rootdir",
        str(config.rootpath),
    ]
    if config.inipath is not None:
        args += ["-c", str(config.inipath)]
    args += ["-p", "no:cacheprovider", "-q", "-o", "console_output_style=classic"]
    # Evidence per test: a collection error (a fix may reveal the next one) or the user's -x
    # must not stop the rerun before the other fixes' targets have run.
    args += ["--continue-on-collection-errors", "--maxfail=0"]
    args += _passthrough(config.invocation_params.args)
    numprocesses = config.getoption("numprocesses", None) if xdist and _has_xdist(config) else None
    if numprocesses:
        args += ["-n", str(numprocesses)]
    args.append(f"@{args_file}")
    return args


def _has_xdist(config: pytest.Config) -> bool:
    return config.pluginmanager.has_plugin("xdist") or config.pluginmanager.has_plugin(
        "xdist.plugin"
    )


# The user's options the rerun keeps: how the session is set up, and which tests it leaves out
# (a test deselected or ignored in the user's run is not run, nor judged, by the rerun either,
# although the rerun names whole test files).
_PASSED_ON = (
    "-p",
    "-o",
    "-W",
    "--import-mode",
    "--confcutdir",
    "--override-ini",
    "--deselect",
    "--ignore",
    "--ignore-glob",
    "-k",
    "-m",
)


def _passthrough(args: Iterable[str]) -> list[str]:
    """The user's options of :data:`_PASSED_ON` (``-p`` naming autofix left out)."""
    out: list[str] = []
    it = iter(args)
    for arg in it:
        for flag in _PASSED_ON:
            if arg == flag:
                value = next(it, None)
                if value is not None and not (flag == "-p" and "autofix" in value):
                    out += [flag, value]
                break
            if arg.startswith(flag + "=") or (
                len(flag) == 2 and arg.startswith(flag) and arg != flag
            ):
                if not (flag == "-p" and "autofix" in arg):
                    out.append(arg)
                break
    return out


def rerun(
    config: pytest.Config,
    state_dir: Path,
    nodeids: list[str],
    timeout: float,
    *,
    xdist: bool = True,
    launcher: Launcher | None = None,
    then_prepare: bool = False,
    meanwhile: Callable[[], object] | None = None,
) -> RerunResult:
    """Run ``nodeids`` in ONE fresh interpreter; every outcome and failure comes back.

    The interpreter comes from ``launcher`` (one prepared ahead when there is one); with
    ``then_prepare`` the next one starts while this rerun runs (bisection probes come in pairs).
    ``meanwhile`` is work for this process while the rerun runs. The result is back as soon as
    the rerun has written it: the interpreter may still be printing its summary and exiting,
    and ``launcher.close()`` waits for that (a launcher made here is closed before returning).
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    out = warm.result_path(state_dir)
    out.unlink(missing_ok=True)
    try:
        args = arguments(config, state_dir, nodeids, xdist=xdist)
    except OSError as err:  # a full disk: no rerun, no evidence
        return RerunResult(nodeids, {}, [], 0.0, -1, error=f"the rerun could not start: {err}")
    with contextlib.ExitStack() as stack:
        if launcher is None:
            launcher = stack.enter_context(
                warm.for_config(config, state_dir, finish_timeout=timeout)
            )
        start = time.perf_counter()

        def left(at_least: float) -> float:  # of the timeout, counted from the launch
            return max(timeout - (time.perf_counter() - start), at_least)

        child = launcher.launch(args)
        if then_prepare:
            launcher.prepare()
        if meanwhile is not None:
            meanwhile()
        try:
            said = child.wait_results(left(0.0))
        except subprocess.TimeoutExpired:
            child.kill()
            error = f"the rerun timed out after {timeout:g}s (--autofix-rerun-timeout)"
            return RerunResult(nodeids, {}, [], time.perf_counter() - start, -9, error=error)
        seconds = time.perf_counter() - start

        def broken(what: str) -> RerunResult:
            """A rerun that did not run: it proves nothing; its last output lines say why
            (printed as it exits, after its results: it is given the rest of the timeout)."""
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.proc.wait(timeout=left(0.1))
            tail = " | ".join(child.output().strip().splitlines()[-5:])
            code = child.poll()
            return RerunResult(
                nodeids, {}, [], seconds, -1 if code is None else code, error=f"{what}: {tail}"
            )

        if not out.exists():
            how = "no results" if said else f"status {child.poll()} and no results"
            return broken(f"the rerun ended with {how}")
        data = json.loads(out.read_text(encoding="utf-8"))
        status = int(data.get("exitstatus", 0))
        if status in (2, 3, 4):  # interrupted, internal error, usage error
            return broken(f"the rerun failed to run (pytest exit status {status})")
    failures = [
        to_failure(f["nodeid"], f["when"], f["facts"], f["longrepr"]) for f in data["failures"]
    ]
    return RerunResult(nodeids, dict(data["outcomes"]), failures, seconds, status)
