"""Before/after examples of ``environment.nose-tools``: nose, which no longer installs or imports
on current Python, migrated to pytest and the standard library (``environment.dead-package``).

The issue comes from a real pytest run (nose is not installed here, as on any Python >= 3.12
where it cannot import); the fixes are checked with ``pytest_autofix.testing.assert_fix``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_autofix.engine.classify import Context, classify
from pytest_autofix.engine.rules import failing
from pytest_autofix.fixers.environment import NoseTools
from pytest_autofix.fixers.environment.missing_package import MissingPackage
from pytest_autofix.model import Issue
from pytest_autofix.testing import assert_fix, issues_from_run

OLD = {
    "tests/__init__.py": "",
    "tests/test_nose.py": """\
        from nose.tools import assert_equal, assert_raises

        def test_sum():
            assert_equal(1 + 1, 2)
        """,
    "tests/test_skip.py": """\
        from nose import SkipTest

        def test_skip():
            raise SkipTest("later")
        """,
}


@pytest.fixture(scope="module")
def issue(tmp_path_factory: pytest.TempPathFactory) -> Issue:
    root = tmp_path_factory.mktemp("nose")
    issues = issues_from_run(OLD, root)
    assert [(i.code, i.details.get("key")) for i in issues] == [
        ("environment.dead-package", "nose")
    ]
    assert issues[0].details["package"] == "nose"
    assert sorted(issues[0].tests) == ["tests/test_nose.py", "tests/test_skip.py"]
    return issues[0]


def fix(issue: Issue, before: str, after: str | None, **kwargs: object) -> None:
    assert_fix(
        NoseTools(),
        issue,
        {"tests/__init__.py": "", "tests/test_nose.py": before},
        None if after is None else {"tests/test_nose.py": after},
        **kwargs,  # type: ignore[arg-type]
    )


def test_assertions_become_assert_statements(issue: Issue) -> None:
    before = """\
        from nose.tools import (assert_equal, assert_not_equal, assert_true, assert_false,
                                assert_in, assert_is_none, assert_is_not, eq_, ok_,
                                assert_is_instance, assert_greater_equal, assert_not_in)

        def test_all(x, items):
            assert_equal(x, 2)
            assert_equal(x, 2, "x is wrong")
            assert_equal(x, 2, msg="x is wrong")
            assert_not_equal(x or 1, items)
            assert_true(x > 1)
            assert_false(x and items)
            assert_false(x == 1)
            assert_in(x, items)
            assert_not_in(x, items, "present")
            assert_is_none(items.get(x))
            assert_is_not(x, None)
            eq_(x < 3, True, "%r" % x)
            ok_(items)
            assert_is_instance(x, int)
            assert_greater_equal(x, -1)
            assert_equal(x,
                         lambda: 1)
        """
    after = """\
        def test_all(x, items):
            assert x == 2
            assert x == 2, "x is wrong"
            assert x == 2, "x is wrong"
            assert (x or 1) != items
            assert x > 1
            assert not (x and items)
            assert not x == 1
            assert x in items
            assert x not in items, "present"
            assert items.get(x) is None
            assert x is not None
            assert (x < 3) == True, "%r" % x
            assert items
            assert isinstance(x, int)
            assert x >= -1
            assert x == (lambda: 1)
        """
    fix(issue, before, after, confidence=0.9, safe=True)


def test_comments_inside_a_rewritten_call_are_kept_above_it(issue: Issue) -> None:
    before = """\
        from nose.tools import assert_equal, \\
            assert_raises

        def test_a(x, y):
            assert_equal(x,  # the result
                         y)  # trailing
            assert_raises(ValueError, int,  # parse
                          "x")
        """
    after = """\
        import pytest

        def test_a(x, y):
            # the result
            assert x == y  # trailing
            # parse
            with pytest.raises(ValueError):
                int("x")
        """
    fix(issue, before, after)


def test_the_lines_above_a_removed_import_stay(issue: Issue) -> None:
    before = """\
        from __future__ import unicode_literals

        # the helpers
        from nose.tools import eq_
        import os


        def test_a():
            eq_(os.sep, "/")
        """
    after = """\
        from __future__ import unicode_literals

        # the helpers
        import os


        def test_a():
            assert os.sep == "/"
        """
    fix(issue, before, after)


def test_operands_spanning_lines_get_parentheses_only_when_they_need_them(issue: Issue) -> None:
    before = """\
        from nose.tools import eq_

        def test_a(x, a, b):
            eq_(x, {"a",
                    "b"})
            eq_(a +
                b, x)
        """
    after = """\
        def test_a(x, a, b):
            assert x == {"a",
                    "b"}
            assert (a +
                b) == x
        """
    fix(issue, before, after)


def test_the_camel_case_setup_nose_ran_in_plain_classes(issue: Issue) -> None:
    before = """\
        import unittest
        from nose.tools import ok_

        class TestPlain(object):
            def setUp(self):
                self.x = 1

            def tearDown(self):
                self.x = None

            def test_x(self):
                ok_(self.x)

        class TestBoth:
            def setup(self):
                self.x = 1

            def setUp(self):
                self.y = 2

        class TestCalled:
            def setUp(self):
                self.x = 1

            def test_again(self):
                self.setUp()

        class TestCase(unittest.TestCase):
            def setUp(self):
                self.x = 1
        """
    after = """\
        import unittest

        class TestPlain(object):
            def setup_method(self):
                self.x = 1

            def teardown_method(self):
                self.x = None

            def test_x(self):
                assert self.x

        class TestBoth:
            def setup(self):
                self.x = 1

            def setUp(self):
                self.y = 2

        class TestCalled:
            def setUp(self):
                self.x = 1

            def test_again(self):
                self.setUp()

        class TestCase(unittest.TestCase):
            def setUp(self):
                self.x = 1
        """
    result = assert_fix(
        NoseTools(),
        issue,
        {"tests/__init__.py": "", "tests/test_nose.py": before},
        {"tests/test_nose.py": after},
        confidence=0.9,
    )
    assert result.fix is not None
    assert "TestPlain.setUp and tests/test_nose.py::TestPlain.tearDown" in result.fix.description


def test_a_renamed_setup_s_comments_name_its_new_name(issue: Issue) -> None:
    """The comments attached to a renamed ``setUp``/``tearDown`` that name it say
    ``setup_method``/``teardown_method``; the others stay."""
    before = """\
        from nose.tools import ok_

        class TestPlain:
            # setUp runs before each test
            def setUp(self):  # setUp, like unittest's setUp and TestCase.setUp
                # tearDown undoes this
                self.x = 1

            def tearDown(self):
                # undoes setUp
                self.x = None

            def test_x(self):
                ok_(self.x)  # set by setUp
        """
    after = """\
        class TestPlain:
            # setup_method runs before each test
            def setup_method(self):  # setup_method, like unittest's setUp and TestCase.setUp
                # tearDown undoes this
                self.x = 1

            def teardown_method(self):
                # undoes setUp
                self.x = None

            def test_x(self):
                assert self.x  # set by setUp
        """
    fix(issue, before, after)


def test_raises_in_its_three_forms(issue: Issue) -> None:
    before = """\
        import nose.tools as nt
        from nose.tools import raises, assert_raises, assert_raises_regexp

        def test_call_form():
            nt.assert_raises(ValueError, int, "x", base=10)

        def test_context_form():
            with assert_raises(KeyError) as cm:
                {}["k"]
            assert cm.exception.args == ("k",)

        def test_regex():
            assert_raises_regexp(ValueError, "invalid", int, "x")

        @raises(TypeError, ValueError)
        def test_decorated():
            \"\"\"It raises.\"\"\"
            int(None)
        """
    after = """\
        import pytest

        def test_call_form():
            with pytest.raises(ValueError):
                int("x", base=10)

        def test_context_form():
            with pytest.raises(KeyError) as cm:
                {}["k"]
            assert cm.value.args == ("k",)

        def test_regex():
            with pytest.raises(ValueError, match="invalid"):
                int("x")

        def test_decorated():
            \"\"\"It raises.\"\"\"
            with pytest.raises((TypeError, ValueError)):
                int(None)
        """
    fix(issue, before, after, confidence=0.9)


def test_almost_equal_is_unittests_rule_exactly(issue: Issue) -> None:
    before = """\
        from nose.tools import assert_almost_equal, assert_not_almost_equal

        def test_close(a, b):
            assert_almost_equal(a, b)
            assert_almost_equal(a, b, places=3)
            assert_almost_equal(a, b, delta=0.5, msg="far")
            assert_not_almost_equal(a, 2.0)
            assert_almost_equal(total(a), b - 1)
        """
    after = """\
        def test_close(a, b):
            assert a == b or round(abs(a - b), 7) == 0
            assert a == b or round(abs(a - b), 3) == 0
            assert a == b or abs(a - b) <= 0.5, "far"
            assert a != 2.0 and round(abs(a - 2.0), 7) != 0
            assert round(abs(total(a) - (b - 1)), 7) == 0
        """
    fix(issue, before, after)


def test_nottest_istest_skiptest_and_regex(issue: Issue) -> None:
    before = """\
        import nose
        from nose.tools import nottest, istest, assert_regexp_matches
        from nose.plugins.skip import SkipTest as Skip

        @nottest
        def helper_test():
            pass

        @nottest
        class TestBase:
            \"\"\"Not collected.\"\"\"
            x = 1

        @istest
        def test_named():
            assert_regexp_matches("abc", "b+")
            raise Skip("no")

        def test_attr():
            raise nose.SkipTest
        """
    after = """\
        import re
        import unittest
        from unittest import SkipTest as Skip

        def helper_test():
            pass
        helper_test.__test__ = False

        class TestBase:
            \"\"\"Not collected.\"\"\"
            __test__ = False
            x = 1

        def test_named():
            assert re.search("b+", "abc")
            raise Skip("no")

        def test_attr():
            raise unittest.SkipTest
        """
    fix(issue, before, after, confidence=0.9)


def test_runmodule_runs_pytest_on_the_file(issue: Issue) -> None:
    before = """\
        import nose

        def test_x():
            pass

        if __name__ == "__main__":
            nose.runmodule()
        """
    after = """\
        import pytest

        def test_x():
            pass

        if __name__ == "__main__":
            pytest.main([__file__])
        """
    fix(issue, before, after, confidence=0.9)


def test_attr_becomes_marks_unsafely(issue: Issue) -> None:
    before = """\
        from nose.plugins.attrib import attr

        @attr("slow", speed="fast")
        def test_slow():
            pass
        """
    after = """\
        import pytest

        @pytest.mark.slow
        @pytest.mark.speed("fast")
        def test_slow():
            pass
        """
    fix(issue, before, after, confidence=0.85, safe=False, description="`-m` selects")


def test_a_use_with_no_exact_rewrite_keeps_the_file(issue: Issue) -> None:
    before = """\
        from nose.tools import timed, assert_equal

        @timed(1.0)
        def test_x():
            assert_equal(1, 1)

        check = lambda: assert_equal(1, 2)
        """
    result = assert_fix(
        NoseTools(), issue, {"tests/__init__.py": "", "tests/test_nose.py": before}, None
    )
    assert result.fix is not None
    assert "timed(1.0)" in result.fix.description
    assert "assert_equal" in result.fix.description
    assert "pip install nose" in result.fix.description


def test_with_setup_runs_around_the_test_as_nose_ran_it(issue: Issue) -> None:
    before = """\
        from nose.tools import with_setup, raises

        def start():
            pass

        def stop():
            pass

        @with_setup(start, stop)
        def test_both():
            \"\"\"Doc.\"\"\"
            assert start

        @with_setup(teardown=stop)
        @raises(KeyError)
        def test_teardown_only():
            {}["k"]

        @with_setup(start)
        def test_setup_only(): assert stop
        """
    after = """\
        import pytest

        def start():
            pass

        def stop():
            pass

        def test_both():
            \"\"\"Doc.\"\"\"
            start()
            try:
                assert start
            finally:
                stop()

        def test_teardown_only():
            try:
                with pytest.raises(KeyError):
                    {}["k"]
            finally:
                stop()

        def test_setup_only():
            start()
            assert stop
        """
    fix(issue, before, after, confidence=0.9)


def test_every_project_file_that_imports_nose_is_migrated(issue: Issue) -> None:
    before = {
        "tests/__init__.py": "",
        "tests/test_nose.py": "from nose.tools import eq_\n\ndef test_a():\n    eq_(1, 1)\n",
        "tests/test_skip.py": "from nose import SkipTest\n",
        "tests/helpers.py": "import nose.tools\n\ndef check(x):\n    nose.tools.ok_(x)\n",
    }
    after = {
        "tests/test_nose.py": "def test_a():\n    assert 1 == 1\n",
        "tests/test_skip.py": "\n",
        "tests/helpers.py": "def check(x):\n    assert x\n",
    }
    assert_fix(NoseTools(), issue, before, after, dedent=False)


def test_nose_on_python_312_is_the_same_issue() -> None:
    """Installed nose fails on ``import imp`` (Python 3.12): the issue is nose, not imp."""
    failure = failing(
        "ModuleNotFoundError",
        "No module named 'imp'",
        source="from nose.tools import eq_",
        phase="collect",
        module="imp",
        origin="missing",
    )
    from pytest_autofix.catalogue import builtin

    match = classify(failure, Context(frozenset(), builtin))
    assert (match.code, match.key) == ("environment.dead-package", "nose")


def test_missing_package_never_says_install_nose(issue: Issue, tmp_path: Path) -> None:
    """The dead package is not routed to the missing-package fixer at all."""
    from pytest_autofix.engine.route import fixers_for

    assert fixers_for(issue, [MissingPackage()]) == []
