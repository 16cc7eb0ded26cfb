"""Which tests the verification rerun selects when the static import closure cannot be trusted:
modules imported by name (``importlib.import_module``, ``__import__``, ``pytest.importorskip``,
``pytest_plugins``), by path (``spec_from_file_location``), or loaded as plugins (``-p``, entry
points). Fast checks on :func:`verify.affected` over a real project index, then real sessions
where a fix that breaks such a test must be rolled back."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_engine import make_project, run

from pytest_autofix.engine import verify
from pytest_autofix.project import Project

MOD = "VALUE = 1\n"
# test_a.py fails in pkg/mod.py (onee); the fix there also changes VALUE, which test_a.py does
# not read: the rerun of test_a.py alone passes, only a test that reads VALUE sees the harm
BROKEN_MOD = "VALUE = 1\n\n\ndef one():\n    return 1\n\n\ndef compute():\n    return onee()\n"
BREAKS_MOD = {"onee": ("one", 0.95, True, [("pkg/mod.py", "VALUE = 1", "VALUE = 2")])}
TEST_A = """
    from pkg.mod import compute

    def test_a():
        assert compute() == 1
"""


def _project(tmp_path: Path, files: dict[str, str]) -> Project:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Project(tmp_path)


def _selected(project: Project, edited: list[str], **kwargs: object) -> list[str]:
    tests = sorted(
        r
        for r in (p.relative_to(project.rootdir).as_posix() for p in project.files())
        if project.is_test_file(r)
    )
    return verify.affected(project, [], edited, tests, **kwargs)  # type: ignore[arg-type]


DYNAMIC = {
    "literal": 'import importlib\n\ndef test_d():\n    importlib.import_module("pkg.mod")\n',
    "from-importlib": (
        'from importlib import import_module\n\nM = import_module("pkg.mod")\n\n'
        "def test_d():\n    pass\n"
    ),
    "dunder": 'def test_d():\n    __import__("pkg.mod")\n',
    "importorskip": 'import pytest\n\nmod = pytest.importorskip("pkg.mod")\n',
    "constant": (
        'import importlib\n\nNAME = "pkg.mod"\n\ndef test_d():\n    importlib.import_module(NAME)\n'
    ),
    "loop": (
        "import importlib\n\n"
        'for name in ["pkg.other", "pkg.mod"]:\n    importlib.import_module(name)\n'
    ),
    "fstring-prefix": (
        "import importlib\n\n"
        'def test_d():\n    for n in names():\n        importlib.import_module(f"pkg.{n}")\n'
    ),
    "concat-prefix": (
        'import importlib\n\ndef test_d(n):\n    importlib.import_module("pkg." + n)\n'
    ),
    "runpy": 'import runpy\n\ndef test_d():\n    runpy.run_module("pkg.mod")\n',
    "parametrize": (
        "import importlib\nimport pytest\n\n"
        '@pytest.mark.parametrize("name", ["pkg.other", pytest.param("pkg.mod")])\n'
        "def test_d(name):\n    importlib.import_module(name)\n"
    ),
    "dunder-fromlist": 'def test_d():\n    __import__("pkg", fromlist=["mod"])\n',
}


@pytest.mark.parametrize("source", DYNAMIC.values(), ids=DYNAMIC.keys())
def test_a_module_imported_by_name_selects_its_importer(tmp_path: Path, source: str) -> None:
    project = _project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/mod.py": MOD,
            "pkg/other.py": "",
            "tests/test_dyn.py": source,
            "tests/test_unrelated.py": "import pkg.other\n\ndef test_u():\n    pass\n",
        },
    )
    assert _selected(project, ["pkg/mod.py"]) == ["tests/test_dyn.py"]
    # an edit the dynamic import does not name selects nothing more
    assert _selected(project, ["pkg/other.py"]) in (
        ["tests/test_unrelated.py"],
        ["tests/test_dyn.py", "tests/test_unrelated.py"],  # the lists and prefixes name it
    )


def test_a_relative_name_is_resolved_against_the_importing_package(tmp_path: Path) -> None:
    """The lazy-loading ``__init__`` of many packages: ``import_module("." + name, __name__)``."""
    project = _project(
        tmp_path,
        {
            "pkg/__init__.py": (
                "import importlib\n\n"
                "def __getattr__(name):\n"
                '    return importlib.import_module("." + name, __name__)\n'
            ),
            "pkg/mod.py": MOD,
            "lib/__init__.py": "",
            "lib/mod.py": MOD,
            "tests/test_pkg.py": "import pkg\n\ndef test_p():\n    assert pkg.mod.VALUE\n",
            "tests/test_lib.py": "import lib\n\ndef test_l():\n    pass\n",
        },
    )
    assert _selected(project, ["pkg/mod.py"]) == ["tests/test_pkg.py"]
    assert _selected(project, ["lib/mod.py"]) == []


def test_what_a_file_loads_by_name_is_kept_in_the_index_cache(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/mod.py": MOD,
        "tests/test_dyn.py": DYNAMIC["literal"],
        "tests/test_path.py": OPEN["by-path"],
    }
    first = _project(tmp_path, files)
    first.cache_dir = tmp_path / ".cache"
    selected = _selected(first, ["pkg/mod.py"])
    again = Project(tmp_path, cache_dir=tmp_path / ".cache")
    assert (
        _selected(again, ["pkg/mod.py"]) == selected == ["tests/test_dyn.py", "tests/test_path.py"]
    )
    assert again.stats.reused == len(files) and again.stats.parsed == 0
    assert again.module_at("tests/test_dyn.py").dynamic == ("pkg.mod",)  # type: ignore[union-attr]


def test_a_module_a_conftest_imports_selects_every_test_below_it(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/helpers.py": "",
            "tests/conftest.py": "from pkg import helpers\n",
            "tests/test_v.py": "def test_v():\n    pass\n",
            "tests/sub/test_w.py": "def test_w():\n    pass\n",
            "other/test_o.py": "def test_o():\n    pass\n",
        },
    )
    assert _selected(project, ["pkg/helpers.py"]) == ["tests/sub/test_w.py", "tests/test_v.py"]


def test_pytest_plugins_are_imports(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/fixtures.py": "import pytest\n\n@pytest.fixture\ndef value():\n    return 1\n",
            "tests/conftest.py": 'pytest_plugins = ["pkg.fixtures"]\n',
            "tests/test_v.py": "def test_v(value):\n    assert value == 1\n",
            "other/test_o.py": "def test_o():\n    pass\n",
        },
    )
    assert _selected(project, ["pkg/fixtures.py"]) == ["tests/test_v.py"]


OPEN = {
    "by-path": (
        "import importlib.util, pathlib\n\n"
        "def test_d():\n"
        '    path = pathlib.Path(__file__).parent.parent / "pkg" / "mod.py"\n'
        '    spec = importlib.util.spec_from_file_location("m", path)\n'
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
    ),
    "argument": "import importlib\n\ndef test_d(name):\n    importlib.import_module(name)\n",
    "run-path": 'import runpy\n\ndef test_d():\n    runpy.run_path(find("mod.py"))\n',
    "entry-points": (
        "from importlib.metadata import entry_points\n\n"
        'def test_d():\n    for ep in entry_points(group="pkg.plugins"):\n        ep.load()\n'
    ),
}


@pytest.mark.parametrize("source", OPEN.values(), ids=OPEN.keys())
def test_a_module_that_imports_what_no_literal_names_is_rerun_for_every_edit(
    tmp_path: Path, source: str
) -> None:
    """Nothing in the file says what it loads: it may load any module, so any edit selects it
    (and every test module that imports it: here, through a helper)."""
    project = _project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/mod.py": MOD,
            "tests/loader.py": source,
            "tests/test_dyn.py": "from loader import test_d\n",
            "tests/test_other.py": "def test_o():\n    pass\n",
        },
    )
    assert _selected(project, ["pkg/mod.py"]) == ["tests/test_dyn.py"]


def test_a_plugin_module_is_loaded_by_every_test(tmp_path: Path) -> None:
    """A module loaded as a plugin (``-p``, an entry point) runs in every test's session."""
    project = _project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/plugin.py": "from pkg import helpers\n",
            "pkg/helpers.py": "",
            "tests/test_one.py": "def test_1():\n    pass\n",
            "tests/test_two.py": "def test_2():\n    pass\n",
        },
    )
    assert _selected(project, ["pkg/helpers.py"]) == []
    both = ["tests/test_one.py", "tests/test_two.py"]
    assert _selected(project, ["pkg/helpers.py"], everywhere=["pkg/plugin.py"]) == both
    assert verify.unreached(project, ["pkg/helpers.py"], ["tests/test_one.py"]) == [
        "pkg/helpers.py"
    ]
    assert not verify.unreached(
        project, ["pkg/helpers.py"], ["tests/test_one.py"], everywhere=["pkg/plugin.py"]
    )


# -- real sessions ----------------------------------------------------------------------


E2E = {
    "import_module": (
        {},
        """
            import importlib

            def test_dyn():
                assert importlib.import_module("pkg.mod").VALUE == 1
        """,
    ),
    "spec_from_file_location": (
        {},
        """
            import importlib.util
            import pathlib

            def load(name):
                path = pathlib.Path(__file__).parent.parent / "pkg" / (name + ".py")
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return module

            def test_dyn():
                assert load("mod").VALUE == 1
        """,
    ),
    "plugin": (
        # loaded with -p from the ini file; the test asks for its fixture
        {
            "pkg/plugin.py": """
                import pytest

                from pkg.mod import VALUE

                @pytest.fixture
                def value():
                    return VALUE
            """,
        },
        """
            def test_dyn(value):
                assert value == 1
        """,
    ),
}


@pytest.mark.parametrize(("extra", "dyn"), E2E.values(), ids=E2E.keys())
def test_a_fix_that_breaks_a_dynamically_importing_test_is_rolled_back(
    pytester: pytest.Pytester, extra: dict[str, str], dyn: str
) -> None:
    make_project(
        pytester,
        BREAKS_MOD,
        **{"pkg/__init__.py": "", "pkg/mod.py": BROKEN_MOD, "tests/test_a.py": TEST_A},
        **{"tests/test_dyn.py": dyn},
        **extra,
    )
    if extra:
        (pytester.path / "pyproject.toml").write_text(
            '[tool.pytest.ini_options]\naddopts = ["-p", "pkg.plugin"]\npythonpath = ["."]\n'
        )
    result, report = run(pytester)
    assert result.ret == 1, result.stdout.str()
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["status"] == "rolled-back", result.stdout.str()
    assert "tests/test_dyn.py::test_dyn" in issue["fixes"][0]["reason"]
    assert (pytester.path / "pkg/mod.py").read_text() == BROKEN_MOD
    assert "tests/test_dyn.py" in report["rerun"]["tests"]  # type: ignore[index]


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_an_unfixable_collection_error_in_the_rerun_costs_no_fix(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    """test_broken.py imports the module the fix edits and a package that is not installed:
    the rerun selects it and meets its collection error again, as the session did. That is
    not a regression, and proves nothing against the fix, which is kept."""
    make_project(
        pytester,
        {"onee": ("one", 0.95, True, [])},
        **{"pkg/__init__.py": "", "pkg/mod.py": BROKEN_MOD, "tests/test_a.py": TEST_A},
        **{
            "tests/test_broken.py": """
                from pkg import mod
                import not_installed_anywhere_xyz

                def test_broken():
                    pass
            """,
        },
    )
    result, report = run(pytester, *xdist)
    statuses = {i["code"]: i["status"] for i in report["issues"]}  # type: ignore[union-attr]
    assert statuses["import.name-undefined"] == "fixed", result.stdout.str()
    assert statuses["environment.missing-package"] == "suggested"  # install it: a person's job
    assert "tests/test_broken.py" in report["rerun"]["tests"]  # type: ignore[index]
    assert "return one()" in (pytester.path / "pkg/mod.py").read_text()
    assert result.ret in (1, 2)  # test_broken.py still does not collect (pytest: 2)
    assert result.outlines[-1] == "after autofix: 1 passed, 1 error (verified by rerun)"
