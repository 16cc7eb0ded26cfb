"""What the three fixers of ``fixture.not-found`` share (``fixture.renamed``,
``fixture.undecorated``, ``fixture.move-to-conftest``): the issue's requesters, the other
functions that fail the same way, a function that lost its ``@pytest.fixture``, and the
suggestion without edits they make when unsure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.fixture_scan import Function, Scan, requesting, visible
from pytest_autofix.model import Fix

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import Project

__all__ = ["AMBIGUOUS", "failing_users", "not_found", "suggest", "undecorated"]

# Confidence level, documented in docs/fixers.md.
AMBIGUOUS = 0.5  # several equally good candidates: a suggestion listing them


def suggest(description: str, confidence: float = AMBIGUOUS) -> Fix:
    """A fix without edits: a suggestion, shown to a person and never applied."""
    return Fix(description, confidence, [])


def _argname(issue: Issue) -> str:
    return str(issue.details.get("argname") or "")


def not_found(issue: Issue, project: Project) -> tuple[str, Scan, list[Function]] | None:
    """For a ``fixture.not-found`` issue: the fixture's name, a scan of the project, and the
    functions requesting it; None for any other issue, or when no requester is found."""
    argname = _argname(issue)
    if issue.code != "fixture.not-found" or not argname:
        return None
    scan = Scan(project)
    requesters = requesting(issue, scan)
    if not requesters:
        return None
    return argname, scan, requesters


def failing_users(
    scan: Scan, issue: Issue, argname: str, definitions: list[Function]
) -> list[Function]:
    """The issue's requesters, and every other function requesting ``argname`` that cannot see
    any of ``definitions`` (the tests not run this time fail the same way)."""
    users = requesting(issue, scan)
    for function in scan.requesters(argname):
        if function in users:
            continue
        if not any(visible(d.rel, function.rel) for d in definitions):
            users.append(function)
    return users


def undecorated(scan: Scan, argname: str, requesters: list[Function]) -> list[Function]:
    """The module-level functions named ``argname`` without ``@pytest.fixture`` that every
    requester sees (a function of its own module, or of a conftest.py above it)."""
    files = {f.rel for f in requesters}
    return [
        f
        for info in scan.infos()
        for f in scan.functions(info.rel)
        if f.name == argname
        and f.fixture is None
        and f.cls is None
        and all(visible(f.rel, r) for r in files)
    ]
