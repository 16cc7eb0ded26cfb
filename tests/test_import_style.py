"""Where the fixers put an import they add: in its isort/ruff section and order, as the
project's ruff or isort settings say (``toolkit.import_style``, ``add_import(style=)``).

Before/after examples of the transform, the settings read from real configuration files, and
two fixes planned as the engine plans them (``assert_fix``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from test_fixers_environment import issue, removed
from test_fixers_imports import issue_of, name_error

from pytest_autofix.fixers import environment, imports
from pytest_autofix.fixers.toolkit.import_style import (
    ImportStyle,
    Section,
    read_import_style,
    style_of,
)
from pytest_autofix.fixers.toolkit.import_transforms import add_import
from pytest_autofix.fixers.toolkit.pkg_resources_transforms import Environment
from pytest_autofix.project import Project
from pytest_autofix.testing import assert_fix

BLOCK = """\
    import os
    import sys

    import pytest

    from myproject import x


    def test():
        pass
    """


def add(
    source: str,
    module: str,
    name: str | None = None,
    asname: str | None = None,
    style: ImportStyle | None = None,
) -> str:
    tree = cst.parse_module(textwrap.dedent(source))
    return add_import(module, name, asname, style=style)(tree).code


def text(source: str) -> str:
    return textwrap.dedent(source)


# -- sections --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "name", "head"),
    [
        # standard library, at its place in order (it used to go after `from myproject`)
        (
            "collections.abc",
            None,
            "import collections.abc\nimport os\nimport sys\n\nimport pytest\n",
        ),
        ("zlib", None, "import os\nimport sys\nimport zlib\n\nimport pytest\n"),
        ("typing", "Any", "import os\nimport sys\nfrom typing import Any\n\nimport pytest\n"),
        # third party, between the standard library and the project's modules
        ("requests", None, "import os\nimport sys\n\nimport pytest\nimport requests\n"),
        ("attr", None, "import os\nimport sys\n\nimport attr\nimport pytest\n"),
        ("yaml", "load", "import os\nimport sys\n\nimport pytest\nfrom yaml import load\n"),
    ],
)
def test_a_new_line_goes_into_its_section_in_order(
    module: str, name: str | None, head: str
) -> None:
    rest = "\nfrom myproject import x\n\n\ndef test():\n    pass\n"
    assert add(BLOCK, module, name) == head + rest


def test_first_party_and_local_sections() -> None:
    # a name the file imports from a group after its third-party group is the project's own
    assert add(BLOCK, "myproject.db", "connect") == text("""\
        import os
        import sys

        import pytest

        from myproject import x
        from myproject.db import connect


        def test():
            pass
        """)
    # a relative import: a section of its own, last
    assert add(BLOCK, ".helpers", "build") == text("""\
        import os
        import sys

        import pytest

        from myproject import x

        from .helpers import build


        def test():
            pass
        """)


def test_a_new_section_between_blank_lines() -> None:
    assert add("import pytest\n\nx = 1\n", "os") == "import os\n\nimport pytest\n\nx = 1\n"
    assert add("import os\n\nx = 1\n", "pytest") == "import os\n\nimport pytest\n\nx = 1\n"
    assert add("import os\n\nfrom . import a\n", "pytest") == (
        "import os\n\nimport pytest\n\nfrom . import a\n"
    )
    assert add('"""Doc."""\n\nimport os\n', "__future__", "annotations") == (
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport os\n'
    )
    # a file that does not separate its sections does not get a blank line either
    assert add("import os\nimport pytest\n", "requests", "get") == (
        "import os\nimport pytest\nfrom requests import get\n"
    )
    assert add("import os\nfrom . import a\n", "pytest") == (
        "import os\nimport pytest\nfrom . import a\n"
    )


def test_comments_stay_with_their_import() -> None:
    source = "# stdlib\nimport os\n\n# third party\nimport pytest\n"
    assert add("x = 1\n" + source, "json") == "import json\n\nx = 1\n" + source  # not a block
    assert add('"""D."""\n\n' + source, "json") == (
        '"""D."""\n\nimport json\n# stdlib\nimport os\n\n# third party\nimport pytest\n'
    )
    assert add('"""D."""\n' + source, "attr") == (
        '"""D."""\n# stdlib\nimport os\n\nimport attr\n# third party\nimport pytest\n'
    )
    assert add('"""D."""\n' + source, "requests") == (
        '"""D."""\n# stdlib\nimport os\n\n# third party\nimport pytest\nimport requests\n'
    )


def test_an_unsorted_section_gets_the_line_at_its_end() -> None:
    source = "import sys\nimport os\n\nimport pytest\n"
    assert add(source, "json") == "import sys\nimport os\nimport json\n\nimport pytest\n"
    # `import` lines come before `from` lines: a section that mixes them is not in order
    source = "from typing import Any\nimport os\n\nimport pytest\n"
    assert add(source, "json") == (
        "from typing import Any\nimport os\nimport json\n\nimport pytest\n"
    )


def test_a_block_out_of_section_order_keeps_the_line_at_its_end() -> None:
    source = "import pytest\nimport os\n\nx = 1\n"
    assert add(source, "json") == "import pytest\nimport os\nimport json\n\nx = 1\n"
    source = "from . import a\nimport os\n"
    assert add(source, "pytest") == "from . import a\nimport os\nimport pytest\n"


def test_merging_into_a_line_is_unchanged() -> None:
    source = "import os\n\nfrom myproject import b, c\n"
    assert add(source, "myproject", "a") == "import os\n\nfrom myproject import a, b, c\n"
    assert add(source, "os") == source


# -- the project's settings ------------------------------------------------------------------


def test_first_and_third_party_from_the_style() -> None:
    source = "import os\n\nimport pytest\n\nx = 1\n"
    mine = ImportStyle(detected=frozenset({"shop"}))
    assert add(source, "shop", "total", style=mine) == (
        "import os\n\nimport pytest\n\nfrom shop import total\n\nx = 1\n"
    )
    assert add(source, "shop", "total") == (  # unknown: third party
        "import os\n\nimport pytest\nfrom shop import total\n\nx = 1\n"
    )
    known = ImportStyle(detected=frozenset({"shop"}), third_party=frozenset({"shop"}))
    assert add(source, "shop", "total", style=known) == (
        "import os\n\nimport pytest\nfrom shop import total\n\nx = 1\n"
    )
    # known-first-party wins over the standard library, as in ruff
    assert ImportStyle(first_party=frozenset({"test"})).section("test.support") == (
        Section.FIRST_PARTY
    )


def test_force_sort_within_sections() -> None:
    source = "import os\nfrom pathlib import Path\nimport sys\n\nx = 1\n"
    forced = ImportStyle(force_sort_within_sections=True)
    assert add(source, "json", style=forced) == (
        "import json\nimport os\nfrom pathlib import Path\nimport sys\n\nx = 1\n"
    )
    assert add(source, "re", style=forced) == (
        "import os\nfrom pathlib import Path\nimport re\nimport sys\n\nx = 1\n"
    )
    # without the setting the section is not in order: the line goes at its end
    assert add(source, "re") == (
        "import os\nfrom pathlib import Path\nimport sys\nimport re\n\nx = 1\n"
    )


def test_lines_after_imports_for_a_files_first_import() -> None:
    source = "def test():\n    pass\n"
    assert add(source, "os") == "import os\n\n\ndef test():\n    pass\n"
    one = ImportStyle(lines_after_imports=1)
    assert add(source, "os", style=one) == "import os\n\ndef test():\n    pass\n"
    # an existing block keeps the file's spacing
    assert add("import os\n\n\nx = 1\n", "sys", style=one) == "import os\nimport sys\n\n\nx = 1\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(content))
    return root


def test_ruff_settings(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.ruff]
                line-length = 100
                src = ["lib"]

                [tool.ruff.lint.isort]
                known-first-party = ["corp_*"]
                known-third-party = ["shop"]
                force-sort-within-sections = true
                lines-after-imports = 1

                [tool.isort]
                known_first_party = ["ignored"]
                """,
            "shop/__init__.py": "",
            "tools.py": "",
            "lib/engine/__init__.py": "",
        },
    )
    style = read_import_style(root)
    assert style.force_sort_within_sections
    assert style.lines_after_imports == 1
    assert style.first_party == {"corp_*"}
    assert {"shop", "tools", "engine", "lib"} <= style.detected
    assert style.section("corp_billing.api") == Section.FIRST_PARTY
    assert style.section("shop") == Section.THIRD_PARTY  # known-third-party over detection
    assert style.section("engine.core") == Section.FIRST_PARTY  # in `src`
    assert style.section("ignored") == Section.THIRD_PARTY  # ruff's settings win
    assert style.section("json") == Section.STDLIB


def test_ruff_toml_and_legacy_table(tmp_path: Path) -> None:
    write(tmp_path, {"ruff.toml": "[isort]\nknown-first-party = ['app']\n"})
    assert read_import_style(tmp_path).first_party == {"app"}
    write(tmp_path, {".ruff.toml": "[lint.isort]\nknown-first-party = ['web']\n"})
    assert read_import_style(tmp_path).first_party == {"web"}  # .ruff.toml first, as ruff


def test_setup_cfg_isort_settings(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "setup.cfg": """\
                [metadata]
                name = shop

                [isort]
                profile = black
                known_first_party = shop,billing
                known_third_party =
                    pytest
                    requests
                force_sort_within_sections = True
                lines_after_imports = 2
                """,
        },
    )
    style = read_import_style(root)
    assert style.first_party == {"shop", "billing"}
    assert style.third_party == {"pytest", "requests"}
    assert style.force_sort_within_sections
    assert style.lines_after_imports == 2


def test_isort_files_and_profiles(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.isort]\nprofile = 'google'\n"})
    assert read_import_style(tmp_path).force_sort_within_sections  # google's profile does
    write(tmp_path, {".isort.cfg": "[settings]\nknown_first_party = app\n"})
    style = read_import_style(tmp_path)  # .isort.cfg is the first file isort reads
    assert style.first_party == {"app"}
    assert not style.force_sort_within_sections


def test_settings_of_a_parent_directory_and_none(tmp_path: Path) -> None:
    write(tmp_path, {"setup.cfg": "[isort]\nknown_first_party = app\n", "sub/x.py": ""})
    assert read_import_style(tmp_path / "sub").first_party == {"app"}
    (tmp_path / "sub" / ".git").mkdir()  # not above the repository's root
    assert read_import_style(tmp_path / "sub") == ImportStyle(detected=frozenset({"x"}))
    write(tmp_path, {"sub/pyproject.toml": "[tool.ruff\nbroken"})
    assert read_import_style(tmp_path / "sub").first_party == frozenset()


def test_read_once_per_project(tmp_path: Path) -> None:
    write(tmp_path, {"setup.cfg": "[isort]\nknown_first_party = app\n"})
    project = Project(tmp_path)
    style = style_of(project)
    assert style.first_party == {"app"}
    write(tmp_path, {"setup.cfg": "[isort]\nknown_first_party = other\n"})
    assert style_of(project) is style
    assert style_of(Project(tmp_path)).first_party == {"other"}


# -- through the fixers ----------------------------------------------------------------------


def test_a_migration_adds_its_import_in_the_standard_library_section() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("collections.Mapping", "tests/test_m.py", 8),
        {
            "tests/test_m.py": """\
                import collections
                import sys

                import pytest


                def test_mapping():
                    assert isinstance({}, collections.Mapping)
                """,
        },
        {
            "tests/test_m.py": """\
                import collections
                import collections.abc
                import sys

                import pytest


                def test_mapping():
                    assert isinstance({}, collections.abc.Mapping)
                """,
        },
        count=1,
    )


def test_a_missing_import_follows_the_projects_ruff_settings(tmp_path: Path) -> None:
    before = {
        "pyproject.toml": "[tool.ruff.lint.isort]\nforce-sort-within-sections = true\n",
        "shop/__init__.py": "",
        "shop/prices.py": "def total(items):\n    return sum(items)\n",
        "tests/test_io.py": """\
            from collections import OrderedDict
            import os

            import pytest


            def test_dump():
                assert total([1]) == json.loads("1")
            """,
    }
    after_json = """\
        from collections import OrderedDict
        import json
        import os

        import pytest


        def test_dump():
            assert total([1]) == json.loads("1")
        """
    issue = issue_of(tmp_path, before, name_error("json", "tests/test_io.py", 8))
    assert_fix(imports.MissingImport(), issue, before, {"tests/test_io.py": after_json}, count=1)
    # the project's own package: a first-party section after the third-party one
    issue = issue_of(tmp_path, before, name_error("total", "tests/test_io.py", 8))
    after_total = """\
        from collections import OrderedDict
        import os

        import pytest

        from shop.prices import total


        def test_dump():
            assert total([1]) == json.loads("1")
        """
    assert_fix(imports.MissingImport(), issue, before, {"tests/test_io.py": after_total}, count=1)


# the project's settings, through each fixer that adds imports (the migrations, nose, pkg_resources)
FORCE_SORTED = "[tool.ruff.lint.isort]\nforce-sort-within-sections = true\n"


def test_a_migration_follows_the_projects_ruff_settings() -> None:
    """``platform.popen`` -> ``os.popen`` adds ``import os``: sorted by module among
    ``import`` and ``from`` lines alike, as ``force-sort-within-sections`` sorts them (without
    the project's settings it went to the section's end, after ``import sys``)."""
    assert_fix(
        environment.RemovedApi(),
        removed("platform.popen", "tests/test_m.py", 9),
        {
            "pyproject.toml": FORCE_SORTED,
            "tests/test_m.py": """\
                import platform
                from shutil import which
                import sys

                import pytest


                def test_popen():
                    assert which("echo") and sys.platform
                    assert platform.popen("echo hi").read() == "hi\\n"
                """,
        },
        {
            "tests/test_m.py": """\
                import os
                import platform
                from shutil import which
                import sys

                import pytest


                def test_popen():
                    assert which("echo") and sys.platform
                    assert os.popen("echo hi").read() == "hi\\n"
                """,
        },
        count=1,
    )


def test_a_nose_conversion_follows_the_projects_ruff_settings() -> None:
    """``re`` and ``pytest``, added by the nose conversion, where the project's ruff settings
    put them: ``re`` sorted within the standard library section, ``pytest`` in a third-party
    section above ``mypkg``, which ``known-first-party`` makes the project's own (it lives in
    ``lib/``, where nothing else tells; without the settings ``pytest`` joined it)."""
    settings = FORCE_SORTED + 'known-first-party = ["mypkg"]\n'
    before = """\
        import json
        from os import path
        import sys

        import mypkg


        def test_parse():
            from nose.tools import assert_raises, assert_regexp_matches
            assert_regexp_matches(json.dumps(mypkg.VERSION), r"\\d")
            with assert_raises(ValueError):
                mypkg.parse(path.sep, sys.argv)
        """
    after = """\
        import json
        from os import path
        import re
        import sys

        import pytest

        import mypkg


        def test_parse():
            assert re.search(r"\\d", json.dumps(mypkg.VERSION))
            with pytest.raises(ValueError):
                mypkg.parse(path.sep, sys.argv)
        """
    assert_fix(
        environment.NoseTools(),
        issue("environment.dead-package", "tests/test_parse.py", 9, package="nose"),
        {"pyproject.toml": settings, "lib/mypkg/__init__.py": "", "tests/test_parse.py": before},
        {"tests/test_parse.py": after},
        count=1,
    )


def test_a_pkg_resources_migration_follows_the_projects_isort_settings() -> None:
    """``importlib.metadata`` and ``packaging.version``, added by the pkg_resources
    migration, sorted by module within their sections (``force_sort_within_sections``); the
    ``client`` package in the rootdir is the project's own unless ``known_third_party`` says
    otherwise, which it does here (a sibling package installed as a dependency)."""
    settings = '[tool.isort]\nforce_sort_within_sections = true\nknown_third_party = ["client"]\n'
    before = """\
        from os import path
        import sys

        import client
        from pkg_resources import get_distribution, parse_version
        import yaml

        from mypkg import util

        VERSION = get_distribution("mypkg").version
        NEW = parse_version(VERSION) >= parse_version("2")
        """
    after = """\
        import importlib.metadata
        from os import path
        import sys

        import client
        import packaging.version
        import yaml

        from mypkg import util

        VERSION = importlib.metadata.version("mypkg")
        NEW = packaging.version.parse(VERSION) >= packaging.version.parse("2")
        """
    assert_fix(
        environment.PkgResources(Environment(python=(3, 11), packaging=True)),
        removed("pkg_resources", "mypkg/about.py", 4, "module"),
        {
            "pyproject.toml": settings,
            "client/__init__.py": "",
            "mypkg/__init__.py": "",
            "mypkg/util.py": "",
            "mypkg/about.py": before,
        },
        {"mypkg/about.py": after},
        count=1,
    )


def test_a_module_migration_moves_its_import_into_its_new_section() -> None:
    """``import mock`` -> ``import unittest.mock as mock`` leaves the third-party section for
    the standard library's, as isort and ruff would place it (and as statsd's maintainers did
    by hand); ``from mock import patch`` likewise. A block not in section order keeps the line
    where it was."""
    before = """\
        import re
        from datetime import timedelta

        import mock
        from mock import patch
        import requests

        from shop import cart


        def test_cart():
            assert cart.total(mock.Mock(), patch, re, timedelta, requests)
        """
    after = """\
        import re
        import unittest.mock as mock
        from datetime import timedelta
        from unittest.mock import patch

        import requests

        from shop import cart


        def test_cart():
            assert cart.total(mock.Mock(), patch, re, timedelta, requests)
        """
    project = {"shop/__init__.py": "", "shop/cart.py": "", "tests/test_cart.py": before}
    issue = removed("mock", "tests/test_cart.py", 4, "module")
    assert_fix(environment.RemovedApi(), issue, project, {"tests/test_cart.py": after}, count=1)
    unsorted = "import mock\nimport os\n\nX = (mock.Mock, os.sep)\n"
    assert_fix(
        environment.RemovedApi(),
        removed("mock", "tests/test_cart.py", 1, "module"),
        {"tests/test_cart.py": unsorted},
        {"tests/test_cart.py": unsorted.replace("import mock", "import unittest.mock as mock")},
        count=1,
    )
