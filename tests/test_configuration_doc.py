"""docs/configuration.md is complete: its table holds every option and ini value the plugin
registers, as a real ``pytest --help`` lists them, and nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
GROUP = "repair failing tests (pytest-autofix):"


def doc_rows() -> list[tuple[set[str], str | None, str]]:
    """The table's rows: (the options, the ini value or None, the ini cell)."""
    text = DOC.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in re.split(r"(?<!\\)\|", lines[0])[1:-1]]
    assert header[:2] == ["option", "ini value"], header
    rows = []
    for line in lines[1:]:
        option, ini = (cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:3])
        options = set(re.findall(r"`(--[\w-]+)", option))
        names = re.findall(r"`(autofix_\w+)`", ini)
        assert options or names, line
        assert len(names) <= 1, line
        rows.append((options, names[0] if names else None, ini))
    return rows


def registered(help_text: str) -> tuple[dict[str, set[str]], dict[str, tuple[str, str]]]:
    """From ``pytest --help``: each option's dest-like name -> its spellings; each ini value ->
    (its type, its help)."""
    section = help_text.partition(GROUP)[2].partition("\n\n")[0]
    options: dict[str, set[str]] = {}
    for line in section.splitlines():
        spellings = re.findall(r"(?:^  |, )(--[\w-]+)", line)
        if spellings:
            options[spellings[0]] = set(spellings)
    ini = {
        name: (kind, rest.strip())
        for name, kind, rest in re.findall(
            r"^  (autofix_\w+) \((\w+)\):(.*(?:\n {20,}.*)*)", help_text, re.M
        )
    }
    return options, ini


@pytest.fixture(scope="module")
def help_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    cwd = tmp_path_factory.mktemp("help")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"],
        cwd=cwd,
        env={"PATH": "", "COLUMNS": "200", "PY_COLORS": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert GROUP in proc.stdout, "the plugin is not loaded by a plain pytest"
    return proc.stdout


def test_every_registered_option_is_documented_and_nothing_else(help_text: str) -> None:
    options, _ = registered(help_text)
    assert "--autofix" in options and "--autofix-undo" in options
    documented = {min(spellings): spellings for spellings, _, _ in doc_rows() if spellings}
    expected = {min(spellings): spellings for spellings in options.values()}
    missing, extra = expected.keys() - documented.keys(), documented.keys() - expected.keys()
    assert not missing and not extra, f"undocumented: {missing}; not registered: {extra}"
    assert documented == expected  # every spelling of each (--autofix-dry-run, --dry-run)


def test_every_registered_ini_value_is_documented_with_its_option(help_text: str) -> None:
    options, ini = registered(help_text)
    assert "autofix_migrations" in ini and "autofix_exclude" in ini
    rows = doc_rows()
    documented = {name: (spellings, cell) for spellings, name, cell in rows if name}
    missing, extra = ini.keys() - documented.keys(), documented.keys() - ini.keys()
    assert not missing and not extra, f"undocumented: {missing}; not registered: {extra}"
    for name, (kind, help_line) in ini.items():
        spellings, cell = documented[name]
        # "like --autofix-x": the option of the same row; otherwise a row without an option
        like = re.fullmatch(r"like (--[\w-]+)", help_line)
        assert spellings == (options[like.group(1)] if like else set()), name
        assert ("(bool)" in cell) == (kind == "bool"), (name, kind, cell)
    # and the other way round: an option's row names the ini value that is "like" it, if any
    liked: dict[str, str] = {}
    for name, (_, help_line) in ini.items():
        if like := re.fullmatch(r"like (--[\w-]+)", help_line):
            liked[like.group(1)] = name
    for spellings, row_ini, _ in rows:
        if spellings:
            [primary] = [k for k, v in options.items() if v == spellings]
            assert row_ini == liked.get(primary), (primary, row_ini)
