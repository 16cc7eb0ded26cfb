"""The missing-package fixer: a suggestion naming the distribution and where to declare it.

Every example is checked with ``pytest_autofix.testing.assert_fix(..., after=None)``: the fixer
proposes one fix and never an edit (installing is for a person).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from autofix_testing import make, project_modules

from pytest_autofix.catalogue import builtin
from pytest_autofix.engine.classify import Context, group
from pytest_autofix.fixers.environment import missing_package as packages
from pytest_autofix.model import Failure, Fix, Frame, Issue, IssueKind
from pytest_autofix.project import Project
from pytest_autofix.testing import assert_fix


def missing(root: Path, before: Mapping[str, str], module: str, at: str) -> Issue:
    """The issue of ``import module`` failing at ``at`` in the project ``before`` (written
    under ``root``: the classifier knows the project's module names)."""
    make(root, before)
    failure = Failure(
        nodeid=at,
        when="collect",
        exc_type="ModuleNotFoundError",
        message=f"No module named '{module}'",
        facts={
            "exc_mro": ["ModuleNotFoundError", "ImportError"],
            "module": module,
            "origin": "missing",
            "top_level": module.partition(".")[0],
        },
        frame=Frame(path=at, line=1),
    )
    [issue] = group([failure], Context(project_modules(Project(root)), builtin()))
    assert issue.code == "environment.missing-package"
    return issue


@pytest.fixture(autouse=True)
def nothing_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The classifier only calls a package missing when it is; this environment may have it."""
    monkeypatch.setattr(packages, "_packages_distributions", dict)


def suggest(
    root: Path,
    before: Mapping[str, str],
    module: str,
    at: str = "tests/test_a.py",
    **expected: Any,
) -> Fix:
    """The one fix proposed for ``import module`` failing at ``at``: a suggestion, no edit
    (``expected``: what else ``assert_fix`` checks, such as ``description``)."""
    issue = missing(root, before, module, at)
    result = assert_fix(packages.MissingPackage(), issue, before, None, count=1, **expected)
    assert result.fix is not None
    return result.fix


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("yaml", "PyYAML"),
        ("bs4", "beautifulsoup4"),
        ("PIL.Image", "Pillow"),
        ("sklearn.model_selection", "scikit-learn"),
        ("cv2", "opencv-python"),
        ("dateutil.parser", "python-dateutil"),
        ("google.protobuf.message", "protobuf"),
    ],
)
def test_the_table_names_the_distribution(tmp_path: Path, module: str, distribution: str) -> None:
    before = {"tests/test_a.py": f"import {module}\n"}
    description = f"pip install {distribution}`"
    fix = suggest(tmp_path, before, module, confidence=0.9, description=description)
    assert fix.description.startswith(f"install {distribution} ")


def test_the_table_is_maintained() -> None:
    assert len(packages.DISTRIBUTIONS) >= 40
    for module, distribution in packages.DISTRIBUTIONS.items():
        assert all(part.isidentifier() for part in module.split("."))
        assert packages.normalize(distribution) != packages.normalize(module) or "." in module


def test_declared_but_not_installed(tmp_path: Path) -> None:
    before = {
        "pyproject.toml": """\
            [project]
            name = "shop"
            dependencies = ["requests>=2"]

            [project.optional-dependencies]
            test = ["pytest", "pyyaml>=6"]
            """,
        "tests/test_a.py": "import yaml\n",
    }
    declared = "pyproject.toml ([project.optional-dependencies] test) declares it"
    fix = suggest(tmp_path, before, "yaml", description=declared)
    assert "`pip install -e '.[test]'`" in fix.description


def test_where_a_test_only_import_should_be_declared(tmp_path: Path) -> None:
    before = {
        "pyproject.toml": """\
            [project]
            name = "shop"
            dependencies = ["requests>=2"]

            [project.optional-dependencies]
            dev = ["ruff"]
            """,
        "tests/test_a.py": "import bs4\n",
    }
    fix = suggest(tmp_path, before, "bs4")
    assert fix.description.endswith(
        "and declare it in pyproject.toml under [project.optional-dependencies] dev"
    )


def test_a_package_import_is_declared_as_a_dependency(tmp_path: Path) -> None:
    before = {
        "pyproject.toml": "[project]\nname = 'shop'\ndependencies = []\n",
        "shop/__init__.py": "import yaml\n",
    }
    fix = suggest(tmp_path, before, "yaml", at="shop/__init__.py")
    assert fix.description.endswith("declare it in pyproject.toml under [project] dependencies")


def test_requirements_and_tox(tmp_path: Path) -> None:
    before = {
        "requirements-dev.txt": "# tools\n-r requirements.txt\nPyYAML==6.0  # config\n",
        "tests/test_a.py": "import yaml\n",
    }
    fix = suggest(tmp_path, before, "yaml", description="requirements-dev.txt declares it")
    assert "`pip install -r requirements-dev.txt`" in fix.description

    other = {"tox.ini": "[testenv]\ndeps =\n    pytest\n", "tests/test_b.py": "import cv2\n"}
    declare = "declare it in tox.ini under [testenv] deps"
    suggest(tmp_path / "other", other, "cv2", at="tests/test_b.py", description=declare)


def test_a_project_that_declares_nothing_yet(tmp_path: Path) -> None:
    before = {"pyproject.toml": "[tool.pytest.ini_options]\n", "shop/d.py": "import dateutil\n"}
    fix = suggest(tmp_path, before, "dateutil", at="shop/d.py")
    assert fix.description.startswith("install python-dateutil ")
    assert fix.description.endswith(
        "declare it in pyproject.toml under [project] dependencies "
        "(it declares no requirements yet)"
    )


def test_an_unknown_name_is_a_guess(tmp_path: Path) -> None:
    before = {"tests/test_a.py": "import frobnicator_plus\n"}
    guess = "install frobnicator-plus (provides 'frobnicator_plus'; a guess"
    fix = suggest(tmp_path, before, "frobnicator_plus", description=guess)
    assert fix.confidence < 0.8


def test_a_guess_corrected_by_what_the_project_declares(tmp_path: Path) -> None:
    before = {
        "requirements.txt": "python-frobnicator>=1\n",
        "tests/test_a.py": "import frobnicator\n",
    }
    fix = suggest(tmp_path, before, "frobnicator", description="requirements.txt declares it")
    assert fix.description.startswith("install python-frobnicator ")


def test_installed_but_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packages, "_packages_distributions", lambda: {"yaml": ("PyYAML",)})
    broken = "provided by the installed PyYAML, yet importing 'yaml' fails"
    fix = suggest(tmp_path, {"tests/test_a.py": "import yaml\n"}, "yaml", description=broken)
    assert "pip install -U PyYAML" in fix.description


def test_a_declared_library_the_classifier_took_for_a_misspelling(tmp_path: Path) -> None:
    before = {"requirements.txt": "ujson\n", "tests/test_a.py": "import ujson\n"}
    make(tmp_path, before)
    failure = Failure(
        nodeid="tests/test_a.py",
        when="collect",
        exc_type="ModuleNotFoundError",
        message="No module named 'ujson'",
        facts={"exc_mro": ["ModuleNotFoundError"], "module": "ujson", "origin": "missing"},
        frame=Frame(path="tests/test_a.py", line=1),
    )
    [issue] = group([failure], Context(project_modules(Project(tmp_path)), builtin()))
    assert (issue.code, issue.details["origin"]) == ("import.module-not-found", "misspelled")
    declared = "requirements.txt declares it"
    result = assert_fix(
        packages.MissingPackage(), issue, before, None, count=1, description=declared
    )
    assert result.fix is not None and result.fix.description.startswith("install ujson ")
    undeclared = {**before, "requirements.txt": "\n"}
    assert_fix(packages.MissingPackage(), issue, undeclared, None, count=0)


def test_other_codes_are_not_its_business() -> None:
    """The fixer declares its codes: the engine routes it no other (and assert_fix says so)."""
    issue = Issue(
        id="x", kind=IssueKind.ENVIRONMENT, code="environment.removed-api", message="gone"
    )
    with pytest.raises(AssertionError, match=r"its code 'environment\.removed-api' is not among"):
        assert_fix(packages.MissingPackage(), issue, {}, None, count=0)


def test_declarations_of_every_format(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "pyproject.toml": """\
                [dependency-groups]
                test = ["pytest-mock", {include-group = "x"}]

                [tool.poetry.dependencies]
                python = "^3.11"
                Django = "^5"

                [tool.poetry.group.dev.dependencies]
                black = "*"
                """,
            "requirements/base.txt": "attrs\n",
            "setup.cfg": "[options]\ninstall_requires =\n    click>=8\n",
        },
    )
    found = {(d.file, d.section): d.requirements for d in packages.declarations(tmp_path)}
    assert found == {
        ("pyproject.toml", "[dependency-groups] test"): ("pytest-mock",),
        ("pyproject.toml", "[tool.poetry.dependencies]"): ("django",),
        ("pyproject.toml", "[tool.poetry.group.dev.dependencies]"): ("black",),
        ("requirements/base.txt", ""): ("attrs",),
        ("setup.cfg", "[options] install_requires"): ("click",),
    }


def test_e2e_missing_package_is_suggested_never_edited(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a="import bs4\n\n\ndef test():\n    assert bs4\n")
    pytester.makefile(".txt", requirements="beautifulsoup4\n")
    before = (pytester.path / "test_a.py").read_bytes()
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=report.json")
    result.stdout.fnmatch_lines(["suggested*environment.missing-package*"])
    report = json.loads((pytester.path / "report.json").read_text("utf-8"))
    [issue] = report["issues"]
    assert issue["status"] == "suggested"
    assert [f["fixer"] for f in issue["fixes"]] == ["environment.missing-package"]
    assert "install beautifulsoup4" in issue["fixes"][0]["description"]
    assert "requirements.txt declares it" in issue["fixes"][0]["description"]
    assert (pytester.path / "test_a.py").read_bytes() == before
    assert result.ret != 0
