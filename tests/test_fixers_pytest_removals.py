"""Before/after examples of ``fixture.pytest-removals``: pytest APIs removed since pytest 4.0
with a mechanical fix, and pytest 9's deprecation of parametrize over an iterator.

The issues come from one real pytest run (pytest as installed, 9.x) of code written for an old
pytest: classification is checked on what the run really raised, then each fix is checked with
``pytest_autofix.testing.assert_fix``, planned as the engine plans it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_autofix.fixers.fixtures import PytestRemovals
from pytest_autofix.model import Issue, IssueKind
from pytest_autofix.project import Project
from pytest_autofix.testing import assert_fix, issue_from_run, issues_from_run

OLD = {
    "test_renamed.py": """\
        import pytest

        def test_funcargnames(request):
            assert "request" in request.funcargnames

        def test_getfuncargvalue(request):
            assert request.getfuncargvalue("tmp_path").exists()

        @pytest.mark.slow
        def test_get_marker(request):
            assert request.node.get_marker("slow").name == "slow"
        """,
    "test_module_attrs.py": """\
        import pytest

        def test_config():
            assert pytest.config.getoption("verbose") >= 0

        def test_collect():
            assert pytest.collect.Item is pytest.Item

        def test_instance():
            assert pytest.Instance
        """,
    "test_raises.py": """\
        import pytest

        def test_raises_message():
            with pytest.raises(ValueError, message="expected a ValueError"):
                int("x")
        """,
    "test_fixture_args.py": """\
        import pytest

        @pytest.fixture("module", [1, 2])
        def number(request):
            return request.param

        def test_number(number):
            assert number in (1, 2)
        """,
    "test_params.py": """\
        import pytest

        @pytest.mark.parametrize("a", (i for i in range(3)))
        def test_gen(a):
            assert a >= 0
        """,
}


@pytest.fixture(scope="module")
def issues(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Issue]:
    """The issues of one real run of ``OLD``, by their key (the warning as an error)."""
    root = tmp_path_factory.mktemp("old")
    found = issues_from_run(OLD, root, "-W", "error::pytest.PytestRemovedIn10Warning")
    return {str(i.details.get("key")): i for i in found}


def test_the_run_is_classified(issues: dict[str, Issue]) -> None:
    assert {k: i.code for k, i in issues.items()} == {
        "renamed:funcargnames": "fixture.removed-api",
        "renamed:getfuncargvalue": "fixture.removed-api",
        "renamed:get_marker": "fixture.removed-api",
        "pytest-config": "fixture.removed-api",
        "pytest-collect": "fixture.removed-api",
        "pytest-instance": "fixture.removed-api",
        "raises-message": "fixture.removed-api",
        "fixture-positional": "fixture.removed-api",
        "parametrize-iterator": "fixture.removed-api",
    }
    assert issues["parametrize-iterator"].details["test"] == "test_params.py::test_gen"


@pytest.mark.parametrize(
    ("key", "line", "new", "confidence"),
    [
        (
            "renamed:funcargnames",
            'assert "request" in request.funcargnames',
            'assert "request" in request.fixturenames',
            0.95,
        ),
        (
            "renamed:getfuncargvalue",
            'assert request.getfuncargvalue("tmp_path").exists()',
            'assert request.getfixturevalue("tmp_path").exists()',
            0.95,
        ),
        (
            "renamed:get_marker",
            'assert request.node.get_marker("slow").name == "slow"',
            'assert request.node.get_closest_marker("slow").name == "slow"',
            0.85,
        ),
    ],
)
def test_renamed_methods(
    issues: dict[str, Issue], key: str, line: str, new: str, confidence: float
) -> None:
    before = OLD["test_renamed.py"]
    after = before.replace(line, new)
    assert after != before
    assert_fix(
        PytestRemovals(),
        issues[key],
        {"test_renamed.py": before},
        {"test_renamed.py": after},
        confidence=confidence,
        safe=True,
    )


def test_a_file_with_its_own_attribute_of_that_name_is_left_out(issues: dict[str, Issue]) -> None:
    before = """\
        class Node:
            def get_marker(self, name):
                return name

        def test_get_marker(request):
            assert request.node.get_marker("slow")
        """
    assert_fix(PytestRemovals(), issues["renamed:get_marker"], {"test_renamed.py": before}, None)


def test_pytest_config_in_tests_and_fixtures(issues: dict[str, Issue]) -> None:
    before = """\
        import pytest

        def test_config():
            assert pytest.config.getoption("verbose") >= 0

        class TestConfig:
            def test_method(self, tmp_path, flag=1):
                def inner():
                    return pytest.config.rootpath
                assert inner()

        @pytest.fixture
        def verbose(request):
            return pytest.config.getoption("verbose")
        """
    after = """\
        import pytest

        def test_config(pytestconfig):
            assert pytestconfig.getoption("verbose") >= 0

        class TestConfig:
            def test_method(self, tmp_path, pytestconfig, flag=1):
                def inner():
                    return pytestconfig.rootpath
                assert inner()

        @pytest.fixture
        def verbose(request):
            return request.config.getoption("verbose")
        """
    assert_fix(
        PytestRemovals(),
        issues["pytest-config"],
        {"test_module_attrs.py": before},
        {"test_module_attrs.py": after},
        confidence=0.9,
        safe=True,
    )


def test_pytest_config_at_import_time_is_a_suggestion(issues: dict[str, Issue]) -> None:
    before = """\
        import pytest

        @pytest.mark.skipif(not pytest.config.getoption("slow"), reason="slow")
        def test_slow():
            pass
        """
    result = assert_fix(
        PytestRemovals(), issues["pytest-config"], {"test_module_attrs.py": before}, None
    )
    assert result.fix is not None and "conftest hook" in result.fix.description


def test_pytest_config_partly_outside_a_test_is_left_out(issues: dict[str, Issue]) -> None:
    before = """\
        import pytest

        VERBOSE = pytest.config

        def test_config():
            assert pytest.config
        """
    result = assert_fix(
        PytestRemovals(), issues["pytest-config"], {"test_module_attrs.py": before}, None
    )
    assert result.fix is not None
    assert "1 use(s) outside a test or fixture" in result.fix.description


def test_pytest_collect_members(issues: dict[str, Issue]) -> None:
    before = OLD["test_module_attrs.py"]
    after = before.replace("pytest.collect.Item", "pytest.Item")
    assert_fix(
        PytestRemovals(),
        issues["pytest-collect"],
        {"test_module_attrs.py": before},
        {"test_module_attrs.py": after},
        confidence=0.95,
    )


def test_pytest_instance_is_a_suggestion(issues: dict[str, Issue]) -> None:
    result = assert_fix(
        PytestRemovals(),
        issues["pytest-instance"],
        {"test_module_attrs.py": OLD["test_module_attrs.py"]},
        None,
    )
    assert result.fix is not None and "isinstance(node, pytest.Instance)" in result.fix.description


def test_raises_message_is_dropped(issues: dict[str, Issue]) -> None:
    before = """\
        import pytest
        from pytest import raises, warns

        def test_raises_message():
            with pytest.raises(ValueError, message="expected a ValueError"):
                int("x")
            raises(ValueError, int, "x", message="no")
            with warns(UserWarning, match="w", message="no"):
                pass
        """
    after = """\
        import pytest
        from pytest import raises, warns

        def test_raises_message():
            with pytest.raises(ValueError):
                int("x")
            raises(ValueError, int, "x")
            with warns(UserWarning, match="w"):
                pass
        """
    assert_fix(
        PytestRemovals(),
        issues["raises-message"],
        {"test_raises.py": before},
        {"test_raises.py": after},
        confidence=0.9,
    )


def test_fixture_positional_arguments_become_keywords(issues: dict[str, Issue]) -> None:
    before = """\
        import pytest
        from pytest import fixture

        @pytest.fixture("module", [1, 2])
        def number(request):
            return request.param

        @fixture("session", None, True)
        def auto():
            return 1

        @pytest.fixture(scope="module")
        def fine():
            return pytest.fixture(fine)
        """
    after = """\
        import pytest
        from pytest import fixture

        @pytest.fixture(scope="module", params=[1, 2])
        def number(request):
            return request.param

        @fixture(scope="session", params=None, autouse=True)
        def auto():
            return 1

        @pytest.fixture(scope="module")
        def fine():
            return pytest.fixture(fine)
        """
    assert_fix(
        PytestRemovals(),
        issues["fixture-positional"],
        {"test_fixture_args.py": before},
        {"test_fixture_args.py": after},
        confidence=0.95,
    )


def test_parametrize_iterators_become_lists(issues: dict[str, Issue]) -> None:
    before = """\
        import itertools

        import pytest
        from pytest import mark

        def cases():
            yield 1

        @pytest.mark.parametrize("a", (i for i in range(3)))
        def test_gen(a):
            assert a >= 0

        @mark.parametrize(("a", "b"), zip([1], [2]))
        def test_zip(a, b):
            pass

        @pytest.mark.parametrize("a", argvalues=itertools.chain([1], [2]), ids=str)
        def test_chain(a):
            pass

        @pytest.mark.parametrize("a", cases())
        def test_unknown_call(a):
            pass

        @pytest.mark.parametrize("a", [1, 2])
        def test_list(a):
            pass
        """
    after = """\
        import itertools

        import pytest
        from pytest import mark

        def cases():
            yield 1

        @pytest.mark.parametrize("a", [i for i in range(3)])
        def test_gen(a):
            assert a >= 0

        @mark.parametrize(("a", "b"), list(zip([1], [2])))
        def test_zip(a, b):
            pass

        @pytest.mark.parametrize("a", argvalues=list(itertools.chain([1], [2])), ids=str)
        def test_chain(a):
            pass

        @pytest.mark.parametrize("a", cases())
        def test_unknown_call(a):
            pass

        @pytest.mark.parametrize("a", [1, 2])
        def test_list(a):
            pass
        """
    assert_fix(
        PytestRemovals(),
        issues["parametrize-iterator"],
        {"test_params.py": before},
        {"test_params.py": after},
        confidence=0.95,
    )


def test_the_named_test_gets_a_list_whatever_its_argvalues(issues: dict[str, Issue]) -> None:
    before = """\
        import pytest

        def cases():
            yield 1

        @pytest.mark.parametrize("a", cases())
        def test_gen(a):
            pass
        """
    after = before.replace('"a", cases()', '"a", list(cases())')
    assert_fix(
        PytestRemovals(),
        issues["parametrize-iterator"],
        {"test_params.py": before},
        {"test_params.py": after},
    )


def test_other_apis_are_not_its(issues: dict[str, Issue], tmp_path: Path) -> None:
    issue = Issue(
        id="x",
        kind=IssueKind.FIXTURE,
        code="fixture.removed-api",
        message="",
        path="test_a.py",
        details={"api": "msg-kwarg"},
    )
    assert list(PytestRemovals().propose(issue, Project(tmp_path))) == []


# -- hooks that take the py.path arguments pytest 9 removed -----------------------------------

HOOK_ERROR = (
    "Plugin '{root}/tests/conftest.py' for hook 'pytest_collect_file'\n"
    "hookimpl definition: pytest_collect_file(parent, path)\n"
    "Argument(s) {{'path'}} are declared in the hookimpl but can not be found in the hookspec"
)


@pytest.fixture
def hook_issue(tmp_path: Path) -> Issue:
    """The issue of pytest 9.2's refusal, as a run with --autofix collects it (the text is
    pytest 9.2's)."""
    from pytest_autofix.catalogue import builtin
    from pytest_autofix.engine.classify import Context, classify
    from pytest_autofix.engine.rules import failing

    failure = failing(
        "pluggy._manager.PluginValidationError",
        HOOK_ERROR.format(root=tmp_path),
        where=None,
        phase="collect",
        test="tests",
        exc_mro=["pluggy._manager.PluginValidationError", "Exception"],
        node_path="tests",
    )
    verdict = classify(failure, Context(frozenset(), builtin))
    assert (verdict.code, verdict.key) == ("fixture.removed-api", "hook-path-args")
    assert verdict.details["new"] == "file_path"
    return Issue(
        id="hooks",
        kind=IssueKind.FIXTURE,
        code=verdict.code,
        message=verdict.message,
        path="tests",
        details=dict(verdict.details),
    )


def test_hook_path_arguments_become_pathlib(hook_issue: Issue, tmp_path: Path) -> None:
    before = """\
        import os


        def pytest_collect_file(parent, path):
            if path.ext == ".yaml" and path.basename.startswith("test"):
                return YamlFile.from_parent(parent, fspath=path, path_kind=parent.path)
            if os.path.exists(str(path)) and f"{path}".endswith(".cfg"):
                return None


        def pytest_ignore_collect(path, config):
            return path.purebasename == "skip" or path.strpath.endswith("~")


        def pytest_report_header(config, startdir):
            def inner(path):
                return path
            return f"under {startdir}, {inner(1)}"
        """
    after = """\
        import os


        def pytest_collect_file(parent, file_path):
            if file_path.suffix == ".yaml" and file_path.name.startswith("test"):
                return YamlFile.from_parent(parent, path=file_path, path_kind=parent.path)
            if os.path.exists(str(file_path)) and f"{file_path}".endswith(".cfg"):
                return None


        def pytest_ignore_collect(collection_path, config):
            return collection_path.stem == "skip" or str(collection_path).endswith("~")


        def pytest_report_header(config, start_path):
            def inner(path):
                return path
            return f"under {start_path}, {inner(1)}"
        """
    assert_fix(
        PytestRemovals(),
        hook_issue,
        {"tests/conftest.py": before},
        {"tests/conftest.py": after},
        confidence=0.9,
        safe=True,
        rootdir=tmp_path,
    )


def test_a_py_path_method_makes_the_rename_unsafe(hook_issue: Issue, tmp_path: Path) -> None:
    before = """\
        def pytest_collect_file(parent, path):
            if path.check(file=1) and helper(path):
                return None
        """
    after = """\
        def pytest_collect_file(parent, file_path):
            if file_path.check(file=1) and helper(file_path):
                return None
        """
    result = assert_fix(
        PytestRemovals(),
        hook_issue,
        {"tests/conftest.py": before},
        {"tests/conftest.py": after},
        confidence=0.7,
        safe=False,
        rootdir=tmp_path,
    )
    assert result.fix is not None and "path.check" in result.fix.description


def test_a_conftest_with_old_hook_arguments_is_fixed_in_a_real_session(
    pytester: pytest.Pytester,
) -> None:
    """pytest 9 refuses the conftest.py while it starts; with --autofix the run goes on, the
    refusal is a collection error, and the fix is verified by the rerun."""
    pytester.makeini("[pytest]\n")
    pytester.makeconftest(
        """
        import pytest


        class YamlFile(pytest.File):
            def collect(self):
                yield YamlItem.from_parent(self, name=self.path.stem)


        class YamlItem(pytest.Item):
            def runtest(self):
                assert self.path.read_text().strip() == "ok"


        def pytest_collect_file(parent, path):
            if path.ext == ".yaml" and path.basename.startswith("test"):
                return YamlFile.from_parent(parent, fspath=path)
        """
    )
    (pytester.path / "test_data.yaml").write_text("ok\n")
    plain = pytester.runpytest_subprocess()
    assert "can not be found in the hookspec" in plain.stderr.str() + plain.stdout.str()
    result = pytester.runpytest_subprocess("--autofix")
    result.stdout.fnmatch_lines(["*fixed*fixture.removed-api*pytest_collect_file(path)*"])
    assert (
        "def pytest_collect_file(parent, file_path):" in (pytester.path / "conftest.py").read_text()
    )
    assert pytester.runpytest_subprocess().ret == 0


# -- pytest_funcarg__ factories (removed in pytest 4.0) ---------------------------------------


def test_a_funcarg_factory_becomes_a_fixture(tmp_path: Path) -> None:
    from pytest_autofix.fixers.fixtures import FuncargPrefix

    before = {
        "tests/test_db.py": """\
            import pytest


            def pytest_funcarg__db(request):
                \"\"\"The database.\"\"\"
                return {"rows": 2}


            class TestRows:
                def test_rows(self, db):
                    assert db["rows"] == 2
            """,
    }
    issue = issue_from_run(before, tmp_path, code="fixture.not-found")
    after = textwrap.dedent(before["tests/test_db.py"]).replace(
        "def pytest_funcarg__db(request):", "@pytest.fixture\ndef db(request):"
    )
    assert_fix(
        FuncargPrefix(),
        issue,
        before,
        {"tests/test_db.py": after},
        confidence=0.95,
        safe=True,
        rootdir=tmp_path,
    )


def test_a_funcarg_factory_read_by_name_is_left(tmp_path: Path) -> None:
    from pytest_autofix.fixers.fixtures import FuncargPrefix

    before = {
        "test_db.py": """\
            def pytest_funcarg__db(request):
                return 1


            FACTORY = pytest_funcarg__db


            def test_rows(db):
                assert db
            """,
    }
    issue = issue_from_run(before, tmp_path, code="fixture.not-found")
    result = assert_fix(FuncargPrefix(), issue, before, None, rootdir=tmp_path)
    assert result.fix is not None and "reads pytest_funcarg__db by name" in result.fix.description


# -- pytest.importorskip and ImportError (pytest 9.1) -----------------------------------------


def test_importorskip_of_a_broken_module_gets_its_old_skip_back(tmp_path: Path) -> None:
    files = {
        "brokenlib/__init__.py": 'raise ImportError("libfoo.so: cannot open shared object")\n',
        "tests/test_fast.py": """\
            import pytest
            from pytest import importorskip

            fast = pytest.importorskip("brokenlib")
            other = importorskip("brokenlib", minversion="1.0",)
            done = pytest.importorskip("brokenlib", exc_type=ImportError)


            def test_fast():
                assert fast
            """,
    }
    issue = issue_from_run(files, tmp_path, code="fixture.removed-api")
    assert issue.details["api"] == "importorskip-import-error"
    after = """\
        import pytest
        from pytest import importorskip

        fast = pytest.importorskip("brokenlib", exc_type=ImportError)
        other = importorskip("brokenlib", minversion="1.0", exc_type=ImportError)
        done = pytest.importorskip("brokenlib", exc_type=ImportError)


        def test_fast():
            assert fast
        """
    result = assert_fix(
        PytestRemovals(),
        issue,
        files,
        {"tests/test_fast.py": after},
        confidence=0.7,
        safe=True,
        rootdir=tmp_path,
    )
    assert result.fix is not None and "pytest < 9.1" in result.fix.description


def test_another_refused_conftest_still_stops_the_run(pytester: pytest.Pytester) -> None:
    """Only the refusal a fixer repairs goes on to the session: a hook argument no version of
    pytest had stops the run with --autofix as without it."""
    pytester.makeini("[pytest]\n")
    pytester.makeconftest("def pytest_collect_file(parent, pathh):\n    return None\n")
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    result = pytester.runpytest_subprocess("--autofix")
    assert result.ret != 0
    assert "can not be found in the hookspec" in result.stdout.str() + result.stderr.str()
    assert "def pytest_collect_file(parent, pathh):" in (pytester.path / "conftest.py").read_text()


# -- yield tests (removed in pytest 4.0) ------------------------------------------------------


def test_yield_tests_call_each_check_in_turn(tmp_path: Path) -> None:
    before = {
        "tests/test_gen.py": """\
            def check(a, b):
                assert a == b


            def test_pairs():
                \"\"\"nose generated one test per pair.\"\"\"
                for a in range(3):
                    yield check, a, a
                yield check, 1, *[1]


            class TestChecks:
                def test_method(self):
                    yield self.check_one

                def check_one(self):
                    assert True
            """,
    }
    issue = issue_from_run(before, tmp_path, code="fixture.removed-api")
    assert issue.details["api"] == "yield-tests"
    after = """\
        def check(a, b):
            assert a == b


        def test_pairs():
            \"\"\"nose generated one test per pair.\"\"\"
            for a in range(3):
                check(a, a)
            check(1, *[1])


        class TestChecks:
            def test_method(self):
                self.check_one()

            def check_one(self):
                assert True
        """
    assert_fix(
        PytestRemovals(),
        issue,
        before,
        {"tests/test_gen.py": after},
        confidence=0.85,
        safe=True,
        rootdir=tmp_path,
    )


@pytest.mark.parametrize(
    "source",
    [
        # nose ran the class's setup around each yielded check
        "class TestS:\n    def setup_method(self):\n        pass\n\n"
        "    def test_m(self):\n        yield print, 1\n",
        # a yield used as a value is no yield test
        "def test_v():\n    x = yield\n    yield print, x\n",
    ],
)
def test_yield_tests_not_the_same_program_are_left(tmp_path: Path, source: str) -> None:
    issue = Issue(
        id="y",
        kind=IssueKind.FIXTURE,
        code="fixture.removed-api",
        message="",
        path="tests/test_gen.py",
        details={"api": "yield-tests"},
    )
    result = assert_fix(
        PytestRemovals(), issue, {"tests/test_gen.py": source}, None, count=1, dedent=False
    )
    assert result.fix is not None and "not done: yield tests" in result.fix.description
