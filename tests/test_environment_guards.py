"""The per-file checks of catalogue entries (``fixers/toolkit/environment_guards.py``), before
and after: ``time.clock`` only where it times what the file reports, ``HTMLParser.unescape`` on
names proven parsers, and a pattern followed through a module that re-exports its API.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import libcst
import pytest

from pytest_autofix.catalogue import builtin
from pytest_autofix.fixers import environment
from pytest_autofix.fixers.toolkit.environment_confidence import GUARDED
from pytest_autofix.fixers.toolkit.environment_transforms import Unfixable, migration_transform
from pytest_autofix.model import Issue, IssueKind
from pytest_autofix.testing import assert_fix


def migrate(api: str, before: str) -> str:
    entry = builtin().get(api)
    assert entry is not None
    transform = migration_transform(entry)
    assert transform is not None
    return transform(libcst.parse_module(textwrap.dedent(before))).code


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


# -- time.clock: timer-only ------------------------------------------------------------------


TIMERS = {
    "stored": """\
        import time


        def open_book(path):
            t0 = time.clock()
            book = load(path)
            t1 = time.clock()
            book.load_time_stage_1 = t1 - t0
            t2 = time.clock()
            book.load_time_stage_2 = t2 - t1
            return book
        """,
    "logged-through-a-name": """\
        import logging
        import time

        log = logging.getLogger(__name__)


        def run():
            start = time.clock()
            work()
            took = round((time.clock() - start) * 1000, 1)
            log.info("took %s ms", took)
            print(f"took {took} ms")
        """,
    "from-import-alias": """\
        import sys
        from time import clock as now

        now()
        begin = now()
        work()
        sys.stderr.write("%.2f s\\n" % (now() - begin,))
        stats["total"] += now() - begin
        """,
}


@pytest.mark.parametrize("shape", list(TIMERS))
def test_a_timer_whose_durations_are_only_reported_is_migrated(shape: str) -> None:
    before = textwrap.dedent(TIMERS[shape])
    after = migrate("time.clock", before)
    assert "clock" not in after.replace("from time import perf_counter as now", "")
    expected = before.replace("time.clock", "time.perf_counter")
    expected = expected.replace("import clock as now", "import perf_counter as now")
    assert after == expected


REFUSED = {
    "compared-with-a-timeout": (
        """\
        import time


        def wait(ready, timeout):
            start = time.clock()
            while not ready() and time.clock() - start < timeout:
                pass
        """,
        "line 6: its value is used otherwise than as a timer",
    ),
    "returned": (
        """\
        import time


        def timed(func):
            start = time.clock()
            func()
            return time.clock() - start
        """,
        "line 7: its value is used otherwise than as a timer",
    ),
    "given-to-sleep": (
        """\
        import time


        def tick(period):
            start = time.clock()
            work()
            time.sleep(period - (time.clock() - start))
        """,
        "its value is used otherwise than as a timer",
    ),
    "an-absolute-value": (
        """\
        import time

        seed = int(time.clock() * 1000)
        """,
        "line 3: its value is used otherwise than as a timer",
    ),
    "not-called": (
        """\
        import time

        timer = time.clock
        """,
        "line 3: time.clock is not called there",
    ),
    "a-name-bound-otherwise-too": (
        """\
        import time


        def run(start=None):
            start = time.clock()
            start = 0
            print(time.clock() - start)
        """,
        "start holds something else too",
    ),
    "kept-in-an-attribute": (
        """\
        import time


        class Timer:
            def start(self):
                self.t0 = time.clock()

            def stop(self):
                print(time.clock() - self.t0)
        """,
        "line 6: its value is used otherwise than as a timer",
    ),
}


@pytest.mark.parametrize("shape", list(REFUSED))
def test_a_clock_used_otherwise_is_left_to_a_person(shape: str) -> None:
    before, reason = REFUSED[shape]
    with pytest.raises(Unfixable, match="processor time or wall-clock time") as info:
        migrate("time.clock", before)
    assert reason in str(info.value)


def test_the_fixer_migrates_a_timer_as_a_guarded_fix() -> None:
    assert_fix(
        environment.RemovedApi(),
        removed("time.clock", "book.py", "attribute"),
        TIMERS["stored"],
        TIMERS["stored"].replace("time.clock", "time.perf_counter"),
        confidence=GUARDED,
        safe=True,
    )


def test_the_fixer_leaves_a_timeout_to_a_person() -> None:
    result = assert_fix(
        environment.RemovedApi(),
        removed("time.clock", "wait.py", "attribute"),
        REFUSED["compared-with-a-timeout"][0],
        None,
    )
    assert result.fix is not None
    assert "time.process_time where CPU time is meant" in result.fix.description


# -- inspect.getargspec: argspec-fields ---------------------------------------------------------

ARGSPECS = {
    "unpacked-into-four": (
        """\
        import inspect


        def spec(func):
            args, varargs, keywords, defaults = inspect.getargspec(func)
            return args, defaults
        """,
        """\
        import inspect


        def spec(func):
            args, varargs, keywords, defaults = inspect.getfullargspec(func)[:4]
            return args, defaults
        """,
    ),
    "a-local-read-by-its-fields": (
        """\
        from inspect import getargspec


        def accepts(func, name):
            spec = getargspec(func)
            if spec.keywords or spec.varargs:
                return True
            return name in spec.args[: len(spec.args) - len(spec[3] or ())]
        """,
        """\
        from inspect import getfullargspec


        def accepts(func, name):
            spec = getfullargspec(func)
            if spec.varkw or spec.varargs:
                return True
            return name in spec.args[: len(spec.args) - len(spec[3] or ())]
        """,
    ),
    "read-directly": (
        """\
        import inspect as i

        names = i.getargspec(f).args
        star = i.getargspec(f)[2]
        extra = i.getargspec(f).keywords
        """,
        """\
        import inspect as i

        names = i.getfullargspec(f).args
        star = i.getfullargspec(f)[2]
        extra = i.getfullargspec(f).varkw
        """,
    ),
    "a-local-read-as-a-tuple": (
        """\
        import inspect


        def last(func):
            spec = inspect.getargspec(func)
            args, varargs, keywords, defaults = spec
            return spec[-1], spec[1:]
        """,
        """\
        import inspect


        def last(func):
            spec = inspect.getfullargspec(func)[:4]
            args, varargs, keywords, defaults = spec
            return spec[-1], spec[1:]
        """,
    ),
    "its-own-fallback-to-getfullargspec": (
        """\
        import inspect


        def usage(func):
            try:
                info = inspect.getargspec(func)
            except ValueError:  # keyword-only parameters
                info = inspect.getfullargspec(func)
            return info.args
        """,
        """\
        import inspect


        def usage(func):
            try:
                info = inspect.getfullargspec(func)
            except ValueError:  # keyword-only parameters
                info = inspect.getfullargspec(func)
            return info.args
        """,
    ),
}


@pytest.mark.parametrize("shape", list(ARGSPECS))
def test_a_spec_read_by_its_four_fields_is_migrated(shape: str) -> None:
    before, after = ARGSPECS[shape]
    assert migrate("inspect.getargspec", before) == textwrap.dedent(after)


ARGSPEC_REFUSED = {
    "returned": (
        """\
        import inspect


        def describe(func):
            return inspect.getargspec(func)
        """,
        "line 5: the spec is used otherwise",
    ),
    "measured": (
        """\
        import inspect


        def arity(func):
            spec = inspect.getargspec(func)
            return len(spec)
        """,
        "line 6: the spec is used otherwise",
    ),
    "compared": (
        """\
        import inspect

        SAME = inspect.getargspec(f) == inspect.getargspec(g)
        """,
        "line 3: the spec is used otherwise",
    ),
    "by-field-and-as-a-tuple": (
        """\
        import inspect


        def names(func):
            spec = inspect.getargspec(func)
            args, varargs, keywords, defaults = spec
            return spec.args
        """,
        "read both by field and as a tuple",
    ),
    "a-field-getfullargspec-lacks": (
        """\
        import inspect


        def fields(func):
            return inspect.getargspec(func)._asdict()
        """,
        "line 5: the spec is used otherwise",
    ),
    "keywords-of-a-name-bound-otherwise-too": (
        """\
        import functools
        import inspect


        def extra(func):
            spec = inspect.getargspec(func)
            if spec.args:
                spec = functools.partial(func)
            return spec.keywords
        """,
        "line 8: spec holds something else too",
    ),
    "a-module-level-name": (
        """\
        import inspect

        SPEC = inspect.getargspec(f)
        """,
        "line 3: SPEC is not a function's local",
    ),
    "its-value-error-handled-otherwise": (
        """\
        import inspect


        def positional(func):
            try:
                return inspect.getargspec(func).args
            except ValueError:
                return None
        """,
        "line 7: it handles the ValueError getargspec raised",
    ),
    "under-a-broad-handler": (
        """\
        import inspect


        def positional(func):
            try:
                args = inspect.getargspec(func).args
            except Exception:
                args = []
            return args
        """,
        "line 7: it handles the ValueError",
    ),
}


@pytest.mark.parametrize("shape", list(ARGSPEC_REFUSED))
def test_a_spec_used_otherwise_is_left_to_a_person(shape: str) -> None:
    before, reason = ARGSPEC_REFUSED[shape]
    with pytest.raises(Unfixable, match="getfullargspec\\(\\) keeps") as info:
        migrate("inspect.getargspec", before)
    assert reason in str(info.value)


def test_a_handler_of_another_error_is_no_fallback_to_check() -> None:
    before = """\
        import inspect


        def positional(func):
            try:
                return inspect.getargspec(func).args
            except TypeError:  # a builtin: getfullargspec raises it alike
                return None
        """
    after = migrate("inspect.getargspec", before)
    assert after == textwrap.dedent(before).replace("getargspec", "getfullargspec")


def test_the_fixer_migrates_getargspec_as_a_guarded_fix() -> None:
    before, after = ARGSPECS["unpacked-into-four"]
    assert_fix(
        environment.RemovedApi(),
        removed("inspect.getargspec", "spec.py", "attribute"),
        textwrap.dedent(before),
        textwrap.dedent(after),
        confidence=GUARDED,
        safe=True,
    )


# -- HTMLParser.unescape: instance ---------------------------------------------------------------


@pytest.fixture
def compat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real module re-exporting html.parser under another name, as six.moves does."""
    (tmp_path / "h3_compat_html.py").write_text("from html import parser as html_parser\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("h3_compat_html")
    yield "h3_compat_html"
    sys.modules.pop("h3_compat_html", None)


def test_a_name_bound_to_a_parser_through_an_alias_is_migrated(compat: str) -> None:
    before = f"""\
        from {compat} import html_parser

        HTMLParser = html_parser.HTMLParser


        def decode_high(text):
            h = HTMLParser()
            text = "&#{{0}};".format(text)
            return h.unescape(text)
        """
    after = migrate("html.parser.HTMLParser.unescape", before)
    assert after == "import html\n\n" + textwrap.dedent(before).replace(
        "h.unescape(text)", "html.unescape(text)"
    )


@pytest.mark.parametrize(
    "before",
    [
        """\
        from xml.sax import saxutils


        def decode(text, h=saxutils):
            return h.unescape(text)
        """,
        """\
        from html.parser import HTMLParser


        def decode(text):
            h = HTMLParser()
            h = other()
            return h.unescape(text)
        """,
        """\
        from html.parser import HTMLParser


        class Own(HTMLParser):
            def unescape(self, s):
                return s


        def decode(text):
            h = Own()
            return h.unescape(text)
        """,
    ],
    ids=["a-parameter", "rebound", "a-subclass-defining-it"],
)
def test_a_receiver_not_proven_a_parser_is_left_alone(before: str) -> None:
    assert migrate("html.parser.HTMLParser.unescape", before) == textwrap.dedent(before)


# -- a pattern through a re-exporting module ---------------------------------------------------


@pytest.fixture
def reexports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real module doing what oyaml does (``from yaml import *``), and one that does not."""
    pytest.importorskip("yaml")
    (tmp_path / "h3_reyaml.py").write_text("from yaml import *\n")
    (tmp_path / "h3_ownyaml.py").write_text(
        "from yaml import *\n\n\ndef load(stream, Loader=None):\n    return stream\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("h3_reyaml", "h3_ownyaml"):
        importlib.import_module(name)
    yield "h3_reyaml"
    for name in ("h3_reyaml", "h3_ownyaml"):
        sys.modules.pop(name, None)


def test_a_pattern_is_followed_through_a_module_re_exporting_its_names(reexports: str) -> None:
    before = f"""\
        import {reexports} as yaml


        def test_load():
            assert yaml.load("{{x: 1}}") == {{"x": 1}}
        """
    after = migrate("yaml.load", before)
    assert after == textwrap.dedent(before).replace(
        'yaml.load("{x: 1}")', 'yaml.load("{x: 1}", Loader=yaml.FullLoader)'
    )
    from_imported = f"from {reexports} import load\n\ndata = load(text)\n"
    assert migrate("yaml.load", from_imported) == (
        f"import {reexports}\nfrom {reexports} import load\n\n"
        f"data = load(text, Loader={reexports}.FullLoader)\n"
    )


def test_a_module_with_its_own_function_of_that_name_is_not_followed(reexports: str) -> None:
    before = "import h3_ownyaml as yaml\n\ndata = yaml.load(text)\n"
    assert migrate("yaml.load", before) == before


def test_a_module_not_loaded_is_not_imported_to_follow_it() -> None:
    before = "import h3_never_loaded_yaml as yaml\n\ndata = yaml.load(text)\n"
    assert migrate("yaml.load", before) == before
    assert "h3_never_loaded_yaml" not in sys.modules
