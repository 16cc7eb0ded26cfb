"""What a path is to autofix, decided in one place (pytest_autofix.paths), and used by the
project index and the transaction alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_autofix import paths
from pytest_autofix.project import Project
from pytest_autofix.transaction import Transaction, TransactionError


@pytest.mark.parametrize(
    ("rel", "patterns", "hit"),
    [
        ("pkg/generated/x.py", ["**/generated/*.py"], "**/generated/*.py"),
        ("generated/x.py", ["**/generated/*.py"], "**/generated/*.py"),  # **/ matches no dir
        ("build/lib/x.py", ["build/"], "build/"),  # a parent directory
        ("build/lib/x.py", ["./build"], "./build"),
        ("src/x.py", ["build/", "*.txt"], None),
        ("docs/conf.py", ["", "  "], None),
    ],
)
def test_excluded(rel: str, patterns: list[str], hit: str | None) -> None:
    assert paths.excluded(rel, patterns) == hit


@pytest.mark.parametrize(
    ("rel", "python_files", "expected"),
    [
        ("tests/test_a.py", paths.DEFAULT_PYTHON_FILES, True),
        ("tests/a_test.py", paths.DEFAULT_PYTHON_FILES, True),
        ("tests/helpers.py", paths.DEFAULT_PYTHON_FILES, False),
        ("tests/check_a.py", ["check_*.py"], True),
        ("tests/test_a.py", ["check_*.py"], False),
        ("spec/a_spec.py", ["spec/*_spec.py"], True),  # a pattern with a / matches the path's end
        ("src/spec/a_spec.py", ["spec/*_spec.py"], True),
        ("a_spec.py", ["spec/*_spec.py"], False),
    ],
)
def test_is_test_file_honours_python_files(
    rel: str, python_files: list[str], expected: bool
) -> None:
    assert paths.is_test_file(rel, python_files) is expected
    assert paths.is_test_module(rel, python_files) is expected
    assert paths.is_test_module("tests/conftest.py", python_files)


def test_not_project() -> None:
    assert paths.not_project("venv/lib/python3.11/site-packages/m.py") == "site-packages"
    assert paths.not_project("repo/.Git/config") == ".git"
    assert paths.not_project("src/venvs/m.py") is None


def test_the_index_and_the_transaction_exclude_alike(tmp_path: Path) -> None:
    """``**/generated/*.py`` used to block the edit but not the index: one rule now."""
    for rel in ("pkg/__init__.py", "pkg/generated/api.py", "generated/top.py", "pkg/core.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("X = 1\n")
    pattern = ["**/generated/*.py"]
    indexed = {
        p.relative_to(tmp_path).as_posix() for p in Project(tmp_path, exclude=pattern).files()
    }
    assert indexed == {"pkg/__init__.py", "pkg/core.py"}
    guard = Transaction(tmp_path, tmp_path / ".pytest_cache" / "autofix", exclude=pattern)
    for rel in ("pkg/generated/api.py", "generated/top.py"):
        with pytest.raises(TransactionError, match="matches autofix_exclude pattern"):
            guard.check(rel)
    guard.check("pkg/core.py")


def test_the_project_knows_its_test_modules_by_python_files(tmp_path: Path) -> None:
    """A test module named by a custom python_files pattern loads its conftest.py like one
    named test_*.py: an edit to the conftest reaches it."""
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "conftest.py").write_text("")
    (tmp_path / "checks" / "check_a.py").write_text("def test_a():\n    pass\n")
    custom = Project(tmp_path, python_files=["check_*.py"])
    assert custom.is_test_file("checks/check_a.py") and custom.is_test_module("checks/conftest.py")
    assert "checks/check_a.py" in custom.dependents_of_files({"checks/conftest.py"})
    default = Project(tmp_path)
    assert not default.is_test_file("checks/check_a.py")
    assert "checks/check_a.py" not in default.dependents_of_files({"checks/conftest.py"})


def test_not_project_on_disk(tmp_path: Path) -> None:
    """What a directory holds decides too: a virtual environment whatever its name, a cache
    dir (pytest's CACHEDIR.TAG), build output; a package named build is the project's."""
    for rel in (
        "tools/env/pyvenv.cfg",
        "cache/CACHEDIR.TAG",
        "build/lib/m.py",
        "pkg/build/__init__.py",
        "pkg/build/m.py",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    check = paths.not_project_on_disk
    assert (
        check(tmp_path, "tools/env/lib/m.py") == "env/, a virtual environment: it holds pyvenv.cfg"
    )
    assert check(tmp_path, "cache/v/m.py") == "cache/, a cache directory: it holds CACHEDIR.TAG"
    assert check(tmp_path, "build/lib/m.py") == "build/, build output: not a package"
    assert check(tmp_path, "pkg/build/m.py") is None
    assert check(tmp_path, "__pypackages__/3.12/lib/m.py") == "__pypackages__"
    assert check(tmp_path, "src/pkg.egg-info/m.py") == "pkg.egg-info"
    assert check(tmp_path, "tools/m.py") is None
    # the index skips the same directories
    project = Project(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in project.files()] == [
        "pkg/build/__init__.py",
        "pkg/build/m.py",
    ]


def test_tracebacks_there_are_not_the_project_s(tmp_path: Path) -> None:
    """The capture in every test process asks the same policy (it had a list of its own)."""
    from pytest_autofix.worker.capture import in_project

    for rel in ("__pypackages__/3.12/lib/m.py", "src/pkg.egg-info/m.py", ".Venv/m.py"):
        assert in_project(tmp_path / rel, tmp_path) is None, rel
    assert in_project(tmp_path / "src" / "m.py", tmp_path) == "src/m.py"
