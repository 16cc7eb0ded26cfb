"""Before/after examples of the environment fixers, by :func:`pytest_autofix.testing.assert_fix`.

Each test gives a small project and the issue the classifier makes of the failure; ``assert_fix``
asks the fixer, plans its best fix as the engine does (every transform on the file's parse, the
result compiled, the transaction's path rules) and compares the files exactly.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import sys
import textwrap
from pathlib import Path
from typing import Any

import libcst
import pytest

from pytest_autofix.catalogue import Catalogue, builtin, parse
from pytest_autofix.fixers import environment
from pytest_autofix.fixers.toolkit.environment_confidence import GUARDED, SAFE
from pytest_autofix.model import Issue, IssueKind
from pytest_autofix.project import Project
from pytest_autofix.testing import assert_fix


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


def removed(api: str, path: str, line: int = 1, form: str = "attribute") -> Issue:
    return issue("environment.removed-api", path, line, api=api, form=form)


def suggestion(fixer: Any, an_issue: Issue, before: dict[str, str]) -> str:
    """The description of the fixer's one fix for ``an_issue``, which must have no edits."""
    result = assert_fix(fixer, an_issue, before, None, count=1)
    assert result.fix is not None
    return result.fix.description


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


def test_every_use_in_the_project_is_one_fix() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("collections.MutableMapping", "pkg/a.py", 4),
        SIX_MODULES,
        {**SIX_AFTER, "pkg/untouched.py": SIX_MODULES["pkg/untouched.py"]},
        count=1,
        confidence=SAFE,
        safe=True,
        description="in 6 files",
    )


def test_the_other_removed_names_of_the_module_go_with_the_first() -> None:
    """``from collections import Mapping, Sequence, OrderedDict`` fails on Mapping only; the
    other removed names of collections used there are one root cause with it, migrated by
    the same fix, not one round each. OrderedDict stays."""
    result = assert_fix(
        environment.RemovedApi(),
        removed("collections.Mapping", "m.py", 1),
        {
            "m.py": "from collections import Mapping, Sequence, OrderedDict\n",
            "n.py": "import collections\n\nX = collections.Hashable\n",
        },
        {
            "m.py": "from collections import OrderedDict\n"
            "from collections.abc import Mapping, Sequence\n",
            "n.py": "import collections\nimport collections.abc\n\nX = collections.abc.Hashable\n",
        },
        count=1,
        confidence=SAFE,
        safe=True,
        description="the other safe migrations of collections",
    )
    namespace: dict[str, object] = {}
    exec(compile(result.files["m.py"], "m.py", "exec"), namespace)  # imports under Python 3.11
    assert {"Mapping", "Sequence", "OrderedDict"} <= set(namespace)


def test_a_guarded_removal_of_the_module_whose_checks_pass_goes_with_the_first() -> None:
    """Python 3.13 removed ``unittest._TextTestResult`` (safe) and ``unittest.makeSuite``
    (guarded: ``python>=3.2``, no name clash) together: the fix of the first one met migrates
    the other too, where used, as sure as a guarded entry (0.9) and naming its checks; it is
    not left for another round."""
    before = """\
        import unittest


        class Result(unittest._TextTestResult):
            pass


        def suite():
            return unittest.makeSuite(Case)
        """
    after = """\
        import unittest


        class Result(unittest.TextTestResult):
            pass


        def suite():
            return unittest.TestLoader().loadTestsFromTestCase(Case)
        """
    assert_fix(
        environment.RemovedApi(),
        removed("unittest._TextTestResult", "tests/test_r.py", 4),
        {"tests/test_r.py": before},
        {"tests/test_r.py": after},
        count=1,
        confidence=GUARDED,
        safe=True,
        description="; checked: python>=3.2, no-name-clash; with it, where used, the guarded "
        "migrations of unittest whose checks pass here: unittest.makeSuite (python>=3.2, "
        "no-name-clash)",
    )


SIBLINGS = """\
    [[migration]]
    api = "collections.Mapping"
    kind = "attribute"
    removed_in = "Python 3.10"
    error = "AttributeError"
    replacement = "collections.abc.Mapping"
    safety = "safe"
    example.before = "x = 1\\n"
    example.after = "x = 1\\n"

    [[migration]]
    api = "collections.Sequence"
    kind = "attribute"
    removed_in = "Python 3.10"
    error = "AttributeError"
    replacement = "collections.abc.Sequence"
    safety = "guarded"
    requires = ["python>=3.3"]
    example.before = "x = 1\\n"
    example.after = "x = 1\\n"

    [[migration]]
    api = "collections.Set"
    kind = "attribute"
    removed_in = "Python 3.10"
    error = "AttributeError"
    replacement = "collections.abc.Set"
    safety = "guarded"
    requires = ["python>=99.0"]
    example.before = "x = 1\\n"
    example.after = "x = 1\\n"

    [[migration]]
    api = "collections.Callable"
    kind = "attribute"
    removed_in = "Python 3.10"
    error = "AttributeError"
    replacement = "collections.abc.Callable"
    safety = "unsafe"
    note = "a made-up caveat"
    example.before = "x = 1\\n"
    example.after = "x = 1\\n"
    """


def test_the_removals_of_a_module_left_out_of_the_fix_are_named_in_it() -> None:
    """One file uses four removed names of one module: the safe one met first and the guarded
    one whose check passes are migrated together; the guarded one whose check fails here and
    the unsafe one stay (each its own issue and fix), and the fix says so at once."""
    catalogue = Catalogue(parse(textwrap.dedent(SIBLINGS), "t"))
    before = """\
        from collections import Callable, Mapping, Sequence, Set

        X = (Mapping, Sequence, Set, Callable)
        """
    after = """\
        from collections import Callable, Set
        from collections.abc import Mapping, Sequence

        X = (Mapping, Sequence, Set, Callable)
        """
    assert_fix(
        environment.RemovedApi(catalogue),
        removed("collections.Mapping", "m.py", 1),
        {"m.py": before},
        {"m.py": after},
        count=1,
        confidence=GUARDED,
        safe=True,
        description="; checked: python>=3.3; with it, where used, the guarded migrations of "
        "collections whose checks pass here: collections.Sequence (python>=3.3); not in this "
        "fix, used too: collections.Set (python>=99.0 is needed",
    )
    result = assert_fix(
        environment.RemovedApi(catalogue), removed("collections.Mapping", "m.py", 1), before, after
    )
    assert result.fix is not None
    assert result.fix.description.endswith(
        "collections.Callable -> collections.abc.Callable (unsafe: a made-up caveat; its own "
        "fix, applied with --autofix-unsafe)"
    )


def test_an_attribute_of_another_object_is_not_a_removal_left() -> None:
    """``typing.Callable`` is not ``collections.Callable``: only a name the file reads
    through the module is named as left."""
    catalogue = Catalogue(parse(textwrap.dedent(SIBLINGS), "t"))
    result = assert_fix(
        environment.RemovedApi(catalogue),
        removed("collections.Mapping", "m.py", 4),
        "import collections\nimport typing\n\nX = (collections.Mapping, typing.Callable)\n",
        "import collections\nimport collections.abc\nimport typing\n\n"
        "X = (collections.abc.Mapping, typing.Callable)\n",
        confidence=SAFE,
    )
    assert result.fix is not None and "not in this fix" not in result.fix.description


def test_crlf_and_comments_are_kept() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("collections.Mapping", "m.py", 3),
        b"import collections  # old code\r\n\r\n"
        b"class A(collections.Mapping):  # base\r\n    pass\r\n",
        b"import collections  # old code\r\nimport collections.abc\r\n\r\n"
        b"class A(collections.abc.Mapping):  # base\r\n    pass\r\n",
        count=1,
    )


def test_import_form_issue_fixes_attribute_uses_too() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("collections.Mapping", "one.py", 1, "import"),
        {
            "one.py": "from collections import Mapping\n",
            "two.py": "import collections\nX = collections.Mapping\n",
        },
        {
            "one.py": "from collections.abc import Mapping\n",
            "two.py": "import collections\nimport collections.abc\nX = collections.abc.Mapping\n",
        },
        count=1,
    )


def test_method_rename_in_every_test_module() -> None:
    body = """\
        import unittest


        class T(unittest.TestCase):
            def test_a(self):
                self.assertEquals(1, 1)
        """
    after = body.replace("assertEquals", "assertEqual")
    assert_fix(
        environment.RemovedApi(),
        removed("unittest.TestCase.assertEquals", "tests/test_a.py", 6, "method"),
        {"tests/test_a.py": body, "tests/test_b.py": body, "other.py": "x = 1\n"},
        {"tests/test_a.py": after, "tests/test_b.py": after, "other.py": "x = 1\n"},
        count=1,
    )


def test_a_method_named_through_its_class_is_an_exact_pattern() -> None:
    """``@with_doc(np.ndarray.ptp)``: NumPy's own method named through NumPy's class is
    np.ptp's function, an exact rewrite; ``x.ptp()`` in the same file would be any object's."""
    before = """\
        import numpy as np


        @with_doc(np.ndarray.ptp)
        def ptp(self, axis=None):
            return self.magnitude
        """
    after = before.replace("np.ndarray.ptp", "np.ptp")
    an_issue = removed("numpy.ndarray.ptp", "pkg/quantity.py", 4, "method")
    assert_fix(
        environment.RemovedApi(),
        an_issue,
        {"pkg/quantity.py": before},
        {"pkg/quantity.py": after},
        confidence=SAFE,
        safe=True,
    )
    also_called = before.replace("return self.magnitude", "return self.magnitude.ptp()")
    assert_fix(
        environment.RemovedApi(),
        an_issue,
        {"pkg/quantity.py": also_called},
        {"pkg/quantity.py": after.replace("self.magnitude", "np.ptp(self.magnitude)")},
        safe=False,
    )


REMOVED_MODULES = {
    "a.py": "import imp\n\nimport b\n\nimp.reload(b)\n",
    "b.py": "from pipes import quote\n\nCMD = quote('x y')\n",
    "c.py": "import pipes as p\n\nCMD = p.quote('x y')\n",
}


def test_removed_module_with_a_drop_in() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("imp", "a.py", 1, "module"),
        REMOVED_MODULES,
        {"a.py": "import importlib\n\nimport b\n\nimportlib.reload(b)\n", **_unchanged("b.py")},
        count=1,
    )
    assert_fix(
        environment.RemovedApi(),
        removed("pipes", "b.py", 1, "module"),
        REMOVED_MODULES,
        {
            "b.py": "from shlex import quote\n\nCMD = quote('x y')\n",
            "c.py": "import shlex as p\n\nCMD = p.quote('x y')\n",
            "a.py": REMOVED_MODULES["a.py"],
        },
        count=1,
    )


def _unchanged(*paths: str) -> dict[str, str]:
    return {path: REMOVED_MODULES[path] for path in paths}


def test_removed_module_use_without_replacement_needs_a_person() -> None:
    text = suggestion(
        environment.RemovedApi(),
        removed("imp", "a.py", 1, "module"),
        {"a.py": "import imp\n\nm = imp.load_source('m', 'm.py')\n"},
    )
    assert "imp.load_source" in text and "whatsnew" in text


GONE_NAMES = """
    [[migration]]
    api = "jsonlib.gone.dumps"
    kind = "attribute"
    removed_in = "jsonlib 2.0"
    error = "ModuleNotFoundError: No module named 'jsonlib.gone'"
    replacement = "json.dumps"
    safety = "safe"
    example.before = "from jsonlib.gone import dumps\\n"
    example.after = "from json import dumps\\n"

    [[migration]]
    api = "jsonlib.gone.loads"
    kind = "attribute"
    removed_in = "jsonlib 2.0"
    error = "ModuleNotFoundError: No module named 'jsonlib.gone'"
    replacement = "json.loads"
    safety = "safe"
    example.before = "from jsonlib.gone import loads\\n"
    example.after = "from json import loads\\n"

    [[migration]]
    api = "jsonlib.codec"
    kind = "attribute"
    removed_in = "jsonlib 2.0"
    error = "ModuleNotFoundError: No module named 'jsonlib.codec'"
    replacement = "json"
    safety = "safe"
    patterns = [{ match = "jsonlib.codec.dumps", replace = "json.dumps", imports = ["json"] }]
    example.before = "import jsonlib\\n\\nTEXT = jsonlib.codec.dumps([])\\n"
    example.after = "import jsonlib\\nimport json\\n\\nTEXT = json.dumps([])\\n"
    """


def test_a_gone_module_is_migrated_name_by_name() -> None:
    """``from jsonlib.gone import dumps, loads`` where jsonlib no longer has that module: no
    entry for the module, one for each name it held; one fix migrates every file."""
    fixer = environment.RemovedApi(Catalogue(parse(textwrap.dedent(GONE_NAMES), "t")))
    before = {
        "a.py": "from jsonlib.gone import dumps, loads\n\nTEXT = dumps(loads('[]'))\n",
        "b.py": "import jsonlib.gone as g\n\nTEXT = g.dumps([])\n",
    }
    after = {
        "a.py": "from json import loads\nfrom json import dumps\n\nTEXT = dumps(loads('[]'))\n",
        "b.py": "import json\n\nTEXT = json.dumps([])\n",
    }
    gone = removed("jsonlib.gone", "a.py", 1, "module")
    assert_fix(fixer, gone, before, after, count=1, confidence=SAFE, safe=True)
    # a name no entry migrates: that file is left to a person, and the fix is not safe
    other = {**before, "c.py": "from jsonlib.gone import dumps, other\n\nX = other\n"}
    result = assert_fix(fixer, gone, other, after, count=1, safe=False)
    assert result.fix is not None
    assert "not changed: c.py (still uses other of jsonlib.gone" in result.fix.description


def test_a_gone_module_named_by_an_attribute_entry_drops_its_imports() -> None:
    """``pandas.tslib``'s shape: the entry is the module as its package's attribute, whose
    patterns name what it held; reached as a missing module, a file still importing a name
    the patterns do not migrate is left to a person (the import would still fail)."""
    fixer = environment.RemovedApi(Catalogue(parse(textwrap.dedent(GONE_NAMES), "t")))
    gone = removed("jsonlib.codec", "a.py", 1, "module")
    before = {"a.py": "from jsonlib.codec import dumps\n\nTEXT = dumps([])\n"}
    after = {"a.py": "import json\n\nTEXT = json.dumps([])\n"}
    assert_fix(fixer, gone, before, after, count=1, confidence=SAFE, safe=True)
    private = {"a.py": "from jsonlib.codec import dumps, _private\n\nTEXT = dumps(_private)\n"}
    text = suggestion(fixer, gone, private)
    assert "still uses _private of jsonlib.codec" in text


def test_mock_to_unittest_mock_when_the_package_is_absent() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("mock", "tests/test_m.py", 1, "module"),
        "import mock\nfrom mock import patch\n\nm = mock.Mock()\n",
        "import unittest.mock as mock\nfrom unittest.mock import patch\n\nm = mock.Mock()\n",
        count=1,
        confidence=GUARDED,
        safe=True,
        description="checked: python>=3.3, absent:mock",
    )


def test_pkg_resources_version() -> None:
    """The catalogue's patterns migrate a version lookup; the other uses of pkg_resources
    (require, entry points, resources) are the environment.pkg-resources fixer's."""
    assert_fix(
        environment.RemovedApi(),
        removed("pkg_resources", "pkg/__init__.py", 1, "module"),
        {
            "pkg/__init__.py": """\
                import pkg_resources

                __version__ = pkg_resources.get_distribution("pkg").version
                """,
        },
        {
            "pkg/__init__.py": """\
                import importlib.metadata

                __version__ = importlib.metadata.version("pkg")
                """,
        },
        count=1,
        safe=True,
    )


def test_pkg_resources_other_use_is_left_to_a_person() -> None:
    text = suggestion(
        environment.RemovedApi(),
        removed("pkg_resources", "a.py", 1, "module"),
        {"a.py": "import pkg_resources\n\np = pkg_resources.resource_filename('a', 'b')\n"},
    )
    assert "resource_filename" in text and "setuptools.pypa.io" in text


def test_name_clash_downgrades_to_a_person() -> None:
    result = assert_fix(
        environment.RemovedApi(),
        removed("pkg_resources", "ok.py", 1, "module"),
        {
            "ok.py": "import pkg_resources\nV = pkg_resources.get_distribution('a').version\n",
            "clash.py": (
                "import pkg_resources\nimportlib = None\n"
                "V = pkg_resources.get_distribution('a').version\n"
            ),
        },
        {
            "ok.py": "import importlib.metadata\nV = importlib.metadata.version('a')\n",
            "clash.py": (
                "import pkg_resources\nimportlib = None\n"
                "V = pkg_resources.get_distribution('a').version\n"
            ),
        },
        count=1,
        safe=False,
        description="clash.py ('importlib' is bound to something else in this file)",
    )
    assert result.fix is not None and result.fix.confidence < 0.8


def test_failed_version_guard_is_a_suggestion() -> None:
    entry = builtin().get("configparser.SafeConfigParser")
    assert entry is not None
    future = entry.model_copy(update={"requires": ["python>=99.0"]})
    text = suggestion(
        environment.RemovedApi(builtin().merged([future])),
        removed("configparser.SafeConfigParser", "a.py", 2),
        {"a.py": "import configparser\np = configparser.SafeConfigParser()\n"},
    )
    assert "python>=99.0 is needed" in text


def test_replacement_missing_here_is_a_suggestion() -> None:
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
    text = suggestion(
        environment.RemovedApi(Catalogue(entry)),
        removed("collections.Mapping", "a.py", 2),
        {"a.py": "import collections\nX = collections.Mapping\n"},
    )
    assert "collections.abc has no NoSuchMapping" in text


def test_unsafe_entry_is_marked_unsafe() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("fractions.gcd", "a.py", 2),
        "import fractions\nd = fractions.gcd(a, b)\n",
        "import fractions\nimport math\nd = math.gcd(a, b)\n",
        count=1,
        safe=False,
        description="took the sign",
    )


def test_manual_entry_and_unknown_api_are_suggestions() -> None:
    before = {"a.py": "import asyncio\n"}
    text = suggestion(environment.RemovedApi(), removed("asyncio.coroutine", "a.py", 1), before)
    assert "async def" in text and "https://" in text
    text = suggestion(environment.RemovedApi(), removed("somelib.gone", "a.py", 1), before)
    assert "autofix_migrations" in text


def test_numpy_guard_when_numpy_is_missing() -> None:
    an_issue = removed("numpy.float_", "a.py", 2)
    before = {"a.py": "import numpy as np\nx = np.float_(1)\n"}
    if importlib.util.find_spec("numpy") is None:
        text = suggestion(environment.RemovedApi(), an_issue, before)
        assert "numpy" in text and "not installed" in text
    else:
        after = {"a.py": "import numpy as np\nx = np.float64(1)\n"}
        assert_fix(environment.RemovedApi(), an_issue, before, after, count=1)


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


def test_anchor_with_pathlib_when_the_file_uses_it() -> None:
    assert_fix(
        environment.FileNotFound(),
        not_found("tests/test_read.py", 5, "data/input.csv", ["tests/data/input.csv"]),
        {
            "tests/data/input.csv": "a\n",
            "tests/test_read.py": """\
                from pathlib import Path


                def test_read():
                    assert Path("data/input.csv").read_text() == "a\\n"
                """,
        },
        {
            "tests/test_read.py": """\
                from pathlib import Path


                def test_read():
                    assert Path(Path(__file__).parent / "data/input.csv").read_text() == "a\\n"
                """
        },
        count=1,
        safe=True,
    )


def test_anchor_with_os_path_otherwise() -> None:
    assert_fix(
        environment.FileNotFound(),
        not_found("tests/test_read.py", 6, "data/input.csv", ["tests/data/input.csv"]),
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
        {
            "tests/test_read.py": """\
                '''Reads a file.'''
                import csv
                import os


                def test_read():
                    with open(os.path.join(os.path.dirname(__file__), 'data/input.csv')) as f:
                        assert list(csv.reader(f))
                """
        },
        count=1,
    )


def test_a_path_written_from_the_root_is_anchored_through_the_module_directory() -> None:
    # run from tests/, "tests/data/input.csv" exists only from the rootdir
    issue = not_found("tests/test_read.py", 5, "tests/data/input.csv", ["tests/data/input.csv"])
    assert_fix(
        environment.FileNotFound(),
        issue,
        {
            "tests/data/input.csv": "a\n",
            "tests/test_read.py": """\
                from pathlib import Path


                def test_read():
                    assert Path("tests/data/input.csv").read_text() == "a\\n"
                """,
        },
        {
            "tests/test_read.py": """\
                from pathlib import Path


                def test_read():
                    assert Path(Path(__file__).parent / "data/input.csv").read_text() == "a\\n"
                """
        },
        count=1,
        safe=True,
    )


def test_a_path_written_from_the_root_to_another_directory_climbs_up() -> None:
    issue = not_found("tests/unit/test_read.py", 3, "fixtures/input.csv", ["fixtures/input.csv"])
    assert_fix(
        environment.FileNotFound(),
        issue,
        {
            "fixtures/input.csv": "a\n",
            "tests/unit/test_read.py": """\
                def test_read():
                    with open("fixtures/input.csv") as f:
                        assert f.read() == "a\\n"
                """,
        },
        {
            "tests/unit/test_read.py": """\
                import os


                def test_read():
                    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "fixtures/input.csv")) as f:
                        assert f.read() == "a\\n"
                """  # noqa: E501
        },
        count=1,
        safe=True,
    )


def test_no_literal_to_anchor_is_a_suggestion() -> None:
    before = {
        "tests/data/input.csv": "a\n",
        "tests/test_read.py": "def test_read():\n    open('data/' + 'input.csv')\n",
    }
    found = not_found("tests/test_read.py", 2, "data/input.csv", ["tests/data/input.csv"])
    assert "tests/data/input.csv" in suggestion(environment.FileNotFound(), found, before)
    found = not_found("tests/test_read.py", 2, "data/other.csv", [])
    assert "exists neither" in suggestion(environment.FileNotFound(), found, before)


# -- what needs a person -------------------------------------------------------------------


def test_env_var_says_where_it_is_read_and_where_to_set_it() -> None:
    text = suggestion(
        environment.MissingEnvVar(),
        issue("environment.missing-env-var", "app/settings.py", 3, name="API_TOKEN"),
        {
            "app/settings.py": "import os\n\nTOKEN = os.environ['API_TOKEN']\n",
            "app/other.py": 'import os\n\n\ndef f():\n    return os.getenv("API_TOKEN")\n',
            "tox.ini": "[testenv]\ncommands = pytest\n",
            ".env": "OTHER=1\n",
        },
    )
    assert "API_TOKEN" in text
    assert "read at app/settings.py:3 and app/other.py:5" in text
    assert "setenv" in text and "tox.ini" in text and ".env" in text
    assert "monkeypatch.setenv" in text


def test_env_var_without_tox_or_dotenv() -> None:
    text = suggestion(
        environment.MissingEnvVar(),
        issue("environment.missing-env-var", "a.py", 2, name="B"),
        {"a.py": "import os\nX = os.environ['B']\n"},
    )
    assert "tox.ini" not in text and ".env " not in text


def test_service_names_address_and_tests() -> None:
    an_issue = issue(
        "environment.service-unavailable",
        "client.py",
        1,
        host="127.0.0.1",
        port=8765,
        tests=("tests/test_c.py::test_ping", "tests/test_c.py::test_pong"),
    )
    text = suggestion(environment.ServiceUnavailable(), an_issue, {"client.py": "x = 1\n"})
    assert "127.0.0.1:8765" in text
    assert "tests/test_c.py::test_ping and tests/test_c.py::test_pong" in text


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
def test_sqlalchemy_missing_downgrades_to_a_suggestion() -> None:
    an_issue = removed("sqlalchemy.engine.Connection.execute", "app/db.py", 5, "call")
    text = suggestion(environment.RemovedApi(), an_issue, {"app/db.py": SQL})
    assert "sqlalchemy is not installed" in text


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
        from sqlalchemy import select, text


        def rows(conn, users):
            conn.execute(text("create table t (x int)"))
            return conn.execute(select(users)).all()
        """
    )


# -- what a migration must not do ------------------------------------------------------------


def _migrate(api: str, source: str) -> str:
    from pytest_autofix.fixers.toolkit.environment_transforms import migration_transform

    entry = builtin().get(api)
    assert entry is not None
    transform = migration_transform(entry)
    assert transform is not None
    return transform(libcst.parse_module(textwrap.dedent(source))).code


def test_a_replacement_that_binds_less_tightly_is_parenthesized_where_it_must_be() -> None:
    """``np.NINF`` -> ``-np.inf``: ``np.NINF ** 2`` must not become ``-np.inf ** 2`` (a
    different value); where nothing binds tighter no parentheses are added."""
    after = _migrate(
        "numpy.NINF",
        """\
        import numpy as np
        x = np.NINF ** 2
        y = np.NINF
        f(np.NINF, [np.NINF])
        v = np.NINF.real
        """,
    )
    assert after == textwrap.dedent(
        """\
        import numpy as np
        x = (-np.inf) ** 2
        y = -np.inf
        f(-np.inf, [-np.inf])
        v = (-np.inf).real
        """
    )
    namespace: dict[str, Any] = {"np": pytest.importorskip("numpy"), "f": lambda *a: a}
    exec(after, namespace)
    assert namespace["x"] == float("inf")


def test_a_replacement_spelled_with_the_files_alias_adds_no_import() -> None:
    after = _migrate("numpy.asfarray", "import numpy as np\nvalues = np.asfarray([1, 2])\n")
    assert after == "import numpy as np\nvalues = np.asarray([1, 2], dtype=np.float64)\n"
    after = _migrate("numpy.asfarray", "from numpy import asfarray\nvalues = asfarray([1, 2])\n")
    assert "import numpy\n" in after and "numpy.asarray(" in after


def test_a_method_rename_leaves_the_same_name_of_a_module_alone() -> None:
    """``array.array.tostring`` is a method: ``xml.etree.ElementTree.tostring(e)`` (a module's
    function, however the module is imported) keeps its name."""
    after = _migrate(
        "array.array.tostring",
        """\
        import array
        import xml.etree.ElementTree
        from xml.etree import ElementTree as ET
        a = array.array("b").tostring()
        c = xml.etree.ElementTree.tostring(e)
        d = ET.tostring(e)
        """,
    )
    assert 'a = array.array("b").tobytes()' in after
    assert "c = xml.etree.ElementTree.tostring(e)" in after and "d = ET.tostring(e)" in after


def test_no_migration_known_says_which_library_and_the_two_ways_out() -> None:
    """A removal the catalogue does not know: the library and the version installed, the
    version that removed it when the error says, and the two ways out (migrate, or pin below
    it in the file that declares the library)."""
    version = importlib.metadata.version("pytest")
    before = {
        "pyproject.toml": '[project]\nname = "p"\noptional-dependencies.test = ["pytest>=6"]\n',
        "a.py": "import pytest\n",
    }
    message = "module 'pytest' has no attribute 'gone': removed in the pytest 8.0 release"
    an_issue = dataclasses.replace(removed("pytest.gone", "a.py", 1), message=message)
    text = suggestion(environment.RemovedApi(), an_issue, before)
    assert f"pytest.gone is gone from pytest {version} (removed in 8.0, the error says)" in text
    assert "pin `pytest<8.0` in pyproject.toml ([project.optional-dependencies] test)" in text
    assert "migrate the code (pytest's changelog says what replaces it)" in text
    text = suggestion(environment.RemovedApi(), removed("collections.gone", "a.py", 1), before)
    assert f"collections.gone is gone from Python {sys.version.split()[0]}" in text
    assert "test on the Python it last worked on" in text
    text = suggestion(environment.RemovedApi(), removed("json.laods", "a.py", 1), before)
    assert text.endswith("If it is a misspelling of json.loads, correct it.")
