"""The only code that writes project files: atomic writes, a journal, rollback, undo, recovery.

A :class:`Transaction` holds an exclusive lock on the state dir (``<cache_dir>/autofix``), checks
every path against the safety rules, records each file's original bytes and mode in a journal
*before* it first changes the file, and writes atomically (temp file in the same directory, fsync,
``os.replace``). Leaving the ``with`` block without :meth:`Transaction.commit` restores every
file byte for byte. The journal (``journal/manifest.json`` plus ``journal/blobs/<sha256>``)
outlives the process, so :func:`recover` can restore an interrupted run and :func:`undo` the last
committed one. Nothing but the target and its short-lived temp file is created in the project.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import errno
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

import filelock

from pytest_autofix import paths

PREFIX = "pytest-autofix: "
TEMP_PREFIX = ".autofix-tmp-"
STATES = ("active", "committed", "rolled-back", "recovered", "undone")
_VERSION = 1
_HEX = "0123456789abcdef"


class TransactionError(Exception):
    """The transaction refused an operation or could not carry it out."""


class UnsafePathError(TransactionError):
    """A path breaks a safety rule; the message names the rule."""


class ConflictError(TransactionError):
    """A file changed on disk behind autofix's back; autofix left it as it is.

    ``path`` is the (first) file concerned.
    """

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class LockedError(TransactionError):
    """Another autofix session holds the lock."""


class WriteError(ConflictError):
    """The system refused to write a file (an immutable file or directory, no space left):
    autofix left it as it was. ``path`` is the file."""


class RestoreError(TransactionError):
    """Some files could not be put back; the journal stays active, so the next ``pytest``
    start (or ``pytest --autofix-undo``) restores them. The message names them."""


@dataclasses.dataclass(frozen=True)
class UndoOutcome:
    """What :func:`undo` did: ``ok`` is False when a file could not be restored."""

    ok: bool
    lines: list[str]


# --- low-level file operations -------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _new_file_mode() -> int:
    return 0o666 & ~_umask()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a directory; the data is still synced
        pass
    finally:
        os.close(fd)


def _read_fd(fd: int) -> bytes:
    """Every byte of the open file ``fd``, from its start."""
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _mtime(path: Path) -> int:
    """The whole-second mtime of ``path``, -1 when it does not exist."""
    try:
        return os.stat(path).st_mtime_ns // 10**9
    except OSError:
        return -1


def _later_mtime(fd: int, target: Path, after: int) -> None:
    """Give the new file a whole-second mtime later than ``after`` and than the file it replaces.

    Bytecode caches (``__pycache__``, pytest's rewritten tests) trust a source whose size and
    whole-second mtime match the cache: two same-size versions written within one second would
    leave the rerun importing the older one.
    """
    after = max(after, _mtime(target))
    now = time.time_ns()
    if now // 10**9 <= after:
        os.utime(fd, ns=(now, (after + 1) * 10**9))


def _atomic_write(
    target: Path,
    data: bytes,
    mode: int,
    *,
    after: int | None = None,
    sync_dir: bool = True,
    guard: Callable[[], None] | None = None,
) -> None:
    """Replace ``target`` by ``data`` with ``mode``: all or nothing, durable on return.

    Project files pass ``after`` (see :func:`_later_mtime`); journal files do not. With
    ``sync_dir=False`` the caller fsyncs the directory itself (once for a batch of files): the
    rename is atomic either way, only its durability waits for that fsync. ``guard`` runs just
    before the rename and may raise to cancel it (the temp file is removed).
    """
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if after is not None:
                _later_mtime(handle.fileno(), target, after)
            os.fsync(handle.fileno())
        if guard is not None:
            guard()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        _fsync_dir(target.parent)


def _put_back(
    target: Path, existed: bool, original: bytes | None, mode: int | None, after: int = -1
) -> bool:
    """Make ``target`` what it was before autofix; True when that changed anything."""
    current = _read(target)
    if not existed:
        if current is None:
            return False
        target.unlink()
        _fsync_dir(target.parent)
        return True
    assert original is not None and mode is not None
    if current == original and stat.S_IMODE(target.stat().st_mode) == mode:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        _atomic_write(target, original, mode, after=after)
    except OSError as exc:
        if exc.errno not in _NO_SPACE or current is None:
            raise
        _overwrite(target, original, mode)  # no room for a second copy: in place
    return True


# A full disk or quota: a temp copy has no room, the file itself may still have.
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def _overwrite(target: Path, data: bytes, mode: int) -> None:
    """Write ``data`` over ``target`` in place (not atomic: the journal still holds it, and
    only a put-back that found no room for a temp file comes here). The file's own blocks
    are reused: a restore needs no more room than the original takes beyond them."""
    fd = os.open(target, os.O_WRONLY)
    try:
        os.ftruncate(fd, 0)  # first give its blocks back, then write the original into them
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


def _why(exc: OSError) -> str:
    """An OSError in a few words: ``No space left on device``, ``Operation not permitted``."""
    return exc.strerror or str(exc)


def _where(state_dir: Path, entry: _Entry) -> str:
    """Where the journal keeps the original of ``entry``."""
    if entry.sha256 is None:
        return "it did not exist before autofix"
    return f"its original is in {_blob(state_dir, entry.sha256)}"


def _remove_created_dirs(root: Path, rels: Iterable[str]) -> None:
    """Remove the directories autofix created, deepest first, where they are empty."""
    for rel in sorted(set(rels), key=lambda r: r.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            (root / rel).rmdir()


# --- path rules ----------------------------------------------------------------------------


def _safe_rel(
    rootdir: Path,
    state_dir: Path,
    path: str | os.PathLike[str],
    exclude: Sequence[str] = (),
    cache_dir: Path | None = None,
) -> str:
    """The rootdir-relative POSIX path of the real file behind ``path``; UnsafePathError if not."""
    root_real = Path(os.path.realpath(rootdir))
    given = Path(path)
    if not given.is_absolute():
        given = rootdir / given
    lexical = Path(os.path.normpath(given))
    real = Path(os.path.realpath(given))
    inside = [
        lexical.relative_to(b).as_posix() for b in (rootdir, root_real) if lexical.is_relative_to(b)
    ]
    if not real.is_relative_to(root_real):
        if inside:
            raise UnsafePathError(
                f"refused {path}: a symlink on its way leads outside the rootdir {rootdir} "
                f"(to {real})"
            )
        raise UnsafePathError(f"refused {path}: outside the rootdir {rootdir}")
    rel = real.relative_to(root_real).as_posix()
    if rel == ".":
        raise UnsafePathError(f"refused {path}: that is the rootdir itself, not a file")
    for candidate in {rel, *inside}:
        refused = paths.not_project_on_disk(root_real, candidate)
        if refused:
            raise UnsafePathError(
                f"refused {path}: inside {refused} (autofix never edits virtual "
                "environments, installed packages, VCS data or caches)"
            )
        pattern = paths.excluded(candidate, exclude)
        if pattern is not None:
            raise UnsafePathError(f"refused {path}: matches autofix_exclude pattern {pattern!r}")
    if real.is_relative_to(os.path.realpath(state_dir)):
        raise UnsafePathError(f"refused {path}: inside autofix's own state dir {state_dir}")
    cache_real = None if cache_dir is None else os.path.realpath(cache_dir)
    if (
        cache_real is not None
        and real.is_relative_to(cache_real)
        and not root_real.is_relative_to(cache_real)
    ):
        raise UnsafePathError(f"refused {path}: inside the pytest cache dir {cache_dir}")
    if real.exists() and not real.is_file():
        raise UnsafePathError(f"refused {path}: not a regular file")
    return rel


# --- journal -------------------------------------------------------------------------------


@dataclasses.dataclass
class _Entry:
    """One journaled file: its state before the run and the contents the run wrote."""

    path: str
    existed: bool
    mode: int | None
    sha256: str | None
    final_sha256: str | None = None
    written: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Manifest:
    state: str
    pid: int
    started: str
    rootdir: str
    files: list[_Entry]
    created_dirs: list[str]
    # files another writer changed during the run, left to them (not undone): path -> why
    left: dict[str, str] = dataclasses.field(default_factory=dict)

    def dump(self) -> bytes:
        data = dataclasses.asdict(self)
        return json.dumps({"version": _VERSION, **data}, indent=1).encode()

    @classmethod
    def parse(cls, raw: bytes) -> _Manifest:
        """The manifest in ``raw``; ValueError saying what is wrong with it."""
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise ValueError(f"not a version {_VERSION} autofix journal")
        if data.get("state") not in STATES:
            raise ValueError(f"unknown state {data.get('state')!r}")
        files = data.get("files")
        dirs = data.get("created_dirs")
        if not isinstance(files, list) or not isinstance(dirs, list):
            raise ValueError("'files' or 'created_dirs' is not a list")
        entries = [_Entry(**f) for f in files if isinstance(f, dict)]
        if len(entries) != len(files) or not all(map(_valid_entry, entries)):
            raise ValueError("a file entry is malformed")
        if not all(isinstance(d, str) and _valid_rel(d) for d in dirs):
            raise ValueError("a created_dirs entry is malformed")
        if not isinstance(data.get("pid"), int) or not isinstance(data.get("started"), str):
            raise ValueError("'pid' or 'started' is malformed")
        if not isinstance(data.get("rootdir"), str):
            raise ValueError("'rootdir' is malformed")
        left = _parse_left(data.get("left", {}))  # absent before autofix recorded them
        return cls(
            data["state"], data["pid"], data["started"], data["rootdir"], entries, dirs, left
        )


def _parse_left(left: object) -> dict[str, str]:
    """The manifest's ``left`` (path -> why); ValueError when it is malformed."""
    if not isinstance(left, dict) or not all(
        isinstance(k, str) and _valid_rel(k) and isinstance(v, str) for k, v in left.items()
    ):
        raise ValueError("'left' is malformed")
    return left


def _valid_rel(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and not {"", ".", ".."} & set(parts)


def _valid_entry(e: _Entry) -> bool:
    def sha(value: object) -> bool:
        return isinstance(value, str) and len(value) == 64 and set(value) <= set(_HEX)

    if not (isinstance(e.path, str) and _valid_rel(e.path) and isinstance(e.written, list)):
        return False
    if not all(map(sha, e.written)):
        return False
    if e.final_sha256 is not None and not sha(e.final_sha256):
        return False
    if e.existed is True:
        return isinstance(e.mode, int) and 0 <= e.mode <= 0o7777 and sha(e.sha256)
    return e.existed is False and e.mode is None and e.sha256 is None


def _journal_dir(state_dir: Path) -> Path:
    return state_dir / "journal"


def _blob(state_dir: Path, sha: str) -> Path:
    return _journal_dir(state_dir) / "blobs" / sha


def _load(state_dir: Path) -> _Manifest | None:
    """The journal's manifest, None when there is none; ValueError when it is unusable."""
    raw = _read(_journal_dir(state_dir) / "manifest.json")
    if raw is None:
        return None
    try:
        return _Manifest.parse(raw)
    except (ValueError, TypeError) as exc:  # JSONDecodeError and UnicodeError are ValueErrors
        raise ValueError(str(exc)) from None


def _save(state_dir: Path, manifest: _Manifest) -> None:
    journal = _journal_dir(state_dir)
    journal.mkdir(parents=True, exist_ok=True)
    _atomic_write(journal / "manifest.json", manifest.dump(), _new_file_mode())


def _prune(state_dir: Path, keep: Collection[str]) -> None:
    """Delete blobs no manifest entry refers to, and temp files a crash left behind."""
    journal = _journal_dir(state_dir)
    for path in [*journal.glob(TEMP_PREFIX + "*"), *journal.glob("blobs/*")]:
        if path.name not in keep:
            with contextlib.suppress(OSError):
                path.unlink()


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


# --- the state dir and the lock ------------------------------------------------------------

# What pytest puts in a cache dir it creates (``_pytest/cacheprovider.py``, CACHEDIR_FILES):
# when autofix creates the cache dir first, pytest never writes them (it does only on creating
# the directory), so autofix writes the same.
CACHEDIR_FILES = {
    "README.md": b"# pytest cache directory #\n\n"
    b"This directory contains data from the pytest's cache plugin,\n"
    b"which provides the `--lf` and `--ff` options, as well as the `cache` fixture.\n\n"
    b"**Do not** commit this to version control.\n\n"
    b"See [the docs](https://docs.pytest.org/en/stable/how-to/cache.html) for more information.\n",
    ".gitignore": b"# Created by pytest automatically.\n*\n",
    "CACHEDIR.TAG": b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This file is a cache directory tag created by pytest.\n"
    b"# For information about cache directory tags, see:\n"
    b"#\thttps://bford.info/cachedir/spec.html\n",
}


def ensure_state_dir(state_dir: Path) -> None:
    """Create ``state_dir`` (``<cache_dir>/autofix``) if missing. A missing cache dir is
    created as pytest creates it, at once with its ``README.md``, ``.gitignore`` and
    ``CACHEDIR.TAG`` (a directory made complete aside, then renamed into place), so that a
    fresh repository's ``.pytest_cache`` is git-ignored whoever creates it first. OSError when
    it cannot be created (a read-only rootdir, a file in the way)."""
    if state_dir.is_dir():
        if not os.access(state_dir, os.W_OK | os.X_OK):  # read-only, or immutable
            raise PermissionError(errno.EACCES, "not writable", str(state_dir))
        return
    cache_dir = state_dir.parent
    if not cache_dir.exists() and not os.path.islink(cache_dir):
        cache_dir.parent.mkdir(parents=True, exist_ok=True)
        aside = Path(tempfile.mkdtemp(prefix="pytest-cache-files-", dir=cache_dir.parent))
        try:
            aside.chmod(0o777 & ~_umask())
            for name, content in CACHEDIR_FILES.items():
                (aside / name).write_bytes(content)
            aside.rename(cache_dir)
        except OSError as exc:  # another process made it meanwhile: theirs is as good
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    state_dir.mkdir(parents=True, exist_ok=True)


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _lock(state_dir: Path, timeout: float) -> filelock.BaseFileLock:
    """Take the exclusive session lock (filelock: an OS file lock on Linux, macOS and Windows,
    released when the process dies); LockedError after ``timeout`` seconds. The holder's pid
    is written beside it for the message another session shows."""
    ensure_state_dir(state_dir)
    lock = filelock.FileLock(state_dir / "lock", thread_local=False)
    try:
        lock.acquire(timeout=timeout, poll_interval=0.05)
    except filelock.Timeout:
        try:
            holder = (state_dir / "lock.pid").read_text(errors="replace").strip()
        except OSError:
            holder = ""
        pid = f" (pid {holder})" if holder.isdigit() else ""
        raise LockedError(
            f"another pytest --autofix session{pid} is running in this project "
            f"(lock {state_dir / 'lock'}); wait for it to finish"
        ) from None
    with contextlib.suppress(OSError):
        (state_dir / "lock.pid").write_text(str(os.getpid()))
    return lock


def _unlock(lock: filelock.BaseFileLock) -> None:
    with contextlib.suppress(OSError):
        (Path(lock.lock_file).parent / "lock.pid").unlink()
    lock.release(force=True)


# --- the transaction -----------------------------------------------------------------------


class Transaction:
    """All writes of one autofix run: ``with Transaction(root, state) as tx: ...; tx.commit()``.

    Writes need the lock, so they happen inside the ``with`` block; leaving it by an exception or
    without :meth:`commit` restores every file written.
    """

    def __init__(
        self,
        rootdir: Path,
        state_dir: Path,
        *,
        exclude: Sequence[str] = (),
        lock_timeout: float = 30.0,
        max_file_size: int = paths.DEFAULT_MAX_FILE_SIZE,
        cache_dir: Path | None = None,
    ) -> None:
        self.rootdir = Path(os.path.abspath(rootdir))
        self.state_dir = Path(os.path.abspath(state_dir))
        self.exclude = tuple(exclude)
        self.max_file_size = max_file_size
        # the pytest cache dir (the state dir's parent in a session): never edited
        self.cache_dir = None if cache_dir is None else Path(os.path.abspath(cache_dir))
        self.lock_timeout = lock_timeout
        self._root_real = Path(os.path.realpath(self.rootdir))
        self._held: filelock.BaseFileLock | None = None
        self._used = False
        self._committed = False
        self._baseline: dict[str, bytes | None] = {}  # last bytes seen or written, by rel path
        # files another writer changed during the run: theirs from then on, never written again
        self._foreign: dict[str, str] = {}
        self._originals: dict[str, bytes | None] = {}
        self._mtimes: dict[str, int] = {}  # latest whole-second mtime of each version written
        self._manifest: _Manifest | None = None  # created by the first write

    def __enter__(self) -> Transaction:
        if self._used:
            raise TransactionError("a Transaction can be entered only once")
        self._used = True
        try:
            self._held = _lock(self.state_dir, self.lock_timeout)
        except OSError as exc:  # a read-only rootdir or cache dir, a file where it should be
            raise TransactionError(
                f"cannot use autofix's state dir {self.state_dir}: {_why(exc)}"
            ) from None
        try:
            previous = _load(self.state_dir)
        except (ValueError, OSError):
            previous = None  # unusable: the first write replaces it
        if previous is not None and previous.state == "active":
            _unlock(self._held)
            self._held = None
            raise TransactionError(
                f"an interrupted autofix run ({previous.started}, pid {previous.pid}) left files "
                "to restore; run pytest once without --autofix, it restores them first"
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._manifest is not None and not self._committed:
                try:
                    self.restore()
                except ConflictError:  # the other files are back; that one is someone else's
                    self._save("rolled-back")
                    raise
                # not after a RestoreError: the journal stays active, recovery retries then;
                # nor when the disk is full: every file is back, recovery will find so
                with contextlib.suppress(OSError):
                    self._save("rolled-back")
                if self._foreign:  # left to another writer earlier in the run: say so
                    rel = next(iter(self._foreign))
                    raise ConflictError("; ".join(self._foreign.values()), self.rootdir / rel)
        finally:
            if self._held is not None:
                _unlock(self._held)
                self._held = None

    def check(self, path: str | os.PathLike[str]) -> Path:
        """The absolute path autofix would write for ``path``; UnsafePathError if it must not.

        Relative paths are relative to the rootdir; a symlink inside the rootdir yields its
        target, the file that is really written.
        """
        return self.rootdir / self._rel(path)

    def _rel(self, path: str | os.PathLike[str]) -> str:
        rel = _safe_rel(self.rootdir, self.state_dir, path, self.exclude, self.cache_dir)
        if rel not in self._baseline:  # once read, never refused: restoring it must not be
            with contextlib.suppress(OSError):
                size = os.stat(self._root_real / rel).st_size
                if size > self.max_file_size:
                    raise UnsafePathError(
                        f"refused {path}: {paths.too_large(size, self.max_file_size)}"
                    )
        return rel

    def read(self, path: str | os.PathLike[str]) -> bytes | None:
        """The file's current bytes (None when absent); the first read is the conflict baseline."""
        rel = self._rel(path)
        data = _read(self._root_real / rel)
        self._baseline.setdefault(rel, data)
        return data

    def write(self, path: str | os.PathLike[str], data: bytes) -> None:
        """Atomically replace (or create) the file; journal its original first."""
        self._require_open("write")
        self._write_all({self._rel(path): data})

    def _write_all(self, wanted: Mapping[str, bytes]) -> None:
        """Write every file of ``wanted`` (rel path -> bytes), or none of them on a conflict.

        Every file is checked against what autofix read first; then every original goes to
        the journal, which is saved once and durable before the first file is replaced; then
        the files are replaced, each atomically, and their directories fsynced once each.
        """
        writes: list[tuple[str, Path, bytes | None, bytes, list[Path]]] = []
        for rel, data in wanted.items():
            if rel not in self._baseline:
                raise TransactionError(f"{rel}: read() it before write(), so conflicts can be seen")
            target = self._root_real / rel
            if rel in self._foreign:
                raise ConflictError(self._foreign[rel], self.rootdir / rel)
            current = _read(target)
            if current != self._baseline[rel]:
                raise self._lost(rel, "changed on disk after autofix read it; nothing written")
            if current == data:
                continue
            missing = []
            parent = target.parent
            while not parent.exists():
                missing.append(parent)
                parent = parent.parent
            writes.append((rel, target, current, data, missing))
        if not writes:
            return
        try:
            entries = self._journal_all(
                [
                    (rel, current, data, [d.relative_to(self._root_real) for d in missing])
                    for rel, _, current, data, missing in writes
                ]
            )
        except OSError as exc:  # no file of this batch is written: nothing to put back
            raise TransactionError(
                f"could not write the journal in {self.state_dir}: {_why(exc)}; nothing written"
            ) from None
        synced: set[Path] = set()
        for (rel, target, _, data, missing), entry in zip(writes, entries, strict=True):
            mode = _new_file_mode() if entry.mode is None else entry.mode
            try:
                for directory in reversed(missing):
                    if not directory.exists():
                        directory.mkdir()
                        synced.add(directory.parent)
                self._replace(rel, target, data, mode)
            except OSError as exc:  # before the rename: the file is as it was
                why = f"{rel}: could not write it ({_why(exc)}); left as is"
                raise WriteError(why, target) from None
            synced.add(target.parent)
            self._mtimes[rel] = _mtime(target)
        for directory in sorted(synced, key=lambda d: len(d.parts), reverse=True):
            _fsync_dir(directory)

    def _lost(self, rel: str, why: str) -> ConflictError:
        """``rel`` belongs to another writer from now on: never written or restored again."""
        self._foreign[rel] = f"{rel} {why}"
        return ConflictError(self._foreign[rel], self.rootdir / rel)

    def _replace(self, rel: str, target: Path, data: bytes, mode: int) -> None:
        """Write ``data`` to ``target`` unless another writer changed it since autofix last
        did; ConflictError (and the file is theirs) if it did.

        The check runs just before the rename, on the file about to be replaced, held open;
        after the rename that file is read again: bytes another writer added in between
        (appending to it) are put back, theirs, and the conflict raised."""
        expected = self._baseline[rel]
        try:
            held: int | None = os.open(target, os.O_RDONLY)
        except FileNotFoundError:
            held = None

        def unchanged() -> None:
            if held is None:
                if os.path.lexists(target):
                    raise self._lost(rel, "was created on disk by another writer; left as is")
                return
            if not os.path.samestat(os.fstat(held), os.stat(target)) or _read_fd(held) != expected:
                raise self._lost(rel, "changed on disk while autofix wrote it; left as is")

        try:
            _atomic_write(
                target, data, mode, after=self._mtimes.get(rel, -1), sync_dir=False, guard=unchanged
            )
            self._baseline[rel] = data
            if held is not None and (theirs := _read_fd(held)) != expected:
                _atomic_write(target, theirs, mode)  # they wrote between check and rename
                raise self._lost(rel, "changed on disk while autofix wrote it; left as is")
        finally:
            if held is not None:
                os.close(held)

    def _journal_all(
        self, writes: Sequence[tuple[str, bytes | None, bytes, list[Path]]]
    ) -> list[_Entry]:
        """Durably record what the writes are about to change, before they change it: the
        originals as blobs, then the manifest, saved once."""
        first = self._manifest is None
        if self._manifest is None:
            self._manifest = _Manifest("active", os.getpid(), _now(), str(self._root_real), [], [])
        manifest = self._manifest
        dirty = first
        entries = []
        blobs = False
        for rel, current, data, dirs in writes:
            entry = next((e for e in manifest.files if e.path == rel), None)
            if entry is None:
                self._originals[rel] = current
                entry = _Entry(rel, current is not None, None, None)
                if current is not None:
                    entry.mode = stat.S_IMODE((self._root_real / rel).stat().st_mode)
                    entry.sha256 = _sha(current)
                    blob = _blob(self.state_dir, entry.sha256)
                    blob.parent.mkdir(parents=True, exist_ok=True)
                    if _read(blob) != current:
                        _atomic_write(blob, current, 0o600, sync_dir=False)
                        blobs = True
                manifest.files.append(entry)
                dirty = True
            for directory in (d.as_posix() for d in dirs):
                if directory not in manifest.created_dirs:
                    manifest.created_dirs.append(directory)
                    dirty = True
            digest = _sha(data)
            if digest not in entry.written:
                entry.written.append(digest)  # lets recovery tell autofix's bytes from a user's
                dirty = True
            entries.append(entry)
        if blobs:
            _fsync_dir(_blob(self.state_dir, "x").parent)
        if dirty:
            self._save("active")
        if first:  # the previous run's journal is replaced now: drop its blobs
            _prune(self.state_dir, {e.sha256 for e in manifest.files if e.sha256})
        return entries

    def _save(self, state: str) -> None:
        assert self._manifest is not None
        self._manifest.state = state
        _save(self.state_dir, self._manifest)

    def _require_open(self, what: str) -> None:
        if self._held is None:
            raise TransactionError(f"{what}() needs the lock: use the Transaction in a with block")
        if self._committed:
            raise TransactionError(f"{what}() after commit(): the transaction is over")

    def _entries(self) -> list[_Entry]:
        return [] if self._manifest is None else self._manifest.files

    def set_contents(self, contents: Mapping[Path, bytes]) -> None:
        """Make the tree the originals plus ``contents`` (for bisection: apply a subset)."""
        self._require_open("set_contents")
        wanted = {self._rel(path): data for path, data in contents.items()}
        self.restore([self.rootdir / e.path for e in self._entries() if e.path not in wanted])
        self._write_all(wanted)

    def restore(self, paths: Iterable[Path] | None = None) -> list[Path]:
        """Put back the original bytes and mode of journaled files (None: all of them).

        Files autofix created are deleted, and the directories it created for them if empty.
        Returns the paths this call changed. A file someone else changed since autofix last
        wrote it is left as is: ConflictError, after every other file is restored.
        """
        self._require_open("restore")
        wanted = None if paths is None else {self._rel(p) for p in paths}
        restored, conflicts, failed = [], [], []
        for entry in self._entries():
            if (wanted is not None and entry.path not in wanted) or entry.path in self._foreign:
                continue
            target, original = self._root_real / entry.path, self._originals[entry.path]
            if _read(target) not in (self._baseline[entry.path], original):
                conflicts.append(entry.path)
                self._lost(entry.path, "changed on disk after autofix wrote it; left as is")
                continue
            try:
                changed = _put_back(
                    target, entry.existed, original, entry.mode, self._mtimes.get(entry.path, -1)
                )
            except OSError as exc:
                failed.append(f"{entry.path} ({_why(exc)}; {_where(self.state_dir, entry)})")
                continue
            if changed:
                restored.append(self.rootdir / entry.path)
                self._mtimes[entry.path] = max(self._mtimes.get(entry.path, -1), _mtime(target))
            self._baseline[entry.path] = original
        if self._manifest is not None:
            _remove_created_dirs(self._root_real, self._manifest.created_dirs)
        if failed:
            raise RestoreError(f"could not restore {', '.join(failed)}")
        if conflicts:
            raise ConflictError(
                f"{', '.join(conflicts)} changed on disk after autofix wrote it; left as is",
                self.rootdir / conflicts[0],
            )
        return restored

    def commit(self) -> list[Path]:
        """Keep the changes: the journal becomes what ``--autofix-undo`` restores.

        Returns the files whose bytes now differ from their originals (not the :attr:`foreign`
        ones, which undo leaves alone too).
        """
        self._require_open("commit")
        kept = []
        for entry in self._entries():
            if entry.path in self._foreign:  # theirs now: never undone over their bytes
                continue
            current = _read(self._root_real / entry.path)
            entry.final_sha256 = None if current is None else _sha(current)
            if entry.final_sha256 != entry.sha256:
                kept.append(entry)
        if self._manifest is not None:
            self._manifest.left = dict(self._foreign)  # undo names them
            self._manifest.files = kept
            self._manifest.created_dirs = [
                d for d in self._manifest.created_dirs if (self._root_real / d).is_dir()
            ]
            try:
                self._save("committed")
            except OSError as exc:  # undo would not know these files: keep none of them
                raise TransactionError(
                    f"could not record the run in the journal in {self.state_dir} "
                    f"({_why(exc)}), so undo could not restore it; every file was restored"
                ) from None
            _prune(self.state_dir, {e.sha256 for e in kept if e.sha256})
        self._committed = True
        return [self.rootdir / e.path for e in kept]

    def original(self, path: str | os.PathLike[str]) -> bytes | None:
        """The file's bytes before this transaction changed it (None: it did not exist)."""
        rel = self._rel(path)
        if rel in self._originals:
            return self._originals[rel]
        return self._baseline[rel] if rel in self._baseline else _read(self._root_real / rel)

    @property
    def foreign(self) -> dict[Path, str]:
        """The files another writer changed during the run, each with what happened: autofix
        left them as they are (they may still hold an edit of autofix's under theirs)."""
        return {self.rootdir / rel: why for rel, why in self._foreign.items()}

    @property
    def journaled(self) -> list[Path]:
        """Every file this transaction has written, changed now or not."""
        return [self.rootdir / rel for rel in self._originals]

    @property
    def changed(self) -> list[Path]:
        """Journaled files whose current bytes differ from their originals."""
        return [
            self.rootdir / e.path
            for e in self._entries()
            if _read(self._root_real / e.path) != self._originals[e.path]
        ]


# --- after the fact: crash recovery and undo -----------------------------------------------


def _restore_journaled(
    state_dir: Path,
    rootdir: Path,
    manifest: _Manifest,
    undoing: bool,
) -> tuple[list[str], list[str], bool]:
    """Restore each journaled file whose current bytes are ones autofix may overwrite.

    Undo may overwrite the committed bytes; recovery any bytes the interrupted run wrote.

    Returns (restored paths, problem lines, whether an I/O error may succeed on a retry).
    """
    root_real = Path(os.path.realpath(rootdir))
    restored: list[str] = []
    problems: list[str] = []
    retry = False
    for entry in manifest.files:
        try:
            target = root_real / _safe_rel(rootdir, state_dir, entry.path)
            current = _read(target)
            digest = None if current is None else _sha(current)
            if digest == entry.sha256:
                original = current  # already the original bytes; maybe not the original mode
            elif digest in ({entry.final_sha256} if undoing else {*entry.written}):
                original = _read(_blob(state_dir, entry.sha256)) if entry.sha256 else None
                if entry.existed and (original is None or _sha(original) != entry.sha256):
                    problems.append(
                        f"{PREFIX}{entry.path}: its original is missing from the journal "
                        f"({_blob(state_dir, str(entry.sha256))}); left as is"
                    )
                    continue
            else:
                where = (
                    f"its original is kept in {_keep(state_dir, entry)}"
                    if entry.sha256
                    else "it did not exist before autofix"
                )
                problems.append(
                    f"{PREFIX}{entry.path} changed after autofix wrote it; left as is ({where})"
                )
                continue
            if _put_back(target, entry.existed, original, entry.mode):
                restored.append(entry.path)
        except UnsafePathError as exc:
            problems.append(f"{PREFIX}{entry.path}: left as is, {exc}")
        except OSError as exc:
            problems.append(f"{PREFIX}{entry.path}: could not restore it: {exc}")
            retry = True
    _remove_created_dirs(root_real, manifest.created_dirs)
    return restored, problems, retry


def _keep(state_dir: Path, entry: _Entry) -> Path:
    """A copy of ``entry``'s original for the user, outside the journal (whose blobs the
    next run replaces): ``<state_dir>/kept/<path>``, or ``<path>.<n>`` beside an earlier
    one that differs. Kept until the user deletes it; the journal's blob when the copy
    cannot be made."""
    blob = _blob(state_dir, str(entry.sha256))
    data = _read(blob)
    if data is None:
        return blob
    base = state_dir / "kept" / entry.path
    for n in range(100):
        kept = base if n == 0 else base.with_name(f"{base.name}.{n}")
        try:
            existing = _read(kept)
            if existing == data:
                return kept
            if existing is None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                _atomic_write(kept, data, 0o600)
                return kept
        except OSError:
            return blob
    return blob


def _foreign(manifest: _Manifest, rootdir: Path) -> bool:
    return os.path.realpath(manifest.rootdir) != os.path.realpath(rootdir)


def _roll_back(
    state_dir: Path, rootdir: Path, manifest: _Manifest, *, undoing: bool
) -> tuple[list[str], bool]:
    """Recover (an active journal) or undo (a committed one); the caller holds the lock.

    Returns the lines to show and whether every file is back to its original.
    """
    if undoing:
        run, new_state = f"the autofix run of {manifest.started}", "undone"
    else:
        run = f"the autofix run of {manifest.started} (pid {manifest.pid}) was interrupted"
        new_state = "recovered"
    restored, problems, retry = _restore_journaled(state_dir, rootdir, manifest, undoing)
    if not undoing:
        _remove_temp_files(rootdir, state_dir, manifest)
    names = ", ".join(restored)
    if restored and undoing:
        head = f"undid {run}: restored {len(restored)} file(s) to their state before it: {names}"
    elif restored:
        head = f"{run}; restored {len(restored)} file(s) to their state before it: {names}"
    elif problems:
        head = f"could not restore every file of {run}" if undoing else run
    else:
        head = (
            f"nothing to restore: the files of {run} are as they were before it"
            if undoing
            else f"{run}; nothing to restore: its files are as they were before it"
        )
    if not retry:  # an I/O error may go away: keep the journal for another attempt
        manifest.state = new_state
        _save(state_dir, manifest)
    return [PREFIX + head, *problems], not problems


def _remove_temp_files(rootdir: Path, state_dir: Path, manifest: _Manifest) -> None:
    """The temp files an interrupted atomic write left beside the journaled files (a kill
    between ``mkstemp`` and ``os.replace``): autofix's own, by their prefix, removed."""
    folders = set()
    for entry in manifest.files:
        with contextlib.suppress(TransactionError, OSError):
            folders.add((Path(rootdir) / _safe_rel(rootdir, state_dir, entry.path)).parent)
    for folder in folders:
        for leftover in folder.glob(TEMP_PREFIX + "*"):
            with contextlib.suppress(OSError):
                if leftover.is_file() and not leftover.is_symlink():
                    leftover.unlink()


def unrestored(state_dir: Path, rootdir: Path) -> list[str]:
    """The files of an active journal (a run that stopped before it could finish) that are not
    as they were before it: the next start restores them (:func:`recover`)."""
    try:
        manifest = _load(state_dir)
    except (OSError, ValueError):
        return []
    if manifest is None or manifest.state != "active":
        return []
    left = []
    for entry in manifest.files:
        try:
            current = _read(Path(os.path.realpath(rootdir)) / entry.path)
        except OSError:
            current = b""
        if (None if current is None else _sha(current)) != entry.sha256:
            left.append(entry.path)
    return left


def recover(state_dir: Path, rootdir: Path) -> list[str]:
    """Restore the files of an autofix run that died while writing; lines say what was done.

    Does nothing (returns []) unless the journal is active and no live session holds the lock.
    Never raises for a corrupt or foreign journal: it is ignored with one line saying why.
    """
    journal = _journal_dir(state_dir) / "manifest.json"
    fd = None
    try:
        manifest = _load(state_dir)
        if manifest is None or manifest.state != "active":
            return []
        if _foreign(manifest, rootdir):
            return [f"{PREFIX}ignored the journal {journal}: it belongs to {manifest.rootdir}"]
        fd = _lock(state_dir, 0)
        manifest = _load(state_dir)  # again, under the lock: its writer may just have finished
        if manifest is None or manifest.state != "active":
            return []
        return _roll_back(state_dir, rootdir, manifest, undoing=False)[0]
    except LockedError:
        return []  # a live session is writing: its own rollback is in charge
    except ValueError as exc:
        return [f"{PREFIX}ignored the journal {journal}: {exc}"]
    except OSError as exc:
        return [f"{PREFIX}could not recover from the journal {journal}: {exc}"]
    finally:
        if fd is not None:
            _unlock(fd)


def _left_lines(manifest: _Manifest) -> list[str]:
    """What undo says of the files the run left to another writer: it does not touch them."""
    return [
        f"{PREFIX}{rel} is not undone: another writer changed it during that run ({why}); "
        "autofix left it to them, check it by hand"
        for rel, why in sorted(manifest.left.items())
    ]


def undo(state_dir: Path, rootdir: Path) -> UndoOutcome:
    """Restore the files of the last committed autofix run (``pytest --autofix-undo``).

    A file changed since autofix wrote it is left as is, and the outcome is not ok.
    An interrupted run's journal is recovered instead.
    """
    journal = _journal_dir(state_dir) / "manifest.json"
    if not journal.exists():
        return UndoOutcome(True, [f"{PREFIX}nothing to undo"])
    fd = None
    try:
        fd = _lock(state_dir, 2.0)
        manifest = _load(state_dir)
        if manifest is None or manifest.state not in ("committed", "active"):
            return UndoOutcome(True, [f"{PREFIX}nothing to undo"])
        if not manifest.files:
            return UndoOutcome(True, [f"{PREFIX}nothing to undo", *_left_lines(manifest)])
        if _foreign(manifest, rootdir):
            return UndoOutcome(
                False, [f"{PREFIX}cannot undo: {journal} belongs to {manifest.rootdir}"]
            )
        lines, ok = _roll_back(state_dir, rootdir, manifest, undoing=manifest.state != "active")
        return UndoOutcome(ok, [*lines, *_left_lines(manifest)])
    except LockedError as exc:
        return UndoOutcome(False, [f"{PREFIX}cannot undo now: {exc}"])
    except ValueError as exc:
        return UndoOutcome(False, [f"{PREFIX}cannot undo: {journal} is unusable: {exc}"])
    except OSError as exc:
        return UndoOutcome(False, [f"{PREFIX}cannot undo: {exc}"])
    finally:
        if fd is not None:
            _unlock(fd)
