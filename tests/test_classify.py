"""Classification as a pure function: Failure facts in, kind/code/key out."""

from __future__ import annotations

import dataclasses

from pytest_autofix.catalogue import builtin
from pytest_autofix.engine.classify import Context, classify, group
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
