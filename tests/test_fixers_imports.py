"""Before/after examples of the import fixers, checked with ``pytest_autofix.testing.assert_fix``.

Each test gives a small project, builds the issue the classifier makes from the failure facts
capture would record, and asserts what the fixer's fix makes of the project, planned as the
engine plans it: every file it changes, exactly.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from autofix_testing import make, project_modules, propose

from pytest_autofix.catalogue import builtin
from pytest_autofix.engine.classify import Context, group
from pytest_autofix.fixers import imports
from pytest_autofix.model import Failure, Fix, Frame, Issue
from pytest_autofix.project import Project
from pytest_autofix.testing import assert_fix


def issue_of(root: Path, files: Mapping[str, str | bytes], *failures: Failure) -> Issue:
    """The one issue the classifier makes of ``failures`` in the project ``files`` (written
    under ``root``: the classifier knows the project's module names)."""
    for rel, content in files.items():
        if isinstance(content, bytes):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(content)
        else:
            make(root, {rel: content})
    ctx = Context(project_modules(Project(root)), builtin())
    issues = group(failures, ctx)
    assert len(issues) == 1, issues
    return issues[0]


def failure(
    exc_type: str, message: str, facts: dict[str, Any], at: str, line: int, nodeid: str = ""
) -> Failure:
    mro = {
        "ModuleNotFoundError": ["ModuleNotFoundError", "ImportError"],
        "ImportError": ["ImportError"],
        "NameError": ["NameError"],
        "AttributeError": ["AttributeError"],
    }.get(exc_type, [exc_type])
    return Failure(
        nodeid=nodeid or at,
        when="collect",
        exc_type=exc_type,
        message=message,
        facts={"exc_mro": mro, **facts},
        frame=Frame(path=at, line=line),
    )


def module_not_found(module: str, at: str, line: int = 1, origin: str = "project") -> Failure:
    facts = {"module": module, "origin": origin, "top_level": module.partition(".")[0]}
    return failure("ModuleNotFoundError", f"No module named '{module}'", facts, at, line)


def name_not_found(module: str, name: str, at: str, line: int = 1) -> Failure:
    facts = {"module": module, "import_name": name, "origin": "project"}
    message = f"cannot import name '{name}' from '{module}'"
    return failure("ImportError", message, facts, at, line)


def attribute_missing(module: str, name: str, path: str, at: str, line: int) -> Failure:
    facts = {
        "attr": name,
        "obj_kind": "module",
        "obj_module": module,
        "obj_origin": "project",
        "obj_path": path,
    }
    message = f"module '{module}' has no attribute '{name}'"
    return failure("AttributeError", message, facts, at, line, nodeid=f"{at}::test")


def name_error(name: str, at: str, line: int) -> Failure:
    message = f"name '{name}' is not defined"
    return failure("NameError", message, {"name": name}, at, line, nodeid=f"{at}::test")


def checked(fix: Fix | None) -> Fix:
    """The fix ``assert_fix`` checked (there is one whenever it expected files)."""
    assert fix is not None
    return fix


SHOP = {
    "shop/__init__.py": "",
    "shop/prices.py": """\
        def total(items):
            return sum(price for _, price in items)


        def with_tax(amount, rate=0.2):
            return round(amount * (1 + rate), 2)
        """,
}


# -- 1. module renamed, moved, misspelled -----------------------------------------------------


def test_module_renamed_every_importer_and_form(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "shop/cart.py": """\
            from .pricing import total


            def cart_total(items):
                return total(items)
            """,
        "tests/conftest.py": """\
            import pytest
            import shop.pricing as sp


            @pytest.fixture
            def taxed():
                return sp.with_tax(10.0)
            """,
        "tests/test_orders.py": """\
            import shop.pricing
            from shop.pricing import (
                total,
                with_tax as wt,  # the short name
            )


            def test_total():
                assert total([("a", 1.0)]) == shop.pricing.total([("a", 1.0)])


            def test_late():
                from shop.pricing import with_tax
                shop = None
                assert with_tax(1.0) == wt(1.0)
            """,
    }
    issue = issue_of(
        tmp_path,
        before,
        module_not_found("shop.pricing", "tests/test_orders.py", 1),
        module_not_found("shop.pricing", "tests/conftest.py", 2),
    )
    after = {
        "shop/cart.py": """\
            from .prices import total


            def cart_total(items):
                return total(items)
            """,
        "tests/conftest.py": """\
            import pytest
            import shop.prices as sp


            @pytest.fixture
            def taxed():
                return sp.with_tax(10.0)
            """,
        "tests/test_orders.py": """\
            import shop.prices
            from shop.prices import (
                total,
                with_tax as wt,  # the short name
            )


            def test_total():
                assert total([("a", 1.0)]) == shop.prices.total([("a", 1.0)])


            def test_late():
                from shop.prices import with_tax
                shop = None
                assert with_tax(1.0) == wt(1.0)
            """,
    }
    result = assert_fix(
        imports.ModuleRenamed(),
        issue,
        before,
        after,
        count=1,
        safe=True,
        description="defines total and with_tax",
    )
    fix = checked(result.fix)
    assert fix.confidence >= 0.9 and "shop.prices" in fix.description


def test_module_renamed_also_where_its_package_imports_it_by_name(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "shop/cart.py": "from . import pricing\n\n\ndef cart(items):\n"
        "    return pricing.total(items)\n",
        "tests/test_orders.py": "from shop.pricing import total\n",
    }
    issue = issue_of(tmp_path, before, module_not_found("shop.pricing", "tests/test_orders.py"))
    after = {
        "shop/cart.py": "from . import prices\n\n\ndef cart(items):\n"
        "    return prices.total(items)\n",
        "tests/test_orders.py": "from shop.prices import total\n",
    }
    assert_fix(imports.ModuleRenamed(), issue, before, after, count=1)


def test_edits_keep_crlf_bom_and_comments_byte_for_byte(tmp_path: Path) -> None:
    source = (
        b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\n"
        b"import shop.pricing  # keep me\r\n\r\n\r\n"
        b"def test():   \r\n    assert shop.pricing.total([]) == 0\r\n"
    )
    before = {**SHOP, "tests/test_orders.py": source}
    issue = issue_of(tmp_path, before, module_not_found("shop.pricing", "tests/test_orders.py", 2))
    after = {"tests/test_orders.py": source.replace(b"shop.pricing", b"shop.prices")}
    result = assert_fix(imports.ModuleRenamed(), issue, before, after, count=1)
    assert len(checked(result.fix).edits) == 1


def test_module_moved_to_a_subpackage(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/billing/__init__.py": "",
        "shop/billing/pricing.py": SHOP["shop/prices.py"],
        "tests/test_orders.py": """\
            import shop.pricing


            def test_total():
                assert shop.pricing.total([]) == 0
            """,
    }
    issue = issue_of(tmp_path, before, module_not_found("shop.pricing", "tests/test_orders.py"))
    after = {
        "tests/test_orders.py": """\
            import shop.billing.pricing


            def test_total():
                assert shop.billing.pricing.total([]) == 0
            """
    }
    result = assert_fix(imports.ModuleRenamed(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.9


def test_module_renamed_beyond_recognition_but_the_only_one_defining_the_names(
    tmp_path: Path,
) -> None:
    before = {
        **SHOP,
        "shop/util.py": "def helper():\n    return 1\n",
        "tests/test_orders.py": "from shop.money import total, with_tax\n",
    }
    issue = issue_of(tmp_path, before, module_not_found("shop.money", "tests/test_orders.py"))
    after = {"tests/test_orders.py": "from shop.prices import total, with_tax\n"}
    assert_fix(imports.ModuleRenamed(), issue, before, after, count=1, confidence=0.9)


def test_misspelled_stdlib_module_renames_the_reads(tmp_path: Path) -> None:
    before = {
        "tests/test_io.py": """\
            import jsn


            def test_dump(jsn_text='{}'):
                assert jsn.loads(jsn_text) == {}
                assert jsn.dumps({}) == "{}"
            """,
    }
    issue = issue_of(
        tmp_path, before, module_not_found("jsn", "tests/test_io.py", origin="missing")
    )
    assert issue.details["origin"] == "misspelled"
    after = {
        "tests/test_io.py": """\
            import json


            def test_dump(jsn_text='{}'):
                assert json.loads(jsn_text) == {}
                assert json.dumps({}) == "{}"
            """
    }
    result = assert_fix(
        imports.ModuleRenamed(),
        issue,
        before,
        after,
        count=1,
        description="standard-library module json",
    )
    assert checked(result.fix).confidence >= 0.9


def test_misspelled_module_aliased_when_its_name_is_taken(tmp_path: Path) -> None:
    before = {
        "tests/test_io.py": """\
            from colections import OrderedDict
            import jsn


            def test_dump():
                json = {"a": 1}
                assert jsn.dumps(json) == '{"a": 1}'
            """,
    }
    issue = issue_of(
        tmp_path, before, module_not_found("jsn", "tests/test_io.py", 2, origin="missing")
    )
    after = {
        "tests/test_io.py": """\
            from colections import OrderedDict
            import json as jsn


            def test_dump():
                json = {"a": 1}
                assert jsn.dumps(json) == '{"a": 1}'
            """,
    }
    result = assert_fix(imports.ModuleRenamed(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.9

    issue = issue_of(
        tmp_path, before, module_not_found("colections", "tests/test_io.py", origin="missing")
    )
    after = {
        "tests/test_io.py": """\
            from collections import OrderedDict
            import jsn


            def test_dump():
                json = {"a": 1}
                assert jsn.dumps(json) == '{"a": 1}'
            """,
    }
    assert_fix(imports.ModuleRenamed(), issue, before, after, count=1)


def test_ambiguous_modules_are_only_suggested(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "shop/pricer.py": SHOP["shop/prices.py"],
        "tests/test_orders.py": "from shop.pricing import total\n",
    }
    issue = issue_of(tmp_path, before, module_not_found("shop.pricing", "tests/test_orders.py"))
    result = assert_fix(
        imports.ModuleRenamed(), issue, before, None, count=1, description="shop.pricer"
    )
    fix = checked(result.fix)
    assert fix.confidence < 0.8 and "shop.prices" in fix.description


def test_a_similar_name_alone_stays_below_the_threshold(tmp_path: Path) -> None:
    before = {**SHOP, "tests/test_orders.py": "import shop.pricing\n\nassert shop.pricing\n"}
    issue = issue_of(tmp_path, before, module_not_found("shop.pricing", "tests/test_orders.py"))
    after = {"tests/test_orders.py": "import shop.prices\n\nassert shop.prices\n"}
    result = assert_fix(imports.ModuleRenamed(), issue, before, after, count=1)
    assert checked(result.fix).confidence < 0.8


def test_a_misspelled_module_the_file_reads_by_its_right_name(tmp_path: Path) -> None:
    ext = {
        "shop/__init__.py": "",
        "shop/ext/__init__.py": "",
        "shop/ext/codehilite.py": "class CodeHiliteExtension:\n    pass\n",
    }
    before = {
        **ext,
        "tests/test_ext.py": """\
            import shop
            import shop.ext.codehighlite


            def test_ext():
                assert shop.ext.codehilite.CodeHiliteExtension()
            """,
    }
    issue = issue_of(
        tmp_path, before, module_not_found("shop.ext.codehighlite", "tests/test_ext.py", 2)
    )
    after = {
        "tests/test_ext.py": """\
            import shop
            import shop.ext.codehilite


            def test_ext():
                assert shop.ext.codehilite.CodeHiliteExtension()
            """
    }
    assert_fix(
        imports.ModuleRenamed(),
        issue,
        before,
        after,
        count=1,
        confidence=0.9,
        description="reads shop.ext.codehilite.CodeHiliteExtension, which it provides",
    )


def test_a_module_read_by_name_that_lacks_what_is_read_confirms_nothing(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/ext/__init__.py": "",
        "shop/ext/codehilite.py": "class CodeHiliteExtension:\n    pass\n",
        "tests/test_ext.py": """\
            import shop.ext.codehighlite


            def test_ext():
                assert shop.ext.codehilite.Highlighter()
            """,
    }
    issue = issue_of(
        tmp_path, before, module_not_found("shop.ext.codehighlite", "tests/test_ext.py")
    )
    after = {"tests/test_ext.py": before["tests/test_ext.py"].replace("highlite", "hilite", 1)}
    assert_fix(imports.ModuleRenamed(), issue, before, after, count=1, confidence=0.7)


MOVED_DOWN = {
    "shop/__init__.py": "",
    "shop/core.py": """\
        class Cart:
            pass


        class Item:
            pass


        def __getattr__(name):
            raise AttributeError(name)
        """,
    "shop/utils.py": "def echo(text):\n    return text\n",
    "shop/completion/helpers.py": "def fmt(text):\n    return text\n",
    "shop/completion/_native.cpython-311-x86_64-linux-gnu.so": b"",
    "tests/test_completion.py": "from shop.completion import complete\n",
}


def test_a_module_moved_one_level_down_gets_a_dot_in_every_failing_relative_import(
    tmp_path: Path,
) -> None:
    before = {
        **MOVED_DOWN,
        "shop/completion/__init__.py": """\
            import re

            from .core import Cart
            from .core import Item
            from . import helpers
            from . import utils
            from .helpers import fmt
            from .utils import echo
            from ._native import fast

            try:
                from ._speedups import complete
            except ImportError:
                complete = None
            """,
    }
    issue = issue_of(
        tmp_path, before, module_not_found("shop.completion.core", "shop/completion/__init__.py", 3)
    )
    after = {
        "shop/completion/__init__.py": """\
            import re

            from ..core import Cart
            from ..core import Item
            from . import helpers
            from .. import utils
            from .helpers import fmt
            from ..utils import echo
            from ._native import fast

            try:
                from ._speedups import complete
            except ImportError:
                complete = None
            """,
    }
    assert_fix(
        imports.ModuleRenamed(),
        issue,
        before,
        after,
        count=1,
        confidence=0.9,
        description="moved one package level down",
    )


def test_a_module_moved_one_level_up_loses_a_dot(tmp_path: Path) -> None:
    before = {
        "pkg/__init__.py": "",
        "pkg/app/__init__.py": "",
        "pkg/app/prices.py": "def total(items):\n    return sum(items)\n",
        "pkg/app/cart.py": "from ..prices import total\nfrom . import prices\n",
    }
    issue = issue_of(tmp_path, before, module_not_found("pkg.prices", "pkg/app/cart.py"))
    after = {"pkg/app/cart.py": "from .prices import total\nfrom . import prices\n"}
    assert_fix(
        imports.ModuleRenamed(),
        issue,
        before,
        after,
        count=1,
        confidence=0.9,
        description="moved one package level up",
    )


def test_no_dot_added_when_the_parent_level_module_lacks_a_name(tmp_path: Path) -> None:
    before = {
        **MOVED_DOWN,
        "shop/completion/__init__.py": """\
            from .core import Cart
            from .utils import echo, shout
            """,
    }
    issue = issue_of(
        tmp_path, before, module_not_found("shop.completion.core", "shop/completion/__init__.py")
    )
    after = {
        "shop/completion/__init__.py": """\
            from shop.core import Cart
            from .utils import echo, shout
            """,
    }
    result = assert_fix(imports.ModuleRenamed(), issue, before, after, count=1, confidence=0.7)
    assert "moved" not in checked(result.fix).description


def test_no_dot_added_when_the_module_a_level_up_only_re_exports(tmp_path: Path) -> None:
    before = {
        "app/__init__.py": "",
        "app/pricing.py": "from .shop.prices import total\n",
        "app/shop/__init__.py": "",
        "app/shop/prices.py": "def total(items):\n    return sum(items)\n",
        "app/shop/cart.py": "from .pricing import total\n",
    }
    issue = issue_of(tmp_path, before, module_not_found("app.shop.pricing", "app/shop/cart.py"))
    after = {"app/shop/cart.py": "from .prices import total\n"}
    assert_fix(imports.ModuleRenamed(), issue, before, after, count=1, confidence=0.95)


def test_a_module_loaded_by_a_string_literal(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "shop/cart.py": "from .prices import total\n",
        "tests/test_prices.py": """\
            import importlib

            prices = importlib.import_module('shop.pricing')


            def test_total():
                assert prices.total([1]) == 1
            """,
        "tests/test_dynamic.py": """\
            from importlib import import_module


            def test_dynamic(name="pricing"):
                assert import_module("shop.pricing").with_tax(1.0)
                assert __import__("shop.pricing.x" if name else "")
                assert import_module(f"shop.{name}")
                assert import_module("shop." + "pricing")
            """,
    }
    issue = issue_of(tmp_path, before, module_not_found("shop.pricing", "tests/test_prices.py", 3))
    after = {
        "tests/test_prices.py": """\
            import importlib

            prices = importlib.import_module('shop.prices')


            def test_total():
                assert prices.total([1]) == 1
            """,
        "tests/test_dynamic.py": """\
            from importlib import import_module


            def test_dynamic(name="pricing"):
                assert import_module("shop.prices").with_tax(1.0)
                assert __import__("shop.pricing.x" if name else "")
                assert import_module(f"shop.{name}")
                assert import_module("shop." + "pricing")
            """,
    }
    assert_fix(imports.ModuleRenamed(), issue, before, after, count=1, confidence=0.95)


def test_a_module_made_public_loaded_by_a_string(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/legacy.py": "from importlib import import_module\n",
        "shop/legal.py": "",
        "tests/test_legacy.py": """\
            import importlib
            from unittest.mock import patch

            legacy = importlib.import_module("shop._legacy")


            def test_patched():
                with patch.object(legacy, "import_module"):
                    pass
            """,
    }
    issue = issue_of(tmp_path, before, module_not_found("shop._legacy", "tests/test_legacy.py", 4))
    after = {"tests/test_legacy.py": before["tests/test_legacy.py"].replace("_legacy", "legacy")}
    assert_fix(
        imports.ModuleRenamed(),
        issue,
        before,
        after,
        count=1,
        confidence=0.85,
        description="but for a leading underscore",
    )


def test_a_module_loaded_by_a_name_built_at_run_time_is_not_reached(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "tests/test_prices.py": """\
            import importlib

            prices = importlib.import_module("shop." + "pricing")
            """,
    }
    issue = issue_of(tmp_path, before, module_not_found("shop.pricing", "tests/test_prices.py", 3))
    assert_fix(imports.ModuleRenamed(), issue, before, None, count=0)


def test_no_module_like_it_proposes_nothing(tmp_path: Path) -> None:
    before = {**SHOP, "tests/test_orders.py": "from shop.inventory import stock\n"}
    issue = issue_of(tmp_path, before, module_not_found("shop.inventory", "tests/test_orders.py"))
    assert_fix(imports.ModuleRenamed(), issue, before, None, count=0)


def test_module_in_the_project_but_not_on_sys_path(tmp_path: Path) -> None:
    before = {
        "src/shop/__init__.py": "",
        "src/shop/prices.py": SHOP["shop/prices.py"],
        "tests/test_orders.py": "from shop.prices import total\n",
    }
    issue = issue_of(tmp_path, before, module_not_found("shop", "tests/test_orders.py"))
    result = assert_fix(
        imports.ModuleRenamed(), issue, before, None, count=1, description='pythonpath = ["src"]'
    )
    assert checked(result.fix).confidence < 0.8


def test_misspelled_installed_module_routed_as_missing_package(tmp_path: Path) -> None:
    before = {
        "tests/test_x.py": """\
            import pytset


            def test():
                with pytset.raises(KeyError):
                    {}[1]
            """
    }
    issue = issue_of(
        tmp_path, before, module_not_found("pytset", "tests/test_x.py", origin="missing")
    )
    assert issue.code == "environment.missing-package"
    after = {
        "tests/test_x.py": """\
            import pytest


            def test():
                with pytest.raises(KeyError):
                    {}[1]
            """
    }
    result = assert_fix(imports.ModuleRenamed(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.9


@pytest.mark.parametrize("declared", [False, True])
def test_a_library_named_like_a_stdlib_module_is_not_corrected(
    tmp_path: Path, declared: bool
) -> None:
    before = {"tests/test_x.py": "import ujson\n\n\ndef test():\n    ujson.dumps({})\n"}
    if declared:
        before["requirements.txt"] = "ujson>=5\n"
    issue = issue_of(
        tmp_path, before, module_not_found("ujson", "tests/test_x.py", origin="missing")
    )
    if declared:
        assert_fix(imports.ModuleRenamed(), issue, before, None, count=0)
    else:
        after = {"tests/test_x.py": "import json\n\n\ndef test():\n    json.dumps({})\n"}
        description = "ujson may be a distribution of its own"
        result = assert_fix(
            imports.ModuleRenamed(), issue, before, after, count=1, description=description
        )
        assert checked(result.fix).confidence < 0.8


def test_a_real_missing_package_is_not_renamed(tmp_path: Path) -> None:
    before = {"tests/test_x.py": "import yaml\n\n\ndef test():\n    yaml.safe_load('')\n"}
    issue = issue_of(
        tmp_path, before, module_not_found("yaml", "tests/test_x.py", origin="missing")
    )
    assert issue.code == "environment.missing-package"
    assert_fix(imports.ModuleRenamed(), issue, before, None, count=0)


# -- 2. name renamed or moved -----------------------------------------------------------------


def test_misspelled_name_renames_its_uses(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "tests/test_orders.py": """\
            from shop.prices import totl, with_tax


            def test_total():
                assert totl([("a", 1.0)]) == 1.0


            def test_nested():
                def inner(totl=None):
                    return totl
                assert inner(2) == 2 and totl([]) == 0
            """,
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.prices", "totl", "tests/test_orders.py")
    )
    after = {
        "tests/test_orders.py": """\
            from shop.prices import total, with_tax


            def test_total():
                assert total([("a", 1.0)]) == 1.0


            def test_nested():
                def inner(totl=None):
                    return totl
                assert inner(2) == 2 and total([]) == 0
            """
    }
    result = assert_fix(imports.NameRenamed(), issue, before, after, count=1, safe=True)
    assert checked(result.fix).confidence >= 0.8


def test_renamed_name_aliased_when_a_local_would_be_shadowed(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "tests/test_orders.py": """\
            from shop.prices import totl


            def test_total():
                total = 1.0
                assert totl([("a", 1.0)]) == total
            """,
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.prices", "totl", "tests/test_orders.py")
    )
    after = {
        "tests/test_orders.py": """\
            from shop.prices import total as totl


            def test_total():
                total = 1.0
                assert totl([("a", 1.0)]) == total
            """
    }
    result = assert_fix(imports.NameRenamed(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.8


def test_moved_name_splits_the_statement_everywhere(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/prices.py": "def total(items):\n    return sum(p for _, p in items)\n",
        "shop/tax.py": "def with_tax(amount, rate=0.2):\n    return amount * (1 + rate)\n",
        "shop/cart.py": "from .prices import with_tax as taxed\n",
        "tests/test_orders.py": """\
            from shop.prices import total, with_tax


            def test():
                from shop.prices import with_tax
                assert with_tax(total([])) == 0
            """,
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.prices", "with_tax", "tests/test_orders.py")
    )
    after = {
        "shop/cart.py": "from .tax import with_tax as taxed\n",
        "tests/test_orders.py": """\
            from shop.prices import total
            from shop.tax import with_tax


            def test():
                from shop.tax import with_tax
                assert with_tax(total([])) == 0
            """,
    }
    assert_fix(
        imports.NameRenamed(),
        issue,
        before,
        after,
        count=1,
        confidence=0.9,
        description="shop.tax.with_tax",
    )


def test_attribute_of_a_project_module(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "tests/test_orders.py": """\
            from shop import prices
            import shop.prices as sp


            def test_total():
                assert prices.totl([]) == sp.totl([]) == 0
            """,
    }
    issue = issue_of(
        tmp_path,
        before,
        attribute_missing("shop.prices", "totl", "shop/prices.py", "tests/test_orders.py", 6),
    )
    assert issue.details["form"] == "attribute"
    after = {
        "tests/test_orders.py": """\
            from shop import prices
            import shop.prices as sp


            def test_total():
                assert prices.total([]) == sp.total([]) == 0
            """,
    }
    result = assert_fix(imports.NameRenamed(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.8


def test_renamed_submodule_imported_from_its_package(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "tests/test_orders.py": """\
            from shop import pricing


            def test_total():
                assert pricing.total([]) == pricing.with_tax(0)
            """,
    }
    issue = issue_of(tmp_path, before, name_not_found("shop", "pricing", "tests/test_orders.py"))
    after = {
        "tests/test_orders.py": """\
            from shop import prices


            def test_total():
                assert prices.total([]) == prices.with_tax(0)
            """
    }
    result = assert_fix(imports.NameRenamed(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.9


def test_a_rename_its_docstring_records_is_applied(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/totals.py": """\
            def compute_total(amounts, discount=0.0):
                \"\"\"Sum ``amounts`` less ``discount``. Was ``calc_total``.\"\"\"
                return sum(amounts) * (1 - discount)


            def average(amounts):
                return sum(amounts) / len(amounts)
            """,
        "tests/test_totals.py": """\
            from shop.totals import average, calc_total


            def test_total():
                assert calc_total([1.0], discount=0.5) == 0.5
            """,
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.totals", "calc_total", "tests/test_totals.py")
    )
    after = {
        "tests/test_totals.py": """\
            from shop.totals import average, compute_total


            def test_total():
                assert compute_total([1.0], discount=0.5) == 0.5
            """
    }
    result = assert_fix(
        imports.NameRenamed(),
        issue,
        before,
        after,
        count=1,
        description="its definition mentions calc_total",
    )
    assert checked(result.fix).confidence >= 0.9


def test_a_dissimilar_name_whose_calls_fit_is_only_suggested(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/totals.py": "def compute_total(amounts, discount=0.0):\n    return 0\n",
        "tests/test_totals.py": "from shop.totals import calc_total\n\n"
        "calc_total([1.0], discount=0.5)\n",
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.totals", "calc_total", "tests/test_totals.py")
    )
    after = {
        "tests/test_totals.py": "from shop.totals import compute_total\n\n"
        "compute_total([1.0], discount=0.5)\n",
    }
    assert_fix(
        imports.NameRenamed(),
        issue,
        before,
        after,
        count=1,
        confidence=0.75,
        description="the keyword arguments name its parameters",
    )


def test_exported_name_keeps_its_old_spelling(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "shop/api.py": """\
            from shop.prices import totl

            __all__ = ["totl"]
            """,
    }
    issue = issue_of(tmp_path, before, name_not_found("shop.prices", "totl", "shop/api.py"))
    after = {
        "shop/api.py": """\
            from shop.prices import total as totl

            __all__ = ["totl"]
            """,
    }
    assert_fix(imports.NameRenamed(), issue, before, after, count=1)


def test_moved_name_defined_twice_is_only_suggested(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/prices.py": "X = 1\n",
        "shop/a.py": "def with_tax(x):\n    return x\n",
        "shop/b.py": "def with_tax(x):\n    return x\n",
        "tests/test_orders.py": "from shop.prices import with_tax\n",
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.prices", "with_tax", "tests/test_orders.py")
    )
    result = assert_fix(
        imports.NameRenamed(), issue, before, None, count=1, description="shop.a.with_tax"
    )
    fix = checked(result.fix)
    assert fix.confidence < 0.8 and "shop.b.with_tax" in fix.description


def test_a_name_that_exists_nowhere(tmp_path: Path) -> None:
    before = {**SHOP, "tests/test_orders.py": "from shop.prices import refund\n"}
    issue = issue_of(
        tmp_path, before, name_not_found("shop.prices", "refund", "tests/test_orders.py")
    )
    assert_fix(imports.NameRenamed(), issue, before, None, count=0)


def test_a_similar_constant_alone_is_below_the_threshold(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/config.py": "TAX_RATE = 0.2\n",
        "tests/test_orders.py": "from shop.config import TAX_RATES\n",
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.config", "TAX_RATES", "tests/test_orders.py")
    )
    after = {"tests/test_orders.py": "from shop.config import TAX_RATE\n"}
    result = assert_fix(imports.NameRenamed(), issue, before, after, count=1)
    assert 0.5 <= checked(result.fix).confidence < 0.8


def test_a_call_that_does_not_fit_rules_the_candidate_out(tmp_path: Path) -> None:
    before = {**SHOP, "tests/test_orders.py": "from shop.prices import totals\n\ntotals(1, 2, 3)\n"}
    issue = issue_of(
        tmp_path, before, name_not_found("shop.prices", "totals", "tests/test_orders.py")
    )
    assert_fix(imports.NameRenamed(), issue, before, None, count=0)


COUNTING = {
    "shop/__init__.py": "",
    "shop/counting.py": """\
        def frequencies(seq):
            counts = {}
            for item in seq:
                counts[item] = counts.get(item, 0) + 1
            return counts


        def pluck(index, seqs):
            return (seq[index] for seq in seqs)
        """,
}


def test_a_misspelled_import_of_the_name_the_file_reads_is_applied(tmp_path: Path) -> None:
    """The file reads ``frequencies`` where nothing binds it (a ``NameError`` waiting) and
    never ``frequences``: the import was meant to bind ``frequencies``. A function's own
    ``frequencies`` only shadows it there."""
    before = {
        **COUNTING,
        "shop/recipes.py": """\
            from .counting import frequences, pluck


            def countby(key, seq):
                return frequencies(map(key, seq))


            def tally(seq):
                frequencies = {}
                for item in pluck(0, seq):
                    frequencies[item] = True
                return frequencies
            """,
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.counting", "frequences", "shop/recipes.py")
    )
    after = {
        "shop/recipes.py": """\
            from .counting import frequencies, pluck


            def countby(key, seq):
                return frequencies(map(key, seq))


            def tally(seq):
                frequencies = {}
                for item in pluck(0, seq):
                    frequencies[item] = True
                return frequencies
            """
    }
    assert_fix(
        imports.NameRenamed(),
        issue,
        before,
        after,
        count=1,
        confidence=0.9,
        description="shop/recipes.py reads frequencies, which nothing binds there",
    )


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (
            "def frequencies(seq):\n    return {}\n\n\ncountby = frequencies\n",
            "bound at module level",
        ),
        ("def countby(seq):\n    frequencies = {}\n    return frequencies\n", "only a local"),
        ("countby = frequencies\nfirst = frequences\n", "the missing name is read too"),
        ("from .helpers import *\n\ncountby = frequencies\n", "a star import may bind it"),
        (
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
            "    from .counting import frequencies\n\ncountby = frequencies\n",
            "imported for the type checker",
        ),
        (
            "match []:\n    case frequencies:\n        pass\n\ncountby = frequencies\n",
            "a match capture binds it",
        ),
    ],
    ids=["bound", "local", "old-read-too", "star-import", "type-checking", "match-capture"],
)
def test_a_read_of_the_candidate_that_something_binds_is_no_evidence(
    tmp_path: Path, body: str, why: str
) -> None:
    before = {
        **COUNTING,
        "shop/helpers.py": "",
        "shop/recipes.py": f"from .counting import frequences\n\n{body}",
    }
    issue = issue_of(
        tmp_path, before, name_not_found("shop.counting", "frequences", "shop/recipes.py")
    )
    fixes = propose(imports.NameRenamed(), issue, tmp_path)
    assert len(fixes) == 1 and fixes[0].confidence < 0.9, why  # a typo alone: 0.8
    assert "which nothing binds" not in fixes[0].description


# -- 3. a missing import ----------------------------------------------------------------------


def test_missing_stdlib_module(tmp_path: Path) -> None:
    before = {
        "tests/test_io.py": """\
            \"\"\"Dumping.\"\"\"
            import os
            X = os.sep


            def test_dump():
                assert json.dumps({}) == "{}"
            """,
    }
    issue = issue_of(tmp_path, before, name_error("json", "tests/test_io.py", 7))
    after = {
        "tests/test_io.py": """\
            \"\"\"Dumping.\"\"\"
            import json
            import os
            X = os.sep


            def test_dump():
                assert json.dumps({}) == "{}"
            """
    }
    result = assert_fix(imports.MissingImport(), issue, before, after, count=1, safe=True)
    assert checked(result.fix).confidence >= 0.9


def test_missing_import_the_project_uses_elsewhere(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "tests/conftest.py": "import shop.prices as sp\n",
        "tests/test_a.py": "import shop.prices as sp\n",
        "tests/test_b.py": "import pytest\n\n\ndef test():\n    assert sp.total([]) == 0\n",
    }
    issue = issue_of(tmp_path, before, name_error("sp", "tests/test_b.py", 5))
    after = {
        "tests/test_b.py": "import pytest\n\nimport shop.prices as sp\n\n\n"  # first party
        "def test():\n    assert sp.total([]) == 0\n"
    }
    result = assert_fix(imports.MissingImport(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.9


@pytest.mark.parametrize(
    "broken",
    [
        "import shop.pricing as sp\n",  # a module that does not exist
        "from shop import no_such_name as sp\n",  # a name the project module does not have
        "from json import no_such_name as sp\n",  # a name the installed module does not have
    ],
)
def test_an_import_that_does_not_resolve_is_never_copied(tmp_path: Path, broken: str) -> None:
    """The other file's import is itself broken: copying it would spread the breakage."""
    before = {
        **SHOP,
        "tests/test_a.py": broken,
        "tests/test_b.py": "import pytest\n\n\ndef test():\n    assert sp.total([]) == 0\n",
    }
    issue = issue_of(tmp_path, before, name_error("sp", "tests/test_b.py", 5))
    assert_fix(imports.MissingImport(), issue, before, None, count=0)


def test_missing_project_symbol_with_one_definition_in_every_location(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "shop/cart.py": "def cart(items):\n    return with_tax(total(items))\n",
        "tests/conftest.py": """\
            import pytest
            from shop.prices import total


            @pytest.fixture
            def taxed():
                return with_tax(1.0)
            """,
    }
    issue = issue_of(
        tmp_path,
        before,
        name_error("with_tax", "tests/conftest.py", 7),
        name_error("with_tax", "shop/cart.py", 2),
    )
    after = {
        "shop/cart.py": """\
            from shop.prices import with_tax


            def cart(items):
                return with_tax(total(items))
            """,
        "tests/conftest.py": """\
            import pytest
            from shop.prices import total, with_tax


            @pytest.fixture
            def taxed():
                return with_tax(1.0)
            """,
    }
    result = assert_fix(imports.MissingImport(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.9


def test_missing_import_is_never_put_under_type_checking(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "tests/test_a.py": """\
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from shop.prices import total


            def test():
                assert total([]) == 0
            """,
    }
    issue = issue_of(tmp_path, before, name_error("total", "tests/test_a.py", 8))
    after = {
        "tests/test_a.py": """\
            from typing import TYPE_CHECKING

            from shop.prices import total

            if TYPE_CHECKING:
                from shop.prices import total


            def test():
                assert total([]) == 0
            """
    }
    assert_fix(imports.MissingImport(), issue, before, after, count=1)


def test_missing_import_never_shadows_a_module_level_binding(tmp_path: Path) -> None:
    before = {
        "tests/test_a.py": """\
            def test():
                assert json.dumps(1)


            test()
            json = None
            """,
    }
    issue = issue_of(tmp_path, before, name_error("json", "tests/test_a.py", 2))
    assert_fix(imports.MissingImport(), issue, before, None, count=0)


def test_missing_name_defined_twice_is_only_suggested(tmp_path: Path) -> None:
    before = {
        "shop/__init__.py": "",
        "shop/a.py": "def helper():\n    pass\n",
        "shop/b.py": "def helper():\n    pass\n",
        "tests/test_a.py": "def test():\n    helper()\n",
    }
    issue = issue_of(tmp_path, before, name_error("helper", "tests/test_a.py", 2))
    result = assert_fix(
        imports.MissingImport(),
        issue,
        before,
        None,
        count=1,
        description="from shop.a import helper",
    )
    assert checked(result.fix).confidence < 0.8


def test_missing_name_that_exists_nowhere(tmp_path: Path) -> None:
    before = {"tests/test_a.py": "def test():\n    frobnicate()\n"}
    issue = issue_of(tmp_path, before, name_error("frobnicate", "tests/test_a.py", 2))
    assert_fix(imports.MissingImport(), issue, before, None, count=0)


def test_well_known_stdlib_name(tmp_path: Path) -> None:
    before = {"tests/test_a.py": "def test(tmp_path):\n    assert Path(tmp_path)\n"}
    issue = issue_of(tmp_path, before, name_error("Path", "tests/test_a.py", 2))
    after = {
        "tests/test_a.py": "from pathlib import Path\n\n\n"
        "def test(tmp_path):\n    assert Path(tmp_path)\n"
    }
    result = assert_fix(imports.MissingImport(), issue, before, after, count=1)
    assert checked(result.fix).confidence >= 0.8


# -- 4. test modules that share a basename ----------------------------------------------------


def mismatch(root: Path, before: Mapping[str, str], module: str, first: str, second: str) -> Issue:
    """The issue of an ImportPathMismatchError: its facts name the two files by absolute path,
    so ``assert_fix`` is given the same ``rootdir``."""
    facts = {"mismatch": [module, str(root / first), str(root / second)], "node_path": second}
    message = f"import file mismatch:\nimported module '{module}' has this __file__ attribute"
    return issue_of(
        root,
        before,
        failure("_pytest.pathlib.ImportPathMismatchError", message, facts, second, 1),
    )


def test_sibling_test_dirs_become_packages(tmp_path: Path) -> None:
    before = {
        "tests/unit/test_util.py": "def test():\n    pass\n",
        "tests/integration/test_util.py": "def test():\n    pass\n",
    }
    issue = mismatch(
        tmp_path, before, "test_util", "tests/unit/test_util.py", "tests/integration/test_util.py"
    )
    assert issue.code == "import.file-mismatch"
    after = {"tests/unit/__init__.py": "", "tests/integration/__init__.py": ""}
    result = assert_fix(
        imports.DuplicateBasename(),
        issue,
        before,
        after,
        count=1,
        safe=True,
        description="unit.test_util and integration.test_util",
        rootdir=tmp_path,
    )
    assert checked(result.fix).confidence >= 0.9


def test_nested_test_dirs_need_the_common_one_too(tmp_path: Path) -> None:
    before = {
        "tests/test_util.py": "def test():\n    pass\n",
        "tests/deep/er/test_util.py": "def test():\n    pass\n",
    }
    issue = mismatch(
        tmp_path, before, "test_util", "tests/test_util.py", "tests/deep/er/test_util.py"
    )
    after = {"tests/__init__.py": "", "tests/deep/__init__.py": "", "tests/deep/er/__init__.py": ""}
    assert_fix(imports.DuplicateBasename(), issue, before, after, count=1, rootdir=tmp_path)


def test_a_dir_that_is_no_identifier_gets_a_suggestion(tmp_path: Path) -> None:
    before = {
        "tests/unit-tests/test_util.py": "def test():\n    pass\n",
        "tests/integration/test_util.py": "def test():\n    pass\n",
    }
    issue = mismatch(
        tmp_path,
        before,
        "test_util",
        "tests/unit-tests/test_util.py",
        "tests/integration/test_util.py",
    )
    assert_fix(
        imports.DuplicateBasename(),
        issue,
        before,
        None,
        count=1,
        description="not a valid package name",
        rootdir=tmp_path,
    )


def test_packages_that_break_a_helper_import_are_unsafe(tmp_path: Path) -> None:
    before = {
        "tests/unit/helpers.py": "VALUE = 1\n",
        "tests/unit/test_util.py": "from helpers import VALUE\n",
        "tests/integration/test_util.py": "def test():\n    pass\n",
    }
    issue = mismatch(
        tmp_path, before, "test_util", "tests/unit/test_util.py", "tests/integration/test_util.py"
    )
    after = {"tests/unit/__init__.py": "", "tests/integration/__init__.py": ""}
    result = assert_fix(
        imports.DuplicateBasename(),
        issue,
        before,
        after,
        count=1,
        safe=False,
        description="tests/unit/test_util.py:1 (`helpers`)",
        rootdir=tmp_path,
    )
    assert checked(result.fix).confidence < 0.8


def test_a_package_that_would_shadow_a_module_gets_a_suggestion(tmp_path: Path) -> None:
    before = {
        **SHOP,
        "tests/shop/test_util.py": "def test():\n    pass\n",
        "tests/other/test_util.py": "def test():\n    pass\n",
    }
    issue = mismatch(
        tmp_path, before, "test_util", "tests/shop/test_util.py", "tests/other/test_util.py"
    )
    assert_fix(
        imports.DuplicateBasename(),
        issue,
        before,
        None,
        count=1,
        description="shadows",
        rootdir=tmp_path,
    )


# -- routing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fixer", imports.fixers(), ids=lambda f: f.name)
def test_fixers_ignore_codes_that_are_not_theirs(tmp_path: Path, fixer: Any) -> None:
    before = {"tests/test_a.py": "assert False\n"}
    failed = failure("AssertionError", "assert False", {}, "tests/test_a.py", 1)
    issue = issue_of(tmp_path, before, failed)
    assert propose(fixer, issue, tmp_path) == []


# -- end to end -------------------------------------------------------------------------------


def report_of(pytester: pytest.Pytester) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / "report.json").read_text("utf-8"))
    return data


def test_e2e_renamed_module_fixed_in_every_importer(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        **{
            "shop/__init__": "",
            "shop/prices": SHOP["shop/prices.py"],
            "shop/cart": "from .pricing import with_tax\n\n\ndef taxed():\n"
            "    return with_tax(10.0)\n",
            "tests/test_a": "from shop.cart import taxed\nfrom shop.pricing import total\n\n\n"
            "def test_a():\n    assert total([('x', taxed())]) == 12.0\n",
            "tests/test_b": "import shop.pricing\n\n\ndef test_b():\n"
            "    assert shop.pricing.total([]) == 0\n",
        }
    )
    result = pytester.runpytest_subprocess(
        "--autofix", "--autofix-report=report.json", "-p", "no:randomly"
    )
    assert result.ret == 0, result.stdout.str()
    report = report_of(pytester)
    assert report["summary"]["fixed"] == 1
    assert report["rerun"]["failed"] == 0 and report["rerun"]["passed"] == 2
    assert (pytester.path / "tests/test_b.py").read_text() == (
        "import shop.prices\n\n\ndef test_b():\n    assert shop.prices.total([]) == 0"
    )
    assert (pytester.path / "shop/cart.py").read_text().startswith("from .prices import with_tax\n")


def test_e2e_dry_run_reports_the_diff_and_writes_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        **{
            "shop/__init__": "",
            "shop/prices": SHOP["shop/prices.py"],
            "tests/test_a": "def test_a():\n    assert json.loads('[]') == []\n",
            "tests/test_b": "from shop.prices import totl\n\n\ndef test_b():\n"
            "    assert totl([]) == 0\n",
        }
    )
    before = {p: p.read_bytes() for p in pytester.path.rglob("*.py")}
    pytester.runpytest_subprocess("--autofix", "--dry-run", "--autofix-report=report.json")
    assert {p: p.read_bytes() for p in pytester.path.rglob("*.py")} == before
    issues = {i["code"]: i for i in report_of(pytester)["issues"]}
    missing = issues["import.name-undefined"]
    assert missing["status"] == "proposed"
    assert "+import json" in missing["fixes"][0]["diff"]
    renamed = issues["import.name-not-found"]
    assert renamed["status"] == "proposed"
    assert "-from shop.prices import totl" in renamed["fixes"][0]["diff"]
    assert "+    assert total([]) == 0" in renamed["fixes"][0]["diff"]


def test_e2e_duplicate_basenames_become_packages(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        **{
            "tests/unit/test_util": "def test_unit():\n    pass\n",
            "tests/integration/test_util": "def test_integration():\n    pass\n",
        }
    )
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=report.json")
    assert result.ret == 0, result.stdout.str()
    assert (pytester.path / "tests/unit/__init__.py").read_bytes() == b""
    assert (pytester.path / "tests/integration/__init__.py").read_bytes() == b""
    [issue] = report_of(pytester)["issues"]
    assert issue["code"] == "import.file-mismatch" and issue["status"] == "fixed"


# -- the name index of _imports_scan: one walk per tree, same answers as a walk per question ----

SCAN_SOURCES = [
    "import os\nos.path.join(a, os.sep)\nclass C(os.PathLike, base.Base):\n    x = os.path\n",
    "def f():\n    g(h.i.j(k))\n    return [m.n for m in o.p]\nf.attr = f\nlambda: q.r(s)\n",
    "from x import y as z\nz.w(z.v.u)\nclass D(z.w):\n    def m(self):\n        super().m()\n",
    "a.b.c.d = e.f\nif TYPE_CHECKING:\n    import t\nprint(t.u, a.b)\ndel a\n",
]


def _reference(tree: ast.AST, binding: str) -> tuple[object, ...]:
    from pytest_autofix.fixers.toolkit.scan import dotted

    attrs = {
        n.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and dotted(n.value) == binding
    }
    loads = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and n.id == binding and isinstance(n.ctx, ast.Load)
    ]
    calls, bases, reads = [], 0, 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and dotted(node.func) == binding:
            calls.append(node)
        elif isinstance(node, ast.ClassDef):
            bases += sum(1 for base in node.bases if dotted(base) == binding)
        elif isinstance(node, ast.Name | ast.Attribute) and dotted(node) == binding:
            reads += 1
    return attrs, loads, calls, bases, reads


@pytest.mark.parametrize("source", SCAN_SOURCES)
def test_name_index_answers_like_a_walk_per_question(source: str) -> None:
    from pytest_autofix.fixers.toolkit.scan import attributes_of, dotted, names_loaded, usage

    tree = ast.parse(source)
    bindings = {dotted(n) for n in ast.walk(tree) if isinstance(n, ast.Name | ast.Attribute)}
    for binding in [*sorted(b for b in bindings if b), "absent", "os.path.nope"]:
        attrs, loads, calls, bases, reads = _reference(tree, binding)
        found = usage([tree], binding)
        assert attributes_of(tree, binding) == attrs, binding
        assert names_loaded(tree, binding) == loads, binding
        assert (found.calls, found.bases, found.reads) == (calls, bases, reads), binding
