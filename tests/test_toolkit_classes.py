"""Classes found across modules the way Python finds them: through re-exports, aliases and
star imports, and a class's ancestors by its resolved bases."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_autofix.fixers.toolkit.classes import (
    ClassRef,
    ancestors,
    find_class,
    is_unittest_class,
)
from pytest_autofix.project import Project

FILES = {
    "pkg/__init__.py": "from .core import Base as PublicBase\nfrom .stars import *\n",
    "pkg/core.py": "class Base:\n    def setup(self):\n        pass\n",
    "pkg/stars.py": (
        "from pkg.core import Base\n\n__all__ = ['Starred']\n\n\n"
        "class Starred(Base):\n    pass\n\n\nclass Hidden:\n    pass\n"
    ),
    "pkg/cases.py": (
        "import unittest\nfrom unittest import TestCase as TC\nimport pkg.core\n\n\n"
        "class BaseTestCase:\n    pass\n\n\nclass Real(unittest.TestCase):\n    pass\n\n\n"
        "class Aliased(TC):\n    pass\n\n\nclass Dotted(pkg.core.Base):\n    pass\n\n\n"
        "class Deep(Real):\n    pass\n"
    ),
    "tests/test_a.py": (
        "from pkg import PublicBase, Starred\nfrom pkg.cases import BaseTestCase, Deep\n\n\n"
        "class TestA(Starred, BaseTestCase):\n    pass\n\n\nclass TestB(Deep):\n    pass\n"
    ),
}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return Project(tmp_path)


def test_names_are_followed_through_re_exports(project: Project) -> None:
    public = find_class(project, "pkg", "PublicBase")
    assert public is not None and (public.module, public.name) == ("pkg.core", "Base")
    starred = find_class(project, "pkg", "Starred")  # pkg.stars' __all__ lists it
    assert starred is not None and starred.module == "pkg.stars" and starred.node is not None
    assert find_class(project, "pkg", "Hidden") is None  # not in __all__: not re-exported
    outside = find_class(project, "unittest", "TestCase")
    assert outside == ClassRef("unittest", "TestCase") and outside.node is None


def test_ancestors_and_unittest_by_resolved_bases(project: Project) -> None:
    info = project.module_at("tests/test_a.py")
    assert info is not None
    test_a = find_class(project, info.name, "TestA")
    assert test_a is not None and test_a.node is not None
    assert [c.dotted for c in ancestors(project, test_a)] == [
        f"{info.name}.TestA",
        "pkg.stars.Starred",
        "pkg.core.Base",
        "pkg.cases.BaseTestCase",
    ]
    # a plain class named like a TestCase is not one; one that derives from it is
    assert not is_unittest_class(project, test_a)
    for name in ("Real", "Aliased", "Deep"):
        ref = find_class(project, "pkg.cases", name)
        assert ref is not None and is_unittest_class(project, ref), name
    test_b = find_class(project, info.name, "TestB")
    assert test_b is not None and is_unittest_class(project, test_b)
    dotted = find_class(project, "pkg.cases", "Dotted")
    assert dotted is not None
    assert [c.dotted for c in ancestors(project, dotted)][1] == "pkg.core.Base"
