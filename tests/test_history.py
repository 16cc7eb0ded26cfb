"""Evidence from the project's git history (``pytest_autofix.fixers.toolkit.history``) and the
fixers it makes surer: real repositories, made with ``git init``, ``git mv`` and commits in
``tmp_path``; skipped when there is no git binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from autofix_testing import make
from test_fixers_fixtures import issue_of as fixture_issue
from test_fixers_fixtures import not_found
from test_fixers_imports import issue_of, module_not_found

from pytest_autofix.fixers.fixtures import FixtureRenamed
from pytest_autofix.fixers.imports import ModuleRenamed
from pytest_autofix.fixers.toolkit import history
from pytest_autofix.fixers.toolkit.history import (
    UNCOMMITTED,
    Commit,
    renamed_files,
    renamed_function,
)
from pytest_autofix.testing import assert_fix

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="no git binary")

_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=_ENV, check=True
    )
    return done.stdout.strip()


def repository(root: Path, files: dict[str, str]) -> Path:
    """A repository at ``root`` whose first commit holds ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    make(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return root


def commit(root: Path, message: str) -> str:
    git(root, "commit", "-q", "-a", "-m", message)
    return git(root, "rev-parse", "--short", "HEAD")


PRICING = {
    "shop/__init__.py": "",
    "shop/pricing.py": """\
        def total(items):
            return sum(items)


        def with_tax(amount):
            return amount * 1.2
        """,
}


# -- the toolkit ----------------------------------------------------------------------------


def test_renames_of_recent_commits_followed_to_the_name_now(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {**PRICING, "README.md": "shop\n"})
    git(root, "mv", "shop/pricing.py", "shop/prices.py")
    first = commit(root, "Rename pricing to prices")
    git(root, "mv", "shop/prices.py", "shop/cost.py")
    second = commit(root, "cost, not prices")
    renames = renamed_files(root)
    assert set(renames) == {"shop/pricing.py", "shop/prices.py"}
    renamed = renames["shop/pricing.py"]
    assert renamed.new == "shop/cost.py"
    assert renamed.commits == (
        Commit(first, "Rename pricing to prices"),
        Commit(second, "cost, not prices"),
    )
    assert str(renamed) == (
        f"git records the rename of shop/pricing.py to shop/cost.py "
        f'({first} "Rename pricing to prices", then {second} "cost, not prices")'
    )


def test_uncommitted_renames_staged_or_moved(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {**PRICING, "shop/cart.py": "def cart():\n    pass\n"})
    git(root, "mv", "shop/pricing.py", "shop/prices.py")  # staged
    (root / "shop/cart.py").rename(root / "shop/basket.py")  # a plain mv: untracked
    renames = renamed_files(root)
    assert {old: (r.new, r.commits) for old, r in renames.items()} == {
        "shop/pricing.py": ("shop/prices.py", (UNCOMMITTED,)),
        "shop/cart.py": ("shop/basket.py", (UNCOMMITTED,)),
    }
    assert str(renames["shop/cart.py"]).endswith("(not committed yet)")


def test_rootdir_below_the_repository_root(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {f"project/{k}": v for k, v in PRICING.items()})
    git(root, "mv", "project/shop/pricing.py", "project/shop/prices.py")
    git(root, "mv", "project/shop/__init__.py", "shop_init.py")  # leaves the rootdir
    commit(root, "rename")
    renames = renamed_files(root / "project")
    assert {old: r.new for old, r in renames.items()} == {"shop/pricing.py": "shop/prices.py"}


def test_no_evidence_outside_a_repository_or_without_commits(tmp_path: Path) -> None:
    make(tmp_path / "plain", PRICING)
    assert renamed_files(tmp_path / "plain") == {}
    assert renamed_function(tmp_path / "plain", "total", "sum_up", ["shop/pricing.py"]) is None
    (tmp_path / "fresh").mkdir()
    git(tmp_path / "fresh", "init", "-q")
    make(tmp_path / "fresh", PRICING)
    git(tmp_path / "fresh", "add", "-A")
    assert renamed_files(tmp_path / "fresh") == {}


def test_a_shallow_clone_answers_from_the_history_it_has(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", PRICING)
    git(root, "mv", "shop/pricing.py", "shop/prices.py")
    commit(root, "rename")
    (root / "shop/prices.py").write_text("def total(items):\n    return 0\n")
    commit(root, "later")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", root.as_uri(), str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    assert renamed_files(clone) == {}


def test_a_renamed_function_in_a_commit_and_in_the_working_tree(tmp_path: Path) -> None:
    root = repository(
        tmp_path / "repo",
        {
            "conftest.py": """\
                import pytest


                @pytest.fixture
                def user():
                    return "ada"


                @pytest.fixture
                def admin():
                    return "root"
                """
        },
    )
    text = (root / "conftest.py").read_text()
    (root / "conftest.py").write_text(text.replace("def user(", "def customer("))
    renaming = commit(root, "Fixtures: user is a customer")
    assert renamed_function(root, "user", "customer", ["conftest.py"]) == Commit(
        renaming, "Fixtures: user is a customer"
    )
    assert renamed_function(root, "user", "admin", ["conftest.py"]) is None  # not the one added
    assert renamed_function(root, "user", "customer", ["other.py"]) is None
    text = (root / "conftest.py").read_text()
    (root / "conftest.py").write_text(text.replace("def admin(", "def superuser("))
    assert renamed_function(root, "admin", "superuser", ["conftest.py"]) is UNCOMMITTED


def test_asking_git_never_writes_to_the_repository(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", PRICING)
    git(root, "mv", "shop/pricing.py", "shop/prices.py")
    stamp = (root / "shop/__init__.py").stat().st_mtime - 100
    os.utime(root / "shop/__init__.py", (stamp, stamp))  # the index's stat is stale: a
    # `git status` without GIT_OPTIONAL_LOCKS=0 would write it refreshed
    index = (root / ".git/index").read_bytes()
    assert renamed_files(root)
    assert (root / ".git/index").read_bytes() == index
    assert not (root / ".git/index.lock").exists()


# -- import.module-renamed ------------------------------------------------------------------

CART_TEST = """\
    from shop.pricing import total


    def test_total():
        assert total([1, 2]) == 3
    """
CART_FIXED = CART_TEST.replace("shop.pricing", "shop.money")


LEGACY = "def total(items):\n    return sum(sorted(items))\n"  # defines it too


def _money_project(root: Path) -> dict[str, str]:
    """``shop/pricing.py`` renamed (``git mv``) to a dissimilar ``shop/money.py``; the
    project as it is now."""
    repository(root, {**PRICING, "tests/test_cart.py": CART_TEST})
    git(root, "mv", "shop/pricing.py", "shop/money.py")
    return {"shop/__init__.py": "", "shop/money.py": (root / "shop/money.py").read_text()}


def test_a_recorded_rename_settles_two_modules_providing_the_names(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    now = _money_project(root)
    renaming = commit(root, "Pricing lives in money")
    before = {
        **now,
        "shop/legacy.py": LEGACY,
        "tests/test_cart.py": CART_TEST,
    }
    issue = issue_of(root, before, module_not_found("shop.pricing", "tests/test_cart.py"))
    result = assert_fix(
        ModuleRenamed(),
        issue,
        before,
        {"tests/test_cart.py": CART_FIXED},
        rootdir=root,
        confidence=0.95,
        description=(
            "git records the rename of shop/pricing.py to shop/money.py "
            f'({renaming} "Pricing lives in money"); it defines total'
        ),
    )
    assert result.fix is not None and result.fix.safe


def test_without_git_the_same_project_is_ambiguous(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    now = _money_project(root)
    commit(root, "Pricing lives in money")
    shutil.rmtree(root / ".git")
    before = {
        **now,
        "shop/legacy.py": LEGACY,
        "tests/test_cart.py": CART_TEST,
    }
    issue = issue_of(root, before, module_not_found("shop.pricing", "tests/test_cart.py"))
    result = assert_fix(ModuleRenamed(), issue, before, None, rootdir=root)
    assert [(f.confidence, "shop.legacy" in f.description) for f in result.fixes] == [(0.5, True)]


def test_an_uncommitted_rename_to_a_dissimilar_name_is_certain(tmp_path: Path) -> None:
    """Without git, ``shop.money`` is the only module defining ``total`` but nothing like
    ``shop.pricing`` by name: 0.9."""
    root = tmp_path / "repo"
    now = _money_project(root)  # staged, not committed
    before = {**now, "tests/test_cart.py": CART_TEST}
    issue = issue_of(root, before, module_not_found("shop.pricing", "tests/test_cart.py"))
    assert_fix(
        ModuleRenamed(),
        issue,
        before,
        {"tests/test_cart.py": CART_FIXED},
        rootdir=root,
        confidence=0.95,
        description="(not committed yet); it defines total",
    )


def test_a_recorded_package_rename_in_a_src_layout(tmp_path: Path) -> None:
    files = {
        "src/shop/__init__.py": "",
        "src/shop/pricing/__init__.py": "from .core import total\n",
        "src/shop/pricing/core.py": "def total(items):\n    return sum(items)\n",
        "src/shop/tariffs.py": "from shop.money.core import total\n",
        "tests/test_cart.py": CART_TEST,
    }
    root = repository(tmp_path / "repo", files)
    git(root, "mv", "src/shop/pricing", "src/shop/money")
    commit(root, "money")
    before = {
        **{k.replace("pricing", "money"): v for k, v in files.items() if "pricing" in k},
        "src/shop/__init__.py": "",
        "src/shop/tariffs.py": files["src/shop/tariffs.py"],
        "tests/test_cart.py": CART_TEST,
    }
    issue = issue_of(root, before, module_not_found("shop.pricing", "tests/test_cart.py"))
    assert_fix(
        ModuleRenamed(),
        issue,
        before,
        {"tests/test_cart.py": CART_FIXED},
        rootdir=root,
        confidence=0.95,
        description="rename of src/shop/pricing/__init__.py to src/shop/money/__init__.py",
    )


def test_a_recorded_rename_lacking_a_needed_name_stays_a_suggestion(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _money_project(root)
    (root / "shop/money.py").write_text("def with_tax(amount):\n    return amount * 1.2\n")
    commit(root, "money")
    before = {
        "shop/__init__.py": "",
        "shop/money.py": (root / "shop/money.py").read_text(),
        "tests/test_cart.py": CART_TEST,
    }
    issue = issue_of(root, before, module_not_found("shop.pricing", "tests/test_cart.py"))
    result = assert_fix(
        ModuleRenamed(), issue, before, {"tests/test_cart.py": CART_FIXED}, rootdir=root
    )
    assert result.fix is not None and result.fix.confidence == 0.5
    assert "but it lacks total" in result.fix.description


# -- fixture.renamed ------------------------------------------------------------------------

FIXTURES = """\
    import pytest


    @pytest.fixture
    def user():
        return "ada"


    @pytest.fixture
    def admin():
        return "root"
    """
TESTS = """\
    def test_vip(user):
        assert user


    def test_root(admin):
        assert admin
    """


def test_a_recorded_fixture_rename_is_certain(tmp_path: Path) -> None:
    """Without git: ``customer`` is not like ``user`` and other tests request it, so it is
    no candidate at all."""
    root = repository(tmp_path / "repo", {"tests/conftest.py": FIXTURES, "tests/test_c.py": TESTS})
    conftest = FIXTURES.replace("def user(", "def customer(")
    make(root, {"tests/conftest.py": conftest})
    renaming = commit(root, "user -> customer")
    tests = textwrap.dedent(TESTS) + "\n\ndef test_customer(customer):\n    assert customer\n"
    before = {"tests/conftest.py": conftest, "tests/test_c.py": tests}
    issue = fixture_issue(not_found("user", "tests/test_c.py::test_vip", 1, ["admin", "customer"]))
    assert_fix(
        FixtureRenamed(),
        issue,
        before,
        {
            "tests/test_c.py": tests.replace("(user)", "(customer)").replace(
                "assert user", "assert customer"
            )
        },
        rootdir=root,
        confidence=0.95,
        description=(
            "git records the rename of user() to customer() in tests/conftest.py "
            f'({renaming} "user -> customer")'
        ),
    )
    plain = tmp_path / "plain"  # the same project, no repository
    shutil.copytree(root, plain, ignore=shutil.ignore_patterns(".git"))
    assert_fix(FixtureRenamed(), issue, before, None, rootdir=plain, count=0)


def test_no_git_binary_or_a_timeout_is_no_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repository(tmp_path / "repo", PRICING)
    git(root, "mv", "shop/pricing.py", "shop/prices.py")
    commit(root, "rename")
    history.forget()
    with monkeypatch.context() as patched:
        patched.setenv("PATH", str(tmp_path / "empty"))  # no git on it
        assert renamed_files(root) == {}
    history.forget()
    with monkeypatch.context() as patched:
        patched.setattr(history, "TIMEOUT", 1e-6)  # every git command times out
        assert renamed_files(root) == {}
        assert renamed_function(root, "total", "sum_up", ["shop/prices.py"]) is None
    history.forget()
    assert renamed_files(root)["shop/pricing.py"].new == "shop/prices.py"
