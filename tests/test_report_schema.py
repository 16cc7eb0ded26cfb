"""The JSON report's published schema (pytest_autofix/data/report.schema.json): the file is what
the pydantic models generate, and real reports validate against the file itself."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from pytest_autofix.report.schema import (
    REPORT_VERSION,
    SCHEMA_ID,
    Report,
    dumps_schema,
    json_schema,
)

REPO = Path(__file__).resolve().parent.parent
SCHEMA_FILE = REPO / "pytest_autofix" / "data" / "report.schema.json"
REGENERATE = "python -m pytest_autofix.report.schema > pytest_autofix/data/report.schema.json"

PROJECT = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    "shop/__init__.py": "",
    "shop/prices.py": "def total(items):\n    return sum(items)\n",
    "tests/test_orders.py": (
        "from shop.pricing import total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n"
    ),
    "tests/test_cart.py": "def test_name(clinet):\n    assert clinet\n",
    "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef client():\n    return 1\n",
    "tests/test_math.py": "def test_round():\n    assert round(2.675, 2) == 2.68\n",
}


# -- a validator for the subset of JSON Schema that pydantic generates ------------------------


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$") -> None:
    """Raise ``AssertionError`` naming the path of the first part of ``value`` that ``schema``
    rejects (``$ref``, ``anyOf``, ``enum``, ``const``, ``type``, objects, arrays)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        validate(value, root["$defs"][name], root, at)
        return
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            try:
                validate(value, option, root, at)
            except AssertionError:
                continue
            return
        raise AssertionError(f"{at}: {value!r} matches none of {schema['anyOf']}")
    assert "enum" not in schema or value in schema["enum"], f"{at}: {value!r} not in enum"
    assert "const" not in schema or value == schema["const"], f"{at}: {value!r} != const"
    kinds: dict[str, type | tuple[type, ...]] = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
    }
    if "type" in schema:
        kind = kinds[schema["type"]]
        assert isinstance(value, kind), f"{at}: {value!r} is not {schema['type']}"
        is_bool = isinstance(value, bool)
        assert not is_bool or schema["type"] == "boolean", f"{at}: {value!r} is a boolean"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        missing = set(schema.get("required", ())) - value.keys()
        assert not missing, f"{at}: missing {sorted(missing)}"
        extra = value.keys() - properties.keys()
        assert schema.get("additionalProperties", True) or not extra, f"{at}: extra {extra}"
        for key, item in value.items():
            if key in properties:
                validate(item, properties[key], root, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], root, f"{at}[{i}]")


def published() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


# -- the file ---------------------------------------------------------------------------------


def test_the_published_schema_is_what_the_models_generate() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == dumps_schema(), (
        f"report.schema.json is stale: regenerate it with `{REGENERATE}`"
    )
    assert published() == json_schema()


def test_the_schema_is_versioned_and_names_the_report_version() -> None:
    schema = published()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID == f"urn:pytest-autofix:report:v{REPORT_VERSION}"
    assert schema["properties"]["version"]["const"] == REPORT_VERSION
    assert Report.model_fields["version"].default == REPORT_VERSION
    assert "version" in schema["required"]  # always written, so required


def test_the_schema_is_package_data_and_its_command_is_documented() -> None:
    shipped = resources.files("pytest_autofix").joinpath("data", "report.schema.json")
    assert json.loads(shipped.read_text(encoding="utf-8")) == published()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'pytest_autofix = \[[^]]*"data/\*\.json"', pyproject)
    usage = (REPO / "docs" / "usage.md").read_text(encoding="utf-8")
    assert REGENERATE in usage and "report.schema.json" in usage


# -- real reports against the file ------------------------------------------------------------


@pytest.mark.parametrize("mode", [["--dry-run"], []], ids=["dry-run", "fix"])
def test_a_real_report_validates_against_the_published_schema(
    pytester: pytest.Pytester, mode: list[str]
) -> None:
    for rel, text in PROJECT.items():
        path = pytester.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = pytester.runpytest_subprocess(
        "--autofix", *mode, "--autofix-report=out/r.json", "-p", "no:cacheprovider"
    )
    raw = (pytester.path / "out" / "r.json").read_text(encoding="utf-8")
    report = json.loads(raw)
    statuses = sorted(issue["status"] for issue in report["issues"])
    expected = ["proposed", "proposed"] if mode else ["fixed", "fixed"]
    assert statuses == [*expected, "unfixable"], result.stdout.str()
    schema = published()
    validate(report, schema, schema)
    Report.model_validate_json(raw)  # and the models read it back
    # the validator is not vacuous: what the schema forbids is rejected
    broken: list[tuple[str, Any]] = [
        ("version", 2),
        ("mode", "apply"),
        ("rerun", "none"),
        ("summary", {**report["summary"], "extra": 1}),
        ("issues", [{**report["issues"][0], "status": "done"}]),
    ]
    for key, value in broken:
        with pytest.raises(AssertionError):
            validate({**report, key: value}, schema, schema)
    without = dict(report)
    del without["exit_status"]
    with pytest.raises(AssertionError, match="missing"):
        validate(without, schema, schema)
