"""Reliability under bad input and faults (issue 18): odd bytes, odd files, places autofix never
edits. Real files, real parses; the faults themselves (signals, full disks) are in
``test_reliability_faults.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import libcst
import pytest

from pytest_autofix import paths
from pytest_autofix.engine.plan import Candidate, build
from pytest_autofix.model import FileEdit, Fix
from pytest_autofix.project import Project
from pytest_autofix.transaction import Transaction, UnsafePathError


class _Rename(libcst.CSTTransformer):
    def leave_Name(self, original_node: libcst.Name, updated_node: libcst.Name) -> libcst.Name:
        return updated_node.with_changes(value="g") if updated_node.value == "f" else updated_node


def _rename(module: libcst.Module) -> libcst.Module:
    return module.visit(_Rename())


def _plan(root: Path, rel: str) -> tuple[dict[str, bytes], list[str]]:
    fix = Fix("rename f to g", 0.9, [FileEdit(rel, _rename)])
    built = build(
        [Candidate("k", "i", "test.rename", fix)],
        rootdir=root,
        read=lambda p: p.read_bytes() if p.exists() else None,
    )
    return {p.rel: p.new for p in built.files.values()}, [why for _, why in built.dropped]


# -- line endings: an existing file is edited only when libcst gives back every byte ---------


def test_cr_only_file_is_refused_not_shortened(tmp_path: Path) -> None:
    # libcst drops the last "\r" of a file with old-Mac line endings: writing its output would
    # lose a byte the fix never meant to touch
    source = b"def f():\r    return 1\r\rx = f()\r"
    (tmp_path / "m.py").write_bytes(source)
    files, dropped = _plan(tmp_path, "m.py")
    assert files == {}
    assert dropped == ["libcst cannot round-trip m.py byte for byte; not edited"]
    assert (tmp_path / "m.py").read_bytes() == source


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_lf_and_crlf_files_are_still_edited_byte_for_byte(tmp_path: Path, newline: bytes) -> None:
    lines = [b"# -*- coding: utf-8 -*-", b"def f():  ", b"    return 1", b"", b"x = f()"]
    (tmp_path / "m.py").write_bytes(newline.join(lines) + newline)
    files, dropped = _plan(tmp_path, "m.py")
    assert dropped == []
    want = [b"# -*- coding: utf-8 -*-", b"def g():  ", b"    return 1", b"", b"x = g()"]
    assert files == {"m.py": newline.join(want) + newline}


# -- odd files: a FIFO, a device, a huge module ----------------------------------------------

INDEX_SCRIPT = """
import json, sys
from pathlib import Path
from pytest_autofix.project import Project

project = Project(Path(sys.argv[1]), max_file_size=100)
out = {"files": [p.name for p in project.files()], "unread": project.unread}
out["modules"] = sorted(project.modules())
try:
    project.source("big.py")
except OSError as err:
    out["source"] = str(err).replace(sys.argv[1] + "/", "")
print(json.dumps(out))
"""


def test_the_index_reads_regular_files_only_and_within_the_limit(tmp_path: Path) -> None:
    """A FIFO named ``*.py`` used to block the run for ever and a symlink to ``/dev/zero`` to
    eat every byte of memory; a huge module costs minutes to parse. The index runs in a child
    with a deadline, so that a hang fails the test instead of stopping the suite."""
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "big.py").write_text("x = 1\n" * 20)  # 120 bytes, over the limit of 100
    (tmp_path / "ok.py").write_text("import big\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "ok.py")  # a symlink to a file is a file
    done = subprocess.run(
        [sys.executable, "-c", INDEX_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    assert out["files"] == ["big.py", "link.py", "ok.py"]
    assert out["modules"] == ["big", "link", "ok"]  # big is a module, its contents unknown
    assert out["unread"] == {"big.py": "120 bytes, over autofix_max_file_size = 100"}
    assert out["source"] == "big.py: not read, 120 bytes, over autofix_max_file_size = 100"


def test_read_source_never_opens_a_fifo_and_stops_at_the_limit(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.py")
    with pytest.raises(paths.Unreadable, match="not a regular file"):
        paths.read_source(tmp_path / "fifo.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    with pytest.raises(paths.Unreadable, match="not a regular file"):
        paths.read_source(tmp_path / "zero.py")
    (tmp_path / "m.py").write_bytes(b"x" * 10)
    assert paths.read_source(tmp_path / "m.py", 10) == b"x" * 10
    with pytest.raises(paths.Unreadable, match="10 bytes, over autofix_max_file_size = 9"):
        paths.read_source(tmp_path / "m.py", 9)
    with pytest.raises(FileNotFoundError):
        paths.read_source(tmp_path / "missing.py")


def test_the_transaction_refuses_a_file_over_the_limit_but_restores_one_it_grew(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "big.py").write_bytes(b"#" * 101)
    (root / "m.py").write_bytes(b"#" * 90)
    with Transaction(root, tmp_path / "state", max_file_size=100) as txn:
        with pytest.raises(UnsafePathError) as refused:
            txn.check("big.py")
        assert str(refused.value) == ("refused big.py: 101 bytes, over autofix_max_file_size = 100")
        txn.read("m.py")
        txn.write("m.py", b"#" * 150)  # a fix may grow a file past the limit...
        assert txn.restore() == [root / "m.py"]  # ...and it is restored all the same
    assert (root / "m.py").read_bytes() == b"#" * 90


def test_a_module_over_the_limit_is_not_edited_and_the_summary_says_so(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nautofix_max_file_size = 60\n")
    source = "from collections import Mapping\n\n\ndef f(x):\n    return isinstance(x, Mapping)\n"
    pytester.makepyfile(
        mod=source, test_mod="from mod import f\n\ndef test_f():\n    assert f({})\n"
    )
    before = (pytester.path / "mod.py").read_bytes()
    result = pytester.runpytest_subprocess("--autofix", "-p", "no:randomly")
    result.stdout.fnmatch_lines(
        [
            "*not read, so no fix could see into them: "
            "mod.py (77 bytes, over autofix_max_file_size = 60)*"
        ]
    )
    assert result.ret != 0  # the test still fails
    assert (pytester.path / "mod.py").read_bytes() == before


# -- places autofix never edits, whichever fixer asks -----------------------------------------

PLACES = {
    "__pypackages__/3.11/lib/m.py": "inside __pypackages__",
    "env311/lib/m.py": "env311/, a virtual environment: it holds pyvenv.cfg",
    "mycache/m.py": "inside the pytest cache dir",
    "mycache/v/cache/m.py": "inside the pytest cache dir",
    ".tox/py311/m.py": "inside .tox",
    ".nox/m.py": "inside .nox",
    ".git/m.py": "inside .git",
    "build/lib/m.py": "build/, build output: not a package",
    "dist/m.py": "dist/, build output: not a package",
    "pkg.egg-info/m.py": "inside pkg.egg-info",
}

GREEDY_FIXER = """
import libcst as cst
from pytest_autofix import Fix, FileEdit, IssueKind

PLACES = {places!r}


def _touch(module):
    return module.with_changes(body=[*module.body, cst.parse_statement("edited = True")])


class Greedy:
    name = "third.party"
    kinds = frozenset(IssueKind)

    def propose(self, issue, project):
        return [Fix(f"edit {{p}}", 0.99, [FileEdit(p, _touch)]) for p in PLACES]


def pytest_autofix_fixers(config):
    return [Greedy()]
"""


def test_a_third_party_fixer_is_refused_every_place_autofix_never_edits(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\ncache_dir = mycache\n")
    pytester.makeconftest(GREEDY_FIXER.format(places=sorted(PLACES)))
    pytester.makepyfile(test_a="def test_a():\n    assert missing_name == 1\n")
    (pytester.path / "env311").mkdir()
    (pytester.path / "env311" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    for rel in PLACES:
        (pytester.path / rel).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / rel).write_text("x = 1\n")
    before = {rel: (pytester.path / rel).read_bytes() for rel in PLACES}
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    assert result.ret == 1
    assert {rel: (pytester.path / rel).read_bytes() for rel in PLACES} == before
    report = json.loads((pytester.path / "r.json").read_text())
    (issue,) = report["issues"]
    assert len(issue["fixes"]) == len(PLACES)
    for fix in issue["fixes"]:
        rel = fix["description"].removeprefix("edit ")
        assert not fix["applied"]
        assert fix["reason"].startswith(f"not applied: refused {rel}: ")
        assert PLACES[rel] in fix["reason"]


def test_a_500_term_expression_is_left_out_of_the_index_not_raised(tmp_path: Path) -> None:
    """``ast`` parses it, but walking it overflows the recursion limit: the file is listed,
    unread, and said so; the other files are indexed."""
    (tmp_path / "deep.py").write_text("import os\nx = " + " + ".join(["1"] * 500) + "\n")
    (tmp_path / "ok.py").write_text("import deep\n")
    project = Project(tmp_path)
    assert sorted(project.modules()) == ["deep", "ok"]
    assert project.unread == {"deep.py": "nested too deeply to index: RecursionError"}
    ok = project.module_at("ok.py")
    assert ok is not None
    assert [ref.module for ref in ok.imports] == ["deep"]


# -- hygiene ---------------------------------------------------------------------------------


def test_a_fresh_repository_gets_pytest_s_cache_dir_files(pytester: pytest.Pytester) -> None:
    """autofix makes ``.pytest_cache`` before pytest does (its index, its journal); pytest
    writes its ``.gitignore`` only into a cache dir it creates, so autofix writes the same
    files: ``git status`` stays clean."""
    pytester.makepyfile(
        mod="from collections import Mapping\n",
        test_mod="import mod\n\n\ndef test_f():\n    pass\n",
    )
    result = pytester.runpytest_subprocess("--autofix", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["fixed*environment.removed-api*"])
    cache = pytester.path / ".pytest_cache"
    assert (cache / ".gitignore").read_bytes() == b"# Created by pytest automatically.\n*\n"
    assert (
        (cache / "CACHEDIR.TAG")
        .read_bytes()
        .startswith(b"Signature: 8a477f597d28d172789f06886806bc55\n")
    )
    assert (cache / "README.md").read_text().startswith("# pytest cache directory #")
    assert (cache / "autofix" / "journal" / "manifest.json").is_file()
