"""Merge the fixes of one round into one new content per file.

:func:`build` takes every candidate fix of a round, best confidence first, and decides for each
one: applied, deferred to the next round (it touches lines a better fix already changes), or
dropped (it cannot be applied at all). Each fix runs alone against the original file: its
transforms on the one parse of that file, and the result must compile. That one result gives
the fix's line changes against the original (one :class:`difflib.SequenceMatcher` per file and
fix), from which come both the diff shown for the fix and the lines it occupies. The fixes
accepted for a file change lines that neither overlap nor touch, so their line changes are
spliced together into the original lines: the diff shown for each fix is exactly the part of
the merged file it contributes, and no transform runs twice. The merged file must compile
again (two fixes may compile alone and not together: then the first fix, in confidence order,
whose addition breaks it is dropped). Source is bytes in and bytes out (``Module.bytes``, lines
split after each ``\\n`` as git does), so a BOM, CRLF line endings and an encoding cookie
survive untouched.

Nothing here writes a file: the :class:`Plan` says what the transaction will write.
"""

from __future__ import annotations

import dataclasses
import difflib
import io
import os
import tokenize
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import libcst

from pytest_autofix import forked

if TYPE_CHECKING:
    from pytest_autofix.model import FileEdit, Fix

__all__ = ["Candidate", "FilePlan", "Plan", "build", "unified_diff", "unified_diff_bytes"]

Transform = Callable[[libcst.Module], libcst.Module]
# Below this much source to transform, planning stays in one process: forking costs more than
# it saves on small work (the benchmark's confined K = 10 project, 5 KB to plan: 0.09 s in one
# process against 0.12 s forked; its K = 1,000 project, 59 KB: 0.27 s on two cores against
# 0.45 s in one).
_SPREAD_BYTES = 16_000
Span = tuple[int, int]  # changed original lines [start, end), 0-based
Splice = tuple[int, int, tuple[bytes, ...]]  # original lines [start, end) -> these lines


@dataclasses.dataclass(frozen=True)
class Candidate:
    key: str  # unique id of the fix (given by the caller)
    issue_id: str
    fixer: str
    fix: Fix


@dataclasses.dataclass(frozen=True)
class FilePlan:
    path: Path  # absolute
    rel: str  # rootdir-relative, POSIX
    original: bytes | None  # None: a new file
    new: bytes


@dataclasses.dataclass
class Plan:
    files: dict[Path, FilePlan]  # the merged result of every applied fix, in rel order
    applied: list[Candidate]
    diffs: dict[str, str]  # candidate key -> unified diff of that fix alone (all its files)
    files_of: dict[str, list[str]]  # candidate key -> rel paths it touches
    deferred: list[tuple[Candidate, str]]  # lost a conflict: retry next round; names the winner
    dropped: list[tuple[Candidate, str]]  # cannot be applied; the reason says why

    def patch_bytes(self) -> bytes:
        """One unified diff of every file, byte for byte what ``git apply`` needs."""
        plans = sorted(self.files.values(), key=lambda plan: plan.rel)
        return b"".join(unified_diff_bytes(p.rel, p.original, p.new) for p in plans)

    def patch(self) -> str:
        """:meth:`patch_bytes` as text: write it back with ``errors="surrogateescape"`` (bytes
        of a file that is not UTF-8 are kept as surrogates), or write ``patch_bytes()``."""
        return self.patch_bytes().decode("utf-8", "surrogateescape")


class _Refused(Exception):
    """Why a candidate cannot be applied; the message is the reason shown to the user."""


@dataclasses.dataclass(frozen=True)
class _Change:
    """One candidate's change to one file, computed against the original alone."""

    candidate: Candidate
    path: Path
    rel: str
    original: bytes | None
    new: bytes
    splices: tuple[Splice, ...]  # every line change against the original, in order
    spans: tuple[Span, ...]  # the original lines each splice touches (see :func:`_spans`)
    diff: str  # its unified diff, for display


def build(
    candidates: Sequence[Candidate],
    *,
    rootdir: Path,
    read: Callable[[Path], bytes | None],
    check_path: Callable[[Path], Path] | None = None,
) -> Plan:
    """Decide every candidate (applied, deferred or dropped) and merge what is applied.

    ``read(path)`` gives a file's bytes, or None when it does not exist. ``check_path(path)``
    returns the path to use or raises to refuse it (outside the rootdir is always refused).
    """
    keys = [candidate.key for candidate in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError(f"candidate keys must be unique: {keys!r}")
    files = _Files(Path(os.path.abspath(rootdir)), read, check_path)
    files.run_ahead(candidates)
    plan = Plan(files={}, applied=[], diffs={}, files_of={}, deferred=[], dropped=[])
    accepted: dict[Path, list[_Change]] = {}
    for candidate in sorted(candidates, key=lambda c: -c.fix.confidence):
        try:
            changes = _changes(candidate, files, plan)
        except _Refused as refused:
            plan.dropped.append((candidate, str(refused)))
            continue
        plan.diffs[candidate.key] = "".join(change.diff for change in changes)
        winner = _conflict(changes, accepted)
        if winner is not None and _already_made(changes, accepted):
            plan.applied.append(candidate)  # another fix makes exactly these changes: both hold
            continue
        if winner is not None:
            reason = f"conflicts with {winner.fixer}: {winner.fix.description}"
            plan.deferred.append((candidate, reason))
            continue
        for change in changes:
            accepted.setdefault(change.path, []).append(change)
        plan.applied.append(candidate)
    _merge(accepted, files, plan)
    return plan


class _Files:
    """Paths resolved and checked, originals read, split into lines and parsed once."""

    def __init__(
        self,
        rootdir: Path,
        read: Callable[[Path], bytes | None],
        check_path: Callable[[Path], Path] | None,
    ) -> None:
        self.rootdir = rootdir
        self._read = read
        self._check_path = check_path
        self._originals: dict[Path, bytes | None] = {}
        self._lines: dict[Path, list[bytes]] = {}
        self._parsed: dict[Path, libcst.Module] = {}
        # (candidate key, path) -> the new bytes, or why they are refused
        self._ahead: dict[tuple[str, Path], bytes | str] = {}

    def resolve(self, path: str | os.PathLike[str]) -> tuple[Path, str]:
        """``(absolute path, rel)`` of an edit's path, or :class:`_Refused`."""
        absolute = Path(os.path.normpath(self.rootdir / path))
        if self._check_path is not None:
            try:
                absolute = self._check_path(absolute)
            except Exception as exc:
                raise _Refused(str(exc) or f"{type(exc).__name__}: {absolute}") from exc
        try:
            return absolute, absolute.relative_to(self.rootdir).as_posix()
        except ValueError:
            raise _Refused(f"{path} is outside the rootdir {self.rootdir}") from None

    def original(self, path: Path, rel: str) -> bytes | None:
        if path not in self._originals:
            try:
                self._originals[path] = self._read(path)
            except OSError as exc:
                raise _Refused(f"cannot read {rel}: {exc}") from exc
        return self._originals[path]

    def lines(self, path: Path) -> list[bytes]:
        """The original's lines (:func:`_lines`; none for a new file), once read."""
        if path not in self._lines:
            self._lines[path] = _lines(self._originals[path] or b"")
        return self._lines[path]

    def parsed(self, path: Path, rel: str) -> libcst.Module:
        """The libcst parse of the original (immutable, so every transform may start from it)."""
        if path not in self._parsed:
            source = self.original(path, rel)
            assert source is not None
            self._parsed[path] = _parse(source, rel)  # byte-exact round trip, or refused
        return self._parsed[path]

    def edits_by_path(self, candidate: Candidate) -> dict[Path, tuple[str, list[FileEdit]]]:
        """A candidate's edits by the file they touch (``{path: (rel, edits)}``), or
        :class:`_Refused` for a path it may not touch."""
        by_path: dict[Path, tuple[str, list[FileEdit]]] = {}
        for edit in candidate.fix.edits:
            path, rel = self.resolve(edit.path)
            by_path.setdefault(path, (rel, []))[1].append(edit)
        return by_path

    def transformed(self, key: str, path: Path, rel: str, transforms: Sequence[Transform]) -> bytes:
        """The file after one candidate's ``transforms``, checked to compile, or
        :class:`_Refused`; computed ahead by :meth:`run_ahead` when it could be."""
        ahead = self._ahead.pop((key, path), None)
        if ahead is None:
            return self._transform(path, rel, transforms)
        if isinstance(ahead, str):
            raise _Refused(ahead)
        return ahead

    def _transform(self, path: Path, rel: str, transforms: Sequence[Transform]) -> bytes:
        new = _run(self.parsed(path, rel), transforms, rel)
        _check(new, rel)
        return new

    def run_ahead(self, candidates: Sequence[Candidate]) -> None:
        """Compute :meth:`transformed` for every candidate and existing file it transforms, the
        files spread over the cores (:func:`forked.spread`: each file parsed once, in one
        process). The results are the ones :meth:`transformed` would give, refusals
        included; the decisions stay with :func:`build`, in confidence order."""
        jobs: dict[Path, tuple[str, list[tuple[str, list[Transform]]]]] = {}
        for candidate in candidates:
            try:
                by_path = self.edits_by_path(candidate)
            except _Refused:
                continue  # build refuses the candidate for the same reason
            for path, (rel, edits) in by_path.items():
                transforms = [edit.transform for edit in edits if edit.transform is not None]
                if len(transforms) == len(edits):  # a file it creates: build sees to it
                    jobs.setdefault(path, (rel, []))[1].append((candidate.key, transforms))
        for path, (rel, _) in list(jobs.items()):
            try:
                exists = self.original(path, rel) is not None
            except _Refused:
                exists = False
            if not exists:
                del jobs[path]
        if len(jobs) < 2:
            return  # nothing to spread: build computes what it needs as it goes
        items = list(jobs.items())
        done = forked.spread(
            items, self._transform_all, lambda item: self._size(item[0]), least=_SPREAD_BYTES
        )
        for (path, _), results in zip(items, done, strict=True):
            for key, result in results:
                self._ahead[(key, path)] = result

    def _size(self, path: Path) -> int:
        return len(self._originals.get(path) or b"")

    def _transform_all(
        self, item: tuple[Path, tuple[str, list[tuple[str, list[Transform]]]]]
    ) -> list[tuple[str, bytes | str]]:
        path, (rel, todo) = item
        results: list[tuple[str, bytes | str]] = []
        for key, transforms in todo:
            try:
                results.append((key, self._transform(path, rel, transforms)))
            except _Refused as refused:
                results.append((key, str(refused)))
        return results


def _changes(candidate: Candidate, files: _Files, plan: Plan) -> list[_Change]:
    """What ``candidate`` alone does to each file, or :class:`_Refused`."""
    if not candidate.fix.edits:
        raise _Refused("has no edits: a suggestion, nothing to apply")
    by_path = files.edits_by_path(candidate)
    plan.files_of[candidate.key] = sorted(rel for rel, _ in by_path.values())
    changes = []
    for path, (rel, edits) in sorted(by_path.items(), key=lambda item: item[1][0]):
        change = _change(candidate, path, rel, edits, files)
        if change is not None:
            changes.append(change)
    if not changes:
        raise _Refused("changes nothing")
    return changes


def _change(
    candidate: Candidate, path: Path, rel: str, edits: list[FileEdit], files: _Files
) -> _Change | None:
    """What ``candidate`` alone does to one file (None: nothing), or :class:`_Refused`."""
    original = files.original(path, rel)
    texts = [edit.text for edit in edits if edit.text is not None]
    transforms = [edit.transform for edit in edits if edit.transform is not None]
    if texts and original is not None:
        raise _Refused(f"FileEdit.create: {rel} already exists")
    if len(texts) > 1:
        raise _Refused(f"creates {rel} more than once")
    if texts:
        try:
            new = texts[0].encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _Refused(f"cannot encode the new {rel}: {exc}") from exc
        if transforms:
            new = _run(_parse(new, rel), transforms, rel)
        _check(new, rel)
    elif original is None:
        raise _Refused(f"{rel} does not exist")
    else:
        new = files.transformed(candidate.key, path, rel, transforms)
    if new == original:
        return None
    old_lines, new_lines = files.lines(path), _lines(new)
    matcher = _matcher(old_lines, new_lines)
    splices = tuple(
        (i1, i2, tuple(new_lines[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    )
    diff_bytes = _diff_bytes(rel, original, new, old_lines, new_lines, matcher)
    diff = _display(diff_bytes, original, new)
    return _Change(candidate, path, rel, original, new, splices, _spans(splices), diff)


def _parse(source: bytes, rel: str) -> libcst.Module:
    try:
        module = libcst.parse_module(source)
    except libcst.ParserSyntaxError as exc:
        raise _Refused(f"cannot parse {rel}: {_first_line(exc)}") from exc
    if module.bytes != source:  # libcst loses bytes on a few rare layouts: never risk them
        raise _Refused(f"libcst cannot round-trip {rel} byte for byte; not edited")
    return module


def _run(module: libcst.Module, transforms: Sequence[Transform], rel: str) -> bytes:
    """The bytes of ``module`` after each transform in turn, or :class:`_Refused`."""
    for transform in transforms:
        try:
            module = transform(module)
        except Exception as exc:
            raise _Refused(f"transform of {rel} raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(module, libcst.Module):
            raise _Refused(f"transform of {rel} returned {type(module).__name__}, not a Module")
    try:
        return module.bytes
    except (UnicodeError, LookupError) as exc:
        raise _Refused(f"cannot encode {rel} as {module.encoding}: {exc}") from exc


def _check(source: bytes, rel: str) -> None:
    """A Python file must compile (so it parses too), else :class:`_Refused`."""
    if not rel.endswith((".py", ".pyi")):
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for "\d" and friends
            compile(source, rel, "exec", dont_inherit=True)
    # SyntaxError covers bad bytes and encodings too; the others come from limits (null bytes
    # before 3.12, too deep a nesting, too long a literal).
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise _Refused(f"result does not compile: {_describe(exc)}") from exc


def _describe(exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        return f"{type(exc).__name__}: {exc.msg} ({exc.filename}, line {exc.lineno})"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# -- conflicts ------------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    """Lines as git sees them: split after each ``\\n``, line endings (CRLF too) kept."""
    return io.BytesIO(data).readlines()


def _matcher(old: list[bytes], new: list[bytes]) -> difflib.SequenceMatcher[bytes]:
    """The line matcher behind both the splices of a change and every diff written, so that a
    fix's diff is exactly what it contributes. Its heuristic for popular lines is off: blank
    lines are popular in any long source, and treating them as junk misplaces changes.

    Without that heuristic difflib is quadratic in the repeated lines (0.4 s for one 450-line
    test module with a hundred identical asserts), so long files are first cut at the lines
    that occur once in each side (the anchors of patience diff, in order); difflib matches
    what lies between them. Short files go to difflib whole, as before."""
    return _Matcher(None, old, new, autojunk=False)


class _Matcher(difflib.SequenceMatcher[bytes]):
    """:class:`difflib.SequenceMatcher` whose matching blocks come from :func:`_match` on long
    inputs (everything else in difflib, opcodes and grouped opcodes, derives from them)."""

    _blocks: list[difflib.Match] | None = None
    _sides: tuple[Sequence[bytes], Sequence[bytes]] = ((), ())

    def set_seqs(self, a: Sequence[bytes], b: Sequence[bytes]) -> None:
        self._sides, self._blocks = (a, b), None
        super().set_seqs(a, b)

    def get_matching_blocks(self) -> list[difflib.Match]:
        a, b = self._sides
        if len(a) < _SHORT and len(b) < _SHORT:
            return super().get_matching_blocks()
        if self._blocks is None:
            found: list[tuple[int, int, int]] = []
            _match(a, b, 0, len(a), 0, len(b), found, 0)
            self._blocks = _joined(found, len(a), len(b))
        return self._blocks


_SHORT = 200  # lines: below this, difflib alone is fast enough whatever the file holds
_DIRECT = 40_000  # a gap whose sides multiply to less than this is left to difflib


def _match(
    a: Sequence[bytes],
    b: Sequence[bytes],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    out: list[tuple[int, int, int]],
    depth: int,
) -> None:
    """Append to ``out`` the matching blocks ``(i, j, n)`` of ``a[alo:ahi]`` and ``b[blo:bhi]``."""
    start = alo
    while alo < ahi and blo < bhi and a[alo] == b[blo]:  # common head
        alo, blo = alo + 1, blo + 1
    if alo > start:
        out.append((start, blo - (alo - start), alo - start))
    tail = 0
    while alo < ahi - tail and blo < bhi - tail and a[ahi - tail - 1] == b[bhi - tail - 1]:
        tail += 1
    ahi, bhi = ahi - tail, bhi - tail
    if alo < ahi and blo < bhi:
        anchors = _anchors(a, b, alo, ahi, blo, bhi)
        if not anchors or (ahi - alo) * (bhi - blo) < _DIRECT or depth > 30:
            sub = difflib.SequenceMatcher(
                None, a[alo:ahi], b[blo:bhi], autojunk=(ahi - alo) * (bhi - blo) > 4_000_000
            )
            out.extend((alo + i, blo + j, n) for i, j, n in sub.get_matching_blocks() if n)
        else:
            i0, j0 = alo, blo
            for i, j in anchors:
                _match(a, b, i0, i, j0, j, out, depth + 1)
                out.append((i, j, 1))
                i0, j0 = i + 1, j + 1
            _match(a, b, i0, ahi, j0, bhi, out, depth + 1)
    if tail:
        out.append((ahi, bhi, tail))


def _anchors(
    a: Sequence[bytes], b: Sequence[bytes], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines that occur exactly once in each side, as ``(i, j)``, the longest run in the same
    order on both sides (patience sorting)."""
    count: dict[bytes, list[int]] = {}
    for i in range(alo, ahi):
        count.setdefault(a[i], [0, -1, 0, -1])
        entry = count[a[i]]
        entry[0], entry[1] = entry[0] + 1, i
    for j in range(blo, bhi):
        seen = count.get(b[j])
        if seen is not None:
            entry = seen
            entry[2], entry[3] = entry[2] + 1, j
    pairs = sorted((e[1], e[3]) for e in count.values() if e[0] == 1 and e[2] == 1)
    # longest increasing subsequence of the j's, in i order
    tails: list[int] = []  # index into pairs of the smallest tail of each length
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if pairs[tails[mid]][1] < j:
                lo = mid + 1
            else:
                hi = mid
        back[k] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(k)
        else:
            tails[lo] = k
    run: list[tuple[int, int]] = []
    k = tails[-1] if tails else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]


def _joined(blocks: list[tuple[int, int, int]], la: int, lb: int) -> list[difflib.Match]:
    """Matching blocks in order, adjacent ones joined, ending with difflib's ``(la, lb, 0)``."""
    out: list[difflib.Match] = []
    for i, j, n in sorted(blocks):
        if out and out[-1].a + out[-1].size == i and out[-1].b + out[-1].size == j:
            last = out.pop()
            out.append(difflib.Match(last.a, last.b, last.size + n))
        else:
            out.append(difflib.Match(i, j, n))
    out.append(difflib.Match(la, lb, 0))
    return out


def _spans(splices: Iterable[Splice]) -> tuple[Span, ...]:
    """The original lines the splices touch; a pure insertion occupies the line after it."""
    return tuple((start, max(end, start + 1)) for start, end, _ in splices)


def _already_made(changes: list[_Change], accepted: dict[Path, list[_Change]]) -> bool:
    """Every file these changes touch is changed, by one accepted fix, into the very same bytes
    (two issues of one root cause whose fixes each migrate the whole of it): applying them
    adds nothing, and neither fix is deferred for the other."""
    return all(
        len(accepted.get(change.path, [])) == 1 and accepted[change.path][0].new == change.new
        for change in changes
    )


def _conflict(changes: list[_Change], accepted: dict[Path, list[_Change]]) -> Candidate | None:
    """The first accepted candidate whose changes overlap or touch these, if any.

    Spans are half-open and compared as closed intervals, so two spans conflict unless at
    least one untouched original line lies between them; that is what lets :func:`_splice`
    put the accepted changes of a file side by side.
    """
    for change in changes:
        for other in accepted.get(change.path, []):
            if change.original is None or other.original is None:  # two creates of one path
                return other.candidate
            if any(a1 <= b2 and b1 <= a2 for a1, a2 in change.spans for b1, b2 in other.spans):
                return other.candidate
    return None


# -- merging --------------------------------------------------------------------------------


def _merge(accepted: dict[Path, list[_Change]], files: _Files, plan: Plan) -> None:
    """Fill ``plan.files``: per file, the line changes of its accepted fixes spliced together.

    When the merged file does not compile although each of its fixes does alone, the first fix
    whose addition breaks it is dropped, from every file it touches, and those files are
    merged again.
    """
    results: dict[Path, FilePlan] = {}
    pending = set(accepted)
    while pending:
        path = min(pending)
        pending.discard(path)
        changes = accepted[path]
        if not changes:
            results.pop(path, None)
            continue
        try:
            new = _merged(files.lines(path), changes)
        except _Refused as refused:
            culprit = _culprit(files.lines(path), changes)
            plan.dropped.append((culprit, f"{refused} (merged with {_names(changes, culprit)})"))
            plan.applied.remove(culprit)
            for other_path, other_changes in accepted.items():
                kept = [c for c in other_changes if c.candidate is not culprit]
                if len(kept) != len(other_changes):
                    accepted[other_path] = kept
                    pending.add(other_path)
            continue
        first = changes[0]
        if new != first.original:
            results[path] = FilePlan(path, first.rel, first.original, new)
        else:
            results.pop(path, None)
    plan.files = dict(sorted(results.items(), key=lambda item: item[1].rel))


def _merged(lines: list[bytes], changes: list[_Change]) -> bytes:
    """The file with ``changes`` (its original ``lines``), or :class:`_Refused` when that
    does not compile."""
    if len(changes) == 1:
        return changes[0].new  # checked alone already; a new file is always alone
    new = _splice(lines, changes)
    _check(new, changes[0].rel)
    return new


def _splice(lines: list[bytes], changes: Iterable[_Change]) -> bytes:
    """The original ``lines`` with the line changes of every one of ``changes`` (which
    :func:`_conflict` keeps apart); a new file has one change, its whole content."""
    splices = sorted((s for change in changes for s in change.splices), key=lambda s: s[0])
    out: list[bytes] = []
    done = 0  # original lines before this one are in ``out``
    for start, end, replacement in splices:
        if start < done:
            raise AssertionError(f"overlapping line changes at line {start + 1}")
        out += lines[done:start]
        out += replacement
        done = end
    out += lines[done:]
    return b"".join(out)


def _culprit(lines: list[bytes], changes: list[_Change]) -> Candidate:
    """The first change whose addition breaks the merge (each one alone was checked already)."""
    for count in range(2, len(changes) + 1):
        try:
            _merged(lines, changes[:count])
        except _Refused:
            return changes[count - 1].candidate
    return changes[-1].candidate


def _names(changes: list[_Change], culprit: Candidate) -> str:
    others = [c.candidate for c in changes if c.candidate is not culprit]
    return ", ".join(f"{c.fixer}: {c.fix.description}" for c in others)


# -- diffs ----------------------------------------------------------------------------------


def unified_diff_bytes(rel: str, old: bytes | None, new: bytes | None) -> bytes:
    """A ``git apply``-able diff of one file (``None``: the file does not exist), exact bytes."""
    if old == new:
        return b""
    a, b = _lines(old or b""), _lines(new or b"")
    return _diff_bytes(rel, old, new, a, b, _matcher(a, b))


def _diff_bytes(
    rel: str,
    old: bytes | None,
    new: bytes | None,
    a: list[bytes],
    b: list[bytes],
    matcher: difflib.SequenceMatcher[bytes],
) -> bytes:
    """:func:`unified_diff_bytes` from the lines ``a`` of ``old``, ``b`` of ``new`` and their
    matcher (3 lines of context, hunks as :func:`difflib.unified_diff` writes them)."""
    name = rel.encode("utf-8", "surrogateescape")
    out = [b"diff --git a/%s b/%s\n" % (name, name)]
    if old is None:
        out.append(b"new file mode 100644\n")
    elif new is None:
        out.append(b"deleted file mode 100644\n")
    for number, group in enumerate(matcher.get_grouped_opcodes(3)):
        if number == 0:  # an empty new file is a header without hunks, as git writes it
            out.append(b"--- /dev/null\n" if old is None else b"--- a/%s\n" % name)
            out.append(b"+++ /dev/null\n" if new is None else b"+++ b/%s\n" % name)
        _, i1, _, j1, _ = group[0]
        _, _, i2, _, j2 = group[-1]
        out.append(b"@@ -%s +%s @@\n" % (_range(i1, i2), _range(j1, j2)))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += (_line(b" ", line) for line in a[i1:i2])
                continue
            out += (_line(b"-", line) for line in a[i1:i2])
            out += (_line(b"+", line) for line in b[j1:j2])
    return b"".join(out)


def _range(start: int, stop: int) -> bytes:
    """A hunk's line range, as ``diff -u`` writes it (an empty range starts at the line before
    it)."""
    length = stop - start
    if length == 1:
        return b"%d" % (start + 1)
    return b"%d,%d" % (start + 1 if length else start, length)


def _line(prefix: bytes, line: bytes) -> bytes:
    if line.endswith(b"\n"):
        return prefix + line
    return prefix + line + b"\n\\ No newline at end of file\n"


def unified_diff(rel: str, old: bytes | None, new: bytes | None) -> str:
    """:func:`unified_diff_bytes` for display: each side decoded with its file's encoding."""
    return _display(unified_diff_bytes(rel, old, new), old, new)


def _display(diff: bytes, old: bytes | None, new: bytes | None) -> str:
    """``diff`` (of ``old`` and ``new``) as text: the lines of each side decoded with its
    encoding, the rest as UTF-8; undecodable bytes are kept as surrogates."""
    if not diff:
        return ""
    old_encoding, new_encoding = _encoding(old), _encoding(new)
    text = []
    in_hunks = False
    for line in _lines(diff):
        in_hunks = in_hunks or line.startswith(b"@@")
        if not in_hunks or line.startswith((b"@@", b"\\")):
            text.append(line.decode("utf-8", "surrogateescape"))
        else:
            encoding = old_encoding if line.startswith(b"-") else new_encoding
            text.append(line.decode(encoding, "surrogateescape"))
    return "".join(text)


def _encoding(source: bytes | None) -> str:
    """The encoding Python reads ``source`` with; a BOM is kept (shown as U+FEFF)."""
    if source is None:
        return "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding == "utf-8-sig" else encoding
