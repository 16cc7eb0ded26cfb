"""Plain helpers shared by the tests (``from autofix_testing import ...``): the end-to-end tests'
project snapshots, and the before/after fixer tests' project builder, fix proposer and applier.

Not a test module, so pytest does not rewrite its assertions: each one says what went wrong.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import libcst

from pytest_autofix.model import Fix, Issue
from pytest_autofix.project import Project

# what is not the project's: pytest's and Python's caches, pytester's capture of the inner run,
# the JSON reports the tests ask for
_NOT_PROJECT = frozenset({".pytest_cache", "__pycache__"})
_OUTPUTS = frozenset({"stdout", "stderr", "r.json", "report.json"})


def snapshot(root: Path) -> dict[str, bytes]:
    """Every project file under ``root``, by rootdir-relative POSIX path, with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not _NOT_PROJECT & set(p.parts) and p.name not in _OUTPUTS
    }


# -- before/after examples of the fixers ----------------------------------------------------


def project_modules(project: Project) -> frozenset[str]:
    """The module names the classifier is told about (as the engine computes them)."""
    names = set()
    for name in project.modules():
        names |= {name.partition(".")[0], name.rpartition(".")[2]}
    return frozenset(names)


def make(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` (rel path -> text, dedented) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def propose(fixer: Any, issue: Issue, root: Path) -> list[Fix]:
    """``fixer``'s fixes for ``issue`` in the project at ``root``, which it never writes."""
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    fixes = list(fixer.propose(issue, Project(root)))
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before, f"propose wrote to the project: {_changed(before, after)}"
    return fixes


def _changed(before: dict[Path, bytes], after: dict[Path, bytes]) -> list[str]:
    return sorted(str(p) for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def apply(root: Path, fix: Fix) -> dict[str, str]:
    """rel path -> the code after every edit of ``fix`` (one chain per file)."""
    result: dict[str, str] = {}
    modules: dict[str, libcst.Module] = {}
    for edit in fix.edits:
        rel = Path(edit.path).as_posix()
        if edit.text is not None:
            result[rel] = edit.text
            continue
        assert edit.transform is not None, f"{rel}: an edit with neither text nor transform"
        module = modules.get(rel) or libcst.parse_module((root / rel).read_bytes())
        modules[rel] = edit.transform(module)
        result[rel] = modules[rel].code
        compile(result[rel], rel, "exec")
    return result


def expect(code: str) -> str:
    return textwrap.dedent(code)
