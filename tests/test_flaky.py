"""A test that fails in the rerun for a reason that is not the fix: it depends on a test the
rerun does not run (order-dependent), or it fails every other run (flaky, made deterministic
with a counter file). The regression is confirmed before a fix is blamed: a correct fix is
kept, and a fix that really breaks a test is still rolled back. Real sessions, real reruns."""

from __future__ import annotations

import pytest
from autofix_testing import snapshot
from test_engine import make_project, run

# A state module a test in test_a_setup.py sets up and test_b_uses.py relies on: run alone,
# test_b_uses.py fails, with or without any fix.
ORDER = {
    "state.py": "READY = False\n",
    "tests/test_a_setup.py": """
        import state

        def test_setup():
            state.READY = True
    """,
    "tests/test_b_uses.py": """
        import state

        def one():
            return 1

        def test_ready():
            assert state.READY

        def test_x():
            assert onee() == 1
    """,
}
# test_bad.py fails (badx); its fix also changes VALUE in pkg/shared.py, which test_shared.py
# reads: a real regression
REAL = {
    "pkg/__init__.py": "",
    "pkg/shared.py": (
        "VALUE = 1\n\n\ndef bad():\n    return 5\n\n\ndef compute():\n    return badx()\n"
    ),
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
}
RULES = {
    "onee": ("one", 0.95, True, []),
    "badx": ("bad", 0.95, True, [("pkg/shared.py", "VALUE = 1", "VALUE = 2")]),
}
# fails on every second run of the process that runs it: the first run passes
FLIP = """
    import pathlib

    RUNS = pathlib.Path(__file__).parent.parent / "runs.txt"

    def one():
        return 1

    def test_flip():
        runs = int(RUNS.read_text()) + 1 if RUNS.exists() else 1
        RUNS.write_text(str(runs))
        assert runs % 2 == 1, f"run {runs}"

    def test_x():
        assert onee() == 1
"""


def _statuses(report: dict[str, object]) -> dict[str, str]:
    return {i["message"]: i["status"] for i in report["issues"]}  # type: ignore[union-attr]


def test_an_order_dependent_test_is_not_held_against_a_correct_fix(
    pytester: pytest.Pytester,
) -> None:
    make_project(pytester, RULES, **ORDER, **REAL)
    before = snapshot(pytester.path)
    result, report = run(pytester)
    out = result.stdout.str()
    assert _statuses(report) == {
        "name 'onee' is not defined": "fixed",
        "name 'badx' is not defined": "rolled-back",
    }, out
    assert "assert one() == 1" in (pytester.path / "tests/test_b_uses.py").read_text()
    # the real regression is still rolled back, byte for byte
    after = snapshot(pytester.path)
    assert after["pkg/shared.py"] == before["pkg/shared.py"]
    assert after["tests/test_bad.py"] == before["tests/test_bad.py"]
    (bad,) = [i for i in report["issues"] if i["status"] == "rolled-back"]  # type: ignore[union-attr]
    assert "tests/test_shared.py::test_value" in bad["fixes"][0]["reason"]
    result.stdout.fnmatch_lines(
        [
            "*tests/test_b_uses.py::test_ready fails without the fix as well (order-dependent "
            "or flaky): not held against the fix*"
        ]
    )
    assert result.ret == 1  # test_bad still fails
    assert result.outlines[-1] == "after autofix: 4 passed, 1 failed (verified by rerun)"
    pytester.runpytest_subprocess().assert_outcomes(passed=4, failed=1)


def test_a_flaky_test_is_not_held_against_a_correct_fix(pytester: pytest.Pytester) -> None:
    make_project(pytester, RULES, **{"tests/test_flip.py": FLIP})
    result, report = run(pytester)
    out = result.stdout.str()
    assert _statuses(report) == {"name 'onee' is not defined": "fixed"}, out
    assert "assert one() == 1" in (pytester.path / "tests/test_flip.py").read_text()
    result.stdout.fnmatch_lines(
        [
            "*tests/test_flip.py::test_flip passed when rerun with the fix (flaky): not held "
            "against the fix*"
        ]
    )
    assert result.ret == 0, out
    assert result.outlines[-1] == "after autofix: 2 passed (verified by rerun)"
