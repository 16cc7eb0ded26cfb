"""The data types that flow between the modules, and the fixer API.

All are frozen dataclasses, built with keyword arguments and checked as they are made (an
unknown kind, phase or field is an error). They import nothing heavy: the engine needs them
before its first rerun, and the JSON report's pydantic models (:mod:`pytest_autofix.report.schema`)
load while that rerun runs.
"""

from __future__ import annotations

import dataclasses
import enum
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args, runtime_checkable

from pytest_autofix.facts import Facts

if TYPE_CHECKING:
    import libcst

    from pytest_autofix.project import Project

__all__ = [
    "Example",
    "Failure",
    "FileEdit",
    "Fix",
    "Fixer",
    "Frame",
    "Issue",
    "IssueKind",
]


class IssueKind(enum.StrEnum):
    """What family an issue belongs to; fixers are routed by kind."""

    IMPORT = "import"
    FIXTURE = "fixture"
    ENVIRONMENT = "environment"
    OTHER = "other"


def _check_str(owner: str, **fields: object) -> None:
    for name, value in fields.items():
        if not isinstance(value, str):
            raise TypeError(f"{owner}.{name} must be a str, got {value!r}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Frame:
    """A traceback frame inside the rootdir: path is relative to it, in POSIX form."""

    path: str
    line: int
    function: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        _check_str("Frame", path=self.path, function=self.function, source=self.source)
        if not isinstance(self.line, int):
            raise TypeError(f"Frame.line must be an int, got {self.line!r}")


Phase = Literal["collect", "setup", "call", "teardown"]
_PHASES = frozenset(get_args(Phase))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Failure:
    """One failed report (a test phase or a collector), with the facts captured live."""

    nodeid: str
    when: Phase
    exc_type: str
    message: str
    facts: Facts = dataclasses.field(default_factory=Facts)
    frame: Frame | None = None
    longrepr: str = ""

    def __post_init__(self) -> None:
        _check_str(
            "Failure",
            nodeid=self.nodeid,
            exc_type=self.exc_type,
            message=self.message,
            longrepr=self.longrepr,
        )
        if self.when not in _PHASES:
            raise ValueError(f"Failure.when must be one of {sorted(_PHASES)}, got {self.when!r}")
        if not isinstance(self.facts, dict):
            raise TypeError(f"Failure.facts must be a dict, got {self.facts!r}")
        if self.frame is not None and not isinstance(self.frame, Frame):
            raise TypeError(f"Failure.frame must be a Frame or None, got {self.frame!r}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Issue:
    """Failures with one root cause: one issue, every affected test listed.

    ``kind`` may be given as its value (``"import"``) and ``tests`` as any sequence of node ids;
    they are stored as an :class:`IssueKind` and a tuple."""

    id: str
    kind: IssueKind
    code: str
    message: str
    exc_type: str = ""
    tests: tuple[str, ...] = ()
    path: str | None = None
    line: int | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_str("Issue", id=self.id, code=self.code, message=self.message)
        object.__setattr__(self, "kind", IssueKind(self.kind))
        if isinstance(self.tests, str):
            raise TypeError(f"Issue.tests must be a sequence of node ids, got {self.tests!r}")
        object.__setattr__(self, "tests", tuple(self.tests))
        if not isinstance(self.details, dict):
            raise TypeError(f"Issue.details must be a dict, got {self.details!r}")


@dataclasses.dataclass(frozen=True)
class FileEdit:
    """One file's part of a fix: a libcst transform of an existing file, or a new file.

    ``path`` is absolute or relative to the rootdir. ``scope``, when given, is the node id the
    edit is for (a class ``tests/test_a.py::TestA``, a test function): verification can then
    keep the edits of a fix that work and leave out the others at that grain; without it a
    file's edits stand or fall together. Several edits of one fix may share a path: they run
    in order on the file.
    """

    path: str | os.PathLike[str]
    transform: Callable[[libcst.Module], libcst.Module] | None = None
    text: str | None = None
    scope: str | None = None

    def __post_init__(self) -> None:
        if (self.transform is None) == (self.text is None):
            raise ValueError(
                "FileEdit needs exactly one of transform= (edit a file) or text= "
                "(FileEdit.create: a new file)"
            )
        if self.scope is not None and not (isinstance(self.scope, str) and self.scope):
            raise TypeError(f"FileEdit.scope must be a node id or None, got {self.scope!r}")

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


@dataclasses.dataclass(frozen=True)
class Example:
    """A fixer's own before/after example, kept beside the fixer (its ``examples``, a tuple of
    these, the way Fixit rules carry their VALID/INVALID cases) and run by
    :func:`pytest_autofix.testing.check_example`.

    ``before`` is a project whose tests fail (rootdir-relative path -> text, dedented, or
    bytes; a single text is the test module ``test_snippet.py``); ``after`` the files the
    fixer's best fix changes or creates, as :func:`~pytest_autofix.testing.assert_fix` takes
    them (``None``: the fixer only suggests, with no edits). ``code`` picks the issue when the
    run gives several; ``args`` are added to the run's command line. ``confidence``, ``safe``
    and ``description`` are checked when given. ``title`` says in a few words what the example
    shows.
    """

    title: str
    before: Mapping[str, str | bytes] | str
    after: Mapping[str, str | bytes] | str | None
    code: str | None = None
    args: tuple[str, ...] = ()
    confidence: float | None = None
    safe: bool | None = None
    description: str | None = None


@runtime_checkable
class Fixer(Protocol):
    """What ``pytest_autofix_fixers`` returns: routed every issue of one of its kinds.

    A fixer may also declare ``codes`` (a frozenset of issue codes or dotted prefixes): it is
    then routed only the issues of its kinds whose code matches one of them."""

    name: str
    kinds: frozenset[IssueKind]

    def propose(self, issue: Issue, project: Project) -> Iterable[Fix]: ...
