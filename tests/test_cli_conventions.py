"""pytest's conventions, end to end on real broken projects: verbosity (``-q``, ``-qq``), the
exit status (plain pytest's, in a dry run and after an applied run), ``--autofix-explain``,
exclusions reported as such and the GitHub step summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import fn_escape, run_pytest
from test_foundation_cli import MARKER_MODULE

from pytest_autofix import codes
from pytest_autofix.report import explain
from pytest_autofix.testing import check_example, issue_from_run

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


def test_qq_applied_run_prints_no_progress(autofix: Autofix, projects: type[Projects]) -> None:
    """An applied run with ``-qq``: no progress line while the rerun runs, no autofix section;
    the closing line and the verified state after the fixes remain."""
    autofix.write(projects.four_issues())
    run = autofix.run("-qq", dry_run=False)
    assert run.report is not None and run.report["rerun"] is not None  # a rerun did run
    lines = run.result.outlines
    assert not [line for line in lines if line.startswith("autofix") or "= autofix (" in line]
    assert any(line.startswith("Found 4 issues in 6 failures (") for line in lines)
    assert lines[-1].startswith("after autofix: ")


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


# -- --autofix-explain ----------------------------------------------------------------------


@pytest.mark.parametrize("code", list(codes.INFO))
def test_what_pytest_shows_is_the_first_example_s_error(code: str, tmp_path: Path) -> None:
    """What the explanation quotes pytest showing (whitespace folded, the rootdir as ...) is in
    plain pytest's output on the code's first example; a code no built-in fixer takes has an
    example of its own, which a real run classifies as that code. (The fixers' examples, the
    issue each gives and the fix made, are run by tests/test_fixer_examples.py.)"""
    info = codes.INFO[code]
    shown = explain.examples_of(code)
    if shown:
        assert info.example is None, "a code a built-in fixer takes shows its fixers' examples"
        _, example = shown[0]
        for rel, data in explain.project_files(example.before).items():
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_bytes(data)
        args = list(example.args)
    else:
        assert explain.fixers_of(code) == [] and info.example is not None
        assert issue_from_run(info.example, tmp_path, code=code, dedent=False).code == code
        args = []
    output = run_pytest(tmp_path, ["-p", "no:autofix", "-p", "no:cacheprovider", *args])
    text = output.stdout.str().replace(str(tmp_path), "...")
    assert " ".join(info.shows.split()) in " ".join(text.split())


def test_every_example_of_a_built_in_fixer_is_shown_under_its_code() -> None:
    """Each example of a built-in fixer says which code its issue has (its ``code``, else its
    fixer's only code), one its fixer takes; a code a built-in fixer takes shows at least one;
    an example with edits says its confidence and safety (the explanation says from them
    whether a run applies it; check_example checks them)."""
    for fixer in explain.builtin_fixers():
        for example in fixer.examples:  # type: ignore[attr-defined]
            code = explain.example_code(fixer, example)
            assert code is not None, (fixer.name, example.title)
            assert code in getattr(fixer, "codes", ()), (fixer.name, example.title)
            assert (fixer.name, example) in explain.examples_of(code)
            if example.after is not None:
                assert example.confidence is not None and example.safe is not None, example.title
    for code in codes.INFO:
        assert bool(explain.examples_of(code)) == bool(explain.fixers_of(code)), code


@pytest.mark.parametrize("code", ["fixture.not-found", "import.file-mismatch"])
def test_explained_diff_is_the_fix_the_fixer_makes(code: str, tmp_path: Path) -> None:
    """The diff the explanation prints for each example is the one the report shows for the
    fix the fixer makes of it: an edit, a fixture moved into a new conftest.py, new empty
    files."""
    fixers = {f.name: f for f in explain.builtin_fixers()}
    printed = explain.explain(code)
    for number, (name, example) in enumerate(explain.examples_of(code)):
        result = check_example(fixers[name], example, tmp_path / str(number))
        assert result.diff and explain.diff(example) == result.diff
        diff_lines = [line.rstrip() for line in result.diff.splitlines()]
        assert "\n".join(diff_lines) in printed


def test_every_fixer_of_a_code_has_a_brief() -> None:
    from pytest_autofix.fixers import registry

    routed = {name for code in codes.INFO for name in explain.fixers_of(code)}
    assert routed <= set(codes.FIXERS), "add the fixer's brief to codes.FIXERS"
    assert set(codes.FIXERS) <= {name for _, name, _ in registry.BUILTIN}
    # the fixers whose examples the explanations list are the registered ones
    assert [f.name for f in explain.builtin_fixers()] == [n for _, n, _ in registry.BUILTIN]


def test_docs_codes_md_holds_every_explanation() -> None:
    """docs/codes.md's explanations are the generated ones (``--write`` regenerates them)."""
    doc = Path(__file__).parent.parent / "docs" / "codes.md"
    assert explain.main(["--check", str(doc)]) == 0, (
        "docs/codes.md is stale: python -m pytest_autofix.report.explain --write docs/codes.md"
    )


def test_explain_prints_and_runs_no_test(autofix: Autofix) -> None:
    """``pytest --autofix-explain CODE`` in a real process: the explanation, exit 0, nothing
    collected (the test module would leave a file), no configure of the session; a fixer of the
    project's conftest.py that takes the code is named."""
    autofix.write(
        {
            "test_marker.py": MARKER_MODULE,
            "conftest.py": """\
                from pytest_autofix import IssueKind


                class Typos:
                    name = "project.fixture-typos"
                    kinds = frozenset({IssueKind.FIXTURE})
                    codes = frozenset({"fixture.not-found"})

                    def propose(self, issue, project):
                        return []


                def pytest_autofix_fixers(config):
                    return [Typos()]
                """,
        }
    )
    result = autofix.plain("--autofix-explain", "fixture.not-found")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            "# fixture.not-found",
            "## What it means",
            "## What pytest shows",
            "*E       fixture 'stokc' not found",
            "## How autofix fixes it",
            "- fixture.renamed: *",
            "- project.fixture-typos (a plugin's or conftest.py's fixer)",
            "## Examples",
            "### a misspelled fixture, renamed where it is requested and used",
            "Fixed by fixture.renamed, confidence 0.95:",
            "+def test_apples(stock):",
        ]
    )
    assert (
        result.outlines
        == explain.explain("fixture.not-found", ["project.fixture-typos"]).splitlines()
    )
    assert not (autofix.path / "collected.txt").exists()


def test_explain_a_kind_lists_its_codes(autofix: Autofix) -> None:
    result = autofix.pytester.runpytest_inprocess("--autofix-explain", "environment")
    assert result.ret == pytest.ExitCode.OK
    listed = [line.split()[0] for line in result.outlines[2:] if line.startswith("environment.")]
    assert listed == [c for c in codes.CODES if c.startswith("environment.")]


def test_explain_an_unknown_code_lists_the_known_ones(autofix: Autofix) -> None:
    result = autofix.pytester.runpytest_inprocess("--autofix-explain", "fixture.not-fund")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: --autofix-explain=fixture.not-fund: unknown issue code 'fixture.not-fund' "
            "(did you mean 'fixture.not-found'?)",
            "  kinds: import, fixture, environment, other; codes:",
            *(f"  {fn_escape(c)} *{fn_escape(s)}" for c, s in codes.CODES.items()),
        ]
    )


# -- autofix_exclude ------------------------------------------------------------------------


def _excluded_project(*, other: bool) -> dict[str, str]:
    """``shop.pricing`` was renamed to ``shop.prices``; ``tests/test_orders.py`` (excluded)
    imports it, and so does ``tests/test_other.py`` when ``other``."""
    importer = "from shop.pricing import total\n\n\ndef test_{}():\n    assert total([1]) == 1\n"
    files = {
        "pyproject.toml": """\
            [tool.pytest.ini_options]
            testpaths = ["tests"]
            pythonpath = ["."]
            autofix_exclude = ["tests/test_orders.py"]
            """,
        "shop/__init__.py": "",
        "shop/prices.py": "def total(items):\n    return sum(items)\n",
        "tests/test_orders.py": importer.format("orders"),
    }
    if other:
        files["tests/test_other.py"] = importer.format("other")
    return files


def test_an_excluded_failure_site_is_refused_not_unfixable(autofix: Autofix) -> None:
    """Every failure of the issue is in an excluded file: the fix is shown as a suggestion,
    refused for the exclusion (not "no fixer proposed a fix"), and nothing is written."""
    autofix.write(_excluded_project(other=False))
    before = (autofix.path / "tests/test_orders.py").read_bytes()
    run = autofix.run(dry_run=False)
    (issue,) = run.issues
    assert (issue["code"], issue["status"]) == ("import.module-not-found", "suggested")
    assert "no fixer proposed" not in issue["message"]
    (fix,) = [f for f in issue["fixes"] if f["fixer"] == "import.module-renamed"]
    assert fix["applied"] is False
    assert fix["reason"] == (
        "not applied: refused tests/test_orders.py: matches autofix_exclude pattern "
        "'tests/test_orders.py'"
    )
    run.result.stdout.fnmatch_lines(
        [
            "suggested   import.module-not-found  no module named 'shop.pricing'  (1 test)*",
            "*import.module-renamed (0.95): * — not applied: refused tests/test_orders.py: "
            "matches autofix_exclude pattern 'tests/test_orders.py'",
        ]
    )
    assert (autofix.path / "tests/test_orders.py").read_bytes() == before


def test_a_fix_narrowed_by_an_exclusion_names_what_it_left_out(autofix: Autofix) -> None:
    autofix.write(_excluded_project(other=True))
    run = autofix.run()
    (issue,) = run.issues
    assert issue["status"] == "proposed"
    (fix,) = [f for f in issue["fixes"] if f["fixer"] == "import.module-renamed"]
    assert fix["files"] == ["tests/test_other.py"]
    assert fix["description"].endswith(
        "; left out tests/test_orders.py (pattern 'tests/test_orders.py'): matches autofix_exclude"
    )
    run.result.stdout.fnmatch_lines(
        ["import.module-renamed · confidence 0.95 · safe · *; left out tests/test_orders.py *"]
    )


# -- $GITHUB_STEP_SUMMARY -------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["auto", "plain"])
def test_github_step_summary(
    autofix: Autofix,
    projects: type[Projects],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    output_format: str,
) -> None:
    """Under GitHub Actions a dry run appends a Markdown summary to $GITHUB_STEP_SUMMARY (after
    what earlier steps wrote): the closing line, a row per issue with its status, the files of
    the patch. ``--autofix-format=plain`` writes none."""
    summary = tmp_path / "step_summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    autofix.write(projects.four_issues())
    run = autofix.run("--autofix-patch=fix.patch", f"--autofix-format={output_format}")
    text = summary.read_text(encoding="utf-8")
    if output_format == "plain":
        assert text == "## an earlier step\n"
        return
    assert run.report is not None
    closing = next(line for line in run.result.outlines if line.startswith("Found "))
    head, _, body = text.partition("\n\n## pytest-autofix (dry run)\n\n")
    assert head == "## an earlier step" and body.startswith(closing + "\n\n")
    rows = [line for line in body.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0].startswith("| status | code | issue |")
    assert [tuple(cell.strip() for cell in row.split(" | ")[:2]) for row in rows[1:]] == [
        (f"| {i['status']}", f"`{i['code']}`") for i in run.issues
    ]
    patch = (autofix.path / "fix.patch").read_text(encoding="utf-8")
    patched = [
        line.split(" b/")[0].removeprefix("diff --git a/")
        for line in patch.splitlines()
        if line.startswith("diff --git ")
    ]
    assert patched
    assert f"The patch would change {len(patched)} files:" in body
    assert [line[3:-1] for line in body.splitlines() if line.startswith("- `")] == patched
