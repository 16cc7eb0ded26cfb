"""The documentation's examples run as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"


def python_blocks(name: str) -> list[str]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_worked_fixer_example_fixes_and_verifies(pytester: pytest.Pytester) -> None:
    (conftest,) = [b for b in python_blocks("api.md") if b.startswith("# conftest.py")]
    pytester.makeconftest(conftest)
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makepyfile(
        helpers="def build_user(name):\n    return {'name': name}\n",
        test_users=(
            "from helpers import *\n\n\n"
            "def test_user():\n    assert make_user('ada')['name'] == 'ada'\n\n\n"
            "def test_other():\n    assert make_user('bob')\n"
        ),
    )
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    assert result.ret == 0, result.stdout.str()
    report = json.loads((pytester.path / "r.json").read_text())
    (issue,) = report["issues"]
    assert issue["status"] == "fixed"
    assert issue["fixes"][0]["fixer"] == "project.helper-renamed"
    assert "build_user('ada')" in (pytester.path / "test_users.py").read_text()


def test_testing_a_fixer_example_passes_and_its_failure_reads_as_shown(
    pytester: pytest.Pytester,
) -> None:
    blocks = python_blocks("api.md")
    (conftest,) = [b for b in blocks if b.startswith("# conftest.py")]
    (tests,) = [b for b in blocks if b.startswith("# test_helper_renames.py")]
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    (shown,) = re.findall(r"```text\n(E +AssertionError: assert_fix.*?)```", text, re.S)
    # beside the example, the failure the docs show: its first test with a mistake in `after`
    wrong = tests.replace('assert build_user("ada")', 'assert build_user("ada ")')
    wrong = wrong.partition("\n\n\ndef test_other_names")[0]
    assert 'build_user("ada ")' in wrong
    pytester.makeconftest(conftest)
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makepyfile(test_helper_renames=tests, test_mistake=wrong)
    # the files named: pytester's runs keep their tmp_path (with the test modules that
    # issue_from_run wrote) in the directory, where a plain run would collect them
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "test_helper_renames.py", "test_mistake.py"
    )
    result.assert_outcomes(passed=2, failed=1)
    lines = [line.rstrip() for line in result.outlines]
    expected = [line.rstrip() for line in shown.splitlines()]
    assert expected[0] in lines, result.stdout.str()
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected


def _shape(value: object) -> object:
    """The keys of a JSON value, recursively (a list by its first item)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def test_the_documented_json_report_is_what_a_run_writes(pytester: pytest.Pytester) -> None:
    text = (DOCS / "usage.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```json\n(.*?)```", text, re.S)
    documented = json.loads(block)
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    (pytester.path / "test_shop.py").write_text(
        "import collections\n\n\n"
        "def test_mapping():\n    assert isinstance({}, collections.Mapping)\n",
        encoding="utf-8",
    )
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    assert result.ret == 0, result.stdout.str()
    written = json.loads((pytester.path / "r.json").read_text())
    assert _shape(written) == _shape(documented)
    del written["rerun"]["seconds"], documented["rerun"]["seconds"]
    assert written == documented  # the same run, the same report
