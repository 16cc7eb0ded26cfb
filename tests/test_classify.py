"""Classification as a pure function: Failure facts in, kind/code/key out; every rule of the
table tested from its own examples."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest

from pytest_autofix import codes, details
from pytest_autofix.catalogue import builtin
from pytest_autofix.config import notes_key
from pytest_autofix.engine.classify import (
    RULES,
    Context,
    Example,
    Match,
    Rule,
    classify,
    failing,
    group,
    mismatches,
    plugin_rules,
    rule,
)
from pytest_autofix.model import Failure, Frame

CTX = Context(frozenset({"shop"}), builtin())


def failure(exc_type: str, message: str, source: str = "", **facts: object) -> Failure:
    mro = facts.pop("exc_mro", [exc_type])
    return Failure(
        nodeid="tests/test_x.py::test_x",
        when="call",
        exc_type=exc_type,
        message=message,
        facts={"exc_type": exc_type, "exc_mro": mro, "message": message, **facts},
        frame=Frame(path="tests/test_x.py", line=3, function="test_x", source=source),
    )


def test_a_catalogued_deprecation_raised_as_an_error_is_a_removed_api() -> None:
    f = failure(
        "DeprecationWarning",
        "The SafeConfigParser class has been renamed to ConfigParser in Python 3.2.",
        source="parser = configparser.SafeConfigParser()",
        exc_mro=["DeprecationWarning", "Warning", "Exception"],
        is_warning=True,
    )
    v = classify(f, CTX)
    assert (v.code, v.key) == ("environment.removed-api", "configparser.SafeConfigParser")
    assert v.details["form"] == "deprecation"


def test_an_unknown_deprecation_is_not_called_a_removed_api() -> None:
    f = failure(
        "DeprecationWarning",
        "something else is deprecated",
        source="thing.old_call()",
        exc_mro=["DeprecationWarning", "Warning", "Exception"],
        is_warning=True,
    )
    assert classify(f, CTX).code == "other.exception"


def test_a_future_warning_is_a_deprecation_only_when_it_says_so() -> None:
    """pandas' FutureWarning announces removals and changes of behaviour alike."""

    def code(message: str) -> str:
        f = failure(
            "FutureWarning",
            message,
            source="merged = frame.append(row)",
            exc_mro=["FutureWarning", "Warning", "Exception"],
            is_warning=True,
            warned_from="pandas.core.frame",
        )
        return classify(f, CTX).code

    assert code("The frame.append method is deprecated and will be removed") == (
        "environment.removed-api"
    )
    assert code("The behavior of array concatenation with empty entries will change") == (
        "other.exception"
    )


def test_removed_module_attribute_and_its_import_form_are_one_issue() -> None:
    attr = failure(
        "AttributeError",
        "module 'collections' has no attribute 'Mapping'",
        attr="Mapping",
        obj_kind="module",
        obj_module="collections",
        obj_origin="stdlib",
    )
    imported = failure(
        "ImportError",
        "cannot import name 'Mapping' from 'collections'",
        module="collections",
        import_name="Mapping",
        origin="stdlib",
        exc_mro=["ImportError", "Exception"],
    )
    (issue,) = group([attr, dataclasses.replace(imported, nodeid="tests/test_y.py")], CTX)
    assert issue.code == "environment.removed-api"
    assert issue.tests == ("tests/test_x.py::test_x", "tests/test_y.py")


def test_missing_package_vs_project_module_vs_misspelling() -> None:
    def code(module: str, origin: str) -> str:
        f = failure(
            "ModuleNotFoundError", f"No module named '{module}'", module=module, origin=origin
        )
        return classify(f, CTX).code

    assert code("shop.pricing", "project") == "import.module-not-found"
    assert code("colections", "missing") == "import.module-not-found"  # a stdlib misspelling
    assert code("somethingelse_pkg", "missing") == "environment.missing-package"
    assert code("imp", "missing") == "environment.removed-api"


# -- the rule table, tested from every rule's own examples ------------------------------------

EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.name}-{i}")
    for rule in RULES
    for i, example in enumerate(rule.examples, 1)
]


def example_ctx(example: Example) -> Context:
    return Context(example.project_modules, builtin())


def deciding_rule(failure: Failure, ctx: Context) -> str | None:
    return next((r.name for r in RULES if r.match(failure, ctx) is not None), None)


def test_every_rule_has_a_unique_name_a_doc_and_examples() -> None:
    names = [r.name for r in RULES]
    assert len(set(names)) == len(names)
    assert not [r.name for r in RULES if not r.examples or not r.doc]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_rule_example_is_classified_as_it_says(rule: Rule, example: Example) -> None:
    ctx = example_ctx(example)
    assert mismatches(example, ctx) == []
    assert deciding_rule(example.failure, ctx) == rule.name  # no earlier rule takes it


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_rule_example_needs_its_rule(rule: Rule, example: Example) -> None:
    """An example that the table without its rule classifies the same way shows nothing."""
    without = [r for r in RULES if r is not rule]
    assert mismatches(example, example_ctx(example), without) != []


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_rule_example_details_are_those_of_its_code(rule: Rule, example: Example) -> None:
    v = classify(example.failure, example_ctx(example))
    assert v.code in codes.CODES
    typed = details.BY_CODE[v.code]
    assert set(v.details) <= set(typed.__annotations__)
    assert typed.__required_keys__ <= set(v.details)  # type: ignore[attr-defined]


def test_every_code_has_a_details_type_and_a_rule_or_the_default() -> None:
    assert set(details.BY_CODE) == set(codes.CODES)
    given = {example.code for rule in RULES for example in rule.examples}
    assert set(codes.CODES) - given == set()


def test_a_failure_no_rule_matches_is_other_exception_at_its_place() -> None:
    f = failure("ValueError", "invalid literal for int() with base 10: 'x'")
    assert deciding_rule(f, CTX) is None
    v = classify(f, CTX)
    assert (v.code, v.key) == ("other.exception", "ValueError@tests/test_x.py:3")
    assert v.details == {"exc_type": "ValueError"}
    assert v.message == "invalid literal for int() with base 10: 'x'"
    assert (v.path, v.line) == ("tests/test_x.py", 3)


def test_a_collector_without_a_project_frame_is_reported_at_its_file() -> None:
    f = dataclasses.replace(
        failing("ValueError", "", where=None, phase="collect", node_path="tests/test_y.py"),
    )
    v = classify(f, CTX)
    assert (v.path, v.line, v.message) == ("tests/test_y.py", None, "ValueError")


def test_context_rules_come_before_the_built_in_table() -> None:
    @rule(Example(failing("AssertionError", "assert 1 == 2"), "other.mine", "k"))
    def mine(failure: Failure, ctx: Context) -> Match | None:
        return Match("other.mine", "k") if "AssertionError" in failure.exc_type else None

    (example,) = mine.examples
    ctx = Context(frozenset(), builtin(), rules=(mine,))
    assert mismatches(example, ctx) == []
    assert classify(example.failure, CTX).code == "other.assertion"  # without it
    assert mine.name == "mine"


class _Config:
    """What plugin_rules reads of a pytest config: the hook and the stash."""

    def __init__(self, *results: list[object]) -> None:
        self.stash = pytest.Stash()
        self.hook = SimpleNamespace(pytest_autofix_classify_rules=lambda config: list(results))


def test_plugin_rules_that_break_are_passed_over_and_noted_once() -> None:
    def raises(failure: Failure, ctx: Context) -> Match | None:
        raise RuntimeError("oops")

    def bad_code(failure: Failure, ctx: Context) -> Match | None:
        return Match("flaky.network", "k")

    def fine(failure: Failure, ctx: Context) -> Match | None:
        return Match("other.fine", failure.nodeid)

    config = _Config(
        [Rule("raises", raises), "not a rule"], [Rule("bad-code", bad_code), Rule("fine", fine)]
    )
    rules = plugin_rules(config)  # type: ignore[arg-type]
    assert [r.name for r in rules] == ["raises", "bad-code", "fine"]
    ctx = Context(frozenset(), builtin(), rules=rules)
    for nodeid in ("t.py::a", "t.py::b"):
        f = dataclasses.replace(failure("ValueError", "x"), nodeid=nodeid)
        assert (classify(f, ctx).code, classify(f, ctx).key) == ("other.fine", nodeid)
    notes = config.stash[notes_key]
    assert len(notes) == 3, notes
    assert "returned 'not a rule', not a pytest_autofix.engine.classify.Rule" in notes[0]
    assert "classify rule 'raises' (test_classify) raised RuntimeError: oops on t.py::a" in notes[1]
    assert "rule 'bad-code' (test_classify) gave the code 'flaky.network'" in notes[2]


def test_no_hook_no_plugin_rules() -> None:
    assert plugin_rules(SimpleNamespace(hook=SimpleNamespace())) == ()  # type: ignore[arg-type]


def test_one_nose_issue_carries_the_owners_every_failure_saw() -> None:
    """Failures of classes with nose methods from different owners are one issue; its details
    list every owner (the fix renames them all), whichever rule matched the first failure."""

    def owner(cls: str, path: str) -> dict[str, object]:
        return {"method": "setup", "cls": cls, "module": "m", "path": path, "assigns": []}

    own = failing(
        "AttributeError",
        "'TestA' object has no attribute 'x'",
        test="tests/test_a.py::TestA::test_1",
        attr="x",
        obj_kind="instance",
        test_class="TestA",
        class_is_unittest=False,
        nose_methods=["setup"],
        nose_assigns=["x"],
    )
    inherited = [
        failing(
            "AssertionError",
            "assert 1 == 2",
            test=f"tests/test_b.py::{cls}::test_1",
            node_class=cls,
            node_is_unittest=False,
            node_nose=[owner(base, path)],  # type: ignore[list-item]
        )
        for cls, base, path in [
            ("TestB", "BaseB", "tests/base.py"),
            ("TestC", "BaseC", "tests/other.py"),
            ("TestD", "BaseB", "tests/base.py"),
        ]
    ]
    (issue,) = group([own, *inherited], CTX)
    assert issue.details["api"] == "nose-setup" and len(issue.tests) == 4
    assert issue.details["owners"] == [
        owner("BaseB", "tests/base.py"),
        owner("BaseC", "tests/other.py"),
    ]


def test_an_attribute_a_library_module_lacks_is_one_issue_wherever_it_surfaced(
    tmp_path: Path,
) -> None:
    """A real run: ``json.laods`` read on two lines of two tests (and a helper) is one issue
    with both tests, not one per line."""
    from pytest_autofix.testing import issues_from_run

    issues = issues_from_run(
        """\
        import json


        def parse(text):
            return json.laods(text)


        def test_parse():
            assert parse("1") == 1


        def test_inline():
            assert json.laods("2") == 2
        """,
        tmp_path,
    )
    [issue] = issues
    assert (issue.code, issue.details["api"]) == ("environment.removed-api", "json.laods")
    assert issue.message == "module 'json' has no attribute 'laods'"
    assert sorted(issue.tests) == ["test_snippet.py::test_inline", "test_snippet.py::test_parse"]


NATIVE = """\
    import collections
    import traceback
    import unittest


    class _StringException(Exception):
        '''What testtools hands unittest: the error as text, no traceback object.'''


    def registry():
        return collections.Mapping


    class TestLegacy(unittest.TestCase):
        def run(self, result=None):
            result.startTest(self)
            try:
                registry()
            except Exception:
                error = _StringException(traceback.format_exc())
                result.addError(self, (_StringException, error, None))
            result.stopTest(self)

        def test_registry(self):
            pass
    """


def test_an_error_pytest_can_only_show_natively_is_read_from_its_text(tmp_path: Path) -> None:
    """testtools (and trial) give unittest an error pytest cannot represent: it fails the test
    with "NOTE: Incompatible Exception Representation" and the traceback as text. The error
    and its frames are read from that text, so the removal is recognised where it happened."""
    from pytest_autofix.testing import issues_from_run

    [issue] = issues_from_run(NATIVE, tmp_path)
    assert (issue.code, issue.details["api"]) == ("environment.removed-api", "collections.Mapping")
    assert (issue.path, issue.line) == ("test_snippet.py", 11)
