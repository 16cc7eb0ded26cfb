"""pytest_autofix.transaction on real files: atomic writes, journal, rollback, undo, recovery."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_autofix.transaction import (
    TEMP_PREFIX,
    ConflictError,
    LockedError,
    Transaction,
    TransactionError,
    UnsafePathError,
    recover,
    undo,
)

REPO = Path(__file__).resolve().parents[1]
CRASH_WRITER = Path(__file__).with_name("_crash_writer.py")
CRASH_ARGS = ["a.py", "half-done fix\n", "pkg/b.py", "never written\n"]
A_ORIGINAL = b"# -*- coding: latin-1 -*-\r\nname = '\xe9t\xe9'  \r\n"
B_ORIGINAL = b"\xef\xbb\xbfimport os\n\ndef f():\n    return os.sep\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "a.py").write_bytes(A_ORIGINAL)
    (root / "pkg" / "b.py").write_bytes(B_ORIGINAL)
    return root


@pytest.fixture
def state(root: Path) -> Path:
    return root / ".pytest_cache" / "autofix"


def tree(root: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file and directory under root (except the state dir): bytes (None: dir) and mode."""
    result: dict[str, tuple[bytes | None, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".pytest_cache"]
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            mode = stat.S_IMODE(path.lstat().st_mode)
            is_file = path.is_file() and not path.is_symlink()
            result[rel] = (path.read_bytes() if is_file else None, mode)
    return result


def manifest(state: Path) -> Any:
    return json.loads((state / "journal" / "manifest.json").read_bytes())


def python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


# --- write, commit, undo, rollback ---------------------------------------------------------


def test_write_commit_undo_round_trip(root: Path, state: Path) -> None:
    before = tree(root)
    with Transaction(root, state) as tx:
        assert tx.read("a.py") == A_ORIGINAL
        assert tx.read("new/sub/c.py") is None
        tx.write("a.py", b"name = 'x'\n")
        tx.write("new/sub/c.py", b"C = 1\n")
        assert tx.changed == [root / "a.py", root / "new/sub/c.py"]
        assert tx.commit() == [root / "a.py", root / "new/sub/c.py"]
    assert (root / "a.py").read_bytes() == b"name = 'x'\n"
    assert (root / "new/sub/c.py").read_bytes() == b"C = 1\n"
    journal = manifest(state)
    assert journal["state"] == "committed"
    assert journal["created_dirs"] == ["new/sub", "new"]
    files = journal["files"]
    assert [(f["path"], f["existed"]) for f in files] == [("a.py", True), ("new/sub/c.py", False)]

    outcome = undo(state, root)
    assert outcome.ok
    assert outcome.lines == [
        "pytest-autofix: undid the autofix run of "
        f"{journal['started']}: restored 2 file(s) to their state before it: a.py, new/sub/c.py"
    ]
    assert tree(root) == before
    assert manifest(state)["state"] == "undone"
    assert undo(state, root).lines == ["pytest-autofix: nothing to undo"]


def test_undo_without_journal(root: Path, state: Path) -> None:
    outcome = undo(state, root)
    assert (outcome.ok, outcome.lines) == (True, ["pytest-autofix: nothing to undo"])
    assert not state.exists()


def test_exception_in_with_rolls_back_every_file(root: Path, state: Path) -> None:
    before = tree(root)
    with pytest.raises(RuntimeError, match="boom"), Transaction(root, state) as tx:
        tx.read("a.py")
        tx.read("pkg/b.py")
        tx.read("pkg/deep/new.py")
        tx.write("a.py", b"changed\n")
        tx.write("pkg/b.py", b"changed too\n")
        tx.write("pkg/deep/new.py", b"")
        raise RuntimeError("boom")
    assert tree(root) == before
    assert manifest(state)["state"] == "rolled-back"
    assert undo(state, root).lines == ["pytest-autofix: nothing to undo"]


def test_leaving_without_commit_rolls_back(root: Path, state: Path) -> None:
    before = tree(root)
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"uncommitted\n")
    assert tree(root) == before


def test_a_transaction_that_never_writes_keeps_the_last_journal(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"fixed\n")
        tx.commit()
    with Transaction(root, state) as tx:
        tx.read("pkg/b.py")
        tx.commit()
    assert manifest(state)["state"] == "committed"
    assert manifest(state)["files"][0]["path"] == "a.py"
    assert undo(state, root).ok
    assert (root / "a.py").read_bytes() == A_ORIGINAL


def test_the_next_run_replaces_the_committed_journal(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"first run\n")
        tx.commit()
    with Transaction(root, state) as tx:
        tx.read("pkg/b.py")
        tx.write("pkg/b.py", b"second run\n")
        tx.commit()
    files = manifest(state)["files"]
    assert [f["path"] for f in files] == ["pkg/b.py"]
    blobs = sorted(p.name for p in (state / "journal" / "blobs").iterdir())
    assert blobs == [files[0]["sha256"]]  # the first run's blob is gone
    assert undo(state, root).ok
    assert (root / "pkg/b.py").read_bytes() == B_ORIGINAL
    assert (root / "a.py").read_bytes() == b"first run\n"  # undo covers the last run only


def test_commit_keeps_only_files_that_differ(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.read("pkg/b.py")
        tx.write("a.py", b"temporary\n")
        tx.write("a.py", A_ORIGINAL)  # a second write of the same path works
        tx.write("pkg/b.py", b"kept\n")
        assert tx.commit() == [root / "pkg/b.py"]
        with pytest.raises(TransactionError, match="after commit"):
            tx.write("pkg/b.py", b"more\n")
    files = manifest(state)["files"]
    assert [f["path"] for f in files] == ["pkg/b.py"]
    assert files[0]["final_sha256"] is not None
    assert (root / "pkg/b.py").read_bytes() == b"kept\n"


def test_manifest_and_blob_are_written_before_the_file(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"new\n")
        journal = manifest(state)
        assert journal["state"] == "active"
        assert journal["pid"] == os.getpid()
        assert journal["rootdir"] == os.path.realpath(root)
        assert journal["version"] == 1
        (entry,) = journal["files"]
        assert entry["mode"] == stat.S_IMODE((root / "a.py").stat().st_mode)
        assert (state / "journal" / "blobs" / entry["sha256"]).read_bytes() == A_ORIGINAL


# --- conflicts ----------------------------------------------------------------------------


@pytest.mark.parametrize("change", ["modified", "deleted", "created"])
def test_conflict_when_the_file_changes_after_read(root: Path, state: Path, change: str) -> None:
    path = root / ("new.py" if change == "created" else "a.py")
    with Transaction(root, state) as tx:
        tx.read(path)
        if change == "deleted":
            path.unlink()
        else:
            path.write_bytes(b"the other writer\n")
        with pytest.raises(ConflictError, match="changed on disk") as info:
            tx.write(path, b"autofix\n")
        assert info.value.path == path
        assert tx.changed == []
    if change == "deleted":
        assert not path.exists()
    else:
        assert path.read_bytes() == b"the other writer\n"
    assert not (state / "journal").exists()  # nothing was journaled


def test_a_batch_with_one_conflict_writes_nothing(root: Path, state: Path) -> None:
    """``set_contents`` checks every file before it writes any: all of the batch or none."""
    a, b, c = root / "a.py", root / "pkg/b.py", root / "pkg/new/c.py"
    with Transaction(root, state) as tx:
        for path in (a, b, c):
            tx.read(path)
        b.write_bytes(b"the other writer\n")
        with pytest.raises(ConflictError, match=r"pkg/b\.py changed on disk") as info:
            tx.set_contents({a: b"A\n", b: b"B\n", c: b"C\n"})
        assert info.value.path == b
        assert tx.changed == []
        assert (a.read_bytes(), c.exists(), (root / "pkg/new").exists()) == (
            A_ORIGINAL,
            False,
            False,
        )
        assert not (state / "journal").exists()  # nothing journaled either
        tx.set_contents({a: b"A\n", c: b"C\n"})  # without the file that conflicts
        journal = manifest(state)
        assert [e["path"] for e in journal["files"]] == ["a.py", "pkg/new/c.py"]
        assert journal["created_dirs"] == ["pkg/new"]
        assert tx.commit() == [a, c]
    assert b.read_bytes() == b"the other writer\n"
    assert undo(state, root).ok
    assert (a.read_bytes(), c.exists(), (root / "pkg/new").exists()) == (A_ORIGINAL, False, False)


def test_restore_leaves_a_file_someone_else_changed(root: Path, state: Path) -> None:
    with pytest.raises(ConflictError) as info, Transaction(root, state) as tx:
        tx.read("a.py")
        tx.read("pkg/b.py")
        tx.write("a.py", b"autofix\n")
        tx.write("pkg/b.py", b"autofix\n")
        (root / "a.py").write_bytes(b"the user's edit during the run\n")
        with pytest.raises(ConflictError, match=r"a\.py changed on disk after autofix wrote it"):
            tx.restore()
        assert (root / "pkg/b.py").read_bytes() == B_ORIGINAL  # the others are restored
        with pytest.raises(ConflictError):
            tx.write("a.py", b"autofix again\n")  # and autofix does not touch it again
        raise RuntimeError("boom")
    assert info.value.path == root / "a.py"
    assert isinstance(info.value.__context__, RuntimeError)
    assert (root / "a.py").read_bytes() == b"the user's edit during the run\n"
    assert manifest(state)["state"] == "rolled-back"
    assert recover(state, root) == []


def test_original_and_journaled(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        assert tx.original("a.py") == A_ORIGINAL  # not read yet: what is on disk
        tx.read("a.py")
        tx.read("pkg/b.py")
        tx.read("new.py")
        tx.write("a.py", b"A\n")
        tx.write("new.py", b"N\n")
        tx.write("a.py", b"A2\n")
        assert tx.journaled == [root / "a.py", root / "new.py"]
        assert [tx.original(p) for p in ("a.py", "new.py", "pkg/b.py")] == [
            A_ORIGINAL,
            None,
            B_ORIGINAL,
        ]
        tx.commit()
        assert tx.original(root / "a.py") == A_ORIGINAL  # still known after commit


def test_the_state_dir_is_git_ignored(root: Path, state: Path) -> None:
    with Transaction(root, state):
        pass
    assert (root / ".pytest_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert sorted(os.listdir(root)) == [".pytest_cache", "a.py", "pkg"]


def test_write_requires_read(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx, pytest.raises(TransactionError, match="read"):
        tx.write("a.py", b"x\n")
    assert (root / "a.py").read_bytes() == A_ORIGINAL


def test_write_outside_with_is_refused(root: Path, state: Path) -> None:
    tx = Transaction(root, state)
    tx.read("a.py")
    with pytest.raises(TransactionError, match="with block"):
        tx.write("a.py", b"x\n")


# --- set_contents, restore, new files, modes ------------------------------------------------


def test_set_contents_applies_a_subset(root: Path, state: Path) -> None:
    a, b, c = root / "a.py", root / "pkg/b.py", root / "pkg/new/c.py"
    with Transaction(root, state) as tx:
        for path in (a, b, c):
            tx.read(path)
        tx.set_contents({a: b"A\n", b: b"B\n", c: b"C\n"})
        assert sorted(tx.changed) == sorted([a, b, c])
        tx.set_contents({a: b"A\n"})
        assert (a.read_bytes(), b.read_bytes(), c.exists()) == (b"A\n", B_ORIGINAL, False)
        assert not (root / "pkg/new").exists()
        tx.set_contents({Path("pkg/b.py"): b"B2\n", c: b"C\n"})
        assert (a.read_bytes(), b.read_bytes(), c.read_bytes()) == (A_ORIGINAL, b"B2\n", b"C\n")
        tx.set_contents({})
        assert tx.changed == []
        tx.set_contents({b: b"B3\n"})
        assert tx.commit() == [b]
    assert undo(state, root).ok
    assert b.read_bytes() == B_ORIGINAL


def test_new_file_restore_deletes_it_and_the_dirs_created(root: Path, state: Path) -> None:
    before = tree(root)
    with Transaction(root, state) as tx:
        tx.read("x/y/z.py")
        tx.write("x/y/z.py", b"z = 1\n")
        assert (root / "x/y/z.py").read_bytes() == b"z = 1\n"
        assert tx.restore() == [root / "x/y/z.py"]
        assert tree(root) == before
        assert tx.restore() == []  # nothing left to do
        tx.write("x/y/z.py", b"z = 2\n")  # the directories come back when needed
        (root / "x" / "user.txt").write_text("made by the user meanwhile")
    assert not (root / "x/y").exists()
    assert (root / "x" / "user.txt").exists()  # a created dir that is not empty stays


def test_restore_a_subset(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.read("pkg/b.py")
        tx.write("a.py", b"A\n")
        tx.write("pkg/b.py", b"B\n")
        assert tx.restore([root / "a.py"]) == [root / "a.py"]
        assert tx.changed == [root / "pkg/b.py"]
        tx.write("a.py", b"again\n")  # the baseline is the restored original
        tx.commit()
    assert (root / "a.py").read_bytes() == b"again\n"


def test_mode_bits_are_kept(root: Path, state: Path) -> None:
    script = root / "run.py"
    script.write_bytes(b"#!/usr/bin/env python\n")
    script.chmod(0o755)
    (root / "a.py").chmod(0o640)
    with Transaction(root, state) as tx:
        tx.read(script)
        tx.read("a.py")
        tx.read("fresh.py")
        tx.write(script, b"#!/usr/bin/env python\nprint()\n")
        tx.write("a.py", b"A\n")
        tx.write("fresh.py", b"F\n")
        assert stat.S_IMODE(script.stat().st_mode) == 0o755
        assert stat.S_IMODE((root / "a.py").stat().st_mode) == 0o640
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE((root / "fresh.py").stat().st_mode) == 0o666 & ~umask
        script.chmod(0o700)  # put back restores the original mode too
        tx.restore()
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert stat.S_IMODE((root / "a.py").stat().st_mode) == 0o640
    assert script.read_bytes() == b"#!/usr/bin/env python\n"


def test_every_version_written_gets_a_later_whole_second_mtime(root: Path, state: Path) -> None:
    """Bytecode caches trust (size, whole-second mtime): no two versions may share both."""
    path, new = root / "a.py", root / "pkg/new.py"
    path.write_bytes(b"x = 0\n")
    with Transaction(root, state) as tx:
        tx.read(path)
        tx.read(new)
        seen = [int(path.stat().st_mtime)]
        # same size rewrites, and bisection: F1, back to the original, F2 of F1's size
        for contents in ({path: b"x = 1\n"}, {path: b"x = 22\n"}, {}, {path: b"x = 33\n"}, {}):
            tx.set_contents(contents)
            seen.append(int(path.stat().st_mtime))
        assert seen == sorted(set(seen))
        created = []
        for text in (b"a = 1\n", b"b = 2\n"):  # created, deleted, created again
            tx.set_contents({new: text})
            created.append(int(new.stat().st_mtime))
            tx.set_contents({})
        assert created[0] < created[1]


def test_failed_write_leaves_no_temp_file(
    root: Path, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree(root)

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full (simulated)")

    with Transaction(root, state) as tx:
        tx.read("a.py")
        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", fail)
            # the journal is written first, with the same atomic write: nothing gets further
            with pytest.raises(TransactionError, match=r"journal in .*: disk full .*; nothing"):
                tx.write("a.py", b"never\n")
    assert tree(root) == before


# --- path rules ----------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.py").write_bytes(b"victim\n")
    return outside


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("../x.py", "outside the rootdir"),
        ("pkg/../../x.py", "outside the rootdir"),
        ("{outside}/victim.py", "outside the rootdir"),
        ("link_file.py", "symlink"),
        ("link_dir/victim.py", "symlink"),
        ("link_dir/brand_new.py", "symlink"),
        ("venv/lib/python3.11/site-packages/mod.py", "inside site-packages"),
        ("lib/dist-packages/mod.py", "inside dist-packages"),
        (".tox/py311/x.py", "inside .tox"),
        (".nox/x.py", "inside .nox"),
        (".venv/x.py", "inside .venv"),
        (".git/config", "inside .git"),
        (".Git/config", "inside .git"),
        ("pkg/__pycache__/b.cpython-311.pyc", "inside __pycache__"),
        (".pytest_cache/autofix/journal/manifest.json", "inside .pytest_cache"),
        ("__pypackages__/3.11/lib/m.py", "inside __pypackages__"),
        ("pkg.egg-info/m.py", "inside pkg.egg-info"),
        ("env311/lib/m.py", "env311/, a virtual environment: it holds pyvenv.cfg"),
        ("caches/v/m.py", "caches/, a cache directory: it holds CACHEDIR.TAG"),
        ("build/lib/pkg/m.py", "build/, build output: not a package"),
        ("dist/m.py", "dist/, build output: not a package"),
        ("tests/data_1.py", "tests/**/data_*.py"),
        ("tests/a/b/data_2.py", "tests/**/data_*.py"),
        ("migrations/0001_initial.py", "migrations"),
        ("migrations/sub/x.py", "migrations"),
        ("setup.cfg", "*.cfg"),
        ("pkg", "not a regular file"),
        (".", "rootdir itself"),
    ],
)
def test_refused_paths(root: Path, state: Path, outside: Path, path: str, rule: str) -> None:
    (root / "link_file.py").symlink_to(outside / "victim.py")
    (root / "link_dir").symlink_to(outside, target_is_directory=True)
    for rel in ("env311/pyvenv.cfg", "caches/CACHEDIR.TAG", "build/lib/pkg/m.py", "dist/m.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    before, outside_before = tree(root), tree(outside)
    exclude = ["tests/**/data_*.py", "migrations/", "*.cfg"]
    with Transaction(root, state, exclude=exclude) as tx:
        target = path.format(outside=outside)
        with pytest.raises(UnsafePathError, match="refused") as info:
            tx.check(target)
        assert rule in str(info.value)
        for operation in (
            tx.read,
            lambda p: tx.write(p, b"evil\n"),
            lambda p: tx.set_contents({Path(p): b"e"}),
        ):
            with pytest.raises(UnsafePathError):
                operation(target)
    assert tree(root) == before
    assert tree(outside) == outside_before
    assert not (state / "journal").exists()


def test_allowed_paths(root: Path, state: Path) -> None:
    (root / "tests/a").mkdir(parents=True)
    (root / "real.py").write_bytes(b"real\n")
    (root / "alias.py").symlink_to("real.py")
    (root / "pkg_alias").symlink_to("pkg", target_is_directory=True)
    with Transaction(root, state, exclude=["tests/**/data_*.py", "migrations/"]) as tx:
        assert tx.check("a.py") == root / "a.py"
        assert tx.check(root / "pkg" / ".." / "a.py") == root / "a.py"
        assert tx.check("tests/a/other.py") == root / "tests/a/other.py"
        assert tx.check("migrations_helper.py") == root / "migrations_helper.py"
        assert tx.check("pkg_alias/b.py") == root / "pkg/b.py"
        assert tx.check("alias.py") == root / "real.py"  # the file really written
        tx.read("alias.py")
        tx.write("alias.py", b"through the link\n")
        tx.commit()
    assert (root / "alias.py").is_symlink()
    assert (root / "real.py").read_bytes() == b"through the link\n"


# --- lock ----------------------------------------------------------------------------------

LOCK_PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pytest_autofix.transaction import LockedError, Transaction
    try:
        with Transaction(Path(sys.argv[1]), Path(sys.argv[2]), lock_timeout=0.2):
            print("GOT THE LOCK")
    except LockedError as exc:
        print("LOCKED:", exc)
    """
)


def test_a_second_session_gets_locked_error(root: Path, state: Path) -> None:
    def probe() -> str:
        return subprocess.run(
            [sys.executable, "-c", LOCK_PROBE, str(root), str(state)],
            capture_output=True,
            text=True,
            check=True,
            env=python_env(),
            timeout=60,
        ).stdout

    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"mine\n")
        out = probe()
        assert out.startswith("LOCKED: another pytest --autofix session")
        assert f"(pid {os.getpid()})" in out
        with pytest.raises(LockedError), Transaction(root, state, lock_timeout=0):
            pass  # also within one process
        assert recover(state, root) == []  # a live session holds the lock: hands off
        assert (root / "a.py").read_bytes() == b"mine\n"
        tx.commit()
    assert probe() == "GOT THE LOCK\n"


def test_a_second_session_waits_for_the_lock(root: Path, state: Path) -> None:
    entered, order = threading.Event(), []

    def first() -> None:
        with Transaction(root, state):
            entered.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    entered.wait(10)
    with Transaction(root, state, lock_timeout=10):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def test_entering_with_an_unrecovered_journal_is_refused(root: Path, state: Path) -> None:
    journal = state / "journal" / "manifest.json"
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"x\n")
        active = journal.read_bytes()
        tx.commit()
    journal.write_bytes(active)  # as if the run had died before commit
    with pytest.raises(TransactionError, match="interrupted"), Transaction(root, state):
        pass
    assert "restored 1 file(s)" in recover(state, root)[0]  # the refused session let go the lock
    assert (root / "a.py").read_bytes() == A_ORIGINAL
    with Transaction(root, state, lock_timeout=0):
        pass


# --- undo and recover ----------------------------------------------------------------------


def test_undo_leaves_a_file_changed_after_autofix(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.read("pkg/b.py")
        tx.write("a.py", b"fixed a\n")
        tx.write("pkg/b.py", b"fixed b\n")
        tx.commit()
    (root / "a.py").write_bytes(b"the user's later edit\n")
    outcome = undo(state, root)
    assert not outcome.ok
    kept = state / "kept" / "a.py"
    assert outcome.lines == [
        f"pytest-autofix: undid the autofix run of {manifest(state)['started']}: restored 1 "
        "file(s) to their state before it: pkg/b.py",
        "pytest-autofix: a.py changed after autofix wrote it; left as is "
        f"(its original is kept in {kept})",
    ]
    assert (root / "a.py").read_bytes() == b"the user's later edit\n"
    assert kept.read_bytes() == A_ORIGINAL
    assert (root / "pkg/b.py").read_bytes() == B_ORIGINAL
    assert manifest(state)["state"] == "undone"
    # the next run replaces the journal and its blobs; the copy the user was pointed at stays
    with Transaction(root, state) as tx:
        tx.read("pkg/b.py")
        tx.write("pkg/b.py", b"another fix\n")
        tx.commit()
    assert not (state / "journal" / "blobs" / hashlib.sha256(A_ORIGINAL).hexdigest()).exists()
    assert kept.read_bytes() == A_ORIGINAL


def test_undo_names_a_file_left_to_another_writer(root: Path, state: Path) -> None:
    """A file another writer changed during the run is theirs: out of the journal, so undo
    does not restore it, and it says so instead of "nothing to undo"."""
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"fixed a\n")
        (root / "a.py").write_bytes(b"fixed a\nthe user's line\n")  # during the run
        with pytest.raises(ConflictError):
            tx.write("a.py", b"fixed again\n")
        tx.commit()
    outcome = undo(state, root)
    assert outcome.lines == [
        "pytest-autofix: nothing to undo",
        "pytest-autofix: a.py is not undone: another writer changed it during that run (a.py "
        "changed on disk after autofix read it; nothing written); autofix left it to them, "
        "check it by hand",
    ]
    assert (root / "a.py").read_bytes() == b"fixed a\nthe user's line\n"


def test_undo_restores_the_original_mode_the_user_changed_since(root: Path, state: Path) -> None:
    """Undo puts a file back as it was before the run, bytes and mode: a chmod after the run
    (with autofix's bytes still there) is undone with it."""
    (root / "a.py").chmod(0o640)
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"fixed a\n")
        tx.commit()
    (root / "a.py").chmod(0o755)
    assert undo(state, root).ok
    assert (root / "a.py").read_bytes() == A_ORIGINAL
    assert stat.S_IMODE((root / "a.py").stat().st_mode) == 0o640


@pytest.fixture
def crashed_writer(root: Path, state: Path) -> Iterator[subprocess.Popen[str]]:
    """A real process inside a Transaction that wrote a.py (not pkg/b.py) and now waits."""
    proc = subprocess.Popen(
        [sys.executable, str(CRASH_WRITER), str(root), str(state), *CRASH_ARGS],
        stdout=subprocess.PIPE,
        text=True,
        env=python_env(),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "WROTE\n"
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()  # type: ignore[union-attr]


def test_recover_after_sigkill(
    root: Path, state: Path, crashed_writer: subprocess.Popen[str]
) -> None:
    before = {**tree(root), "a.py": (A_ORIGINAL, stat.S_IMODE((root / "a.py").stat().st_mode))}
    crashed_writer.send_signal(signal.SIGKILL)
    assert crashed_writer.wait(timeout=30) == -signal.SIGKILL
    assert (root / "a.py").read_bytes() == b"half-done fix\n"
    assert (root / "pkg/b.py").read_bytes() == B_ORIGINAL
    started = manifest(state)["started"]

    lines = recover(state, root)
    assert lines == [
        f"pytest-autofix: the autofix run of {started} (pid {crashed_writer.pid}) was "
        "interrupted; restored 1 file(s) to their state before it: a.py"
    ]
    assert tree(root) == before
    assert manifest(state)["state"] == "recovered"
    assert recover(state, root) == []  # once only
    assert undo(state, root).lines == ["pytest-autofix: nothing to undo"]


def test_recover_removes_the_temp_files_a_kill_mid_write_left(
    root: Path, state: Path, crashed_writer: subprocess.Popen[str]
) -> None:
    """A kill between the temp file and the rename leaves ``.autofix-tmp-*`` beside the file
    being written: recovery removes them there, beside the files the run journaled (and
    nothing else)."""
    crashed_writer.send_signal(signal.SIGKILL)
    assert crashed_writer.wait(timeout=30) == -signal.SIGKILL
    (root / (TEMP_PREFIX + "k3j2h1g0")).write_bytes(b"half a file")
    (root / "pkg" / (TEMP_PREFIX + "zz")).write_bytes(b"pkg/b.py was only read: not ours")
    (root / "notes.txt").write_bytes(b"the user's")
    other = root / "other"
    other.mkdir()
    (other / (TEMP_PREFIX + "x")).write_bytes(b"no journaled file here: not ours to judge")
    recover(state, root)
    assert not list(root.glob(TEMP_PREFIX + "*"))  # beside a.py, which the run wrote
    assert (root / "pkg" / (TEMP_PREFIX + "zz")).exists()
    assert (root / "notes.txt").read_bytes() == b"the user's"
    assert (other / (TEMP_PREFIX + "x")).exists()
    assert (root / "a.py").read_bytes() == A_ORIGINAL


def test_recover_restores_several_files_and_created_dirs(root: Path, state: Path) -> None:
    before = tree(root)
    journal = state / "journal" / "manifest.json"
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.read("pkg/b.py")
        tx.read("pkg/new/c.py")
        tx.write("a.py", b"A\n")
        tx.write("pkg/b.py", b"B\n")
        tx.write("pkg/new/c.py", b"C\n")
        active = journal.read_bytes()
        tx.commit()
    journal.write_bytes(active)  # the state a SIGKILL before commit leaves behind
    (lines,) = recover(state, root)
    assert lines.endswith(
        "restored 3 file(s) to their state before it: a.py, pkg/b.py, pkg/new/c.py"
    )
    assert tree(root) == before


def test_recover_does_nothing_while_the_writer_lives(
    root: Path, state: Path, crashed_writer: subprocess.Popen[str]
) -> None:
    assert recover(state, root) == []
    assert (root / "a.py").read_bytes() == b"half-done fix\n"
    assert manifest(state)["state"] == "active"
    outcome = undo(state, root)
    assert not outcome.ok
    assert "another pytest --autofix session" in outcome.lines[0]
    assert (root / "a.py").read_bytes() == b"half-done fix\n"


def test_recover_leaves_a_file_the_user_changed_after_the_crash(
    root: Path, state: Path, crashed_writer: subprocess.Popen[str]
) -> None:
    crashed_writer.kill()
    crashed_writer.wait(timeout=30)
    (root / "a.py").write_bytes(b"edited after the crash\n")
    lines = recover(state, root)
    assert len(lines) == 2
    assert lines[1].startswith("pytest-autofix: a.py changed after autofix wrote it; left as is")
    assert (root / "a.py").read_bytes() == b"edited after the crash\n"
    assert manifest(state)["state"] == "recovered"


def test_undo_of_an_interrupted_run_recovers_it(
    root: Path, state: Path, crashed_writer: subprocess.Popen[str]
) -> None:
    crashed_writer.kill()
    crashed_writer.wait(timeout=30)
    outcome = undo(state, root)
    assert outcome.ok
    assert "was interrupted; restored 1 file(s)" in outcome.lines[0]
    assert (root / "a.py").read_bytes() == A_ORIGINAL


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "Expecting property name"),
        (b"[]", "not a version 1 autofix journal"),
        (b'{"version": 2, "state": "active"}', "not a version 1 autofix journal"),
        (b'{"version": 1, "state": "exploded"}', "unknown state"),
        (
            b'{"version": 1, "state": "active", "pid": 1, "started": "x", "rootdir": "/",'
            b' "created_dirs": [], "files": [{"path": "../../etc/passwd", "existed": false,'
            b' "mode": null, "sha256": null}]}',
            "a file entry is malformed",
        ),
        (
            b'{"version": 1, "state": "active", "pid": 1, "started": "x", "rootdir": "/",'
            b' "created_dirs": [], "files": [{"path": "a.py", "existed": false,'
            b' "mode": null, "sha256": null, "written": [[1]]}]}',
            "a file entry is malformed",
        ),
        (
            b'{"version": 1, "state": "active", "pid": 1, "started": "x", "rootdir": "/",'
            b' "created_dirs": ["/etc"], "files": []}',
            "a created_dirs entry is malformed",
        ),
    ],
)
def test_recover_ignores_a_corrupt_journal(
    root: Path, state: Path, content: bytes, why: str
) -> None:
    journal = state / "journal" / "manifest.json"
    journal.parent.mkdir(parents=True)
    journal.write_bytes(content)
    before = tree(root)
    (line,) = recover(state, root)
    assert line.startswith(f"pytest-autofix: ignored the journal {journal}: ")
    assert why in line
    assert tree(root) == before
    assert journal.read_bytes() == content
    outcome = undo(state, root)
    assert not outcome.ok
    assert "cannot undo" in outcome.lines[0]


def test_recover_ignores_a_foreign_journal(root: Path, state: Path, tmp_path: Path) -> None:
    journal = state / "journal" / "manifest.json"
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"x\n")
        active = json.loads(journal.read_bytes())
        tx.commit()
    active["rootdir"] = str(tmp_path / "elsewhere")
    journal.write_text(json.dumps(active))
    (line,) = recover(state, root)
    assert line.endswith(f"it belongs to {tmp_path / 'elsewhere'}")
    assert (root / "a.py").read_bytes() == b"x\n"


def test_recover_ignores_journals_that_are_not_active(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"x\n")
        tx.commit()
    assert recover(state, root) == []
    assert (root / "a.py").read_bytes() == b"x\n"


def test_a_run_that_changed_nothing_leaves_nothing_to_undo(root: Path, state: Path) -> None:
    with Transaction(root, state) as tx:
        tx.read("a.py")
        tx.write("a.py", b"tried\n")
        tx.write("a.py", A_ORIGINAL)
        assert tx.commit() == []
    assert manifest(state)["files"] == []
    assert undo(state, root).lines == ["pytest-autofix: nothing to undo"]


def test_the_transaction_runs_where_fcntl_does_not_exist(tmp_path: Path) -> None:
    """The session lock is portable (filelock): with ``fcntl`` unavailable, as on Windows, a
    transaction still locks, writes, commits, and a second one waits for the first."""
    (tmp_path / "a.py").write_text("x = 1\n")
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["fcntl"] = None  # import fcntl raises ImportError from here on
        from pathlib import Path
        from pytest_autofix.transaction import LockedError, Transaction

        root = Path({str(tmp_path)!r})
        state = root / ".pytest_cache" / "autofix"
        with Transaction(root, state) as txn:
            txn.read(root / "a.py")
            txn.set_contents({{root / "a.py": b"x = 2\\n"}})
            try:
                with Transaction(root, state, lock_timeout=0.2):
                    print("second lock taken")
            except LockedError as err:
                print("locked:", err)
            txn.commit()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "locked: another pytest --autofix session (pid" in out.stdout, out.stdout + out.stderr
    assert (tmp_path / "a.py").read_text() == "x = 2\n"


APPENDER = """
import sys, time
path, count = sys.argv[1], int(sys.argv[2])
print("READY", flush=True)
for i in range(count):
    with open(path, "a") as handle:  # as `echo ... >> file` does: open, append, close
        handle.write(f"# line {i}\\n")
    time.sleep(0.0005)
"""


def test_a_concurrent_appender_never_loses_a_line(root: Path, state: Path) -> None:
    """Another process appends to a file while the transaction writes it again and again: the
    check before the rename and the read of the replaced file after it leave the appender
    every line (the file is theirs from the first conflict on), and autofix never writes it
    again."""
    target = root / "log.py"
    target.write_text("# log\n")
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(target), "400"], stdout=subprocess.PIPE, text=True
    )
    assert appender.stdout is not None and appender.stdout.readline() == "READY\n"
    conflict = None
    with Transaction(root, state) as tx:
        tx.read(target)
        for i in range(400):
            try:
                tx.set_contents({target: f"# autofix {i}\n".encode()})
            except ConflictError as err:
                conflict = err
                break
        assert appender.wait(timeout=60) == 0
        tx.commit()
    appender.stdout.close()
    lines = target.read_text().splitlines()
    assert [f"# line {i}" for i in range(400)] == [x for x in lines if x.startswith("# line")]
    assert conflict is not None and target in tx.foreign
    assert conflict.path == target
