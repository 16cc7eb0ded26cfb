"""The command line contract of the Foundation issue: usage errors, colour, what a plain
``pytest`` run sees of the plugin (nothing), and what importing the entry point costs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Autofix, Projects

HEAVY = ("libcst", "rich", "pydantic")
ESC = "\x1b["

# The test module of the usage-error project leaves a mark when it is imported: a usage error
# must come before collection.
MARKER_MODULE = 'open("collected.txt", "w").close()\n\n\ndef test_ok():\n    pass\n'


@pytest.mark.parametrize(
    ("args", "ini", "error"),
    [
        pytest.param(
            ["--dry-run"],
            "",
            "ERROR: --dry-run only has a meaning with --autofix*",
            id="dry-run-without-autofix",
        ),
        pytest.param(
            ["--autofix-dry-run"],
            "",
            "ERROR: --dry-run only has a meaning with --autofix*",
            id="autofix-dry-run-without-autofix",
        ),
        pytest.param(
            ["--autofix", "--autofix-report=afile/report.json"],
            "",
            "ERROR: --autofix-report=afile/report.json: *afile is not a directory",
            id="report-under-a-file",
        ),
        pytest.param(
            ["--autofix", "--autofix-patch=afile/sub/fix.patch"],
            "",
            "ERROR: --autofix-patch=afile/sub/fix.patch: *afile is not a directory",
            id="patch-under-a-file",
        ),
        pytest.param(
            ["--autofix", "--autofix-report=adir"],
            "",
            "ERROR: --autofix-report=adir: that is a directory*",
            id="report-is-a-directory",
        ),
        pytest.param(
            ["--autofix", "--autofix-patch=adir"],
            "",
            "ERROR: --autofix-patch=adir: that is a directory*",
            id="patch-is-a-directory",
        ),
        pytest.param(
            ["--autofix", "--autofix-select=imports"],
            "",
            "ERROR: --autofix-select=imports: unknown issue code 'imports' "
            "(did you mean 'import'?)",
            id="select-unknown-kind",
        ),
        pytest.param(
            ["--autofix", "--autofix-select=import,fixture.not-fund"],
            "",
            "ERROR: --autofix-select=import,fixture.not-fund: "
            "unknown issue code 'fixture.not-fund' *",
            id="select-unknown-code",
        ),
        pytest.param(
            ["--autofix", "--autofix-ignore=environment.nope"],
            "",
            "ERROR: --autofix-ignore=environment.nope: unknown issue code 'environment.nope'*",
            id="ignore-unknown-code",
        ),
        pytest.param(
            ["--autofix", "--autofix-min-confidence=1.5"],
            "",
            "ERROR: --autofix-min-confidence=1.5: takes a number within 0..1 (default 0.8)",
            id="confidence-above-1",
        ),
        pytest.param(
            ["--autofix", "--autofix-min-confidence=-0.1"],
            "",
            "ERROR: --autofix-min-confidence=-0.1: takes a number within 0..1 (default 0.8)",
            id="confidence-below-0",
        ),
        pytest.param(
            ["--autofix", "--autofix-min-confidence=high"],
            "",
            "ERROR: --autofix-min-confidence=high: takes a number within 0..1 (default 0.8)",
            id="confidence-not-a-number",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_min_confidence = 1.5",
            "ERROR: autofix_min_confidence = 1.5 (tox.ini): takes a number within 0..1*",
            id="ini-confidence-above-1",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_min_confidence = -1",
            "ERROR: autofix_min_confidence = -1 (tox.ini): takes a number within 0..1*",
            id="ini-confidence-below-0",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_select = import fixtures",
            "ERROR: autofix_select = import fixtures (tox.ini): "
            "unknown issue code 'fixtures' (did*",
            id="ini-select-unknown",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_ignore = other.assert",
            "ERROR: autofix_ignore = other.assert (tox.ini): unknown issue code 'other.assert' *",
            id="ini-ignore-unknown",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_report = afile/report.json",
            "ERROR: autofix_report = afile/report.json (tox.ini): *afile is not a directory",
            id="ini-report-under-a-file",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_report = adir",
            "ERROR: autofix_report = adir (tox.ini): that is a directory*",
            id="ini-report-is-a-directory",
        ),
        pytest.param(
            ["--autofix", "--autofix-max-rounds=0"],
            "",
            "ERROR: --autofix-max-rounds=0: takes a whole number of at least 1 (default 5)",
            id="max-rounds-0",
        ),
        pytest.param(
            ["--autofix", "--autofix-rerun-timeout=soon"],
            "",
            "ERROR: --autofix-rerun-timeout=soon: takes a number of seconds above 0 (default 600)",
            id="rerun-timeout-not-a-number",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_unsafe = maybe",
            "ERROR: autofix_unsafe in tox.ini: invalid truth value 'maybe'; "
            "it takes true/false, yes/no, on/off or 1/0",
            id="ini-bad-boolean",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_format = gh",
            "ERROR: autofix_format = gh (tox.ini): takes auto, plain or github (default auto)",
            id="ini-bad-format",
        ),
        pytest.param(
            ["--autofix"],
            "autofix_max_rounds = 2.5",
            "ERROR: autofix_max_rounds = 2.5 (tox.ini): takes a whole number of at least 1*",
            id="ini-max-rounds-not-whole",
        ),
    ],
)
def test_usage_errors_before_tests_run(
    autofix: Autofix, args: list[str], ini: str, error: str
) -> None:
    """In process (no test module is imported: the error comes first), so this is quick."""
    pytester = autofix.pytester
    pytester.makepyfile(test_marker=MARKER_MODULE)
    pytester.mkdir("adir")
    (pytester.path / "afile").write_text("")
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    result = pytester.runpytest_inprocess(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([error])
    assert not (pytester.path / "collected.txt").exists()
    assert not (pytester.path / "adir").joinpath("report.json").exists()


def test_usage_error_from_a_real_process(autofix: Autofix) -> None:
    autofix.pytester.makepyfile(test_marker=MARKER_MODULE)
    result = autofix.plain("--dry-run")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --dry-run only has a meaning with --autofix*"])
    assert not (autofix.path / "collected.txt").exists()


def test_plain_pytest_is_untouched(autofix: Autofix, projects: type[Projects]) -> None:
    """Without --autofix: pytest's own behaviour (a collection error interrupts), no output of
    the plugin, no report although one is configured, no file written, nothing heavy imported.
    (The directory of this test must not contain "autofix": pytest prints it.)"""
    autofix.write(projects.four_issues())
    autofix.write(
        {
            "pyproject.toml": textwrap.dedent(projects.four_issues()["pyproject.toml"])
            + 'autofix_report = "ini-report.json"\n',
            "heavy_probe.py": f"""\
                import json
                import sys


                def pytest_unconfigure(config):
                    heavy = sorted(m for m in sys.modules if m.partition(".")[0] in {HEAVY!r})
                    with open("heavy.json", "w") as f:
                        json.dump(heavy, f)
                    ours = sorted(m for m in sys.modules if m.startswith("pytest_autofix"))
                    with open("ours.json", "w") as f:
                        json.dump(ours, f)
                """,
        }
    )
    before = _tree(autofix.path)
    result = autofix.plain("-p", "heavy_probe", "--autofix-report=cli-report.json")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*Interrupted: 1 error during collection*"])
    result.assert_outcomes(errors=1)
    loud = [
        line
        for line in result.outlines + result.errlines
        if "autofix" in line.lower() and not line.startswith("plugins:")
    ]
    assert loud == []
    assert json.loads((autofix.path / "heavy.json").read_text()) == []
    # the entry point, its hook specs, and config for the state dir's crash check: no more
    assert json.loads((autofix.path / "ours.json").read_text()) == [
        "pytest_autofix",
        "pytest_autofix.config",
        "pytest_autofix.hookspec",
        "pytest_autofix.plugin",
    ]
    assert _tree(autofix.path) - before == {"heavy.json", "ours.json"}
    assert not (autofix.path / ".pytest_cache" / "autofix").exists()


def _tree(root: Path) -> set[str]:
    """The project's files, less pytest's caches and what pytester itself writes."""
    skip = (".pytest_cache", "__pycache__", "stdout", "stderr")
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and not any(
            part in skip or part.startswith("runpytest-") for part in p.relative_to(root).parts
        )
    }


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        pytest.param(["--color=yes"], {}, True, id="color-yes"),
        pytest.param(["--color=no"], {"FORCE_COLOR": "1"}, False, id="color-no"),
        pytest.param([], {"FORCE_COLOR": "1"}, True, id="FORCE_COLOR"),
        pytest.param([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, id="NO_COLOR"),
    ],
)
def test_colour_follows_pytest(
    autofix: Autofix,
    projects: type[Projects],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    coloured: bool,
) -> None:
    """The autofix section is coloured exactly when pytest's own output is. (In process: the
    terminal writer decides from the options and the environment alone.)"""
    monkeypatch.delenv("PY_COLORS")  # pytester sets PY_COLORS=0, which would win over the rest
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    autofix.write(projects.one_failure())
    run = autofix.run(*args, report=None, in_process=True)
    section = run.section()
    status = [line for line in section if "other.assertion" in line]
    assert len(status) == 1
    if coloured:
        assert ESC in status[0]
        assert ESC in run.result.stdout.str().split("= autofix (")[0]  # pytest's own output too
    else:
        assert ESC not in run.result.stdout.str()
        assert status[0].startswith("unfixable   other.assertion  assert (1 + 1) == 3")


def test_importing_the_entry_point_imports_nothing_heavy() -> None:
    code = (
        "import json, sys\n"
        "import pytest_autofix.plugin\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.partition('.')[0] in {HEAVY!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []
