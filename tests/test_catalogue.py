"""The migration catalogue: every entry's example runs through the fixer's transform (from the
data, one test per entry), validation names the entry at fault, and users and plugins extend it.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import libcst
import pytest

from pytest_autofix import catalogue
from pytest_autofix.catalogue import Catalogue, CatalogueError, Migration, builtin, parse
from pytest_autofix.fixers.toolkit.environment_transforms import Unfixable, migration_transform

ENTRIES = builtin().migrations


@pytest.mark.parametrize("entry", ENTRIES, ids=[m.api for m in ENTRIES])
def test_example_of_every_entry(entry: Migration) -> None:
    compile(entry.example.before, f"{entry.api} (before)", "exec")
    compile(entry.example.after, f"{entry.api} (after)", "exec")
    transform = migration_transform(entry)
    if entry.manual:
        assert transform is None  # a person migrates it: the fixer only suggests
        assert entry.link and entry.replacement
        return
    assert transform is not None
    after = transform(libcst.parse_module(entry.example.before)).code
    assert after == entry.example.after


GUARDED = [m for m in ENTRIES if m.refused]


@pytest.mark.parametrize("entry", GUARDED, ids=[m.api for m in GUARDED])
def test_refused_files_of_every_entry(entry: Migration) -> None:
    """The files an entry's guard keeps out: its transform leaves each to a person (it says
    why, or changes nothing)."""
    transform = migration_transform(entry)
    assert transform is not None
    for text in entry.refused:
        compile(text, f"{entry.api} (refused)", "exec")
        try:
            after = transform(libcst.parse_module(text)).code
        except Unfixable:
            continue
        assert after == text


def test_the_catalogue_covers_the_breakages_of_the_brief() -> None:
    apis = {m.api for m in ENTRIES}
    assert {
        "collections.Mapping",
        "unittest.TestCase.assertEquals",
        "configparser.SafeConfigParser",
        "imp",
        "pipes",
        "numpy.float",
        "numpy.NaN",
        "numpy.float_",
        "numpy.product",
        "pandas.DataFrame.iteritems",
        "pandas.DataFrame.applymap",
        "pkg_resources",
        "mock",
        "sqlalchemy.engine.Connection.execute",
        "sqlalchemy.select",
    } <= apis
    assert len(apis) == len(ENTRIES)  # one entry per api


def test_every_entry_says_what_reveals_it_and_where_it_went() -> None:
    for m in ENTRIES:
        assert m.error and m.removed_in and m.replacement, m.api
        if m.safety == "guarded":
            assert m.guard or m.requires, m.api
        if m.kind == "call":
            assert m.detect or m.manual, m.api


def test_packaged_data_files_are_the_catalogue_and_the_report_schema() -> None:
    """Every packaged data file is a catalogue file (loaded by ``builtin()``) but the JSON
    report's schema: nothing else lands there unnoticed."""
    data = Path(catalogue.__file__).parent / "data"
    others = [p.name for p in data.iterdir() if p.is_file() and p.suffix != ".toml"]
    assert others == ["report.schema.json"]


ENTRY = """\
[[migration]]
api = "mylib.old"
kind = "attribute"
removed_in = "mylib 2"
error = "AttributeError: module 'mylib' has no attribute 'old'"
replacement = "mylib.new"
safety = "safe"
example.before = "import mylib\\nmylib.old()\\n"
example.after = "import mylib\\nmylib.new()\\n"
"""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('safety = "safe"', 'safety = "maybe"'), "(mylib.old): safety: Input should be"),
        (('kind = "attribute"', 'kind = "constant"'), "(mylib.old): kind: Input should be"),
        (("error = \"AttributeError: module 'mylib' has no attribute 'old'\"\n", ""), "error"),
        (('safety = "safe"', 'safety = "guarded"'), "guarded migration needs a `guard`"),
        (('safety = "safe"', 'safety = "safe"\nguard = ["pray"]'), "unknown guard 'pray'"),
        (('safety = "safe"', 'safety = "safe"\nrequires = ["mylib at 2"]'), "requirement"),
        (('api = "mylib.old"', 'api = "my lib"'), "is not a dotted name"),
        (('safety = "safe"', 'safety = "safe"\ncolour = "red"'), "colour: Extra inputs"),
        (('replacement = "mylib.new"', 'replacement = "mylib.new()"'), "no dotted name"),
    ],
    ids=[
        "bad-safety",
        "unknown-kind",
        "missing-field",
        "guard-missing",
        "unknown-guard",
        "bad-requirement",
        "bad-api",
        "extra-field",
        "bad-replacement",
    ],
)
def test_validation_names_the_entry(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in ENTRY
    with pytest.raises(CatalogueError) as info:
        parse(ENTRY.replace(old, new), "user.toml")
    message = str(info.value)
    assert message.startswith("user.toml: migration #1 (")
    assert expected in message


def test_missing_example_is_an_error() -> None:
    text = "\n".join(line for line in ENTRY.splitlines() if not line.startswith("example"))
    with pytest.raises(
        CatalogueError, match=r"migration #1 \(mylib.old\): example: Field required"
    ):
        parse(text, "user.toml")


def test_broken_toml_and_shape() -> None:
    with pytest.raises(CatalogueError, match=r"user\.toml: not valid TOML"):
        parse("[[migration]\n", "user.toml")
    with pytest.raises(CatalogueError, match="array of tables"):
        parse('migration = "x"\n', "user.toml")


def test_second_entry_is_named_by_position() -> None:
    text = ENTRY + ENTRY.replace("mylib.old", "mylib.older").replace('"safe"', '"risky"')
    with pytest.raises(CatalogueError, match=r"migration #2 \(mylib.older\)"):
        parse(text, "user.toml")


def _config(root: Path, ini: Any, hook_results: list[list[Any]] | None = None) -> Any:
    def getini(name: str) -> Any:
        if ini is ValueError:
            raise ValueError(name)
        return ini

    def hook(config: Any) -> list[list[Any]]:
        return hook_results or []

    return SimpleNamespace(
        getini=getini,
        rootpath=root,
        stash=pytest.Stash(),
        hook=SimpleNamespace(pytest_autofix_migrations=hook),
    )


def test_user_file_from_the_ini_value(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "migrations.toml").write_text(ENTRY, encoding="utf-8")
    merged = catalogue.for_config(_config(tmp_path, "ci/migrations.toml"))
    entry = merged.attribute("mylib", "old")
    assert entry is not None and entry.replacement == "mylib.new"
    assert merged.attribute("collections", "Mapping") is not None  # the built-ins stay
    transform = migration_transform(entry)
    assert transform is not None
    assert transform(libcst.parse_module(entry.example.before)).code == entry.example.after


def test_user_file_errors_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(ENTRY.replace('"safe"', '"nope"'), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"m.toml: migration #1 \(mylib.old\)"):
        catalogue.for_config(_config(tmp_path, "m.toml"))
    with pytest.raises(CatalogueError, match="cannot read"):
        catalogue.for_config(_config(tmp_path, "absent.toml"))


def test_without_the_ini_value_only_builtins(tmp_path: Path) -> None:
    assert catalogue.for_config(_config(tmp_path, ValueError)) is builtin()
    assert catalogue.for_config(_config(tmp_path, "")) is builtin()


def test_hook_entries_override_and_extend(tmp_path: Path) -> None:
    override = builtin().get("collections.Mapping")
    assert override is not None
    changed = override.model_copy(update={"note": "from a plugin"})
    entry = parse(ENTRY, "x")[0].model_dump()
    merged = catalogue.for_config(_config(tmp_path, "", [[changed], [entry]]))
    assert merged.get("mylib.old") is not None
    got = merged.get("collections.Mapping")
    assert got is not None and got.note == "from a plugin"
    assert len(merged.migrations) == len(builtin().migrations) + 1
    with pytest.raises(CatalogueError, match=r"pytest_autofix_migrations: migration #1"):
        catalogue.for_config(_config(tmp_path, "", [[{"api": "x.y"}]]))


def test_hook_is_called_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        textwrap.dedent(
            f"""
            from pytest_autofix.catalogue import parse

            def pytest_autofix_migrations(config):
                return parse({ENTRY!r}, "conftest")
            """
        )
    )
    config = pytester.parseconfigure()
    assert catalogue.for_config(config).get("mylib.old") is not None


def test_lookups() -> None:
    cat = Catalogue(ENTRIES)
    assert cat.module("imp.something") is cat.get("imp")
    assert cat.method(["pandas.core.frame.DataFrame"], "iteritems") is not None
    assert cat.kwarg("fillna", "method") is not None
    assert cat.detected("sqlalchemy.exc.ObjectNotExecutableError: Not an executable object: 'x'")
    assert cat.detected("ValueError: nothing") is None


def test_a_missing_submodule_is_looked_up_as_a_module_then_as_its_names() -> None:
    cat = builtin()
    assert cat.missing_module("imp") is cat.get("imp")  # a module entry
    assert cat.missing_module("pandas.tslib") is cat.get("pandas.tslib")  # the module's name
    assert cat.missing_module("numpy") is None  # a top-level package: not installed, not gone
    # no entry of its own, entries for what it held: a manual module entry made of them
    made = cat.missing_module("matplotlib.cm")
    assert made is not None and (made.kind, made.manual, made.api) == (
        "module",
        True,
        "matplotlib.cm",
    )
    assert "matplotlib.colormaps.register" in made.replacement
    assert cat.missing_module("json.nothing") is None


USER_ENTRY = """
[[migration]]
api = "json.loadz"
kind = "attribute"
removed_in = "our json fork 2.0"
error = "AttributeError: module 'json' has no attribute 'loadz'"
replacement = "json.loads"
safety = "safe"
example.before = '''
import json

data = json.loadz("[]")
'''
example.after = '''
import json

data = json.loads("[]")
'''
"""


def test_a_user_entry_is_classified_fixed_and_verified(pytester: pytest.Pytester) -> None:
    """The user's file reaches the classifier and the fixer: an API only it knows is fixed."""
    pytester.makepyprojecttoml(
        '[tool.pytest.ini_options]\nautofix_migrations = "migrations/extra.toml"\n'
    )
    (pytester.path / "migrations").mkdir()
    (pytester.path / "migrations" / "extra.toml").write_text(USER_ENTRY)
    pytester.makepyfile(
        test_j="import json\n\n\ndef test_j():\n    assert json.loadz('[1]') == [1]\n"
    )
    result = pytester.runpytest_subprocess("--autofix")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["fixed *environment.removed-api*json.loadz*"])
    assert "json.loads('[1]')" in (pytester.path / "test_j.py").read_text()


def test_a_broken_user_file_is_a_usage_error_before_tests_run(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nautofix_migrations = "extra.toml"\n')
    (pytester.path / "extra.toml").write_text(USER_ENTRY.replace('"safe"', '"maybe"'))
    pytester.makepyfile(test_j="def test_j():\n    raise SystemExit('must not run')\n")
    result = pytester.runpytest_subprocess("--autofix")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: autofix_migrations: *extra.toml: migration #1 (json.loadz)*"]
    )


def test_a_plugin_entry_that_does_not_load_is_reported_and_the_run_goes_on(
    pytester: pytest.Pytester,
) -> None:
    """The catalogue loads when a failure first needs it; bad hook entries then leave the
    built-in catalogue in use, and the summary says why."""
    pytester.makeconftest("def pytest_autofix_migrations(config):\n    return [[{'api': 'x.y'}]]\n")
    pytester.makepyfile(
        test_a="import collections\n\n\ndef test_a():\n    assert collections.Mapping\n"
    )
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    result.stdout.fnmatch_lines(
        ["*the extra migration-catalogue entries were not used: pytest_autofix_migrations:*"]
    )
    report = json.loads((pytester.path / "r.json").read_text())
    [issue] = report["issues"]
    assert (issue["code"], issue["status"]) == ("environment.removed-api", "fixed")
    assert result.ret == 0


LOAD_MARKER = """
from pathlib import Path


def pytest_autofix_migrations(config):
    Path(config.rootpath, "catalogue-loaded").touch()
    return []
"""


@pytest.mark.parametrize(
    ("test", "loaded"),
    [
        pytest.param("def test_a():\n    assert undefined_name\n", False, id="NameError"),
        pytest.param("def test_a(missing_fixture):\n    pass\n", False, id="missing fixture"),
        pytest.param(
            "import collections\n\n\ndef test_a():\n    assert collections.Mapping\n",
            True,
            id="removed API",
        ),
    ],
)
def test_the_catalogue_loads_only_when_a_failure_needs_it(
    pytester: pytest.Pytester, test: str, loaded: bool
) -> None:
    pytester.makeconftest(LOAD_MARKER)
    pytester.makepyfile(test_a=test)
    result = pytester.runpytest_subprocess("--autofix", "--dry-run")
    assert (pytester.path / "catalogue-loaded").exists() == loaded, result.stdout.str()
