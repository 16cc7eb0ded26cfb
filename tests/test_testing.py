"""``pytest_autofix.testing``: ``assert_fix`` and the issues of a real run, with a built-in fixer
and with a third party's, including what a failing ``assert_fix`` says."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import libcst as cst
import pytest

from pytest_autofix import FileEdit, Fix, Issue, IssueKind, Project
from pytest_autofix.fixers import imports
from pytest_autofix.testing import SNIPPET, assert_fix, issue_from_run, issues_from_run

# -- a third party's fixer, and hand-made issues ------------------------------------------


class _Rename(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == self.old:
            return updated_node.with_changes(value=self.new)
        return updated_node


def rename(old: str, new: str, path: str) -> FileEdit:
    return FileEdit(path, lambda module: module.visit(_Rename(old, new)))


class RenameName:
    """Renames the undefined name of an ``import.name-undefined`` issue to ``new`` wherever the
    issue surfaced, and proposes the ``extra`` fixes beside it."""

    name = "test.rename-name"
    kinds = frozenset({IssueKind.IMPORT, IssueKind.FIXTURE})

    def __init__(self, new: str = "build_user", confidence: float = 0.9, *extra: Fix) -> None:
        self.new, self.confidence, self.extra = new, confidence, extra

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        old = issue.details.get("name") or issue.details.get("argname")
        if issue.code not in ("import.name-undefined", "fixture.not-found") or not old:
            return []
        files = sorted({loc["path"] for loc in issue.details["locations"]})
        edits = [rename(old, self.new, path) for path in files]
        return [Fix(f"rename {old} to {self.new}", self.confidence, edits), *self.extra]


class Proposes:
    """Proposes the fixes it is given, for any issue."""

    name = "test.proposes"
    kinds = frozenset(IssueKind)

    def __init__(self, *fixes: Fix) -> None:
        self.fixes = fixes

    def propose(self, issue: Issue, project: Project) -> Iterable[Fix]:
        return iter(self.fixes)


def name_error(
    name: str = "make_user", path: str | None = "test_users.py", line: int = 5, *also: str
) -> Issue:
    """The issue of a NameError of ``name`` at ``path:line`` (and at line 5 of the files
    ``also``)."""
    where = path or SNIPPET
    locations = [{"path": where, "line": line}, *({"path": p, "line": 5} for p in also)]
    return Issue(
        id=f"import.name-undefined:{name}",
        kind=IssueKind.IMPORT,
        code="import.name-undefined",
        message=f"name {name!r} is not defined",
        exc_type="NameError",
        tests=(f"{where}::test_user",),
        path=path,
        line=line,
        details={"name": name, "locations": locations},
    )


HELPERS = "def build_user(name):\n    return {'name': name}\n"
USERS = """\
    from helpers import *


    def test_user():
        assert make_user("ada")["name"] == "ada"
    """
USERS_FIXED = """\
    from helpers import *


    def test_user():
        assert build_user("ada")["name"] == "ada"
    """
PROJECT = {"helpers.py": HELPERS, "test_users.py": USERS}


# -- assert_fix: passing --------------------------------------------------------------------


def test_a_third_party_fixer_before_and_after() -> None:
    result = assert_fix(
        RenameName(),
        name_error(),
        PROJECT,
        {"test_users.py": USERS_FIXED},
        count=1,
        confidence=0.9,
        safe=True,
        description="make_user to build_user",
    )
    assert result.fix is not None and result.fix.description == "rename make_user to build_user"
    assert list(result.files) == ["test_users.py"]
    assert result.files["test_users.py"].decode().endswith('build_user("ada")["name"] == "ada"\n')
    assert result.diff.startswith("diff --git a/test_users.py b/test_users.py\n")
    assert '-    assert make_user("ada")' in result.diff


def test_a_file_that_must_stay_unchanged_can_be_listed() -> None:
    assert_fix(RenameName(), name_error(), PROJECT, {**PROJECT, "test_users.py": USERS_FIXED})


def test_a_single_text_is_the_file_the_issue_names_or_the_snippet() -> None:
    before, after = "def test_user():\n    make_user()\n", "def test_user():\n    build_user()\n"
    result = assert_fix(RenameName(), name_error(line=2), before, after)
    assert list(result.files) == ["test_users.py"]
    result = assert_fix(RenameName(), name_error(path=None, line=2), before, after)
    assert list(result.files) == [SNIPPET]


def test_bytes_are_compared_byte_for_byte() -> None:
    before = b"\xef\xbb\xbf# a comment\r\nassert make_user()  \r\n"
    after = b"\xef\xbb\xbf# a comment\r\nassert build_user()  \r\n"
    assert_fix(RenameName(), name_error(line=2), before, {"test_users.py": after})
    with pytest.raises(AssertionError) as failed:
        assert_fix(
            RenameName(), name_error(line=2), before, {"test_users.py": after.replace(b"\r", b"")}
        )
    # the same text but for the line endings: the lines are shown as reprs
    assert str(failed.value).endswith(
        "-'\\ufeff# a comment\\n'\n-'assert build_user()  \\n'\n"
        "+'\\ufeff# a comment\\r\\n'\n+'assert build_user()  \\r\\n'"
    )


def test_pick_chooses_another_fix() -> None:
    other = Fix("rename to make_admin", 0.5, [rename("make_user", "make_admin", "test_users.py")])
    fixer = RenameName("build_user", 0.9, other)
    admin = {"test_users.py": USERS.replace("make_user", "make_admin")}
    assert assert_fix(fixer, name_error(), PROJECT, admin, pick=1).fix is other
    assert assert_fix(fixer, name_error(), PROJECT, admin, pick="make_admin").fix is other
    assert (
        assert_fix(fixer, name_error(), PROJECT, {"test_users.py": USERS_FIXED}, count=2).fix
        is not other
    )


def test_the_best_fix_with_edits_is_checked_before_a_better_suggestion() -> None:
    hint = Fix("look at helpers.py", 0.99)
    result = assert_fix(
        RenameName("build_user", 0.9, hint), name_error(), PROJECT, {"test_users.py": USERS_FIXED}
    )
    assert result.fixes == (hint, result.fix)


def test_a_new_file() -> None:
    fixer = Proposes(Fix("add a conftest", 0.9, [FileEdit.create("tests/conftest.py", "X = 1\n")]))
    assert_fix(fixer, name_error(), PROJECT, {"tests/conftest.py": "X = 1\n"})


def test_after_none_nothing_or_only_suggestions() -> None:
    assert assert_fix(Proposes(), name_error(), PROJECT, None, count=0).fix is None
    hint = Fix("install make-user", 0.4)
    result = assert_fix(
        Proposes(hint), name_error(), PROJECT, None, confidence=0.4, description="install"
    )
    assert result.fix is hint and result.files == {} and result.diff == ""


def test_rootdir_keeps_the_project_where_the_issue_was_made(tmp_path: Path) -> None:
    assert_fix(
        RenameName(), name_error(), PROJECT, {"test_users.py": USERS_FIXED}, rootdir=tmp_path
    )
    assert (tmp_path / "helpers.py").read_text() == HELPERS  # written there, never fixed there
    assert "make_user" in (tmp_path / "test_users.py").read_text()


# -- assert_fix: what a failure says ------------------------------------------------------------


def failure_of(*args: object, **kwargs: object) -> str:
    with pytest.raises(AssertionError) as failed:
        assert_fix(*args, **kwargs)  # type: ignore[arg-type]
    return str(failed.value)


def test_a_mismatch_is_a_unified_diff_of_expected_and_actual() -> None:
    wrong = USERS_FIXED.replace("build_user", "build_usr")
    message = failure_of(RenameName(), name_error(), PROJECT, {"test_users.py": wrong})
    assert message == (
        "assert_fix(test.rename-name, import.name-undefined:make_user):\n"
        "fix checked: 'rename make_user to build_user' (confidence 0.9, safe, 1 edit(s))\n"
        "- test_users.py: not as expected:\n"
        "--- expected/test_users.py\n"
        "+++ actual/test_users.py\n"
        "@@ -2,4 +2,4 @@\n"
        " \n"
        " \n"
        " def test_user():\n"
        '-    assert build_usr("ada")["name"] == "ada"\n'
        '+    assert build_user("ada")["name"] == "ada"'
    )


def test_every_file_not_as_expected_is_named() -> None:
    project = {**PROJECT, "test_more.py": USERS}
    two = name_error("make_user", "test_users.py", 5, "test_more.py")
    message = failure_of(
        RenameName(), two, project, {"test_users.py": USERS_FIXED, "helpers.py": "", "new.py": "x"}
    )
    assert "- helpers.py: not as expected (the fix leaves it unchanged):\n" in message
    assert "--- expected/helpers.py\n+++ actual/helpers.py\n" in message
    assert "+def build_user(name):\n" in message
    assert "- new.py: expected, but the fix does not create it\n" in message
    assert "- test_more.py: changed by the fix but not listed in `after`:\n" in message
    assert "--- before/test_more.py\n+++ actual/test_more.py\n" in message
    assert "- test_users.py" not in message


def test_the_options_are_checked_together() -> None:
    extra = Fix("a hint", 0.1)
    message = failure_of(
        RenameName("build_user", 0.9, extra),
        name_error(),
        PROJECT,
        {"test_users.py": USERS_FIXED},
        count=1,
        confidence=0.95,
        safe=False,
        description="build_admin",
    )
    assert message.splitlines()[2:] == [
        "- expected 1 fix(es), got 2",
        "- expected confidence 0.95, got 0.9",
        "- expected safe=False, got safe=True",
        "- expected the description to contain 'build_admin'",
        "fixes proposed, best first:",
        "  [0] 'rename make_user to build_user' (confidence 0.9, safe, 1 edit(s))",
        "  [1] 'a hint' (confidence 0.1, safe, a suggestion)",
    ]


def test_a_fix_with_edits_fails_after_none() -> None:
    message = failure_of(RenameName(), name_error(), PROJECT, None)
    assert (
        "- expected no fix with edits (after=None), got 'rename make_user to build_user'" in message
    )


def test_no_fix_with_edits_fails_when_after_is_given() -> None:
    message = failure_of(Proposes(Fix("a hint", 0.5)), name_error(), PROJECT, {"a.py": ""})
    assert "- expected a fix with edits, got none\nfixes proposed, best first:\n" in message
    message = failure_of(Proposes(), name_error(), PROJECT, "x = 1\n")
    assert message.endswith("- expected a fix with edits, got none\nno fix was proposed")


def test_pick_that_names_no_fix() -> None:
    assert "pick=3: there is no such fix" in failure_of(
        RenameName(), name_error(), PROJECT, {}, pick=3
    )
    fixer = RenameName("build_user", 0.9, Fix("rename it back", 0.5))
    assert "pick='rename': 2 fixes have it" in failure_of(
        fixer, name_error(), PROJECT, {}, pick="rename"
    )


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (rename("make_user", "x", "../outside.py"), "outside the rootdir"),
        (
            rename("make_user", "x", ".venv/lib/helpers.py"),
            "autofix never edits virtual environments",
        ),
        (FileEdit("test_users.py", lambda m: m.with_changes(header=[])), None),
        (FileEdit.create("helpers.py", "x = 1\n"), "FileEdit.create: helpers.py already exists"),
        (FileEdit.create("new.py", "def (:\n"), "result does not compile"),
        (FileEdit("missing.py", lambda m: m), "missing.py does not exist"),
    ],
)
def test_what_the_engine_refuses_fails_with_its_reason(edit: FileEdit, reason: str | None) -> None:
    message = failure_of(Proposes(Fix("the fix", 0.9, [edit])), name_error(), PROJECT, {"a.py": ""})
    assert message.startswith(
        "assert_fix(test.proposes, import.name-undefined:make_user): "
        "the engine would not apply the fix 'the fix': "
    )
    assert (reason or "changes nothing") in message


def test_a_fixer_that_writes_fails() -> None:
    class Writes(RenameName):
        def propose(self, issue: Issue, project: Project) -> list[Fix]:
            (project.rootdir / "helpers.py").write_text("oops\n")
            return []

    message = failure_of(Writes(), name_error(), PROJECT, None)
    assert message.endswith("propose() wrote to the project: helpers.py")


def test_a_fixer_the_issue_is_not_routed_to_fails() -> None:
    other = Issue(id="o", kind=IssueKind.OTHER, code="other.assertion", message="assert 1 == 2")
    message = failure_of(RenameName(), other, PROJECT, None)
    assert message == (
        "assert_fix(test.rename-name, o): the engine never routes this issue to the fixer: "
        "its kind 'other' is not among the fixer's kinds (fixture, import)"
    )


def test_what_is_not_a_fix_fails() -> None:
    message = failure_of(Proposes("rename it"), name_error(), PROJECT, None)  # type: ignore[arg-type]
    assert message.endswith("propose() returned what is not a Fix: str: 'rename it'")


def test_the_failure_reads_well_in_pytest_output(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fixer=f"""
        from pytest_autofix.testing import assert_fix
        from fixer_helpers import RenameName, name_error

        def test_it():
            before = {{"test_users.py": {USERS!r}}}
            assert_fix(RenameName(), name_error(), before, {{"test_users.py": "x = 1\\n"}})
        """,
        fixer_helpers=Path(__file__).read_text(encoding="utf-8").partition("\nHELPERS")[0],
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "test_fixer.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       assert_fix(RenameName(), name_error(), before, *",
            "E   *AssertionError: assert_fix(test.rename-name, import.name-undefined:make_user):",
            "E   *fix checked: 'rename make_user to build_user' (confidence 0.9, safe, 1 edit(s))",
            "E   *- test_users.py: not as expected:",
            "E   *--- expected/test_users.py",
            "E   *+++ actual/test_users.py",
            "E   *-x = 1",
            "E   *+from helpers import *",
            "test_fixer.py:6: AssertionError",
        ]
    )
    assert "def assert_fix(" not in result.stdout.str()  # the helper's frames are hidden


# -- the issues of a real run ---------------------------------------------------------------


def test_a_real_name_error_fixed_by_a_builtin_fixer(tmp_path: Path) -> None:
    before = {
        "test_io.py": """\
            import os


            def test_dump():
                assert json.dumps({"sep": os.sep})
            """
    }
    issue = issue_from_run(before, tmp_path)
    assert (issue.code, issue.kind, issue.exc_type) == (
        "import.name-undefined",
        "import",
        "NameError",
    )
    assert (issue.tests, issue.path, issue.line) == (("test_io.py::test_dump",), "test_io.py", 5)
    assert issue.details["name"] == "json"
    assert issue.details["locations"] == [{"path": "test_io.py", "line": 5}]
    result = assert_fix(
        imports.MissingImport(),
        issue,
        before,
        {
            "test_io.py": """\
                import json
                import os


                def test_dump():
                    assert json.dumps({"sep": os.sep})
                """
        },
        count=1,
        safe=True,
        description="add `import json`",
    )
    assert result.fix is not None and result.fix.confidence >= 0.9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test_io.py"]  # no cache, no bytecode


def test_a_real_misspelled_fixture_fixed_by_a_third_party_fixer(tmp_path: Path) -> None:
    before = {
        "conftest.py": """\
            import pytest


            @pytest.fixture
            def client():
                return {"name": "ada"}
            """,
        "tests/test_cart.py": """\
            def test_name(clinet):
                assert clinet["name"] == "ada"


            def test_plain():
                pass


            def test_again(clinet):
                assert clinet
            """,
    }
    issue = issue_from_run(before, tmp_path)
    assert (issue.code, issue.kind) == ("fixture.not-found", IssueKind.FIXTURE)
    assert issue.tests == ("tests/test_cart.py::test_name", "tests/test_cart.py::test_again")
    assert issue.details["argname"] == "clinet" and "client" in issue.details["available"]
    assert (issue.path, issue.line) == ("tests/test_cart.py", 1)
    assert_fix(
        RenameName("client"),
        issue,
        before,
        {"tests/test_cart.py": before["tests/test_cart.py"].replace("clinet", "client")},
        description="rename clinet to client",
    )


def test_issues_of_a_run_are_grouped_by_root_cause(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
        "shop/__init__.py": "",
        "shop/prices.py": "def total(items):\n    return sum(items)\n",
        "tests/test_orders.py": "from shop.pricing import total\n",
        "tests/test_math.py": """\
            def test_a():
                assert helper() == 1


            def test_b():
                assert helper() == 2


            def test_c():
                assert 1 + 1 == 3
            """,
    }
    issues = issues_from_run(files, tmp_path)
    assert [(i.code, i.tests) for i in issues] == [  # collection errors come first
        ("import.module-not-found", ("tests/test_orders.py",)),
        ("import.name-undefined", ("tests/test_math.py::test_a", "tests/test_math.py::test_b")),
        ("other.assertion", ("tests/test_math.py::test_c",)),
    ]
    # node ids narrow the run; a code (or a prefix of codes) picks the issue
    issue = issue_from_run(
        {}, tmp_path, "tests/test_math.py::test_c", "tests/test_orders.py", code="import"
    )
    assert issue.details["module"] == "shop.pricing"
    with pytest.raises(
        AssertionError, match=r"expected one issue with code 'import', the run gave 2 of 3:\n"
    ):
        issue_from_run({}, tmp_path, code="import")
    with pytest.raises(
        AssertionError, match=r"expected one issue, the run gave 0 \(no test failed\)"
    ):
        issue_from_run("def test_fine():\n    pass\n", tmp_path / "green")


def test_a_configuration_above_the_rootdir_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    issue = issue_from_run("def test_x():\n    assert nope\n", tmp_path / "project")
    assert issue.tests == (f"{SNIPPET}::test_x",)


def test_a_run_that_cannot_run_says_why(tmp_path: Path) -> None:
    with pytest.raises(
        RuntimeError, match=r"(?s)pytest ended with status 4 and no results:.*--no-such-option"
    ):
        issues_from_run("def test_x():\n    pass\n", tmp_path, "--no-such-option")


def test_importing_the_helpers_loads_nothing_heavy() -> None:
    code = (
        "import json, sys\nimport pytest_autofix.testing\n"
        "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules} "
        "& {'libcst', 'pydantic', 'rich', 'pytest', '_pytest'})))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == []
