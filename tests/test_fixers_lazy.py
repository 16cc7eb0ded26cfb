"""The built-in fixers load lazily, one family at a time, and are routed like any plugin's.

``pytest_autofix.fixers.registry.BUILTIN`` declares every built-in fixer's name and kinds so
that the engine can route issues without importing the fixer modules; these tests keep that
table equal to the real classes and show, in real sessions, that a family is imported only when
an issue is routed to it and that a family which fails to load is one fixer's error, not a
crash.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from pytest_autofix import catalogue
from pytest_autofix.config import Settings
from pytest_autofix.engine import route
from pytest_autofix.fixers import environment, fixtures, imports
from pytest_autofix.fixers import registry as fixers
from pytest_autofix.fixers.environment import missing_package as packages
from pytest_autofix.model import Fixer, Issue, IssueKind
from pytest_autofix.project import Project

FAMILIES = ("imports", "packages", "fixtures", "environment")


def _declared(family: str) -> list[tuple[str, frozenset[IssueKind]]]:
    return [(name, kinds) for fam, name, kinds in fixers.BUILTIN if fam == family]


def _real(fixer_list: Sequence[Fixer]) -> list[tuple[str, frozenset[IssueKind]]]:
    return [(f.name, frozenset(f.kinds)) for f in fixer_list]


def test_the_table_matches_the_real_fixers(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfigure()
    # the families in the order they always registered, each fixer's exact name and kinds
    assert list(dict.fromkeys(fam for fam, _, _ in fixers.BUILTIN)) == list(FAMILIES)
    assert list(fixers.LOADERS) == list(FAMILIES)
    assert _declared("imports") == _real(imports.fixers())
    assert _declared("packages") == _real([packages.MissingPackage()])
    assert _declared("fixtures") == _real(fixtures.fixers())
    assert _declared("environment") == _real(environment.fixers())
    for family, load in fixers.LOADERS.items():
        loaded = load(config)
        assert _declared(family) == _real(loaded)
        assert not any(isinstance(f, fixers.LazyFixer) for f in loaded)
    # the environment family gets the session's catalogue (built once, on the config stash)
    removed_api = fixers.LOADERS["environment"](config)[0]
    assert isinstance(removed_api, environment.RemovedApi)
    assert removed_api.catalogue is catalogue.for_config(config)


def test_the_hook_returns_stand_ins_routed_like_the_real_fixers(
    pytester: pytest.Pytester,
) -> None:
    config = pytester.parseconfigure()
    lazy = fixers.pytest_autofix_fixers(config)
    assert [(f.name, f.kinds) for f in lazy] == [(n, k) for _, n, k in fixers.BUILTIN]
    assert all(isinstance(f, Fixer) and isinstance(f, fixers.LazyFixer) for f in lazy)
    real = [f for load in fixers.LOADERS.values() for f in load(config)]
    # the codes each stand-in is routed are the real class's, and so is the routing
    assert {f.name: f.codes for f in real} == fixers.CODES  # type: ignore[attr-defined]
    assert {f.name: getattr(f, "codes", None) for f in lazy} == fixers.CODES
    codes = sorted({c for cs in fixers.CODES.values() for c in cs} | {"import.x", "other.x"})
    for kind in IssueKind:
        for code in codes:
            issue = Issue(id="i", kind=kind, code=code, message="m")
            routed = [f.name for f in route.fixers_for(issue, lazy)]
            assert routed == [f.name for f in route.fixers_for(issue, real)]
    issue = Issue(id="i", kind=IssueKind.FIXTURE, code="fixture.not-found", message="m")
    assert [f.name for f in route.fixers_for(issue, lazy)] == [
        "fixture.renamed",
        "fixture.move-to-conftest",
        "fixture.undecorated",
        "fixture.funcarg-prefix",
    ]
    # nothing is loaded before it is used; a family is loaded once, for all its fixers
    by_name = {f.name: f for f in lazy if isinstance(f, fixers.LazyFixer)}
    renamed, missing = by_name["import.module-renamed"], by_name["import.missing-import"]
    assert not renamed.family.loaded and "not loaded" in repr(renamed)
    real_renamed = renamed.load()
    assert type(real_renamed).__name__ == "ModuleRenamed"
    assert real_renamed.name == renamed.name and real_renamed.kinds == renamed.kinds
    assert missing.family is renamed.family and missing.family.loaded
    assert renamed.load() is real_renamed
    assert not by_name["fixture.renamed"].family.loaded


RECORDER = """
import json
import sys


def pytest_unconfigure(config):
    # the session that ran autofix (its verifying rerun is a separate interpreter)
    if "pytest_autofix.engine.rounds" in sys.modules:
        loaded = sorted(m for m in sys.modules if m.startswith("pytest_autofix.fixers"))
        (config.rootpath / "modules.json").write_text(json.dumps(loaded))
"""

NEEDS_IMPORT = """
def test_loads():
    assert json.loads("[1]") == [1]
"""


def _project(pytester: pytest.Pytester, conftest: str) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_export=NEEDS_IMPORT)


def _report(pytester: pytest.Pytester) -> dict[str, object]:
    report: dict[str, object] = json.loads((pytester.path / "r.json").read_text())
    return report


def test_an_import_error_loads_only_the_families_it_is_routed_to(
    pytester: pytest.Pytester,
) -> None:
    _project(pytester, RECORDER)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    report = _report(pytester)
    issues = report["issues"]
    assert isinstance(issues, list)
    assert [(i["code"], i["status"]) for i in issues] == [("import.name-undefined", "fixed")], (
        result.stdout.str()
    )
    assert result.ret == 0
    assert (pytester.path / "test_export.py").read_text().startswith("import json\n")
    loaded = set(json.loads((pytester.path / "modules.json").read_text()))
    # routed: the import family (and the missing-package fixer, which also takes imports)
    assert {"pytest_autofix.fixers", "pytest_autofix.fixers.imports"} <= loaded
    # never routed, never imported (the missing-package fixer's package loads no other fixer)
    packages = {
        "pytest_autofix.fixers.environment",
        "pytest_autofix.fixers.environment.missing_package",
    }
    assert packages <= loaded
    assert not {m for m in loaded - packages if "fixtures" in m or "environment" in m}, sorted(
        loaded
    )


def test_a_family_that_fails_to_load_is_its_fixers_error(pytester: pytest.Pytester) -> None:
    """In a real session: the import family cannot load; the session reports it and goes on."""
    broken = """
        from pytest_autofix.fixers import registry as fixers


        def _broken(config):
            raise ImportError("the imports family is broken")


        fixers.LOADERS["imports"] = _broken
    """
    _project(pytester, broken)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    issues = _report(pytester)["issues"]
    assert isinstance(issues, list)
    (issue,) = issues
    assert issue["code"] == "import.name-undefined" and issue["status"] == "unfixable"
    # the one built-in fixer routed a NameError (import.name-undefined) reports the failure
    assert (
        "fixer import.missing-import raised ImportError: the imports family is broken"
        in (issue["message"])
    )
    assert result.ret == 1
    assert "import json" not in (pytester.path / "test_export.py").read_text()


def _settings() -> Settings:
    return Settings(
        enabled=True,
        dry_run=True,
        min_confidence=0.8,
        unsafe=False,
        select=(),
        ignore=(),
        report=None,
        patch=None,
        max_rounds=1,
        exclude=(),
        rerun_timeout=60.0,
        output_format="plain",
        exit_non_zero_on_fix=False,
    )


def test_a_stand_in_whose_family_raises_is_reported_by_route(tmp_path: Path) -> None:
    calls: list[str] = []

    def load() -> Sequence[Fixer]:
        calls.append("load")
        raise RuntimeError("family exploded")

    family = fixers.Family("broken", load)
    stand_in = fixers.LazyFixer("broken.one", frozenset({IssueKind.IMPORT}), family)
    issue = Issue(id="i", kind=IssueKind.IMPORT, code="import.name-undefined", message="m")
    project = Project(tmp_path)
    for _ in range(2):  # a failed load is not kept: it is tried again, and fails again
        proposals, errors = route.propose(
            issue, [stand_in], project, _settings(), lambda _: None, set()
        )
        assert proposals == []
        assert errors == ["fixer broken.one raised RuntimeError: family exploded"]
    assert calls == ["load", "load"]
    assert not family.loaded


def test_a_stand_in_missing_from_its_family_is_reported(tmp_path: Path) -> None:
    family = fixers.Family("imports", imports.fixers)
    stand_in = fixers.LazyFixer("import.gone", frozenset({IssueKind.IMPORT}), family)
    issue = Issue(id="i", kind=IssueKind.IMPORT, code="import.name-undefined", message="m")
    _, errors = route.propose(
        issue, [stand_in], Project(tmp_path), _settings(), lambda _: None, set()
    )
    assert errors == [
        "fixer import.gone raised LookupError: the imports fixers have no fixer named 'import.gone'"
    ]
