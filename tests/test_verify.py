"""The rerun result's questions (``ran``, ``failed``) answered from an index, not a scan."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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
