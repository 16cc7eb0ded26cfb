"""The rewritten bytecode the session writes for the rerun: pytest's own, or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _pytest.assertion import rewrite

from pytest_autofix.engine import bytecode

TEST_A = (
    "def helper():\n    return 1\n\n\ndef test_a():\n    x = helper()\n    assert x == 2, 'no'\n"
)


def _pyc(path: Path) -> Path:
    return rewrite.get_cache_dir(path) / (path.name[:-3] + rewrite.PYC_TAIL)


@pytest.fixture
def writing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytecode writing on, as on a developer's machine (this suite may run with it off)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.mark.usefixtures("writing")
def test_it_writes_the_code_pytest_would_write(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(test_a=TEST_A)
    config = pytester.parseconfigure(pytester.path)
    assert bytecode.precompile(config, [path]) == 1
    ours = rewrite._read_pyc(path, _pyc(path))
    assert ours is not None and ours.co_filename == str(path)
    assert bytecode.precompile(config, [path]) == 0  # valid already: left alone

    _pyc(path).unlink()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:autofix", "-q", str(path)],
        cwd=pytester.path,
        env=env,
        capture_output=True,
        check=False,
    )
    theirs = rewrite._read_pyc(path, _pyc(path))
    assert theirs is not None
    assert ours == theirs  # the same bytecode, rewritten asserts included
    inner = [c for c in ours.co_consts if getattr(c, "co_name", "") == "test_a"]
    assert inner and "@py_assert" in " ".join(inner[0].co_varnames)


@pytest.mark.usefixtures("writing")
@pytest.mark.parametrize("case", ["plain-asserts", "no-bytecode", "not-a-test", "syntax-error"])
def test_it_writes_nothing_where_pytest_would_not_rewrite(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    name = "helpers" if case == "not-a-test" else "test_a"
    source = "def test_a(:\n" if case == "syntax-error" else TEST_A
    path = pytester.makepyfile(**{name: source})
    args = ["--assert=plain"] if case == "plain-asserts" else []
    config = pytester.parseconfigure(pytester.path, *args)
    if case == "no-bytecode":
        monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert bytecode.precompile(config, [path]) == 0
    assert not _pyc(path).exists()


@pytest.mark.usefixtures("writing")
def test_it_follows_python_files_and_always_takes_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\npython_files = check_*.py\n")
    config = pytester.parseconfigure(pytester.path)
    check = pytester.makepyfile(check_a=TEST_A)
    conftest = pytester.makeconftest("import pytest\n")  # made after the session read it
    default = pytester.makepyfile(test_b=TEST_A)
    assert bytecode.precompile(config, [check, conftest, default]) == 2
    assert _pyc(check).exists() and _pyc(conftest).exists() and not _pyc(default).exists()
