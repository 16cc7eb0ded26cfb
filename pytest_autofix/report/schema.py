"""The JSON report (``--autofix-report``, DESIGN.md's ``"version": 1``) as pydantic models, and
its JSON Schema.

Only the report needs pydantic: this module loads while the engine's first rerun runs, never
before it.

The schema is published as ``pytest_autofix/data/report.schema.json``, generated from these
models (``python -m pytest_autofix.report.schema > pytest_autofix/data/report.schema.json``);
its ``$id`` carries the report's ``version``, and a test holds the file equal to what the models
generate.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from pytest_autofix.model import IssueKind

__all__ = [
    "REPORT_VERSION",
    "SCHEMA_ID",
    "FixReport",
    "IssueReport",
    "IssueStatus",
    "Report",
    "RerunReport",
    "Summary",
    "dumps_schema",
    "json_schema",
]

REPORT_VERSION: Final = 1
SCHEMA_ID = f"urn:pytest-autofix:report:v{REPORT_VERSION}"


class _Frozen(BaseModel):
    # the schema describes the report as written: a field with a default is always there
    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
    )


IssueStatus = Literal["fixed", "proposed", "suggested", "rolled-back", "unfixable"]


class FixReport(_Frozen):
    """One fix a fixer proposed for an issue."""

    fixer: str
    description: Annotated[str, Field(description="what the fix does")]
    confidence: Annotated[float, Field(description="0..1, as the fixer gave it")]
    safe: Annotated[bool, Field(description="false: the fix may change behaviour")]
    files: Annotated[list[str], Field(description="the files it edits, relative to the rootdir")]
    diff: Annotated[str, Field(description="its unified diff, relative to the rootdir")]
    applied: bool
    verified: Annotated[bool, Field(description="applied and proven by a rerun")]
    reason: Annotated[str | None, Field(description="why it was not applied or kept")]


class IssueReport(_Frozen):
    """One root cause: every failure it explains and every fix proposed for it."""

    id: str
    kind: IssueKind
    code: Annotated[str, Field(description="the dotted issue code, e.g. import.module-not-found")]
    message: str
    tests: Annotated[list[str], Field(description="the node ids of every test it failed")]
    path: Annotated[str | None, Field(description="where it was found, relative to the rootdir")]
    line: int | None
    status: IssueStatus
    fixes: list[FixReport]


class Summary(_Frozen):
    """The failures seen, the issues they were grouped into, and the issues by status."""

    failures: int
    issues: int
    fixed: int
    proposed: int
    suggested: int
    rolled_back: int
    unfixable: int


class RerunReport(_Frozen):
    """What the verification reruns ran and found."""

    tests: Annotated[list[str], Field(description="every node id a rerun ran")]
    passed: int
    failed: int
    seconds: Annotated[float, Field(description="time from starting each rerun to its results")]


class Report(_Frozen):
    """The JSON report pytest-autofix writes with --autofix-report."""

    version: Literal[1] = REPORT_VERSION
    mode: Literal["fix", "dry-run"]
    exit_status: Annotated[int, Field(description="the status the run exits with")]
    summary: Summary
    issues: list[IssueReport]
    rerun: Annotated[
        RerunReport | None, Field(description="null when nothing was rerun (a dry run)")
    ]


def json_schema() -> dict[str, Any]:
    """The report's JSON Schema (draft 2020-12), as ``report.schema.json`` holds it."""
    generated = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **generated,
        "title": f"pytest-autofix report, version {REPORT_VERSION}",
    }


def dumps_schema() -> str:
    """The text of ``report.schema.json``: sorted keys, two-space indents, a final newline."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(dumps_schema())
