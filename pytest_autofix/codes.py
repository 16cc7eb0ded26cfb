"""The issue-code catalogue: every code the classifier emits, what it means and what pytest
shows for it.

Plain data and the standard library only: ``config.py`` validates ``--autofix-select`` against
it before any heavy module is imported, and ``pytest --autofix-explain CODE``
(:mod:`pytest_autofix.report.explain`) prints an entry. A code's worked examples are the
examples of the built-in fixers that take it (their ``examples``, beside their code); only a
code no built-in fixer takes has one here. ``docs/codes.md`` holds the same explanations,
generated (``python -m pytest_autofix.report.explain --write docs/codes.md``);
``tests/test_cli_conventions.py`` checks what pytest shows against a real run of the first
example and checks the document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

KINDS: tuple[str, ...] = ("import", "fixture", "environment", "other")


@dataclasses.dataclass(frozen=True)
class CodeInfo:
    summary: str  # one line
    means: str  # what the failure is, and what the classifier reads
    shows: str  # what pytest shows for it (the error of the code's first example)
    # a project that fails with the code (path -> text), only for a code no built-in fixer
    # takes: the others' examples are their fixers'
    example: Mapping[str, str] | None = None


INFO: dict[str, CodeInfo] = {
    "import.module-not-found": CodeInfo(
        "a project module (or a misspelled module) cannot be found",
        "A module of the project cannot be imported: it was moved, renamed or misspelled (also a "
        "misspelled standard-library module, and a submodule a library does not have). One "
        "issue per module name, listing every test module and test it broke.",
        "E   ModuleNotFoundError: No module named 'shop.pricing'",
    ),
    "import.name-not-found": CodeInfo(
        "a name cannot be imported from a module that exists",
        "`from m import name` (or `m.name`) where the project module `m` exists but does not "
        "define the name: it was renamed, moved to another module, or misspelled.",
        "E   ImportError: cannot import name 'total_prize' from 'shop' (.../shop.py)",
    ),
    "import.name-undefined": CodeInfo(
        "a NameError that looks like a missing import",
        "A `NameError`: the code reads a name nothing binds, usually an import the module lacks.",
        "E       NameError: name 'json' is not defined",
    ),
    "import.file-mismatch": CodeInfo(
        "two test modules share a basename and collide on import",
        "Two test modules with the same basename in directories without `__init__.py`: pytest "
        "imports both as the same top-level module, so the second one does not collect.",
        "import file mismatch: imported module 'test_api' has this __file__ attribute: "
        ".../tests/integration/test_api.py which is not the same as the test file we want "
        "to collect: .../tests/unit/test_api.py",
    ),
    "fixture.not-found": CodeInfo(
        "a test or fixture requests a fixture that is not visible there",
        "A test or fixture requests a fixture that does not exist where it is requested: a typo, "
        "a renamed fixture, a fixture defined in another test module or in a conftest.py that "
        "does not apply, a function that lacks `@pytest.fixture`. One issue per fixture name.",
        "E       fixture 'stokc' not found",
    ),
    "fixture.scope-mismatch": CodeInfo(
        "a wider-scoped fixture requests a narrower-scoped one",
        "A fixture of a wider scope (module, session) requests one of a narrower scope "
        "(function), such as `tmp_path` or `monkeypatch`: pytest refuses.",
        "ScopeMismatch: You tried to access the function scoped fixture tmp_path with a module "
        "scoped request object.",
    ),
    "fixture.called-directly": CodeInfo(
        "a fixture function is called instead of requested",
        "A fixture function is called like a plain function; pytest only gives fixtures to the "
        "functions that request them as arguments.",
        'Fixture "user" called directly. Fixtures are not meant to be called directly,',
    ),
    "fixture.removed-api": CodeInfo(
        "a pytest API removed or deprecated in pytest 8/9 is used",
        "The code uses a pytest API that pytest 8 or 9 removed or turned into an error: "
        "`pytest.skip(msg=...)`, `pytest.warns(None)`, nose-style `setup()`/`teardown()` "
        "methods (and nose's names pytest never called: `setUp()` in a plain class, "
        "`setupClass()`, `setupModule()`...), marks on fixtures, `pytest.yield_fixture`, and "
        "older removals "
        "(`pytest.config`, `request.funcargnames`, ...).",
        "E       TypeError: _Skip.__call__() got an unexpected keyword argument 'msg'",
    ),
    "environment.removed-api": CodeInfo(
        "an attribute or module removed by a newer Python or library",
        "An attribute, module, method or keyword argument that a newer Python or library "
        "removed, as listed in the migration catalogue (or as the error says): "
        "`collections.Mapping`, `imp`, `np.float_`, `DataFrame.append`, ...",
        "E       AttributeError: module 'collections' has no attribute 'Mapping'",
    ),
    "environment.missing-package": CodeInfo(
        "a third-party distribution is not installed",
        "A module that is neither in the project, nor installed, nor in the standard library: "
        "a distribution to install (and to declare). Never edited: installing is for a person.",
        "E   ModuleNotFoundError: No module named 'cv2'",
    ),
    "environment.dead-package": CodeInfo(
        "a test-era tool that no longer works (nose): migrate its uses",
        "An import of nose, unmaintained since 2015: it is not installed, or it fails on "
        "Python 3.12 (it imports `imp`). Installing it is no way out, so its uses are migrated "
        "to what pytest and the standard library offer. One issue for the project.",
        "E   ModuleNotFoundError: No module named 'nose'",
    ),
    "environment.file-not-found": CodeInfo(
        "a relative path that only works from one working directory",
        "A relative file path that resolves against the working directory: the test passes "
        "when pytest runs from one directory and fails from another.",
        "E       FileNotFoundError: [Errno 2] No such file or directory: 'data/in.csv'",
    ),
    "environment.missing-env-var": CodeInfo(
        "an environment variable the code reads is not set",
        "`os.environ[NAME]` for a variable that is not set where the tests ran.",
        "E   KeyError: 'AUTOFIX_EXAMPLE_TOKEN'",
    ),
    "environment.service-unavailable": CodeInfo(
        "a network service refused the connection",
        "A connection was refused (also when a library wraps the error): a database, cache or "
        "web service the tests need is not running.",
        "E       ConnectionRefusedError: [Errno 111] Connection refused",
    ),
    "other.assertion": CodeInfo(
        "an assertion failed",
        "An assertion failed: the code and the test disagree. Only a person (or a fixer of your "
        "own) knows which one is right.",
        "E       assert (1 + 1) == 3",
        {"tests/test_sum.py": "def test_sum():\n    assert 1 + 1 == 3\n"},
    ),
    "other.syntax-error": CodeInfo(
        "a module does not parse",
        "A test module, a conftest.py or a module they import does not parse "
        "(`SyntaxError`, `IndentationError`).",
        "E   SyntaxError: invalid syntax",
        {"tests/test_broken.py": "def test_broken(:\n    pass\n"},
    ),
    "other.exception": CodeInfo(
        "any other exception",
        "Any other exception (also a recursive fixture dependency, and an `ImportError` that "
        "names no module). Tests failing at the same line of a shared helper are one issue.",
        "E       ValueError: invalid literal for int() with base 10: 'x'",
        {"tests/test_parse.py": 'def test_parse():\n    assert int("x") == 0\n'},
    ),
}

CODES: dict[str, str] = {code: info.summary for code, info in INFO.items()}

# What each built-in fixer does and how it scores its evidence, in brief: ``--autofix-explain``
# shows it under every code the fixer takes (``fixers.registry.CODES``). docs/fixers.md has
# the full tables.
FIXERS: dict[str, str] = {
    "import.module-renamed": "imports the module that was meant, in every file with the same "
    "import: 0.95 when exactly one module provides every name the importers use and its name "
    "is similar, 0.9 when its name is not, 0.85 when one is clearly closer by name than the "
    "others; a guess by name alone is 0.7 or 0.5 (suggested)",
    "import.name-renamed": "imports the name that was meant: 0.9 when it moved to exactly one "
    "other module or its definition records the rename, up to 0.85 for a similar name in the "
    "same module whose kind and calls fit the uses (0.75 when the names are less alike)",
    "import.missing-import": "adds the import: 0.9 the one the rest of the project uses for "
    "that name, 0.95 a standard-library module providing what the file reads (0.9 installed), "
    "0.9 the one project module defining it; several candidates: 0.5, listed",
    "import.test-package-init": "creates the `__init__.py` files that make the directories "
    "distinct packages: 0.9, safe; 0.5 and unsafe when that renames a module something "
    "imports",
    "environment.missing-package": "never an edit: names the distribution (0.9 for a known "
    "import name such as cv2 -> opencv-python) with the install command, and the project "
    "file that declares it or should",
    "fixture.renamed": "renames the request to the fixture that was meant: 0.95 one keystroke "
    "away, 0.9 when the fixture's definition names the old name, 0.85 for a fixture nothing "
    "requests any more; a different fixture of a similar name is only suggested (0.6-0.7)",
    "fixture.move-to-conftest": "moves a fixture defined where the requester cannot see it to "
    "the nearest conftest.py all its users see: 0.9; 0.4 (no edits) when it reads names of "
    "its module",
    "fixture.undecorated": "adds `@pytest.fixture` to the function of that name: 0.95; 0.6 and "
    "unsafe when its module also calls it",
    "fixture.scope-mismatch": "`tmp_path` -> `tmp_path_factory.mktemp(...)` (0.95), "
    "`monkeypatch` -> `pytest.MonkeyPatch.context()` (0.9); narrowing the requester's scope "
    "is offered at 0.8, unsafe",
    "fixture.called-directly": "requests the fixture as a parameter instead of calling it: 0.9 "
    "in a test or fixture that sees it, when no call passes arguments; else a suggestion",
    "fixture.removed-api": "by API: `msg=` -> `reason=` (0.95), nose-style `setup`/`setUp`, "
    "`setupClass`..., `setupModule`... -> `setup_method`, `setup_class`, `setup_module` and the "
    "teardowns alike (0.9), `pytest.warns(None)` -> "
    "`warnings.catch_warnings(record=True)` (0.85), marks on fixtures removed (0.95), "
    "`yield_fixture` -> `fixture` (0.95)",
    "fixture.pytest-removals": "older pytest removals: `request.funcargnames` -> "
    "`fixturenames` (0.95), `pytest.config` -> `request.config`/`pytestconfig` (0.9), "
    "`raises(message=)` dropped (0.9), positional fixture arguments named (0.95)",
    "fixture.funcarg-prefix": "`def pytest_funcarg__name(request)` (pytest 3) -> "
    "`@pytest.fixture def name(request)` in the test module: 0.95",
    "environment.removed-api": "migrates every use in the project, from the migration "
    "catalogue: 0.95 for a safe entry, 0.9 for a guarded one whose checks pass, 0.85 and "
    "unsafe for a rewrite that may change behaviour; 0.5 or a suggestion when a check fails "
    "or only a person can migrate it",
    "environment.nose-tools": "migrates nose to pytest in every file that imports it: "
    "`assert_equal(a, b, msg)` -> `assert a == b, msg` and the other assertions, "
    "`assert_raises`/`@raises` -> `pytest.raises`, `@nottest` -> `__test__ = False`, "
    "`SkipTest` -> `unittest.SkipTest`: 0.9; `@attr` -> pytest marks 0.85, unsafe",
    "environment.pkg-resources": "migrates pkg_resources use by use: "
    "`get_distribution(x).version` -> `importlib.metadata.version(x)`, `except "
    "DistributionNotFound` -> `PackageNotFoundError`, `resource_filename(__name__, p)` -> the "
    'file next to the module (0.9); `resource_*("pkg", p)` -> `importlib.resources.files` '
    "(0.85); `iter_entry_points` -> `entry_points(group=)` (0.85; 0.7 unsafe when the entry "
    "points are used beyond .name and .load())",
    "environment.async-def": "`@asyncio.coroutine` + `yield from` -> `async def` + `await` "
    "where that is the same program (no bare yield, not driven as a generator): 0.9",
    "environment.anchor-path": "anchors the path at the module's directory "
    "(`Path(__file__).parent / ...` or `os.path.join(os.path.dirname(__file__), ...)`) when "
    "the file is there: 0.9; else a suggestion saying where the file is",
    "environment.env-var": "never an edit: the variable, where the code reads it, and where the "
    "project could set it (tox `setenv`, pytest-env, `.env`, CI, `monkeypatch.setenv`)",
    "environment.service": "never an edit: the host and port that refused, where the code "
    "connects, and the tests that need it",
}


def did_you_mean(pattern: str) -> str:
    """`` (did you mean 'import'?)`` for a pattern close to a kind or code, else ``""``."""
    import difflib

    near = difflib.get_close_matches(pattern, [*KINDS, *CODES], n=2, cutoff=0.75)
    if not near:
        return ""
    return f" (did you mean {' or '.join(repr(n) for n in near)}?)"


def unknown_codes(patterns: list[str]) -> list[str]:
    """The patterns that match no known code, by exact code or dotted prefix."""
    return [p for p in patterns if not any(matches(code, p) for code in CODES)]


def matches(code: str, pattern: str) -> bool:
    """``pattern`` is a code or a dotted prefix of one: ``import`` matches ``import.x``."""
    return code == pattern or code.startswith(pattern + ".")


def split_codes(value: str | list[str] | None) -> list[str]:
    """Comma- or line-separated code patterns, stripped, empties dropped."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in item.replace("\n", ",").split(","))
    return [p for p in out if p]
