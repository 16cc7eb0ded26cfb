"""Before/after examples of ``environment.pkg-resources``: pkg_resources (removed from
setuptools) migrated use by use, each with its own safety, checked with
``pytest_autofix.testing.assert_fix``.

setuptools (with pkg_resources) is installed in this environment, so the issue is the one the
classifier makes of ``No module named 'pkg_resources'`` (checked below), not a real run.
"""

from __future__ import annotations

import dataclasses

import pytest

from pytest_autofix.catalogue import builtin
from pytest_autofix.engine.classify import Context, classify
from pytest_autofix.engine.rules import failing
from pytest_autofix.fixers.environment import PkgResources
from pytest_autofix.fixers.toolkit.pkg_resources_transforms import Environment
from pytest_autofix.model import Issue, IssueKind
from pytest_autofix.testing import assert_fix

NEW = Environment(python=(3, 11), packaging=True)
PATH = "mypkg/about.py"


@pytest.fixture
def issue() -> Issue:
    failure = failing(
        "ModuleNotFoundError",
        "No module named 'pkg_resources'",
        source="import pkg_resources",
        where=f"{PATH}:1",
        phase="collect",
        module="pkg_resources",
        origin="missing",
    )
    verdict = classify(failure, Context(frozenset({"mypkg"}), builtin))
    assert (verdict.code, verdict.key) == ("environment.removed-api", "pkg_resources")
    return Issue(
        id="pkg",
        kind=IssueKind.ENVIRONMENT,
        code=verdict.code,
        message=verdict.message,
        path=PATH,
        line=1,
        details=dict(verdict.details),
    )


def project(text: str) -> dict[str, str]:
    return {"mypkg/__init__.py": "", PATH: text}


def test_version_require_and_distribution_not_found(issue: Issue) -> None:
    before = """\
        import pkg_resources
        from pkg_resources import DistributionNotFound, get_distribution

        try:
            __version__ = get_distribution("mypkg").version
        except DistributionNotFound:
            __version__ = "unknown"

        pkg_resources.require("requests")
        try:
            v = pkg_resources.get_distribution("other").version
        except (ValueError, pkg_resources.DistributionNotFound):
            v = None
        """
    after = """\
        import importlib.metadata

        try:
            __version__ = importlib.metadata.version("mypkg")
        except importlib.metadata.PackageNotFoundError:
            __version__ = "unknown"

        importlib.metadata.distribution("requests")
        try:
            v = importlib.metadata.version("other")
        except (ValueError, importlib.metadata.PackageNotFoundError):
            v = None
        """
    assert_fix(PkgResources(NEW), issue, project(before), {PATH: after}, confidence=0.9, safe=True)


def test_resources_next_to_the_module_and_in_a_package(issue: Issue) -> None:
    before = """\
        from pkg_resources import resource_filename, resource_string, resource_stream
        import pkg_resources as pr

        DATA = resource_filename(__name__, "data/table.csv")
        RAW = resource_string(__name__, "data/raw.bin")
        ICON = resource_filename("mypkg", "icons/app.png")
        with resource_stream("mypkg.assets", "logo.svg") as f:
            LOGO = f.read()
        NAMES = pr.resource_listdir("mypkg", "icons")
        """
    after = """\
        import importlib.resources
        import os
        import pathlib

        DATA = os.path.join(os.path.dirname(__file__), "data/table.csv")
        RAW = pathlib.Path(__file__).parent.joinpath("data/raw.bin").read_bytes()
        ICON = str(importlib.resources.files("mypkg").joinpath("icons/app.png"))
        with importlib.resources.files("mypkg.assets").joinpath("logo.svg").open("rb") as f:
            LOGO = f.read()
        NAMES = [r.name for r in importlib.resources.files("mypkg").joinpath("icons").iterdir()]
        """
    result = assert_fix(
        PkgResources(NEW), issue, project(before), {PATH: after}, confidence=0.85, safe=True
    )
    assert result.fix is not None and "package on disk" in result.fix.description


def test_entry_points_used_as_both_kinds_allow(issue: Issue) -> None:
    before = """\
        import pkg_resources

        PLUGINS = {ep.name: ep.load() for ep in pkg_resources.iter_entry_points("mypkg.p")}
        for entry in pkg_resources.iter_entry_points(group="mypkg.hooks", name="x"):
            entry.load()()
        """
    after = """\
        import importlib.metadata

        PLUGINS = {ep.name: ep.load() for ep in importlib.metadata.entry_points(group="mypkg.p")}
        for entry in importlib.metadata.entry_points(group="mypkg.hooks", name="x"):
            entry.load()()
        """
    assert_fix(PkgResources(NEW), issue, project(before), {PATH: after}, confidence=0.85, safe=True)


def test_entry_points_used_beyond_load_are_unsafe(issue: Issue) -> None:
    before = """\
        import pkg_resources

        for ep in pkg_resources.iter_entry_points("mypkg.plugins"):
            print(ep.module_name, ep.dist.project_name)
        """
    after = """\
        import importlib.metadata

        for ep in importlib.metadata.entry_points(group="mypkg.plugins"):
            print(ep.module_name, ep.dist.project_name)
        """
    result = assert_fix(
        PkgResources(NEW), issue, project(before), {PATH: after}, confidence=0.7, safe=False
    )
    assert result.fix is not None and ".module_name, .dist" in result.fix.description


def test_entry_points_need_python_310(issue: Issue) -> None:
    before = """\
        import pkg_resources

        for ep in pkg_resources.iter_entry_points("g"):
            ep.load()
        """
    old = Environment(python=(3, 9), packaging=True)
    result = assert_fix(PkgResources(old), issue, project(before), None)
    assert result.fix is not None and "iter_entry_points" in result.fix.description


def test_parse_version_needs_packaging(issue: Issue) -> None:
    before = """\
        from pkg_resources import parse_version

        OK = parse_version("1.10") > parse_version("1.9")
        """
    after = """\
        import packaging.version

        OK = packaging.version.parse("1.10") > packaging.version.parse("1.9")
        """
    assert_fix(PkgResources(NEW), issue, project(before), {PATH: after}, confidence=0.9)
    without = Environment(python=(3, 11), packaging=False)
    assert_fix(PkgResources(without), issue, project(before), None)


@pytest.mark.parametrize(
    "use",
    [
        'pkg_resources.require("requests>=2.0")',
        'dist = pkg_resources.get_distribution("x")',
        'pkg_resources.declare_namespace("other")',
        "ws = pkg_resources.working_set",
    ],
)
def test_a_use_with_no_exact_rewrite_leaves_the_file(issue: Issue, use: str) -> None:
    before = f"import pkg_resources\n\nV = pkg_resources.get_distribution('a').version\n{use}\n"
    result = assert_fix(PkgResources(NEW), issue, project(before), None, dedent=False)
    assert result.fix is not None and result.fix.confidence == 0.3
    assert "pkg_resources left in use" in result.fix.description
    assert "pin setuptools below 82" in result.fix.description


def test_a_namespace_package_becomes_pkgutil_style(issue: Issue) -> None:
    before = {
        "mypkg/__init__.py": "import pkg_resources\n\npkg_resources.declare_namespace(__name__)\n",
        PATH: "",
    }
    after = {
        "mypkg/__init__.py": "import pkgutil\n\n"
        "__path__ = pkgutil.extend_path(__path__, __name__)\n",
    }
    issue = dataclasses.replace(issue, path="mypkg/__init__.py")
    result = assert_fix(
        PkgResources(NEW), issue, before, after, confidence=0.85, safe=True, dedent=False
    )
    assert result.fix is not None and "pkgutil-style namespace" in result.fix.description


def test_other_modules_that_import_it_are_migrated_too(issue: Issue) -> None:
    before = {
        "mypkg/__init__.py": "",
        PATH: "import pkg_resources\n\nV = pkg_resources.get_distribution('a').version\n",
        "mypkg/cli.py": "from pkg_resources import get_distribution\n\n"
        "def version():\n    return get_distribution('a').version\n",
    }
    after = {
        PATH: "import importlib.metadata\n\nV = importlib.metadata.version('a')\n",
        "mypkg/cli.py": "import importlib.metadata\n\n"
        "def version():\n    return importlib.metadata.version('a')\n",
    }
    assert_fix(PkgResources(NEW), issue, before, after, dedent=False)


def test_other_apis_are_not_its(issue: Issue) -> None:
    other = Issue(
        id="x",
        kind=IssueKind.ENVIRONMENT,
        code="environment.removed-api",
        message="",
        details={"api": "imp"},
    )
    assert_fix(PkgResources(NEW), other, project("import imp\n"), None, count=0)
