"""The rerun result's questions (``ran``, ``failed``) answered from an index, not a scan; and
reruns that did not run, which prove nothing and say why (real subprocesses)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_autofix.engine import verify
from pytest_autofix.engine.verify import RerunResult, under
from pytest_autofix.model import FileEdit
from pytest_autofix.project import Project

# node ids built from the characters that matter: path and name separators, brackets
NODE = st.text(alphabet="ab/:[]", min_size=1, max_size=12)


@settings(max_examples=1000, deadline=None)
@given(
    outcomes=st.dictionaries(NODE, st.sampled_from(["passed", "failed", "skipped"]), max_size=8),
    asked=st.lists(NODE, max_size=8),
)
def test_ran_and_failed_agree_with_under(outcomes: dict[str, str], asked: list[str]) -> None:
    result = RerunResult(list(outcomes), outcomes, [], 0.0, 0)
    for nodeid in [*asked, *outcomes]:
        assert result.ran(nodeid) == any(under(n, nodeid) for n in outcomes)
        assert result.failed(nodeid) == any(
            o == "failed" for n, o in outcomes.items() if under(n, nodeid)
        )


def test_a_rerun_that_did_not_run_fails_everything() -> None:
    result = RerunResult(["t.py"], {"t.py::a": "passed"}, [], 0.0, -9, error="timed out")
    assert result.failed("t.py::a") and result.ran("t.py::a")


def test_an_interrupted_rerun_proves_nothing_and_says_why(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makepyfile(test_a="def test_a():\n    raise KeyboardInterrupt\n")
    config = pytester.parseconfigure()
    result = verify.rerun(config, pytester.path / "state", ["test_a.py"], 120)
    assert result.error is not None, result
    assert result.error.startswith("the rerun failed to run (pytest exit status 2): ")
    assert "KeyboardInterrupt" in result.error  # the last lines of its output
    assert result.failed("test_a.py::test_a")


def test_a_rerun_without_results_proves_nothing_and_says_why(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    config = pytester.parseconfigure()
    # broken since (a conftest that does not import would be the rerun's collection error)
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\naddopts = ["--gives-up"]\n')
    result = verify.rerun(config, pytester.path / "state", ["test_a.py"], 120)
    assert result.error is not None, result
    assert result.error.startswith("the rerun ended with status 4 and no results: ")
    assert "unrecognized arguments: --gives-up" in result.error
    assert result.returncode == 4 and result.failed("test_a.py::test_a")


def test_a_parametrized_target_is_run_by_its_instances_and_the_other_way_round() -> None:
    result = RerunResult(
        ["t.py"],
        {"t.py::test_x[1]": "passed", "t.py::test_x[2]": "failed", "t.py::y": "passed"},
        [],
        0.0,
        1,
    )
    assert result.ran("t.py::test_x") and result.failed("t.py::test_x")
    assert not result.ran("t.py::test_xy") and not result.ran("t.py::test_x[3]")
    assert result.ran("t.py::y[1]") and not result.failed("t.py::y[1]")
    assert under("t.py::test_x[1]", "t.py::test_x") and under("t.py::y", "t.py::y[1]")
    assert not under("t.py::test_xy", "t.py::test_x")


def test_a_target_is_run_by_the_instances_another_parametrization_widened_it_to() -> None:
    outcomes = {
        "t.py::test_db[sqlite-1]": "passed",
        "t.py::test_db[postgres-1]": "passed",
        "t.py::test_db[sqlite-2]": "passed",
        "t.py::test_db[postgres-2]": "failed",
        "t.py::test_db[10]": "failed",
    }
    result = RerunResult(["t.py"], outcomes, [], 0.0, 1)
    assert result.ran("t.py::test_db[1]") and not result.failed("t.py::test_db[1]")
    assert result.ran("t.py::test_db[2]") and result.failed("t.py::test_db[2]")
    assert not result.ran("t.py::test_db[3]") and result.ran("t.py::test_db[sqlite]")
    assert under("t.py::test_db[sqlite-1]", "t.py::test_db[1]")
    assert not under("t.py::test_db[10]", "t.py::test_db[1]")
    assert not under("t.py::test_db[1-sqlite]", "t.py::test_db[sqlite-1]")


def test_a_collection_error_does_not_stop_the_rerun(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\naddopts = ['-x']\n")
    pytester.makepyfile(test_a="import no_such_module\n", test_b="def test_b():\n    pass\n")
    config = pytester.parseconfigure()
    result = verify.rerun(config, pytester.path / "state", ["test_a.py", "test_b.py"], 120)
    assert result.error is None, result.error
    assert result.failed("test_a.py") and result.outcomes["test_b.py::test_b"] == "passed"
    assert [f.nodeid for f in result.failures] == ["test_a.py"]


def test_the_parts_of_a_fix_serve_the_targets_their_edits_reach(tmp_path: Path) -> None:
    """A fix's edits grouped by file and scope, each with the targets a rerun of which reaches
    it: its own tests, the tests under its scope, the importers of a module, every test below a
    conftest.py."""
    files = {
        "pkg/__init__.py": "",
        "pkg/mod.py": "X = 1\n",
        "tests/conftest.py": "",
        "tests/test_a.py": "from pkg.mod import X\n\n\ndef test_a():\n    assert X\n",
        "tests/test_b.py": "class TestB:\n    def test_b(self):\n        pass\n",
        "tests/test_c.py": "class TestC:\n    def test_c(self):\n        pass\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    project = Project(tmp_path)
    targets = [
        "tests/test_a.py::test_a",
        "tests/test_b.py::TestB::test_b[1]",
        "tests/test_c.py::TestC::test_c",
    ]

    def edit(rel: str, scope: str | None = None) -> FileEdit:
        return FileEdit(rel, lambda module: module, scope=scope)

    edits = [
        edit("pkg/mod.py"),
        edit("tests/test_b.py", "tests/test_b.py::TestB"),
        edit("tests/test_b.py", "tests/test_b.py::TestB"),
        edit(str(tmp_path / "tests/test_b.py"), "tests/test_b.py::Other"),
        edit("tests/conftest.py"),
        edit("tests/test_c.py"),
    ]
    parts = {
        p.label: (len(p.edits), set(p.serves))
        for p in verify.parts(project, tmp_path, edits, targets)
    }
    assert parts == {
        "pkg/mod.py": (1, {"tests/test_a.py::test_a"}),
        "tests/test_b.py::TestB": (2, {"tests/test_b.py::TestB::test_b[1]"}),
        "tests/test_b.py::Other": (1, set()),
        "tests/conftest.py": (1, set(targets)),
        "tests/test_c.py": (1, {"tests/test_c.py::TestC::test_c"}),
    }
    (part,) = [p for p in verify.parts(project, tmp_path, edits[:2], targets) if p.scope]
    assert part.touches(project, ["tests/test_b.py::TestB::test_b[2]"])
    assert not part.touches(project, ["tests/test_b.py::test_other"])
    (module,) = verify.parts(project, tmp_path, edits[:1], targets)
    assert module.touches(project, ["tests/test_a.py::test_other"])
    assert not module.touches(project, ["tests/test_c.py::TestC::test_c"])
