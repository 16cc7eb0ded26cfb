"""Rules from a plugin (the ``pytest_autofix_classify_rules`` hook) in real sessions: the worked
example of docs/classify.md classifies a failure as its own code and its fixer fixes it; a rule
that breaks is passed over and reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pytest_autofix.catalogue import builtin
from pytest_autofix.engine.classify import Context, Rule, classify, mismatches

DOC = Path(__file__).parent.parent / "docs" / "classify.md"


def conftest_block() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    (block,) = [b for b in blocks if b.startswith("# conftest.py")]
    return block


HELPERS = '''
class Moved(Exception):
    """Raised by a helper that moved: the message says where."""


def build_user(name):
    return {"name": name}


def make_user(name):
    raise Moved("make_user() moved: call build_user()")
'''

TESTS = """
import helpers


def test_user():
    assert helpers.make_user("ada")["name"] == "ada"


def test_other():
    assert helpers.make_user("bob")
"""


def test_the_documented_rule_carries_examples_that_hold() -> None:
    namespace: dict[str, object] = {}
    exec(compile(conftest_block(), "conftest.py", "exec"), namespace)
    rule = namespace["helper_moved"]
    assert isinstance(rule, Rule) and rule.examples
    ctx = Context(frozenset(), builtin(), rules=(rule,))
    for example in rule.examples:
        assert mismatches(example, ctx) == []
        assert classify(example.failure, Context(frozenset(), builtin())).code == (
            "other.exception"  # what it is without the plugin's rule
        )


def test_a_conftest_rule_gives_a_code_its_conftest_fixer_fixes(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(conftest_block())
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makepyfile(helpers=HELPERS, test_users=TESTS)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    assert result.ret == 0, result.stdout.str()
    report = json.loads((pytester.path / "r.json").read_text())
    (issue,) = report["issues"]
    assert (issue["code"], issue["kind"], issue["status"]) == (
        "other.helper-moved",
        "other",
        "fixed",
    )
    assert issue["message"] == "make_user() moved to build_user()"
    assert issue["tests"] == ["test_users.py::test_user", "test_users.py::test_other"]
    assert issue["fixes"][0]["fixer"] == "project.helper-moved"
    text = (pytester.path / "test_users.py").read_text()
    assert 'helpers.build_user("ada")' in text and "make_user" not in text


BROKEN = """
from pytest_autofix.engine.classify import Match, Rule


def explode(failure, ctx):
    raise RuntimeError("rule bug")


def wrong_kind(failure, ctx):
    return Match("flaky.thing", "k")


def pytest_autofix_classify_rules(config):
    return [Rule("explode", explode), Rule("wrong-kind", wrong_kind), "not a rule"]
"""


def test_broken_plugin_rules_are_passed_over_and_reported(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(BROKEN)
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makepyfile(test_a="def test_a():\n    assert 1 == 2\n")
    result = pytester.runpytest_subprocess("--autofix", "--dry-run", "--autofix-report=r.json")
    assert result.ret == 1, result.stdout.str()
    (issue,) = json.loads((pytester.path / "r.json").read_text())["issues"]
    assert issue["code"] == "other.assertion"  # the built-in table decided
    out = result.stdout.str()
    assert "classify rule 'explode' (conftest) raised RuntimeError: rule bug" in out
    assert "classify rule 'wrong-kind' (conftest) gave the code 'flaky.thing'" in out
    assert "returned 'not a rule', not a pytest_autofix.engine.classify.Rule" in out
