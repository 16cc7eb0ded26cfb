"""The engine: rounds of classify -> group -> route -> plan -> apply -> verify.

Imported only by the process that plans (the only process, or the pytest-xdist controller), and
only when something failed: a green ``pytest --autofix`` run never loads libcst or pydantic.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_autofix.config import Settings, notes_key, state_dir
from pytest_autofix.engine import bytecode, verify, warm
from pytest_autofix.engine import plan as planning
from pytest_autofix.engine.classify import Context, classify, group, issue_id, plugin_rules
from pytest_autofix.engine.route import (
    Proposal,
    Status,
    excluded_sites,
    left_out,
    not_selected,
    propose,
    refused,
)
from pytest_autofix.model import Failure, Fixer, Issue
from pytest_autofix.project import Project
from pytest_autofix.transaction import ConflictError, Transaction, TransactionError, unrestored
from pytest_autofix.worker.capture import to_failure

if TYPE_CHECKING:
    from pytest_autofix.catalogue import Catalogue


@dataclasses.dataclass
class IssueRecord:
    issue: Issue
    round: int
    proposals: list[Proposal] = dataclasses.field(default_factory=list)
    reason: str | None = None
    retry: bool = False

    @property
    def status(self) -> str:
        statuses = {p.status for p in self.proposals}
        for status in (Status.FIXED, Status.PROPOSED, Status.ROLLED_BACK):
            if status in statuses:
                return status.value
        if any(p.action == "suggest" for p in self.proposals):
            return Status.SUGGESTED.value
        return "unfixable"


@dataclasses.dataclass
class Outcome:
    mode: str
    failures: int
    records: list[IssueRecord]
    reruns: list[verify.RerunResult]
    exit_status: int
    patch: bytes
    changed: list[str]
    still_failing: list[str]
    note: str | None = None
    passing: int = 0  # tests known to pass after the run (the first run's, updated by reruns)

    def final_state(self) -> str:
        """The verified state after the fixes, in pytest's words: ``12 passed, 1 failed``
        (modules that do not collect are errors)."""
        errors = sum(1 for n in self.still_failing if "::" not in n)
        failed = len(self.still_failing) - errors
        parts = [f"{self.passing} passed"]
        if failed:
            parts.append(f"{failed} failed")
        if errors:
            parts.append(f"{errors} error" if errors == 1 else f"{errors} errors")
        return ", ".join(parts)


def run(
    config: pytest.Config,
    settings: Settings,
    raw: Sequence[tuple[str, str, dict[str, Any] | None, str]],
    passed: set[str],
    pytest_exit: int,
    progress: Callable[[str], AbstractContextManager[object]] | None = None,
    launcher: warm.Launcher | None = None,
) -> Outcome:
    """The whole engine for one session: the failures it saw, what passed, pytest's status."""
    failures = [to_failure(*r) for r in raw]
    passed = passed - {f.nodeid for f in failures}
    engine = Engine(
        config,
        settings,
        _collect_fixers(config),
        *([progress] if progress else []),
        launcher=launcher,
    )
    try:
        outcome = engine.run(failures, passed, pytest_exit)
    finally:
        if launcher is None:  # one given is the caller's to stop and close (session.py)
            engine.launcher.close()
    notes = [*config.stash.get(notes_key, []), *([outcome.note] if outcome.note else [])]
    if engine.project.unread:  # a huge module, an unreadable file: fixers knew nothing of it
        files = ", ".join(f"{rel} ({why})" for rel, why in engine.project.unread.items())
        notes.append(f"not read, so no fix could see into them: {files}")
    outcome.note = "; ".join(notes) or None
    return outcome


def startup_nodes(failures: Iterable[Failure]) -> set[str]:
    """The nodes of start-up failures (worker/startup.py): a directory's, proven by starting
    up without the failure."""
    return {f.nodeid for f in failures if f.facts.get("startup")}


def _keys(cands: Sequence[planning.Candidate]) -> frozenset[str]:
    return frozenset(c.key for c in cands)


def _collect_fixers(config: pytest.Config) -> list[Fixer]:
    from pytest_autofix.fixers import registry as builtin_fixers

    if not config.pluginmanager.is_registered(builtin_fixers):
        config.pluginmanager.register(builtin_fixers, "autofix-builtin-fixers")
    merged: list[Fixer] = []
    for result in config.hook.pytest_autofix_fixers(config=config):
        merged.extend(result or [])
    return merged


def _catalogue(config: pytest.Config) -> Catalogue:
    """The migration catalogue, loaded when a failure first needs it (many never do)."""
    from pytest_autofix import catalogue

    return catalogue.for_session(config)


def _load_report() -> None:
    """The report comes after the rerun: its imports (rich, the report's models) are done
    while the rerun runs in the other interpreter, not after it."""
    import pytest_autofix.report.summary  # noqa: F401


def project_modules(project: Project) -> frozenset[str]:
    names: set[str] = set()
    for name in project.modules():
        names.add(name.partition(".")[0])
        names.add(name.rpartition(".")[2])
    return frozenset(names)


class Engine:
    """Rounds of classify -> group -> route -> plan -> apply -> verify, and the outcome."""

    def __init__(
        self,
        config: pytest.Config,
        settings: Settings,
        fixers: Sequence[Fixer],
        progress: Callable[[str], AbstractContextManager[object]] = lambda _: nullcontext(),
        *,
        launcher: warm.Launcher | None = None,
    ) -> None:
        self.config = config
        self.progress = progress
        self.settings = settings
        self.fixers = list(fixers)
        self.rootdir = config.rootpath
        self.state_dir = state_dir(config)
        use_cache = config.pluginmanager.has_plugin("cacheprovider")
        self.project = Project(
            self.rootdir,
            cache_dir=self.state_dir / "index" if use_cache else None,
            exclude=settings.exclude,
            python_files=tuple(config.getini("python_files")),
            max_file_size=settings.max_file_size,
        )
        self.ctx = Context(
            project_modules(self.project),
            functools.partial(_catalogue, config),
            rules=plugin_rules(config),
        )
        self.records: dict[str, IssueRecord] = {}
        self.changed_in = 0  # the last round whose fixes were kept (the code changed then)
        self.rejected: set[str] = set()
        self.reruns: list[verify.RerunResult] = []
        self.base: dict[Path, bytes] = {}  # verified contents of files changed in earlier rounds
        self.passing: set[str] = set()
        self.failing: set[str] = set()
        self.startup: set[str] = set()
        self._guard = Transaction(
            self.rootdir,
            self.state_dir,
            exclude=settings.exclude,
            max_file_size=settings.max_file_size,
            cache_dir=self.state_dir.parent,
        )
        self.txn: Transaction | None = None
        self.seen: dict[Path, bytes | None] = {}  # what the transaction read, first time
        self._planned: dict[frozenset[str], dict[Path, bytes]] = {}
        self.issue_failures: dict[str, list[Failure]] = {}
        # the targets of a fix kept in part (its key -> the tests its kept edits fixed)
        self.narrowed: dict[str, tuple[str, ...]] = {}
        # tests whose failure in a rerun proves nothing (see _confirm): nodeid -> why
        self.unreliable: dict[str, str] = {}
        self.confirmed: set[str] = set()  # regressions confirmed this round
        # the project's modules every session loads as plugins (see verify.affected)
        self.everywhere = verify.plugin_files(config)
        # rerun interpreters, one started ahead of each round (see warm.py)
        self.launcher = launcher or warm.for_config(
            config, self.state_dir, finish_timeout=settings.rerun_timeout
        )

    # -- policy helpers ----------------------------------------------------------------------

    def _refuse(self, path: str) -> str | None:
        try:
            self._guard.check(path)
        except TransactionError as err:
            return str(err)
        return None

    def _read(self, path: Path) -> bytes | None:
        return path.read_bytes() if path.exists() else None

    # -- the run -----------------------------------------------------------------------------

    def run(self, failures: list[Failure], passed: set[str], pytest_exit: int) -> Outcome:
        self.passing = set(passed)
        self.failing = {f.nodeid for f in failures}
        self.startup = startup_nodes(failures)
        count = len(self.failing)
        mode = "dry-run" if self.settings.dry_run else "fix"
        if not failures:
            return Outcome(mode, 0, [], [], pytest_exit, b"", [], [])
        if self.settings.dry_run:
            plan = self._round(1, failures, None)
            patch = plan.patch_bytes() if plan is not None else b""
            return self._outcome(mode, len(self.failing), pytest_exit, patch, [])
        try:
            changed, patch = self._fix_rounds(failures)
        except TransactionError as err:
            outcome = self._outcome(mode, len(self.failing), pytest_exit, b"", [])
            left = unrestored(self.state_dir, self.rootdir)  # a rollback that failed
            outcome.note = (
                f"not restored yet: {', '.join(left)} (the next pytest start restores them): {err}"
                if left
                else f"nothing was changed: {err}"
            )
            for record in self.records.values():
                for p in record.proposals:
                    if p.applied and p.verified:
                        p.rolled_back(f"rolled back: {err}")
            return outcome
        rels = [p.relative_to(self.rootdir).as_posix() for p in sorted(changed)]
        exit_status = 0 if not self.failing else (pytest_exit or 1)
        if rels and self.settings.exit_non_zero_on_fix and exit_status == 0:
            exit_status = 1
        return self._unreliable(
            self._left_to_others(self._outcome(mode, count, exit_status, patch, rels))
        )

    def _unreliable(self, outcome: Outcome) -> Outcome:
        """The outcome, naming the tests whose rerun failures proved nothing (see _confirm)."""
        if self.unreliable:
            said = "; ".join(f"{why}: not held against the fix" for why in self.unreliable.values())
            outcome.note = f"{outcome.note}; {said}" if outcome.note else said
        return outcome

    def _left_to_others(self, outcome: Outcome) -> Outcome:
        """The outcome, saying which files another writer changed during the run (they are
        theirs: not written, not restored, not undone) and exiting non-zero for them."""
        foreign = self.txn.foreign if self.txn is not None else {}
        if foreign:
            outcome.note = (
                "left as is, changed on disk by another writer while autofix ran (check them: "
                f"they may hold an edit of autofix's under theirs): {'; '.join(foreign.values())}"
            )
            outcome.exit_status = outcome.exit_status or 1
        return outcome

    def _fix_rounds(self, failures: list[Failure]) -> tuple[list[Path], bytes]:
        """Rounds while they make progress, in one transaction; the files changed, the patch."""
        with Transaction(
            self.rootdir,
            self.state_dir,
            exclude=self.settings.exclude,
            max_file_size=self.settings.max_file_size,
            cache_dir=self.state_dir.parent,
        ) as txn:
            self.txn = txn
            current = failures
            for rnd in range(1, self.settings.max_rounds + 1):
                current = self._fix_round(rnd, current, txn)
                if not current:
                    break
            changed = txn.commit()
            patch = b"".join(
                planning.unified_diff_bytes(
                    p.relative_to(self.rootdir).as_posix(), txn.original(p), self._read(p)
                )
                for p in sorted(changed)
            )
        return changed, patch

    def _outcome(
        self, mode: str, count: int, exit_status: int, patch: bytes, changed: list[str]
    ) -> Outcome:
        return Outcome(
            mode,
            count,
            list(self.records.values()),
            self.reruns,
            exit_status,
            patch,
            changed,
            sorted(self.failing),
            passing=len(self.passing),
        )

    def _round(
        self, rnd: int, failures: list[Failure], txn: Transaction | None
    ) -> planning.Plan | None:
        """Classify, group, route and plan one round; record every proposal."""
        retry = [
            f for r in self.records.values() if r.retry for f in self.issue_failures[r.issue.id]
        ]
        failures = failures + [f for f in retry if f not in failures]
        for failure in failures:
            v = classify(failure, self.ctx)
            self.issue_failures.setdefault(issue_id(v.code, v.key), []).append(failure)
        by_key = {
            p.key: p
            for issue in group(failures, self.ctx)
            for p in self._propose(issue, rnd)
            if p.action == "apply"
        }
        candidates = [
            planning.Candidate(p.key, p.issue_id, p.fixer, p.fix) for p in by_key.values()
        ]
        read = self._base_read if txn is not None else self._read
        candidates = self._reachable(candidates, by_key, read)
        if not candidates:
            return None
        built = planning.build(
            candidates, rootdir=self.rootdir, read=read, check_path=self._guard.check
        )
        self._record(built, by_key)
        return built

    def _propose(self, issue: Issue, rnd: int) -> list[Proposal]:
        """Record ``issue`` (unless an earlier round did and it is not to be retried) and what
        the fixers routed to it propose."""
        old = self.records.get(issue.id)
        if old is not None and not old.retry and not self._asked_again(old):
            return []
        record = IssueRecord(issue, rnd)
        self.records[issue.id] = record
        record.reason = not_selected(issue.code, self.settings)
        if record.reason is not None:
            return []
        record.proposals, errors = propose(
            issue, self.fixers, self.project, self.settings, self._refuse, self.rejected
        )
        record.reason = self._excluded(issue, record) if not errors else "; ".join(errors)
        if record.reason is None and not record.proposals:
            record.reason = "no fixer proposed a fix"
        return record.proposals

    def _asked_again(self, old: IssueRecord) -> bool:
        """An issue no fix was applied to, still failing after a later round's fixes were kept:
        its fixers are asked again, as what they could not do may be possible now (a fixture
        requesting one that was moved where it can see it, a module behind a fixed import)."""
        return old.round <= self.changed_in and old.status in (
            Status.SUGGESTED.value,
            "unfixable",
        )

    def _excluded(self, issue: Issue, record: IssueRecord) -> str | None:
        """What ``autofix_exclude`` did to ``issue``: its fixes say which excluded failure sites
        they leave out; when every site is excluded and nothing was proposed, the fixers are
        asked again with the excluded files readable, and what they propose is refused (a
        suggestion saying so). The reason for the issue, or None."""
        sites = excluded_sites(issue, self.settings.exclude)
        if not sites:
            return None
        if not record.proposals and set(sites) >= {issue.path, *self._locations(issue)}:
            readable = Project(self.rootdir, python_files=self.project.python_files)
            record.proposals, _ = propose(
                issue, self.fixers, readable, self.settings, self._refuse, self.rejected
            )
            return refused(record.proposals, sites)
        left_out(record.proposals, sites, self._rel)
        return None

    @staticmethod
    def _locations(issue: Issue) -> set[str]:
        return {loc["path"] for loc in issue.details.get("locations") or () if loc.get("path")}

    def _record(self, built: planning.Plan, by_key: dict[str, Proposal]) -> None:
        """What planning decided, on each proposal; this round's contents kept."""
        # This round's contents, by set of fixes: writing, settling and bisecting ask again.
        self._planned = {_keys(built.applied): {fp.path: fp.new for fp in built.files.values()}}
        for cand in built.applied:
            p = by_key[cand.key]
            p.diff, p.files = built.diffs.get(cand.key, ""), built.files_of.get(cand.key, [])
            p.planned()
        for cand, why in built.dropped:
            by_key[cand.key].set_aside(f"dropped: {why}")
        for cand, why in built.deferred:
            by_key[cand.key].set_aside(f"deferred to the next round: {why}")
            self.records[cand.issue_id].retry = True

    def _reachable(
        self,
        cands: list[planning.Candidate],
        by_key: dict[str, Proposal],
        read: Callable[[Path], bytes | None],
    ) -> list[planning.Candidate]:
        """The fixes as far as a verification rerun would reach them: an edit no test imports
        or collects would be kept without evidence, so a fix loses its edits of such files
        (and says so), and a fix left with none becomes a suggestion with its diff."""
        kept = []
        for cand in cands:
            unreached = self._unreached(cand)
            if not unreached:
                kept.append(cand)
                continue
            p = by_key[cand.key]
            why = f"no test the rerun would run imports or collects {', '.join(unreached)}"
            reached = [e for e in cand.fix.edits if self._rel(e.path) not in unreached]
            if reached:  # the same fix, planned without the files it cannot prove
                p.fix = dataclasses.replace(cand.fix, edits=reached)
                p.reason = f"not applied to {', '.join(unreached)}: {why}"
                kept.append(planning.Candidate(cand.key, cand.issue_id, cand.fixer, p.fix))
                continue
            self._describe(p, cand, read)
            p.set_aside(f"not applied: {why}")
        return kept

    def _rel(self, path: str | os.PathLike[str]) -> str:
        """An edit's path, rootdir-relative in POSIX form."""
        given = Path(path)
        return (
            (given if given.is_absolute() else self.rootdir / given)
            .relative_to(self.rootdir)
            .as_posix()
        )

    def _unreached(self, cand: planning.Candidate) -> list[str]:
        """The files ``cand`` edits that none of the tests its rerun would run reaches."""
        rels = self._rels(cand)
        tests = verify.affected(
            self.project, self._targets(cand), rels, self._test_files(), everywhere=self.everywhere
        )
        return verify.unreached(self.project, rels, tests, everywhere=self.everywhere)

    # -- apply mode --------------------------------------------------------------------------

    def _fix_round(self, rnd: int, failures: list[Failure], txn: Transaction) -> list[Failure]:
        self.launcher.prepare()  # starts while this round is planned and written
        self.confirmed = set()
        built = self._round(rnd, failures, txn)
        if built is None or not built.applied:
            return []
        by_key = {p.key: p for r in self.records.values() for p in r.proposals}
        applied = list(built.applied)
        applied = self._write(applied, txn, by_key)
        if not applied:
            return []
        for cand in applied:
            by_key[cand.key].applied = True
        return self._verify(applied, txn, by_key)

    def _verify(
        self, applied: list[planning.Candidate], txn: Transaction, by_key: dict[str, Proposal]
    ) -> list[Failure]:
        """Rerun what ``applied`` (written) affects, settle, keep what is proven; the failures
        left for the next round."""
        result = self._rerun(applied)
        if result.error is not None:
            return self._split(applied, result.error, txn, by_key)
        kept = applied
        # settle: bisect regressions, drop what did not help, confirm; it ends, as every pass
        # that does not stop rolls back a fix or a part of one
        while (settled := self._settle(kept, result, txn, by_key)) is not None:
            kept = self._write(settled, txn, by_key)
            if not kept:  # everything of this round was rolled back: nothing new is known
                result = verify.RerunResult([], {}, [], 0.0, 0)
                break
            result = self._rerun(kept)
            if result.error is not None:
                return self._split(kept, result.error, txn, by_key)
        for cand in kept:
            p = by_key[cand.key]
            if p.status != Status.ROLLED_BACK:
                p.proven()
                self.changed_in = max(self.changed_in, self.records[cand.issue_id].round)
        for path in self._contents(kept):
            self.base[path] = path.read_bytes()
        self.project.invalidate(list(self.base))
        self._account(result)
        return [f for f in result.failures if f.nodeid not in self.passing]

    def _settle(
        self,
        kept: list[planning.Candidate],
        result: verify.RerunResult,
        txn: Transaction,
        by_key: dict[str, Proposal],
    ) -> list[planning.Candidate] | None:
        """One judgement of ``kept`` by ``result``: None when every fix is proven; else the fixes
        (and the parts of fixes) to write and rerun, the others rolled back."""
        regressed = self._regressions(result)
        if regressed:
            regressed = self._confirm(kept, result, regressed, txn)
        culprits = self._culprits(kept, regressed, txn) if regressed else []
        broke = f"it broke {', '.join(sorted(regressed)[:3])}"
        judged: dict[str, tuple[str, set[str] | None]] = {
            c.key: (broke, regressed) for c in culprits
        }
        for cand in kept:
            if cand.key not in judged and not self._effective(cand, result):
                judged[cand.key] = (self._still_failing(cand, result), None)
        if not judged:
            return None
        settled = []
        for cand in kept:
            if cand.key not in judged:
                settled.append(cand)
                continue
            why, touched = judged[cand.key]
            part = self._narrow(cand, result, by_key, why, touched)
            if part is None:
                self._reject(by_key[cand.key], f"rolled back: {why}")
            else:
                settled.append(part)
        return settled

    def _contents(self, cands: Sequence[planning.Candidate]) -> dict[Path, bytes]:
        """The files as ``cands`` (a subset of this round's fixes) make them, planned once."""
        if not cands:
            return {}
        key = _keys(cands)
        if key not in self._planned:
            built = planning.build(cands, rootdir=self.rootdir, read=self._base_read)
            self._planned[key] = {fp.path: fp.new for fp in built.files.values()}
        return self._planned[key]

    def _base_read(self, path: Path) -> bytes | None:
        """A file as the fixes saw it: verified by an earlier round, or as first read."""
        if path in self.base:
            return self.base[path]
        if path not in self.seen:
            assert self.txn is not None
            self.seen[path] = self.txn.read(path)
        return self.seen[path]

    def _write(
        self, cands: list[planning.Candidate], txn: Transaction, by_key: dict[str, Proposal]
    ) -> list[planning.Candidate]:
        """Make the files = verified base + ``cands``. A file another writer changed during the
        run is theirs from then on (the transaction never writes it again): the fixes that
        edit it become suggestions, and an earlier round's proven edit of it is given up."""
        while True:  # ends: each conflict makes one more file foreign, which is then not asked
            contents = self._contents(cands)
            try:
                txn.set_contents({**self.base, **contents})
                return cands
            except ConflictError as err:
                bad = Path(str(err.path)) if getattr(err, "path", None) else None
                losing = [c for c in cands if bad is None or bad in self._paths(c)]
                for cand in losing:
                    by_key[cand.key].set_aside(f"not written: {err}")
                cands = [c for c in cands if c not in losing]
                if bad is not None and self.base.pop(bad, None) is not None:
                    self._given_up(bad, str(err))

    def _given_up(self, path: Path, why: str) -> None:
        """An earlier round's proven edit of ``path`` is lost to another writer."""
        rel = path.relative_to(self.rootdir).as_posix()
        for record in self.records.values():
            for p in record.proposals:
                if p.status == Status.FIXED and rel in p.files:
                    p.rolled_back(f"rolled back: {why}")

    def _paths(self, cand: planning.Candidate) -> set[Path]:
        out = set()
        for edit in cand.fix.edits:
            p = Path(edit.path)
            out.add(p if p.is_absolute() else self.rootdir / p)
        return out

    def _rerun(self, cands: Sequence[planning.Candidate]) -> verify.RerunResult:
        targets = {t for c in cands for t in self._targets(c)}
        edited = {p.relative_to(self.rootdir).as_posix() for c in cands for p in self._paths(c)} | {
            p.relative_to(self.rootdir).as_posix() for p in self.base
        }
        self.project.invalidate([self.rootdir / e for e in edited])
        tests = verify.affected(
            self.project, targets, edited, self._test_files(), everywhere=self.everywhere
        )
        # the edited test modules the rerun imports, last first (it collects from the first)
        compile_ahead = [
            self.rootdir / rel
            for rel in reversed(list(dict.fromkeys(t.split("::", 1)[0] for t in tests)))
            if rel in edited
        ]

        def meanwhile() -> None:
            bytecode.precompile(self.config, compile_ahead)
            _load_report()

        with self.progress(
            f"rerunning {len(tests)} affected test node(s) to verify {len(cands)} fix(es)"
        ):
            result = verify.rerun(
                self.config,
                self.state_dir,
                tests,
                self.settings.rerun_timeout,
                launcher=self.launcher,
                meanwhile=meanwhile,
            )
        self.reruns.append(result)
        return result

    def _test_files(self) -> list[str]:
        known = {n.split("::", 1)[0] for n in self.passing | self.failing}
        return sorted(known)

    def _regressions(self, result: verify.RerunResult) -> set[str]:
        """Tests that passed before and fail now, and collectors (a module, a class) that no
        longer collect while tests in them passed before."""
        failed = {n for n, o in result.outcomes.items() if o == "failed"} - set(self.unreliable)
        regressed = failed & self.passing
        collectors = failed - self.passing - self.failing
        if collectors:
            regressed |= {c for c in collectors if any(verify.under(p, c) for p in self.passing)}
        return regressed

    def _confirm(
        self,
        kept: list[planning.Candidate],
        result: verify.RerunResult,
        regressed: set[str],
        txn: Transaction,
    ) -> set[str]:
        """The ``regressed`` tests the fixes are to blame for. A test that passes when the same
        tests are rerun with the fixes (flaky), or fails when they are rerun without this
        round's fixes (order-dependent: it needs a test the rerun does not run; or flaky), is
        not: it is set aside for the rest of the run (:attr:`unreliable`). At most two reruns
        of the tests ``result`` ran, with the same neighbours, for the tests not confirmed yet
        this round; a rerun that does not work confirms everything (as before)."""
        todo = regressed - self.confirmed
        if not todo:
            return regressed
        again = self._probe(result.tests, f"{len(todo)} test(s) broke; rerunning them")
        for test in todo:
            if again.error is None and again.ran(test) and not again.failed(test):
                self.unreliable[test] = f"{test} passed when rerun with the fix (flaky)"
        left = todo - set(self.unreliable)
        if left:
            txn.set_contents(self.base)
            try:
                without = self._probe(result.tests, f"{len(left)} test(s) broke; without the fixes")
            finally:
                txn.set_contents({**self.base, **self._contents(kept)})
            for test in left:
                if without.error is None and without.failed(test):
                    self.unreliable[test] = (
                        f"{test} fails without the fix as well (order-dependent or flaky)"
                    )
        self.confirmed |= todo - set(self.unreliable)
        return regressed - set(self.unreliable)

    def _probe(self, tests: list[str], what: str) -> verify.RerunResult:
        """``tests`` rerun on the files as they are now (for :meth:`_confirm`)."""
        with self.progress(f"confirming: {what}"):
            result = verify.rerun(
                self.config,
                self.state_dir,
                tests,
                self.settings.rerun_timeout,
                launcher=self.launcher,
            )
        self.reruns.append(result)
        return result

    def _culprits(
        self, cands: list[planning.Candidate], regressed: set[str], txn: Transaction
    ) -> list[planning.Candidate]:
        """The fixes that broke ``regressed``: first narrowed statically to the fixes whose
        edits reach a regressed test (its file, its import closure, a conftest above it), then
        by bisection among those. The settle loop's confirming rerun checks the verdict."""
        regressed_files = {n.split("::", 1)[0] for n in regressed}
        suspects = [
            c
            for c in cands
            if regressed_files
            & set(
                verify.affected(
                    self.project, [], self._rels(c), regressed_files, everywhere=self.everywhere
                )
            )
        ]
        return self._bisect(suspects or cands, regressed, txn)

    def _rels(self, cand: planning.Candidate) -> list[str]:
        return [p.relative_to(self.rootdir).as_posix() for p in self._paths(cand)]

    def _bisect(
        self, cands: list[planning.Candidate], regressed: set[str], txn: Transaction
    ) -> list[planning.Candidate]:
        """The fixes that make ``regressed`` fail, by halves (one rerun per half tried).

        Probes rerun only the regressed tests, so they run without ``-n``: a few tests do not
        pay for starting workers."""
        if len(cands) == 1:
            return cands
        half = len(cands) // 2
        found: list[planning.Candidate] = []
        for i, part in enumerate((cands[:half], cands[half:])):
            txn.set_contents({**self.base, **self._contents(part)})
            with self.progress(
                f"bisecting: {len(regressed)} test(s) broke; trying {len(part)} fix(es)"
            ):
                result = verify.rerun(
                    self.config,
                    self.state_dir,
                    sorted(regressed),
                    self.settings.rerun_timeout,
                    xdist=False,
                    launcher=self.launcher,
                    then_prepare=i == 0,  # the second half's interpreter starts meanwhile
                )
            self.reruns.append(result)
            if any(result.failed(n) for n in regressed):
                found += self._bisect(part, regressed, txn)
        return found or cands

    def _targets(self, cand: planning.Candidate) -> tuple[str, ...]:
        """The tests a fix is judged on: its issue's, or what a part kept proved."""
        return self.narrowed.get(cand.key) or self.records[cand.issue_id].issue.tests

    def _judge(
        self, cand: planning.Candidate, result: verify.RerunResult
    ) -> tuple[list[str], list[str]]:
        """``(fixed, left)``: the fix's targets the rerun ran free of the issue (same code and
        key), and the others, in order. A start-up failure's target (a directory) is judged on
        the start-up alone: the tests below it never ran behind it, and what they show is the
        next layer, judged on their own targets (a test file that failed to collect, say)."""
        issue = self.records[cand.issue_id].issue
        fixed: list[str] = []
        left: list[str] = []
        for test in self._targets(cand):
            alone = test in self.startup
            gone = result.ran(test) and not any(
                (failure.nodeid == test if alone else verify.under(failure.nodeid, test))
                and (v := classify(failure, self.ctx)).code == issue.code
                and v.key == issue.details.get("key")
                for failure in result.failures
            )
            (fixed if gone else left).append(test)
        return fixed, left

    def _effective(self, cand: planning.Candidate, result: verify.RerunResult) -> bool:
        """The issue the fix targets is gone from every one of its tests in the rerun."""
        return not self._judge(cand, result)[1]

    def _still_failing(
        self, cand: planning.Candidate, result: verify.RerunResult, among: Sequence[str] = ()
    ) -> str:
        """Why the fix is not proven, naming a target that is left (one of ``among`` first)."""
        _, left = self._judge(cand, result)
        first = next((t for t in left if t in among), left[0] if left else "")
        if not result.ran(first):
            return f"the rerun did not run {first}"
        return f"{first} still fails with {self.records[cand.issue_id].issue.code}"

    def _narrow(
        self,
        cand: planning.Candidate,
        result: verify.RerunResult,
        by_key: dict[str, Proposal],
        why: str,
        regressed: set[str] | None = None,
    ) -> planning.Candidate | None:
        """The part of a fix the rerun proves, as a fix of its own (its proposal updated and
        reported as kept in part), or None when no part can be kept without the others."""
        proven = self._proven_parts(cand, result, regressed)
        if proven is None:
            return None
        keep, dropped, targets = proven
        if regressed is None:  # name a test the parts left out still fail
            why = self._still_failing(cand, result, [t for p in dropped for t in p.serves])
        total = len(self._targets(cand))
        edits = [e for p in keep for e in p.edits]
        part = planning.Candidate(
            f"{cand.key}~{len(self.narrowed)}",
            cand.issue_id,
            cand.fixer,
            dataclasses.replace(cand.fix, edits=edits),
        )
        self.narrowed[part.key] = targets
        p = by_key[part.key] = by_key[cand.key]
        p.fix = part.fix
        self._describe(p, part, self._base_read)
        earlier = f"; {p.reason}" if p.reason and p.reason.startswith("not applied to ") else ""
        if dropped:
            p.reason = (
                f"kept in part: {', '.join(k.label for k in keep)}; left out "
                f"{', '.join(d.label for d in dropped)}: {why}"
            )
        else:
            p.reason = f"kept in part: it fixed {len(targets)} of {total} tests; {why}"
        p.reason += earlier
        return part

    def _proven_parts(
        self, cand: planning.Candidate, result: verify.RerunResult, regressed: set[str] | None
    ) -> tuple[list[verify.Part], list[verify.Part], tuple[str, ...]] | None:
        """``(kept, left out, the targets the kept parts fixed)``, or None.

        A fix's edits are grouped by file, or by scope (:class:`FileEdit`). The parts that serve
        a target the rerun shows fixed are kept; the parts that serve only targets still failing
        are left out, and so is, with ``regressed``, every part a regressed test reaches (None
        when that is none of them: the culprit cannot be told apart). When every part proved
        itself on some target, the fix is kept whole, for the targets it fixed: the others fail
        as before. What is kept is judged again, on the targets it fixed, by the next rerun."""
        fixed, _ = self._judge(cand, result)
        if not fixed:
            return None
        parts = verify.parts(
            self.project,
            self.rootdir,
            cand.fix.edits,
            self._targets(cand),
            everywhere=self.everywhere,
        )
        good = set(fixed)
        keep = [
            p
            for p in parts
            if p.serves & good and not (regressed and p.touches(self.project, regressed))
        ]
        if not keep or (regressed and len(keep) == len(parts)):
            return None
        served = {t for p in keep for t in p.serves}
        dropped = [p for p in parts if p not in keep]
        return keep, dropped, tuple(t for t in fixed if t in served)

    def _describe(
        self, p: Proposal, cand: planning.Candidate, read: Callable[[Path], bytes | None]
    ) -> None:
        """``p``'s diff and files: what ``cand`` alone does to the files as ``read`` gives."""
        alone = planning.build([cand], rootdir=self.rootdir, read=read)
        p.diff, p.files = alone.diffs.get(cand.key, ""), alone.files_of.get(cand.key, [])

    def _reject(self, p: Proposal, reason: str) -> None:
        p.rolled_back(reason)
        self.rejected.add(p.key)

    def _split(
        self,
        cands: list[planning.Candidate],
        error: str,
        txn: Transaction,
        by_key: dict[str, Proposal],
    ) -> list[Failure]:
        """A rerun that crashed or timed out gives no evidence about any of ``cands``: each
        half is written and verified on its own (a kept half becomes the base of the next), so
        the fix that breaks the rerun is found alone and costs no other fix."""
        if len(cands) == 1:
            return self._abandon(cands, error, txn, by_key)
        half = len(cands) // 2
        failures: list[Failure] = []
        for part in (cands[:half], cands[half:]):
            written = self._write(part, txn, by_key)
            if written:
                failures += self._verify(written, txn, by_key)
        left = {(f.nodeid, f.when): f for f in failures if f.nodeid not in self.passing}
        return list(left.values())

    def _abandon(
        self,
        cands: Sequence[planning.Candidate],
        error: str,
        txn: Transaction,
        by_key: dict[str, Proposal],
    ) -> list[Failure]:
        """A rerun that did not work proves nothing: ``cands`` (one fix, once split) are rolled
        back to the verified base."""
        txn.set_contents(self.base)
        for cand in cands:
            self._reject(by_key[cand.key], f"rolled back: {error}")
        return []

    def _account(self, result: verify.RerunResult) -> None:
        self.startup |= startup_nodes(result.failures)  # a hook's error, once items exist
        for nodeid, outcome in result.outcomes.items():
            if nodeid in self.unreliable:  # it passed in the session; its rerun proves nothing
                continue
            if outcome == "failed":
                self.failing.add(nodeid)
                self.passing.discard(nodeid)
            elif outcome == "passed":
                self.passing.add(nodeid)
                self.failing.discard(nodeid)
            else:  # skipped: neither
                self.passing.discard(nodeid)
                self.failing.discard(nodeid)
        for nodeid in list(self.failing):
            if nodeid in result.outcomes or not result.ran(nodeid):
                continue
            # a collector that collects now (its tests count for themselves), a test that runs
            # as its parametrized instances
            if _collector(nodeid) or not result.failed(nodeid):
                self.failing.discard(nodeid)


def _collector(nodeid: str) -> bool:
    """A module's or a directory's node id (``tests/test_a.py``), not a test's."""
    return "::" not in nodeid
