"""Before/after examples of the environment fixers.

Each test writes a small project to ``tmp_path``, makes the issue the classifier makes of the
failure, asks the fixer, applies its transforms to each file and compares the code exactly.
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from typing import Any

import libcst
import pytest
from autofix_testing import propose

from pytest_autofix.catalogue import Catalogue, builtin, parse
from pytest_autofix.fixers import environment
from pytest_autofix.fixers.toolkit.environment_confidence import GUARDED, SAFE
from pytest_autofix.model import Fix, Issue, IssueKind
from pytest_autofix.project import Project


def make(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(textwrap.dedent(text).encode())


def issue(code: str, path: str | None = None, line: int | None = None, **details: Any) -> Issue:
    details.setdefault("locations", [{"path": path, "line": line}] if path else [])
    return Issue(
        id=f"{code}:x",
        kind=IssueKind.ENVIRONMENT,
        code=code,
        message=code,
        tests=tuple(details.pop("tests", ("tests/test_x.py::test_x",))),
        path=path,
        line=line,
        details=details,
    )


def apply(root: Path, fix: Fix) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for edit in fix.edits:
        assert edit.transform is not None
        rel = Path(edit.path).as_posix()
        module = libcst.parse_module((root / rel).read_bytes())
        out[rel] = module.visit(libcst.CSTTransformer()).bytes
        out[rel] = edit.transform(module).bytes
        compile(out[rel], rel, "exec")
    return out


def removed(api: str, path: str, line: int = 1, form: str = "attribute") -> Issue:
    return issue("environment.removed-api", path, line, api=api, form=form)


# -- the root cause, not one line ---------------------------------------------------------


SIX_MODULES = {
    "pkg/__init__.py": "",
    "pkg/a.py": """\
        import collections


        class Registry(collections.MutableMapping):
            pass
        """,
    "pkg/b.py": """\
        import collections as c

        OK = isinstance({}, c.MutableMapping)
        """,
    "pkg/c.py": """\
        from collections import MutableMapping, OrderedDict

        ORDER = OrderedDict()


        def check(x):
            return isinstance(x, MutableMapping)
        """,
    "pkg/d.py": """\
        from collections import OrderedDict, MutableMapping as MM

        IS = issubclass(dict, MM)
        """,
    "pkg/e.py": """\
        from collections import *

        BASE = MutableMapping
        """,
    "pkg/f.py": """\
        import collections.abc
        import collections


        def f(x):
            import collections
            return isinstance(x, collections.MutableMapping)
        """,
    "pkg/untouched.py": """\
        import collections

        COUNTS = collections.Counter("aab")
        """,
}

SIX_AFTER = {
    "pkg/a.py": """\
        import collections
        import collections.abc


        class Registry(collections.abc.MutableMapping):
            pass
        """,
    "pkg/b.py": """\
        import collections as c
        import collections.abc

        OK = isinstance({}, c.abc.MutableMapping)
        """,
    "pkg/c.py": """\
        from collections import OrderedDict
        from collections.abc import MutableMapping

        ORDER = OrderedDict()


        def check(x):
            return isinstance(x, MutableMapping)
        """,
    "pkg/d.py": """\
        from collections import OrderedDict
        from collections.abc import MutableMapping as MM

        IS = issubclass(dict, MM)
        """,
    "pkg/e.py": """\
        from collections import *
        from collections.abc import MutableMapping

        BASE = MutableMapping
        """,
    "pkg/f.py": """\
        import collections.abc
        import collections


        def f(x):
            import collections
            return isinstance(x, collections.abc.MutableMapping)
        """,
}


def test_every_use_in_the_project_is_one_fix(tmp_path: Path) -> None:
    make(tmp_path, SIX_MODULES)
    fixes = propose(
        environment.RemovedApi(), removed("collections.MutableMapping", "pkg/a.py", 4), tmp_path
    )
    assert len(fixes) == 1
    fix = fixes[0]
    assert fix.safe and fix.confidence == SAFE
    assert "in 6 files" in fix.description
    after = apply(tmp_path, fix)
    assert {k: v.decode() for k, v in after.items()} == {
        k: textwrap.dedent(v) for k, v in SIX_AFTER.items()
    }


def test_the_other_removed_names_of_the_module_go_with_the_first(tmp_path: Path) -> None:
    """``from collections import Mapping, Sequence, OrderedDict`` fails on Mapping only; the
    other removed names of collections used there are one root cause with it, migrated by
    the same fix, not one round each. OrderedDict stays."""
    make(
        tmp_path,
        {
            "m.py": "from collections import Mapping, Sequence, OrderedDict\n",
            "n.py": "import collections\n\nX = collections.Hashable\n",
        },
    )
    (fix,) = propose(environment.RemovedApi(), removed("collections.Mapping", "m.py", 1), tmp_path)
    assert fix.safe and fix.confidence == SAFE
    assert "the other safe migrations of collections" in fix.description
    after = {k: v.decode() for k, v in apply(tmp_path, fix).items()}
    assert "OrderedDict" in after["m.py"] and "Sequence" in after["m.py"]
    namespace: dict[str, object] = {}
    exec(compile(after["m.py"], "m.py", "exec"), namespace)  # imports under Python 3.11
    assert {"Mapping", "Sequence", "OrderedDict"} <= set(namespace)
    namespace = {}
    exec(compile(after["n.py"], "n.py", "exec"), namespace)
    assert "collections.abc.Hashable" in after["n.py"]


def test_crlf_and_comments_are_kept(tmp_path: Path) -> None:
    source = (
        b"import collections  # old code\r\n\r\n"
        b"class A(collections.Mapping):  # base\r\n    pass\r\n"
    )
    (tmp_path / "m.py").write_bytes(source)
    (fix,) = propose(environment.RemovedApi(), removed("collections.Mapping", "m.py", 3), tmp_path)
    assert apply(tmp_path, fix)["m.py"] == (
        b"import collections  # old code\r\nimport collections.abc\r\n\r\n"
        b"class A(collections.abc.Mapping):  # base\r\n    pass\r\n"
    )


def test_import_form_issue_fixes_attribute_uses_too(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "one.py": "from collections import Mapping\n",
            "two.py": "import collections\nX = collections.Mapping\n",
        },
    )
    (fix,) = propose(
        environment.RemovedApi(), removed("collections.Mapping", "one.py", 1, "import"), tmp_path
    )
    assert apply(tmp_path, fix) == {
        "one.py": b"from collections.abc import Mapping\n",
        "two.py": b"import collections\nimport collections.abc\nX = collections.abc.Mapping\n",
    }


def test_method_rename_in_every_test_module(tmp_path: Path) -> None:
    body = """\
        import unittest


        class T(unittest.TestCase):
            def test_a(self):
                self.assertEquals(1, 1)
        """
    make(tmp_path, {"tests/test_a.py": body, "tests/test_b.py": body, "other.py": "x = 1\n"})
    (fix,) = propose(
        environment.RemovedApi(),
        removed("unittest.TestCase.assertEquals", "tests/test_a.py", 6, "method"),
        tmp_path,
    )
    after = apply(tmp_path, fix)
    assert sorted(after) == ["tests/test_a.py", "tests/test_b.py"]
    assert b"self.assertEqual(1, 1)" in after["tests/test_b.py"]


def test_removed_module_with_a_drop_in(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "a.py": "import imp\n\nimport b\n\nimp.reload(b)\n",
            "b.py": "from pipes import quote\n\nCMD = quote('x y')\n",
            "c.py": "import pipes as p\n\nCMD = p.quote('x y')\n",
        },
    )
    (fix,) = propose(environment.RemovedApi(), removed("imp", "a.py", 1, "module"), tmp_path)
    assert apply(tmp_path, fix) == {
        "a.py": b"import importlib\n\nimport b\n\nimportlib.reload(b)\n"
    }
    (fix,) = propose(environment.RemovedApi(), removed("pipes", "b.py", 1, "module"), tmp_path)
    assert apply(tmp_path, fix) == {
        "b.py": b"from shlex import quote\n\nCMD = quote('x y')\n",
        "c.py": b"import shlex as p\n\nCMD = p.quote('x y')\n",
    }


def test_removed_module_use_without_replacement_needs_a_person(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "import imp\n\nm = imp.load_source('m', 'm.py')\n"})
    (fix,) = propose(environment.RemovedApi(), removed("imp", "a.py", 1, "module"), tmp_path)
    assert not fix.edits
    assert "imp.load_source" in fix.description and "whatsnew" in fix.description


def test_mock_to_unittest_mock_when_the_package_is_absent(tmp_path: Path) -> None:
    make(tmp_path, {"tests/test_m.py": "import mock\nfrom mock import patch\n\nm = mock.Mock()\n"})
    (fix,) = propose(
        environment.RemovedApi(), removed("mock", "tests/test_m.py", 1, "module"), tmp_path
    )
    assert fix.safe and fix.confidence == GUARDED
    assert "checked: python>=3.3, absent:mock" in fix.description
    assert apply(tmp_path, fix)["tests/test_m.py"] == (
        b"import unittest.mock as mock\nfrom unittest.mock import patch\n\nm = mock.Mock()\n"
    )


def test_pkg_resources_version_and_require(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "pkg/__init__.py": """\
                import pkg_resources

                __version__ = pkg_resources.get_distribution("pkg").version
                """,
            "pkg/check.py": """\
                from pkg_resources import require

                require("requests")
                """,
        },
    )
    (fix,) = propose(
        environment.RemovedApi(), removed("pkg_resources", "pkg/__init__.py", 1, "module"), tmp_path
    )
    assert fix.safe
    assert apply(tmp_path, fix) == {
        "pkg/__init__.py": (
            b'import importlib.metadata\n\n__version__ = importlib.metadata.version("pkg")\n'
        ),
        "pkg/check.py": (
            b'import importlib.metadata\n\nimportlib.metadata.distribution("requests")\n'
        ),
    }


def test_pkg_resources_other_use_is_left_to_a_person(tmp_path: Path) -> None:
    make(
        tmp_path,
        {"a.py": "import pkg_resources\n\np = pkg_resources.resource_filename('a', 'b')\n"},
    )
    (fix,) = propose(
        environment.RemovedApi(), removed("pkg_resources", "a.py", 1, "module"), tmp_path
    )
    assert not fix.edits
    assert "resource_filename" in fix.description and "setuptools.pypa.io" in fix.description


def test_name_clash_downgrades_to_a_person(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "ok.py": "import pkg_resources\nV = pkg_resources.get_distribution('a').version\n",
            "clash.py": (
                "import pkg_resources\nimportlib = None\n"
                "V = pkg_resources.get_distribution('a').version\n"
            ),
        },
    )
    (fix,) = propose(
        environment.RemovedApi(), removed("pkg_resources", "ok.py", 1, "module"), tmp_path
    )
    assert not fix.safe and fix.confidence < 0.8
    assert "clash.py ('importlib' is bound to something else in this file)" in fix.description


def test_failed_version_guard_is_a_suggestion(tmp_path: Path) -> None:
    entry = builtin().get("configparser.SafeConfigParser")
    assert entry is not None
    future = entry.model_copy(update={"requires": ["python>=99.0"]})
    make(tmp_path, {"a.py": "import configparser\np = configparser.SafeConfigParser()\n"})
    fixer = environment.RemovedApi(builtin().merged([future]))
    (fix,) = propose(fixer, removed("configparser.SafeConfigParser", "a.py", 2), tmp_path)
    assert not fix.edits
    assert "python>=99.0 is needed" in fix.description


def test_replacement_missing_here_is_a_suggestion(tmp_path: Path) -> None:
    entry = parse(
        """\
        [[migration]]
        api = "collections.Mapping"
        kind = "attribute"
        removed_in = "Python 3.10"
        error = "AttributeError"
        replacement = "collections.abc.NoSuchMapping"
        safety = "guarded"
        guard = ["no-name-clash"]
        example.before = "x = 1\\n"
        example.after = "x = 1\\n"
        """.replace("        ", ""),
        "t",
    )
    make(tmp_path, {"a.py": "import collections\nX = collections.Mapping\n"})
    fixer = environment.RemovedApi(Catalogue(entry))
    (fix,) = propose(fixer, removed("collections.Mapping", "a.py", 2), tmp_path)
    assert not fix.edits and "collections.abc has no NoSuchMapping" in fix.description


def test_unsafe_entry_is_marked_unsafe(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "import inspect\nspec = inspect.getargspec(len)\n"})
    (fix,) = propose(environment.RemovedApi(), removed("inspect.getargspec", "a.py", 2), tmp_path)
    assert fix.edits and not fix.safe
    assert "another shape" in fix.description


def test_manual_entry_and_unknown_api_are_suggestions(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "import asyncio\n"})
    (fix,) = propose(environment.RemovedApi(), removed("asyncio.coroutine", "a.py", 1), tmp_path)
    assert not fix.edits and "async def" in fix.description and "https://" in fix.description
    (fix,) = propose(environment.RemovedApi(), removed("somelib.gone", "a.py", 1), tmp_path)
    assert not fix.edits and "autofix_migrations" in fix.description


def test_numpy_guard_when_numpy_is_missing(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "import numpy as np\nx = np.float_(1)\n"})
    (fix,) = propose(environment.RemovedApi(), removed("numpy.float_", "a.py", 2), tmp_path)
    if importlib.util.find_spec("numpy") is None:
        assert not fix.edits and "numpy" in fix.description and "not installed" in fix.description
    else:
        assert apply(tmp_path, fix) == {"a.py": b"import numpy as np\nx = np.float64(1)\n"}


# -- a path relative to the working directory ----------------------------------------------


def not_found(path: str, line: int, filename: str, exists: list[str]) -> Issue:
    return issue(
        "environment.file-not-found",
        path,
        line,
        filename=filename,
        cwd=".",
        exists_relative_to=exists,
        tests=(f"{path}::test_read",),
    )


def test_anchor_with_pathlib_when_the_file_uses_it(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "tests/data/input.csv": "a\n",
            "tests/test_read.py": """\
                from pathlib import Path


                def test_read():
                    assert Path("data/input.csv").read_text() == "a\\n"
                """,
        },
    )
    found = not_found("tests/test_read.py", 5, "data/input.csv", ["tests/data/input.csv"])
    (fix,) = propose(environment.FileNotFound(), found, tmp_path)
    assert fix.safe and fix.edits
    assert apply(tmp_path, fix)["tests/test_read.py"].decode() == textwrap.dedent(
        """\
        from pathlib import Path


        def test_read():
            assert Path(Path(__file__).parent / "data/input.csv").read_text() == "a\\n"
        """
    )


def test_anchor_with_os_path_otherwise(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "tests/data/input.csv": "a\n",
            "tests/test_read.py": """\
                '''Reads a file.'''
                import csv


                def test_read():
                    with open('data/input.csv') as f:
                        assert list(csv.reader(f))
                """,
        },
    )
    found = not_found("tests/test_read.py", 6, "data/input.csv", ["tests/data/input.csv"])
    (fix,) = propose(environment.FileNotFound(), found, tmp_path)
    assert apply(tmp_path, fix)["tests/test_read.py"].decode() == textwrap.dedent(
        """\
        '''Reads a file.'''
        import csv
        import os


        def test_read():
            with open(os.path.join(os.path.dirname(__file__), 'data/input.csv')) as f:
                assert list(csv.reader(f))
        """
    )


def test_no_literal_to_anchor_is_a_suggestion(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "tests/data/input.csv": "a\n",
            "tests/test_read.py": "def test_read():\n    open('data/' + 'input.csv')\n",
        },
    )
    found = not_found("tests/test_read.py", 2, "data/input.csv", ["tests/data/input.csv"])
    (fix,) = propose(environment.FileNotFound(), found, tmp_path)
    assert not fix.edits and "tests/data/input.csv" in fix.description
    found = not_found("tests/test_read.py", 2, "data/other.csv", [])
    (fix,) = propose(environment.FileNotFound(), found, tmp_path)
    assert not fix.edits and "exists neither" in fix.description


# -- what needs a person -------------------------------------------------------------------


def test_env_var_says_where_it_is_read_and_where_to_set_it(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app/settings.py": "import os\n\nTOKEN = os.environ['API_TOKEN']\n",
            "app/other.py": 'import os\n\n\ndef f():\n    return os.getenv("API_TOKEN")\n',
            "tox.ini": "[testenv]\ncommands = pytest\n",
            ".env": "OTHER=1\n",
        },
    )
    an_issue = issue("environment.missing-env-var", "app/settings.py", 3, name="API_TOKEN")
    (fix,) = propose(environment.MissingEnvVar(), an_issue, tmp_path)
    assert not fix.edits
    text = fix.description
    assert "API_TOKEN" in text
    assert "read at app/settings.py:3 and app/other.py:5" in text
    assert "setenv" in text and "tox.ini" in text and ".env" in text
    assert "monkeypatch.setenv" in text


def test_env_var_without_tox_or_dotenv(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "import os\nX = os.environ['B']\n"})
    (fix,) = propose(
        environment.MissingEnvVar(),
        issue("environment.missing-env-var", "a.py", 2, name="B"),
        tmp_path,
    )
    assert "tox.ini" not in fix.description and ".env " not in fix.description


def test_service_names_address_and_tests(tmp_path: Path) -> None:
    make(tmp_path, {"client.py": "x = 1\n"})
    an_issue = issue(
        "environment.service-unavailable",
        "client.py",
        1,
        host="127.0.0.1",
        port=8765,
        tests=("tests/test_c.py::test_ping", "tests/test_c.py::test_pong"),
    )
    (fix,) = propose(environment.ServiceUnavailable(), an_issue, tmp_path)
    assert not fix.edits
    assert "127.0.0.1:8765" in fix.description
    assert "tests/test_c.py::test_ping and tests/test_c.py::test_pong" in fix.description


def test_other_codes_are_ignored(tmp_path: Path) -> None:
    other = issue("environment.missing-package", "a.py", 1)
    for fixer in environment.fixers():
        assert list(fixer.propose(other, Project(tmp_path))) == []


def test_check_requirements() -> None:
    assert environment.check_requirements(["python>=3.0", "pytest>=1.0"]) == []
    assert environment.check_requirements(["surely-not-installed-dist>=1"]) == [
        "surely-not-installed-dist is not installed"
    ]
    assert "is needed" in environment.check_requirements(["pytest<1"])[0]


# -- call forms (SQLAlchemy 2) ----------------------------------------------------------------


def test_sqlalchemy_error_text_is_classified_by_the_catalogue() -> None:
    from pytest_autofix.engine.classify import Context, group
    from pytest_autofix.model import Failure, Frame

    failure = Failure(
        nodeid="tests/test_db.py::test_q",
        when="call",
        exc_type="sqlalchemy.exc.ObjectNotExecutableError",
        message="Not an executable object: 'select 1'",
        facts={"exc_mro": ["sqlalchemy.exc.ObjectNotExecutableError", "ArgumentError"]},
        frame=Frame(path="app/db.py", line=3),
    )
    (found,) = group([failure], Context(frozenset(), builtin()))
    assert found.code == "environment.removed-api"
    assert found.details["api"] == "sqlalchemy.engine.Connection.execute"
    assert found.details["form"] == "call"


SQL = """\
    from sqlalchemy import select


    def rows(conn, users):
        conn.execute("create table t (x int)")
        return conn.execute(select([users])).all()
    """


@pytest.mark.skipif(
    importlib.util.find_spec("sqlalchemy") is not None, reason="sqlalchemy is installed"
)
def test_sqlalchemy_missing_downgrades_to_a_suggestion(tmp_path: Path) -> None:
    make(tmp_path, {"app/db.py": SQL})
    an_issue = removed("sqlalchemy.engine.Connection.execute", "app/db.py", 5, "call")
    (fix,) = propose(environment.RemovedApi(), an_issue, tmp_path)
    assert not fix.edits and "sqlalchemy is not installed" in fix.description


def test_sqlalchemy_transform_rewrites_both_forms() -> None:
    from pytest_autofix.fixers.toolkit.environment_transforms import migration_transform

    execute = builtin().get("sqlalchemy.engine.Connection.execute")
    select = builtin().get("sqlalchemy.select")
    assert execute is not None and select is not None
    code = libcst.parse_module(textwrap.dedent(SQL))
    for entry in (execute, select):
        transform = migration_transform(entry)
        assert transform is not None
        code = transform(code)
    assert code.code == textwrap.dedent(
        """\
        from sqlalchemy import text, select


        def rows(conn, users):
            conn.execute(text("create table t (x int)"))
            return conn.execute(select(users)).all()
        """
    )
