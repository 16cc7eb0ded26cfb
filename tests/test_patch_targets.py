"""The mock and monkeypatch target strings a module or name rename carries along."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from test_fixers_imports import issue_of, module_not_found

from pytest_autofix.fixers import imports
from pytest_autofix.fixers.imports.module_renamed import _private_turn
from pytest_autofix.fixers.toolkit.patch_targets import rename_patch_targets
from pytest_autofix.testing import assert_fix


def renamed(source: str, old: str = "shop.pricing", new: str = "shop.prices") -> str:
    module = cst.parse_module(textwrap.dedent(source))
    return rename_patch_targets(old, new)(module).code


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            '@mock.patch("shop.pricing.rate")\ndef t(r): ...',
            '@mock.patch("shop.prices.rate")\ndef t(r): ...',
        ),
        ("with patch('shop.pricing.rate'): ...", "with patch('shop.prices.rate'): ..."),
        ('mocker.patch(target="shop.pricing")', 'mocker.patch(target="shop.prices")'),
        ('mock.patch.dict("shop.pricing.TABLE", {})', 'mock.patch.dict("shop.prices.TABLE", {})'),
        ('mock.patch.multiple("shop.pricing", a=1)', 'mock.patch.multiple("shop.prices", a=1)'),
        (
            'monkeypatch.setattr("shop.pricing.rate", f)',
            'monkeypatch.setattr("shop.prices.rate", f)',
        ),
        ('monkeypatch.delattr(r"shop.pricing.rate")', 'monkeypatch.delattr(r"shop.prices.rate")'),
    ],
)
def test_targets_naming_the_old_module_or_in_it(before: str, after: str) -> None:
    assert renamed(before + "\n") == after + "\n"


@pytest.mark.parametrize(
    "source",
    [
        'mock.patch("shop.pricingx.rate")',  # another module that starts alike
        'mock.patch(f"shop.pricing.{name}")',  # built at run time
        'mock.patch("shop." "pricing.rate")',  # concatenated
        'monkeypatch.setattr(obj, "shop.pricing")',  # an attribute name, not a target
        'log("shop.pricing.rate")',  # not a mock
        'x = "shop.pricing.rate"',
    ],
)
def test_other_strings_are_left_alone(source: str) -> None:
    assert renamed(source + "\n") == source + "\n"


def test_a_renamed_name_of_a_module() -> None:
    source = '@patch("shop.prices.totl")\n@patch("shop.prices.totl_all")\ndef test(a, b): ...\n'
    assert renamed(source, "shop.prices.totl", "shop.prices.total") == (
        '@patch("shop.prices.total")\n@patch("shop.prices.totl_all")\ndef test(a, b): ...\n'
    )


def test_a_renamed_module_renames_the_mock_targets_with_its_imports(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/prices.py": "def subtotal(items):\n    return sum(items)\n",
        "tests/test_orders.py": """\
            from unittest import mock

            from shop.pricing import subtotal


            @mock.patch("shop.pricing.subtotal", return_value=0)
            def test_total(patched):
                assert subtotal([1]) == 1
            """,
    }
    issue = issue_of(tmp_path, before, module_not_found("shop.pricing", "tests/test_orders.py"))
    after = {
        "tests/test_orders.py": """\
            from unittest import mock

            from shop.prices import subtotal


            @mock.patch("shop.prices.subtotal", return_value=0)
            def test_total(patched):
                assert subtotal([1]) == 1
            """,
    }
    assert_fix(imports.ModuleRenamed(), issue, before, after, count=1)


@pytest.mark.parametrize(
    ("old", "new", "private"),
    [
        ("pandas.tslib", "pandas._libs", True),
        ("pandas.tslib", "pandas._libs.tslibs", True),
        ("pkg._impl", "pkg._core", False),  # private already: no turn
        ("pkg.impl", "pkg.core", False),
        ("pkg.impl", "pkg.__main__", False),  # a dunder is not private
    ],
)
def test_a_library_module_is_not_replaced_by_one_of_its_private_modules(
    old: str, new: str, private: bool
) -> None:
    # pandas.tslib's Timestamp lives in pandas._libs, but a person imports pandas.Timestamp
    assert _private_turn(old, new) is private
