"""The fix engine end to end: real sessions, real reruns, real files, fixers through the public API.

The inner projects carry a table-driven fixer in their conftest.py: for a NameError on a name in
``RULES`` it renames that name in the failing file (and may make extra edits elsewhere, which is
how a fix that breaks another test is built).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from autofix_testing import snapshot

XDIST = [pytest.param([], id="plain"), pytest.param(["-n", "2"], id="xdist")]
# What the engine decides from a rerun's results (keeping a fix in part, the confidence and
# safety policy, undo) does not depend on who ran the rerun's tests: those tests run without
# xdist only (the suite's time); the xdist rerun paths keep tests of their own.
PLAIN = [pytest.param([], id="plain")]

FIXER_CONFTEST = """
import libcst as cst
from pytest_autofix import Fix, FileEdit, IssueKind

RULES = {rules}


def _rename(old, new):
    def transform(module):
        class T(cst.CSTTransformer):
            def leave_Name(self, original, updated):
                return updated.with_changes(value=new) if updated.value == old else updated
        return module.visit(T())
    return transform


def _replace(old, new):
    def transform(module):
        return cst.parse_module(module.code.replace(old, new))
    return transform


class TableFixer:
    name = "test.table"
    kinds = frozenset({{IssueKind.IMPORT}})

    def propose(self, issue, project):
        rule = RULES.get(issue.details.get("name"))
        if issue.code != "import.name-undefined" or rule is None:
            return []
        new, confidence, safe, extra = rule
        paths = sorted({{loc["path"] for loc in issue.details["locations"]}})
        edits = [FileEdit(path, _rename(issue.details["name"], new)) for path in paths]
        edits += [FileEdit(path, _replace(a, b)) for path, a, b in extra]
        return [Fix(f"rename {{issue.details['name']}} to {{new}}", confidence, edits, safe=safe)]


def pytest_autofix_fixers(config):
    return [TableFixer()]
"""


TWO_TEST = """
    def two():
        return 2

    def test_b():
        assert twoo() == 2
"""
ONE_FIX = {"onee": ("one", 0.95, True, [])}
ONE_TEST = """
    def one():
        return 1

    def test_a():
        assert onee() == 1
"""


def make_project(
    pytester: pytest.Pytester, rules: dict[str, tuple[object, ...]], **files: str
) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makeconftest(FIXER_CONFTEST.format(rules=repr(rules)))
    for name, text in files.items():
        path = pytester.path / (name if name.endswith(".py") else f"{name}.py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, object]]:
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=report.json", *args)
    report = json.loads((pytester.path / "report.json").read_text())
    (pytester.path / "report.json").unlink()
    return result, report


def by_code(report: dict[str, object]) -> dict[str, dict[str, object]]:
    return {i["id"]: i for i in report["issues"]}  # type: ignore[index, union-attr]


def test_verified_fix(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        ONE_FIX,
        test_a="""
            def one():
                return 1

            def test_a():
                assert onee() == 1

            def test_other():
                assert True
        """,
    )
    result, report = run(pytester)
    assert result.ret == 0, result.stdout.str()
    assert "def test_a():\n    assert one() == 1" in (pytester.path / "test_a.py").read_text()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "fixed"
    (fix,) = issue["fixes"]
    assert fix["applied"] and fix["verified"] and fix["reason"] is None
    assert fix["diff"].startswith("diff --git a/test_a.py b/test_a.py")
    # the edited test file is rerun whole: test_other too
    assert report["rerun"]["tests"] == ["test_a.py"]  # type: ignore[index]
    assert report["rerun"]["passed"] == 2  # type: ignore[index]
    result.stdout.fnmatch_lines(
        [
            "*test.table * confidence 0.95 * safe * import.name-undefined: rename onee to one",
            "fixed *import.name-undefined*name 'onee' is not defined*(1 test)*test_a.py:6",
            "Found 1 issue in 1 failure (1 fixed); changed 1 file(s); "
            "undo with pytest --autofix-undo",
        ]
    )
    # pytest's summary speaks of the first run; the last line, of the state after the fixes
    assert "1 failed, 1 passed" in result.outlines[-2]
    assert result.outlines[-1] == "after autofix: 2 passed (verified by rerun)"
    assert not [p for p in pytester.path.rglob("*") if p.suffix in (".bak", ".orig", ".tmp")]


@pytest.mark.parametrize("xdist", XDIST)
def test_bisection_isolates_the_fix_that_breaks_another_test(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """The bad fix edits one file, pkg/shared.py, where its name is misspelled, and breaks
    test_shared.py there: bisection finds it among five fixes and only it is rolled back."""
    good = {f"nam{i}x": (f"nam{i}", 0.9, True, []) for i in range(4)}
    bad = {"badx": ("bad", 0.95, True, [("pkg/shared.py", "VALUE = 1", "VALUE = 2")])}
    shared = "VALUE = 1\n\n\ndef bad():\n    return 5\n\n\ndef compute():\n    return badx()\n"
    files = {
        f"tests/test_g{i}.py": f"""
            def nam{i}():
                return {i}

            def test_g{i}():
                assert nam{i}x() == {i}
        """
        for i in range(4)
    }
    make_project(
        pytester,
        {**good, **bad},
        **{"pkg/__init__.py": "", "pkg/shared.py": shared},
        **files,
        **{
            "tests/test_bad.py": """
                from pkg.shared import compute

                def test_bad():
                    assert compute() == 5
            """,
            "tests/test_shared.py": """
                from pkg.shared import VALUE

                def test_value():
                    assert VALUE == 1
            """,
        },
    )
    before = snapshot(pytester.path)
    result, report = run(pytester, *xdist)
    statuses = sorted(i["status"] for i in report["issues"])  # type: ignore[union-attr]
    assert statuses == ["fixed"] * 4 + ["rolled-back"], result.stdout.str()
    (rolled,) = [i for i in report["issues"] if i["status"] == "rolled-back"]  # type: ignore[union-attr]
    assert rolled["tests"] == ["tests/test_bad.py::test_bad"]
    assert "tests/test_shared.py::test_value" in rolled["fixes"][0]["reason"]
    after = snapshot(pytester.path)
    # the culprit's files are byte for byte what they were; the good fixes stayed
    assert after["pkg/shared.py"] == before["pkg/shared.py"]
    assert after["tests/test_bad.py"] == before["tests/test_bad.py"]
    for i in range(4):
        assert after[f"tests/test_g{i}.py"] != before[f"tests/test_g{i}.py"]
    assert set(after) == set(before)  # nothing created, no backup files
    assert result.ret == 1  # test_bad still fails
    # the project is really in the state the report claims
    check = pytester.runpytest_subprocess()
    check.assert_outcomes(passed=5, failed=1)


@pytest.mark.parametrize("xdist", PLAIN)
def test_low_confidence_and_unsafe_are_only_suggested(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    make_project(
        pytester,
        {"lowx": ("low", 0.5, True, []), "unsafex": ("unsafe", 0.95, False, [])},
        test_s="""
            def low():
                return 1

            def unsafe():
                return 2

            def test_low():
                assert lowx() == 1

            def test_unsafe():
                assert unsafex() == 2
        """,
    )
    before = snapshot(pytester.path)
    result, report = run(pytester, *xdist)
    assert snapshot(pytester.path) == before
    reasons = {i["message"]: i["fixes"][0]["reason"] for i in report["issues"]}  # type: ignore[union-attr]
    assert all(i["status"] == "suggested" for i in report["issues"])  # type: ignore[union-attr]
    assert "below --autofix-min-confidence=0.8" in reasons["name 'lowx' is not defined"]
    assert "--autofix-unsafe" in reasons["name 'unsafex' is not defined"]
    assert result.ret == 1
    result, report = run(pytester, "--autofix-unsafe", "--autofix-min-confidence=0.4", *xdist)
    assert result.ret == 0, result.stdout.str()
    assert sorted(i["status"] for i in report["issues"]) == ["fixed", "fixed"]  # type: ignore[union-attr]


@pytest.mark.parametrize("xdist", XDIST)
def test_dry_run_writes_nothing_and_its_patch_applies(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    make_project(
        pytester,
        ONE_FIX,
        **{
            "test_a.py": """
                def one():
                    return 1

                def test_a():
                    assert onee() == 1
            """,
        },
    )
    (pytester.path / "test_crlf.py").write_bytes(
        b"# -*- coding: latin-1 -*-\r\ndef one():\r\n    return '\xe9'\r\n\r\n"
        b"def test_b():\r\n    assert onee() == '\xe9'  # caf\xe9\r\n"
    )
    subprocess.run(["git", "init", "-q"], cwd=pytester.path, check=True)
    before = snapshot(pytester.path)
    result, report = run(pytester, "--dry-run", "--autofix-patch=fix.patch", *xdist)
    assert result.ret == 1  # dry run: pytest's own status
    patch = pytester.path / "fix.patch"
    assert {k: v for k, v in snapshot(pytester.path).items() if k != "fix.patch"} == before
    assert report["mode"] == "dry-run"
    assert all(i["status"] == "proposed" for i in report["issues"])  # type: ignore[union-attr]
    assert not any(f["applied"] for i in report["issues"] for f in i["fixes"])  # type: ignore[union-attr]
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=pytester.path, check=True)
    subprocess.run(["git", "apply", str(patch)], cwd=pytester.path, check=True)
    crlf = (pytester.path / "test_crlf.py").read_bytes()
    assert crlf == before["test_crlf.py"].replace(b"assert onee()", b"assert one()")
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


@pytest.mark.parametrize("xdist", PLAIN)
def test_undo_restores_the_last_applied_run(pytester: pytest.Pytester, xdist: list[str]) -> None:
    make_project(
        pytester,
        ONE_FIX,
        test_a=ONE_TEST,
    )
    before = snapshot(pytester.path)
    result, _ = run(pytester, *xdist)
    assert result.ret == 0
    assert snapshot(pytester.path) != before
    undo = pytester.runpytest_subprocess("--autofix-undo")
    assert undo.ret == 0
    undo.stdout.fnmatch_lines(
        ["pytest-autofix: undid the autofix run of *: restored 1 file(s)*test_a.py"]
    )
    assert snapshot(pytester.path) == before
    again = pytester.runpytest_subprocess("--autofix-undo")
    again.stdout.fnmatch_lines(["pytest-autofix: nothing to undo"])


@pytest.mark.parametrize("xdist", XDIST)
def test_a_file_changed_during_the_run_is_not_overwritten(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    make_project(
        pytester,
        {},
        test_a=ONE_TEST,
    )
    # A fixer whose transform runs after autofix read the file: meanwhile, "the user" saves it.
    pytester.makeconftest(
        """
        import libcst as cst
        from pathlib import Path
        from pytest_autofix import Fix, FileEdit, IssueKind

        class Racing:
            name = "test.racing"
            kinds = frozenset({IssueKind.IMPORT})

            def propose(self, issue, project):
                path = project.rootdir / issue.path
                def transform(module):
                    path.write_text("# the user's edit\\n")
                    return cst.parse_module(module.code.replace("onee()", "one()"))
                return [Fix("rename onee", 0.95, [FileEdit(issue.path, transform)])]

        def pytest_autofix_fixers(config):
            return [Racing()]
        """
    )
    result, report = run(pytester, *xdist)
    assert (pytester.path / "test_a.py").read_text() == "# the user's edit\n"
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "suggested"
    assert "changed on disk" in issue["fixes"][0]["reason"]
    assert result.ret == 1


def test_a_file_changed_after_an_earlier_round_is_left_to_its_writer(
    pytester: pytest.Pytester,
) -> None:
    """Round 1 fixes test_a.py; while round 2 is planned (its fix edits helpers.py only),
    "the user" saves test_a.py. The write of round 2 meets that conflict on a file no fix of
    the round edits (it used to spin forever): test_a.py is left to its writer, round 1's
    proven fix of it is given up and says why, and the summary says which file was left."""
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makepyfile(
        helpers="def second():\n    return 2\n",
        test_a="from helpers import *\n\n\ndef first():\n    return 1\n\n\n"
        "VALUE = firstx()\n\n\ndef test_a():\n    assert secondx() == 2\n",
    )
    pytester.makeconftest(
        """
        import libcst as cst
        from pytest_autofix import Fix, FileEdit, IssueKind

        class TwoRounds:
            name = "test.two-rounds"
            kinds = frozenset({IssueKind.IMPORT})

            def propose(self, issue, project):
                name = issue.details.get("name")
                if name == "firstx":
                    edit = lambda m: cst.parse_module(m.code.replace("firstx()", "first()"))
                    return [Fix("rename firstx", 0.95, [FileEdit("test_a.py", edit)])]
                if name == "secondx":
                    def edit(module):
                        (project.rootdir / "test_a.py").write_text("# the user's edit\\n")
                        return cst.parse_module(module.code + "\\nsecondx = second\\n")
                    return [Fix("alias secondx", 0.95, [FileEdit("helpers.py", edit)])]
                return []

        def pytest_autofix_fixers(config):
            return [TwoRounds()]
        """
    )
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=report.json", timeout=120)
    report = json.loads((pytester.path / "report.json").read_text())
    assert (pytester.path / "test_a.py").read_text() == "# the user's edit\n"
    issues = {i["message"]: i for i in report["issues"]}
    assert issues["name 'firstx' is not defined"]["status"] == "rolled-back", result.stdout.str()
    first = issues["name 'firstx' is not defined"]["fixes"][0]
    assert first["applied"] and not first["verified"]
    assert first["reason"] == (
        "rolled back: test_a.py changed on disk after autofix read it; nothing written"
    )
    assert "left as is, changed on disk by another writer while autofix ran" in (
        result.stdout.str()
    )
    # test_a.py collects now (the other writer's content); the test that failed in round 1 is
    # not proven to pass: tests failed, not a collection that interrupts the run
    assert result.ret == 1


def test_symlink_out_of_the_rootdir_is_refused(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "helpers.py"
    outside.write_text("def one():\n    return 1\n")
    make_project(
        pytester,
        {"onee": ("one", 0.95, True, [("linked.py", "return 1", "return 2")])},
        test_a=ONE_TEST,
    )
    os.symlink(outside, pytester.path / "linked.py")
    result, report = run(pytester)
    assert outside.read_text() == "def one():\n    return 1\n"
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "suggested"
    assert (
        "outside the rootdir" in issue["fixes"][0]["reason"]
        or "leaves" in issue["fixes"][0]["reason"]
    )
    assert result.ret == 1


def test_crash_recovery_after_a_real_kill(pytester: pytest.Pytester) -> None:
    """A run killed between two writes: the next pytest start restores both files and says so."""
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    a = pytester.path / "a.py"
    b = pytester.path / "b.py"
    a.write_bytes(b"A = 1\r\n")
    b.write_bytes(b"B = 1\n")
    pytester.makepyfile(test_ok="def test_ok():\n    assert True\n")
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from pytest_autofix.transaction import Transaction
        root = Path({str(pytester.path)!r})
        with Transaction(root, root / ".pytest_cache" / "autofix") as txn:
            for name in ("a.py", "b.py"):
                txn.read(root / name)
            txn.write(root / "a.py", b"A = 2\\n")
            print("WROTE", flush=True)
            time.sleep(60)
            txn.write(root / "b.py", b"B = 2\\n")
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "WROTE"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert a.read_bytes() == b"A = 2\n"
    result = pytester.runpytest_subprocess()  # a plain run, plugin installed
    result.stdout.fnmatch_lines(
        ["pytest-autofix: the autofix run of * was interrupted; restored 1 file(s)*a.py*"]
    )
    assert a.read_bytes() == b"A = 1\r\n"
    assert b.read_bytes() == b"B = 1\n"
    assert result.ret == 0


@pytest.mark.parametrize("xdist", XDIST)
def test_rounds_fix_what_the_first_fix_reveals(pytester: pytest.Pytester, xdist: list[str]) -> None:
    """Round 1 fixes a collection error; the rerun reveals a second NameError; round 2 fixes it."""
    make_project(
        pytester,
        {"firstx": ("first", 0.95, True, []), "secondx": ("second", 0.95, True, [])},
        test_r="""
            def first():
                return 1

            def second():
                return 2

            VALUE = firstx()

            def test_r():
                assert secondx() == 2
        """,
    )
    result, report = run(pytester, *xdist)
    assert result.ret == 0, result.stdout.str()
    assert sorted(i["status"] for i in report["issues"]) == ["fixed", "fixed"]  # type: ignore[union-attr]
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_exit_status_reflects_the_final_state(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        ONE_FIX,
        test_a="""
            def one():
                return 1

            def test_a():
                assert onee() == 1

            def test_real_bug():
                assert 1 == 2
        """,
    )
    result, report = run(pytester)
    assert result.ret == 1  # the real bug still fails
    assert report["exit_status"] == 1
    assert result.outlines[-1] == "after autofix: 1 passed, 1 failed (verified by rerun)"
    result.stdout.fnmatch_lines(
        [
            "Found 2 issues in 2 failures (1 fixed, 1 unfixable); 1 test still failing; "
            "changed 1 file(s)*"
        ]
    )
    result, report = run(pytester)  # nothing left to fix but the bug
    assert result.ret == 1
    pytester.makepyfile(test_a="def test_fine():\n    assert True\n")
    result, report = run(pytester)
    assert result.ret == 0
    assert report["summary"]["failures"] == 0  # type: ignore[index]


def test_a_module_that_collects_after_the_fix_counts_by_its_tests(
    pytester: pytest.Pytester,
) -> None:
    # the fix lets test_a.py collect; its one test then fails on its own: 1 failed, no error
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makepyfile(
        calc="def one():\n    return 1\n",
        test_a="from calc import onee\n\n\ndef test_real_bug():\n    assert onee() == 2\n",
        test_b="def test_b():\n    pass\n",
    )
    result, _ = run(pytester)
    assert result.ret == 1, result.stdout.str()
    assert result.outlines[-1] == "after autofix: 1 passed, 1 failed (verified by rerun)"


def test_run_from_another_working_directory(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rerun node ids are rootdir-relative; the rerun must find them from the user's cwd."""
    make_project(
        pytester,
        ONE_FIX,
        **{
            "tests/test_a.py": "def one():\n    return 1\n\ndef test_a():\n    assert onee() == 1\n"
        },
    )
    elsewhere = pytester.mkdir("elsewhere")
    monkeypatch.chdir(elsewhere)
    result = pytester.runpytest_subprocess(str(pytester.path), "--autofix")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["fixed *import.name-undefined*", "Found 1 issue in 1 failure (1 fixed)*"]
    )


def test_a_conftest_failing_at_startup_is_collected_and_fixed(pytester: pytest.Pytester) -> None:
    """Without --autofix pytest stops before any session (exit 4); with it, the failure is
    met again during collection, captured, fixed by the built-in import fixer and verified."""
    pytester.makepyprojecttoml(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n'
    )
    files = {
        "shop/__init__.py": "",
        "shop/factory.py": "def make():\n    return 1\n",
        "tests/conftest.py": (
            "import pytest\nfrom shop.factories import make\n\n\n"
            "@pytest.fixture\ndef thing():\n    return make()\n"
        ),
        "tests/test_t.py": "def test_t(thing):\n    assert thing == 1\n",
    }
    for name, text in files.items():
        (pytester.path / name).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / name).write_text(text)
    assert pytester.runpytest_subprocess().ret == pytest.ExitCode.USAGE_ERROR
    result = pytester.runpytest_subprocess("--autofix")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["fixed *import.module-not-found*shop.factories*tests/conftest.py:2"]
    )
    assert "from shop.factory import make" in (pytester.path / "tests/conftest.py").read_text()


@pytest.mark.parametrize(
    ("option", "reason"),
    [
        ("--autofix-ignore=import", "ignored (--autofix-ignore=import)"),
        (
            "--autofix-ignore=import.name-undefined",
            "ignored (--autofix-ignore=import.name-undefined)",
        ),
        (
            "--autofix-select=fixture,environment",
            "not selected (--autofix-select=fixture,environment)",
        ),
    ],
)
def test_select_and_ignore_by_code_prefix(
    pytester: pytest.Pytester, option: str, reason: str
) -> None:
    make_project(pytester, ONE_FIX, test_a=ONE_TEST)
    before = snapshot(pytester.path)
    result, report = run(pytester, option)
    assert snapshot(pytester.path) == before
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "unfixable"
    assert issue["message"].endswith(f"({reason})")
    assert result.ret == 1


def test_autofix_exclude_globs_are_never_edited(pytester: pytest.Pytester) -> None:
    make_project(pytester, ONE_FIX, **{"tests/legacy/test_a.py": ONE_TEST})
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nautofix_exclude = ["tests/legacy/*"]\n')
    before = snapshot(pytester.path)
    result, report = run(pytester)
    assert snapshot(pytester.path) == before
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "suggested"
    assert "autofix_exclude" in issue["fixes"][0]["reason"]
    assert result.ret == 1


def test_a_rerun_that_times_out_proves_nothing(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        ONE_FIX,
        test_a="""
            import os, time

            def one():
                return 1

            def test_a():
                if os.environ.get("PYTEST_AUTOFIX_RERUN_OUT"):  # only in the rerun
                    time.sleep(30)
                assert onee() == 1
        """,
    )
    before = snapshot(pytester.path)
    result, report = run(pytester, "--autofix-rerun-timeout=3")
    assert snapshot(pytester.path) == before
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "rolled-back"
    assert "timed out after 3s" in issue["fixes"][0]["reason"]
    assert result.ret == 1


def test_the_session_writes_the_rewritten_bytecode_of_edited_test_modules(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the rerun starts, the session writes pytest's rewritten ``.pyc`` of the edited test
    module (``bytecode.py``): here the rerun itself writes none, so the one found afterwards,
    valid for the fixed source, is the session's; and the rerun still verified the fix."""
    from _pytest.assertion import rewrite

    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    make_project(pytester, ONE_FIX, test_a=ONE_TEST)
    with open(pytester.path / "conftest.py", "a", encoding="utf-8") as conftest:
        conftest.write(
            "\nimport os, sys\n"
            "if os.environ.get('PYTEST_AUTOFIX_RERUN_OUT'):  # only in the rerun\n"
            "    sys.dont_write_bytecode = True\n"
        )
    path = pytester.path / "test_a.py"
    pyc = rewrite.get_cache_dir(path) / ("test_a" + rewrite.PYC_TAIL)
    result, report = run(pytester)
    assert result.ret == 0, result.stdout.str()
    assert report["issues"][0]["status"] == "fixed"  # type: ignore[index]
    assert "assert one() == 1" in path.read_text()
    assert rewrite._read_pyc(path, pyc) is not None  # valid for the fixed bytes


def test_no_bytecode_is_written_when_python_writes_none(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from _pytest.assertion import rewrite

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    make_project(pytester, ONE_FIX, test_a=ONE_TEST)
    result, _ = run(pytester)
    assert result.ret == 0, result.stdout.str()
    path = pytester.path / "test_a.py"
    assert not (rewrite.get_cache_dir(path) / ("test_a" + rewrite.PYC_TAIL)).exists()


@pytest.mark.parametrize("xdist", XDIST)
def test_a_fix_that_reveals_a_collection_error_is_kept_with_its_neighbours(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """The first fix lets test_a.py import as far as its next error, so the rerun meets a
    collection error: it goes on (--continue-on-collection-errors), both fixes are judged on
    their own targets and kept, and the revealed error is the next round's issue."""
    make_project(
        pytester,
        {"firstx": ("first", 0.95, True, []), "twoo": ("two", 0.95, True, [])},
        test_a="""
            def first():
                return 1

            VALUE = firstx()
            OTHER = not_defined_anywhere()

            def test_a():
                assert VALUE == 1
        """,
        test_b=TWO_TEST,
    )
    result, report = run(pytester, *xdist)
    # pytest's own status for the project as it is left: a collection error interrupts a
    # plain run (2); pytest-xdist runs on past it (1)
    assert result.ret == (1 if xdist else 2), result.stdout.str()
    issues = {i["message"]: i for i in report["issues"]}  # type: ignore[union-attr]
    assert issues["name 'firstx' is not defined"]["status"] == "fixed"
    assert issues["name 'twoo' is not defined"]["status"] == "fixed"
    (revealed,) = [i for m, i in issues.items() if "not_defined_anywhere" in m]
    assert revealed["status"] == "unfixable" and revealed["tests"] == ["test_a.py"]
    assert result.outlines[-1] == "after autofix: 1 passed, 1 error (verified by rerun)"
    assert "VALUE = first()" in (pytester.path / "test_a.py").read_text()
    assert "assert two() == 2" in (pytester.path / "test_b.py").read_text()


@pytest.mark.parametrize("xdist", XDIST)
def test_a_module_that_no_longer_collects_is_a_regression_of_its_culprit_only(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """The twoo fix, in helpers.py, also breaks its imports, so test_c.py, which passed, no
    longer collects: that fix alone is rolled back; the onee fix in the same round is kept."""
    make_project(
        pytester,
        {
            "onee": ("one", 0.95, True, []),
            "twoo": ("two", 0.95, True, [("helpers.py", "import os", "import no_such_module_x")]),
        },
        helpers=HELPERS,
        test_a=ONE_TEST,
        test_b="from helpers import twice\n\n\ndef test_b():\n    assert twice() == 2\n",
        test_c="from helpers import h\n\n\ndef test_c():\n    assert h()\n",
    )
    result, report = run(pytester, *xdist)
    assert result.ret == 1, result.stdout.str()
    issues = {i["message"]: i for i in report["issues"]}  # type: ignore[union-attr]
    assert issues["name 'onee' is not defined"]["status"] == "fixed"
    broken = issues["name 'twoo' is not defined"]
    assert broken["status"] == "rolled-back"
    assert broken["fixes"][0]["reason"] == "rolled back: it broke test_c.py"  # type: ignore[index]
    assert (pytester.path / "helpers.py").read_text() == HELPERS
    pytester.runpytest_subprocess().assert_outcomes(passed=2, failed=1)


HELPERS = """import os


def h():
    return os.sep


def two():
    return 2


def twice():
    return twoo()
"""
HELPERX = "def helper():\n    return 1\n\n\ndef test_{0}():\n    assert helperx() == 1\n"


@pytest.mark.parametrize("xdist", PLAIN)
def test_a_fix_that_works_in_some_files_is_kept_there(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """One fix renames helperx in three test files; in test_c.py its other edit brings the
    name back, so test_c still fails with the issue. The fix is split by file: the edits of
    test_a.py and test_b.py, whose tests it fixed, are kept (and reported as kept in part),
    the edits of test_c.py rolled back."""
    make_project(
        pytester,
        {
            "helperx": (
                "helper",
                0.95,
                True,
                [("test_c.py", "assert helper()", "assert helperx(0) or helper()")],
            )
        },
        test_a=HELPERX.format("a"),
        test_b=HELPERX.format("b"),
        test_c=HELPERX.format("c"),
    )
    result, report = run(pytester, *xdist)
    assert result.ret == 1, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "fixed"
    (fix,) = issue["fixes"]
    assert fix["verified"] and fix["files"] == ["test_a.py", "test_b.py"]
    assert fix["reason"] == (
        "kept in part: test_a.py, test_b.py; left out test_c.py: "
        "test_c.py::test_c still fails with import.name-undefined"
    )
    assert "b/test_c.py" not in fix["diff"] and "b/test_b.py" in fix["diff"]
    assert (pytester.path / "test_c.py").read_text() == HELPERX.format("c")
    assert "assert helper() == 1" in (pytester.path / "test_a.py").read_text()
    assert result.outlines[-1] == "after autofix: 2 passed, 1 failed (verified by rerun)"
    pytester.runpytest_subprocess().assert_outcomes(passed=2, failed=1)


@pytest.mark.parametrize("xdist", PLAIN)
def test_a_fix_that_works_for_some_of_its_tests_is_kept_for_those(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """One file, one part, two targets: the rename fixes test_one; its other edit brings the
    name back into test_two, which fails as before. Nothing of the fix is disproven and
    nothing broke: it is kept, for the test it fixed, and the reason says what is left."""
    make_project(
        pytester,
        {
            "helperx": (
                "helper",
                0.95,
                True,
                [("test_a.py", "assert helper() + 1 == 2", "assert helperx(0) + 1 == 2")],
            )
        },
        test_a="""
            def helper():
                return 1

            def test_one():
                assert helperx() == 1

            def test_two():
                assert helperx() + 1 == 2
        """,
    )
    result, report = run(pytester, *xdist)
    assert result.ret == 1, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    (fix,) = issue["fixes"]
    assert issue["status"] == "fixed" and fix["verified"]
    assert fix["reason"] == (
        "kept in part: it fixed 1 of 2 tests; "
        "test_a.py::test_two still fails with import.name-undefined"
    )
    text = (pytester.path / "test_a.py").read_text()
    assert "assert helper() == 1" in text and "assert helperx(0) + 1 == 2" in text  # kept whole
    assert result.outlines[-1] == "after autofix: 1 passed, 1 failed (verified by rerun)"


@pytest.mark.parametrize("xdist", PLAIN)
def test_a_fix_that_breaks_a_test_through_one_file_keeps_its_other_files(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """The twoo fix renames in test_b.py and also edits helpers.py, which breaks test_c.py:
    the part in helpers.py is left out, the part in test_b.py, which fixed test_b, is kept."""
    make_project(
        pytester,
        {"twoo": ("two", 0.95, True, [("helpers.py", "import os", "import no_such_module_x")])},
        helpers="import os\n\n\ndef h():\n    return os.sep\n",
        test_b=TWO_TEST,
        test_c="from helpers import h\n\n\ndef test_c():\n    assert h()\n",
    )
    result, report = run(pytester, *xdist)
    assert result.ret == 0, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    (fix,) = issue["fixes"]
    assert issue["status"] == "fixed" and fix["files"] == ["test_b.py"]
    assert fix["reason"] == "kept in part: test_b.py; left out helpers.py: it broke test_c.py"
    assert "import os\n" in (pytester.path / "helpers.py").read_text()
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


@pytest.mark.parametrize("xdist", XDIST)
def test_a_fix_for_a_parametrized_test_is_verified_by_its_instances(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """A misspelled parametrized fixture: the failing test is ``test_p`` (with the fixture
    unknown it has no parameters), the rerun runs ``test_p[1]`` and ``test_p[2]``, and the
    target counts as run (it used to be rolled back: "the rerun did not run test_p.py::test_p")."""
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makeconftest(
        "import pytest\n\n\n@pytest.fixture(params=[1, 2])\n"
        "def value(request):\n    return request.param\n"
    )
    pytester.makepyfile(test_p="def test_p(valeu):\n    assert valeu in (1, 2)\n")
    result, report = run(pytester, *xdist)
    assert result.ret == 0, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["tests"] == ["test_p.py::test_p"] and issue["status"] == "fixed"
    assert report["rerun"]["passed"] == 2  # type: ignore[index]


def test_the_report_and_patch_directories_are_created(pytester: pytest.Pytester) -> None:
    make_project(pytester, ONE_FIX, test_a=ONE_TEST)
    result = pytester.runpytest_subprocess(
        "--autofix", "--autofix-report=out/deep/report.json", "--autofix-patch=out/fix.patch"
    )
    assert result.ret == 0, result.stdout.str()
    report = json.loads((pytester.path / "out" / "deep" / "report.json").read_text())
    assert report["summary"]["fixed"] == 1
    assert (pytester.path / "out" / "fix.patch").read_text().startswith("diff --git a/test_a.py")


@pytest.mark.parametrize("xdist", PLAIN)
def test_a_rerun_without_evidence_is_split_and_the_good_fix_kept(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """The twoo fix makes its test hang in the rerun, which times out and proves nothing about
    either fix: the round is split, the onee fix verified alone and kept, the twoo fix alone
    gives no evidence again and is rolled back."""
    make_project(
        pytester,
        {
            "onee": ("one", 0.95, True, []),
            "twoo": (
                "two",
                0.95,
                True,
                [("test_b.py", "return 2", "__import__('time').sleep(60)\n    return 2")],
            ),
        },
        test_a=ONE_TEST,
        test_b=TWO_TEST,
    )
    result, report = run(pytester, "--autofix-rerun-timeout=4", *xdist)
    assert result.ret == 1, result.stdout.str()
    issues = {i["message"]: i for i in report["issues"]}  # type: ignore[union-attr]
    assert issues["name 'onee' is not defined"]["status"] == "fixed"
    hung = issues["name 'twoo' is not defined"]
    assert hung["status"] == "rolled-back"
    assert "timed out after 4s" in hung["fixes"][0]["reason"]  # type: ignore[index]
    assert "assert one() == 1" in (pytester.path / "test_a.py").read_text()
    assert "sleep" not in (pytester.path / "test_b.py").read_text()


@pytest.mark.parametrize("xdist", XDIST)
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["fix", "dry-run"])
def test_an_edit_no_rerun_reaches_is_left_out_of_its_fix(
    pytester: pytest.Pytester, dry_run: list[str], xdist: list[str]
) -> None:
    """The fix also edits tools/stuff.py, which no test imports or collects: the rerun could
    prove nothing about that edit, so the fix is applied without it, and says so."""
    make_project(
        pytester,
        {"onee": ("one", 0.95, True, [("tools/stuff.py", "X = 1", "X = 2")])},
        test_a=ONE_TEST,
        **{"tools/stuff.py": "X = 1\n"},
    )
    result, report = run(pytester, *dry_run, *xdist)
    assert result.ret == (1 if dry_run else 0), result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == ("proposed" if dry_run else "fixed")
    (fix,) = issue["fixes"]
    assert fix["reason"] == (
        "not applied to tools/stuff.py: no test the rerun would run imports or collects "
        "tools/stuff.py"
    )
    assert "b/tools/stuff.py" not in fix["diff"] and "b/test_a.py" in fix["diff"]
    assert (pytester.path / "tools/stuff.py").read_text() == "X = 1\n"
    fixed = "assert one() == 1" in (pytester.path / "test_a.py").read_text()
    assert fixed is not bool(dry_run)


@pytest.mark.parametrize("xdist", XDIST)
def test_a_fix_no_rerun_reaches_at_all_is_only_suggested(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """A fix whose only edit is in a file no test imports or collects: a suggestion, with its
    diff, nothing written."""
    make_project(pytester, {}, test_a=ONE_TEST, **{"tools/stuff.py": "X = 1\n"})
    pytester.makeconftest(
        """
        import libcst as cst
        from pytest_autofix import Fix, FileEdit, IssueKind

        class Elsewhere:
            name = "test.elsewhere"
            kinds = frozenset({IssueKind.IMPORT})

            def propose(self, issue, project):
                edit = lambda m: cst.parse_module(m.code.replace("X = 1", "X = 2"))
                return [Fix("change tools", 0.95, [FileEdit("tools/stuff.py", edit)])]

        def pytest_autofix_fixers(config):
            return [Elsewhere()]
        """
    )
    before = snapshot(pytester.path)
    result, report = run(pytester, *xdist)
    assert result.ret == 1, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "suggested"
    (fix,) = issue["fixes"]
    assert not fix["applied"]
    assert fix["reason"] == (
        "not applied: no test the rerun would run imports or collects tools/stuff.py"
    )
    assert "b/tools/stuff.py" in fix["diff"]
    assert snapshot(pytester.path) == before


@pytest.mark.parametrize(
    "leave_out",
    [
        ["--deselect", "test_a.py::test_network"],
        ["-k", "not network"],
        ["-m", "not network"],
    ],
    ids=["deselect", "k", "m"],
)
def test_the_rerun_leaves_out_what_the_users_run_left_out(
    pytester: pytest.Pytester, leave_out: list[str]
) -> None:
    """The rerun names test_a.py whole (its fix is there), but a test the user's run left out
    (deselected, -k, -m) is not run by it either: not reported, not judged."""
    make_project(
        pytester,
        ONE_FIX,
        test_a="""
            import pytest

            def one():
                return 1

            def test_a():
                assert onee() == 1

            @pytest.mark.network
            def test_network():
                raise ConnectionError("no network here")
        """,
    )
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nmarkers = ["network: needs it"]\n')
    result, report = run(pytester, *leave_out)
    assert result.ret == 0, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "fixed"
    assert "test_a.py::test_network" not in result.stdout.str()
    assert result.outlines[-1] == "after autofix: 1 passed (verified by rerun)"
