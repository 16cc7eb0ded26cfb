"""The fixture fixers on a project broken in eight ways at once (a copy of examples/fixtures)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from autofix_testing import snapshot

EXAMPLE = Path(__file__).parent.parent / "examples" / "fixtures"

# message -> (the fixer whose fix was applied and verified)
EXPECTED = {
    "fixture 'stokc' not found": "fixture.renamed",
    "fixture 'user' not found": "fixture.renamed",
    "fixture 'empty_stock' not found": "fixture.move-to-conftest",
    "fixture 'settings' not found": "fixture.undecorated",
    "module-scoped fixture 'store_dir' requests function-scoped 'tmp_path'": (
        "fixture.scope-mismatch"
    ),
    "fixture 'big_stock' called directly": "fixture.called-directly",
    "nose-style setup()/teardown() methods are no longer called (removed in pytest 8)": (
        "fixture.removed-api"
    ),
    "pytest.skip(msg=...) was removed in pytest 8": "fixture.removed-api",
}

EXPECTED_CHANGES = {
    "tests/conftest.py",  # settings decorated, store_dir on tmp_path_factory, empty_stock moved in
    "tests/test_customers.py",
    "tests/test_legacy.py",
    "tests/test_orders.py",
    "tests/test_stock.py",
    "tests/test_storage.py",
}


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_one_run_repairs_every_fixture_breakage(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True)
    before = snapshot(pytester.path)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json", *xdist)
    report = json.loads((pytester.path / "r.json").read_text())
    out = result.stdout.str()
    assert {i["message"]: i["status"] for i in report["issues"]} == dict.fromkeys(
        EXPECTED, "fixed"
    ), out
    for issue in report["issues"]:
        applied = [f for f in issue["fixes"] if f["applied"]]
        assert [(f["fixer"], f["verified"]) for f in applied] == [
            (EXPECTED[issue["message"]], True)
        ], issue
    assert report["summary"]["failures"] == 13 and report["summary"]["fixed"] == 8
    # what was not applied, and why: the unsafe alternative of the scope mismatch
    scope = next(i for i in report["issues"] if i["code"] == "fixture.scope-mismatch")
    [narrow] = [f for f in scope["fixes"] if not f["applied"]]
    assert not narrow["safe"] and "unsafe" in (narrow["reason"] or "")
    # one batch, one verifying rerun: nothing deferred, nothing rolled back
    progress = [line for line in result.stdout.lines if line.startswith("autofix: ")]
    assert len(progress) == 1 and progress[0].startswith("autofix: rerunning"), progress
    assert result.ret == 0
    after = snapshot(pytester.path)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == EXPECTED_CHANGES
    conftest = after["tests/conftest.py"].decode()
    assert "@pytest.fixture\ndef settings():" in conftest
    assert "def store_dir(tmp_path_factory):" in conftest
    assert "def empty_stock():" in conftest
    assert "def empty_stock" not in after["tests/test_orders.py"].decode()
    # a plain run afterwards: every test passes (the Windows-only test skips, as meant)
    plain = pytester.runpytest_subprocess()
    plain.assert_outcomes(passed=17, skipped=1)
