"""Before/after examples of ``environment.pkg-resources``: pkg_resources (removed from
setuptools) migrated use by use, each with its own safety, checked with
``pytest_autofix.testing.assert_fix``.

setuptools (with pkg_resources) is installed in this environment, so the issue is the one the
classifier makes of ``No module named 'pkg_resources'`` (checked below), not a real run.
"""

from __future__ import annotations

import dataclasses
import textwrap

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


def test_the_inline_namespace_idiom_keeps_its_spelling(issue: Issue) -> None:
    # the idiom setuptools documented: no import statement names pkg_resources, and the
    # package that declares it is found by its __import__ (not where the failure surfaced)
    before = {
        "mypkg/__init__.py": '__import__("pkg_resources").declare_namespace(__name__)'
        "  # type: ignore\n\nfrom . import about\n",
        PATH: "",
    }
    after = {
        "mypkg/__init__.py": '__path__ = __import__("pkgutil").extend_path(__path__, __name__)'
        "  # type: ignore\n\nfrom . import about\n",
    }
    result = assert_fix(
        PkgResources(NEW), issue, before, after, confidence=0.85, safe=True, dedent=False
    )
    assert result.fix is not None and "pkgutil-style namespace" in result.fix.description


def test_an_inline_import_left_in_use_leaves_the_file(issue: Issue) -> None:
    before = (
        'import pkg_resources\n\nV = pkg_resources.get_distribution("a").version\n'
        'WS = __import__("pkg_resources").working_set\n'
    )
    result = assert_fix(PkgResources(NEW), issue, project(before), None, dedent=False)
    assert result.fix is not None and "working_set" in result.fix.description


def test_next_over_entry_points_gets_an_iterator(issue: Issue) -> None:
    # entry_points() returns a tuple (EntryPoints), which next() refuses
    before = """\
        import pkg_resources


        def plugin(name):
            if name:
                ep = next(pkg_resources.iter_entry_points("mypkg.p", name), None)
            else:
                ep = None
            if ep is None:
                return None
            return ep.load()
        """
    after = """\
        import importlib.metadata


        def plugin(name):
            if name:
                ep = next(iter(importlib.metadata.entry_points(group="mypkg.p", name=name)), None)
            else:
                ep = None
            if ep is None:
                return None
            return ep.load()
        """
    result = assert_fix(
        PkgResources(NEW), issue, project(before), {PATH: after}, confidence=0.85, safe=True
    )
    assert result.fix is not None and "next(iter(" in result.fix.description


def test_next_over_entry_points_used_beyond_load_is_unsafe(issue: Issue) -> None:
    before = """\
        import pkg_resources


        def plugin_module():
            ep = next(pkg_resources.iter_entry_points("mypkg.p"))
            return ep.module_name
        """
    after = """\
        import importlib.metadata


        def plugin_module():
            ep = next(iter(importlib.metadata.entry_points(group="mypkg.p")))
            return ep.module_name
        """
    result = assert_fix(
        PkgResources(NEW), issue, project(before), {PATH: after}, confidence=0.7, safe=False
    )
    assert result.fix is not None and "(.module_name)" in result.fix.description


TEST = "tests/test_plugins.py"
CODE = """\
    import pkg_resources


    def names():
        return [ep.name for ep in pkg_resources.iter_entry_points("mypkg.plugins")]
    """
CODE_AFTER = """\
    import importlib.metadata


    def names():
        return [ep.name for ep in importlib.metadata.entry_points(group="mypkg.plugins")]
    """
MOCKS = """\
    import sys
    from unittest import mock

    import pkg_resources

    from mypkg.about import names


    def test_names(monkeypatch):
        eps = [
            pkg_resources.EntryPoint("a", "mod.a"),
            pkg_resources.EntryPoint("b", "mod", ("sub", "b"), ("extra",)),
            pkg_resources.EntryPoint.parse("c = mod.c:run [x]"),
        ]
        fake = mock.Mock(return_value=eps)
        with mock.patch("pkg_resources.iter_entry_points", return_value=eps):
            assert names() == ["a", "b", "c"]
        with mock.patch.object(sys.modules["pkg_resources"], "iter_entry_points", new=fake):
            assert names() == ["a", "b", "c"]
        monkeypatch.setattr(pkg_resources, "iter_entry_points", lambda group, name=None: eps)
        assert names() == ["a", "b", "c"]
    """
MOCKS_AFTER = """\
    import importlib.metadata
    import sys
    from unittest import mock

    from mypkg.about import names


    def test_names(monkeypatch):
        eps = [
            importlib.metadata.EntryPoint("a", "mod.a", group=None),
            importlib.metadata.EntryPoint("b", "mod:sub.b [extra]", group=None),
            importlib.metadata.EntryPoint("c", "mod.c:run [x]", group=None),
        ]
        fake = mock.Mock(return_value=eps)
        with mock.patch("importlib.metadata.entry_points", return_value=eps):
            assert names() == ["a", "b", "c"]
        with mock.patch.object(importlib.metadata, "entry_points", new=fake):
            assert names() == ["a", "b", "c"]
        monkeypatch.setattr(importlib.metadata, "entry_points", lambda group, name=None: eps)
        assert names() == ["a", "b", "c"]
    """


def test_entry_points_made_and_mocked_by_the_tests_follow_the_code(issue: Issue) -> None:
    before = {**project(CODE), "tests/__init__.py": "", TEST: MOCKS}
    after = {PATH: CODE_AFTER, TEST: MOCKS_AFTER}
    result = assert_fix(PkgResources(NEW), issue, before, after, confidence=0.85, safe=True)
    assert result.fix is not None and "group=None" in result.fix.description


def test_mocks_of_entry_points_alone_are_not_sure(issue: Issue) -> None:
    # no call of iter_entry_points is migrated with them: what they mock is unknown
    before = {**project("X = 1\n"), "tests/__init__.py": "", TEST: MOCKS}
    issue = dataclasses.replace(issue, path=TEST)
    result = assert_fix(PkgResources(NEW), issue, before, {TEST: MOCKS_AFTER}, confidence=0.7)
    assert result.fix is not None and "no call of iter_entry_points" in result.fix.description


def test_an_entry_point_of_a_module_name_alone(issue: Issue) -> None:
    before = "import pkg_resources\n\nEP = pkg_resources.EntryPoint('a', module)\n"
    after = (
        "import importlib.metadata\n\nEP = importlib.metadata.EntryPoint('a', module, group=None)\n"
    )
    assert_fix(PkgResources(NEW), issue, project(before), {PATH: after}, dedent=False)


@pytest.mark.parametrize(
    "made",
    [
        'pkg_resources.EntryPoint("a", "m", attrs)',
        'pkg_resources.EntryPoint("a", module, ("f",))',
        'pkg_resources.EntryPoint("a", "m", dist=d)',
        "pkg_resources.EntryPoint.parse(line)",
        'pkg_resources.EntryPoint.parse("not an entry point")',
    ],
)
def test_entry_points_made_from_what_is_not_literal_leave_the_file(issue: Issue, made: str) -> None:
    before = f"import pkg_resources\n\nEP = {made}\n"
    result = assert_fix(PkgResources(NEW), issue, project(before), None, dedent=False)
    assert result.fix is not None and "pkg_resources left in use" in result.fix.description


def test_the_inline_namespace_idiom_with_a_fallback_is_left(issue: Issue) -> None:
    # it already copes without pkg_resources: not a file the fix needs
    guarded = """\
        try:
            __import__("pkg_resources").declare_namespace(__name__)
        except ImportError:
            __path__ = __import__("pkgutil").extend_path(__path__, __name__)
        """
    before = {**project(CODE), "mypkg/__init__.py": guarded}
    assert_fix(PkgResources(NEW), issue, before, {PATH: CODE_AFTER, "mypkg/__init__.py": guarded})


def test_a_mock_whose_calls_are_checked_is_left(issue: Issue) -> None:
    # the migrated code calls entry_points(group=...): a check of the positional argument
    # would fail, as would a stand-in that takes no such keyword, so such a mock stays (its
    # tests fail as before) and the rest is migrated; the checks of other mocks do not matter
    checked = """\


        def test_names():
            with mock.patch("pkg_resources.iter_entry_points", return_value=[]) as m:
                assert names() == []
            m.assert_called_once_with("mypkg.plugins")


        def test_new():
            fake = mock.Mock(return_value=[])
            with mock.patch.object(sys.modules["pkg_resources"], "iter_entry_points", fake):
                assert names() == []
            assert fake.call_args == mock.call("mypkg.plugins")


        @mock.patch("pkg_resources.iter_entry_points", return_value=[])
        def test_decorated(m):
            assert names() == []
            assert m.mock_calls


        def test_stand_in(monkeypatch):
            # entry_points(group=...) would give it a keyword it does not take
            def fake(_group, name=None):
                return []

            monkeypatch.setattr("pkg_resources.iter_entry_points", fake)
            with mock.patch("pkg_resources.iter_entry_points", side_effect=lambda g: []):
                assert names() == []


        def test_others():
            other = mock.Mock(return_value=[])
            with mock.patch("{}", return_value=[]):
                assert names() == other()
            other.assert_called_once_with()
            assert {}("mypkg"){}
        """
    head = "import sys\nfrom unittest import mock\n\n{}\n\nfrom mypkg.about import names\n"
    before = head.format("import pkg_resources") + textwrap.dedent(checked).format(
        "pkg_resources.iter_entry_points", "pkg_resources.get_distribution", ".version"
    )
    after = (
        "import importlib.metadata\nimport sys\nfrom unittest import mock\n\n"
        "from mypkg.about import names\n"
        + textwrap.dedent(checked).format(
            "importlib.metadata.entry_points", "importlib.metadata.version", ""
        )
    )
    files = {**project(CODE), "tests/__init__.py": "", TEST: before}
    assert_fix(PkgResources(NEW), issue, files, {PATH: CODE_AFTER, TEST: after}, confidence=0.85)


def test_next_over_entry_points_tested_for_truth_or_loaded_at_once(issue: Issue) -> None:
    # both kinds of entry point are always true (importlib's was a 3-tuple in Python 3.10)
    before = """\
        import pkg_resources

        DEFAULT = next(pkg_resources.iter_entry_points("mypkg.d", "dflt")).load()


        def has_plugins():
            try:
                next(pkg_resources.iter_entry_points("mypkg.p"))
            except StopIteration:
                return False
            return True


        def plugin(kind):
            ep = next(pkg_resources.iter_entry_points("mypkg.p", kind), None)
            if not ep:
                return None
            return ep.load() if ep else None
        """
    after = """\
        import importlib.metadata

        DEFAULT = next(iter(importlib.metadata.entry_points(group="mypkg.d", name="dflt"))).load()


        def has_plugins():
            try:
                next(iter(importlib.metadata.entry_points(group="mypkg.p")))
            except StopIteration:
                return False
            return True


        def plugin(kind):
            ep = next(iter(importlib.metadata.entry_points(group="mypkg.p", name=kind)), None)
            if not ep:
                return None
            return ep.load() if ep else None
        """
    assert_fix(PkgResources(NEW), issue, project(before), {PATH: after}, confidence=0.85, safe=True)
