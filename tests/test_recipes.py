"""The install, tox, GitHub Actions and pre-commit recipes of the docs, run as written as far as
they run on this machine.

pytest-autofix is not on PyPI, so every doc names it by where it is: a checkout, a git URL, a
wheel. The real runs install offline from the session's wheelhouse (``PIP_NO_INDEX``,
``PIP_FIND_LINKS``); a git URL is a ``git+file://`` clone of this checkout's sources.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from autofix_testing import snapshot
from test_tox import example, tox

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
INSTALL_DOCS = ("README.md", "docs/usage.md", "docs/tox.md", "docs/ci.md")
GIT_URL = "git+https://github.com/<owner>/pytest-autofix.git"
BIN = Path(
    sys.executable
).parent  # this environment's scripts: pytest, as `language: system` finds it
NOTICE = "::notice file=src/shop/cart.py,line=1,title=autofix import.module-not-found::"


def every_doc() -> dict[str, str]:
    paths = [REPO / "README.md", *sorted(DOCS.glob("*.md")), *sorted(REPO.glob("examples/*/*.md"))]
    return {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the outer session's or GitHub's variables, ``extra`` added."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "GITHUB_", "PIP_", "TOX_", "VIRTUAL_ENV", "PRE_COMMIT"))
        and k not in ("PYTHONPATH", "NO_COLOR", "FORCE_COLOR")
    }
    env.update(PY_COLORS="0", **extra)
    return env


@pytest.fixture(scope="module")
def dependencies(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheelhouse without pytest-autofix's own wheel, as an index without it: a recipe that
    names it alone (as if it were on PyPI) cannot find it here either."""
    out = tmp_path_factory.mktemp("dependencies")
    for wheel in wheelhouse.iterdir():
        if not wheel.name.startswith("pytest_autofix-"):
            (out / wheel.name).symlink_to(wheel)
    return out


# -- what the docs say --------------------------------------------------------------------------


def bare_installs(text: str) -> list[str]:
    """Lines that install pytest-autofix by its name alone (from an index)."""
    found = []
    for line in text.splitlines():
        command = line.partition("pip install")[2].partition("#")[0]
        try:
            words = shlex.split(command.replace("`", " "))
        except ValueError:
            words = command.split()
        if any(re.fullmatch(r"pytest-autofix(\[[\w,]+\])?([<>=!~].*)?", w) for w in words):
            found.append(line)
    for recipe in blocks(text, "ini"):
        found += re.findall(r"^(?:\s+|deps\s*=\s*)pytest-autofix\s*$", recipe, re.M)
    return found


def test_no_doc_installs_pytest_autofix_from_an_index() -> None:
    found = {name: bare for name, text in every_doc().items() if (bare := bare_installs(text))}
    assert not found, f"pytest-autofix is not on PyPI: {found}"
    # the check itself sees the forms it forbids
    assert bare_installs("$ pip install -e . pytest-autofix\n")
    assert bare_installs("```ini\n[testenv:autofix]\ndeps =\n    pytest-autofix\n```\n")
    assert not bare_installs(f'$ pip install "pytest-autofix @ {GIT_URL}"\n')


@pytest.mark.parametrize("name", INSTALL_DOCS)
def test_each_install_doc_says_how_from_a_checkout_a_git_url_and_a_wheel(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    assert (
        re.search(r"pip install (-e \. )?/path/to/pytest-autofix", text)
        or "`/path/to/pytest-autofix`" in text
    )
    assert f"pytest-autofix @ {GIT_URL}" in text and "placeholder" in text
    assert "python -m build --wheel" in text
    assert "pytest_autofix-0.1.0-py3-none-any.whl" in text


def test_the_documented_wheel_is_the_one_a_build_makes(autofix_wheel: Path) -> None:
    """The wheel's file name in the docs follows the version in pyproject.toml."""
    for name in INSTALL_DOCS:
        text = (REPO / name).read_text(encoding="utf-8")
        assert set(re.findall(r"pytest_autofix-[\w.]+-py3-none-any\.whl", text)) == {
            autofix_wheel.name
        }, name


# -- from a git URL, and the GitHub workflow's steps ---------------------------------------------


@pytest.fixture(scope="module")
def git_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A git+file:// URL of a clone holding this checkout's sources, committed."""
    clone = tmp_path_factory.mktemp("clone") / "pytest-autofix"
    clone.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, clone / name)
    shutil.copytree(
        REPO / "pytest_autofix", clone / "pytest_autofix", ignore=shutil.ignore_patterns("__py*")
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "sources"]):
        subprocess.run([*git, *args], cwd=clone, check=True, capture_output=True)
    # with a host, as the https URL it stands for has: the pip a fresh virtualenv of Python 3.11
    # gets (23.2) rejects "name @ git+file:///path"
    return f"git+file://localhost{clone}"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_usage_installs_from_a_local_clone_as_documented(
    tmp_path: Path, dependencies: Path, git_url: str
) -> None:
    """docs/usage.md's git+file:// line, as written (with this pip: the one Python 3.11
    bundles here), into a fresh virtualenv; dependencies from the wheelhouse."""
    text = (DOCS / "usage.md").read_text(encoding="utf-8")
    [line] = [c for c in re.findall(r"^\$ (python -m pip install .*)$", text, re.M) if "file:" in c]
    clone = git_url.removeprefix("git+file://localhost")
    argv = shlex.split(line.replace("/path/to/pytest-autofix", clone))[4:]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    env = clean_env(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(dependencies))
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", *argv]
    proc = subprocess.run(pip, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    project = mixed_example(tmp_path / "mixed")
    run = subprocess.run(
        [venv / "bin" / "pytest", "--autofix", "--dry-run", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Found 4 issues in 6 failures (3 proposed, 1 unfixable)" in run.stdout, run.stdout


def github_steps() -> list[dict[str, Any]]:
    loaded = [yaml.safe_load(b) for b in blocks((DOCS / "ci.md").read_text("utf-8"), "yaml")]
    [workflow] = [doc for doc in loaded if "jobs" in doc]
    [job] = workflow["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_github_workflow_steps_run_under_a_github_like_environment(
    tmp_path: Path, dependencies: Path, autofix_wheel: Path, git_url: str
) -> None:
    """The workflow's `run:` steps in order, in a fresh virtualenv standing for the runner's
    Python, with GITHUB_ACTIONS and GITHUB_STEP_SUMMARY set as a runner sets them; the
    `uses:` steps stand for themselves (checkout: the project is there; setup-python: the
    virtualenv; upload-artifact: the files it uploads must exist)."""
    root = tmp_path / "proj"
    root.mkdir()
    example(root, layout="src", package="default", wheel=autofix_wheel)
    venv = tmp_path / "runner"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    summary = tmp_path / "step_summary.md"
    summary.touch()
    env = clean_env(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(summary),
        CI="true",
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(dependencies),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    outputs = {}
    for step in github_steps():
        if "run" not in step:
            continue
        assert step["run"].count(GIT_URL) <= 1, step
        script = step["run"].replace(GIT_URL, git_url)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        outputs[step["name"]] = proc
    install, dry_run = outputs.values()
    assert install.returncode == 0, install.stdout + install.stderr
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import pytest_autofix; print(pytest_autofix.__file__)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(venv), where  # from the git URL, not the checkout
    out = dry_run.stdout + dry_run.stderr
    assert dry_run.returncode != 0, out  # the suite fails: so does the step, as it should
    assert "= autofix (dry run) =" in out and NOTICE in out, out
    assert summary.read_text().startswith("## pytest-autofix"), out  # the job's summary
    [upload] = [s for s in github_steps() if s.get("uses", "").startswith("actions/upload")]
    for name in upload["with"]["path"].split():
        assert (root / name).is_file(), name
    assert (root / "src" / "shop" / "cart.py").read_text().startswith("from .pricing import")


# -- tox ------------------------------------------------------------------------------------------


def tox_recipe() -> tuple[str, dict[str, str]]:
    """The first recipe of docs/tox.md and its table of `deps` lines, by where they install from."""
    text = (DOCS / "tox.md").read_text(encoding="utf-8")
    recipe = blocks(text, "ini")[0]
    rows = re.findall(r"^\| ([^|]+?) \| `([^`]+)` \|$", text, re.M)
    return recipe, {where: line for where, line in rows}


def test_the_tox_recipe_passes_github_variables_and_names_the_plugin_by_where_it_is() -> None:
    recipe, deps = tox_recipe()
    for block in blocks((DOCS / "tox.md").read_text(encoding="utf-8"), "ini"):
        assert re.search(r"pass_env =\n    GITHUB_ACTIONS\n    GITHUB_STEP_SUMMARY\n", block)
    assert f"pytest-autofix @ {GIT_URL}" in recipe
    assert sorted(deps.values()) == sorted(
        [
            f"pytest-autofix @ {GIT_URL}",
            "git+file:///path/to/pytest-autofix",
            "/path/to/pytest-autofix",
            "{toxinidir}/wheels/pytest_autofix-0.1.0-py3-none-any.whl",
        ]
    )


@pytest.mark.slow
def test_tox_recipe_in_a_real_tox_run_under_github_actions(
    tmp_path: Path, dependencies: Path, autofix_wheel: Path
) -> None:
    """docs/tox.md's recipe with the wheel `deps` line of its table (the wheel in the project's
    wheels/ directory), run by tox as a GitHub runner would: annotations come through
    pass_env, and the job's summary is written; without it, neither."""
    root = tmp_path / "proj"
    root.mkdir()
    example(root, layout="src", package="default", wheel=autofix_wheel)
    recipe, deps = tox_recipe()
    [wheel_line] = [line for line in deps.values() if line.endswith(".whl")]
    (root / "wheels").mkdir()
    shutil.copy2(autofix_wheel, root / wheel_line.replace("{toxinidir}/", ""))
    [git_line] = re.findall(rf"^    pytest-autofix @ {re.escape(GIT_URL)}$", recipe, re.M)
    ini = "[tox]\nenv_list = autofix\n\n" + recipe.replace(git_line, f"    {wheel_line}")
    (root / "tox.ini").write_text(ini)
    summary = tmp_path / "step_summary.md"
    summary.touch()
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "CI": "true"}

    text = (DOCS / "tox.md").read_text(encoding="utf-8")
    [command] = [
        c for c in re.findall(r"^\$ (tox .*?)(?:\s+#.*)?$", text, re.M) if "--autofix-report" in c
    ]
    args = shlex.split(command)[1:]
    assert args[2] == "--", args
    run = tox(root, *args, wheelhouse=dependencies, extra_env=github)
    out = run.stdout + run.stderr
    assert "= autofix (dry run) =" in out, out
    assert NOTICE in out, out
    assert summary.read_text().startswith("## pytest-autofix"), out  # the job's summary
    assert run.returncode != 0  # the tests fail: so does tox
    for arg in args:
        if arg.startswith(("--autofix-report=", "--autofix-patch=")):
            assert (root / arg.partition("=")[2]).is_file(), arg  # relative to {toxinidir}
    assert (root / "src" / "shop" / "cart.py").read_text().startswith("from .pricing import")

    # without pass_env, tox hands neither variable on: no annotations, no summary
    (root / "tox.ini").write_text(re.sub(r"pass_env =\n(    .*\n)+", "", ini))
    summary.write_text("")
    skip = [*args[:2], "--skip-pkg-install", *args[2:]]
    again = tox(root, *skip, wheelhouse=dependencies, extra_env=github)
    again_out = again.stdout + again.stderr
    assert "= autofix (dry run) =" in again_out, again_out
    assert "::notice" not in again_out
    assert summary.read_text() == ""


# -- pre-commit -----------------------------------------------------------------------------------


def pre_commit_hook() -> tuple[str, dict[str, Any]]:
    """docs/ci.md's .pre-commit-config.yaml, as text, and its one hook."""
    [text] = [b for b in blocks((DOCS / "ci.md").read_text("utf-8"), "yaml") if "repos:" in b]
    config = yaml.safe_load(text)
    [repo] = config["repos"]
    [hook] = repo["hooks"]
    return text, {"repo": repo["repo"], **hook}


def mixed_example(root: Path) -> Path:
    shutil.copytree(REPO / "examples" / "mixed", root, ignore=shutil.ignore_patterns("__py*"))
    return root


def test_pre_commit_hook_is_a_local_dry_run_of_the_suite() -> None:
    _, hook = pre_commit_hook()
    assert hook["repo"] == "local" and hook["language"] in ("system", "python")
    assert hook["pass_filenames"] is False
    entry = shlex.split(hook["entry"])
    assert entry[0] == "pytest" and "--autofix" in entry and "--dry-run" in entry


@pytest.mark.slow
def test_pre_commit_hook_entry_runs_the_dry_run(tmp_path: Path) -> None:
    """The hook's command line as pre-commit runs it for a `system` hook: the entry, with the
    `pytest` found on PATH, in the repository's root."""
    _, hook = pre_commit_hook()
    root = mixed_example(tmp_path / "repo")
    before = snapshot(root)
    env = clean_env(PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(
        shlex.split(hook["entry"]), cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode != 0, proc.stdout  # failing tests fail the hook
    assert "Found 4 issues in 6 failures (3 proposed, 1 unfixable)" in proc.stdout, proc.stdout
    assert snapshot(root) == before  # nothing written


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("pre-commit") is None or shutil.which("git") is None,
    reason="pre-commit is not installed here (python -m pip install pre-commit to run this)",
)
def test_pre_commit_runs_the_hook_for_real(tmp_path: Path) -> None:
    """`pre-commit install`, then a commit in a git repository holding the config of docs/ci.md:
    the hook runs the dry run, fails the commit, shows the proposals, writes nothing."""
    config, _ = pre_commit_hook()
    root = mixed_example(tmp_path / "repo")
    (root / ".pre-commit-config.yaml").write_text(config)
    env = clean_env(
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
    )

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)

    assert run("git", "init", "-q").returncode == 0
    assert run("git", "add", ".").returncode == 0
    before = snapshot(root)
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\$ (pre-commit .*)$", text, re.M)
    assert commands[0] == "pre-commit install", commands
    for command in commands:
        proc = run(*shlex.split(command))
        out = proc.stdout + proc.stderr
        if command == "pre-commit install":
            assert proc.returncode == 0, out
        else:
            assert proc.returncode == 1, out
            assert "Found 4 issues in 6 failures" in out, out
    commit = run("git", "commit", "-q", "-m", "mixed")
    out = commit.stdout + commit.stderr
    assert commit.returncode != 0, out  # the hook failed the commit
    assert "pytest --autofix --dry-run" in out and "Failed" in out, out
    assert "autofix (dry run)" in out, out
    assert run("git", "rev-parse", "--verify", "-q", "HEAD").returncode != 0  # no commit
    after = {k: v for k, v in snapshot(root).items() if not k.startswith(".git/")}
    assert after == {k: v for k, v in before.items() if not k.startswith(".git/")}
