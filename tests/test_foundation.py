"""The Foundation acceptance criteria, proved with real pytest sessions.

Every issue code of :data:`pytest_autofix.codes.CODES` has at least one case below: a test module
that fails the way users see it fail. All cases live in one "catalogue" project that is run twice,
``pytest --autofix --dry-run`` without and with ``-n 2`` (each run is shared by every test that
reads it; see ``SharedRuns`` in conftest.py), from a subdirectory so that the working directory is
not the rootdir. Each case is then checked in both runs: the issue's code, kind, status, tests,
path and line in the JSON report, and its line in the terminal summary.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import socket
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_autofix import codes

if TYPE_CHECKING:
    from conftest import Autofix, AutofixRun, Projects, SharedRuns

MODES = {"single": (), "xdist": ("-n", "2")}
UNSET_ENV_VAR = "AUTOFIX_TEST_SURELY_UNSET"
MISSING_PACKAGE = "yaml_not_installed_pkg"


@dataclasses.dataclass(frozen=True)
class Case:
    """One way to fail: the files, the issue it must become, where that issue points."""

    id: str
    code: str
    files: dict[str, str]
    tests: tuple[str, ...]
    message: str  # an fnmatch pattern of the start of the issue's message ({port}: see below)
    where: frozenset[tuple[str, int | None]]  # the allowed (path, line) of the issue

    @property
    def kind(self) -> str:
        return self.code.partition(".")[0]


def case(
    id: str, code: str, path: str, text: str, message: str, line: int | None, *tests: str
) -> Case:
    """A case of one test module at ``path``; its tests are ``path::name`` (or the module)."""
    nodeids = tuple(f"{path}::{t}" for t in tests) or (path,)
    return Case(id, code, {path: text}, nodeids, message, frozenset({(path, line)}))


def typo_module(count: int) -> str:
    return "\n\n".join(
        f"def test_client_{i}(clinet):\n    assert clinet == 'client'\n" for i in range(count)
    )


# Twenty tests in two modules request the misspelled fixture ``clinet``: one issue.
TYPO_TESTS = (
    *(f"tests/test_typo_a.py::test_client_{i}" for i in range(12)),
    *(f"tests/test_typo_b.py::test_client_{i}" for i in range(8)),
)

CASES = [
    # -- import -------------------------------------------------------------------------------
    case(
        "module-not-found-project",
        "import.module-not-found",
        "tests/test_mnf_project.py",
        "from shop.pricing import total\n\n\ndef test_total():\n    assert total([]) == 0\n",
        "no module named 'shop.pricing'",
        1,
    ),
    case(
        "module-not-found-stdlib-typo",
        "import.module-not-found",
        "tests/test_mnf_typo.py",
        "import colections\n\n\ndef test_counter():\n    assert colections.Counter('a')\n",
        "no module named 'colections' (did you mean 'collections'*",
        1,
    ),
    case(
        "name-not-found-import",
        "import.name-not-found",
        "tests/test_nnf_import.py",
        "from shop.prices import totl\n\n\ndef test_total():\n    assert totl([]) == 0\n",
        "cannot import name 'totl' from 'shop.prices'",
        1,
    ),
    case(
        "name-not-found-attribute",
        "import.name-not-found",
        "tests/test_nnf_attr.py",
        "from shop import prices\n\n\ndef test_total():\n    assert prices.totall([]) == 0\n",
        "module 'shop.prices' has no attribute 'totall'",
        5,
        "test_total",
    ),
    case(
        "name-undefined",
        "import.name-undefined",
        "tests/test_undefined.py",
        "def test_ordered():\n    assert OrderedDict() == {}\n",
        "name 'OrderedDict' is not defined",
        2,
        "test_ordered",
    ),
    Case(
        "file-mismatch",
        "import.file-mismatch",
        {
            # two basenames test_dup.py, no __init__.py: the second cannot be imported
            "tests/a/test_dup.py": "def test_one():\n    pass\n",
            "tests/b/test_dup.py": "def test_two():\n    pass\n",
        },
        ("tests/b/test_dup.py",),
        "test modules share the basename 'test_dup'",
        frozenset({("tests/b/test_dup.py", None)}),
    ),
    # -- fixture ------------------------------------------------------------------------------
    Case(
        "not-found-20-tests",
        "fixture.not-found",
        {"tests/test_typo_a.py": typo_module(12), "tests/test_typo_b.py": typo_module(8)},
        TYPO_TESTS,
        "fixture 'clinet' not found",
        # where the first failing request is: either module, any of the tests' def lines
        frozenset(
            {
                (f"tests/test_typo_{m}.py", 1 + 4 * i)
                for m, n in (("a", 12), ("b", 8))
                for i in range(n)
            }
        ),
    ),
    case(
        "scope-mismatch",
        "fixture.scope-mismatch",
        "tests/test_scope.py",
        """\
        import pytest


        @pytest.fixture
        def narrow():
            return 1


        @pytest.fixture(scope="module")
        def wide(narrow):
            return narrow


        def test_wide(wide):
            assert wide == 1
        """,
        "module-scoped fixture 'wide' requests function-scoped 'narrow'",
        9,  # the requester's decorator line, as pytest reports it
        "test_wide",
    ),
    case(
        "called-directly",
        "fixture.called-directly",
        "tests/test_called.py",
        """\
        import pytest


        @pytest.fixture
        def thing():
            return 1


        def test_thing():
            assert thing() == 1
        """,
        "fixture 'thing' called directly",
        10,
        "test_thing",
    ),
    Case(  # two classes in two modules, one root cause: one issue, one fix for the project
        "removed-api-nose",
        "fixture.removed-api",
        {
            "tests/test_nose.py": """\
                class TestLegacy:
                    def setup(self):
                        self.value = 1

                    def test_value(self):
                        assert self.value == 1
                """,
            "tests/test_nose_other.py": """\
                class TestOther:
                    def setup(self):
                        self.items = []

                    def teardown(self):
                        self.items.clear()

                    def test_items(self):
                        assert self.items == []
                """,
        },
        (
            "tests/test_nose.py::TestLegacy::test_value",
            "tests/test_nose_other.py::TestOther::test_items",
        ),
        "nose-style setup()/teardown() methods are no longer called (removed in pytest 8)",
        frozenset({("tests/test_nose.py", 6), ("tests/test_nose_other.py", 9)}),
    ),
    case(
        "removed-api-warns-none",
        "fixture.removed-api",
        "tests/test_warns_none.py",
        """\
        import warnings

        import pytest


        def test_warns_none():
            with pytest.warns(None):
                warnings.warn("old", UserWarning)
        """,
        "pytest.warns(None) was removed in pytest 8",
        7,
        "test_warns_none",
    ),
    case(
        "removed-api-skip-msg",
        "fixture.removed-api",
        "tests/test_skip_msg.py",
        'import pytest\n\n\ndef test_skip_msg():\n    pytest.skip(msg="not yet")\n',
        "pytest.skip(msg=...) was removed in pytest 8",
        5,
        "test_skip_msg",
    ),
    # -- environment --------------------------------------------------------------------------
    case(
        "removed-api-attribute",
        "environment.removed-api",
        "tests/test_removed_attr.py",
        "import collections\n\n\ndef test_mapping():\n"
        "    assert isinstance({}, collections.Mapping)\n",
        "collections.Mapping was removed in Python 3.10",
        5,
        "test_mapping",
    ),
    case(
        "removed-api-from-import",
        "environment.removed-api",
        "tests/test_removed_from.py",
        "from collections import MutableMapping\n\n\ndef test_mutable():\n"
        "    assert issubclass(dict, MutableMapping)\n",
        "collections.MutableMapping was removed in Python 3.10",
        1,
    ),
    case(
        "removed-api-module",
        "environment.removed-api",
        "tests/test_removed_imp.py",
        "import imp\n\n\ndef test_imp():\n    assert imp.get_suffixes()\n",
        "module 'imp' is gone (Python 3.12)",
        1,
    ),
    case(
        "missing-package",
        "environment.missing-package",
        "tests/test_missing_pkg.py",
        f"import {MISSING_PACKAGE}\n\n\ndef test_load():\n    assert {MISSING_PACKAGE}\n",
        f"package providing '{MISSING_PACKAGE}' is not installed",
        1,
    ),
    case(
        "dead-package",
        "environment.dead-package",
        "tests/test_nose_era.py",
        "from nose.tools import assert_equal\n\n\ndef test_sum():\n    assert_equal(1 + 1, 2)\n",
        "nose is not installed, and no longer works",
        1,
    ),
    Case(
        "file-not-found",
        "environment.file-not-found",
        {
            "tests/datacase/data/numbers.txt": "1 2 3\n",
            # works from tests/datacase/ only; the run's working directory is elsewhere/
            "tests/datacase/test_data_file.py": (
                'def test_numbers():\n    with open("data/numbers.txt") as f:\n'
                '        assert f.read().split() == ["1", "2", "3"]\n'
            ),
        },
        ("tests/datacase/test_data_file.py::test_numbers",),
        "'data/numbers.txt' not found from the working directory 'elsewhere'",
        frozenset({("tests/datacase/test_data_file.py", 2)}),
    ),
    case(
        "missing-env-var",
        "environment.missing-env-var",
        "tests/test_env_var.py",
        f'import os\n\n\ndef test_token():\n    assert os.environ["{UNSET_ENV_VAR}"]\n',
        f"environment variable '{UNSET_ENV_VAR}' is not set",
        5,
        "test_token",
    ),
    case(
        "service-unavailable",
        "environment.service-unavailable",
        "tests/test_service.py",
        """\
        import socket
        from pathlib import Path

        PORT = int(Path(__file__).parent.parent.joinpath("service_port.txt").read_text())


        def test_service():
            with socket.create_connection(("127.0.0.1", PORT), timeout=5):
                pass
        """,
        "connection refused by 127.0.0.1:{port}",
        8,
        "test_service",
    ),
    # -- other --------------------------------------------------------------------------------
    case(
        "assertion",
        "other.assertion",
        "tests/test_assertion.py",
        "def test_sum():\n    assert 1 + 1 == 3\n",
        "assert *== 3",
        2,
        "test_sum",
    ),
    case(
        "syntax-error",
        "other.syntax-error",
        "tests/test_syntax.py",
        "def test_broken(:\n    pass\n",
        "*",  # the wording is the interpreter's
        1,
    ),
    case(  # an ImportError that names no module is not a missing package
        "relative-import-without-package",
        "other.exception",
        "tests/test_relative.py",
        "from .helpers import build\n\n\ndef test_build():\n    assert build()\n",
        "attempted relative import with no known parent package",
        1,
    ),
    case(
        "exception",
        "other.exception",
        "tests/test_exception.py",
        'def test_parse():\n    raise ValueError("bad value: 42")\n',
        "bad value: 42",
        2,
        "test_parse",
    ),
]
PASSING = ("tests/test_ok.py::test_ok", "tests/a/test_dup.py::test_one")


def refused_port() -> int:
    """A loopback port nothing listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def catalogue_files() -> dict[str, str]:
    files = {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n',
        "elsewhere/README": "the inner run's working directory\n",
        "service_port.txt": str(refused_port()),
        "shop/__init__.py": "",
        "shop/prices.py": "def total(items):\n    return sum(p for _, p in items)\n",
        "tests/conftest.py": """\
            import sys

            import pytest

            if sys.version_info < (3, 12):
                # imp exists until Python 3.12: make `import imp` fail the way it fails there
                sys.modules["imp"] = None


            @pytest.fixture
            def client():
                return "client"
            """,
        "tests/test_ok.py": "def test_ok():\n    pass\n",
    }
    for c in CASES:
        files.update(c.files)
    return files


@pytest.fixture(scope="module", params=list(MODES))
def catalogue(request: pytest.FixtureRequest, shared_runs: SharedRuns) -> AutofixRun:
    """The catalogue project run with ``--autofix --dry-run`` from ``elsewhere/``."""
    assert UNSET_ENV_VAR not in os.environ
    assert importlib.util.find_spec(MISSING_PACKAGE) is None
    args = [*MODES[request.param], "--autofix", "--dry-run", "--autofix-report=report.json", ".."]
    return shared_runs.get(f"catalogue-{request.param}", catalogue_files(), args, cwd="elsewhere")


def _plain_status(mode: str) -> pytest.ExitCode:
    """Plain pytest's status on a project with a collection error, in ``mode``."""
    return pytest.ExitCode.TESTS_FAILED if mode == "xdist" else pytest.ExitCode.INTERRUPTED


def test_every_code_has_a_case() -> None:
    assert {c.code for c in CASES} == set(codes.CODES)
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_code(case: Case, catalogue: AutofixRun) -> None:
    issue = catalogue.issue_with(case.tests[0])
    assert issue["code"] == case.code
    assert issue["kind"] == case.kind
    assert sorted(issue["tests"]) == sorted(case.tests)
    assert issue["status"] in ("proposed", "suggested", "unfixable")  # a dry run fixes nothing
    port = (catalogue.path / "service_port.txt").read_text()
    assert fnmatch(issue["message"], case.message.replace("{port}", port) + "*"), issue
    assert (issue["path"], issue["line"]) in case.where
    catalogue.expect_terminal(issue)


def test_catalogue_issues_are_exactly_the_cases(
    catalogue: AutofixRun, request: pytest.FixtureRequest
) -> None:
    """One issue per case, nothing else; the passing tests ran although collection failed. The
    status is plain pytest's: it stops at a collection error (2), pytest-xdist does not (1)."""
    assert catalogue.issue_set() == {(c.code, tuple(sorted(c.tests))) for c in CASES}
    outcomes = catalogue.result.parseoutcomes()
    assert outcomes["passed"] == len(PASSING)
    for nodeid in PASSING:
        assert not any(nodeid in i["tests"] for i in catalogue.issues)
    summary = catalogue.report["summary"]
    assert summary["issues"] == len(CASES)
    assert summary["failures"] == sum(len(c.tests) for c in CASES)
    assert catalogue.report["mode"] == "dry-run"
    plain = _plain_status(request.node.callspec.params["catalogue"])
    assert catalogue.report["exit_status"] == catalogue.result.ret == plain


def test_twenty_tests_one_issue(catalogue: AutofixRun) -> None:
    """Twenty tests, two modules (and under -n 2 two workers), one missing fixture: one issue."""
    (issue,) = [i for i in catalogue.issues if i["code"] == "fixture.not-found"]
    assert sorted(issue["tests"]) == sorted(TYPO_TESTS)
    catalogue.result.stdout.fnmatch_lines(["* fixture.not-found  fixture 'clinet' * (20 tests)*"])


def test_report_schema_dry_run(catalogue: AutofixRun) -> None:
    catalogue.check_schema()


def test_report_schema_fix_mode(autofix: Autofix, projects: type[Projects]) -> None:
    """An applied run with a third-party fixer: fixes, statuses and the rerun in the schema."""
    autofix.write(
        {
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
            "tests/conftest.py": projects.fixer_conftest(),
            "tests/test_a.py": """\
                def test_name(clinet):
                    assert clinet["name"] == "ada"


                def test_ok():
                    pass


                def test_math():
                    assert 1 == 2
                """,
        }
    )
    run = autofix.run(dry_run=False)
    run.check_schema()
    report = run.report
    assert report["mode"] == "fix"
    assert report["exit_status"] == run.result.ret == pytest.ExitCode.TESTS_FAILED
    fixed = run.issue_with("tests/test_a.py::test_name")
    assert (fixed["code"], fixed["status"]) == ("fixture.not-found", "fixed")
    # a built-in fixer may propose the same rename; exactly one fix is applied and verified
    (fix,) = [f for f in fixed["fixes"] if f["applied"]]
    assert (fix["verified"], fix["safe"], fix["reason"]) == (True, True, None)
    assert fix["files"] == ["tests/test_a.py"]
    assert "+def test_name(client):" in fix["diff"]
    assert "test.rename-fixture" in {f["fixer"] for f in fixed["fixes"]}
    suggested = run.issue_with("tests/test_a.py::test_math")
    assert (suggested["code"], suggested["status"]) == ("other.assertion", "suggested")
    (look,) = [f for f in suggested["fixes"] if f["fixer"] == "test.look-at-it"]
    assert look["files"] == [] and look["diff"] == "" and look["reason"]
    assert (look["applied"], look["verified"]) == (False, False)
    rerun = report["rerun"]
    assert rerun is not None
    assert any(t == "tests/test_a.py" or t.startswith("tests/test_a.py::") for t in rerun["tests"])
    assert rerun["passed"] >= 1 and rerun["failed"] >= 1
    summary = report["summary"]
    assert (summary["fixed"], summary["suggested"], summary["issues"]) == (1, 1, 2)


@pytest.mark.parametrize("mode", list(MODES))
def test_four_issues_and_the_passing_tests_ran(
    autofix: Autofix, projects: type[Projects], mode: str
) -> None:
    """Collection error + fixture typo in three tests + removed stdlib attribute + failed
    assertion: exactly four issues of the right kinds, the same with and without -n 2; the
    collection error did not stop the session, so the passing tests in other modules ran."""
    autofix.write(projects.four_issues())
    run = autofix.run(*MODES[mode])
    run.check_schema()
    assert run.issue_set() == projects.FOUR_ISSUES
    assert {i["kind"] for i in run.issues} == {"import", "fixture", "environment", "other"}
    assert run.result.parseoutcomes()["passed"] == projects.FOUR_ISSUES_PASSED
    assert run.result.parseoutcomes()["failed"] == 2
    assert run.result.ret == _plain_status(mode)
    for issue in run.issues:
        run.expect_terminal(issue)
    run.result.stdout.fnmatch_lines(["Found 4 issues in 6 failures (*)*"])
    assert "Interrupted" not in run.result.stdout.str()


def test_docs_list_every_code() -> None:
    """docs/codes.md has one table row per code, and no row for a code that does not exist."""
    docs = (Path(__file__).parent.parent / "docs" / "codes.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", docs, re.M))
    assert documented == set(codes.CODES)
