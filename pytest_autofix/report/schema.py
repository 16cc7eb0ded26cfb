"""The JSON report (``--autofix-report``, DESIGN.md's ``"version": 1``) as pydantic models.

Only the report needs pydantic: this module loads while the engine's first rerun runs, never
before it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from pytest_autofix.model import IssueKind

__all__ = ["FixReport", "IssueReport", "IssueStatus", "Report", "RerunReport", "Summary"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


IssueStatus = Literal["fixed", "proposed", "suggested", "rolled-back", "unfixable"]


class FixReport(_Frozen):
    fixer: str
    description: str
    confidence: float
    safe: bool
    files: list[str]
    diff: str
    applied: bool
    verified: bool
    reason: str | None


class IssueReport(_Frozen):
    id: str
    kind: IssueKind
    code: str
    message: str
    tests: list[str]
    path: str | None
    line: int | None
    status: IssueStatus
    fixes: list[FixReport]


class Summary(_Frozen):
    failures: int
    issues: int
    fixed: int
    proposed: int
    suggested: int
    rolled_back: int
    unfixable: int


class RerunReport(_Frozen):
    tests: list[str]
    passed: int
    failed: int
    seconds: float


class Report(_Frozen):
    version: Literal[1] = 1
    mode: Literal["fix", "dry-run"]
    exit_status: int
    summary: Summary
    issues: list[IssueReport]
    rerun: RerunReport | None
