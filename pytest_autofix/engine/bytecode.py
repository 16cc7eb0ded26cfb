"""The rewritten bytecode of edited test modules, written while the verification rerun starts.

The rerun imports every test module autofix edited, and for each pytest rewrites its asserts
and compiles it: for long modules most of the rerun's collection (0.43 s of 0.70 s for ten
454-line modules, measured). The rerun interpreter collects its arguments in order; meanwhile
the session, idle until the results come back, writes the same pytest-tagged ``.pyc`` files
with pytest's own functions, last module first, so that the two meet in the middle.

This is only a cache and cannot change what the rerun verifies: pytest uses such a file only
when the hash of the source it holds matches the file's bytes and its code names that file
(``_read_pyc``), and rewrites the module itself otherwise. Both processes write through a
temporary file and an atomic rename (``_write_pyc``), so either may win a race. The rewriting is
pytest's (``_rewrite_test`` with this session's config: the rerun gets the same ini and
options). Nothing is written when bytecode writing is off (``-B``,
``PYTHONDONTWRITEBYTECODE``), when asserts are not rewritten (``--assert=plain``), for a file
pytest would not rewrite (not ``conftest.py`` and matching none of ``python_files``), or when
pytest's internals are not what this module knows: then the rerun compiles as it always did.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

__all__ = ["precompile"]


def precompile(config: pytest.Config, paths: Iterable[Path]) -> int:
    """Write the rewritten ``.pyc`` of each of ``paths`` (in the order given) that pytest would
    rewrite and that has no valid one yet; return how many were written."""
    if sys.dont_write_bytecode or config.getoption("assertmode", "rewrite") != "rewrite":
        return 0
    try:
        from _pytest.assertion import rewrite
        from _pytest.pathlib import fnmatch_ex

        state = config.stash[rewrite.assertstate_key]
        patterns = list(config.getini("python_files"))
        tail = rewrite.PYC_TAIL
    except Exception:  # another pytest: leave it to the rerun
        return 0
    written = 0
    for path in paths:
        if path.suffix != ".py" or not (
            path.name == "conftest.py" or any(fnmatch_ex(p, path) for p in patterns)
        ):
            continue
        try:
            pyc = rewrite.get_cache_dir(path) / (path.name[:-3] + tail)
            if rewrite._read_pyc(path, pyc) is not None:
                continue  # the rerun got there first
            source_hash, code = rewrite._rewrite_test(path, config)
            if rewrite.try_makedirs(pyc.parent) and rewrite._write_pyc(
                state, code, source_hash, pyc
            ):
                written += 1
        except Exception:
            continue
    return written
