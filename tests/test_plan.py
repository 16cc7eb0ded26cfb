from __future__ import annotations

import difflib
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import libcst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_autofix.engine.plan import (
    Candidate,
    Plan,
    _matcher,
    build,
    unified_diff,
    unified_diff_bytes,
)
from pytest_autofix.model import FileEdit, Fix

Transform = Callable[[libcst.Module], libcst.Module]


# -- small real transforms ----------------------------------------------------------------


class _Rename(libcst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Name(self, original_node: libcst.Name, updated_node: libcst.Name) -> libcst.Name:
        return (
            updated_node.with_changes(value=self.new)
            if updated_node.value == self.old
            else updated_node
        )


def rename(old: str, new: str) -> Transform:
    return lambda module: module.visit(_Rename(old, new))


class _ReplaceImport(libcst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_ImportFrom(
        self, original_node: libcst.ImportFrom, updated_node: libcst.ImportFrom
    ) -> libcst.ImportFrom:
        module = updated_node.module
        if module is None or libcst.Module([]).code_for_node(module) != self.old:
            return updated_node
        new_module = libcst.parse_expression(self.new)
        assert isinstance(new_module, libcst.Name | libcst.Attribute)
        return updated_node.with_changes(module=new_module)


def replace_import(old: str, new: str) -> Transform:
    return lambda module: module.visit(_ReplaceImport(old, new))


def _assigns(module: libcst.Module, statement: libcst.BaseStatement, name: str) -> bool:
    return module.code_for_node(statement).lstrip().startswith(f"{name} =")


def insert(code: str, *, before: str = "", after: str = "") -> Transform:
    """A transform adding the statement ``code`` before or after the one assigning a name."""

    def transform(module: libcst.Module) -> libcst.Module:
        body = list(module.body)
        at = next(i for i, s in enumerate(body) if _assigns(module, s, before or after))
        body.insert(at if before else at + 1, libcst.parse_statement(code))
        return module.with_changes(body=body)

    return transform


def delete(name: str) -> Transform:
    """A transform removing the statement assigning ``name``."""

    def transform(module: libcst.Module) -> libcst.Module:
        body = [s for s in module.body if not _assigns(module, s, name)]
        return module.with_changes(body=body)

    return transform


def apply(source: bytes, *transforms: Transform) -> bytes:
    """What the transforms make of ``source``, run one after the other."""
    module = libcst.parse_module(source)
    for transform in transforms:
        module = transform(module)
    return module.bytes


def explode(module: libcst.Module) -> libcst.Module:
    raise RuntimeError("fixer bug")


def candidate(key: str, confidence: float, *edits: FileEdit, fixer: str = "") -> Candidate:
    fix = Fix(description=f"fix {key}", confidence=confidence, edits=list(edits))
    return Candidate(key=key, issue_id=f"issue-{key}", fixer=fixer or f"fixer.{key}", fix=fix)


def read(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def plan_for(
    root: Path, *candidates: Candidate, check_path: Callable[[Path], Path] | None = None
) -> Plan:
    before = snapshot(root)
    plan = build(candidates, rootdir=root, read=read, check_path=check_path)
    assert snapshot(root) == before  # planning never writes to the project
    return plan


def snapshot(root: Path) -> dict[str, bytes]:
    files = (p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def keys(pairs: list[tuple[Candidate, str]]) -> dict[str, str]:
    return {c.key: reason for c, reason in pairs}


MODULE = """\
import os
from old_mod import helper


def f():
    return helper()


def g():
    value = 1
    return value
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "m.py").write_text(MODULE, encoding="utf-8")
    return tmp_path


# -- merging and conflicts ----------------------------------------------------------------


def test_non_conflicting_fixes_merge_into_one_file(root: Path) -> None:
    imports = candidate("imports", 0.9, FileEdit("m.py", replace_import("old_mod", "new_mod")))
    names = candidate("names", 0.8, FileEdit(root / "m.py", rename("value", "result")))
    plan = plan_for(root, names, imports)

    assert [c.key for c in plan.applied] == ["imports", "names"]
    assert (plan.deferred, plan.dropped) == ([], [])
    assert list(plan.files) == [root / "m.py"]
    merged = plan.files[root / "m.py"]
    assert merged.rel == "m.py" and merged.original == MODULE.encode()
    expected = MODULE.replace("old_mod", "new_mod").replace("value", "result")
    assert merged.new == expected.encode()
    assert plan.files_of == {"imports": ["m.py"], "names": ["m.py"]}
    assert "+from new_mod import helper" in plan.diffs["imports"]
    assert "result" not in plan.diffs["imports"]  # each diff shows that fix alone
    assert "+    value = 1" not in plan.diffs["names"] and "+    result = 1" in plan.diffs["names"]


def test_conflicting_fix_is_deferred_to_the_higher_confidence_one(root: Path) -> None:
    low = candidate("rename", 0.7, FileEdit("m.py", rename("helper", "assist")))
    high = candidate("import", 0.9, FileEdit("m.py", replace_import("old_mod", "new_mod")))
    plan = plan_for(root, low, high)

    assert [c.key for c in plan.applied] == ["import"]
    assert keys(plan.deferred) == {"rename": "conflicts with fixer.import: fix import"}
    assert plan.files[root / "m.py"].new == MODULE.replace("old_mod", "new_mod").encode()
    assert "assist" in plan.diffs["rename"]  # still shown, for the next round or the report


def test_a_fix_another_fix_already_makes_is_applied_beside_it(root: Path) -> None:
    """Two issues of one root cause whose fixes each make the whole change (each migrates
    every removed name of the module): the same bytes, so neither is deferred for the other;
    a fix that makes a different change on those lines still is."""
    first = candidate("first", 0.9, FileEdit("m.py", replace_import("old_mod", "new_mod")))
    same = candidate("same", 0.9, FileEdit("m.py", replace_import("old_mod", "new_mod")))
    other = candidate("other", 0.8, FileEdit("m.py", replace_import("old_mod", "else_mod")))
    plan = plan_for(root, first, same, other)

    assert [c.key for c in plan.applied] == ["first", "same"]
    assert keys(plan.deferred) == {"other": "conflicts with fixer.first: fix first"}
    assert plan.files[root / "m.py"].new == MODULE.replace("old_mod", "new_mod").encode()
    assert plan.files_of["same"] == ["m.py"] and "+from new_mod" in plan.diffs["same"]


def test_touching_lines_conflict_separated_lines_do_not(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("a = 1\nb = 2\nc = 3\n", encoding="utf-8")
    first = candidate("a", 0.5, FileEdit("m.py", rename("a", "x")))
    adjacent = candidate("b", 0.5, FileEdit("m.py", rename("b", "y")))
    apart = candidate("c", 0.5, FileEdit("m.py", rename("c", "z")))
    plan = plan_for(tmp_path, first, adjacent, apart)  # equal confidence: input order wins

    assert [c.key for c in plan.applied] == ["a", "c"]
    assert keys(plan.deferred) == {"b": "conflicts with fixer.a: fix a"}
    assert plan.files[tmp_path / "m.py"].new == b"x = 1\nb = 2\nz = 3\n"


def test_two_creates_of_one_path_conflict(tmp_path: Path) -> None:
    one = candidate("one", 0.9, FileEdit.create("pkg/__init__.py", ""))
    two = candidate("two", 0.8, FileEdit.create(tmp_path / "pkg/__init__.py", '"""pkg"""\n'))
    plan = plan_for(tmp_path, two, one)
    assert [c.key for c in plan.applied] == ["one"]
    assert keys(plan.deferred) == {"two": "conflicts with fixer.one: fix one"}


SPREAD = """\
import os


def first(a):
    return a + 1


def second(b):
    value = b * 2
    return value


def third(c):
    return c - 1


LAST = 3
"""


def test_distant_fixes_merge_as_if_applied_one_after_the_other(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SPREAD, encoding="utf-8")
    other_source = b"x = 1\ny = 2\n\nz = 3\n"
    (tmp_path / "n.py").write_bytes(other_source)
    edits = {
        "top": rename("first", "one"),
        "middle": rename("value", "result"),
        "bottom": insert("END = 4", after="LAST"),
    }
    top, middle, bottom = edits.values()
    plan = plan_for(
        tmp_path,
        candidate("top", 0.9, FileEdit("m.py", top)),
        candidate("middle", 0.8, FileEdit("m.py", middle)),
        candidate("bottom", 0.7, FileEdit("m.py", bottom), FileEdit("n.py", delete("x"))),
        candidate("other", 0.6, FileEdit("n.py", rename("z", "w"))),
    )

    assert [c.key for c in plan.applied] == ["top", "middle", "bottom", "other"]
    assert (plan.deferred, plan.dropped) == ([], [])
    original = SPREAD.encode()
    merged = plan.files[tmp_path / "m.py"].new
    assert merged == apply(original, top, middle, bottom) == apply(original, bottom, middle, top)
    assert b"def one(a):" in merged and b"    result = b * 2\n" in merged
    assert merged.endswith(b"LAST = 3\nEND = 4\n")
    assert plan.files[tmp_path / "n.py"].new == b"y = 2\n\nw = 3\n"
    # each diff shows that fix alone: exactly the part of the merged file it contributes
    alone = {k: unified_diff("m.py", original, apply(original, t)) for k, t in edits.items()}
    assert plan.diffs == {
        "top": alone["top"],
        "middle": alone["middle"],
        "bottom": alone["bottom"] + unified_diff("n.py", other_source, b"y = 2\n\nz = 3\n"),
        "other": unified_diff("n.py", other_source, b"x = 1\ny = 2\n\nw = 3\n"),
    }


def test_pure_insertion_next_to_a_change_conflicts(tmp_path: Path) -> None:
    source = b"a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n"
    (tmp_path / "m.py").write_bytes(source)
    change = candidate("change", 0.9, FileEdit("m.py", rename("c", "x")))
    below = candidate("below", 0.8, FileEdit("m.py", insert("y = 0", after="c")))
    above = candidate("above", 0.8, FileEdit("m.py", insert("y = 0", before="c")))
    gap = candidate("gap", 0.8, FileEdit("m.py", insert("y = 0", before="b")))  # occupies b
    top = candidate("top", 0.7, FileEdit("m.py", insert("import os", before="a")))
    end = candidate("end", 0.7, FileEdit("m.py", insert("z = 0", after="e")))
    plan = plan_for(tmp_path, change, below, above, gap, top, end)

    winner = "conflicts with fixer.change: fix change"
    assert keys(plan.deferred) == {"below": winner, "above": winner, "gap": winner}
    assert [c.key for c in plan.applied] == ["change", "top", "end"]
    assert (
        plan.files[tmp_path / "m.py"].new
        == b"import os\na = 1\nb = 2\nx = 3\nd = 4\ne = 5\nz = 0\n"
    )


def test_insertions_at_one_place_conflict(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(b"a = 1\nb = 2\n")
    one = candidate("one", 0.9, FileEdit("m.py", insert("x = 0", after="b")))
    two = candidate("two", 0.8, FileEdit("m.py", insert("y = 0", after="b")))
    plan = plan_for(tmp_path, one, two)
    assert keys(plan.deferred) == {"two": "conflicts with fixer.one: fix one"}
    assert plan.files[tmp_path / "m.py"].new == b"a = 1\nb = 2\nx = 0\n"


# -- what is dropped ----------------------------------------------------------------------


def test_fix_that_does_not_compile_is_dropped_and_the_other_survives(tmp_path: Path) -> None:
    source = "def f(a, b):\n    return a\nvalue = 1\n"
    (tmp_path / "m.py").write_text(source, encoding="utf-8")
    broken = candidate("broken", 0.95, FileEdit("m.py", rename("b", "a")))  # duplicate argument
    good = candidate("good", 0.5, FileEdit("m.py", rename("value", "result")))
    plan = plan_for(tmp_path, broken, good)

    assert [c.key for c in plan.applied] == ["good"]
    assert plan.deferred == []  # a dropped fix does not block the lines it touched
    reason = keys(plan.dropped)["broken"]
    assert reason.startswith("result does not compile: SyntaxError: duplicate argument 'a'")
    assert plan.files[tmp_path / "m.py"].new == source.replace("value", "result").encode()


def test_fixes_that_compile_alone_but_not_together(tmp_path: Path) -> None:
    source = "def f(\n    a,\n\n    b,\n\n    z,\n):\n    return b\n"
    (tmp_path / "m.py").write_text(source, encoding="utf-8")
    first = candidate("first", 0.9, FileEdit("m.py", rename("a", "c")))
    second = candidate("second", 0.8, FileEdit("m.py", rename("z", "c")))
    plan = plan_for(tmp_path, first, second)

    assert [c.key for c in plan.applied] == ["first"]
    reason = keys(plan.dropped)["second"]
    assert reason.startswith("result does not compile: SyntaxError: duplicate argument 'c'")
    assert reason.endswith("(merged with fixer.first: fix first)")
    assert plan.files[tmp_path / "m.py"].new == source.replace("a,", "c,").encode()


def test_result_that_parses_but_does_not_compile_is_dropped(tmp_path: Path) -> None:
    source = b'x = 1\ns = "a"\n'
    (tmp_path / "m.py").write_bytes(source)

    class NullByte(libcst.CSTTransformer):
        def leave_SimpleString(
            self, original_node: libcst.SimpleString, updated_node: libcst.SimpleString
        ) -> libcst.SimpleString:
            return updated_node.with_changes(value='"\0"')

    plan = plan_for(
        tmp_path,
        candidate("none", 0.9, FileEdit("m.py", rename("x", "None"))),  # libcst writes it
        candidate("null", 0.9, FileEdit("m.py", lambda module: module.visit(NullByte()))),
        candidate("fine", 0.5, FileEdit("m.py", rename("s", "t"))),
    )
    reasons = keys(plan.dropped)
    assert reasons["none"] == (
        "result does not compile: SyntaxError: cannot assign to None (m.py, line 1)"
    )
    assert reasons["null"].startswith("result does not compile: ")
    assert "null bytes" in reasons["null"]
    assert [c.key for c in plan.applied] == ["fine"]
    assert plan.files[tmp_path / "m.py"].new == b'x = 1\nt = "a"\n'


def test_fix_dropped_in_a_merge_is_taken_out_of_files_merged_before(tmp_path: Path) -> None:
    # a_*.py sort before m.py: merged first, with the fix that m.py then shows to be bad
    (tmp_path / "a_other.py").write_bytes(b"z = 1\n\nkeep = 2\n")
    (tmp_path / "a_only.py").write_bytes(b"z = 3\n")
    (tmp_path / "m.py").write_bytes(b"def f(\n    a,\n\n    z,\n):\n    pass\n")
    first = candidate("first", 0.9, FileEdit("m.py", rename("a", "c")))
    bad = candidate(
        "bad",
        0.8,
        FileEdit("a_other.py", rename("z", "c")),
        FileEdit("a_only.py", rename("z", "c")),
        FileEdit("m.py", rename("z", "c")),
    )
    third = candidate("third", 0.7, FileEdit("a_other.py", rename("keep", "kept")))
    plan = plan_for(tmp_path, third, bad, first)

    assert [c.key for c in plan.applied] == ["first", "third"]
    assert keys(plan.dropped) == {
        "bad": "result does not compile: SyntaxError: duplicate argument 'c' in function "
        "definition (m.py, line 4) (merged with fixer.first: fix first)"
    }
    assert {fp.rel: fp.new for fp in plan.files.values()} == {
        "a_other.py": b"z = 1\n\nkept = 2\n",
        "m.py": b"def f(\n    c,\n\n    z,\n):\n    pass\n",
    }
    assert list(plan.files) == [tmp_path / "a_other.py", tmp_path / "m.py"]
    assert "+c = 3" in plan.diffs["bad"]  # still shown, as each fix alone


def test_the_first_fix_that_breaks_a_merge_is_dropped(tmp_path: Path) -> None:
    source = "def f(\n    a,\n\n    b,\n\n    z,\n):\n    return 0\n\n\nvalue = 1\n"
    (tmp_path / "m.py").write_text(source, encoding="utf-8")
    plan = plan_for(
        tmp_path,
        candidate("one", 0.9, FileEdit("m.py", rename("a", "c"))),
        candidate("two", 0.8, FileEdit("m.py", rename("value", "result"))),
        candidate("three", 0.7, FileEdit("m.py", rename("z", "c"))),
        candidate("four", 0.6, FileEdit("m.py", rename("b", "d"))),
    )
    assert [c.key for c in plan.applied] == ["one", "two", "four"]
    assert keys(plan.dropped)["three"].endswith(
        "(merged with fixer.one: fix one, fixer.two: fix two, fixer.four: fix four)"
    )
    expected = source.replace("a,", "c,").replace("b,", "d,").replace("value", "result")
    assert plan.files[tmp_path / "m.py"].new == expected.encode()


def test_multi_file_fix_is_dropped_whole(root: Path) -> None:
    (root / "other.py").write_text("x = 1\n", encoding="utf-8")
    whole = candidate(
        "whole",
        0.9,
        FileEdit("m.py", rename("value", "result")),
        FileEdit("other.py", explode),
    )
    plan = plan_for(root, whole)
    assert plan.applied == [] and plan.files == {}
    assert keys(plan.dropped) == {"whole": "transform of other.py raised RuntimeError: fixer bug"}
    assert plan.patch() == ""


def test_fix_dropped_in_a_merge_leaves_its_other_files(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("def f(\n    a,\n\n    z,\n):\n    pass\n", encoding="utf-8")
    (tmp_path / "other.py").write_text("z = 1\n", encoding="utf-8")
    first = candidate("first", 0.9, FileEdit("m.py", rename("a", "c")))
    both = candidate(
        "both", 0.8, FileEdit("other.py", rename("z", "c")), FileEdit("m.py", rename("z", "c"))
    )
    plan = plan_for(tmp_path, both, first)
    assert [c.key for c in plan.applied] == ["first"]
    assert list(keys(plan.dropped)) == ["both"]
    assert list(plan.files) == [tmp_path / "m.py"]


def test_create_over_an_existing_file_is_dropped(root: Path) -> None:
    plan = plan_for(root, candidate("create", 0.9, FileEdit.create("m.py", "x = 1\n")))
    assert keys(plan.dropped) == {"create": "FileEdit.create: m.py already exists"}
    assert plan.files == {}


def test_noop_and_suggestion_are_dropped(root: Path) -> None:
    noop = candidate("noop", 0.9, FileEdit("m.py", rename("absent", "other")))
    suggestion = candidate("suggestion", 0.9)
    plan = plan_for(root, noop, suggestion)
    assert keys(plan.dropped) == {
        "noop": "changes nothing",
        "suggestion": "has no edits: a suggestion, nothing to apply",
    }


def test_refused_paths_are_dropped(root: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "x.py"
    outside.write_text("value = 1\n", encoding="utf-8")
    (root / "vendor").mkdir()
    (root / "vendor/lib.py").write_text("value = 1\n", encoding="utf-8")

    def check_path(path: Path) -> Path:
        if path.relative_to(root).parts[0] == "vendor":
            raise PermissionError(f"{path.relative_to(root)} matches autofix_exclude")
        return path

    plan = plan_for(
        root,
        candidate("outside", 0.9, FileEdit(outside, rename("value", "v"))),
        candidate("climb", 0.9, FileEdit("../x.py", rename("value", "v"))),
        candidate("vendor", 0.9, FileEdit("vendor/lib.py", rename("value", "v"))),
        candidate("missing", 0.9, FileEdit("nope.py", rename("value", "v"))),
        check_path=lambda path: check_path(path) if path.is_relative_to(root) else path,
    )
    reasons = keys(plan.dropped)
    assert reasons["outside"] == f"{outside} is outside the rootdir {root}"
    assert "outside the rootdir" in reasons["climb"]
    assert reasons["vendor"] == "vendor/lib.py matches autofix_exclude"
    assert reasons["missing"] == "nope.py does not exist"
    assert plan.applied == []


def test_unparsable_original_and_unencodable_result_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nvalue = 1\n")
    plan = plan_for(
        tmp_path,
        candidate("parse", 0.9, FileEdit("broken.py", rename("f", "g"))),
        candidate("encode", 0.9, FileEdit("latin.py", rename("value", "\u03b1"))),
    )
    reasons = keys(plan.dropped)
    assert reasons["parse"].startswith("cannot parse broken.py: ")
    assert reasons["encode"].startswith("cannot encode latin.py as iso-8859-1: ")


# -- bytes on disk ------------------------------------------------------------------------


def test_untouched_bytes_survive_bom_crlf_and_latin1(tmp_path: Path) -> None:
    crlf = b"\xef\xbb\xbfimport os  \r\n# caf\xc3\xa9\t\r\nvalue = os.sep\r\n\r\nlast = value"
    latin = b"# -*- coding: latin-1 -*-\n\ns = 'caf\xe9'  # \xe0 garder\r\nvalue = s\n"
    (tmp_path / "crlf.py").write_bytes(crlf)
    (tmp_path / "latin.py").write_bytes(latin)
    plan = plan_for(
        tmp_path,
        candidate("crlf", 0.9, FileEdit("crlf.py", rename("value", "result"))),
        candidate("latin", 0.9, FileEdit("latin.py", rename("value", "result"))),
    )
    assert plan.files[tmp_path / "crlf.py"].new == crlf.replace(b"value", b"result")
    assert plan.files[tmp_path / "latin.py"].new == latin.replace(b"value", b"result")
    assert "s = 'café'  # à garder\r\n" in plan.diffs["latin"]  # decoded as latin-1 for display
    assert "-value = os.sep\r\n+result = os.sep\r\n" in plan.diffs["crlf"]
    assert plan.diffs["crlf"].endswith("+last = result\n\\ No newline at end of file\n")


def test_fixes_merge_byte_exactly_in_crlf_and_latin1_files(tmp_path: Path) -> None:
    crlf = (
        b"\xef\xbb\xbfimport os\r\n\r\n# caf\xc3\xa9\r\nvalue = os.sep\r\nmid = 1\r\nlast = value"
    )
    latin = b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\r\n# \xe0\nvalue = s\n\nt = 'd\xe9j\xe0'"
    (tmp_path / "crlf.py").write_bytes(crlf)
    (tmp_path / "latin.py").write_bytes(latin)
    first = candidate(
        "first",
        0.9,
        FileEdit("crlf.py", rename("os", "sys")),
        FileEdit("latin.py", rename("s", "u")),
    )
    second = candidate(
        "second",
        0.8,
        FileEdit("crlf.py", rename("last", "end")),
        FileEdit("latin.py", rename("t", "w")),
        FileEdit("crlf.py", insert("import re", after="mid")),
    )
    plan = plan_for(tmp_path, first, second)

    assert [c.key for c in plan.applied] == ["first", "second"]
    assert plan.files[tmp_path / "crlf.py"].new == (
        b"\xef\xbb\xbfimport sys\r\n\r\n# caf\xc3\xa9\r\nvalue = sys.sep\r\n"
        b"mid = 1\r\nimport re\r\nend = value"
    )
    assert plan.files[tmp_path / "latin.py"].new == (
        b"# -*- coding: latin-1 -*-\nu = 'caf\xe9'\r\n# \xe0\nvalue = u\n\nw = 'd\xe9j\xe0'"
    )
    assert "+w = 'déjà'\n\\ No newline at end of file\n" in plan.diffs["second"]


def test_unified_diff_format() -> None:
    assert unified_diff("a.py", b"x = 1\n", b"x = 1\n") == ""
    assert unified_diff("a.py", b"x = 1\n", b"x = 2") == (
        "diff --git a/a.py b/a.py\n"
        "--- a/a.py\n"
        "+++ b/a.py\n"
        "@@ -1 +1 @@\n"
        "-x = 1\n"
        "+x = 2\n"
        "\\ No newline at end of file\n"
    )
    assert unified_diff("pkg/new.py", None, b"A = 1\n") == (
        "diff --git a/pkg/new.py b/pkg/new.py\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/pkg/new.py\n"
        "@@ -0,0 +1 @@\n"
        "+A = 1\n"
    )
    assert unified_diff("pkg/__init__.py", None, b"") == (
        "diff --git a/pkg/__init__.py b/pkg/__init__.py\nnew file mode 100644\n"
    )


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(
        ["git", "-c", "core.autocrlf=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_patch_applies_with_git(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    files = {
        "m.py": MODULE.encode(),
        "pkg/crlf.py": b"\xef\xbb\xbfimport os\r\n\r\nvalue = os.sep\r\n",
        "pkg/latin.py": b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\nvalue = s\nend = value",
        "pkg/mod.py": b"value = 1\n",
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    clone = tmp_path / "clone"
    shutil.copytree(root, clone)

    plan = plan_for(
        root,
        candidate("import", 0.9, FileEdit("m.py", replace_import("old_mod", "new_mod"))),
        candidate("names", 0.8, FileEdit("m.py", rename("value", "result"))),
        candidate(
            "package",
            0.9,
            FileEdit.create("pkg/__init__.py", ""),
            FileEdit("pkg/crlf.py", rename("value", "result")),
            FileEdit("pkg/latin.py", rename("value", "result")),
        ),
        candidate("conftest", 0.7, FileEdit.create("conftest.py", "import pytest\n")),
    )
    assert len(plan.applied) == 4
    assert sorted(plan.files[p].rel for p in plan.files) == [
        "conftest.py",
        "m.py",
        "pkg/__init__.py",
        "pkg/crlf.py",
        "pkg/latin.py",
    ]
    patch = plan.patch().encode("utf-8", "surrogateescape")
    assert patch == plan.patch_bytes()
    (tmp_path / "fix.patch").write_bytes(patch)

    git(clone, "init", "-q")
    check = git(clone, "apply", "--check", str(tmp_path / "fix.patch"), check=False)
    assert check.returncode == 0, check.stderr
    git(clone, "apply", str(tmp_path / "fix.patch"))
    expected = {**files, **{fp.rel: fp.new for fp in plan.files.values()}}
    assert snapshot(clone) == expected


# -- properties -----------------------------------------------------------------------------

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    database=None,  # no .hypothesis directory in the project
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
OPS = st.lists(
    st.tuples(st.sampled_from(["rename", "delete", "insert"]), st.integers(0, 11)),
    min_size=2,
    max_size=6,
)


@SETTINGS
@given(
    count=st.integers(2, 12),
    newline=st.sampled_from([b"\n", b"\r\n"]),
    trailing=st.booleans(),
    ops=OPS,
)
def test_merged_fixes_are_the_fixes_applied_one_after_the_other(
    tmp_path: Path, count: int, newline: bytes, trailing: bool, ops: list[tuple[str, int]]
) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    source = newline.join(b"v%d = %d" % (i, i) for i in range(count)) + (newline * trailing)
    (root / "m.py").write_bytes(source)
    transforms: dict[str, Transform] = {}
    for n, (kind, line) in enumerate(ops):
        name = f"v{line % count}"
        if kind == "rename":
            transforms[f"f{n}"] = rename(name, f"w{n}")
        elif kind == "delete":
            transforms[f"f{n}"] = delete(name)
        else:
            transforms[f"f{n}"] = insert(f"n{n} = {n}", after=name)
    # equal confidences: the input order decides, as it does for the sequential application
    plan = plan_for(root, *(candidate(k, 0.5, FileEdit("m.py", t)) for k, t in transforms.items()))

    applied = [c.key for c in plan.applied]
    assert applied[0] == "f0" and plan.dropped == []
    assert sorted(applied + list(keys(plan.deferred))) == sorted(transforms)
    winners = {f"conflicts with fixer.{k}: fix {k}" for k in applied}
    assert set(keys(plan.deferred).values()) <= winners
    expected = apply(source, *(transforms[k] for k in applied))
    assert plan.files[root / "m.py"].new == expected
    for key, transform in transforms.items():
        assert plan.diffs[key] == unified_diff("m.py", source, apply(source, transform))


def difflib_diff(rel: str, old: bytes | None, new: bytes | None) -> bytes:
    """A diff as difflib's own unified_diff writes it, the headers as git does."""
    if old == new:
        return b""
    name = rel.encode()
    head = [b"diff --git a/%s b/%s\n" % (name, name)]
    if old is None:
        head.append(b"new file mode 100644\n")
    elif new is None:
        head.append(b"deleted file mode 100644\n")
    a, b = (io.BytesIO(data or b"").readlines() for data in (old, new))
    hunks = list(difflib.diff_bytes(difflib.unified_diff, a, b))
    if hunks:
        head.append(b"--- /dev/null\n" if old is None else b"--- a/%s\n" % name)
        head.append(b"+++ /dev/null\n" if new is None else b"+++ b/%s\n" % name)
    for line in hunks[2:]:
        head.append(line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n")
    return b"".join(head)


SOURCES = st.none() | st.lists(
    st.sampled_from([b"a\n", b"b\n", b"a", b"\r\n", b"c\r\n", b"\xe9\n", b"\n"]), max_size=40
).map(b"".join)


@SETTINGS
@given(old=SOURCES, new=SOURCES)
def test_unified_diff_bytes_writes_difflibs_hunks(old: bytes | None, new: bytes | None) -> None:
    # under 200 lines difflib's heuristic for popular lines is off: the same matching
    assert unified_diff_bytes("d/m.py", old, new) == difflib_diff("d/m.py", old, new)


LONG_LINES = st.sampled_from([b"x\n", b"y\n", b"\n", b"    pass\n", b"z = 1\r\n", b"w"])


@SETTINGS
@given(
    base=st.lists(
        LONG_LINES | st.integers(0, 500).map(b"u%d\n".__mod__), min_size=200, max_size=700
    ),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["delete", "insert", "replace"]), st.integers(0, 10_000), LONG_LINES
        ),
        max_size=25,
    ),
)
def test_long_files_are_matched_exactly(
    base: list[bytes], edits: list[tuple[str, int, bytes]]
) -> None:
    """From 200 lines on, matching starts from the lines unique to each side: the opcodes must
    still rebuild the new file, and every 'equal' block must be equal."""
    old = [line if line.endswith(b"\n") else line + b"\n" for line in base]
    new = list(old)
    for kind, where, line in edits:
        at = where % (len(new) + 1)
        if kind == "insert":
            new.insert(at, line if line.endswith(b"\n") else line + b"\n")
        elif new:
            at = min(at, len(new) - 1)
            if kind == "delete":
                del new[at]
            else:
                new[at] = line if line.endswith(b"\n") else line + b"\n"
    rebuilt: list[bytes] = []
    for tag, i1, i2, j1, j2 in _matcher(old, new).get_opcodes():
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
            rebuilt += old[i1:i2]
        else:
            rebuilt += new[j1:j2]
    assert rebuilt == new


def test_a_one_line_change_in_a_long_repetitive_file_is_one_line() -> None:
    """Many identical lines (a module of similar tests) must not widen a change's span: the
    span decides conflicts, and a wide one would defer fixes that touch other lines."""
    old = [b"def test_%d():\n    assert value() == 1\n" % i for i in range(300)]
    lines = [line for pair in old for line in io.BytesIO(pair).readlines()]
    new = list(lines)
    new[301] = b"    assert other() == 1\n"
    ops = [op for op in _matcher(lines, new).get_opcodes() if op[0] != "equal"]
    assert ops == [("replace", 301, 302, 301, 302)]
