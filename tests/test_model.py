"""The data types of the fixer API: checked as they are made, and light to import."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from pytest_autofix import FileEdit, Fix, Issue, IssueKind
from pytest_autofix.model import Failure, Frame


def test_issue_takes_its_kind_by_value_and_any_sequence_of_tests() -> None:
    issue = Issue(id="i", kind="fixture", code="fixture.not-found", message="m", tests=["a", "b"])  # type: ignore[arg-type]
    assert issue.kind is IssueKind.FIXTURE
    assert issue.tests == ("a", "b")
    assert issue.details == {} and issue.exc_type == "" and issue.path is None


@pytest.mark.parametrize(
    ("fields", "error", "match"),
    [
        pytest.param(
            {"kind": "imports"}, ValueError, "'imports' is not a valid IssueKind", id="kind"
        ),
        pytest.param({"tests": "tests/test_a.py::t"}, TypeError, "Issue.tests", id="tests-str"),
        pytest.param({"code": None}, TypeError, "Issue.code must be a str", id="code"),
        pytest.param({"details": [1]}, TypeError, "Issue.details must be a dict", id="details"),
        pytest.param(
            {"severity": 1}, TypeError, "unexpected keyword argument 'severity'", id="extra"
        ),
    ],
)
def test_issue_refuses_bad_fields(
    fields: dict[str, object], error: type[Exception], match: str
) -> None:
    base: dict[str, object] = {"id": "i", "kind": IssueKind.IMPORT, "code": "c", "message": "m"}
    with pytest.raises(error, match=match):
        Issue(**{**base, **fields})  # type: ignore[arg-type]


def test_issue_is_frozen_and_positional_arguments_are_refused() -> None:
    issue = Issue(id="i", kind=IssueKind.OTHER, code="other.assertion", message="m")
    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.code = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Issue("i", IssueKind.OTHER, "other.assertion", "m")  # type: ignore[misc]
    assert dataclasses.replace(issue, message="n") == Issue(
        id="i", kind=IssueKind.OTHER, code="other.assertion", message="n"
    )


def test_failure_checks_its_phase_and_frame() -> None:
    frame = Frame(path="tests/test_a.py", line=3, function="test_a")
    failure = Failure(nodeid="t", when="call", exc_type="NameError", message="m", frame=frame)
    assert failure.frame == frame and failure.facts == {} and failure.longrepr == ""
    with pytest.raises(ValueError, match=r"Failure\.when must be one of"):
        Failure(nodeid="t", when="run", exc_type="E", message="m")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Failure\.frame must be a Frame"):
        Failure(nodeid="t", when="call", exc_type="E", message="m", frame={"path": "a"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Frame\.line must be an int"):
        Frame(path="a.py", line="3")  # type: ignore[arg-type]


def test_fix_and_file_edit_check_their_arguments() -> None:
    with pytest.raises(ValueError, match=r"exactly one of transform= .* or text="):
        FileEdit("a.py")
    with pytest.raises(ValueError, match="exactly one of"):
        FileEdit("a.py", transform=lambda module: module, text="x = 1\n")
    assert FileEdit.create("pkg/__init__.py", "").creates
    with pytest.raises(ValueError, match=r"within 0\.\.1, got 1\.5"):
        Fix("rename", 1.5)
    with pytest.raises(ValueError, match="needs a description"):
        Fix("  ", 0.9)


def _loaded_after(statement: str) -> list[str]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules} "
        "& {'libcst', 'pydantic', 'rich'})))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(run.stdout))


def test_the_engine_loads_neither_pydantic_nor_rich_before_its_first_rerun() -> None:
    """Everything the engine needs up to its first rerun is importable without pydantic (the
    JSON report's models) and rich (the terminal summary): those load while the rerun runs."""
    assert _loaded_after("import pytest_autofix.engine.rounds, pytest_autofix.report.progress") == [
        "libcst"
    ]
    assert _loaded_after("import pytest_autofix.report.summary") == ["pydantic", "rich"]
