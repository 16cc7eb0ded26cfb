"""Routing and policy: which fixers see an issue, and which of their fixes may be applied.

No I/O: fixers are called with the read-only project; their fixes are sorted and judged here.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Callable, Sequence
from typing import Literal

from pytest_autofix.codes import matches
from pytest_autofix.config import Settings
from pytest_autofix.model import Fix, Fixer, Issue
from pytest_autofix.paths import excluded
from pytest_autofix.project import Project


class Status(enum.StrEnum):
    """Where a proposal is in its life; :data:`MOVES` says where it may go next."""

    SUGGESTED = "suggested"  # not applied: a suggestion, below the bar, or set aside
    PROPOSED = "proposed"  # planned: a dry run would apply it; a fix run is verifying it
    FIXED = "fixed"  # applied, and the rerun proved it
    ROLLED_BACK = "rolled-back"  # applied, and the rerun did not prove it (or broke something)


MOVES: dict[Status, frozenset[Status]] = {
    # planned; or set aside before planning (an edit no rerun reaches)
    Status.SUGGESTED: frozenset({Status.PROPOSED, Status.SUGGESTED}),
    # set aside (dropped, deferred, not written), proven, or not proven
    Status.PROPOSED: frozenset({Status.SUGGESTED, Status.FIXED, Status.ROLLED_BACK}),
    # the transaction could not commit what was proven
    Status.FIXED: frozenset({Status.ROLLED_BACK}),
    Status.ROLLED_BACK: frozenset(),
}


@dataclasses.dataclass
class Proposal:
    """One fix a fixer proposed for one issue, with what the policy made of it.

    ``action`` is the policy's word (apply it, or only suggest it); ``status`` moves only
    through the methods below, along :data:`MOVES`."""

    issue_id: str
    fixer: str
    fix: Fix
    key: str
    action: Literal["apply", "suggest"]
    reason: str | None = None
    # filled in by planning and verification
    diff: str = ""
    files: list[str] = dataclasses.field(default_factory=list)
    applied: bool = False
    verified: bool = False
    status: Status = Status.SUGGESTED

    def _move(self, to: Status) -> None:
        if to not in MOVES[self.status]:
            raise RuntimeError(f"a {self.status} fix cannot become {to}: {self.fix.description}")
        self.status = to

    def planned(self) -> None:
        """Planning will apply it (a dry run shows it as such)."""
        self._move(Status.PROPOSED)

    def set_aside(self, reason: str) -> None:
        """Not applied after all: a suggestion, with why."""
        self._move(Status.SUGGESTED)
        self.action, self.reason = "suggest", reason

    def proven(self) -> None:
        """The rerun proved it: kept."""
        self._move(Status.FIXED)
        self.verified = True

    def rolled_back(self, reason: str) -> None:
        """The rerun did not prove it, or what proved it could not be kept."""
        self._move(Status.ROLLED_BACK)
        self.verified, self.reason = False, reason


def fix_key(fixer: str, issue_id: str, fix: Fix) -> str:
    raw = "\0".join([fixer, issue_id, fix.description, *(str(e.path) for e in fix.edits)])
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def not_selected(code: str, settings: Settings) -> str | None:
    """Why an issue is left alone by --autofix-select/--autofix-ignore, or None."""
    if settings.select and not any(matches(code, p) for p in settings.select):
        return f"not selected (--autofix-select={','.join(settings.select)})"
    hit = next((p for p in settings.ignore if matches(code, p)), None)
    if hit is not None:
        return f"ignored (--autofix-ignore={hit})"
    return None


def fixers_for(issue: Issue, fixers: Sequence[Fixer]) -> list[Fixer]:
    """The fixers an issue is routed to: those of its kind and, for a fixer that declares the
    codes it takes (``codes``: codes or dotted prefixes, as ``--autofix-select`` takes them),
    only when the issue's code is one of them."""
    return [f for f in fixers if issue.kind in f.kinds and takes(f, issue.code)]


def takes(fixer: Fixer, code: str) -> bool:
    """``fixer`` declares no ``codes``, or ``code`` matches one of them."""
    codes: frozenset[str] | None = getattr(fixer, "codes", None)
    return codes is None or any(matches(code, pattern) for pattern in codes)


def judge(
    fix: Fix, settings: Settings, refuse: Callable[[str], str | None]
) -> tuple[str, str | None]:
    """``("apply", None)`` or ``("suggest", reason)``; ``refuse`` names a path rule broken."""
    if not fix.edits:
        return "suggest", "a suggestion: needs a person"
    if fix.confidence < settings.min_confidence:
        return "suggest", (
            f"confidence {fix.confidence:.2f} is below --autofix-min-confidence="
            f"{settings.min_confidence:g}"
        )
    if not fix.safe and not settings.unsafe:
        return "suggest", "unsafe (may change behaviour): applied only with --autofix-unsafe"
    for edit in fix.edits:
        why = refuse(str(edit.path))
        if why is not None:
            return "suggest", f"not applied: {why}"
    return "apply", None


def propose(
    issue: Issue,
    fixers: Sequence[Fixer],
    project: Project,
    settings: Settings,
    refuse: Callable[[str], str | None],
    rejected: set[str],
) -> tuple[list[Proposal], list[str]]:
    """Every fixer routed to ``issue``, best confidence first; errors of fixers as lines.

    Only the best appliable fix of an issue is applied; the others are listed as suggestions.
    """
    proposals: list[Proposal] = []
    errors: list[str] = []
    for fixer in fixers_for(issue, fixers):
        try:
            fixes = list(fixer.propose(issue, project))
        except Exception as err:  # a broken fixer must not break the run
            errors.append(f"fixer {fixer.name} raised {type(err).__name__}: {err}")
            continue
        for fix in fixes:
            if not isinstance(fix, Fix):
                errors.append(f"fixer {fixer.name} returned {type(fix).__name__}, not a Fix")
                continue
            key = fix_key(fixer.name, issue.id, fix)
            action, reason = judge(fix, settings, refuse)
            if key in rejected:
                action, reason = "suggest", "rolled back earlier in this run; not retried"
            proposals.append(Proposal(issue.id, fixer.name, fix, key, action, reason))  # type: ignore[arg-type]
    proposals.sort(key=lambda p: -p.fix.confidence)
    best = next((p for p in proposals if p.action == "apply"), None)
    for p in proposals:
        if p.action == "apply" and p is not best:
            p.action, p.reason = "suggest", f"an alternative: {best.fixer} is preferred"  # type: ignore[union-attr]
    return proposals, errors


# -- autofix_exclude ---------------------------------------------------------------------------


def excluded_sites(issue: Issue, exclude: Sequence[str]) -> dict[str, str]:
    """The files where ``issue``'s failures surfaced (its path and every location) that an
    ``autofix_exclude`` pattern matches: rootdir-relative path -> the pattern."""
    if not exclude:
        return {}
    locations = issue.details.get("locations") or ()
    places = [issue.path, *(loc.get("path") for loc in locations)]
    sites: dict[str, str] = {}
    for rel in places:
        if rel and rel not in sites:
            pattern = excluded(rel, exclude)
            if pattern is not None:
                sites[rel] = pattern
    return sites


def _listed(sites: dict[str, str]) -> str:
    return ", ".join(f"{rel} (pattern {pattern!r})" for rel, pattern in sites.items())


def left_out(
    proposals: Sequence[Proposal], sites: dict[str, str], rel: Callable[[str], str]
) -> None:
    """Each fix with edits says which excluded failure sites it leaves as they are (the fixers
    never see excluded files, so a fix covers the others only)."""
    for p in proposals:
        if not p.fix.edits:
            continue
        edited = {rel(str(e.path)) for e in p.fix.edits}
        skipped = {r: pattern for r, pattern in sites.items() if r not in edited}
        if skipped:
            note = f"; left out {_listed(skipped)}: matches autofix_exclude"
            p.fix = dataclasses.replace(p.fix, description=p.fix.description + note)


def refused(proposals: Sequence[Proposal], sites: dict[str, str]) -> str:
    """Fixes proposed for an issue whose failures are all in excluded files (found by asking the
    fixers again with those files readable) are suggestions only; the reason for the issue."""
    why = f"refused: {_listed(sites)} matches autofix_exclude"
    for p in proposals:
        if p.action == "apply":
            p.action, p.reason = "suggest", why
    return why
