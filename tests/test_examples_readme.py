"""Every figure the examples' READMEs give, checked against a real run of the commands they show.

An example's README says how many root causes, failures and passing tests it has, lists every
issue with its code in a table, and shows console blocks: ``$ cd examples/NAME`` (or ``$ cp -r
examples/NAME DEST && cd DEST``) starts from a fresh copy of the example, every other ``$ ...``
line is a pytest command run there, and the lines after a command are lines of its output, in
order (``...`` stands for lines left out). The top-level README's quick start output is checked
the same way.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "README.md").is_file())
_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
NUMBERS = {word: n for n, word in enumerate(_WORDS.split(" "))}
SUMMARY = re.compile(r"=+ .* in [0-9.]+s( \(.*\))? =+")
_ISOLATE = ("PYTEST_", "GITHUB_", "NO_COLOR", "FORCE_COLOR", "WAREHOUSE_")


@dataclass
class Command:
    argv: list[str]
    output: list[str] = field(default_factory=list)  # expected lines; "..." skips


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A documented ``pytest ...`` (or ``env -u VAR pytest ...``) command, with this
    interpreter's pytest and nothing of the outer session's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_ISOLATE)}
    env.update(PY_COLORS="0", COLUMNS="80")
    i = argv.index("pytest")
    assert argv[:i] in ([], ["env", "-u", "WAREHOUSE_API_TOKEN"]), argv
    for name in argv[2:i:2]:
        env.pop(name, None)
    # -P: the working directory is not put on sys.path, as with the `pytest` script
    cmd = [sys.executable, "-P", "-m", "pytest", *argv[i + 1 :]]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def pattern(line: str) -> re.Pattern[str]:
    """A documented output line as a pattern: the duration, the ``=`` padding and the name of
    the interpreter in a suggested command (``python3 -m pip`` or ``python -m pip``, as the
    environment's interpreter is called) vary."""
    text = re.escape(line.rstrip())
    text = re.sub(r"in\\ [0-9]+\\\.[0-9]+s", r"in\\ [0-9.]+s", text)
    text = re.sub(r"`python3?\\ \\-m\\ pip", r"`python3?\\ \\-m\\ pip", text)
    text = re.sub(r"^=+", "=+", re.sub(r"=+$", "=+", text))
    return re.compile(text)


def assert_lines_in_order(expected: list[str], output: str) -> None:
    lines = output.splitlines()
    at = 0
    for want in (w for w in expected if w.strip() != "..."):
        regex = pattern(want)
        found = next((i for i in range(at, len(lines)) if regex.fullmatch(lines[i].rstrip())), None)
        assert found is not None, f"not in the output (after line {at}): {want!r}\n{output}"
        at = found + 1


def console_blocks(text: str) -> list[list[Command]]:
    blocks = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        commands: list[Command] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                commands.append(Command(shlex.split(line[2:], comments=True)))
            else:
                commands[-1].output.append(line)
        blocks.append(commands)
    return blocks


def run_block(commands: list[Command], name: str, tmp: Path) -> list[tuple[Command, str, Path]]:
    """Run a console block of examples/NAME/README.md in a fresh copy: each command's output
    and the directory it ran in."""
    cwd: Path | None = None
    outputs: list[tuple[Command, str, Path]] = []
    for command in commands:
        argv = command.argv
        if argv[:1] in (["cd"], ["cp"]):
            copy = f"/tmp/autofix-{name}"
            assert argv in (
                ["cd", f"examples/{name}"],
                ["cp", "-r", f"examples/{name}", copy, "&&", "cd", copy],
            ), argv
            cwd = tmp / f"copy{len(list(tmp.iterdir()))}"
            shutil.copytree(EXAMPLES / name, cwd, ignore=shutil.ignore_patterns("__pycache__"))
            assert not command.output, command
            continue
        assert cwd is not None, f"{argv}: a block starts in a copy of the example"
        proc = run(argv, cwd)
        outputs.append((command, proc.stdout + proc.stderr, cwd))
    return outputs


def figures(text: str) -> tuple[int, int, int]:
    """'Five root causes, seven failures; two tests pass' as numbers."""
    match = re.search(
        r"(\w+)\s+root\s+causes?,\s+(\w+)\s+failures?(?:\s+\([^)]*\))?;\s+(\w+)\s+tests?\s+pass",
        text,
        re.I,
    )
    assert match, "the README says how many root causes, failures and passing tests"
    causes, failures, passing = (NUMBERS[w.lower()] for w in match.groups())
    return causes, failures, passing


def table_codes(text: str) -> list[tuple[str, int | None]]:
    """The table's issue codes, each with its test count when the row gives one."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    column = header.index("issue code")
    found = []
    for row in rows[2:]:
        cell = row.strip("|").split("|")[column]
        code = re.search(r"`([\w.-]+)`", cell)
        tests = re.search(r"(\d+) tests", cell)
        assert code, row
        found.append((code.group(1), int(tests.group(1)) if tests else None))
    return found


def assert_table_is_the_report(table: list[tuple[str, int | None]], report: dict[str, Any]) -> None:
    """One table row per issue, with its code; a row's test count is its issue's."""
    assert Counter(code for code, _ in table) == Counter(i["code"] for i in report["issues"])
    for code, tests in table:
        counts = [len(i["tests"]) for i in report["issues"] if i["code"] == code]
        assert tests is None or tests in counts, (code, tests, counts)


@pytest.mark.parametrize("name", NAMES)
def test_example_readme_figures_are_what_a_run_gives(name: str, tmp_path: Path) -> None:
    text = (EXAMPLES / name / "README.md").read_text(encoding="utf-8")
    causes, failures, passing = figures(text)
    table = table_codes(text)
    blocks = console_blocks(text)
    assert blocks and all(blocks), "the README shows how to run it"
    reported = False
    for commands in blocks:
        for command, output, cwd in run_block(commands, name, tmp_path):
            assert_lines_in_order(command.output, output)
            [summary] = [line for line in output.splitlines() if SUMMARY.fullmatch(line)]
            assert f" {passing} passed" in summary, output  # pytest's count, before any fix
            report_arg = [a for a in command.argv if a.startswith("--autofix-report=")]
            if not report_arg:
                continue
            report = json.loads((cwd / report_arg[0].partition("=")[2]).read_text())
            assert (report["summary"]["issues"], report["summary"]["failures"]) == (
                causes,
                failures,
            ), output
            assert_table_is_the_report(table, report)
            reported = True
    assert reported, "a documented command writes the JSON report the figures are checked by"


def test_readme_quick_start_output_is_what_the_first_command_prints(tmp_path: Path) -> None:
    """The README's first quick-start command (on a copy of examples/imports, as it says) and
    the output it shows."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    quick = text.partition("## Quick start")[2]
    first = re.search(r"```sh\n# 1\.[^\n]*\n([^\n]+)\n", quick)
    assert first, "the quick start's first command"
    assert "cp -r examples/imports /tmp/autofix-demo" in first.group(1)
    assert first.group(1).endswith(".venv/bin/pytest /tmp/autofix-demo --autofix")
    shown = re.search(r"The first command ends like this.*?```\n(.*?)```", quick, re.S)
    assert shown
    demo = tmp_path / "autofix-demo"
    shutil.copytree(EXAMPLES / "imports", demo, ignore=shutil.ignore_patterns("__pycache__"))
    proc = run(["pytest", str(demo), "--autofix"], REPO)
    output = proc.stdout.replace(f"{demo}", "/tmp/autofix-demo")
    assert_lines_in_order(shown.group(1).splitlines(), output)
