"""The way a user gets the plugin: ``pip install`` (not editable) into a fresh virtualenv, then
``pytest --autofix --dry-run`` on a broken project there."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Projects

REPO = Path(__file__).resolve().parent.parent
# What a source distribution holds; the copy keeps pip's in-tree build out of the checkout.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "pytest_autofix")


def _pip_version() -> tuple[int, ...]:
    return tuple(int(p) for p in importlib.metadata.version("pip").split(".")[:2])


def _run(
    cmd: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0, 1)
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=540)
    assert proc.returncode in ok, f"{cmd}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.mark.slow
def test_pip_install_then_autofix_dry_run(tmp_path: Path, projects: type[Projects]) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif path.exists():
            shutil.copy2(path, source / name)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "VIRTUAL_ENV")
        and not k.startswith(("PYTEST_XDIST", "PIP_REQUIRE"))
    }
    env["PY_COLORS"] = "0"
    venv = tmp_path / "venv"
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    quiet = ["--quiet", "--disable-pip-version-check"]
    if _pip_version() >= (22, 3):  # this pip installs into the new venv: no ensurepip, faster
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
        install = [sys.executable, "-m", "pip", "--python", str(python), "install", *quiet]
    else:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
        install = [str(python), "-m", "pip", "install", *quiet]
    proc = _run([*install, str(source)], tmp_path, env)
    assert proc.returncode == 0, proc.stderr

    where = _run(
        [str(python), "-c", "import pytest_autofix; print(pytest_autofix.__file__)"], tmp_path, env
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the installed copy, not the checkout
    # the package data: the removed-API catalogues and the JSON report's schema
    data = Path(where).parent / "data"
    assert (data / "report.schema.json").is_file() and (data / "migrations.toml").is_file()

    project = tmp_path / "project"
    projects.write(project, projects.four_issues())
    # plain pytest's status: a test module that does not collect interrupts the run (2)
    proc = _run([str(python), "-m", "pytest", "--autofix", "--dry-run"], project, env, ok=(2,))
    out = proc.stdout
    assert "= autofix (dry run) =" in out, out
    # "<status>   <code>  <message> ..." lines; the status depends on the fixers there are
    words = [line.split()[:2] for line in out.splitlines()]
    shown = {w[1] for w in words if len(w) == 2 and w[0] in ("proposed", "suggested", "unfixable")}
    assert {code for code, _ in projects.FOUR_ISSUES} <= shown, out
    assert "Found 4 issues in 6 failures" in out, out
    assert "nothing was written (dry run)" in out
