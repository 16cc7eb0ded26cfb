from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import libcst
import pytest

from pytest_autofix.model import FileEdit, Fix
from pytest_autofix.plan import Candidate, Plan, build, unified_diff

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
