"""CI: GitHub workflow annotations for proposed fixes, --autofix-exit-non-zero-on-fix, and the
workflows documented in docs/ci.md."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from pytest_autofix.model import IssueKind
from pytest_autofix.report.annotations import annotation, escape_data, escape_property, first_change
from pytest_autofix.report.schema import FixReport, IssueReport

DOCS = Path(__file__).parent.parent / "docs"
PLUGIN = Path(__file__).parent.parent / "pytest_autofix" / "plugin.py"

PROJECT = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    "shop/__init__.py": "",
    "shop/prices.py": "def total(items):\n    return sum(items)\n",
    "tests/test_orders.py": (
        '"""Orders."""\n\nfrom shop.pricing import total\n\n\n'
        "def test_total():\n    assert total([1, 2]) == 3\n"
    ),
    "tests/test_other.py": "def test_ok():\n    assert True\n",
}
NOTICE = (
    "::notice file=tests/test_orders.py,line=3,title=autofix import.module-not-found::"
    "import the module shop.prices instead of the missing shop.pricing (it defines total) "
    "in tests/test_orders.py (confidence 0.95)"
)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in ("GITHUB_ACTIONS", "PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    for rel, text in PROJECT.items():
        path = pytester.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return pytester


def notices(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("::")]


# -- annotations ----------------------------------------------------------------------------


def test_dry_run_under_github_actions_annotates_each_proposed_fix(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = project.runpytest_subprocess("--autofix", "--dry-run", "-p", "no:cacheprovider")
    assert notices(result) == [NOTICE], result.stdout.str()
    lines = result.outlines
    found = next(i for i, line in enumerate(lines) if line.startswith("Found 1 issue"))
    assert lines[found + 1] == NOTICE  # printed right after the summary
    assert result.ret == pytest.ExitCode.INTERRUPTED  # plain pytest stops at a collection error


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        pytest.param(None, ["--autofix-format=github"], [NOTICE], id="github-without-env"),
        pytest.param("true", ["--autofix-format=plain"], [], id="plain-under-actions"),
        pytest.param("true", ["-o", "autofix_format=plain"], [], id="plain-ini"),
        pytest.param(None, [], [], id="auto-elsewhere"),
        pytest.param("false", ["--autofix-format=auto"], [], id="auto-false"),
    ],
)
def test_autofix_format_decides(
    project: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    env: str | None,
    args: list[str],
    expected: list[str],
) -> None:
    if env is not None:
        monkeypatch.setenv("GITHUB_ACTIONS", env)
    result = project.runpytest_subprocess("--autofix", "--dry-run", "-p", "no:cacheprovider", *args)
    assert notices(result) == expected, result.stdout.str()


def test_applied_run_prints_no_annotations(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = project.runpytest_subprocess("--autofix")
    assert result.ret == 0, result.stdout.str()
    assert notices(result) == []


def test_workflow_command_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    diff = (
        "--- a/pkg/we,ird:name.py\n+++ b/pkg/we,ird:name.py\n@@ -4,3 +4,3 @@\n"
        " keep\n-old\n+new\n keep\n"
    )
    issue = IssueReport(
        id="x",
        kind=IssueKind.IMPORT,
        code="import.name-not-found",
        message="m",
        tests=["t"],
        path="pkg/we,ird:name.py",
        line=1,
        status="proposed",
        fixes=[],
    )
    fix = FixReport(
        fixer="f",
        description="use new, not old: 100%\nsecond line",
        confidence=0.8,
        safe=True,
        files=["pkg/we,ird:name.py"],
        diff=diff,
        applied=False,
        verified=False,
        reason=None,
    )
    assert annotation(issue, fix) == (
        "::notice file=pkg/we%2Cird%3Aname.py,line=5,title=autofix import.name-not-found::"
        "use new, not old: 100%25%0Asecond line (confidence 0.80)"
    )


def test_first_change_of_a_new_file_and_of_a_pure_insertion() -> None:
    new_file = "--- /dev/null\n+++ b/tests/conftest.py\n@@ -0,0 +1,2 @@\n+import x\n+y = 1\n"
    assert first_change(new_file) == ("tests/conftest.py", 1)
    insertion = "--- a/m.py\n+++ b/m.py\n@@ -2,2 +2,3 @@\n a\n+b\n c\n"
    assert first_change(insertion) == ("m.py", 3)
    assert first_change("") is None


# -- --autofix-exit-non-zero-on-fix ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "status"),
    [([], 0), (["--autofix-exit-non-zero-on-fix"], 1)],
    ids=["default", "flag"],
)
def test_exit_non_zero_on_fix(project: pytest.Pytester, args: list[str], status: int) -> None:
    result = project.runpytest_subprocess("--autofix", "--autofix-report=r.json", *args)
    report = json.loads((project.path / "r.json").read_text())
    assert [i["status"] for i in report["issues"]] == ["fixed"], result.stdout.str()
    assert (result.ret, report["exit_status"]) == (status, status)
    assert "from shop.prices import total" in (project.path / "tests/test_orders.py").read_text()
    # nothing left to fix: the flag does not make a clean run fail
    again = project.runpytest_subprocess("--autofix", *args)
    assert again.ret == 0, again.stdout.str()


def test_exit_non_zero_on_fix_does_not_change_a_dry_run(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(
        "--autofix", "--dry-run", "--autofix-exit-non-zero-on-fix"
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED  # plain pytest's: a collection error
    assert "from shop.pricing import total" in (project.path / "tests/test_orders.py").read_text()


# -- docs/ci.md -------------------------------------------------------------------------------


def blocks(lang: str) -> list[str]:
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def described_commands() -> list[str]:
    """The ``$ ...`` lines of the console blocks of docs/ci.md."""
    lines = [line for block in blocks("console") for line in block.splitlines()]
    return list(dict.fromkeys(line[2:].strip() for line in lines if line.startswith("$ ")))


def workflows() -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The GitHub workflow and the GitLab job (the other YAML block is pre-commit's config)."""
    loaded = [yaml.safe_load(b) for b in blocks("yaml")]
    [github] = [doc for doc in loaded if "jobs" in doc]
    [gitlab] = [doc for doc in loaded if "jobs" not in doc and "repos" not in doc]
    return github, gitlab


def dry_run_command() -> str:
    [cmd] = [c for c in described_commands() if c.startswith("pytest") and "--dry-run" in c]
    return cmd


def test_github_workflow_is_valid_and_runs_the_documented_command() -> None:
    github, _ = workflows()
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on"
    triggers = github.get("on", github.get(True))
    assert triggers == {"pull_request": None}
    [job] = github["jobs"].values()
    steps = job["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert dry_run_command() in runs
    assert any(r.startswith("python -m pip install") and "pytest-autofix" in r for r in runs)
    [upload] = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "always()"
    uploaded = set(upload["with"]["path"].split())
    assert uploaded == documented_outputs()
    assert job["runs-on"] and steps[0]["uses"].startswith("actions/checkout@")


def test_gitlab_job_is_valid_and_runs_the_documented_command() -> None:
    _, gitlab = workflows()
    [job] = gitlab.values()
    assert dry_run_command() in job["script"]
    assert job["artifacts"]["when"] == "always"
    assert set(job["artifacts"]["paths"]) == documented_outputs()


def documented_outputs() -> set[str]:
    """The report and patch paths the documented dry-run command writes."""
    out = set()
    for arg in shlex.split(dry_run_command()):
        if arg.startswith(("--autofix-report=", "--autofix-patch=")):
            out.add(arg.partition("=")[2])
    assert len(out) == 2
    return out


def test_documented_flags_exist() -> None:
    options = set(re.findall(r'"(--[\w-]+)"', PLUGIN.read_text()))
    for cmd in described_commands():
        if not cmd.startswith("pytest"):
            continue
        for arg in shlex.split(cmd)[1:]:
            assert arg.partition("=")[0] in options, (cmd, arg)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_documented_commands_work_end_to_end(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented dry-run command under GITHUB_ACTIONS, then the reviewer's `git apply`."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = project.runpytest_subprocess(*shlex.split(dry_run_command())[1:])
    assert notices(result) == [NOTICE], result.stdout.str()
    for name in documented_outputs():
        assert (project.path / name).is_file(), name
    [apply] = [c for c in described_commands() if c.startswith("git apply ")]
    assert shlex.split(apply)[-1] in documented_outputs()
    subprocess.run(shlex.split(apply), cwd=project.path, check=True)
    assert "from shop.prices import total" in (project.path / "tests/test_orders.py").read_text()
    assert project.runpytest_subprocess("-p", "no:autofix").ret == 0
