"""The rerun result's questions (``ran``, ``failed``) answered from an index, not a scan; and
reruns that did not run, which prove nothing and say why (real subprocesses)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_autofix import verify
from pytest_autofix.verify import RerunResult, under

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
    pytester.makeconftest("raise RuntimeError('conftest gives up')\n")  # broken since
    result = verify.rerun(config, pytester.path / "state", ["test_a.py"], 120)
    assert result.error is not None, result
    assert result.error.startswith("the rerun ended with status 4 and no results: ")
    assert "conftest gives up" in result.error
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


def test_a_collection_error_does_not_stop_the_rerun(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\naddopts = ['-x']\n")
    pytester.makepyfile(test_a="import no_such_module\n", test_b="def test_b():\n    pass\n")
    config = pytester.parseconfigure()
    result = verify.rerun(config, pytester.path / "state", ["test_a.py", "test_b.py"], 120)
    assert result.error is None, result.error
    assert result.failed("test_a.py") and result.outcomes["test_b.py::test_b"] == "passed"
    assert [f.nodeid for f in result.failures] == ["test_a.py"]
