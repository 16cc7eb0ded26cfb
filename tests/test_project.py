from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import libcst
import pytest

from pytest_autofix.project import FixtureInfo, ImportRef, Project


def make(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def names(project: Project) -> dict[str, str]:
    return {info.rel: info.name for info in project.all_modules()}


def test_module_names_follow_pytest_prepend_mode(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "flat.py": "",
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/m.py": "",
            "src/lib/__init__.py": "",
            "src/lib/core.py": "",
            "tests/test_a.py": "",
            "tests/unit/__init__.py": "",
            "tests/unit/test_b.py": "",
        },
    )
    project = Project(tmp_path)
    assert names(project) == {
        "flat.py": "flat",
        "pkg/__init__.py": "pkg",
        "pkg/sub/__init__.py": "pkg.sub",
        "pkg/sub/m.py": "pkg.sub.m",
        "src/lib/__init__.py": "lib",
        "src/lib/core.py": "lib.core",
        "tests/test_a.py": "test_a",  # a rootdir-less test dir: its own sys.path entry
        "tests/unit/__init__.py": "unit",
        "tests/unit/test_b.py": "unit.test_b",
    }
    assert project.module_name(Path("pkg/sub/m.py")) == "pkg.sub.m"
    assert project.module_name(tmp_path / "src/lib/core.py") == "lib.core"
    assert project.module_name(tmp_path.parent / "elsewhere.py") is None
    assert project.module_name(Path("README.md")) is None
    info = project.module("pkg.sub")
    assert info is not None and info.is_package and info.path == tmp_path / "pkg/sub/__init__.py"
    assert project.module_at("src/lib/core.py") == project.module("lib.core")
    assert project.module_at(tmp_path / "flat.py") == project.module("flat")
    assert project.module_at("missing.py") is None


def test_files_skip_tool_environment_and_excluded_dirs(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "keep.py": "",
            "build/__init__.py": "",  # a package named build is source, not build output
            "build/tool.py": "",
            ".git/hooks/x.py": "",
            ".tox/py311/lib/x.py": "",
            ".venv/lib/x.py": "",
            "myenv/pyvenv.cfg": "home = /usr/bin\n",
            "myenv/lib/x.py": "",
            "lib/site-packages/x.py": "",
            "pkg/__pycache__/x.py": "",
            "node_modules/x.py": "",
            "dist/x.py": "",
            "out/build/x.py": "",
            "vendor/thing.py": "",
            "notes.txt": "",
        },
    )
    project = Project(tmp_path, exclude=["vendor/"])
    assert [p.relative_to(tmp_path).as_posix() for p in project.files()] == [
        "build/__init__.py",
        "build/tool.py",
        "keep.py",
    ]
    assert set(names(project)) == {"build/__init__.py", "build/tool.py", "keep.py"}


def test_imports_resolved_against_the_importing_package(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "pkg/__init__.py": "from . import sub\nfrom .sub.m import value\n",
            "pkg/other.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/sibling.py": "",
            "pkg/sub/m.py": """\
                import os.path, json as j
                from . import sibling
                from .. import other
                from ..other import x as y
                from .sibling import *
                from ... import too_far
                from pkg.sub import sibling as s
            """,
        },
    )
    project = Project(tmp_path)
    m = project.module("pkg.sub.m")
    assert m is not None
    assert [(ref.module, ref.names, ref.line, ref.level) for ref in m.imports] == [
        ("os.path", (), 1, 0),
        ("json", (), 1, 0),
        ("pkg.sub", ("sibling",), 2, 1),
        ("pkg", ("other",), 3, 2),
        ("pkg.other", ("x",), 4, 2),
        ("pkg.sub.sibling", ("*",), 5, 1),
        ("...", ("too_far",), 6, 3),  # above the top package: left unresolved
        ("pkg.sub", ("sibling",), 7, 0),
    ]
    package = project.module("pkg")
    assert package is not None
    assert [(ref.module, ref.names) for ref in package.imports] == [
        ("pkg", ("sub",)),
        ("pkg.sub.m", ("value",)),
    ]


def test_type_checking_and_function_imports_are_flagged(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "m.py": """\
                import typing
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    import a_types
                else:
                    import a_runtime
                if typing.TYPE_CHECKING:
                    from b_types import B

                def f():
                    import in_f

                class C:
                    import in_class

                    def method(self):
                        from in_method import x
            """
        },
    )
    info = Project(tmp_path).module("m")
    assert info is not None
    flags = {ref.module: (ref.in_function, ref.type_checking) for ref in info.imports}
    assert flags == {
        "typing": (False, False),
        "a_types": (False, True),
        "a_runtime": (False, False),
        "b_types": (False, True),
        "in_f": (True, False),
        "in_class": (True, False),
        "in_method": (True, False),
    }
    assert info.imports[2] == ImportRef("a_types", (), 5, 0, False, True)


def test_top_level_definitions(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "defs.py": """\
                import os.path
                from json import loads as parse, dumps
                from typing import TYPE_CHECKING
                try:
                    from fast import speedy
                except ImportError:
                    def speedy(): ...
                if TYPE_CHECKING:
                    from typing import Sequence
                X, (Y, *Z) = 1, (2, 3)
                counter: int = 0
                with open(__file__) as handle:
                    pass
                for item in ():
                    pass

                class Thing:
                    inner = 1

                async def fetch():
                    local = 1
            """,
            "other.py": "from defs import Thing\nThing = Thing\n",
            "third.py": "def Thing(): ...\n",
        },
    )
    project = Project(tmp_path)
    info = project.module("defs")
    assert info is not None
    assert dict(info.definitions) == {
        "os": "import",
        "parse": "import",
        "dumps": "import",
        "TYPE_CHECKING": "import",
        "speedy": "function",  # the fallback is a real definition
        "X": "variable",
        "Y": "variable",
        "Z": "variable",
        "counter": "variable",
        "handle": "variable",
        "item": "variable",
        "Thing": "class",
        "fetch": "function",
    }
    assert project.definitions_of("Thing") == [
        ("defs", "class"),
        ("other", "variable"),
        ("third", "function"),
    ]
    assert project.definitions_of("parse") == []
    assert project.definitions_of("nowhere") == []


def test_fixtures_with_scopes_names_and_params(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "tests/conftest.py": """\
                import pytest
                from pytest import fixture

                @pytest.fixture
                def plain(tmp_path, request):
                    return tmp_path

                @pytest.fixture(scope="session", autouse=True)
                def database():
                    yield

                @fixture(scope="module", name="renamed")
                async def _hidden(*, flag):
                    return flag

                @pytest.fixture(scope=lambda fixture_name, config: "session")
                def dynamic():
                    return 1

                def helper():
                    pass
            """,
            "tests/test_things.py": """\
                import pytest

                @pytest.fixture()
                def local():
                    return 1

                def test_one(local):
                    pass

                class TestGroup:
                    @pytest.fixture
                    def in_class(self):
                        return 2

                    def test_two(self, in_class):
                        pass

                class Helper:
                    pass
            """,
        },
    )
    project = Project(tmp_path)
    conftest = project.module_at("tests/conftest.py")
    assert conftest is not None
    assert conftest.fixtures == (
        FixtureInfo("plain", "plain", 5, "function", ("tmp_path", "request")),
        FixtureInfo("database", "database", 9, "session", ()),
        FixtureInfo("renamed", "_hidden", 13, "module", ("flag",)),
        FixtureInfo("dynamic", "dynamic", 17, "dynamic", ()),
    )
    tests = project.module("test_things")
    assert tests is not None
    assert tests.tests == ("test_one", "TestGroup")
    assert [(m.rel, f.name) for m, f in project.fixtures()] == [
        ("tests/conftest.py", "plain"),
        ("tests/conftest.py", "database"),
        ("tests/conftest.py", "renamed"),
        ("tests/conftest.py", "dynamic"),
        ("tests/test_things.py", "local"),
    ]


def test_syntax_errors_are_flagged_and_warnings_stay_quiet(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "broken.py": "def f(:\n",
            "escapes.py": 'import re\nPATTERN = "\\d+"\n',  # SyntaxWarning on 3.12+
        },
    )
    project = Project(tmp_path)
    broken = project.module("broken")
    assert broken is not None and broken.syntax_error and broken.imports == ()
    escapes = project.module("escapes")
    assert escapes is not None and not escapes.syntax_error
    assert escapes.definitions["PATTERN"] == "variable"


@pytest.fixture
def graph(tmp_path: Path) -> Project:
    make(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "from pkg import c\n",
            "pkg/c.py": "import os\n",
            "pkg/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n",
            "tests/conftest.py": "",
            "tests/helpers.py": "from pkg.c import *\n",
            "tests/test_x.py": "from pkg.a import f\nimport helpers\n",
            "tests/test_y.py": "def test_y():\n    import pkg.c\n",
            "other/helpers.py": "",
        },
    )
    return Project(tmp_path)


def test_importers_of_counts_every_import_statement(graph: Project) -> None:
    assert graph.importers_of("pkg.b") == {"pkg.a"}
    assert graph.importers_of("pkg.c") == {"pkg.b", "helpers", "test_y"}
    assert graph.importers_of("pkg.a") == {"pkg.d", "test_x"}  # TYPE_CHECKING counts here
    assert graph.importers_of("pkg") == {"pkg.a", "pkg.b", "pkg.d", "helpers", "test_x", "test_y"}
    assert graph.importers_of("os") == set()  # not a project module


def test_import_closure_follows_runtime_imports(graph: Project) -> None:
    # the same-named helpers.py next to the importer wins, as on sys.path
    assert graph.import_closure("test_x") == {
        "pkg",
        "pkg.a",
        "pkg.b",
        "pkg.c",
        "helpers",
        "conftest",
    }
    assert graph.import_closure("pkg.d") == {"pkg"}  # TYPE_CHECKING never runs
    assert graph.import_closure("pkg.c") == {"pkg"}
    assert graph.import_closure("unknown") == set()


def test_dependents_are_who_is_affected_by_an_edit(graph: Project) -> None:
    assert graph.dependents("pkg.c") == {"pkg.b", "pkg.a", "helpers", "test_x", "test_y"}
    assert graph.dependents("pkg.a") == {"test_x"}
    assert graph.dependents("conftest") == {"test_x", "test_y"}
    assert graph.dependents("pkg") == {"pkg.a", "pkg.b", "pkg.c", "pkg.d", "helpers"} | {
        "test_x",
        "test_y",
    }
    assert graph.dependents_of_files(["other/helpers.py"]) == set()
    assert graph.dependents_of_files(["tests/helpers.py"]) == {"tests/test_x.py"}


def test_name_clashes_stay_reachable_by_path(tmp_path: Path) -> None:
    make(tmp_path, {"conftest.py": "", "a/conftest.py": "", "a/test_a.py": ""})
    project = Project(tmp_path)
    assert [info.rel for info in project.all_modules()] == [
        "a/conftest.py",
        "a/test_a.py",
        "conftest.py",
    ]
    first = project.module("conftest")
    assert first is not None and first.rel == "a/conftest.py"
    assert project.dependents_of_files(["conftest.py"]) == {"a/test_a.py", "a/conftest.py"}


def test_cache_reuses_unchanged_files(tmp_path: Path) -> None:
    root, cache = tmp_path / "root", tmp_path / "cache"
    make(root, {"a.py": "A = 1\n", "b.py": "import a\n", "c/__init__.py": ""})
    first = Project(root, cache_dir=cache)
    first.modules()
    assert (first.stats.parsed, first.stats.reused) == (3, 0)
    assert (cache / "index.json").is_file()

    second = Project(root, cache_dir=cache)
    assert second.importers_of("a") == {"b"}
    assert (second.stats.parsed, second.stats.reused) == (0, 3)

    (root / "a.py").write_text("A = 1\nB = 2\n", encoding="utf-8")
    third = Project(root, cache_dir=cache)
    a = third.module("a")
    assert a is not None and set(a.definitions) == {"A", "B"}
    assert (third.stats.parsed, third.stats.reused) == (1, 2)
    assert [p.name for p in cache.iterdir()] == ["index.json"]  # no temp files left


def test_cache_checks_content_when_mtime_cannot_tell(tmp_path: Path) -> None:
    root, cache = tmp_path / "root", tmp_path / "cache"
    make(root, {"a.py": "A = 1\n"})
    stat = (root / "a.py").stat()
    Project(root, cache_dir=cache).modules()
    # same size, same mtime: a rewrite within one timestamp tick
    (root / "a.py").write_text("Q = 1\n", encoding="utf-8")
    os.utime(root / "a.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    project = Project(root, cache_dir=cache)
    a = project.module("a")
    assert a is not None and set(a.definitions) == {"Q"}
    assert project.stats.parsed == 1


@pytest.mark.parametrize(
    "content",
    [b"\x00\xffnot json", b"[]", b'{"version": 1}', b"", None],
    ids=["binary", "list", "partial", "empty", "wrong-shape"],
)
def test_corrupt_cache_is_ignored(tmp_path: Path, content: bytes | None) -> None:
    root, cache = tmp_path / "root", tmp_path / "cache"
    make(root, {"a.py": "A = 1\n", "b.py": "import a\n"})
    Project(root, cache_dir=cache).modules()
    index = cache / "index.json"
    if content is None:
        data = json.loads(index.read_bytes())
        data["files"]["a.py"]["facts"] = {"definitions": 3}
        content = json.dumps(data).encode()
    index.write_bytes(content)

    project = Project(root, cache_dir=cache)
    assert project.importers_of("a") == {"b"}
    assert project.stats.parsed == 2
    assert Project(root, cache_dir=cache).modules().keys() == {"a", "b"}  # rewritten, valid


def test_invalidate_reindexes_only_the_edited_files(tmp_path: Path) -> None:
    make(tmp_path, {"pkg/a.py": "X = 1\n", "pkg/b.py": "from a import X\n", "c.py": ""})
    project = Project(tmp_path)
    assert project.module("a") is not None
    assert project.source("pkg/a.py") == b"X = 1\n"
    assert project.cst("pkg/a.py") is project.cst(tmp_path / "pkg/a.py")

    (tmp_path / "pkg/a.py").write_text("Y = 1\n", encoding="utf-8")
    (tmp_path / "pkg/__init__.py").write_text("", encoding="utf-8")
    project.invalidate([tmp_path / "pkg/a.py", Path("pkg/__init__.py")])
    assert project.stats.parsed == 3
    modules = project.modules()
    assert project.stats.parsed == 5  # a.py and the new __init__.py, nothing else
    assert set(modules) == {"pkg", "pkg.a", "pkg.b", "c"}  # the new package renames its files
    assert set(modules["pkg.a"].definitions) == {"Y"}
    assert project.source("pkg/a.py") == b"Y = 1\n"
    assert project.cst("pkg/a.py").code == "Y = 1\n"

    (tmp_path / "c.py").unlink()
    project.invalidate(["c.py"])
    assert "c" not in project.modules()


def test_cst_keeps_bytes_exactly(tmp_path: Path) -> None:
    source = b"\xef\xbb\xbfimport os\r\nx = 1  # note\r\n"
    (tmp_path / "m.py").write_bytes(source)
    module = Project(tmp_path).cst("m.py")
    assert isinstance(module, libcst.Module)
    assert module.bytes == source


def test_tree_is_parsed_once_and_forgotten_on_invalidate(tmp_path: Path) -> None:
    """Every fixer asking about a file shares one ast parse, until the file is edited."""
    make(tmp_path, {"a.py": "X = 1\n", "bad.py": "def f(:\n"})
    project = Project(tmp_path)
    tree = project.tree("a.py")
    assert tree is not None and tree is project.tree(tmp_path / "a.py")
    assert [type(node).__name__ for node in tree.body] == ["Assign"]
    assert project.tree("bad.py") is None  # does not parse: None, asked once
    (tmp_path / "a.py").write_text("def g():\n    pass\n", encoding="utf-8")
    assert project.tree("a.py") is tree  # not edited as far as the project knows
    project.invalidate(["a.py"])
    again = project.tree("a.py")
    assert again is not None and again is not tree
    assert [type(node).__name__ for node in again.body] == ["FunctionDef"]
