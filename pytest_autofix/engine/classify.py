"""Failure -> Issue: a kind and a dotted code from the captured facts; grouping by root cause.

:func:`classify` walks a table of small rules (:mod:`pytest_autofix.engine.rules`): the rules
plugins return from the ``pytest_autofix_classify_rules`` hook first, then the built-in
:data:`RULES`; the first that matches wins, and a failure no rule matches is
``other.exception``. Pure functions: the only inputs are the failures, the names of the
project's own modules, the migration catalogue and the rules. The built-in codes are those of
:mod:`pytest_autofix.codes`; the details each carries, :mod:`pytest_autofix.details`.

The rule format (:class:`Rule`, :class:`Match`, :class:`Example`, :class:`Context`,
:func:`rule`, :func:`failing`, :func:`mismatches` and the matchers' helpers) is public,
documented in ``docs/classify.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from pytest_autofix.config import notes_key
from pytest_autofix.details import Common, Location, OtherException
from pytest_autofix.engine.rules import (
    RULES,
    Context,
    Example,
    Match,
    Rule,
    exc_mro,
    exc_name,
    failing,
    first_line,
    location,
    rule,
)
from pytest_autofix.model import Failure, Issue, IssueKind

if TYPE_CHECKING:
    import pytest

__all__ = [
    "RULES",
    "Context",
    "Example",
    "Match",
    "Rule",
    "Verdict",
    "classify",
    "exc_mro",
    "exc_name",
    "failing",
    "first_line",
    "group",
    "issue_id",
    "location",
    "mismatches",
    "plugin_rules",
    "rule",
]


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A failure classified: the issue it belongs to, and where to report it."""

    kind: IssueKind
    code: str
    key: str
    message: str
    path: str | None
    line: int | None
    details: Mapping[str, object]


def first_match(rules: Iterable[Rule], failure: Failure, ctx: Context) -> Match | None:
    """What the first rule that matches says, or None."""
    for each in rules:
        found = each.match(failure, ctx)
        if found is not None:
            return found
    return None


def verdict(failure: Failure, found: Match | None) -> Verdict:
    """A match completed with its defaults (message, location); no match: other.exception."""
    path, line = location(failure)
    if found is None:
        found = Match(
            "other.exception",
            f"{failure.exc_type}@{path}:{line}",
            details=OtherException(exc_type=failure.exc_type),
        )
    return Verdict(
        kind=IssueKind(found.code.partition(".")[0]),
        code=found.code,
        key=found.key,
        message=found.message or first_line(failure.message) or exc_name(failure),
        path=path if found.path is None else found.path,
        line=line if found.line is None else found.line,
        details=found.details,
    )


def classify(failure: Failure, ctx: Context) -> Verdict:
    """The kind and code of one failure, and the key that identifies its root cause."""
    return verdict(failure, first_match((*ctx.rules, *RULES), failure, ctx))


def mismatches(example: Example, ctx: Context, rules: Iterable[Rule] | None = None) -> list[str]:
    """How classifying ``example.failure`` (with ``rules``, default: the context's then the
    built-in ones) differs from what the example expects; empty when it does not."""
    table = (*ctx.rules, *RULES) if rules is None else tuple(rules)
    v = verdict(example.failure, first_match(table, example.failure, ctx))
    wrong = [
        f"{name}: expected {want!r}, got {got!r}"
        for name, want, got in [
            ("code", example.code, v.code),
            ("key", example.key, v.key),
            ("message", example.message, v.message),
            ("path", example.path, v.path),
            ("line", example.line, v.line),
        ]
        if want is not None and want != got
    ]
    for name, want in example.details.items():
        got = v.details.get(name, "<missing>")
        if got != want:
            wrong.append(f"details[{name!r}]: expected {want!r}, got {got!r}")
    return wrong


def issue_id(code: str, key: str) -> str:
    return f"{code}:{hashlib.sha1(key.encode()).hexdigest()[:8]}"


# the details whose lists every failure of an issue adds to
_MERGED = ("owners", "packages")


def _merge_owners(into: dict[str, list[object]], details: Mapping[str, object]) -> None:
    """One root cause, many classes: the nose-style methods' owners (and the test packages
    with nose's package-level setups) every failure of the issue saw are all the issue's (its
    fix renames them all)."""
    for key in _MERGED:
        more = details.get(key)
        if isinstance(more, list):
            found = into.setdefault(key, [])
            found.extend(o for o in more if o not in found)


def group(failures: Iterable[Failure], ctx: Context) -> list[Issue]:
    """One issue per root cause, listing every affected test; in order of first failure."""
    grouped: dict[tuple[str, str], tuple[Verdict, Failure, list[str], list[Location]]] = {}
    owners: dict[tuple[str, str], dict[str, list[object]]] = {}
    for failure in failures:
        v = classify(failure, ctx)
        entry = grouped.get((v.code, v.key))
        if entry is None:
            entry = grouped[(v.code, v.key)] = (v, failure, [], [])
        if failure.nodeid not in entry[2]:
            entry[2].append(failure.nodeid)
        place = Location(path=v.path, line=v.line)
        if v.path is not None and place not in entry[3]:
            entry[3].append(place)
        _merge_owners(owners.setdefault((v.code, v.key), {}), v.details)
    issues = []
    for (code, key), (v, first, tests, locations) in grouped.items():
        common = Common(key=key, locations=locations)
        if first.frame is not None:
            common["source"] = first.frame.source
            common["function"] = first.frame.function
        issues.append(
            Issue(
                id=issue_id(code, key),
                kind=v.kind,
                code=code,
                message=v.message,
                exc_type=first.exc_type,
                tests=tuple(tests),
                path=v.path,
                line=v.line,
                details={**v.details, **common} | owners.get((code, key), {}),
            )
        )
    return issues


# -- rules from plugins ------------------------------------------------------------------------

_HOOK = "pytest_autofix_classify_rules"
_KINDS = frozenset(kind.value for kind in IssueKind)


def plugin_rules(config: pytest.Config) -> tuple[Rule, ...]:
    """The rules every ``pytest_autofix_classify_rules`` implementation returns, in pluggy's
    call order. Something that is not a :class:`Rule` is left out; a rule that raises, or
    returns what is not a :class:`Match` of a known kind, is passed over for that failure. The
    report says so (once per rule), and the session goes on."""
    hook = getattr(config.hook, _HOOK, None)
    if hook is None:
        return ()

    def note(text: str) -> None:
        config.stash.setdefault(notes_key, []).append(text)

    found: list[Rule] = []
    for result in hook(config=config):
        for item in result or []:
            if isinstance(item, Rule):
                found.append(dataclasses.replace(item, match=_Guarded(item, note)))
            else:
                note(f"{_HOOK} returned {item!r}, not a {__name__}.Rule (left out)")
    return tuple(found)


class _Guarded:
    """A plugin rule's matcher that cannot break the session."""

    def __init__(self, rule: Rule, note: Callable[[str], None]) -> None:
        self.rule = rule
        self.note = note
        self.noted = False

    def __call__(self, failure: Failure, ctx: Context) -> Match | None:
        try:
            found = self.rule.match(failure, ctx)
        except Exception as err:  # a plugin's bug: that failure is classified without it
            self._passed_over(failure, f"raised {type(err).__name__}: {err}")
            return None
        wrong = _wrong(found)
        if wrong is not None:
            self._passed_over(failure, wrong)
            return None
        return found

    def _passed_over(self, failure: Failure, what: str) -> None:
        if not self.noted:
            self.noted = True
            module = getattr(self.rule.match, "__module__", "?")
            self.note(
                f"classify rule {self.rule.name!r} ({module}) {what} on {failure.nodeid}; "
                "such failures were classified without it"
            )


def _wrong(found: object) -> str | None:
    """What is wrong with what a plugin's rule returned, or None."""
    if found is None:
        return None
    if not isinstance(found, Match):
        return f"returned {found!r}, not a Match"
    if found.code.partition(".")[0] not in _KINDS:
        kinds = ", ".join(sorted(_KINDS))
        return f"gave the code {found.code!r} (its first part must be one of {kinds})"
    if not isinstance(found.key, str):
        return f"gave the key {found.key!r}, not a str"
    return None
