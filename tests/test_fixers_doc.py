"""docs/fixers.md lists every migration of the catalogue, as the generator renders it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pytest_autofix.catalogue import DOC_END, DOC_START, builtin, markdown, render_into

DOC = Path(__file__).resolve().parents[1] / "docs" / "fixers.md"
REGENERATE = "python -m pytest_autofix.catalogue --write docs/fixers.md"


def test_the_doc_lists_the_catalogue_as_generated() -> None:
    text = DOC.read_text("utf-8")
    assert render_into(text, markdown()) == text, (
        f"docs/fixers.md does not list the migration catalogue as it is: run {REGENERATE}"
    )


def test_every_entry_has_its_row() -> None:
    listing = DOC.read_text("utf-8").split(DOC_START)[1].split(DOC_END)[0]
    missing = [m.api for m in builtin().migrations if f"| `{m.api}` |" not in listing]
    assert not missing, f"not in docs/fixers.md: {missing}; run {REGENERATE}"


def test_a_row_shows_kind_version_replacement_and_checks() -> None:
    tables = markdown()
    assert "| `unittest.makeSuite` | attribute | Python 3.13 |" in tables
    assert "| guarded (no-name-clash, python>=3.2) |" in tables
    assert "#### `migrations.toml` (" in tables


def test_without_the_markers_the_generator_says_so() -> None:
    with pytest.raises(ValueError, match="markers"):
        render_into("# no markers here\n", markdown())


def test_check_and_write_on_a_stale_copy(tmp_path: Path) -> None:
    stale = tmp_path / "fixers.md"
    stale.write_text(f"# Fixers\n\n{DOC_START}\n| old |\n{DOC_END}\n\nafter\n", "utf-8")
    command = [sys.executable, "-m", "pytest_autofix.catalogue"]
    check = subprocess.run([*command, "--check", str(stale)], capture_output=True, text=True)
    assert check.returncode == 1
    assert "is not up to date: run python -m pytest_autofix.catalogue --write" in check.stderr
    write = subprocess.run([*command, "--write", str(stale)], capture_output=True, text=True)
    assert write.returncode == 0, write.stderr
    text = stale.read_text("utf-8")
    assert "| old |" not in text and text.endswith(f"{DOC_END}\n\nafter\n")
    assert "| `collections.Mapping` | attribute |" in text
    again = subprocess.run([*command, "--check", str(stale)], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
