"""The catalogue's transforms and lookups on the shapes its entries need, before and after.

Each test names the shape: a method entry whose replacement is an expression, a builtin
replacement of a from-imported name, a deprecation credited only to the module it is about, a
pattern's dotted name imported with ``from``, starred arguments, the class of an ``__init__``
error, C accelerator modules, a removed module with entries for some of its attributes.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import warnings
from pathlib import Path

import libcst
import pytest

from pytest_autofix.catalogue import Catalogue, Migration, builtin, parse
from pytest_autofix.engine.classify import Context, classify
from pytest_autofix.fixers import environment
from pytest_autofix.fixers.environment.removed_api import guard_problems
from pytest_autofix.fixers.toolkit.environment_confidence import SAFE
from pytest_autofix.fixers.toolkit.environment_transforms import Unfixable, migration_transform
from pytest_autofix.model import Failure, Fix, Frame, Issue, IssueKind
from pytest_autofix.project import Project
from pytest_autofix.testing import assert_fix
from pytest_autofix.worker.capture import capture

CATALOGUE = builtin()


def entry(api: str) -> Migration:
    found = CATALOGUE.get(api)
    assert found is not None, api
    return found


def migrate(api: str, before: str) -> str:
    """The file ``before`` after the transform of the catalogue entry ``api``."""
    transform = migration_transform(entry(api))
    assert transform is not None, f"{api} is manual"
    return transform(libcst.parse_module(textwrap.dedent(before))).code


def same_code(actual: str, expected: str) -> None:
    """``actual`` is ``expected``, where the import lines at the top may come in another order
    and spacing (where an added import goes is the import helpers' business, tested there)."""

    def split(code: str) -> tuple[list[str], str]:
        lines = code.splitlines(keepends=True)
        head = 0
        while head < len(lines) and (
            not lines[head].strip() or lines[head].startswith(("import ", "from "))
        ):
            head += 1
        return sorted(x for x in lines[:head] if x.strip()), "".join(lines[head:])

    assert split(actual) == split(expected), actual


def fixed(tmp_path: Path, api: str, form: str, before: str) -> tuple[Fix, str]:
    """The fixer's fix for ``api`` in the one-file project ``m.py`` = ``before``, and the file
    as its edits leave it."""
    (tmp_path / "m.py").write_text(textwrap.dedent(before))
    [fix] = environment.RemovedApi().propose(removed(api, "m.py", form), Project(tmp_path))
    tree = libcst.parse_module((tmp_path / "m.py").read_bytes())
    for edit in fix.edits:
        assert edit.transform is not None
        tree = edit.transform(tree)
    return fix, tree.code


def removed(api: str, path: str, form: str) -> Issue:
    return Issue(
        id=f"environment.removed-api:{api}",
        kind=IssueKind.ENVIRONMENT,
        code="environment.removed-api",
        message=api,
        tests=("tests/test_x.py::test_x",),
        path=path,
        line=1,
        details={"api": api, "form": form, "locations": [{"path": path, "line": 1}]},
    )


# -- 1. a method entry whose replacement is an expression, not a method ----------------------


@pytest.mark.parametrize(
    "api",
    ["html.parser.HTMLParser.unescape", "xml.etree.ElementTree.Element.getchildren"],
)
def test_a_method_entry_with_patterns_checks_its_imports_not_a_method(api: str) -> None:
    """``html.unescape`` is no attribute of HTMLParser, nor ``list(element)`` of Element: the
    patterns say what is written, and what they import is what must exist."""
    assert guard_problems(entry(api)) == []


def test_a_method_rename_still_checks_the_new_method_on_its_class() -> None:
    [m] = parse(
        textwrap.dedent(
            """\
            [[migration]]
            api = "unittest.TestCase.assertEqualz"
            kind = "method"
            removed_in = "never"
            error = "AttributeError"
            replacement = "assertEqualy"
            safety = "safe"
            example.before = "self.assertEqualz(1, 1)\\n"
            example.after = "self.assertEqualy(1, 1)\\n"
            """
        ),
        "test.toml",
    )
    assert guard_problems(m) == ["unittest has no TestCase.assertEqualy"]


def test_every_stdlib_entry_passes_its_own_checks_here() -> None:
    """Under the Python running the suite, an applicable standard-library entry's replacement
    exists: a check that fails for another reason than a version is a wrong check."""
    for m in CATALOGUE.migrations:
        if m.manual or m.module.partition(".")[0] not in sys.stdlib_module_names:
            continue
        problems = [p for p in guard_problems(m) if "is needed" not in p]
        assert problems == [], m.api


def test_a_parser_subclass_is_migrated_by_the_fixer() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("html.parser.HTMLParser.unescape", "parse.py", "method"),
        """\
        import html
        from html.parser import HTMLParser


        class P(HTMLParser):
            def handle_data(self, data):
                self.out = self.unescape(data)
        """,
        """\
        import html
        from html.parser import HTMLParser


        class P(HTMLParser):
            def handle_data(self, data):
                self.out = html.unescape(data)
        """,
        confidence=SAFE,
        safe=True,
    )


# -- 2. a builtin replacement of a from-imported name ----------------------------------------


def test_reads_of_a_from_imported_name_become_the_builtin() -> None:
    assert migrate(
        "sqlite3.OptimizedUnicode",
        """\
        from sqlite3 import OptimizedUnicode, connect

        conn = connect(":memory:")
        conn.text_factory = OptimizedUnicode
        """,
    ) == textwrap.dedent(
        """\
        from sqlite3 import connect

        conn = connect(":memory:")
        conn.text_factory = str
        """
    )


def test_only_the_reads_bound_to_the_import_are_renamed() -> None:
    """A parameter of the same name is not the import; an alias and an import inside a
    function are."""
    assert migrate(
        "numpy.long",
        """\
        from numpy import long as L


        def f(long):
            return long, L(1)


        def g():
            from numpy import long

            return long(2)
        """,
    ) == textwrap.dedent(
        """\
        def f(long):
            return long, int(1)


        def g():

            return int(2)
        """
    )


def test_a_name_imported_as_the_builtin_keeps_its_reads() -> None:
    assert migrate("numpy.float", "from numpy import float\n\nx = float(3)\n") == "x = float(3)\n"


@pytest.mark.parametrize(
    "before",
    [
        # the builtin is bound by the file: the reads would not reach it
        "from io import OpenWrapper\n\nopen = None\nf = OpenWrapper\n",
        "from io import OpenWrapper\n\n\ndef f(open):\n    return OpenWrapper\n",
        # the local name is also bound otherwise where it is read
        "try:\n    from io import OpenWrapper\nexcept ImportError:\n    OpenWrapper = None\n"
        "f = OpenWrapper\n",
    ],
    ids=["builtin-rebound", "builtin-a-parameter", "name-bound-twice"],
)
def test_a_shadowed_builtin_is_refused(before: str) -> None:
    transform = migration_transform(entry("io.OpenWrapper"))
    assert transform is not None
    with pytest.raises(Unfixable):
        transform(libcst.parse_module(before))


# -- 8. a deprecation is credited to the module it is about ---------------------------------


def warning(source: str, message: str, **facts: object) -> Failure:
    return Failure(
        nodeid="tests/test_x.py::test_x",
        when="call",
        exc_type="DeprecationWarning",
        message=message,
        facts={
            "exc_type": "DeprecationWarning",
            "exc_mro": ["DeprecationWarning", "Warning", "Exception"],
            "message": message,
            "is_warning": True,
            **facts,  # type: ignore[typeddict-item]
        },
        frame=Frame(path="tests/test_x.py", line=3, function="test_x", source=source),
    )


CTX = Context(frozenset(), CATALOGUE)


@pytest.mark.parametrize(
    ("source", "message", "facts"),
    [
        # a generic name in the line, a warning about something else
        ("text = format(value, spec)", "the spec is deprecated", {}),
        ("x = np.asarray(data, dtype=float)", "a dtype is deprecated", {"line_modules": {}}),
        ("name = record.filename", "filename is deprecated", {"warned_from": "mylib"}),
        # the module's name elsewhere in the line does not make the attribute its
        ("locale.setlocale(lc, format)", "something is deprecated", {}),
    ],
    ids=["format", "float", "filename", "other-attribute"],
)
def test_a_bare_name_is_not_credited_with_a_deprecation(
    source: str, message: str, facts: dict[str, object]
) -> None:
    verdict = classify(warning(source, message, **facts), CTX)
    assert verdict.code != "environment.removed-api", verdict.key


@pytest.mark.parametrize(
    ("source", "facts", "api"),
    [
        ("parser = configparser.SafeConfigParser()", {}, "configparser.SafeConfigParser"),
        (
            "parser = cp.SafeConfigParser()",
            {"line_modules": {"cp": "configparser"}},
            "configparser.SafeConfigParser",
        ),
        (
            "parser = SafeConfigParser()",
            {"line_modules": {"SafeConfigParser": "configparser"}},
            "configparser.SafeConfigParser",
        ),
        ("from configparser import SafeConfigParser", {}, "configparser.SafeConfigParser"),
        (
            "self.assertEquals(a, b)",
            {"warned_from": "unittest.case"},
            "unittest.TestCase.assertEquals",
        ),
    ],
    ids=["module", "alias", "from-imported", "import-line", "method"],
)
def test_a_deprecation_is_credited_when_the_module_is_named(
    source: str, facts: dict[str, object], api: str
) -> None:
    verdict = classify(warning(source, "it is deprecated", **facts), CTX)
    assert (verdict.code, verdict.key) == ("environment.removed-api", api)


def test_capture_names_whose_warning_it_is(tmp_path: Path) -> None:
    """The facts the rule reads come from the live warning: the module that issued it and the
    modules the failing line's names are bound to."""
    (tmp_path / "make.py").write_text(
        "import configparser as cp\n\n\ndef make():\n    return cp.SafeConfigParser()\n"
    )
    spec = importlib.util.spec_from_file_location("make_parser", tmp_path / "make.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(DeprecationWarning) as info:
            module.make()
    facts = capture(info, rootdir=tmp_path, when="call")
    assert facts["warned_from"] == "configparser"
    assert facts["line_modules"] == {"cp": "configparser"}


# -- 3. a pattern's dotted name imported with `from` -----------------------------------------


def test_a_from_imported_name_of_a_pattern_is_rewritten_and_its_import_dropped() -> None:
    same_code(
        migrate(
            "os.errno",
            """\
            from os import errno, path

            if err.errno == errno.ENOENT:
                pass
            """,
        ),
        textwrap.dedent(
            """\
            import errno
            from os import path

            if err.errno == errno.ENOENT:
                pass
            """
        ),
    )


def test_an_aliased_from_import_of_a_pattern_reads_the_replacement() -> None:
    same_code(
        migrate(
            "os.errno",
            "import os\nfrom os import errno as E\n\ncodes = (E.ENOENT, os.errno.EEXIST)\n",
        ),
        "import errno\nimport os\n\ncodes = (errno.ENOENT, errno.EEXIST)\n",
    )


def test_a_from_imported_pattern_name_read_where_a_local_shadows_the_replacement() -> None:
    transform = migration_transform(entry("os.errno"))
    assert transform is not None
    with pytest.raises(Unfixable, match="'errno' is bound to something else"):
        transform(
            libcst.parse_module(
                "from os import errno\n\n\ndef f(errno):\n    return errno\n\nx = errno.ENOENT\n"
            )
        )


def test_a_from_imported_name_read_as_a_looser_expression_is_parenthesized() -> None:
    """``from numpy import NINF`` then ``NINF ** 2``: the reads become ``-numpy.inf`` with the
    parentheses the operator needs, and none where nothing binds tighter."""
    same_code(
        migrate("numpy.NINF", "from numpy import NINF\n\nx = NINF ** 2\ny = f(NINF)\n"),
        "import numpy\n\nx = (-numpy.inf) ** 2\ny = f(-numpy.inf)\n",
    )


# -- 4. starred arguments and the other keyword arguments ------------------------------------


def test_a_removed_keyword_goes_whatever_the_other_arguments_are() -> None:
    assert migrate(
        "asyncio.gather.loop",
        """\
        import asyncio

        a = asyncio.gather(*tasks, loop=loop)
        b = asyncio.gather(first(), *rest, return_exceptions=True, loop=loop, **options)
        c = asyncio.gather(
            first(),  # the first
            second(),
            loop=loop,
        )
        """,
    ) == textwrap.dedent(
        """\
        import asyncio

        a = asyncio.gather(*tasks)
        b = asyncio.gather(first(), *rest, return_exceptions=True, **options)
        c = asyncio.gather(
            first(),  # the first
            second(),
        )
        """
    )


def test_a_call_whose_arguments_are_out_of_order_is_left_alone() -> None:
    """``f(a, loop=l, *b)`` evaluates ``*b`` last: a rebuilt call would write it before the
    keywords, so the call is not matched."""
    before = "import asyncio\n\nx = asyncio.gather(a, loop=loop, *b)\n"
    assert migrate("asyncio.gather.loop", before) == before


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # one value for one placeholder: an unpacking gives any number
        ("f(x, *y)\nf(*x, y)\nf(x, y)\n", "f(x, *y)\nf(*x, y)\ng(y, x)\n"),
        # keyword arguments the template does not name, or a **mapping, without $**
        ("f(x, y, z=1)\nf(x, y, **k)\n", "f(x, y, z=1)\nf(x, y, **k)\n"),
    ],
    ids=["starred", "keywords"],
)
def test_a_pattern_without_star_placeholders_matches_exactly(before: str, after: str) -> None:
    [m] = parse(
        textwrap.dedent(
            f"""\
            [[migration]]
            api = "mod.f"
            kind = "attribute"
            removed_in = "mod 2"
            error = "AttributeError"
            replacement = "mod.g"
            safety = "safe"
            example.before = {before!r}
            example.after = {after!r}
            [[migration.patterns]]
            match = "f($a, $b)"
            replace = "g($b, $a)"
            """
        ),
        "test.toml",
    )
    transform = migration_transform(m)
    assert transform is not None
    assert transform(libcst.parse_module(before)).code == after


def test_a_star_capture_moves_between_a_list_and_a_call() -> None:
    [m] = parse(
        textwrap.dedent(
            """\
            [[migration]]
            api = "mod.f"
            kind = "attribute"
            removed_in = "mod 2"
            error = "AttributeError"
            replacement = "mod.h"
            safety = "safe"
            example.before = "f([1, *y, 3])\\n"
            example.after = "h(*y, 3)\\n"
            [[migration.patterns]]
            match = "f([$a, $*rest])"
            replace = "h($*rest)"
            """
        ),
        "test.toml",
    )
    transform = migration_transform(m)
    assert transform is not None
    assert transform(libcst.parse_module(m.example.before)).code == m.example.after


# -- 5. the class of an __init__ error --------------------------------------------------------


def unexpected(message: str, source: str) -> Failure:
    return Failure(
        nodeid="tests/test_x.py::test_x",
        when="call",
        exc_type="TypeError",
        message=message,
        facts={"exc_type": "TypeError", "exc_mro": ["TypeError", "Exception"]},
        frame=Frame(path="tests/test_x.py", line=3, function="test_x", source=source),
    )


@pytest.mark.parametrize(
    ("message", "source", "key"),
    [
        (
            "Queue.__init__() got an unexpected keyword argument 'loop'",
            "q = asyncio.Queue(loop=loop)",
            "asyncio.Queue.__init__.loop",
        ),
        (
            "Lock.__init__() got an unexpected keyword argument 'loop'",
            "lock = asyncio.Lock(loop=loop)",
            "asyncio.Lock.__init__.loop",
        ),
        # a class of the project's, or of another library: not asyncio's
        (
            "Client.__init__() got an unexpected keyword argument 'loop'",
            "c = Client(loop=loop)",
            None,
        ),
        # Python before 3.10 names no class: the failing line must call the entry's
        (
            "__init__() got an unexpected keyword argument 'loop'",
            "q = asyncio.Queue(loop=loop)",
            "asyncio.Queue.__init__.loop",
        ),
        ("__init__() got an unexpected keyword argument 'loop'", "c = Client(loop=loop)", None),
        # a function is found by its name, as before
        (
            "gather() got an unexpected keyword argument 'loop'",
            "asyncio.gather(a, loop=loop)",
            "asyncio.gather.loop",
        ),
    ],
    ids=["queue", "lock", "other-class", "bare-init", "bare-init-other", "function"],
)
def test_an_init_keyword_error_is_credited_to_its_class(
    message: str, source: str, key: str | None
) -> None:
    verdict = classify(unexpected(message, source), CTX)
    if key is None:
        assert verdict.code != "environment.removed-api", verdict.key
    else:
        assert (verdict.code, verdict.key) == ("environment.removed-api", key)


def test_every_kwarg_entry_is_found_by_its_own_error_text() -> None:
    """The error an entry says users see, on the line of its example, classifies as that
    entry: one entry per class whose ``__init__`` lost the argument."""
    for m in CATALOGUE.migrations:
        if m.kind != "kwarg":
            continue
        line = next(
            (x for x in m.example.before.splitlines() if m.name + "=" in x),
            m.example.before,
        )
        exc_type, _, message = m.error.partition(": ")
        verdict = classify(unexpected(message, line.strip()), CTX)
        assert (exc_type, verdict.key) == ("TypeError", m.api), m.api


# -- 6. C accelerator modules -------------------------------------------------------------------


def test_a_class_of_a_c_accelerator_module_is_its_public_module_s() -> None:
    assert CATALOGUE.method(["_asyncio.Task", "_asyncio.Future"], "current_task") is (
        entry("asyncio.Task.current_task")
    )
    assert CATALOGUE.method(["_asyncio.Task", "_asyncio.Future"], "all_tasks") is (
        entry("asyncio.Task.all_tasks")
    )
    assert CATALOGUE.method(["mylib.Task"], "current_task") is None


def test_every_accelerator_module_s_types_are_its_public_module_s() -> None:
    """Each mapped module exists here, and every class it defines that its public module has
    under the same name is the same class there: the public module re-exports it."""
    for private, public in catalogue_accelerators().items():
        if importlib.util.find_spec(private) is None:
            continue  # not built into this Python (_ssl, _sqlite3, _lzma, _bz2 may be absent)
        low = importlib.import_module(private)
        high = importlib.import_module(public)
        shared = [
            name
            for name, value in vars(low).items()
            if isinstance(value, type) and getattr(high, name, None) is value
        ]
        assert shared, f"{public} re-exports no class of {private}"


def catalogue_accelerators() -> dict[str, str]:
    from pytest_autofix.catalogue import ACCELERATORS

    return ACCELERATORS


def test_a_removed_task_classmethod_is_classified_and_migrated() -> None:
    failure = Failure(
        nodeid="tests/test_x.py::test_x",
        when="call",
        exc_type="AttributeError",
        message="type object '_asyncio.Task' has no attribute 'current_task'",
        facts={
            "exc_type": "AttributeError",
            "exc_mro": ["AttributeError", "Exception"],
            "attr": "current_task",
            "obj_kind": "class",
            "obj_type": "_asyncio.Task",
            "obj_mro": ["_asyncio.Task", "_asyncio.Future"],
        },
    )
    verdict = classify(failure, CTX)
    assert (verdict.code, verdict.key) == ("environment.removed-api", "asyncio.Task.current_task")


# -- 7. a removed module with entries for some of its attributes ---------------------------


def test_an_attribute_entry_wins_over_its_module_s(tmp_path: Path) -> None:
    fix, after = fixed(
        tmp_path,
        "imp",
        "module",
        """\
        import imp


        def fresh(name, source):
            module = imp.new_module(name)
            exec(source, module.__dict__)
            assert imp.get_magic()
            return imp.reload(module)
        """,
    )
    same_code(
        after,
        textwrap.dedent(
            """\
            import importlib
            import importlib.util
            import types


            def fresh(name, source):
                module = types.ModuleType(name)
                exec(source, module.__dict__)
                assert importlib.util.MAGIC_NUMBER
                return importlib.reload(module)
            """
        ),
    )
    assert (fix.confidence, fix.safe) == (SAFE, True)


def test_a_module_whose_attribute_entries_migrate_every_use_drops_its_import(
    tmp_path: Path,
) -> None:
    _, after = fixed(
        tmp_path,
        "imp",
        "module",
        "import imp\n\nfrom imp import new_module\n\nm = new_module('m')\ntag = imp.get_tag()\n",
    )
    same_code(
        after,
        "import sys\nfrom types import ModuleType\n\nm = ModuleType('m')\n"
        "tag = sys.implementation.cache_tag\n",
    )


def test_a_less_sure_attribute_entry_stays_out_of_a_module_s_fix() -> None:
    extra = parse(
        textwrap.dedent(
            """\
            [[migration]]
            api = "imp.load_dynamic"
            kind = "attribute"
            removed_in = "Python 3.12"
            error = "ModuleNotFoundError: No module named 'imp'"
            replacement = "importlib.machinery.ExtensionFileLoader"
            safety = "unsafe"
            example.before = "import imp\\nimp.load_dynamic\\n"
            example.after = "import imp\\nimport importlib.machinery\\n{loader}\\n"
            """.replace("{loader}", "importlib.machinery.ExtensionFileLoader")
        ),
        "user.toml",
    )
    fixer = environment.RemovedApi(Catalogue([*CATALOGUE.migrations, *extra]))
    result = assert_fix(
        fixer,
        removed("imp", "load.py", "module"),
        "import imp\n\nmod = imp.load_dynamic('m', 'm.so')\n",
        None,
    )
    assert result.fix is not None and "imp.load_dynamic" in result.fix.description


def test_a_manual_module_is_migrated_where_only_its_entries_names_are_used(
    tmp_path: Path,
) -> None:
    """numpy.compat needs a person as a whole (asbytes, asstr), but a file that uses only names
    with an entry of their own is migrated, as sure as the least sure of them."""
    fix, after = fixed(
        tmp_path,
        "numpy.compat",
        "module",
        """\
        import os

        from numpy.compat import basestring, long, os_fspath


        def size(path, default):
            if isinstance(path, basestring):
                return long(os.path.getsize(os_fspath(path)))
            return default
        """,
    )
    same_code(
        after,
        textwrap.dedent(
            """\
            import os
            from os import fspath


            def size(path, default):
                if isinstance(path, str):
                    return int(os.path.getsize(fspath(path)))
                return default
            """
        ),
    )
    assert (fix.confidence, fix.safe) == (SAFE, True)


def test_a_manual_module_with_a_name_without_entry_needs_a_person() -> None:
    result = assert_fix(
        environment.RemovedApi(),
        removed("numpy.compat", "io_utils.py", "module"),
        "from numpy.compat import asbytes, long\n\ndata = asbytes(str(long(3)))\n",
        None,
    )
    assert result.fix is not None and "still uses asbytes of numpy.compat" in result.fix.description


def test_a_from_imported_pattern_name_whose_replacement_the_file_cannot_read() -> None:
    """A replacement naming a module the pattern does not import and the file does not bind
    would be a NameError: the file is left to a person."""
    [m] = parse(
        textwrap.dedent(
            """\
            [[migration]]
            api = "mod.Old"
            kind = "attribute"
            removed_in = "mod 2"
            error = "ImportError"
            replacement = "other.New"
            safety = "safe"
            example.before = "import mod\\nx = mod.Old\\n"
            example.after = "import mod\\nx = other.New\\n"
            [[migration.patterns]]
            match = "mod.Old"
            replace = "other.New"
            """
        ),
        "test.toml",
    )
    transform = migration_transform(m)
    assert transform is not None
    with pytest.raises(Unfixable, match="needs other"):
        transform(libcst.parse_module("from mod import Old\n\nx = Old\n"))
    after = transform(libcst.parse_module("import other\nfrom mod import Old\n\nx = Old\n")).code
    assert after == "import other\n\nx = other.New\n"


def test_a_removed_loop_argument_is_fixed_and_verified(pytester: pytest.Pytester) -> None:
    """End to end: ``Lock.__init__()``'s TypeError is asyncio.Lock's entry, whose fix also
    migrates the queue built from unpacked arguments in the same file, and the rerun proves
    it."""
    pytester.makepyfile(
        workers="""\
            import asyncio


            async def run(options):
                loop = asyncio.get_running_loop()
                lock = asyncio.Lock(loop=loop)
                queue = asyncio.Queue(*options, loop=loop)
                async with lock:
                    await queue.put(1)
                return queue.qsize()
            """,
        test_workers="""\
            import asyncio

            from workers import run


            def test_run():
                assert asyncio.run(run([4])) == 1
            """,
    )
    result = pytester.runpytest_subprocess("--autofix")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["fixed *environment.removed-api*Lock.__init__(loop=...) was removed*"]
    )
    text = (pytester.path / "workers.py").read_text()
    assert "lock = asyncio.Lock()\n" in text and "asyncio.Queue(*options)\n" in text


def test_a_keyword_removed_from_a_package_s_functions_is_one_fix(tmp_path: Path) -> None:
    """Python 3.10 removed ``loop=`` from asyncio's functions and classes together: the fix of
    the first one met migrates the others' safe entries where the file passes ``loop=``
    (gather's unsafe one stays for its own issue, and the fix names it)."""
    fix, after = fixed(
        tmp_path,
        "asyncio.sleep.loop",
        "kwarg",
        """\
        import asyncio


        async def main(loop):
            await asyncio.sleep(1, loop=loop)
            lock = asyncio.Lock(loop=loop)
            done = await asyncio.wait_for(job(), 5, loop=loop)
            return await asyncio.gather(job(), loop=loop)
        """,
    )
    assert after == textwrap.dedent(
        """\
        import asyncio


        async def main(loop):
            await asyncio.sleep(1)
            lock = asyncio.Lock()
            done = await asyncio.wait_for(job(), 5)
            return await asyncio.gather(job(), loop=loop)
        """
    )
    assert (
        "; with it, where used, the other safe migrations of asyncio's loop=: "
        "asyncio.wait_for.loop and asyncio.Lock.__init__.loop; not in this fix, used too: "
        "asyncio.gather.loop -> asyncio.gather(...) without loop (unsafe: gather schedules"
    ) in fix.description
    assert (fix.confidence, fix.safe) == (SAFE, True)


def test_a_removed_function_passed_to_map_is_migrated_where_the_call_is_one_argument() -> None:
    """cmasher's ``map(mplcm.get_cmap, names)``: map calls it with one argument, the call
    ``colormaps.get_cmap`` takes alike; with two iterables it would pass lut, which
    ``colormaps.get_cmap`` does not take: left alone, like a reference called who knows how."""
    before = """\
        from matplotlib.cm import get_cmap

        cmaps = list(map(get_cmap, names))
        """
    after = """\
        import matplotlib

        cmaps = list(map(matplotlib.colormaps.get_cmap, names))
        """
    assert migrate("matplotlib.cm.get_cmap", before) == textwrap.dedent(after)
    left = """\
        import matplotlib.cm as mplcm

        cmaps = map(mplcm.get_cmap, names, luts)
        getter = mplcm.get_cmap
        """
    assert migrate("matplotlib.cm.get_cmap", left) == textwrap.dedent(left)
