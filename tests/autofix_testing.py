"""Plain helpers shared by the tests (``from autofix_testing import ...``): the end-to-end tests'
project snapshots, and the project builder and fix proposer of the few fixer tests that check
what a fixer proposes rather than what its fix writes (those use ``pytest_autofix.testing``).

Not a test module, so pytest does not rewrite its assertions: each one says what went wrong.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

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
