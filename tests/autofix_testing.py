"""Plain helpers shared by the end-to-end tests (``from autofix_testing import ...``)."""

from __future__ import annotations

from pathlib import Path

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
