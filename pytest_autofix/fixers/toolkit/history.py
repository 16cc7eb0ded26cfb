"""What the project's git history says was renamed: evidence for a renamed module or fixture.

Every answer comes from ``git`` run read-only on the rootdir's repository: short timeouts,
``GIT_OPTIONAL_LOCKS=0`` (``git status`` and ``git diff`` then never refresh the index file),
no pager, no colour, no external diff or textconv, and the settings that would change what
the output looks like pinned (``core.quotepath``, ``diff.relative``, ``diff.noprefix``). The
variables that point git at another repository (``GIT_DIR``, ``GIT_WORK_TREE``,
``GIT_INDEX_FILE``, as a git hook sets them) are dropped, so the repository is the one
holding the rootdir.

No git binary, a rootdir outside any repository, a repository without commits, a command that
fails or times out: no evidence (an empty mapping, None), never an error. A shallow clone
answers from the history it has. Answers are cached per rootdir (and question) for the
session: the history does not change while pytest-autofix runs, and its own edits rename no
file.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "UNCOMMITTED",
    "Commit",
    "RenamedFile",
    "forget",
    "renamed_files",
    "renamed_function",
]

TIMEOUT = 5.0  # seconds, per git command
RECENT_COMMITS = 100  # how far back renamed_files looks
RECENT_CHANGES = 50  # how many commits changing `def old(` renamed_function looks at
# A plain `mv` git cannot see (the new file untracked): the deleted file's last committed text
# and an untracked one at least this alike (git's own default rename threshold) are a rename.
_SIMILAR = 0.5
_MAX_PAIRING = 50  # deleted or untracked files beyond this: no pairing attempted
_MAX_BYTES = 256_000

# set by hooks (pre-commit) and wrappers: they would point git at another repository or index
_REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
)
_SETTINGS = (
    "core.quotepath=false",
    "core.fsmonitor=false",
    "color.ui=false",
    "log.showSignature=false",
    "diff.relative=false",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "i18n.logOutputEncoding=UTF-8",
)
_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(")


@dataclasses.dataclass(frozen=True)
class Commit:
    """A commit that recorded a change: its abbreviated hash and subject line. ``hash`` is
    empty for a change not committed yet (staged, or in the working tree):
    :data:`UNCOMMITTED`."""

    hash: str
    subject: str

    def __str__(self) -> str:
        if not self.hash:
            return "not committed yet"
        subject = self.subject if len(self.subject) <= 72 else self.subject[:69] + "..."
        return f'{self.hash} "{subject}"'


UNCOMMITTED = Commit("", "")


@dataclasses.dataclass(frozen=True)
class RenamedFile:
    """``old`` (rootdir-relative, POSIX) became ``new``, by ``commits`` (oldest first; more
    than one when the file was renamed again: ``a.py`` -> ``b.py`` -> ``c.py``)."""

    old: str
    new: str
    commits: tuple[Commit, ...]

    @property
    def commit(self) -> Commit:
        """The commit of the last rename (the one that gave the file its name now)."""
        return self.commits[-1]

    def __str__(self) -> str:
        how = ", then ".join(str(commit) for commit in self.commits)
        return f"git records the rename of {self.old} to {self.new} ({how})"


def renamed_files(rootdir: str | os.PathLike[str]) -> Mapping[str, RenamedFile]:
    """The files git records renamed, by their old rootdir-relative path: renames its rename
    detection finds in the last :data:`RECENT_COMMITS` commits touching the rootdir (``git log
    -M``), then the uncommitted ones (staged, and a tracked file moved by a plain ``mv`` to an
    untracked path with alike content). Chains are followed to the name the file has now; a
    file renamed back to its old name is no rename. Only renames within the rootdir count,
    whether the repository's root is the rootdir or above it. Empty when there is no evidence.
    """
    return _renamed_files(str(Path(rootdir).resolve()))


def renamed_function(
    rootdir: str | os.PathLike[str], old: str, new: str, paths: Iterable[str]
) -> Commit | None:
    """The commit (:data:`UNCOMMITTED` for the working tree's diff against ``HEAD``) that
    renamed the function ``old`` to ``new`` in one of ``paths`` (rootdir-relative): a hunk of
    one file removed ``def old(`` and added ``def new(`` at the same indentation, the only
    ``def`` it added there. The most recent such change of the last :data:`RECENT_CHANGES`
    commits that changed ``def old(`` in those files (``git log -S``); None when none did."""
    renames = _renamed_functions(str(Path(rootdir).resolve()), old, tuple(sorted(set(paths))))
    return renames.get(new)


def forget() -> None:
    """Drop every cached answer (a long-lived process whose repositories changed)."""
    for cached in (_prefix, _top, _renamed_files, _renamed_functions):
        cached.cache_clear()


# -- running git --------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    env.update(
        GIT_OPTIONAL_LOCKS="0",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_LITERAL_PATHSPECS="1",
    )
    return env


def _git(root: str, *args: str) -> bytes | None:
    """The output of ``git args`` run in ``root``; None when git is missing, fails or hangs."""
    executable = shutil.which("git")
    if executable is None:
        return None
    command = [executable, "--no-pager", "-C", root]
    for setting in _SETTINGS:
        command += ["-c", setting]
    try:
        done = subprocess.run(
            [*command, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            env=_environment(),
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


@functools.lru_cache(maxsize=64)
def _prefix(root: str) -> str | None:
    """The rootdir's path inside its repository (``""`` or ``"sub/dir/"``), when it is in the
    work tree of a repository with a commit; else None. No git is run outside a repository."""
    if not any((p / ".git").exists() for p in (Path(root), *Path(root).parents)):
        return None
    out = _git(root, "rev-parse", "--show-prefix", "HEAD")
    if out is None:
        return None
    lines = _text(out).splitlines()
    return lines[0] if len(lines) == 2 else None


def _relative(prefix: str, path: str) -> str | None:
    return path[len(prefix) :] if path.startswith(prefix) else None


# -- renamed files ------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _renamed_files(root: str) -> Mapping[str, RenamedFile]:
    prefix = _prefix(root)
    if prefix is None:
        return MappingProxyType({})
    steps = list(reversed(_committed(root))) + _uncommitted(root)
    renames: dict[str, RenamedFile] = {}
    for commit, old_path, new_path in steps:
        old, new = _relative(prefix, old_path), _relative(prefix, new_path)
        if old is None or new is None:
            continue
        for key, renamed in list(renames.items()):
            if renamed.new == old:
                renames[key] = RenamedFile(key, new, (*renamed.commits, commit))
        renames[old] = RenamedFile(old, new, (commit,))
    return MappingProxyType({k: r for k, r in renames.items() if r.new != k})


def _committed(root: str) -> list[tuple[Commit, str, str]]:
    """``(commit, old, new)`` of every rename of the recent commits, newest first, paths
    relative to the repository's root."""
    out = _git(
        root,
        "log",
        "-M",
        "--name-status",
        "-z",
        "--no-color",
        "--format=%x01%h%x00%s",
        f"-n{RECENT_COMMITS}",
        "HEAD",
        "--",
        ".",
    )
    if out is None:
        return []
    renames: list[tuple[Commit, str, str]] = []
    commit = UNCOMMITTED
    tokens = iter(_text(out).split("\0"))
    for raw in tokens:
        token = raw.lstrip("\n")
        if token.startswith("\x01"):
            commit = Commit(token[1:], next(tokens, ""))
        elif token[:1] in ("R", "C"):
            old, new = next(tokens, ""), next(tokens, "")
            if token[0] == "R" and old and new:
                renames.append((commit, old, new))
        elif token:
            next(tokens, "")  # the one path of an A, M, D, T entry
    return renames


def _uncommitted(root: str) -> list[tuple[Commit, str, str]]:
    """The renames ``git status`` shows (staged ones), then the tracked files deleted from the
    work tree whose text an untracked file has (a plain ``mv``)."""
    out = _git(root, "status", "--porcelain=v1", "-z", "--renames", "--untracked-files=no")
    if out is None:
        return []
    renames: list[tuple[Commit, str, str]] = []
    deleted: list[str] = []
    tokens = iter(_text(out).split("\0"))
    for entry in tokens:
        if len(entry) < 4:
            continue  # the empty string after the last NUL
        status, path = entry[:2], entry[3:]
        if status[0] in ("R", "C"):
            old = next(tokens, "")
            if status[0] == "R" and old:
                renames.append((UNCOMMITTED, old, path))
        elif status[1] == "D" and path.endswith(".py"):
            deleted.append(path)
    if deleted and len(deleted) <= _MAX_PAIRING:
        renames += _moved(root, deleted)
    return renames


def _moved(root: str, deleted: list[str]) -> list[tuple[Commit, str, str]]:
    """Pair each deleted file with the untracked ``.py`` file most like its committed text,
    when exactly one is the most alike and alike enough (a file with the same name first)."""
    out = _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--full-name")
    if out is None:
        return []
    untracked = [p for p in _text(out).split("\0") if p.endswith(".py")]
    if not untracked or len(untracked) > _MAX_PAIRING:
        return []
    top = _top(root)
    if top is None:
        return []
    texts = {p: text for p in untracked if (text := _read(top / p)) is not None}
    homes: dict[str, list[str]] = {}
    for old in deleted:
        committed = _git(root, "show", "--no-textconv", f"HEAD:{old}")
        if committed is not None and len(committed) <= _MAX_BYTES:
            home = _most_alike(_text(committed).splitlines(), Path(old).name, texts)
            if home is not None:
                homes.setdefault(home, []).append(old)
    # a file two deleted ones are most like is the new home of neither, as far as one can tell
    return [(UNCOMMITTED, olds[0], new) for new, olds in homes.items() if len(olds) == 1]


def _most_alike(lines: list[str], name: str, texts: Mapping[str, list[str]]) -> str | None:
    """The path in ``texts`` whose lines are most like ``lines`` (one named ``name`` first),
    when it is alike enough and no other is as alike."""
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, lines, text).ratio(), Path(p).name == name, p)
            for p, text in texts.items()
        ),
        reverse=True,
    )
    if not scored or scored[0][0] < _SIMILAR:
        return None
    if len(scored) > 1 and scored[1][:2] == scored[0][:2]:
        return None  # two equally likely new homes: no evidence
    return scored[0][2]


@functools.lru_cache(maxsize=64)
def _top(root: str) -> Path | None:
    out = _git(root, "rev-parse", "--show-toplevel")
    return Path(_text(out).strip()) if out else None


def _read(path: Path) -> list[str] | None:
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_bytes().decode("utf-8", "surrogateescape").splitlines()
    except OSError:
        return None


# -- renamed functions --------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _renamed_functions(root: str, old: str, paths: tuple[str, ...]) -> Mapping[str, Commit]:
    """New function name -> the most recent change that renamed ``old`` to it in ``paths``."""
    if not paths or not old.isidentifier() or _prefix(root) is None:
        return MappingProxyType({})
    found: dict[str, Commit] = {}
    diff = _git(
        root, "diff", "-U0", "--no-ext-diff", "--no-textconv", "--no-color", "HEAD", "--", *paths
    )
    for new in _renames_in(_text(diff) if diff else "", old):
        found.setdefault(new, UNCOMMITTED)
    out = _git(
        root,
        "log",
        f"-n{RECENT_CHANGES}",
        f"-Sdef {old}(",
        "--no-color",
        "--format=%h%x00%s",
        "HEAD",
        "--",
        *paths,
    )
    for line in _text(out).splitlines() if out else []:
        short, _, subject = line.partition("\0")
        shown = _git(
            root,
            "show",
            "--format=",
            "-U0",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            short,
            "--",
            *paths,
        )
        for new in _renames_in(_text(shown) if shown else "", old):
            found.setdefault(new, Commit(short, subject))
    return MappingProxyType(found)


def _renames_in(diff: str, old: str) -> set[str]:
    """The functions a hunk of ``diff`` (``-U0``) renamed ``old`` to: the hunk removes
    ``def old(`` and adds exactly one other ``def``, at the same indentation."""
    renamed: set[str] = set()
    for hunk in _hunks(diff):
        removed = {name: indent for sign, name, indent in hunk if sign == "-"}
        added = [
            (name, indent) for sign, name, indent in hunk if sign == "+" and name not in removed
        ]
        if (
            old in removed
            and len(added) == 1
            and added[0][1] == removed[old]
            and added[0][0] != old
        ):
            renamed.add(added[0][0])
    return renamed


def _hunks(diff: str) -> list[list[tuple[str, str, str]]]:
    """The ``def`` lines of each hunk: ``(sign, name, indentation)``."""
    hunks: list[list[tuple[str, str, str]]] = []
    current: list[tuple[str, str, str]] | None = None
    for line in diff.splitlines():
        if line.startswith("diff "):
            current = None  # the next file's headers
        elif line.startswith("@@"):
            current = []
            hunks.append(current)
        elif current is not None and line[:1] in ("-", "+"):
            match = _DEF.match(line[1:])
            if match:
                indent = line[1 : 1 + len(line[1:]) - len(line[1:].lstrip())]
                current.append((line[0], match.group(1), indent))
    return hunks
