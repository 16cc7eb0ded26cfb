"""Before/after tests of fixers: for the built-in ones and for third parties'.

:func:`assert_fix` is libcst's ``assertCodemod`` for a fixer. It writes a small project, asks
the fixer for its fixes, plans the best one the way the engine plans a round (the same
:func:`pytest_autofix.engine.plan.build`, with the transaction's path rules) and compares the
files it would write with the ones expected; a mismatch fails with a unified diff::

    from pytest_autofix.testing import assert_fix, issue_from_run

    def test_renames_the_helper(tmp_path):
        before = {"helpers.py": "def build_user(): ...\\n", "test_a.py": "..."}
        issue = issue_from_run(before, tmp_path)  # a real pytest run, classified
        assert_fix(HelperRenames(), issue, before, {"test_a.py": "..."}, confidence=0.95)

:func:`issues_from_run` and :func:`issue_from_run` make the issues from a real failure: they run
pytest on the files in a fresh interpreter, capture every failure as the plugin does and
classify and group them as the engine does. Hand-made :class:`~pytest_autofix.Issue` objects
work too.

Importing this module loads nothing beyond the standard library: the engine, libcst and pytest
load when a helper is first called.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeAlias

from pytest_autofix.model import Example

if TYPE_CHECKING:
    from pytest_autofix.model import Failure, Fix, Fixer, Issue

__all__ = [
    "SNIPPET",
    "Example",
    "Files",
    "FixResult",
    "assert_fix",
    "check_example",
    "issue_from_run",
    "issues_from_run",
    "project_files",
]

#: The name of the one file when a project is given as a single text (and the issue names no
#: path of its own).
SNIPPET = "test_snippet.py"

#: A project as files: rootdir-relative POSIX path -> text (dedented, written as UTF-8) or bytes
#: (written as they are: a BOM, CRLF line endings, another encoding).
Files: TypeAlias = Mapping[str, "str | bytes"]

# What must not reach a run of issues_from_run from the session that calls it (or the shell).
_ISOLATE_ENV = (
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_XDIST_TESTRUNUID",
    "PYTEST_CURRENT_TEST",
)
# Configuration files pytest finds in a rootdir, as ``pytest`` looks for them.
_INI_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
_TAIL = 15  # lines of a run's output quoted when it did not run


@dataclasses.dataclass(frozen=True)
class FixResult:
    """What :func:`assert_fix` checked.

    ``fix`` is the fix it planned (with ``after=None``: the best suggestion, or None when the
    fixer proposed nothing); ``fixes`` every fix proposed, best confidence first (in the
    fixer's order among equals, as the engine sorts them); ``files`` the bytes the engine would
    write, by rootdir-relative path (changed and created files only); ``diff`` the fix's unified
    diff as the report shows it.
    """

    fix: Fix | None
    fixes: tuple[Fix, ...]
    files: Mapping[str, bytes]
    diff: str


def assert_fix(
    fixer: Fixer,
    issue: Issue,
    before: Files | str | bytes,
    after: Files | str | bytes | None,
    *,
    pick: int | str | None = None,
    count: int | None = None,
    confidence: float | None = None,
    safe: bool | None = None,
    description: str | None = None,
    rootdir: str | os.PathLike[str] | None = None,
    dedent: bool = True,
) -> FixResult:
    """Assert that ``fixer`` fixes ``issue`` in the project ``before`` so that it becomes ``after``.

    ``before`` is the whole project (:data:`Files`; a single text or bytes is one file, named
    ``issue.path`` when the issue has one, else :data:`SNIPPET`). It is written to a fresh
    temporary rootdir (removed afterwards), or into ``rootdir`` when given: give the directory
    the issue was made in when its details name absolute paths.

    The issue must be routed to the fixer (its kind among ``fixer.kinds``), ``propose`` must not
    write to the project, and it must return :class:`~pytest_autofix.Fix` objects. The fix
    checked is the best one with edits (highest confidence), or the one ``pick`` names: an index
    into the fixes ordered best first, or a text its description contains. It is planned as the
    engine plans it: every transform run on the file's parse, the result compiled, paths outside
    the rootdir, in a virtual environment or VCS data refused; a fix the engine would drop fails
    with the engine's reason. (Whether the confidence reaches ``--autofix-min-confidence`` is
    policy, not planning: check ``confidence``.)

    ``after`` lists, by path, the expected content of every file the fix changes or creates
    (a single text: the one file named as for ``before``). A file listed that the fix does not
    touch must stay as ``before`` has it, so a file that must stay unchanged can be asserted
    too. ``after=None`` asserts that no fix has edits: the fixer proposes nothing, or only
    suggestions.

    Also checked when given: ``count``, the number of fixes proposed; ``confidence`` (to 1e-9),
    ``safe`` and ``description`` (a text the description contains) of the fix checked.

    Texts (of ``before`` and ``after``) are dedented unless ``dedent=False`` and compared as
    UTF-8; give bytes to compare other encodings, a BOM or CRLF line endings byte for byte.
    On a mismatch it raises :class:`AssertionError` naming each problem, with a unified diff
    (``expected/<path>`` against ``actual/<path>``) for each file that differs. It returns
    what it checked (:class:`FixResult`) for further assertions.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, then this message
    from pytest_autofix.engine.route import fixers_for

    name = getattr(fixer, "name", type(fixer).__name__)
    header = f"assert_fix({name}, {issue.id})"
    if not fixers_for(issue, [fixer]):
        kinds = ", ".join(sorted(str(k) for k in getattr(fixer, "kinds", ())))
        codes = getattr(fixer, "codes", None)
        why = (
            f"its kind {issue.kind.value!r} is not among the fixer's kinds ({kinds or 'none'})"
            if issue.kind not in getattr(fixer, "kinds", ())
            else f"its code {issue.code!r} is not among the fixer's codes "
            f"({', '.join(sorted(codes or ()))})"
        )
        raise AssertionError(f"{header}: the engine never routes this issue to the fixer: {why}")
    default = issue.path or SNIPPET
    files = project_files(before, default, dedent=dedent)
    expected = None if after is None else project_files(after, default, dedent=dedent)
    with _project_dir(rootdir) as root:
        _write(root, files)
        fixes = _propose(fixer, issue, root, header)
        problems: list[str] = []
        if count is not None and len(fixes) != count:
            problems.append(f"expected {count} fix(es), got {len(fixes)}")
        chosen = _choose(fixes, pick, after is None, header)
        if chosen is not None:
            problems += _check_fix(chosen, confidence, safe, description)
        elif (confidence, safe, description) != (None, None, None):
            problems.append("expected a fix to check, got none")
        if expected is None:
            with_edits = [fix for fix in fixes if fix.edits]
            if with_edits:
                problems.append(
                    "expected no fix with edits (after=None), got "
                    + "; ".join(_line(fix) for fix in with_edits)
                )
            result = FixResult(chosen, tuple(fixes), {}, "")
        elif chosen is None:  # _choose raised already: there is a fix with edits
            raise AssertionError(f"{header}: no fix to plan")
        else:
            written, diff = _plan(name, issue, chosen, root, header)
            result = FixResult(chosen, tuple(fixes), written, diff)
            problems += _compare(expected, written, files)
    if problems:
        raise AssertionError(_message(header, chosen, fixes, problems))
    return result


def check_example(
    fixer: Fixer, example: Example, rootdir: str | os.PathLike[str] | None = None
) -> FixResult:
    """Run ``example``: pytest on its ``before`` for real (:func:`issue_from_run`, in
    ``rootdir`` or a fresh temporary directory), then :func:`assert_fix` of ``fixer`` on the
    issue that run gives. Raises :class:`AssertionError` as they do."""
    __tracebackhide__ = True
    with _project_dir(rootdir) as root:
        issue = issue_from_run(example.before, root, *example.args, code=example.code)
        return assert_fix(
            fixer,
            issue,
            example.before,
            example.after,
            confidence=example.confidence,
            safe=example.safe,
            description=example.description,
            rootdir=root,
        )


def issues_from_run(
    files: Files | str | bytes,
    rootdir: str | os.PathLike[str],
    *args: str,
    timeout: float = 120.0,
    dedent: bool = True,
) -> list[Issue]:
    """The issues a real pytest run of ``files`` gives, as the engine makes them.

    ``files`` (:data:`Files`; a single text is the test module :data:`SNIPPET`) are written
    into ``rootdir``, which may hold more of the project. pytest then runs there in a fresh
    interpreter, ``python -m pytest -p no:autofix`` with the capture plugin the engine's
    verification reruns load (``pytest_autofix.worker.recorder``), with ``rootdir`` as its
    rootdir and working directory, ``--continue-on-collection-errors`` (as ``--autofix``
    does), no cache and no random order; ``args`` are added to its command line (node ids, ``-k``,
    ``-p``). Its failures are classified and grouped as the engine does (with the built-in
    migration catalogue) into issues, in the order of their first failure.

    A fresh interpreter, not ``pytest.main`` in this one: capture reads facts from the live
    exception and from ``sys.modules`` (where a module comes from), and the modules, ``sys.path``
    entries and plugins of the calling session would change them; the test modules of the run
    stay out of the caller's ``sys.modules``; and it works the same under pytest-xdist. It
    costs a Python start-up (about 0.3 s). Nothing is written to ``rootdir`` but ``files``
    (no bytecode, no cache). A run that cannot run (a usage error, an internal error, a
    timeout) raises :class:`RuntimeError` with the end of its output.
    """
    __tracebackhide__ = True
    from pytest_autofix.catalogue import builtin
    from pytest_autofix.engine.classify import Context, group
    from pytest_autofix.engine.rounds import project_modules
    from pytest_autofix.project import Project

    root = Path(os.path.abspath(rootdir))
    _write(root, project_files(files, dedent=dedent))
    failures = _run(root, args, timeout)
    return group(failures, Context(project_modules(Project(root)), builtin))


def issue_from_run(
    files: Files | str | bytes,
    rootdir: str | os.PathLike[str],
    *args: str,
    code: str | None = None,
    timeout: float = 120.0,
    dedent: bool = True,
) -> Issue:
    """The one issue of :func:`issues_from_run` (with ``code``: the one with that code or a code
    under that prefix, such as ``import``); :class:`AssertionError` when there is not exactly
    one."""
    __tracebackhide__ = True
    from pytest_autofix.codes import matches

    issues = issues_from_run(files, rootdir, *args, timeout=timeout, dedent=dedent)
    found = [i for i in issues if code is None or matches(i.code, code)]
    if len(found) != 1:
        what = "issue" if code is None else f"issue with code {code!r}"
        listed = "".join(f"\n  {i.code}: {i.message} ({', '.join(i.tests)})" for i in issues)
        raise AssertionError(
            f"issue_from_run: expected one {what}, the run gave {len(found)}"
            + (f" of {len(issues)}:{listed}" if issues else " (no test failed)")
        )
    return found[0]


# -- projects -----------------------------------------------------------------------------


def project_files(
    spec: Files | str | bytes, default: str = SNIPPET, *, dedent: bool = True
) -> dict[str, bytes]:
    """A project as :func:`assert_fix` and :func:`issues_from_run` write it: rootdir-relative
    path -> bytes (a single text or bytes is the file ``default``; texts dedented unless
    ``dedent=False``, written as UTF-8). A path outside the rootdir is a ``ValueError``."""
    items: Mapping[str, str | bytes] = {default: spec} if isinstance(spec, str | bytes) else spec
    out: dict[str, bytes] = {}
    for rel, content in items.items():
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError(f"{rel!r}: give a path relative to the rootdir, inside it")
        if isinstance(content, str):
            content = (textwrap.dedent(content) if dedent else content).encode("utf-8")
        out[path.as_posix()] = content
    return out


def _write(root: Path, files: Mapping[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@contextmanager
def _project_dir(rootdir: str | os.PathLike[str] | None) -> Iterator[Path]:
    if rootdir is not None:
        root = Path(os.path.abspath(rootdir))
        root.mkdir(parents=True, exist_ok=True)
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="autofix-fix-") as tmp:
        yield Path(os.path.realpath(tmp))


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but bytecode and git's own cache of the work tree
    (``.git/index``, which git may refresh whenever a fixer asks it something)."""
    return {
        rel: p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and (rel := p.relative_to(root).as_posix()) != ".git/index"
    }


# -- proposing and choosing -----------------------------------------------------------------


def _propose(fixer: Fixer, issue: Issue, root: Path, header: str) -> list[Fix]:
    """The fixer's fixes, best first; it must not write, and it must return fixes."""
    from pytest_autofix.model import Fix
    from pytest_autofix.project import Project

    before = _snapshot(root)
    fixes = list(fixer.propose(issue, Project(root)))
    now = _snapshot(root)
    if now != before:
        changed = sorted(
            rel for rel in before.keys() | now.keys() if before.get(rel) != now.get(rel)
        )
        raise AssertionError(f"{header}: propose() wrote to the project: {', '.join(changed)}")
    wrong = [f"{type(fix).__name__}: {fix!r}" for fix in fixes if not isinstance(fix, Fix)]
    if wrong:
        raise AssertionError(f"{header}: propose() returned what is not a Fix: {'; '.join(wrong)}")
    return sorted(fixes, key=lambda fix: -fix.confidence)  # stable, as the engine sorts


def _choose(
    fixes: Sequence[Fix], pick: int | str | None, suggestions: bool, header: str
) -> Fix | None:
    """The fix to check (see :func:`assert_fix`)."""
    if pick is None:
        if suggestions:
            return fixes[0] if fixes else None
        best = next((fix for fix in fixes if fix.edits), None)
        if best is None:
            raise AssertionError(
                _message(header, None, fixes, ["expected a fix with edits, got none"])
            )
        return best
    if isinstance(pick, int):
        if -len(fixes) <= pick < len(fixes):
            return fixes[pick]
        why = f"pick={pick}: there is no such fix"
    else:
        found = [fix for fix in fixes if pick in fix.description]
        if len(found) == 1:
            return found[0]
        why = f"pick={pick!r}: {len(found)} fixes have it in their description, not one"
    raise AssertionError(_message(header, None, fixes, [why]))


def _check_fix(
    fix: Fix, confidence: float | None, safe: bool | None, description: str | None
) -> list[str]:
    problems = []
    if confidence is not None and abs(fix.confidence - confidence) > 1e-9:
        problems.append(f"expected confidence {confidence:g}, got {fix.confidence:g}")
    if safe is not None and fix.safe != safe:
        problems.append(f"expected safe={safe}, got safe={fix.safe}")
    if description is not None and description not in fix.description:
        problems.append(f"expected the description to contain {description!r}")
    return problems


# -- planning and comparing -----------------------------------------------------------------


def _plan(
    fixer: str, issue: Issue, fix: Fix, root: Path, header: str
) -> tuple[dict[str, bytes], str]:
    """The files the engine would write for ``fix`` alone, and its diff; AssertionError when
    the engine would drop it."""
    from pytest_autofix.engine import plan
    from pytest_autofix.engine.route import fix_key
    from pytest_autofix.transaction import Transaction

    key = fix_key(fixer, issue.id, fix)
    guard = Transaction(root, root / ".pytest_cache" / "autofix")  # only its path rules
    built = plan.build(
        [plan.Candidate(key, issue.id, fixer, fix)],
        rootdir=root,
        read=_read,
        check_path=guard.check,
    )
    if built.dropped:
        (_, reason), *_ = built.dropped
        raise AssertionError(
            f"{header}: the engine would not apply the fix {fix.description!r}: {reason}"
        )
    return {fp.rel: fp.new for fp in built.files.values()}, built.diffs.get(key, "")


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _compare(
    expected: Mapping[str, bytes], written: Mapping[str, bytes], before: Mapping[str, bytes]
) -> list[str]:
    """One problem per file that is not as expected, each with its diff."""
    problems = []
    for rel in sorted(expected.keys() | written.keys()):
        actual = written.get(rel, before.get(rel))
        if rel not in expected:
            problems.append(
                f"{rel}: changed by the fix but not listed in `after`:\n"
                + _diff(before.get(rel), actual, f"before/{rel}", f"actual/{rel}")
            )
        elif actual is None:
            problems.append(f"{rel}: expected, but the fix does not create it")
        elif actual != expected[rel]:
            untouched = " (the fix leaves it unchanged)" if rel not in written else ""
            problems.append(
                f"{rel}: not as expected{untouched}:\n"
                + _diff(expected[rel], actual, f"expected/{rel}", f"actual/{rel}")
            )
    return problems


def _diff(old: bytes | None, new: bytes | None, old_name: str, new_name: str) -> str:
    """A unified diff of two versions of a file, for reading (text decoded as UTF-8)."""
    a, b = _text_lines(old), _text_lines(new)
    if [x.rstrip("\r\n") for x in a] == [y.rstrip("\r\n") for y in b]:
        # the same text but for line endings or a final newline: show the lines as reprs
        a, b = [repr(x) + "\n" for x in a], [repr(y) + "\n" for y in b]
    lines = difflib.unified_diff(a, b, old_name, new_name)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines).rstrip("\n")


def _text_lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    lines = data.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _line(fix: Fix) -> str:
    what = f"{len(fix.edits)} edit(s)" if fix.edits else "a suggestion"
    safe = "safe" if fix.safe else "unsafe"
    return f"{fix.description!r} (confidence {fix.confidence:g}, {safe}, {what})"


def _message(header: str, chosen: Fix | None, fixes: Sequence[Fix], problems: list[str]) -> str:
    """The failure message: the fix checked, each problem, and every fix proposed when there is
    more than the one checked."""
    lines = [header + ":"]
    if chosen is not None:
        lines.append(f"fix checked: {_line(chosen)}")
    lines += [f"- {problem}" for problem in problems]
    if chosen is None or len(fixes) > 1:
        lines.append("fixes proposed, best first:" if fixes else "no fix was proposed")
        lines += [f"  [{n}] {_line(fix)}" for n, fix in enumerate(fixes)]
    return "\n".join(lines)


# -- running pytest -------------------------------------------------------------------------


def _run(root: Path, args: Sequence[str], timeout: float) -> list[Failure]:
    """Every failure of ``python -m pytest ARGS`` in ``root``, captured as the plugin does."""
    from pytest_autofix.engine.warm import rerun_env
    from pytest_autofix.worker.capture import to_failure

    with tempfile.TemporaryDirectory(prefix="autofix-run-") as tmp:
        out = Path(tmp, "result.json")
        env = rerun_env(root, out)
        for name in _ISOLATE_ENV:
            env.pop(name, None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        command = [
            sys.executable,
            "-m",
            "pytest",
            *("-p", "no:autofix", "-p", "pytest_autofix.worker.recorder"),
            *("--rootdir", str(root), *_config_args(root, Path(tmp))),
            *("-p", "no:cacheprovider", "-p", "no:randomly", "-q"),
            *("--continue-on-collection-errors", "--maxfail=0"),
            *args,
        ]
        try:
            proc = subprocess.run(
                command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            output = _decoded(exc.stdout) + _decoded(exc.stderr)
            raise RuntimeError(
                f"issues_from_run: pytest did not finish within {timeout:g}s:\n{_tail(output)}"
            ) from None
        data = json.loads(out.read_text("utf-8")) if out.exists() else None
    output = proc.stdout + proc.stderr
    if data is None:
        raise RuntimeError(
            f"issues_from_run: pytest ended with status {proc.returncode} and no results:\n"
            + _tail(output)
        )
    status = int(data.get("exitstatus", 0))
    if status in (2, 3, 4):  # interrupted, internal error, usage error
        raise RuntimeError(
            f"issues_from_run: pytest failed to run (exit status {status}):\n{_tail(output)}"
        )
    return [to_failure(f["nodeid"], f["when"], f["facts"], f["longrepr"]) for f in data["failures"]]


def _config_args(root: Path, tmp: Path) -> list[str]:
    """An empty configuration when the project has none at its top, so that pytest does not
    take one from a directory above it."""
    if any((root / name).is_file() for name in _INI_FILES):
        return []
    empty = tmp / "pytest.ini"
    empty.write_text("", encoding="utf-8")
    return ["-c", str(empty)]


def _decoded(output: str | bytes | None) -> str:
    if isinstance(output, bytes):
        return output.decode("utf-8", "replace")
    return output or ""


def _tail(output: str) -> str:
    return "\n".join(output.strip().splitlines()[-_TAIL:])
