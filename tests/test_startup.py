"""Failures that stop pytest before any test runs (pytest_autofix/worker/startup.py), in real
sessions: a conftest.py that does not import, a module its ``pytest_plugins`` names that does
not, a ``pytest_report_header`` that raises. Without --autofix pytest ends as it always did;
with it the failure is a collection error that autofix fixes and the rerun proves."""

from __future__ import annotations

import json
import textwrap

import pytest
from autofix_testing import snapshot

MAPPING = "from collections import Mapping\n"


def make(pytester: pytest.Pytester, **files: str) -> None:
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, object]]:
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=report.json", *args)
    report = json.loads((pytester.path / "report.json").read_text())
    (pytester.path / "report.json").unlink()
    return result, report


def test_a_rootdir_conftest_that_does_not_import(pytester: pytest.Pytester) -> None:
    """The tests are named on the command line: the rootdir's collector fails on the conftest,
    which plain pytest never got to (exit 4); with --autofix it is the run's one collection
    error, proposed in a dry run (pytest's status kept), fixed and proven by the rerun."""
    make(
        pytester,
        **{
            "conftest.py": MAPPING + "\n\ndef is_map(x):\n    return isinstance(x, Mapping)\n",
            "tests/test_a.py": "def test_a():\n    assert True\n",
        },
    )
    plain = pytester.runpytest_subprocess("tests")
    assert plain.ret == pytest.ExitCode.USAGE_ERROR
    plain.stderr.fnmatch_lines(["ImportError while loading conftest *conftest.py'.*"])
    assert "autofix" not in plain.stdout.str() + plain.stderr.str()

    before = snapshot(pytester.path)
    result, report = run(pytester, "tests", "--dry-run")
    assert snapshot(pytester.path) == before
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert report["exit_status"] == pytest.ExitCode.USAGE_ERROR
    (issue,) = report["issues"]  # type: ignore[misc]
    assert (issue["code"], issue["status"], issue["tests"]) == (
        "environment.removed-api",
        "proposed",
        ["."],
    )
    result.stdout.fnmatch_lines(["*ERROR collecting .*", "+from collections.abc import Mapping"])

    result, report = run(pytester, "tests")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "fixed"
    assert report["exit_status"] == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["after autofix: 1 passed (verified by rerun)"])
    fixed = (pytester.path / "conftest.py").read_text()
    assert fixed.startswith("from collections.abc import Mapping\n")


def test_a_conftest_failing_for_a_reason_no_fixer_knows(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        **{
            "tests/conftest.py": "raise RuntimeError('the lab server is down')\n",
            "tests/test_a.py": "def test_a():\n    assert True\n",
        },
    )
    before = snapshot(pytester.path)
    result, report = run(pytester)
    assert snapshot(pytester.path) == before
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # what plain pytest exits with
    assert report["exit_status"] == pytest.ExitCode.USAGE_ERROR
    (issue,) = report["issues"]  # type: ignore[misc]
    assert (issue["status"], issue["tests"]) == ("unfixable", ["tests"])
    assert "the lab server is down" in issue["message"]
    result.stdout.fnmatch_lines(["*ERROR collecting tests*", "*RuntimeError: the lab server*"])


def test_a_pytest_plugins_module_that_does_not_import(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        **{
            "conftest.py": "pytest_plugins = ['helpers']\n",
            "helpers.py": MAPPING + "\n\ndef is_map(x):\n    return isinstance(x, Mapping)\n",
            "test_a.py": "def test_a():\n    assert True\n",
        },
    )
    assert pytester.runpytest_subprocess().ret == pytest.ExitCode.INTERNAL_ERROR
    result, report = run(pytester)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert (issue["status"], issue["path"]) == ("fixed", "helpers.py")
    assert "from collections.abc import Mapping" in (pytester.path / "helpers.py").read_text()


def test_a_report_header_hook_that_raises(pytester: pytest.Pytester) -> None:
    """The conftest imports; its ``pytest_report_header`` imports the package, which does not
    (plain pytest: INTERNALERROR, exit 3). The session runs without the header's lines; the
    error is the rootdir's collection error, fixed in the package and proven by the rerun,
    which starts up with the header."""
    make(
        pytester,
        **{
            "conftest.py": (
                "def pytest_report_header(config):\n"
                "    from shop import VERSION\n"
                "    return f'shop {VERSION}'\n"
            ),
            "shop/__init__.py": MAPPING + "\nVERSION = '1.0'\nBASES = (Mapping,)\n",
            "test_a.py": "def test_a():\n    assert True\n",
        },
    )
    plain = pytester.runpytest_subprocess()
    assert plain.ret == pytest.ExitCode.INTERNAL_ERROR
    before = snapshot(pytester.path)
    result, report = run(pytester, "--dry-run")
    assert snapshot(pytester.path) == before
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR  # pytest's own
    result.stdout.fnmatch_lines(["*1 passed, 1 error*"])
    (issue,) = report["issues"]  # type: ignore[misc]
    assert (issue["status"], issue["tests"]) == ("proposed", ["."])

    result, report = run(pytester)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert (issue["status"], issue["path"]) == ("fixed", "shop/__init__.py")
    assert pytester.runpytest_subprocess().stdout.lines[2:3] == ["shop 1.0"]


def test_a_start_up_fix_is_judged_on_the_start_up(pytester: pytest.Pytester) -> None:
    """The package's removed import is fixed and the session starts; a test reads the same
    removed name in a way no fixer rewrites (``getattr``): it still fails, on its own, and does
    not make the start-up's fix ineffective."""
    make(
        pytester,
        **{
            "conftest.py": (
                "def pytest_report_header(config):\n"
                "    from shop import VERSION\n"
                "    return f'shop {VERSION}'\n"
            ),
            "shop/__init__.py": MAPPING + "\nVERSION = '1.0'\nBASES = (Mapping,)\n",
            "test_a.py": (
                "import collections\n\n\n"
                "def test_a():\n    assert getattr(collections, 'Mapping')\n\n\n"
                "def test_b():\n    assert True\n"
            ),
        },
    )
    result, report = run(pytester)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "fixed"
    assert issue["fixes"][0]["reason"].startswith("kept in part")
    result.stdout.fnmatch_lines(["after autofix: 1 passed, 1 failed (verified by rerun)"])
    assert "collections.abc" in (pytester.path / "shop/__init__.py").read_text()


GET_MARKER_HOOK = """\
import pytest


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        if item.get_marker("slow"):
            item.add_marker(pytest.mark.skip)
"""


def test_a_collection_hook_that_raises(pytester: pytest.Pytester) -> None:
    """A conftest's ``pytest_collection_modifyitems`` calls ``get_marker`` (removed in pytest
    4.1): plain pytest ends with INTERNALERROR (3). With --autofix the error is the conftest
    directory's collection error and no test runs (the hook would have skipped the slow
    test, which fails); the hook is fixed, and the rerun runs the directory with it."""
    make(
        pytester,
        **{
            "tests/conftest.py": GET_MARKER_HOOK,
            "tests/test_a.py": (
                "import pytest\n\n\ndef test_a():\n    assert True\n\n\n"
                "@pytest.mark.slow\ndef test_slow():\n    assert False\n"
            ),
        },
    )
    plain = pytester.runpytest_subprocess()  # without --autofix: as it always was
    assert plain.ret == pytest.ExitCode.INTERNAL_ERROR
    plain.stdout.fnmatch_lines(["INTERNALERROR> AttributeError: 'Function' object has no *"])
    assert "ERROR collecting" not in plain.stdout.str()

    before = snapshot(pytester.path)
    result, report = run(pytester, "--dry-run")
    assert snapshot(pytester.path) == before
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR  # pytest's own
    assert report["exit_status"] == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting tests*",
            "tests/conftest.py:6: in pytest_collection_modifyitems",
            "E   AttributeError: 'Function' object has no attribute 'get_marker'",
            '+        if item.get_closest_marker("slow"):',
        ]
    )
    result.stdout.re_match_lines([r"=+ (1 warning, )?1 error in "])  # no test ran
    (issue,) = report["issues"]  # type: ignore[misc]
    assert (issue["code"], issue["status"], issue["tests"]) == (
        "fixture.removed-api",
        "proposed",
        ["tests"],
    )

    result, report = run(pytester)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "fixed"
    assert report["rerun"]["passed"] == 1  # type: ignore[index]  # test_slow: skipped
    assert "get_closest_marker" in (pytester.path / "tests/conftest.py").read_text()


def test_a_fix_that_reveals_a_collection_hook_error(pytester: pytest.Pytester) -> None:
    """The only test module does not import: the conftest's hook sees no items and works.
    Fixing the module gives it items and the hook raises in the rerun: that is evidence (the
    module collects, the hook's error is the next round's), not a rerun that failed to run;
    both are fixed, neither is rolled back."""
    make(
        pytester,
        **{
            "tests/conftest.py": GET_MARKER_HOOK,
            "tests/test_a.py": MAPPING + "\n\ndef test_a():\n    assert Mapping\n",
        },
    )
    result, report = run(pytester)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    statuses = {(i["code"], i["status"], tuple(i["tests"])) for i in report["issues"]}  # type: ignore[attr-defined]
    assert statuses == {
        ("environment.removed-api", "fixed", ("tests/test_a.py",)),
        ("fixture.removed-api", "fixed", ("tests",)),
    }
    result.stdout.fnmatch_lines(["after autofix: 1 passed (verified by rerun)"])
    assert "get_closest_marker" in (pytester.path / "tests/conftest.py").read_text()


def test_a_collection_hook_error_no_fixer_knows(pytester: pytest.Pytester) -> None:
    """A module the rootdir's conftest names in ``pytest_plugins`` raises in
    ``pytest_itemcollected`` once items exist (after the test module's fix): the module's fix
    is kept, the hook's error is reported as the rootdir's, and the status is plain pytest's
    on the project as it is now (3)."""
    make(
        pytester,
        **{
            "conftest.py": "pytest_plugins = ['helpers']\n",
            "helpers.py": (
                "def pytest_itemcollected(item):\n"
                "    raise RuntimeError('the lab server is down')\n"
            ),
            "tests/test_a.py": MAPPING + "\n\ndef test_a():\n    assert Mapping\n",
        },
    )
    result, report = run(pytester)
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR, result.stdout.str()
    assert report["exit_status"] == pytest.ExitCode.INTERNAL_ERROR
    statuses = {(i["status"], tuple(i["tests"])) for i in report["issues"]}  # type: ignore[attr-defined]
    assert statuses == {("fixed", ("tests/test_a.py",)), ("unfixable", (".",))}
    assert "collections.abc" in (pytester.path / "tests/test_a.py").read_text()
    assert pytester.runpytest_subprocess().ret == pytest.ExitCode.INTERNAL_ERROR


def test_four_layers_behind_one_another_in_one_run(pytester: pytest.Pytester) -> None:
    """A conftest that does not import hides a module that does not collect, which hides a
    collection hook that crashes once items exist, which hides the tests' own removed APIs:
    one round each, all within the default number of rounds."""
    pytester.makepyprojecttoml(
        '[tool.pytest.ini_options]\nfilterwarnings = ["error"]\nmarkers = ["slow"]\n'
    )
    pytester.makeconftest(
        """
        import pytest


        @pytest.yield_fixture
        def res():
            yield 3


        def pytest_collection_modifyitems(session, config, items):
            for item in items:
                if item.get_marker("slow"):
                    item.add_marker(pytest.mark.skip)
        """
    )
    pytester.makepyfile(
        test_p="""
        import pytest


        def test_raises(res):
            with pytest.raises(ValueError, message="boom"):
                raise ValueError("boom")


        @pytest.mark.parametrize("n", (i for i in range(2)))
        def test_gen(n):
            assert n < 2
        """
    )
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    assert result.ret == 0, result.stdout.str()
    assert sorted((i["message"], i["status"]) for i in report["issues"]) == [
        ("get_marker was removed in pytest 4.1: get_closest_marker", "fixed"),
        ("parametrize over a non-Collection iterable is deprecated (pytest 9)", "fixed"),
        ("pytest.raises(message=...) was removed in pytest 5.0", "fixed"),
        ("pytest.yield_fixture is deprecated", "fixed"),
    ]
    assert result.outlines[-1] == "after autofix: 3 passed (verified by rerun)"
