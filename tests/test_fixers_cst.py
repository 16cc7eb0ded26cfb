"""The fixers' plain-libcst stand-ins for ``libcst.matchers`` and ``AddImportsVisitor``.

Production code does not import ``libcst.matchers`` or ``libcst.codemod`` (together ~0.4 s);
these tests do, to hold the stand-ins to exactly what they replace: ``find_all`` and the
shape checks against ``m.findall``/``m.matches`` on varied sources, ``add_import`` against
``AddImportsVisitor`` (same code, same errors) on every pair of a source and an import, and
a real ``--autofix`` session that fixes an import, a fixture and a removed API without
loading either package.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst
import libcst.matchers as m
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from pytest_autofix.fixers.toolkit import cst as _cst
from pytest_autofix.fixers.toolkit import import_transforms as _imports_rewrite

SOURCES = {
    "nested": """
        '''A module docstring.'''
        import os
        from typing import List as L, Optional

        def outer(a, b=None):
            import json
            def inner(x):
                return [json.dumps(y) for y in x if y is not None]
            class Local:
                attr = lambda self: os.path.join("a", "b")
                def method(self):
                    yield from (None for _ in range(3))
                    return None
            return inner(a), Local
    """,
    "decorators": """
        import pytest
        from pytest import fixture, mark as mk

        @pytest.fixture(scope="module")
        def db(tmp_path_factory):
            return tmp_path_factory.mktemp("db")

        @mk.parametrize("x", [None, 1, "two"])
        @fixture
        def value(request, x):
            if x is None:
                return None
            yield request.param

        class TestThing:
            @staticmethod
            def helper(f=lambda v: v.name): return f
            def test_it(self, db, value):
                assert db.exists() and value is not None
                call = pytest.warns(None)
                from os import path
                assert path.exists(db)
    """,
    "lambdas": """
        \"\"\"Doc\"\"\" \"string\"
        from __future__ import annotations
        import a.b as c, d
        key = sorted(items, key=lambda item: (item.name, None))
        apply = lambda f, *args: f(*args)
        result = apply(lambda: None)
        def gen():
            return (lambda: (yield))
        x: "List[int]" = [n for n in range(10) if (lambda n: n)(n)]
        import os; print(os.name)
    """,
    "empty": "",
    "calls": """
        from .pkg import (
            one,
            two as too,
        )
        from .. import parent
        from pytest import *
        tmp_path()
        tmp_path(1)
        self.tmp_path()
        (tmp_path)()
        def f():
            return tmp_path()
    """,
}


def _parse(name: str) -> cst.Module:
    return cst.parse_module(textwrap.dedent(SOURCES[name]).lstrip("\n"))


def _same(found: Sequence[cst.CSTNode], expected: Sequence[cst.CSTNode]) -> None:
    """The same nodes (by identity, as libcst compares them) in the same order."""
    assert list(found) == list(expected)
    assert [id(n) for n in found] == [id(n) for n in expected]


def _every_node(tree: cst.CSTNode) -> list[cst.CSTNode]:
    return list(m.findall(tree, m.MatchIfTrue(lambda _: True)))


def _is_none(node: cst.Name) -> bool:
    return node.value == "None"


def _calls_tmp_path(node: cst.Call) -> bool:
    return _cst.is_name(node.func, "tmp_path")


def _from_pytest(node: cst.ImportFrom) -> bool:
    return _cst.is_name(node.module, "pytest")


# a matcher, and the types and predicate of the same search with find_all
FINDS: list[tuple[m.BaseMatcherNode, Any, Any]] = [
    (m.Import(), cst.Import, None),
    (m.ImportFrom() | m.Import(), (cst.ImportFrom, cst.Import), None),
    (m.Name("None"), cst.Name, _is_none),
    (m.Call(func=m.Name("tmp_path")), cst.Call, _calls_tmp_path),
    (m.ImportFrom(module=m.Name("pytest")), cst.ImportFrom, _from_pytest),
    (m.Yield(), cst.Yield, None),
    (m.Return(), cst.Return, None),
    (m.Lambda(), cst.Lambda, None),
    (m.FunctionDef(), cst.FunctionDef, None),
]


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("index", range(len(FINDS)))
def test_find_all_is_findall(source: str, index: int) -> None:
    tree = _parse(source)
    matcher, types, predicate = FINDS[index]
    # from the module, from every function (and its body), class and lambda in it
    roots: list[cst.CSTNode] = [tree]
    for node in _every_node(tree):
        if isinstance(node, cst.FunctionDef):
            roots += [node, node.body]
        elif isinstance(node, cst.ClassDef | cst.Lambda | cst.Decorator):
            roots.append(node)
    for root in roots:
        _same(_cst.find_all(root, types, predicate), m.findall(root, matcher))


def test_find_all_includes_the_node_itself_and_descends_everywhere() -> None:
    tree = _parse("nested")
    outer = next(n for n in _cst.find_all(tree, cst.FunctionDef) if n.name.value == "outer")
    found = _cst.find_all(outer, cst.FunctionDef)
    assert [f.name.value for f in found] == ["outer", "inner", "method"]
    # in the body: `y is not None`, `(None for ...)`, `return None` (the default `b=None` is not)
    nones = _cst.find_all(outer.body, cst.Name, lambda n: n.value == "None")
    assert len(nones) == 3 and len(_cst.find_all(outer, cst.Name, lambda n: n.value == "None")) == 4
    assert _cst.find_all(tree, cst.Await) == []


def test_find_all_on_the_old_rename_name_pattern() -> None:
    """``m.ImportAlias(name=m.Name(old)) | m.Attribute(attr=m.Name(old))``."""
    for source in SOURCES:
        tree = _parse(source)
        for old in ("path", "mk", "L", "b", "name", "one", "missing"):
            matcher = m.ImportAlias(name=m.Name(old)) | m.Attribute(attr=m.Name(old))
            found = _cst.find_all(
                tree, (cst.ImportAlias, cst.Attribute), _imports_rewrite._names(old)
            )
            _same(found, m.findall(tree, matcher))


SHAPES: list[tuple[m.BaseMatcherNode, Callable[[cst.CSTNode], bool]]] = [
    (m.SimpleStatementLine([m.Expr(m.SimpleString())]), _cst.is_docstring),
    (
        m.SimpleStatementLine([m.Expr(m.SimpleString() | m.ConcatenatedString())]),
        lambda n: _cst.is_docstring(n, concatenated=True),
    ),
    (m.SimpleStatementLine(body=[m.Import()]), lambda n: _cst.is_import_line(n, cst.Import)),
    (m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()]), _cst.is_import_line),
    (m.Name("None"), lambda n: _cst.is_name(n, "None")),
    (m.Name("os"), lambda n: _cst.is_name(n, "os")),
]


def test_shapes_are_matches() -> None:
    extra = '"a" "b"\n"doc"; x = 1\n("doc")\nb"doc"\nf"doc"\nimport a; import b\nNone\n'
    nodes = [n for s in SOURCES for n in _every_node(_parse(s))]
    nodes += _every_node(cst.parse_module(extra))
    for matcher, check in SHAPES:
        hits = [n for n in nodes if check(n)]
        assert hits == [n for n in nodes if m.matches(n, matcher)], matcher
        assert 0 < len(hits) < len(nodes)


# -- add_import against AddImportsVisitor ------------------------------------------------------

IMPORT_SOURCES = [
    "",
    "x = 1\n",
    '"""Doc."""\n',
    '"""Doc."""\nx = 1\n',
    '"""Doc."""\n\nimport os\nx = 1\n',
    '"a" "b"\nimport os\n',
    "__strict__ = True\nimport os\n\ndef f(): pass\n",
    "from __future__ import annotations\n\nimport os\n",
    '"""Doc."""\nfrom __future__ import annotations\nimport os\nimport sys\nfoo()\n',
    "import os\nimport sys\nfrom typing import List\n# comment\nx = 1\n",
    "import os\n\n# comment\n\nx = 1\n",
    "import os\n# comment\nx = 1\n",
    "from typing import (\n    List,\n    Dict,\n)\n\nx: List[int] = []\n",
    "from typing import *\nfrom typing import List\n",
    "from typing import Optional as Opt\nfrom typing import List\n",
    "import a as x\nimport a as y\n",
    "import a as y\nimport a as x\n",
    "import a.b\nimport a.b as ab\n",
    "from . import sibling\nfrom .pkg import thing\nfrom .. import up\n",
    "import os; import sys\nimport json\n",
    "x = 1\nimport os\nfrom typing import List\n",
    "def f():\n    import json\n    from typing import List\n",
    "if True:\n    import json\n",
    "try:\n    import json\nexcept ImportError:\n    json = None\n",
    "import os\r\nx = 1\r\n",
    "import os\nclass A:\n\tdef f(self):\n\t\tpass\n",
    "from collections import abc\nimport collections.abc\n",
    "import json\n\n\ndef test():\n    assert json.loads('1') == 1\n",
]

IMPORTS: list[tuple[str, str | None, str | None]] = [
    ("os", None, None),
    ("json", None, None),
    ("a", None, "x"),
    ("a", None, "y"),
    ("a.b", None, None),
    ("a.b", None, "ab"),
    ("collections.abc", None, None),
    ("typing", "List", None),
    ("typing", "Dict", None),
    ("typing", "Optional", "Opt"),
    ("typing", "Optional", "O"),
    ("typing", "List", "L"),
    ("collections", "abc", None),
    ("__future__", "annotations", None),
    ("__future__", "division", None),
    ("__future__", None, None),
    ("__future__", "annotations", "ann"),
    (".", "sibling", None),
    (".pkg", "thing", None),
    (".pkg", "other", None),
    (".rel", None, None),
    ("..", "up", None),
    ("", "x", None),
    ("pkg", "", None),
]


def _outcome(run: Callable[..., cst.Module], *args: object) -> tuple[str, str]:
    """The code ``run(*args)`` returns, or the type and message of what it raises."""
    try:
        return "code", run(*args).code
    except Exception as exc:
        return type(exc).__name__, str(exc)


def _codemod(tree: cst.Module, module: str, name: str | None, asname: str | None) -> cst.Module:
    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, module, name, asname)
    return AddImportsVisitor(context).transform_module(tree)


@pytest.mark.parametrize("source", IMPORT_SOURCES)
def test_add_import_is_add_imports_visitor(source: str) -> None:
    tree = cst.parse_module(source)
    for module, name, asname in IMPORTS:
        ours = _outcome(_imports_rewrite._add_import, tree, module, name, asname)
        fixer = _outcome(_imports_rewrite.add_import(module, name, asname), tree)
        try:
            codemod = _codemod(tree, module, name, asname)
        except Exception as exc:
            assert ours == fixer == (type(exc).__name__, str(exc)), (module, name, asname)
            continue
        assert ours == ("code", codemod.code), (module, name, asname)
        # the transform the fixers use: the same, with the spacing kept and a merged name in
        # its place in a line that is in order
        assert fixer == ("code", _imports_rewrite._tidy(tree, codemod).code)


def test_add_import_examples() -> None:
    def add(source: str, module: str, name: str | None = None, asname: str | None = None) -> str:
        return _imports_rewrite.add_import(module, name, asname)(cst.parse_module(source)).code

    assert add("def test():\n    json.loads('1')\n", "json") == (
        "import json\n\n\ndef test():\n    json.loads('1')\n"
    )
    assert add("x = 1\n", "json") == "import json\n\nx = 1\n"  # one line before code
    assert add("# c\nclass A:\n    pass\n", "json") == "# c\nimport json\n\n\nclass A:\n    pass\n"
    assert (  # in its section, in order (tests/test_import_style.py has more)
        add('"""Doc."""\nimport os\nx = 1\n', "json")
        == '"""Doc."""\nimport json\nimport os\nx = 1\n'
    )
    assert add("from typing import List\n", "typing", "Dict") == "from typing import Dict, List\n"
    # merged in order (isort's and ruff's order by type) when the line is in order
    assert add("from typing import List\n", "typing", "Optional") == (
        "from typing import List, Optional\n"
    )
    assert add("from m import TIMEOUT, Client, run\n", "m", "Config") == (
        "from m import TIMEOUT, Client, Config, run\n"
    )
    assert add("from m import run, Client\n", "m", "Config") == (
        "from m import Config, run, Client\n"  # not in order: left as it is, name first
    )
    assert add('"""Doc."""\nimport os\n', "__future__", "annotations") == (
        '"""Doc."""\nfrom __future__ import annotations\n\nimport os\n'  # a section of its own
    )
    source = "import json\nx = 1\n"
    tree = cst.parse_module(source)
    assert _imports_rewrite.add_import("json")(tree) is tree


# -- a real session ---------------------------------------------------------------------------

RECORDER = """
import json
import sys


def pytest_unconfigure(config):
    # the session that ran autofix (its verifying rerun is a separate interpreter)
    if "pytest_autofix.engine.rounds" in sys.modules:
        (config.rootpath / "modules.json").write_text(json.dumps(sorted(sys.modules)))


import pytest


@pytest.fixture
def database():
    return {"rows": 3}
"""

BROKEN = {
    "test_export": """
        def test_loads():
            assert json.loads("[1]") == [1]
    """,
    "test_rows": """
        def test_rows(databse):
            assert databse["rows"] == 3
    """,
    "test_mapping": """
        import collections


        def test_mapping():
            assert isinstance({}, collections.MutableMapping)
    """,
}


def test_a_fixing_session_loads_neither_matchers_nor_codemod(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(**{name: textwrap.dedent(code) for name, code in BROKEN.items()})
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    fixed = sorted((i["code"], i["status"]) for i in report["issues"])
    assert fixed == [
        ("environment.removed-api", "fixed"),
        ("fixture.not-found", "fixed"),
        ("import.name-undefined", "fixed"),
    ], result.stdout.str()
    assert result.ret == 0
    assert (pytester.path / "test_export.py").read_text().startswith("import json\n")
    assert "def test_rows(database):" in (pytester.path / "test_rows.py").read_text()
    assert "collections.abc.MutableMapping" in (pytester.path / "test_mapping.py").read_text()
    loaded = set(json.loads((pytester.path / "modules.json").read_text()))
    assert {
        "pytest_autofix.fixers.imports",
        "pytest_autofix.fixers.fixtures",
        "pytest_autofix.fixers.environment.removed_api",
        "libcst",
    } <= loaded
    assert not {m for m in loaded if m.startswith(("libcst.matchers", "libcst.codemod"))}
