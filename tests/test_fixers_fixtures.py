"""Before/after examples of the fixture fixers, by :func:`pytest_autofix.testing.assert_fix`.

Each test gives a small project and builds the issue the classifier makes from the failure facts
capture records (the same fields, as a real run records them for ``examples/fixtures``);
``assert_fix`` asks the fixer, plans its best fix as the engine plans it (every transform on the
file's parse, the result compiled, the transaction's path rules) and compares the files exactly.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_autofix.catalogue import builtin
from pytest_autofix.engine.classify import Context, group
from pytest_autofix.fixers.fixtures import (
    FixtureCalledDirectly,
    FixtureNotVisible,
    FixtureRenamed,
    FixtureScopeMismatch,
    FixtureUndecorated,
    PytestRemovedApi,
)
from pytest_autofix.model import Failure, Fix, Fixer, Frame, Issue
from pytest_autofix.testing import Files, assert_fix

BUILTINS = [
    "cache",
    "capfd",
    "caplog",
    "capsys",
    "doctest_namespace",
    "monkeypatch",
    "pytestconfig",
    "record_property",
    "recwarn",
    "request",
    "tmp_path",
    "tmp_path_factory",
    "tmpdir",
    "tmpdir_factory",
]


def issue_of(*failures: Failure) -> Issue:
    issues = group(failures, Context(frozenset(), builtin()))
    assert len(issues) == 1, issues
    return issues[0]


def failure(
    nodeid: str,
    when: str,
    exc_type: str,
    message: str,
    facts: dict[str, Any],
    frame: tuple[str, int, str, str] | None = None,
) -> Failure:
    at = Frame(path=frame[0], line=frame[1], function=frame[2], source=frame[3]) if frame else None
    mro = [exc_type, "Exception"]
    all_facts = {"exc_type": exc_type, "exc_mro": mro, "message": message, **facts}
    all_facts["node_path"] = nodeid.partition("::")[0]
    return Failure(
        nodeid=nodeid,
        when=when,  # type: ignore[arg-type]
        exc_type=exc_type,
        message=message,
        facts=all_facts,
        frame=at,
    )


def not_found(argname: str, nodeid: str, line: int, visible: list[str]) -> Failure:
    """What capture records for a ``FixtureLookupError`` (``request_line``: the ``def``)."""
    facts = {
        "argname": argname,
        "request_path": nodeid.partition("::")[0],
        "request_line": line,
        "available": sorted({*BUILTINS, *visible}),
        "recursive": False,
        "requester": nodeid.rpartition("::")[2],
    }
    exc = "_pytest.fixtures.FixtureLookupError"
    return failure(nodeid, "setup", exc, f"fixture {argname!r} not found", facts)


def scope_mismatch(narrow: str, wide: str, wide_scope: str, at: str, line: int) -> Failure:
    message = (
        f"ScopeMismatch: You tried to access the function scoped fixture {narrow} with a "
        f"{wide_scope} scoped request object. Requesting fixture stack:\n"
        f"{at}:{line}:  def {wide}({narrow})\nRequested fixture:\n"
        f"../venv/lib/python3.11/site-packages/_pytest/x.py:1:  def {narrow}()"
    )
    return failure("tests/test_x.py::test_x", "setup", "Failed", message, {})


def called_directly(fixture: str, nodeid: str, line: int, function: str, source: str) -> Failure:
    message = f'Fixture "{fixture}" called directly. Fixtures are not meant to be called directly,'
    at = (nodeid.partition("::")[0], line, function, source)
    return failure(nodeid, "call", "Failed", message, {}, at)


def nose(nodeid: str, cls: str, line: int, methods: list[str], assigns: list[str]) -> Failure:
    facts = {
        "attr": assigns[0],
        "obj_kind": "instance",
        "test_class": cls,
        "class_is_unittest": False,
        "nose_methods": methods,
        "nose_assigns": assigns,
    }
    message = f"'{cls}' object has no attribute '{assigns[0]}'"
    frame = (nodeid.partition("::")[0], line, nodeid.rpartition("::")[2], "")
    return failure(nodeid, "call", "AttributeError", message, facts, frame)


def removed(nodeid: str, exc: str, message: str, line: int, source: str) -> Failure:
    frame = (nodeid.partition("::")[0], line, nodeid.rpartition("::")[2], source)
    return failure(nodeid, "call", exc, message, {}, frame)


def checked(fixer: Fixer, issue: Issue, before: Files, after: Files, **kw: Any) -> Fix:
    """:func:`assert_fix`; the fix it checked."""
    result = assert_fix(fixer, issue, before, after, **kw)
    assert result.fix is not None
    return result.fix


def suggested(fixer: Fixer, issue: Issue, before: Files) -> tuple[Fix, ...]:
    """The fixer's fixes, best first, when none of them has edits."""
    return assert_fix(fixer, issue, before, None).fixes


CONFTEST = """\
    import pytest


    @pytest.fixture
    def stock():
        return {"apple": 3}
    """


# -- fixture.not-found: a misspelling ----------------------------------------------------------


def test_misspelled_fixture_renamed_in_every_requester_and_use() -> None:
    before = {
        "tests/conftest.py": CONFTEST,
        "tests/test_a.py": """\
                def test_add(stokc):
                    stokc["apple"] += 1

                    def inner():
                        return stokc

                    def shadow(stokc=None):
                        return stokc

                    assert inner()["apple"] == 4


                def test_size(stock):
                    assert stock
                """,
        "tests/test_b.py": "def test_other(stokc):\n    assert stokc\n",
    }
    issue = issue_of(not_found("stokc", "tests/test_a.py::test_add", 1, ["stock"]))
    fix = checked(
        FixtureRenamed(),
        issue,
        before,
        {
            "tests/test_a.py": """\
            def test_add(stock):
                stock["apple"] += 1

                def inner():
                    return stock

                def shadow(stokc=None):
                    return stokc

                assert inner()["apple"] == 4


            def test_size(stock):
                assert stock
            """,
            # not run this time (or deselected): it requests the same missing name
            "tests/test_b.py": "def test_other(stock):\n    assert stock\n",
        },
    )
    assert fix.confidence == 0.95 and fix.safe
    assert "misspelling of 'stock'" in fix.description


def test_a_renamed_fixture_is_renamed_in_usefixtures_marks_too() -> None:
    """The tests that use the misspelled fixture by a usefixtures mark (on a function, a
    class, a module's pytestmark) fail the same way: their marks are renamed with the
    parameters, in test modules only."""
    before = {
        "tests/conftest.py": CONFTEST,
        "tests/test_a.py": """\
                import pytest


                def test_add(stokc):
                    assert stokc


                @pytest.mark.usefixtures("stokc", "tmp_path")
                def test_marked():
                    pass


                @pytest.mark.usefixtures('stokc')
                class TestMarked:
                    def test_x(self):
                        pass
                """,
        "tests/test_b.py": """\
                import pytest

                pytestmark = pytest.mark.usefixtures("stokc")


                def test_b():
                    pass
                """,
        "tests/other.py": "MARK = 'usefixtures(\"stokc\")'  # not a test module\n",
    }
    issue = issue_of(not_found("stokc", "tests/test_a.py::test_add", 4, ["stock"]))
    after = {
        "tests/test_a.py": """\
            import pytest


            def test_add(stock):
                assert stock


            @pytest.mark.usefixtures("stock", "tmp_path")
            def test_marked():
                pass


            @pytest.mark.usefixtures('stock')
            class TestMarked:
                def test_x(self):
                    pass
            """,
        "tests/test_b.py": """\
            import pytest

            pytestmark = pytest.mark.usefixtures("stock")


            def test_b():
                pass
            """,
        "tests/other.py": before["tests/other.py"],  # not a test module: unchanged
    }
    fix = checked(FixtureRenamed(), issue, before, after)
    assert "and the usefixtures marks of 2 module(s)" in fix.description


def test_renamed_fixture_that_says_so_renames_the_users() -> None:
    before = {
        "tests/conftest.py": """\
                import pytest


                @pytest.fixture
                def customer():  # renamed from `user`
                    return "ada"
                """,
        "tests/test_c.py": """\
                def test_vip(user):
                    assert user


                def test_customer(customer):
                    assert customer
                """,
    }
    issue = issue_of(not_found("user", "tests/test_c.py::test_vip", 1, ["customer"]))
    fix = checked(
        FixtureRenamed(),
        issue,
        before,
        {
            "tests/test_c.py": """\
            def test_vip(customer):
                assert customer


            def test_customer(customer):
                assert customer
            """
        },
    )
    assert fix.confidence == 0.9 and fix.safe


def test_renamed_fixture_nobody_requests_has_its_users_renamed() -> None:
    """Nothing requests the new name and three tests request the old one: the users follow the
    rename, as a reviewer of that refactoring expects; giving the fixture its old name back is
    the alternative, one edit."""
    before = {
        "tests/conftest.py": """\
                import pytest


                @pytest.fixture(scope="module")
                def database_connection():
                    return "db"
                """,
        "tests/test_d.py": "".join(
            f"def test_{i}(db_conn):\n    assert db_conn\n\n\n" for i in range(3)
        ),
    }
    failures = [
        not_found("db_conn", f"tests/test_d.py::test_{i}", 1 + 4 * i, ["database_connection"])
        for i in range(3)
    ]
    renamed = "".join(
        f"def test_{i}(database_connection):\n    assert database_connection\n\n\n"
        for i in range(3)
    )
    result = assert_fix(
        FixtureRenamed(),
        issue_of(*failures),
        before,
        {"tests/test_d.py": renamed},
        confidence=0.85,
    )
    assert [f.confidence for f in result.fixes[1:]] == [0.84]
    assert_fix(
        FixtureRenamed(),
        issue_of(*failures),
        before,
        {
            "tests/conftest.py": """\
                import pytest


                @pytest.fixture(scope="module", name="db_conn")
                def database_connection():
                    return "db"
                """
        },
        pick=1,
        description="old name 'db_conn'",
    )


def test_close_name_of_a_different_fixture_in_use_is_only_suggested() -> None:
    before = {
        "tests/conftest.py": """\
                import pytest


                @pytest.fixture
                def admins():
                    return ["root"]
                """,
        "tests/test_e.py": """\
                def test_admin(admin):
                    assert admin


                def test_admins(admins):
                    assert admins
                """,
    }
    issue = issue_of(not_found("admin", "tests/test_e.py::test_admin", 1, ["admins"]))
    after = {"tests/test_e.py": before["tests/test_e.py"].replace("(admin)", "(admins)")}
    after["tests/test_e.py"] = after["tests/test_e.py"].replace("assert admin\n", "assert admins\n")
    fix = checked(FixtureRenamed(), issue, before, after, confidence=0.6)
    assert "different fixture, requested by 1 other" in fix.description


def test_ambiguous_candidates_are_a_suggestion_listing_them() -> None:
    before = {
        "tests/conftest.py": """\
                import pytest


                @pytest.fixture
                def user_a():
                    return 1


                @pytest.fixture
                def user_c():
                    return 3
                """,
        "tests/test_f.py": "def test_b(user_b):\n    assert user_b\n",
    }
    issue = issue_of(not_found("user_b", "tests/test_f.py::test_b", 1, ["user_a", "user_c"]))
    [fix] = suggested(FixtureRenamed(), issue, before)
    assert fix.confidence == 0.5
    assert "'user_a' and 'user_c'" in fix.description


def test_a_name_like_nothing_is_at_most_suggested() -> None:
    """``stock`` is the only fixture nothing requests, but nothing else links it to ``zzz``."""
    before = {"tests/conftest.py": CONFTEST, "tests/test_g.py": "def test(zzz):\n    pass\n"}
    issue = issue_of(not_found("zzz", "tests/test_g.py::test", 1, ["stock"]))
    after = {"tests/test_g.py": "def test(stock):\n    pass\n"}
    assert_fix(FixtureRenamed(), issue, before, after, count=1, confidence=0.7)
    for other in (FixtureNotVisible(), FixtureUndecorated()):
        assert_fix(other, issue, before, None, count=0)
    before["tests/test_h.py"] = "def test(stock):\n    pass\n"
    assert_fix(FixtureRenamed(), issue, before, None, count=0)


MOCK_NAME = """\
    import sys

    import pytest


    @pytest.fixture
    def mock_interpreter_name(monkeypatch):
        def mock(name):
            monkeypatch.setattr(sys.implementation, "name", name.lower())

        return mock
    """


def test_a_misspelled_parameter_whose_body_calls_the_fixture_function_is_renamed() -> None:
    """The body calls ``mock_interpreter_name``, the module-level fixture function itself (an
    error in pytest): the misspelled parameter was meant to capture it."""
    test = """\


    class TestSysTags:
        @pytest.mark.parametrize(("name", "expected"), [("CPython", "cp"), ("PyPy", "pp")])
        def test_interpreter_name(self, name, expected, mock_interpeter_name):
            mock_interpreter_name(name)
            assert sys.implementation.name == name.lower()
    """
    before = {"tests/test_tags.py": MOCK_NAME + test}
    nodeid = "tests/test_tags.py::TestSysTags::test_interpreter_name[CPython-cp]"
    lines = textwrap.dedent(MOCK_NAME + test).splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "def test_interpreter_name" in text)
    issue = issue_of(
        not_found("mock_interpeter_name", nodeid, line, ["mock_interpreter_name", "name"])
    )
    after = {
        "tests/test_tags.py": before["tests/test_tags.py"].replace(
            ", mock_interpeter_name)", ", mock_interpreter_name)"
        )
    }
    fix = checked(FixtureRenamed(), issue, before, after, confidence=0.95)
    assert "test_interpreter_name() reads 'mock_interpreter_name'" in fix.description


def test_a_body_written_for_a_similar_fixture_raises_a_close_name() -> None:
    """``admins`` is another fixture in use (0.6 alone), but the body reads ``admins``, which
    nothing binds, and never ``admin``: the parameter was meant to be ``admins``."""
    before = {
        "tests/conftest.py": """\
                import pytest


                @pytest.fixture
                def admins():
                    return ["root"]
                """,
        "tests/test_e.py": """\
                def test_admin(admin):
                    assert "root" in admins


                def test_admins(admins):
                    assert admins
                """,
    }
    issue = issue_of(not_found("admin", "tests/test_e.py::test_admin", 1, ["admins"]))
    after = {"tests/test_e.py": before["tests/test_e.py"].replace("(admin)", "(admins)")}
    fix = checked(FixtureRenamed(), issue, before, after, confidence=0.9)
    assert "test_admin() reads 'admins' and never 'admin'" in fix.description


@pytest.mark.parametrize(
    "where",
    [
        "def mock_interpreter_name(name):\n    return name\n",
        "from helpers import mock_interpreter_name\n",
        "mock_interpreter_name = print\n",
        "from helpers import *\n",
    ],
    ids=["helper-function", "import", "variable", "star-import"],
)
def test_a_parameter_is_not_renamed_over_a_global_that_is_no_fixture(where: str) -> None:
    """A module-level helper, import or variable named like the fixture is what the body
    means to call: the parameter would hide it."""
    before = {
        "tests/conftest.py": MOCK_NAME,
        "tests/helpers.py": "def mock_interpreter_name(name):\n    return name\n",
        "tests/test_tags.py": where
        + "\n\ndef test_name(mock_interpeter_name):\n    mock_interpreter_name('x')\n",
    }
    nodeid = "tests/test_tags.py::test_name"
    line = before["tests/test_tags.py"].count("\n") - 1
    issue = issue_of(not_found("mock_interpeter_name", nodeid, line, ["mock_interpreter_name"]))
    assert_fix(FixtureRenamed(), issue, before, None, count=0)


def test_a_parameter_is_not_renamed_where_the_function_binds_the_new_name() -> None:
    before = {
        "tests/conftest.py": CONFTEST,
        "tests/test_d.py": """\
            def test_apples(stokc):
                def stock():
                    return stokc
                assert stock()["apple"] == 3
            """,
    }
    issue = issue_of(not_found("stokc", "tests/test_d.py::test_apples", 1, ["stock"]))
    assert_fix(FixtureRenamed(), issue, before, None, count=0)


# -- fixture.not-found: defined where its users cannot see it ----------------------------------


def test_fixture_in_another_test_module_moves_to_a_new_conftest() -> None:
    before = {
        "tests/test_orders.py": """\
                import pytest

                from shop.stock import Stock


                @pytest.fixture
                def empty_stock():  # shared
                    return Stock()


                def test_empty(empty_stock):
                    assert len(empty_stock) == 0
                """,
        "tests/test_restock.py": "def test_restock(empty_stock):\n    assert empty_stock\n",
    }
    issue = issue_of(not_found("empty_stock", "tests/test_restock.py::test_restock", 1, []))
    fix = checked(
        FixtureNotVisible(),
        issue,
        before,
        {
            "tests/conftest.py": """\
            import pytest
            from shop.stock import Stock


            @pytest.fixture
            def empty_stock():  # shared
                return Stock()
            """,
            # the imports only the fixture used go with it
            "tests/test_orders.py": """\
            def test_empty(empty_stock):
                assert len(empty_stock) == 0
            """,
        },
    )
    assert fix.confidence == 0.9 and fix.safe
    assert [e.creates for e in fix.edits] == [True, False]


def test_a_moved_fixture_keeps_the_submodule_its_import_loads() -> None:
    # ``import xml.etree.ElementTree`` binds ``xml``; ``import xml`` alone would not load it
    before = {
        "tests/test_feed.py": """\
                import xml.etree.ElementTree

                import pytest


                @pytest.fixture
                def feed():
                    return xml.etree.ElementTree.fromstring("<feed/>")


                def test_tag(feed):
                    assert feed.tag == "feed"
                """,
        "tests/test_more.py": "def test_more(feed):\n    assert feed is not None\n",
    }
    issue = issue_of(not_found("feed", "tests/test_more.py::test_more", 1, []))
    checked(
        FixtureNotVisible(),
        issue,
        before,
        {
            "tests/conftest.py": """\
            import xml.etree.ElementTree

            import pytest


            @pytest.fixture
            def feed():
                return xml.etree.ElementTree.fromstring("<feed/>")
            """,
            "tests/test_feed.py": """\
            def test_tag(feed):
                assert feed.tag == "feed"
            """,
        },
    )


def test_fixture_in_a_sibling_conftest_moves_up_and_stays_where_called() -> None:
    before = {
        "tests/conftest.py": "import os\n",
        "tests/a/conftest.py": """\
                import json

                import pytest


                @pytest.fixture
                def config():
                    return json.loads("{}")


                def helper():
                    return config.__name__
                """,
        "tests/b/test_b.py": "def test_config(config):\n    assert config == {}\n",
        "tests/c/test_c.py": "def test_config(config):\n    assert config == {}\n",
    }
    issue = issue_of(not_found("config", "tests/b/test_b.py::test_config", 1, []))
    fix = checked(
        FixtureNotVisible(),
        issue,
        before,
        {
            "tests/conftest.py": """\
            import json
            import os

            import pytest


            @pytest.fixture
            def config():
                return json.loads("{}")
            """,
        },
    )
    assert "kept in tests/a/conftest.py" in fix.description


def test_a_moved_fixture_does_not_import_from_its_new_module() -> None:
    """The fixture imports LIMIT from tests/conftest.py, where it moves: that import is not
    copied (tests/conftest.py would import itself); the other imports are."""
    before = {
        "tests/__init__.py": "",
        "tests/conftest.py": "LIMIT = 3\n",
        "tests/a/__init__.py": "",
        "tests/a/conftest.py": """\
                import pytest

                from tests.conftest import LIMIT


                @pytest.fixture
                def limit():
                    return LIMIT
                """,
        "tests/b/__init__.py": "",
        "tests/b/test_b.py": "def test_limit(limit):\n    assert limit == 3\n",
        "tests/c/__init__.py": "",
        "tests/c/test_c.py": "def test_limit(limit):\n    assert limit == 3\n",
    }
    issue = issue_of(not_found("limit", "tests/b/test_b.py::test_limit", 1, []))
    checked(
        FixtureNotVisible(),
        issue,
        before,
        {
            "tests/conftest.py": """\
            import pytest

            LIMIT = 3


            @pytest.fixture
            def limit():
                return LIMIT
            """,
            "tests/a/conftest.py": "",  # what it imported was only for the fixture
        },
    )


@pytest.mark.parametrize(
    ("seen_there", "target"),
    [(False, "tests/b/conftest.py"), (True, "tests/conftest.py")],
    ids=["nobody-there", "used-there"],
)
def test_a_moved_fixture_goes_to_the_nearest_conftest_its_users_see(
    seen_there: bool, target: str
) -> None:
    """The fixture moves out of tests/a/conftest.py to the nearest conftest.py every function
    that needs it sees: its failing users' (tests/b), unless a test under tests/a requests it
    too, which would lose it (then tests/, above both)."""
    files = {
        "tests/conftest.py": "",
        "tests/a/conftest.py": ("import pytest\n\n\n@pytest.fixture\ndef lock():\n    return 1\n"),
        "tests/b/conftest.py": "",
        "tests/b/test_b.py": "def test_lock(lock):\n    assert lock\n",
        "tests/b/deep/test_d.py": "def test_lock(lock):\n    assert lock\n",
    }
    if seen_there:
        files["tests/a/test_a.py"] = "def test_lock(lock):\n    assert lock\n"
    issue = issue_of(not_found("lock", "tests/b/test_b.py::test_lock", 1, []))
    after = {
        target: "import pytest\n\n\n@pytest.fixture\ndef lock():\n    return 1\n",
        "tests/a/conftest.py": "",
    }
    assert_fix(FixtureNotVisible(), issue, files, after)


def test_fixture_that_needs_a_name_of_its_module_is_not_moved() -> None:
    before = {
        "tests/test_orders.py": """\
                import pytest

                LIMIT = 3


                @pytest.fixture
                def limit():
                    return LIMIT
                """,
        "tests/test_other.py": "def test_limit(limit):\n    assert limit\n",
    }
    issue = issue_of(not_found("limit", "tests/test_other.py::test_limit", 1, []))
    [fix] = suggested(FixtureNotVisible(), issue, before)
    assert "it uses 'LIMIT', defined in tests/test_orders.py" in fix.description


# -- fixture.not-found: the decorator is missing -----------------------------------------------


def test_undecorated_conftest_function_gets_the_decorator_and_the_import() -> None:
    before = {
        "tests/conftest.py": """\
                \"\"\"Shared fixtures.\"\"\"


                def settings():  # meant to be a fixture
                    return {"currency": "EUR"}
                """,
        "tests/test_s.py": "def test_currency(settings):\n    assert settings\n",
    }
    issue = issue_of(not_found("settings", "tests/test_s.py::test_currency", 1, []))
    fix = checked(
        FixtureUndecorated(),
        issue,
        before,
        {
            "tests/conftest.py": """\
            \"\"\"Shared fixtures.\"\"\"
            import pytest


            @pytest.fixture
            def settings():  # meant to be a fixture
                return {"currency": "EUR"}
            """
        },
    )
    assert fix.confidence == 0.95 and fix.safe


def test_undecorated_function_also_called_directly_is_unsafe() -> None:
    before = {
        "tests/conftest.py": """\
                import pytest


                def settings():
                    return {}


                @pytest.fixture
                def euro():
                    return settings()
                """,
        "tests/test_s.py": "def test_currency(settings):\n    assert settings == {}\n",
    }
    issue = issue_of(not_found("settings", "tests/test_s.py::test_currency", 1, ["euro"]))
    after = {
        "tests/conftest.py": """\
            import pytest


            @pytest.fixture
            def settings():
                return {}


            @pytest.fixture
            def euro():
                return settings()
            """
    }
    fix = checked(FixtureUndecorated(), issue, before, after, confidence=0.6, safe=False)
    assert "called directly" in fix.description


# -- fixture.scope-mismatch ------------------------------------------------------------------


def test_wide_fixture_on_tmp_path_uses_the_factory() -> None:
    before = {
        "tests/conftest.py": """\
                import pytest


                @pytest.fixture(scope="module")
                def store_dir(tmp_path):
                    \"\"\"A directory.\"\"\"
                    (tmp_path / "s.json").write_text("{}")
                    return tmp_path
                """
    }
    issue = issue_of(scope_mismatch("tmp_path", "store_dir", "module", "tests/conftest.py", 4))
    after = """\
        import pytest


        @pytest.fixture(scope="module")
        def store_dir(tmp_path_factory):
            \"\"\"A directory.\"\"\"
            tmp_path = tmp_path_factory.mktemp("store_dir")
            (tmp_path / "s.json").write_text("{}")
            return tmp_path
        """
    fixer = FixtureScopeMismatch()
    assert_fix(fixer, issue, before, {"tests/conftest.py": after}, confidence=0.95, safe=True)
    narrow = before["tests/conftest.py"].replace(
        '@pytest.fixture(scope="module")', "@pytest.fixture()"
    )
    assert_fix(  # the alternative: unsafe
        fixer,
        issue,
        before,
        {"tests/conftest.py": narrow},
        pick=1,
        safe=False,
        description="function-scoped instead of module-scoped",
    )


def test_wide_fixture_on_monkeypatch_opens_its_own_context() -> None:
    before = {
        "tests/conftest.py": """\
                import os

                import pytest


                @pytest.fixture(scope="session")
                def env(monkeypatch, tmp_path_factory):
                    monkeypatch.setenv("MODE", "test")
                    return os.environ["MODE"]
                """
    }
    issue = issue_of(scope_mismatch("monkeypatch", "env", "session", "tests/conftest.py", 6))
    fix = checked(
        FixtureScopeMismatch(),
        issue,
        before,
        {
            "tests/conftest.py": """\
            import os

            import pytest


            @pytest.fixture(scope="session")
            def env(tmp_path_factory):
                with pytest.MonkeyPatch.context() as monkeypatch:
                    monkeypatch.setenv("MODE", "test")
                    yield os.environ["MODE"]
            """
        },
    )
    assert fix.confidence == 0.9 and fix.safe


def test_wide_fixture_on_a_project_fixture_narrows_its_scope_unsafely() -> None:
    before = {
        "tests/conftest.py": """\
                import pytest


                @pytest.fixture
                def narrow():
                    return 1


                @pytest.fixture(scope="class", autouse=False)
                def wide(narrow):
                    return narrow
                """
    }
    issue = issue_of(scope_mismatch("narrow", "wide", "class", "tests/conftest.py", 9))
    after = before["tests/conftest.py"].replace(
        '@pytest.fixture(scope="class", autouse=False)', "@pytest.fixture(autouse=False)"
    )
    assert_fix(
        FixtureScopeMismatch(),
        issue,
        before,
        {"tests/conftest.py": after},
        count=1,
        confidence=0.8,
        safe=False,
    )


# -- fixture.called-directly -----------------------------------------------------------------


def test_called_fixture_becomes_a_parameter() -> None:
    before = {
        "tests/test_storage.py": """\
                import pytest


                @pytest.fixture
                def big_stock():
                    return [1] * 50


                class TestBig:
                    def test_size(self, n=50):
                        stock = big_stock()  # called like a helper
                        assert len(stock) == n
                """
    }
    failed = called_directly(
        "big_stock", "tests/test_storage.py::TestBig::test_size", 11, "test_size", ""
    )
    fix = checked(
        FixtureCalledDirectly(),
        issue_of(failed),
        before,
        {
            "tests/test_storage.py": """\
            import pytest


            @pytest.fixture
            def big_stock():
                return [1] * 50


            class TestBig:
                def test_size(self, big_stock, n=50):
                    stock = big_stock  # called like a helper
                    assert len(stock) == n
            """
        },
    )
    assert fix.confidence == 0.9 and fix.safe


def test_called_fixture_with_arguments_is_only_suggested() -> None:
    before = {
        "tests/test_x.py": """\
                import pytest


                @pytest.fixture
                def make(n=1):
                    return n


                def test_make():
                    assert make(2) == 2
                """
    }
    issue = issue_of(called_directly("make", "tests/test_x.py::test_make", 10, "", ""))
    [fix] = suggested(FixtureCalledDirectly(), issue, before)
    assert "called with arguments" in fix.description


# -- fixture.removed-api ---------------------------------------------------------------------

NOSE = """\
    import unittest


    def setup():
        pass


    class TestLegacy:
        def setup(self):
            self.value = 1

        def teardown(self):
            self.value = None

        def test_value(self):
            assert self.value == 1


    class TestOnlyTeardown:
        def teardown(self):
            pass


    class TestCase(unittest.TestCase):
        def setup(self):
            self.value = 1


    class TestHasSetupMethod:
        def setup_method(self):
            self.value = 2

        def setup(self):
            self.value = 1

        def teardown(self):
            pass
    """


def test_nose_methods_renamed_across_the_project_in_one_fix() -> None:
    """One failure proves the project relies on nose-style methods: one fix renames every one
    in the project's test modules, behind the guards (unittest.TestCase, an existing
    setup_method), and leaves non-test modules alone."""
    other = "class TestOther:\n    def setup(self):\n        self.items = []\n"
    helper = "class Builder:\n    def setup(self):\n        return 1\n"
    before = {"tests/test_nose.py": NOSE, "tests/test_other.py": other, "shop/b.py": helper}
    issue = issue_of(
        nose(
            "tests/test_nose.py::TestLegacy::test_value",
            "TestLegacy",
            16,
            ["setup", "teardown"],
            ["value"],
        )
    )
    # the unittest.TestCase keeps setup (unittest calls setUp); the class that already has a
    # setup_method keeps its setup, and only its teardown is renamed
    nose_after = (
        NOSE.replace("    ", "", 1)
        .replace("\n    ", "\n")
        .replace("def setup():", "def setup_module():")
        .replace(
            "    def setup(self):\n        self.value = 1\n\n    def teardown(self):\n"
            "        self.value = None",
            "    def setup_method(self):\n        self.value = 1\n\n"
            "    def teardown_method(self):\n        self.value = None",
        )
        .replace(
            "class TestOnlyTeardown:\n    def teardown(self):",
            "class TestOnlyTeardown:\n    def teardown_method(self):",
        )
        .replace(
            "    def setup(self):\n        self.value = 1\n\n    def teardown(self):\n        pass",
            "    def setup(self):\n        self.value = 1\n\n"
            "    def teardown_method(self):\n        pass",
        )
    )
    after = {
        "tests/test_nose.py": nose_after,
        "tests/test_other.py": other.replace("def setup(", "def setup_method("),
        "shop/b.py": helper,  # not a test module: untouched
    }
    fix = checked(PytestRemovedApi(), issue, before, after, confidence=0.9, safe=True)
    assert "TestHasSetupMethod already has setup_method()" in fix.description
    assert "TestCase is a unittest.TestCase" in fix.description
    # one edit per class (verification can keep some classes' renames and not others)
    assert sorted(str(e.scope) for e in fix.edits) == [
        "None",
        "tests/test_nose.py::TestHasSetupMethod",
        "tests/test_nose.py::TestLegacy",
        "tests/test_nose.py::TestOnlyTeardown",
        "tests/test_other.py::TestOther",
    ]


def test_nose_renames_reword_the_comments_that_name_the_method() -> None:
    """A comment attached to a renamed ``def`` (directly above it, on its line, directly
    below it) that names the old method as a word names the new one; other comments, a verb
    ("setup the"), a longer name (``setup_db``) and a comment a blank line away stay."""
    before = {
        "tests/test_nose.py": """\
            # setup runs once for the module
            def setup():
                pass


            class TestLegacy:
                # the teardown below undoes what setup() did

                # setup is called before each test, like self.setup in nose
                def setup(self):  # nose calls setup; setup_db is a helper
                    # setup the database for setup
                    self.value = 1
                    # setup is done

                def teardown(self):
                    # teardown and setup: a pair
                    self.value = None

                def test_value(self):
                    assert self.value == 1  # set by setup
            """
    }
    after = {
        "tests/test_nose.py": """\
            # setup_module runs once for the module
            def setup_module():
                pass


            class TestLegacy:
                # the teardown below undoes what setup() did

                # setup_method is called before each test, like self.setup_method in nose
                def setup_method(self):  # nose calls setup_method; setup_db is a helper
                    # setup the database for setup_method
                    self.value = 1
                    # setup is done

                def teardown_method(self):
                    # teardown_method and setup: a pair
                    self.value = None

                def test_value(self):
                    assert self.value == 1  # set by setup
            """
    }
    failed = nose(
        "tests/test_nose.py::TestLegacy::test_value", "TestLegacy", 19, ["setup"], ["value"]
    )
    checked(PytestRemovedApi(), issue_of(failed), before, after, confidence=0.9, safe=True)


def test_nose_unittest_class_is_not_renamed() -> None:
    only_unittest = (
        "import unittest\n\n\nclass TestCase(unittest.TestCase):\n"
        "    def setup(self):\n        self.value = 1\n"
    )
    before = {"tests/test_nose.py": only_unittest}
    failed = nose("tests/test_nose.py::TestCase::test_x", "TestCase", 4, ["setup"], ["value"])
    [fix] = suggested(PytestRemovedApi(), issue_of(failed), before)
    assert "unittest.TestCase" in fix.description


def inherited_nose(nodeid: str, owners: list[tuple[str, str, str]]) -> Failure:
    """An assertion failure of a test whose class has (or inherits) nose methods pytest does
    not call: ``owners`` are (method, defining class, its file), as capture records them."""
    cls = nodeid.split("::")[1]
    node_nose = [
        {
            "method": method,
            "cls": owner,
            "module": path.removesuffix(".py").replace("/", "."),
            "path": path,
            "assigns": [],
        }
        for method, owner, path in owners
    ]
    facts = {"node_class": cls, "node_is_unittest": False, "node_nose": node_nose}
    return failure(nodeid, "call", "AssertionError", "assert 0 == 2", facts)


NOSE_BASE = """\
    class BaseTestCase(object):
        def setUp(self):
            self.items = [1, 2]

        def tearDown(self):
            self.items = None
    """

NOSE_ALIASES = """\
    import os

    from tests.base import BaseTestCase


    def setupModule():
        os.environ["MODE"] = "test"


    def tearDown():
        os.environ.pop("MODE")


    class TestItems(BaseTestCase):
        def test_len(self):
            assert len(self.items) == 2


    class TestOther:
        @classmethod
        def setupClass(cls):
            cls.x = 1

        @classmethod
        def tearDownAll(cls):
            cls.x = 0

        def test_x(self):
            assert self.x == 1


    class TestStatic:
        @staticmethod
        def setUpClass():
            pass


    class TestBoth:
        def setup(self):
            self.x = 1

        def setUp(self):
            self.y = 2


    class TestNotAClassmethod:
        def setupClass(self):
            self.x = 1


    class TestOwnTearDown(BaseTestCase):
        def setup_method(self):
            self.items = []

        def tearDown(self):
            pass


    class Modern:
        def teardown_method(self):
            pass


    class TestInherits(Modern):
        def tearDown(self):
            pass
    """


def test_nose_camel_case_and_class_level_names_renamed() -> None:
    """nose's other names, which pytest never called: ``setUp``/``tearDown`` of a plain class
    (here a base class in another module), the classmethods ``setupClass``, ``tearDownAll``
    and their kind, the module's ``setupModule``/``tearDown``. Held back: the ``setUp`` nose
    never ran (``setup`` came first), a ``setupClass`` nose could not call on the class, a
    ``tearDown`` under an inherited ``teardown_method`` (pytest calls that one). A
    subclass's own ``tearDown`` becomes a ``teardown_method`` that overrides the base's, as
    it did in nose."""
    before = {
        "tests/__init__.py": "",
        "tests/base.py": NOSE_BASE,
        "tests/test_items.py": NOSE_ALIASES,
    }
    issue = issue_of(
        inherited_nose(
            "tests/test_items.py::TestItems::test_len",
            [
                ("setUp", "BaseTestCase", "tests/base.py"),
                ("tearDown", "BaseTestCase", "tests/base.py"),
            ],
        )
    )
    own_teardown = "self.items = []\n\n        def tearDown(self):"
    after = {
        "tests/base.py": NOSE_BASE.replace("setUp", "setup_method").replace(
            "tearDown", "teardown_method"
        ),
        "tests/test_items.py": NOSE_ALIASES.replace("def setupModule", "def setup_module")
        .replace("def tearDown():", "def teardown_module():")
        .replace("def setupClass(cls)", "def setup_class(cls)")
        .replace("def tearDownAll(cls)", "def teardown_class(cls)")
        .replace("def setUpClass():", "def setup_class():")
        .replace("def setup(self):", "def setup_method(self):")
        .replace(own_teardown, own_teardown.replace("tearDown", "teardown_method")),
    }
    fix = checked(PytestRemovedApi(), issue, before, after, confidence=0.9, safe=True)
    assert "TestNotAClassmethod has a setupClass() that is not a classmethod" in fix.description
    assert "TestInherits inherits teardown_method()" in fix.description
    assert "tests/base.py: BaseTestCase.setUp() -> setup_method()" in fix.description


NOSE_CHAIN = """\
    from tests import base
    from tests.base import BaseTestCase


    class TestPlain(BaseTestCase):
        def test_len(self):
            assert len(self.items) == 2


    class DbCase(BaseTestCase):
        def setUp(self):
            super(DbCase, self).setUp()
            self.db = {}


    class TestItems(DbCase):
        def setUp(self):
            DbCase.setUp(self)
            self.more = 3

        def tearDown(self):
            self.more = None
            super().tearDown()

        def test_reset(self):
            self.items = []
            self.setUp()
            assert len(self.items) == 2


    class TestMore(base.BaseTestCase):
        def setUp(self):
            base.BaseTestCase.setUp(self)
    """


def chain_issue() -> Issue:
    return issue_of(
        inherited_nose(
            "tests/test_items.py::TestPlain::test_len",
            [
                ("setUp", "BaseTestCase", "tests/base.py"),
                ("tearDown", "BaseTestCase", "tests/base.py"),
            ],
        )
    )


def test_nose_setup_chain_through_super_is_renamed_with_its_calls() -> None:
    """``super().setUp()``, ``super(Cls, self).setUp()``, ``Base.setUp(self)`` and
    ``self.setUp()`` in plain classes: every ``setUp`` of the hierarchy (the base in another
    module, a helper base whose name pytest does not collect, the test classes) is renamed
    with every call of it, so the chain runs as it did in nose."""
    before = {
        "tests/__init__.py": "",
        "tests/base.py": NOSE_BASE,
        "tests/test_items.py": NOSE_CHAIN,
    }
    after = {
        "tests/base.py": NOSE_BASE.replace("setUp", "setup_method").replace(
            "tearDown", "teardown_method"
        ),
        "tests/test_items.py": NOSE_CHAIN.replace("setUp", "setup_method").replace(
            "tearDown", "teardown_method"
        ),
    }
    fix = checked(PytestRemovedApi(), chain_issue(), before, after, confidence=0.9, safe=True)
    assert "DbCase.setUp() -> setup_method() (with its calls of setUp() by name)" in (
        fix.description
    )
    assert "left:" not in fix.description


def test_nose_setup_chain_through_a_unittest_case_is_declined() -> None:
    """A unittest.TestCase in the hierarchy calls ``setUp()`` itself: the chain is left
    whole (the base's ``tearDown``, which no subclass calls, neither: the TestCase shares it),
    and the fix says which class holds it back."""
    tests = NOSE_CHAIN + (
        "\n\n    class TestUnit(DbCase, unittest.TestCase):\n"
        "        def test_db(self):\n            self.assertEqual(self.db, {})\n"
    )
    before = {
        "tests/__init__.py": "",
        "tests/base.py": NOSE_BASE,
        "tests/test_items.py": "import unittest\n" + textwrap.dedent(tests),
    }
    [fix] = suggested(PytestRemovedApi(), chain_issue(), before)
    assert (
        "TestItems has its setUp() called by name: DbCase is also a base of the "
        "unittest.TestCase TestUnit" in fix.description
    )


def teardown_chain_only(tests: str) -> Fix:
    """The fix of :func:`chain_issue` on ``NOSE_BASE`` and ``tests``, checked to rename the
    ``tearDown`` chain (the base's and ``TestItems``'s with its ``super().tearDown()``) and no
    ``setUp``."""
    before = {"tests/__init__.py": "", "tests/base.py": NOSE_BASE, "tests/test_items.py": tests}
    after = {
        "tests/base.py": NOSE_BASE.replace("tearDown", "teardown_method"),
        "tests/test_items.py": tests.replace("tearDown", "teardown_method"),
    }
    fix = checked(PytestRemovedApi(), chain_issue(), before, after, confidence=0.9, safe=True)
    assert "setUp() -> setup_method()" not in fix.description
    return fix


@pytest.mark.parametrize(
    ("use", "why"),
    [
        ("getattr(self, 'setUp')()", "TestOdd uses 'setUp', which the rename could not follow"),
        ("self.helper.setUp()", "uses self.helper.setUp, which the rename could not follow"),
        ("setUp = BaseTestCase.setUp", "uses setUp, which the rename could not follow"),
    ],
)
def test_nose_setup_chain_with_another_use_of_the_name_is_declined(use: str, why: str) -> None:
    """A use of ``setUp`` the rename could not follow (a string, another object's
    ``setUp``, a class attribute bound to it) holds the chain back."""
    body = f"        def test_odd(self):\n            {use}\n"
    if use.startswith("setUp ="):
        body = f"        {use}\n"
    tests = NOSE_CHAIN + "\n\n    class TestOdd(TestItems):\n" + body
    fix = teardown_chain_only(tests)
    assert why in fix.description, fix.description


def test_nose_setup_called_by_name_outside_the_hierarchy_is_declined() -> None:
    """``BaseTestCase.setUp(obj)`` in a helper function: a rename would break it."""
    tests = NOSE_CHAIN + (
        "\n\n    def make():\n        obj = BaseTestCase()\n"
        "        BaseTestCase.setUp(obj)\n        return obj\n"
    )
    fix = teardown_chain_only(tests)
    assert "its setUp() is used by name outside the classes that have it, at " in (
        fix.description
    ), fix.description


def test_nose_setup_of_a_base_a_unittest_case_shares_is_declined() -> None:
    """A plain base class that a unittest.TestCase also derives from: unittest calls its
    ``setUp()``, which a rename would take away from it; the TestCase's own ``setUp`` and
    ``setUpClass`` are unittest's and never touched."""
    tests = """\
        import unittest

        from tests.base import BaseTestCase


        class TestItems(BaseTestCase):
            def test_len(self):
                assert len(self.items) == 2


        class TestUnit(BaseTestCase, unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                cls.y = 1

            def test_items(self):
                self.assertEqual(self.items, [1, 2])


        class TestCase(unittest.TestCase):
            def setUp(self):
                self.y = 2

            @classmethod
            def setupClass(cls):
                cls.z = 1
        """
    before = {"tests/__init__.py": "", "tests/base.py": NOSE_BASE, "tests/test_items.py": tests}
    issue = issue_of(
        inherited_nose(
            "tests/test_items.py::TestItems::test_len",
            [("setUp", "BaseTestCase", "tests/base.py")],
        )
    )
    [fix] = suggested(PytestRemovedApi(), issue, before)
    assert "BaseTestCase is also a base of the unittest.TestCase TestUnit" in fix.description
    assert "TestCase is a unittest.TestCase" in fix.description


def test_nose_camel_case_setup_under_a_base_outside_the_project_is_held_back() -> None:
    """A base class the project does not define may be a unittest.TestCase (which calls
    ``setUp``): ``setUp`` is left; ``setup``, which unittest never calls, is renamed."""
    tests = """\
        from somewhere import Helper


        class TestA(Helper):
            def setUp(self):
                self.x = 1


        class TestB(Helper):
            def setup(self):
                self.x = 1
        """
    before = {"tests/test_a.py": tests}
    issue = issue_of(
        inherited_nose("tests/test_a.py::TestA::test_x", [("setUp", "TestA", "tests/test_a.py")])
    )
    after = {"tests/test_a.py": tests.replace("def setup(", "def setup_method(")}
    fix = checked(PytestRemovedApi(), issue, before, after, confidence=0.9, safe=True)
    assert (
        "TestA inherits from somewhere.Helper, which may be a unittest.TestCase" in fix.description
    )


NOSE_PACKAGE = """\
    import os

    SERVER = None


    def setup_package():
        global SERVER
        SERVER = "http://localhost"


    def tearDownPackage():
        os.environ.pop("SERVER", None)
    """

NOSE_PACKAGE_TEST = """\
    import tests


    def test_get():
        assert tests.SERVER
    """


def package_nose(*packages: tuple[str, list[str]]) -> Issue:
    """Two failures of tests under test packages whose ``__init__.py`` has nose's
    package-level setups (``packages``: path, methods), as capture records them."""
    facts = {
        "package_nose": [{"path": p, "methods": m, "globals": ["SERVER"]} for p, m in packages]
    }
    return issue_of(
        failure("tests/test_api.py::test_get", "call", "AssertionError", "assert None", facts),
        failure("tests/sub/test_b.py::test_b", "call", "AssertionError", "assert None", facts),
    )


def test_nose_package_setup_renamed_to_the_name_pytest_calls_in_init() -> None:
    """``setup_package``/``tearDownPackage`` in a test package's ``__init__.py``: pytest calls
    ``setup_module``/``teardown_module`` there (Package.setup), never nose's names."""
    before = {"tests/__init__.py": NOSE_PACKAGE, "tests/test_api.py": NOSE_PACKAGE_TEST}
    after = {
        "tests/__init__.py": NOSE_PACKAGE.replace("setup_package", "setup_module").replace(
            "tearDownPackage", "teardown_module"
        )
    }
    issue = package_nose(("tests/__init__.py", ["setup_package", "tearDownPackage"]))
    assert issue.details["packages"] == [
        {
            "path": "tests/__init__.py",
            "methods": ["setup_package", "tearDownPackage"],
            "globals": ["SERVER"],
        }
    ]
    fix = checked(PytestRemovedApi(), issue, before, after, confidence=0.9, safe=True)
    assert "tests/__init__.py: package-level setup_package() -> setup_module()" in (fix.description)


def test_nose_package_setup_held_back() -> None:
    """Not renamed: a ``setup_package`` next to a ``setup_module`` (pytest calls that one,
    nose called the other), one a test module imports by name; both ``tearDownPackage`` are."""
    both = NOSE_PACKAGE + "\n\n    def setup_module():\n        pass\n"
    before = {
        "tests/__init__.py": both,
        "tests/test_api.py": NOSE_PACKAGE_TEST,
        "tests/sub/__init__.py": NOSE_PACKAGE,
        "tests/sub/test_b.py": "from tests.sub import setup_package\n",
    }
    after = {
        "tests/__init__.py": both.replace("tearDownPackage", "teardown_module"),
        "tests/sub/__init__.py": NOSE_PACKAGE.replace("tearDownPackage", "teardown_module"),
    }
    issue = package_nose(
        ("tests/__init__.py", ["tearDownPackage"]),
        ("tests/sub/__init__.py", ["setup_package", "tearDownPackage"]),
    )
    fix = checked(PytestRemovedApi(), issue, before, after, confidence=0.9, safe=True)
    assert "left: tests/sub/__init__.py: setup_package() is imported or read by name" in (
        fix.description
    )


def test_msg_keyword_becomes_reason() -> None:
    before = {
        "tests/test_m.py": """\
                import pytest
                from pytest import fail


                def test_skip():
                    pytest.skip(msg="later")


                def test_fail():
                    fail(msg="no", pytrace=False)
                """
    }
    message = "_Skip.__call__() got an unexpected keyword argument 'msg'"
    issue = issue_of(
        removed("tests/test_m.py::test_skip", "TypeError", message, 6, 'pytest.skip(msg="later")')
    )
    fix = checked(
        PytestRemovedApi(),
        issue,
        before,
        {
            "tests/test_m.py": """\
            import pytest
            from pytest import fail


            def test_skip():
                pytest.skip(reason="later")


            def test_fail():
                fail(reason="no", pytrace=False)
            """
        },
    )
    assert fix.confidence == 0.95 and fix.safe


WARNS = """\
    import pytest


    def test_quiet():
        with pytest.warns(None) as record:
            run()
        assert len(record) == 0
    """


def test_warns_none_becomes_catch_warnings() -> None:
    before = {"tests/test_w.py": WARNS}
    message = "exceptions must be derived from Warning, not <class 'NoneType'>"
    source = "with pytest.warns(None) as record:"
    fix = checked(
        PytestRemovedApi(),
        issue_of(removed("tests/test_w.py::test_quiet", "TypeError", message, 5, source)),
        before,
        {
            "tests/test_w.py": """\
            import warnings

            import pytest


            def test_quiet():
                with warnings.catch_warnings(record=True) as record:
                    warnings.simplefilter("always")
                    run()
                assert len(record) == 0
            """
        },
    )
    assert fix.confidence == 0.85 and fix.safe


def test_warns_none_recorder_methods_make_it_unsafe() -> None:
    before = {"tests/test_w.py": WARNS.replace("len(record) == 0", "record.pop(UserWarning)")}
    message = "exceptions must be derived from Warning, not <class 'NoneType'>"
    source = "with pytest.warns(None) as record:"
    issue = issue_of(removed("tests/test_w.py::test_quiet", "TypeError", message, 5, source))
    after = """\
        import warnings

        import pytest


        def test_quiet():
            with warnings.catch_warnings(record=True) as record:
                warnings.simplefilter("always")
                run()
            assert record.pop(UserWarning)
        """
    fix = checked(PytestRemovedApi(), issue, before, {"tests/test_w.py": after}, safe=False)
    assert "tests/test_w.py:7" in fix.description


def test_marks_on_fixtures_are_removed() -> None:
    before = {
        "tests/test_k.py": """\
                import pytest


                @pytest.mark.slow
                @pytest.fixture
                @pytest.mark.usefixtures("tmp_path")
                def data():
                    return 1


                @pytest.mark.slow
                def test_data(data):
                    assert data
                """
    }
    failed = failure(
        "tests/test_k.py",
        "collect",
        "_pytest.fixtures.FixtureFunctionDefinition",
        "Marks cannot be applied to fixtures.",
        {},
        ("tests/test_k.py", 4, "<module>", "@pytest.mark.slow"),
    )
    fix = checked(
        PytestRemovedApi(),
        issue_of(failed),
        before,
        {
            "tests/test_k.py": """\
            import pytest


            @pytest.fixture
            def data():
                return 1


            @pytest.mark.slow
            def test_data(data):
                assert data
            """
        },
    )
    assert fix.confidence == 0.95 and fix.safe


def test_yield_fixture_becomes_fixture() -> None:
    before = {
        "tests/test_y.py": """\
                import pytest


                @pytest.yield_fixture
                def data():
                    yield 1
                """
    }
    failed = failure(
        "tests/test_y.py",
        "collect",
        "_pytest.warning_types.PytestRemovedIn10Warning",
        "pytest.yield_fixture is deprecated.\nUse @pytest.fixture instead",
        {"is_warning": True, "exc_mro": ["_pytest.warning_types.PytestRemovedIn10Warning"]},
        ("tests/test_y.py", 4, "<module>", "@pytest.yield_fixture"),
    )
    after = "import pytest\n\n\n@pytest.fixture\ndef data():\n    yield 1\n"
    checked(
        PytestRemovedApi(),
        issue_of(failed),
        before,
        {"tests/test_y.py": after},
        confidence=0.95,
        safe=True,
    )


@pytest.mark.parametrize("api", ["async-fixture"])
def test_async_fixture_is_a_suggestion(tmp_path: Path, api: str) -> None:
    before = {"tests/test_z.py": "def test(): pass\n"}
    failed = removed(
        "tests/test_z.py::test",
        "Failed",
        "test requested an async fixture 'x', with no plugin",
        1,
        "",
    )
    [fix] = suggested(PytestRemovedApi(), issue_of(failed), before)
    assert "pytest-asyncio" in fix.description


def test_edits_keep_crlf_and_comments_byte_for_byte() -> None:
    before: dict[str, str | bytes] = {
        "tests/conftest.py": CONFTEST,
        "tests/test_crlf.py": b"# -*- coding: utf-8 -*-\r\n"
        b"def test_add(stokc):   # the typo\r\n    assert stokc  \r\n",
    }
    issue = issue_of(not_found("stokc", "tests/test_crlf.py::test_add", 2, ["stock"]))
    after = {
        "tests/test_crlf.py": b"# -*- coding: utf-8 -*-\r\ndef test_add(stock):   # the typo\r\n"
        b"    assert stock  \r\n"
    }
    assert_fix(FixtureRenamed(), issue, before, after)
