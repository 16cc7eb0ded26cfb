"""``import.name-renamed`` on names a package re-exports (``from .core import *`` with and
without ``__all__``, ``from .core import name``), and a misspelling one keystroke away."""

from __future__ import annotations

from pathlib import Path

import pytest
from autofix_testing import make
from test_fixers_imports import checked, issue_of, name_not_found

from pytest_autofix.fixers import imports
from pytest_autofix.fixers.toolkit.classes import find_definition
from pytest_autofix.fixers.toolkit.scan import project_provides, star_exports
from pytest_autofix.project import Project
from pytest_autofix.testing import assert_fix

PRICES = """\
    __all__ = ["subtotal", "with_tax"]


    def subtotal(items):
        return sum(items)


    def with_tax(amount, rate=0.2):
        return amount * (1 + rate)


    def _rounded(amount):
        return round(amount, 2)
    """

TEST = """\
    from shop import subtotl


    def test_sub():
        assert subtotl([1, 2]) == 3
    """

FIXED = """\
    from shop import subtotal


    def test_sub():
        assert subtotal([1, 2]) == 3
    """


@pytest.mark.parametrize(
    "init",
    [
        "from .prices import *\n",
        "from .prices import subtotal, with_tax\n",
        "from .prices import subtotal as subtotal, with_tax\n",
        "from . import prices\nfrom .prices import *\n",
    ],
    ids=["star-all", "explicit", "alias", "star-after-module"],
)
def test_misspelled_name_of_a_reexporting_package(tmp_path: Path, init: str) -> None:
    before = {
        "shop/__init__.py": init,
        "shop/prices.py": PRICES,
        "tests/test_orders.py": TEST,
    }
    issue = issue_of(tmp_path, before, name_not_found("shop", "subtotl", "tests/test_orders.py"))
    result = assert_fix(
        imports.NameRenamed(), issue, before, {"tests/test_orders.py": FIXED}, count=1
    )
    fix = checked(result.fix)
    assert fix.confidence >= 0.8
    assert "one keystroke from subtotl" in fix.description


def test_star_import_without_all_exports_public_names_only(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "shop/__init__.py": "from .core import *\nfrom .more import *\n",
            "shop/core.py": "def visible():\n    pass\n\n\ndef _private():\n    pass\n",
            "shop/more.py": "__all__ = ['listed']\nlisted = 1\nunlisted = 2\n",
        },
    )
    project = Project(tmp_path)
    provided = project_provides(project, project.module("shop"))
    assert provided is not None
    assert provided["visible"] == "function"
    assert provided["listed"] == "variable"
    assert "_private" not in provided and "unlisted" not in provided
    assert set(star_exports(project, "shop")) == {"visible", "listed"}


def test_star_import_cycle_ends(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import *\ndef fa():\n    pass\n",
            "pkg/b.py": "from pkg.a import *\ndef fb():\n    pass\n",
        },
    )
    project = Project(tmp_path)
    provided = project_provides(project, project.module("pkg.a"))
    assert provided is not None and {"fa", "fb"} <= set(provided)
    assert find_definition(project, "pkg.a", "missing") is None


def test_definition_followed_through_aliases_to_its_module(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "shop/__init__.py": "from .api import Cart as Basket\n",
            "shop/api.py": "from .core import *\n",
            "shop/core.py": "class Cart:\n    pass\n",
        },
    )
    found = find_definition(Project(tmp_path), "shop", "Basket")
    assert found is not None and found.module == "shop.core" and found.name == "Cart"
    assert found.node is not None and found.node.name == "Cart"


def test_two_names_a_keystroke_away_stay_a_suggestion(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "def subtotal(items):\n    pass\n\n\ndef subtotaal(items):\n    pass\n",
        "tests/test_orders.py": TEST,
    }
    issue = issue_of(tmp_path, before, name_not_found("shop", "subtotl", "tests/test_orders.py"))
    fixes = imports.NameRenamed().propose(issue, Project(tmp_path))
    assert fixes and all(f.confidence < 0.8 for f in fixes)


def test_a_different_digit_is_not_a_typo(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "def parse_v2(text):\n    pass\n",
        "tests/test_orders.py": (
            "from shop import parse_v1\n\n\ndef test_parse():\n    parse_v1('x')\n"
        ),
    }
    issue = issue_of(tmp_path, before, name_not_found("shop", "parse_v1", "tests/test_orders.py"))
    fixes = imports.NameRenamed().propose(issue, Project(tmp_path))
    assert fixes and not any("keystroke" in f.description for f in fixes)


def test_a_renamed_name_renames_the_mock_targets_of_its_importers(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/prices.py": "def total(items):\n    return sum(items)\n",
        "tests/test_orders.py": """\
            from unittest import mock

            from shop.prices import totl


            @mock.patch("shop.prices.totl", return_value=0)
            def test_total(patched):
                assert totl([1]) == 1
            """,
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.prices", "totl", "tests/test_orders.py")
    )
    after = {
        "tests/test_orders.py": """\
            from unittest import mock

            from shop.prices import total


            @mock.patch("shop.prices.total", return_value=0)
            def test_total(patched):
                assert total([1]) == 1
            """,
    }
    assert_fix(imports.NameRenamed(), issue, before, after, count=1)
