"""The data types that flow between the modules.

What is serialized (failures, issues, the JSON report) is a frozen pydantic model; what carries
code (a :class:`Fix` and its :class:`FileEdit` transforms) is a frozen dataclass.
"""

from __future__ import annotations

import dataclasses
import enum
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import libcst

    from pytest_autofix.project import Project

__all__ = [
    "Failure",
    "FileEdit",
    "Fix",
    "Fixer",
    "Frame",
    "Issue",
    "IssueKind",
    "Report",
]


class IssueKind(enum.StrEnum):
    """What family an issue belongs to; fixers are routed by kind."""

    IMPORT = "import"
    FIXTURE = "fixture"
    ENVIRONMENT = "environment"
    OTHER = "other"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Frame(_Frozen):
    """A traceback frame inside the rootdir: path is relative to it, in POSIX form."""

    path: str
    line: int
    function: str = ""
    source: str = ""


Phase = Literal["collect", "setup", "call", "teardown"]


class Failure(_Frozen):
    """One failed report (a test phase or a collector), with the facts captured live."""

    nodeid: str
    when: Phase
    exc_type: str
    message: str
    facts: dict[str, Any] = Field(default_factory=dict)
    frame: Frame | None = None
    longrepr: str = ""


class Issue(_Frozen):
    """Failures with one root cause: one issue, every affected test listed."""

    id: str
    kind: IssueKind
    code: str
    message: str
    exc_type: str = ""
    tests: tuple[str, ...] = ()
    path: str | None = None
    line: int | None = None
    details: dict[str, Any] = Field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class FileEdit:
    """One file's part of a fix: a libcst transform of an existing file, or a new file.

    ``path`` is absolute or relative to the rootdir.
    """

    path: str | os.PathLike[str]
    transform: Callable[[libcst.Module], libcst.Module] | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if (self.transform is None) == (self.text is None):
            raise ValueError(
                "FileEdit needs exactly one of transform= (edit a file) or text= "
                "(FileEdit.create: a new file)"
            )

    @classmethod
    def create(cls, path: str | os.PathLike[str], text: str) -> FileEdit:
        """A new file with ``text`` (for example an ``__init__.py`` or ``conftest.py``)."""
        return cls(path=path, text=text)

    @property
    def creates(self) -> bool:
        return self.text is not None


@dataclasses.dataclass(frozen=True)
class Fix:
    """A proposed repair. With no edits it is a suggestion, shown but never applied."""

    description: str
    confidence: float
    edits: list[FileEdit] = dataclasses.field(default_factory=list)
    safe: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"Fix confidence must be within 0..1, got {self.confidence!r}")
        if not self.description.strip():
            raise ValueError("Fix needs a description saying what it does")


@runtime_checkable
class Fixer(Protocol):
    """What ``pytest_autofix_fixers`` returns: routed every issue of one of its kinds."""

    name: str
    kinds: frozenset[IssueKind]

    def propose(self, issue: Issue, project: Project) -> Iterable[Fix]: ...


# -- the JSON report (DESIGN.md, "version": 1) ------------------------------------------

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
