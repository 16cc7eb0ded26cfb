"""pytest's conventions, end to end on real broken projects: verbosity (``-q``, ``-qq``), the
exit status (plain pytest's, in a dry run and after an applied run), ``--autofix-explain``,
exclusions reported as such and the GitHub step summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Autofix, Projects


# -- verbosity ------------------------------------------------------------------------------


def _autofix_lines(lines: list[str]) -> list[str]:
    """The lines from the autofix separator (or, without one, the Found line) to the Found line."""
    found = next(i for i, line in enumerate(lines) if line.startswith("Found "))
    starts = [i for i, line in enumerate(lines[:found]) if "= autofix (" in line]
    return lines[starts[-1] if starts else found : found + 1]


@pytest.mark.parametrize("verbosity", ["-v", "", "-q", "-qq"])
def test_verbosity_as_pytest(autofix: Autofix, projects: type[Projects], verbosity: str) -> None:
    """Default and ``-v``: every diff, one line per issue, the fixes not taken under it; ``-q``:
    one line per issue, no diffs; ``-qq``: the closing line alone."""
    autofix.write(projects.four_issues())
    # a fifth issue, only suggested (a package to install): a line under its issue line
    autofix.write({"tests/test_yaml.py": "import yaml_not_installed_xyz\n"})
    run = autofix.run(*([verbosity] if verbosity else []))
    section = _autofix_lines(run.result.outlines)
    issues = run.issues
    assert len(issues) == 5
    status_lines = [line for line in section if line.split(" ")[0] in {i["status"] for i in issues}]
    diff_lines = [line for line in section if line.startswith(("diff --git", "+++ ", "@@ "))]
    assert section[-1].startswith("Found 5 issues in 7 failures (")
    if verbosity in ("-v", ""):
        assert "= autofix (dry run) =" in section[0]
        assert len(status_lines) == 5
        assert diff_lines
        assert any(line.startswith("            ") for line in section)  # fixes not taken
    elif verbosity == "-q":
        assert "= autofix (dry run) =" in section[0]
        assert len(status_lines) == 5
        assert len(section) == 1 + 5 + 1, section
        assert not any(line.startswith("diff --git") for line in run.result.outlines)
    else:
        assert section == [section[-1]]
        assert not any("autofix" in line for line in run.result.outlines)


# -- exit status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "drop", "status"),
    [
        pytest.param([], None, pytest.ExitCode.INTERRUPTED, id="collection-error"),
        pytest.param(
            ["--continue-on-collection-errors"],
            None,
            pytest.ExitCode.TESTS_FAILED,
            id="continue-on-collection-errors",
        ),
        pytest.param(
            [], "tests/test_orders.py", pytest.ExitCode.TESTS_FAILED, id="failed-tests-only"
        ),
    ],
)
def test_dry_run_exits_as_plain_pytest(
    autofix: Autofix,
    projects: type[Projects],
    args: list[str],
    drop: str | None,
    status: pytest.ExitCode,
) -> None:
    """The same project, the same options: the dry run exits as plain pytest does (2 for a
    collection error, 1 for failed tests), and its JSON report says so."""
    autofix.write({k: v for k, v in projects.four_issues().items() if k != drop})
    plain = autofix.plain(*args)
    run = autofix.run(*args)
    assert plain.ret == status
    assert run.result.ret == status
    assert run.report is not None and run.report["exit_status"] == status


def test_applied_run_exits_as_plain_pytest_after_it(
    autofix: Autofix, projects: type[Projects]
) -> None:
    """An applied run exits with the status plain pytest gives on the project as the run left
    it: the collection error is fixed, an assertion still fails, so 1 (not 2, as the first run
    alone would say); then plain pytest agrees."""
    autofix.write(projects.four_issues())
    assert autofix.plain().ret == pytest.ExitCode.INTERRUPTED
    run = autofix.run(dry_run=False)
    assert run.report is not None
    assert {i["code"]: i["status"] for i in run.issues}["import.module-not-found"] == "fixed"
    after = autofix.plain()
    assert after.ret == pytest.ExitCode.TESTS_FAILED
    assert run.result.ret == after.ret
    assert run.report["exit_status"] == after.ret


def test_applied_run_with_a_collection_error_left_exits_2(autofix: Autofix) -> None:
    """A module that still does not collect after the run: plain pytest stops there (2), and
    so does the applied run."""
    autofix.write(
        {
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
            "tests/test_broken.py": "import not_installed_xyz\n\n\ndef test_a():\n    pass\n",
            "tests/test_ok.py": "def test_b():\n    pass\n",
        }
    )
    run = autofix.run(dry_run=False)
    after = autofix.plain()
    assert after.ret == pytest.ExitCode.INTERRUPTED
    assert run.result.ret == after.ret
    assert run.report is not None and run.report["exit_status"] == after.ret
