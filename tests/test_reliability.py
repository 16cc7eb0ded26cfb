"""Reliability under bad input and faults (issue 18): odd bytes, odd files, places autofix never
edits. Real files, real parses; the faults themselves (signals, full disks) are in
``test_reliability_faults.py``."""

from __future__ import annotations

from pathlib import Path

import libcst
import pytest

from pytest_autofix.engine.plan import Candidate, build
from pytest_autofix.model import FileEdit, Fix


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
