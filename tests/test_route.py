"""Routing: an issue goes to the fixers of its kind and, where a fixer declares the codes it
takes, only to those whose codes match."""

from __future__ import annotations

from collections.abc import Iterable

from pytest_autofix.engine.route import fixers_for
from pytest_autofix.model import Fix, Issue, IssueKind
from pytest_autofix.project import Project


class Named:
    def __init__(
        self, name: str, kinds: set[IssueKind], codes: frozenset[str] | None = None
    ) -> None:
        self.name = name
        self.kinds = frozenset(kinds)
        if codes is not None:
            self.codes = codes

    def propose(self, issue: Issue, project: Project) -> Iterable[Fix]:
        return []


def issue(code: str, kind: IssueKind) -> Issue:
    return Issue(id=code, kind=kind, code=code, message=code)


def test_fixers_are_routed_by_kind_and_by_the_codes_they_declare() -> None:
    every_import = Named("every-import", {IssueKind.IMPORT})
    undefined = Named("undefined", {IssueKind.IMPORT}, frozenset({"import.name-undefined"}))
    by_prefix = Named("by-prefix", {IssueKind.IMPORT, IssueKind.ENVIRONMENT}, frozenset({"import"}))
    fixture = Named("fixture", {IssueKind.FIXTURE})
    fixers = [every_import, undefined, by_prefix, fixture]

    def names(code: str, kind: IssueKind) -> list[str]:
        return [f.name for f in fixers_for(issue(code, kind), fixers)]

    assert names("import.name-undefined", IssueKind.IMPORT) == [
        "every-import",
        "undefined",
        "by-prefix",
    ]
    assert names("import.module-not-found", IssueKind.IMPORT) == ["every-import", "by-prefix"]
    # by-prefix takes environment issues by kind, but not this code
    assert names("environment.removed-api", IssueKind.ENVIRONMENT) == []
    assert names("fixture.not-found", IssueKind.FIXTURE) == ["fixture"]
