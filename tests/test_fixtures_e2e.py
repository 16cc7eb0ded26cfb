"""The fixture fixers on a project broken in eight ways at once (a copy of examples/fixtures)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from autofix_testing import snapshot

EXAMPLE = Path(__file__).parent.parent / "examples" / "fixtures"

# message -> (the fixer whose fix was applied and verified)
EXPECTED = {
    "fixture 'stokc' not found": "fixture.renamed",
    "fixture 'user' not found": "fixture.renamed",
    "fixture 'empty_stock' not found": "fixture.move-to-conftest",
    "fixture 'settings' not found": "fixture.undecorated",
    "module-scoped fixture 'store_dir' requests function-scoped 'tmp_path'": (
        "fixture.scope-mismatch"
    ),
    "fixture 'big_stock' called directly": "fixture.called-directly",
    "nose-style setup()/teardown() methods are no longer called (removed in pytest 8)": (
        "fixture.removed-api"
    ),
    "pytest.skip(msg=...) was removed in pytest 8": "fixture.removed-api",
}

EXPECTED_CHANGES = {
    "tests/conftest.py",  # settings decorated, store_dir on tmp_path_factory, empty_stock moved in
    "tests/test_customers.py",
    "tests/test_legacy.py",
    "tests/test_orders.py",
    "tests/test_stock.py",
    "tests/test_storage.py",
}


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_one_run_repairs_every_fixture_breakage(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True)
    before = snapshot(pytester.path)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json", *xdist)
    report = json.loads((pytester.path / "r.json").read_text())
    out = result.stdout.str()
    assert {i["message"]: i["status"] for i in report["issues"]} == dict.fromkeys(
        EXPECTED, "fixed"
    ), out
    for issue in report["issues"]:
        applied = [f for f in issue["fixes"] if f["applied"]]
        assert [(f["fixer"], f["verified"]) for f in applied] == [
            (EXPECTED[issue["message"]], True)
        ], issue
    assert report["summary"]["failures"] == 13 and report["summary"]["fixed"] == 8
    # what was not applied, and why: the unsafe alternative of the scope mismatch
    scope = next(i for i in report["issues"] if i["code"] == "fixture.scope-mismatch")
    [narrow] = [f for f in scope["fixes"] if not f["applied"]]
    assert not narrow["safe"] and "unsafe" in (narrow["reason"] or "")
    # one batch, one verifying rerun: nothing deferred, nothing rolled back
    progress = [line for line in result.stdout.lines if line.startswith("autofix: ")]
    assert len(progress) == 1 and progress[0].startswith("autofix: rerunning"), progress
    assert result.ret == 0
    after = snapshot(pytester.path)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == EXPECTED_CHANGES
    conftest = after["tests/conftest.py"].decode()
    assert "@pytest.fixture\ndef settings():" in conftest
    assert "def store_dir(tmp_path_factory):" in conftest
    assert "def empty_stock():" in conftest
    assert "def empty_stock" not in after["tests/test_orders.py"].decode()
    # a plain run afterwards: every test passes (the Windows-only test skips, as meant)
    plain = pytester.runpytest_subprocess()
    plain.assert_outcomes(passed=17, skipped=1)


LEGACY = """\
class TestNeeded:
    def setup(self):
        self.value = 1

    def test_value(self):
        assert self.value == 1


class TestUnused:
    def setup(self):
        raise RuntimeError("needs a server this machine does not have")

    def test_true(self):
        assert True
"""


@pytest.mark.parametrize("xdist", [[]], ids=["plain"])  # xdist: the e2e test above
def test_a_nose_rename_that_breaks_one_class_is_kept_in_the_others(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """The nose fix renames setup() in both classes, one edit per class. TestUnused's tests
    passed because pytest 8 no longer called its setup(); renamed, it runs and fails them. The
    fix is split by class: TestNeeded's rename is kept, TestUnused's left out."""
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    (pytester.path / "test_legacy.py").write_text(LEGACY, encoding="utf-8")
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json", *xdist)
    assert result.ret == 0, result.stdout.str()
    (issue,) = json.loads((pytester.path / "r.json").read_text())["issues"]
    (fix,) = issue["fixes"]
    assert issue["status"] == "fixed" and fix["verified"]
    assert fix["reason"] == (
        "kept in part: test_legacy.py::TestNeeded; left out test_legacy.py::TestUnused: "
        "it broke test_legacy.py::TestUnused::test_true"
    )
    after = (pytester.path / "test_legacy.py").read_text()
    assert after == LEGACY.replace(
        "def setup(self):\n        self.value", "def setup_method(self):\n        self.value"
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


def test_nose_methods_inherited_from_another_module_and_at_module_level(
    pytester: pytest.Pytester,
) -> None:
    """setup() lives in a plain base class in a helper module (named like a TestCase, but not
    one: its bases are resolved), and test_files.py has a module-level setup(). Every symptom
    (an attribute setup would set, an assertion on state it would make, a missing directory
    the module setup would create) is the one nose-setup issue, and one fix renames the
    methods where they are defined: the base class in tests/base.py, the module's function."""
    made = pytester.path / "made"
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    files = {
        "tests/__init__.py": "",
        "tests/base.py": (
            "class BaseTestCase:\n    def setup(self):\n        self.queue = []\n"
            "        self.limit = 3\n"
        ),
        "tests/test_queue.py": (
            "from tests.base import BaseTestCase\n\n\nclass TestQueue(BaseTestCase):\n"
            "    def test_empty(self):\n        assert self.queue == []\n\n"
            "    def test_limit(self):\n        assert getattr(self, 'limit', 0) == 3\n"
        ),
        "tests/test_files.py": (
            f"import os\n\nMADE = {str(made)!r}\n\n\ndef setup():\n"
            "    os.makedirs(MADE, exist_ok=True)\n\n\n"
            "def test_made():\n    assert os.listdir(MADE) == []\n"
        ),
    }
    for rel, text in files.items():
        (pytester.path / rel).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / rel).write_text(text)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    assert result.ret == 0, result.stdout.str()
    (issue,) = report["issues"]
    assert issue["code"] == "fixture.removed-api" and issue["status"] == "fixed"
    assert sorted(issue["tests"]) == [
        "tests/test_files.py::test_made",
        "tests/test_queue.py::TestQueue::test_empty",
        "tests/test_queue.py::TestQueue::test_limit",
    ]
    assert "def setup_method(self):" in (pytester.path / "tests/base.py").read_text()
    assert "def setup_module():" in (pytester.path / "tests/test_files.py").read_text()
    pytester.runpytest_subprocess().assert_outcomes(passed=3)


def test_nose_camel_case_and_class_level_names_pytest_never_called(
    pytester: pytest.Pytester,
) -> None:
    """nose's other names, which pytest never called: ``setUp`` in a plain base class of
    another module, a classmethod ``setupClass``/``teardownClass``, a module's
    ``setupModule``. The AttributeError, the assertion, the NameError on the name
    ``setupClass`` declares global and the missing directory are one issue, and one fix
    renames them to pytest's names; the unittest.TestCase keeps its ``setUp``."""
    made = pytester.path / "made"
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    files = {
        "tests/__init__.py": "",
        "tests/base.py": (
            "class BaseTestCase(object):\n    def setUp(self):\n        self.items = [1, 2]\n"
        ),
        "tests/test_items.py": (
            "import unittest\n\nfrom tests.base import BaseTestCase\n\n\n"
            "class TestItems(BaseTestCase):\n    def test_len(self):\n"
            "        assert len(self.items) == 2\n\n\n"
            "class TestOther:\n    x = 0\n\n    @classmethod\n    def setupClass(cls):\n"
            "        global LIMIT\n        cls.x = 1\n        LIMIT = 3\n\n"
            "    @classmethod\n    def teardownClass(cls):\n        cls.x = 0\n\n"
            "    def test_x(self):\n        assert self.x == 1\n\n"
            "    def test_limit(self):\n        assert LIMIT == 3\n\n\n"
            "class TestUnit(unittest.TestCase):\n    def setUp(self):\n        self.y = 2\n\n"
            "    def test_y(self):\n        assert self.y == 2\n"
        ),
        "tests/test_files.py": (
            f"import os\n\nMADE = {str(made)!r}\n\n\ndef setupModule():\n"
            "    os.makedirs(MADE, exist_ok=True)\n\n\n"
            "def test_made():\n    assert os.listdir(MADE) == []\n"
        ),
    }
    for rel, text in files.items():
        (pytester.path / rel).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / rel).write_text(text)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    assert result.ret == 0, result.stdout.str()
    (issue,) = report["issues"]
    assert issue["code"] == "fixture.removed-api" and issue["status"] == "fixed", issue
    assert sorted(issue["tests"]) == [
        "tests/test_files.py::test_made",
        "tests/test_items.py::TestItems::test_len",
        "tests/test_items.py::TestOther::test_limit",
        "tests/test_items.py::TestOther::test_x",
    ]
    assert "def setup_method(self):" in (pytester.path / "tests/base.py").read_text()
    items = (pytester.path / "tests/test_items.py").read_text()
    assert "def setup_class(cls):" in items and "def teardown_class(cls):" in items
    assert "class TestUnit(unittest.TestCase):\n    def setUp(self):" in items
    assert "def setup_module():" in (pytester.path / "tests/test_files.py").read_text()
    pytester.runpytest_subprocess().assert_outcomes(passed=5)


def test_nose_setup_chain_through_super_renamed_whole(pytester: pytest.Pytester) -> None:
    """A plain base class's ``setUp`` that its subclasses extend with ``super().setUp()``:
    the base's, the subclass's and the call are renamed in one fix, and the chain runs; the
    unittest.TestCase of another hierarchy keeps its own."""
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    files = {
        "tests/__init__.py": "",
        "tests/base.py": (
            "class BaseTestCase(object):\n    def setUp(self):\n        self.items = [1, 2]\n"
        ),
        "tests/test_items.py": (
            "import unittest\n\nfrom tests.base import BaseTestCase\n\n\n"
            "class TestPlain(BaseTestCase):\n    def test_len(self):\n"
            "        assert len(self.items) == 2\n\n\n"
            "class TestItems(BaseTestCase):\n    def setUp(self):\n"
            "        super(TestItems, self).setUp()\n        self.items.append(3)\n\n"
            "    def test_len(self):\n        assert len(self.items) == 3\n\n\n"
            "class TestUnit(unittest.TestCase):\n    def setUp(self):\n        self.y = 2\n\n"
            "    def test_y(self):\n        assert self.y == 2\n"
        ),
    }
    for rel, text in files.items():
        (pytester.path / rel).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / rel).write_text(text)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    assert result.ret == 0, result.stdout.str()
    (issue,) = report["issues"]
    assert issue["code"] == "fixture.removed-api" and issue["status"] == "fixed", issue
    assert sorted(issue["tests"]) == [
        "tests/test_items.py::TestItems::test_len",
        "tests/test_items.py::TestPlain::test_len",
    ]
    assert "def setup_method(self):" in (pytester.path / "tests/base.py").read_text()
    items = (pytester.path / "tests/test_items.py").read_text()
    assert "super(TestItems, self).setup_method()" in items
    assert "class TestUnit(unittest.TestCase):\n    def setUp(self):" in items
    pytester.runpytest_subprocess().assert_outcomes(passed=3)


def test_nose_package_setup_renamed_to_setup_module(pytester: pytest.Pytester) -> None:
    """nose ran a test package's ``setup_package()``; pytest calls ``setup_module()`` in its
    ``__init__.py`` and never the other: the AssertionError and the AttributeError on what it
    binds are one issue, fixed by the rename (the sub-package's too)."""
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    files = {
        "tests/__init__.py": (
            "SERVER = None\n\n\ndef setup_package():\n    global SERVER\n"
            "    SERVER = 'http://localhost'\n"
        ),
        "tests/test_api.py": "import tests\n\n\ndef test_get():\n    assert tests.SERVER\n",
        "tests/sub/__init__.py": (
            "def setupPackage():\n    import tests.sub\n\n    tests.sub.DB = {}\n"
        ),
        "tests/sub/test_db.py": (
            "import tests.sub\n\n\ndef test_db():\n    assert tests.sub.DB == {}\n"
        ),
    }
    for rel, text in files.items():
        (pytester.path / rel).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / rel).write_text(text)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    assert result.ret == 0, result.stdout.str()
    (issue,) = report["issues"]
    assert issue["code"] == "fixture.removed-api" and issue["status"] == "fixed", issue
    assert sorted(issue["tests"]) == [
        "tests/sub/test_db.py::test_db",
        "tests/test_api.py::test_get",
    ]
    assert "def setup_module():" in (pytester.path / "tests/__init__.py").read_text()
    assert "def setup_module():" in (pytester.path / "tests/sub/__init__.py").read_text()
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


def test_a_fixture_that_could_not_move_is_asked_again_once_its_dependency_moved(
    pytester: pytest.Pytester,
) -> None:
    # user_json requests sample_user, which its conftest cannot see until the first round has
    # moved sample_user; the second round asks the fixers again and moves user_json too
    files = {
        "tests/unit/test_models.py": (
            "import json\n\nimport pytest\n\n\n@pytest.fixture\ndef sample_user():\n"
            "    return {'name': 'ann'}\n\n\n@pytest.fixture\ndef user_json(sample_user):\n"
            "    return json.dumps(sample_user)\n\n\ndef test_user(sample_user):\n"
            "    assert sample_user['name'] == 'ann'\n"
        ),
        "tests/api/test_api.py": (
            "def test_api_user(sample_user):\n    assert sample_user['name'] == 'ann'\n\n\n"
            "def test_json(user_json):\n    assert 'ann' in user_json\n"
        ),
    }
    for rel, text in files.items():
        (pytester.path / rel).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / rel).write_text(text)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    assert result.ret == 0, result.stdout.str()
    assert {i["message"]: i["status"] for i in report["issues"]} == {
        "fixture 'sample_user' not found": "fixed",
        "fixture 'user_json' not found": "fixed",
    }
    assert "def sample_user():" in (pytester.path / "tests/conftest.py").read_text()
    assert "def user_json(sample_user):" in (pytester.path / "tests/api/conftest.py").read_text()
    pytester.runpytest_subprocess().assert_outcomes(passed=3)
