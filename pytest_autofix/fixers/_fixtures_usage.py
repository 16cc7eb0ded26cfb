"""``fixture.scope-mismatch`` and ``fixture.called-directly``: fixtures used in a way pytest
refuses."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from pytest_autofix.fixers._fixtures_rewrite import (
    monkeypatch_context,
    narrow_scope,
    request_instead_of_call,
    tmp_path_from_factory,
)
from pytest_autofix.fixers._fixtures_scan import Function, Scan, visible
from pytest_autofix.fixers._imports_common import Edits, lines_of, listing
from pytest_autofix.model import Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import Project

_FIXTURE = frozenset({IssueKind.FIXTURE})
_SCOPES = ("function", "class", "module", "package", "session")
_FACTORIES = {"tmp_path": "tmp_path_factory", "tmpdir": "tmpdir_factory"}


class FixtureScopeMismatch:
    """A wider-scoped fixture requesting a narrower one. ``tmp_path``/``tmpdir``: request the
    session-scoped factory and make the directory with ``mktemp`` (safe). ``monkeypatch``: open
    a ``pytest.MonkeyPatch.context()`` around the fixture's body (safe when the rewrite is
    mechanical). Otherwise: narrow the requester's scope (unsafe: it changes how often the
    fixture runs and what its users share)."""

    name = "fixture.scope-mismatch"
    kinds = _FIXTURE

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "fixture.scope-mismatch":
            return []
        argname = str(issue.details.get("argname") or "")
        requester = str(issue.details.get("requester") or "")
        scope = str(issue.details.get("scope") or "function")
        if not argname or not requester:
            return []
        scan = Scan(project)
        candidates = scan.fixtures_named(requester)
        if issue.path:
            candidates = [f for f in candidates if f.rel == issue.path] or candidates
        if len(candidates) != 1:
            return []
        fixture = candidates[0]
        info = project.module_at(fixture.rel)
        if info is None or argname not in fixture.params:
            return []
        builtin = not scan.fixtures_named(argname)
        fixes: list[Fix] = []
        if builtin and argname in _FACTORIES:
            factory = _FACTORIES[argname]
            edits = Edits()
            edits.add(
                project,
                info,
                tmp_path_from_factory(fixture.qualname, argname, factory, fixture.name),
            )
            if edits.edits:
                fixes.append(
                    Fix(
                        f"{fixture.scope}-scoped fixture {requester!r} in {fixture.rel}: request "
                        f"{factory!r} and make its directory with "
                        f"{factory}.mktemp({fixture.name!r}) instead of requesting {argname!r} "
                        "(a fresh directory per fixture instance, as before)",
                        0.95,
                        edits.edits,
                    )
                )
        elif builtin and argname == "monkeypatch":
            edits = Edits()
            edits.add(project, info, monkeypatch_context(fixture.qualname))
            if edits.edits:
                fixes.append(
                    Fix(
                        f"{fixture.scope}-scoped fixture {requester!r} in {fixture.rel}: patch "
                        "inside its own `with pytest.MonkeyPatch.context() as monkeypatch:` "
                        "(undone when the fixture is torn down) instead of requesting "
                        "'monkeypatch'",
                        0.9,
                        edits.edits,
                    )
                )
        narrow = self._narrow(project, scan, fixture, scope)
        if narrow is not None:
            fixes.append(narrow)
        return fixes

    @staticmethod
    def _narrow(project: Project, scan: Scan, fixture: Function, scope: str) -> Fix | None:
        info = project.module_at(fixture.rel)
        if info is None or fixture.scope not in _SCOPES or scope not in _SCOPES:
            return None
        edits = Edits()
        edits.add(project, info, narrow_scope(fixture.qualname, scope))
        if not edits.edits:
            return None
        wider = [
            f
            for f in scan.requesters(str(fixture.fixture))
            if f.fixture is not None
            and f.scope in _SCOPES
            and _SCOPES.index(str(f.scope)) > _SCOPES.index(scope)
        ]
        confidence = 0.8
        note = ""
        if wider:
            confidence = 0.5
            names = listing(sorted(repr(f.fixture) for f in wider))
            note = f"; {names} would then mismatch in turn"
        per = "test" if scope == "function" else scope
        return Fix(
            f"make fixture {fixture.fixture!r} in {fixture.rel} {scope}-scoped instead of "
            f"{fixture.scope}-scoped: unsafe, it then runs once per {per} instead of once per "
            f"{fixture.scope}, so whatever its users shared is no longer shared{note}",
            confidence,
            edits.edits,
            safe=False,
        )


class FixtureCalledDirectly:
    """A test (or fixture) calls a fixture function ``f()``: request ``f`` as a parameter and
    use the value instead of the call."""

    name = "fixture.called-directly"
    kinds = _FIXTURE

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        fixture = str(issue.details.get("fixture") or "")
        if issue.code != "fixture.called-directly" or not fixture:
            return []
        scan = Scan(project)
        definitions = scan.fixtures_named(fixture)
        targets: dict[str, set[str]] = defaultdict(set)
        skipped: list[str] = []
        for rel, lines in sorted(lines_of(issue).items()):
            for line in lines:
                function = scan.function_at(rel, line)
                if function is None:
                    continue
                if function.fixture is None and not function.is_test:
                    skipped.append(f"{function.name}() in {rel} is not a test or a fixture")
                    continue
                if not any(visible(d.rel, rel) for d in definitions):
                    skipped.append(f"fixture {fixture!r} is not visible from {rel}")
                    continue
                targets[rel].add(function.qualname)
        edits = Edits()
        for rel, names in sorted(targets.items()):
            info = project.module_at(rel)
            if info is not None:
                edits.add(project, info, request_instead_of_call(names, fixture))
        note = edits.note() + ("; " + "; ".join(skipped) if skipped else "")
        if not edits.edits:
            return [
                Fix(
                    f"request fixture {fixture!r} as a parameter instead of calling "
                    f"{fixture}(){note}",
                    0.3,
                )
            ]
        return [
            Fix(
                f"request fixture {fixture!r} as a parameter of the function(s) that call "
                f"{fixture}() in {listing(edits.changed)} and use its value{note}",
                0.9,
                edits.edits,
            )
        ]
