"""The classification rules: their format, then the built-in table.

A rule is a small function from a :class:`~pytest_autofix.model.Failure` (its captured
:class:`~pytest_autofix.facts.Facts`, message and frame) and the :class:`Context` to a
:class:`Match` (an issue code, a root-cause key, a message, typed details) or None when it does
not apply. Each carries its own examples, the way Fixit rules carry VALID/INVALID cases: a
failure, and the code, key and details the rule gives it. ``tests/test_classify.py`` runs every
example through :func:`pytest_autofix.engine.classify.classify` and checks that it would be
classified otherwise without its rule.

:data:`RULES` is the built-in table. Its order is the priority: the first rule that matches
wins; plugins' rules (the ``pytest_autofix_classify_rules`` hook) come before it; a failure no
rule matches is ``other.exception``. The public names are re-exported by
:mod:`pytest_autofix.engine.classify`; ``docs/classify.md`` documents them.
"""

from __future__ import annotations

import builtins
import dataclasses
import difflib
import functools
import re
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal, Unpack

from pytest_autofix.details import (
    CalledDirectly,
    DeadPackage,
    FileMismatch,
    FileNotFound,
    FixtureNotFound,
    MissingEnvVar,
    MissingPackage,
    ModuleNotFound,
    NameNotFound,
    NameUndefined,
    NoDetails,
    OtherException,
    PytestRemovedApi,
    RemovedApi,
    RemovedForm,
    ScopeMismatch,
    ServiceUnavailable,
)
from pytest_autofix.model import Failure, Frame, Phase

if TYPE_CHECKING:
    from pytest_autofix.catalogue import Catalogue, Migration
    from pytest_autofix.facts import Facts, NoseOwner, NosePackage

__all__ = [
    "RULES",
    "Context",
    "Example",
    "Match",
    "Rule",
    "exc_mro",
    "exc_name",
    "failing",
    "first_line",
    "location",
    "rule",
]


# == the format ===============================================================================


@dataclasses.dataclass(frozen=True)
class Context:
    """What classification may know besides the failure itself: the top-level names of the
    project's modules, the migration catalogue (or a function that loads it: it is called once,
    by the first failure that needs it), and the plugins' rules, consulted before :data:`RULES`."""

    project_modules: frozenset[str]
    catalogue_source: Catalogue | Callable[[], Catalogue]
    rules: tuple[Rule, ...] = ()

    @functools.cached_property
    def catalogue(self) -> Catalogue:
        source = self.catalogue_source
        return source() if callable(source) else source


@dataclasses.dataclass(frozen=True)
class Match:
    """What a rule says about a failure.

    ``code`` is a dotted issue code whose first part is an
    :class:`~pytest_autofix.model.IssueKind` value (``import.module-not-found``); failures with
    the same code and ``key`` are one issue. ``message`` defaults to the first line of the
    failure's message; ``path``/``line`` (where the issue is reported) default to the innermost
    project frame (:func:`location`). ``details`` become ``Issue.details`` (a plain dict; the
    built-in rules build the TypedDicts of :mod:`pytest_autofix.details`)."""

    code: str
    key: str
    message: str = ""
    details: Mapping[str, object] = dataclasses.field(default_factory=dict)
    path: str | None = None
    line: int | None = None


@dataclasses.dataclass(frozen=True)
class Example:
    """A failure a rule is for, and what classification makes of it with the rule in place:
    the code, the key, and details it includes (a subset). ``message``, ``path`` and ``line``
    are checked when given. ``project_modules`` is the context's (the catalogue is the
    built-in one)."""

    failure: Failure
    code: str
    key: str
    details: Mapping[str, object] = dataclasses.field(default_factory=dict)
    message: str | None = None
    path: str | None = None
    line: int | None = None
    project_modules: frozenset[str] = frozenset()


Matcher = Callable[[Failure, Context], Match | None]


@dataclasses.dataclass(frozen=True)
class Rule:
    """A named matcher with its examples. ``doc`` says what it recognises."""

    name: str
    match: Matcher
    examples: tuple[Example, ...] = ()
    doc: str = ""


def rule(*examples: Example, name: str | None = None) -> Callable[[Matcher], Rule]:
    """Make a matcher function a :class:`Rule`, named after the function (``_`` -> ``-``),
    documented by its docstring::

        @rule(Example(failing("OSError", "No space left on device"), "other.disk-full", "disk"))
        def disk_full(failure: Failure, ctx: Context) -> Match | None:
            "The disk is full."
            if "No space left on device" in failure.message:
                return Match("other.disk-full", "disk")
            return None
    """

    def make(match: Matcher) -> Rule:
        doc = (match.__doc__ or "").strip()
        rule_name = name or getattr(match, "__name__", "rule").replace("_", "-")
        return Rule(rule_name, match, examples, doc)

    return make


def failing(
    exc_type: str,
    message: str,
    /,
    *,
    source: str = "",
    where: str | None = "tests/test_x.py:3",
    test: str = "tests/test_x.py::test_x",
    phase: Phase = "call",
    **facts: Unpack[Facts],
) -> Failure:
    """A failure as capture would ship it, for examples: ``exc_type`` (a builtin's name gives
    its real ``exc_mro``), its message, the failing line's ``source`` at ``where`` (a project
    frame ``path:line``, or None for none), the node id and the phase, and any other facts."""
    cls = getattr(builtins, exc_type, None)
    mro = (
        [t.__qualname__ for t in cls.__mro__[:-2]]
        if isinstance(cls, type) and issubclass(cls, BaseException)
        else [exc_type]
    )
    frame = None
    if where is not None:
        path, _, line = where.rpartition(":")
        frame = Frame(path=path, line=int(line), function=test.rpartition("::")[2], source=source)
    shipped: Facts = {"when": phase, "exc_type": exc_type, "exc_mro": mro, "message": message}
    if frame is not None:
        shipped["frame"] = {
            "path": frame.path,
            "line": frame.line,
            "function": frame.function,
            "source": frame.source,
        }
    shipped.update(facts)
    return Failure(
        nodeid=test, when=phase, exc_type=exc_type, message=message, facts=shipped, frame=frame
    )


def exc_name(failure: Failure) -> str:
    """The exception's class name without its module: ``FixtureLookupError``."""
    return failure.exc_type.rpartition(".")[2]


def exc_mro(failure: Failure) -> list[str]:
    """The class names (without modules) of the exception's MRO, its own class first."""
    return [q.rpartition(".")[2] for q in failure.facts.get("exc_mro", [exc_name(failure)])]


def location(failure: Failure) -> tuple[str | None, int | None]:
    """The innermost project frame; for a collector with none, the file it collected."""
    if failure.frame is not None:
        return failure.frame.path, failure.frame.line
    node_path = failure.facts.get("node_path")
    if failure.when == "collect" and isinstance(node_path, str):
        return node_path, None
    return None, None


def first_line(text: str) -> str:
    """The first non-blank line, stripped, at most 300 characters."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def _source(failure: Failure) -> str:
    return failure.frame.source if failure.frame is not None else ""


def _at(failure: Failure) -> str:
    path, line = location(failure)
    return f"{path}:{line}"


# == the built-in table =======================================================================
# Each section is a family; within it, and across, the order is the priority.

_UNEXPECTED_KWARG = re.compile(r"(?:([\w.]+)\(\) )?got an unexpected keyword argument '(\w+)'")
_CALLED_DIRECTLY = re.compile(r"Fixture \"(\w+)\" called directly")
_SCOPE_MISMATCH = re.compile(
    r"ScopeMismatch: You tried to access the (\w+) scoped fixture (\w+) "
    r"with a (\w+) scoped request object"
)
_REQUESTED_BY = re.compile(r"^\s*(\S+?):(\d+):\s+def (\w+)\(", re.M)
_PYTEST_OUTCOME_CALL = re.compile(r"\bpytest\.(skip|fail|exit)\s*\(")
_UNEXPECTED_RAISES_KWARG = re.compile(
    r"Unexpected keyword arguments passed to pytest\.(raises|warns): (\w+)"
)
_REMOVED_WORDS = re.compile(r"\b(removed|was a deprecated alias|has been removed|expired)\b")

_FAILED = ["_pytest.outcomes.Failed", "_pytest.outcomes.OutcomeException"]
_LOOKUP_ERROR = "_pytest.fixtures.FixtureLookupError"
_PYTEST_REMOVED_IN_10 = [
    "_pytest.warning_types.PytestRemovedIn10Warning",
    "_pytest.warning_types.PytestDeprecationWarning",
    "_pytest.warning_types.PytestWarning",
    "UserWarning",
    "DeprecationWarning",
    "Warning",
    "Exception",
]
_DEPRECATION = ["DeprecationWarning", "Warning", "Exception"]
_REFUSED_HANDLER = "ConnectionRefusedError: [Errno 111] Connection refused"


# -- pytest's own failures --------------------------------------------------------------------


@rule(
    Example(
        failing(
            "_pytest.pathlib.ImportPathMismatchError",
            "('test_util', '/p/a/test_util.py', PosixPath('/p/b/test_util.py'))",
            where=None,
            phase="collect",
            test="b/test_util.py",
            exc_mro=["_pytest.pathlib.ImportPathMismatchError", "ImportError", "Exception"],
            mismatch=["test_util", "/p/a/test_util.py", "/p/b/test_util.py"],
            module=None,
            node_path="b/test_util.py",
        ),
        "import.file-mismatch",
        "test_util",
        {"files": ["/p/a/test_util.py", "/p/b/test_util.py"], "node_path": "b/test_util.py"},
        message="test modules share the basename 'test_util'",
    ),
    Example(  # parsed from longrepr: only the message says it
        failing(
            "Exception",
            "import file mismatch:\nimported module 'test_util' has this __file__ attribute:",
            where=None,
            phase="collect",
            fallback=True,
        ),
        "import.file-mismatch",
        "",
        {"module": "", "files": []},
    ),
)
def file_mismatch(failure: Failure, ctx: Context) -> Match | None:
    """Two test modules share a basename (pytest's "import file mismatch")."""
    if exc_name(failure) != "ImportPathMismatchError" and "import file mismatch" not in (
        failure.message
    ):
        return None
    f = failure.facts
    module = (f.get("mismatch") or [f.get("module") or ""])[0]
    return Match(
        "import.file-mismatch",
        module,
        f"test modules share the basename {module!r}",
        FileMismatch(module=module, files=f.get("mismatch", [])[1:], node_path=f.get("node_path")),
    )


@rule(
    Example(
        failing(
            "SyntaxError",
            "invalid syntax (cart.py, line 4)",
            where="shop/cart.py:4",
            phase="collect",
            source="def total(items)",
        ),
        "other.syntax-error",
        "shop/cart.py:4",
        message="invalid syntax (cart.py, line 4)",
    ),
    Example(
        failing("IndentationError", "unexpected indent (test_x.py, line 7)", where="t.py:7"),
        "other.syntax-error",
        "t.py:7",
    ),
)
def syntax_error(failure: Failure, ctx: Context) -> Match | None:
    """A module that does not parse (an ``IndentationError`` too)."""
    if "SyntaxError" not in exc_mro(failure):
        return None
    return Match("other.syntax-error", _at(failure), details=NoDetails())


@rule(
    Example(
        failing(
            _LOOKUP_ERROR,
            "recursive dependency involving fixture 'db' detected",
            phase="setup",
            argname="db",
            recursive=True,
        ),
        "other.exception",
        "recursive:db",
    ),
)
def recursive_fixture(failure: Failure, ctx: Context) -> Match | None:
    """A fixture that depends on itself: nothing to import or rename."""
    if exc_name(failure) != "FixtureLookupError" or not failure.facts.get("recursive"):
        return None
    return Match(
        "other.exception",
        f"recursive:{failure.facts.get('argname') or ''}",
        details=OtherException(),
    )


@rule(
    Example(
        failing(
            _LOOKUP_ERROR,
            "fixture 'tmpdir_factori' not found",
            phase="setup",
            argname="tmpdir_factori",
            available=["tmp_path", "tmpdir_factory"],
            requester="test_x",
            request_path="tests/test_x.py",
            request_line=7,
        ),
        "fixture.not-found",
        "tmpdir_factori",
        {"available": ["tmp_path", "tmpdir_factory"], "requester": "test_x"},
        message="fixture 'tmpdir_factori' not found",
        path="tests/test_x.py",
        line=7,
    ),
    Example(  # parsed from longrepr: reported at the failing frame
        failing(_LOOKUP_ERROR, "fixture 'db' not found", phase="setup", argname="db"),
        "fixture.not-found",
        "db",
        {"available": [], "request_path": None},
        path="tests/test_x.py",
        line=3,
    ),
)
def fixture_not_found(failure: Failure, ctx: Context) -> Match | None:
    """A test or fixture requests a fixture that is not visible where it is requested."""
    if exc_name(failure) != "FixtureLookupError":
        return None
    f = failure.facts
    argname = f.get("argname") or ""
    return Match(
        "fixture.not-found",
        argname,
        f"fixture {argname!r} not found",
        FixtureNotFound(
            argname=argname,
            available=f.get("available", []),
            requester=f.get("requester"),
            request_path=f.get("request_path"),
            request_line=f.get("request_line"),
        ),
        path=f.get("request_path") or None,
        line=f.get("request_line") or None,
    )


@rule(
    Example(
        failing(
            "_pytest.outcomes.Failed",
            "ScopeMismatch: You tried to access the function scoped fixture tmp_path with a "
            "session scoped request object. Requesting fixture stack:\n"
            "tests/conftest.py:12:  def db(tmp_path)\n"
            "Requested fixture:\n"
            "_pytest/tmpdir.py:255:  def tmp_path(request, tmp_path_factory)",
            phase="setup",
            exc_mro=_FAILED,
        ),
        "fixture.scope-mismatch",
        "tmp_path<-db",
        {"scope": "function", "requester": "db", "requester_scope": "session"},
        message="session-scoped fixture 'db' requests function-scoped 'tmp_path'",
        path="tests/conftest.py",
        line=12,
    ),
)
def scope_mismatch(failure: Failure, ctx: Context) -> Match | None:
    """A wider-scoped fixture requests a narrower-scoped one; reported at the requester."""
    m = _SCOPE_MISMATCH.search(failure.message)
    if m is None:
        return None
    requested_scope, argname, requester_scope = m.groups()
    # Only the "Requesting fixture stack:" part: the "Requested fixture:" line after it has the
    # same shape and names the requested fixture, not the requester.
    requesters = _REQUESTED_BY.findall(failure.message.partition("Requested fixture:")[0])
    requester = requesters[-1][2] if requesters else None
    return Match(
        "fixture.scope-mismatch",
        f"{argname}<-{requester}",
        f"{requester_scope}-scoped fixture {requester!r} requests "
        f"{requested_scope}-scoped {argname!r}",
        ScopeMismatch(
            argname=argname,
            scope=requested_scope,
            requester=requester,
            requester_scope=requester_scope,
        ),
        path=requesters[-1][0] if requesters else None,
        line=int(requesters[-1][1]) if requesters else None,
    )


@rule(
    Example(
        failing(
            "_pytest.outcomes.Failed",
            'Fixture "user" called directly. Fixtures are not meant to be called directly,',
            exc_mro=_FAILED,
        ),
        "fixture.called-directly",
        "user",
        {"fixture": "user"},
    ),
)
def called_directly(failure: Failure, ctx: Context) -> Match | None:
    """A fixture function called like a function instead of requested."""
    m = _CALLED_DIRECTLY.search(failure.message)
    if m is None:
        return None
    name = m.group(1)
    return Match(
        "fixture.called-directly",
        name,
        f"fixture {name!r} called directly",
        CalledDirectly(fixture=name),
    )


# -- pytest 8/9 removals and deprecations, recognised by their symptom (fixture.removed-api) -----


def _removed_in_pytest(message: str, details: PytestRemovedApi) -> Match:
    """One issue per API for the project (its one fix changes every use)."""
    return Match("fixture.removed-api", details["api"], message, details)


@rule(
    Example(
        failing(
            "_pytest.outcomes.Failed",
            "Marks cannot be applied to fixtures.\nSee docs: https://docs.pytest.org/...",
            phase="collect",
            exc_mro=_FAILED,
        ),
        "fixture.removed-api",
        "mark-on-fixture",
        {"api": "mark-on-fixture"},
    ),
)
def mark_on_fixture(failure: Failure, ctx: Context) -> Match | None:
    """``@pytest.mark.x`` on a fixture function: an error since pytest 9."""
    msg = failure.message
    if "Marks cannot be applied to fixtures" not in msg and "marks applied to fixtures" not in msg:
        return None
    return _removed_in_pytest(
        "a mark is applied to a fixture (an error since pytest 9)",
        PytestRemovedApi(api="mark-on-fixture"),
    )


@rule(
    Example(
        failing(
            "TypeError",
            "exceptions must be derived from Warning, not <class 'NoneType'>",
            source="with pytest.warns(None):",
        ),
        "fixture.removed-api",
        "warns-none",
        {"api": "warns-none"},
    ),
)
def warns_none(failure: Failure, ctx: Context) -> Match | None:
    """``pytest.warns(None)``, removed in pytest 8."""
    if (
        exc_name(failure) != "TypeError"
        or "exceptions must be derived from Warning" not in failure.message
        or ("warns(" not in _source(failure) and "NoneType" not in failure.message)
    ):
        return None
    return _removed_in_pytest(
        "pytest.warns(None) was removed in pytest 8",
        PytestRemovedApi(api="warns-none"),
    )


@rule(
    Example(  # pytest.skip is a callable object: the message names its __call__
        failing(
            "TypeError",
            "_Skip.__call__() got an unexpected keyword argument 'msg'",
            source='pytest.skip(msg="not on CI")',
        ),
        "fixture.removed-api",
        "msg-kwarg",
        {"api": "msg-kwarg", "function": "skip"},
        message="pytest.skip(msg=...) was removed in pytest 8",
    ),
    Example(
        failing(
            "TypeError",
            "fail() got an unexpected keyword argument 'msg'",
            source='fail(msg="boom")',
        ),
        "fixture.removed-api",
        "msg-kwarg",
        {"function": "fail"},
    ),
)
def msg_kwarg(failure: Failure, ctx: Context) -> Match | None:
    """``pytest.skip/fail/exit(msg=...)``, removed in pytest 8 (``reason=`` instead)."""
    m = _UNEXPECTED_KWARG.search(failure.message)
    if exc_name(failure) != "TypeError" or m is None or m.group(2) != "msg":
        return None
    function = (m.group(1) or "").rpartition(".")[2]
    called = _PYTEST_OUTCOME_CALL.search(_source(failure))
    if function == "__call__":
        owner = (m.group(1) or "").rpartition(".")[0].lstrip("_").lower()
        function = called.group(1) if called else owner
    if function not in ("skip", "fail", "exit") and not called:
        return None
    return _removed_in_pytest(
        f"pytest.{function or 'skip'}(msg=...) was removed in pytest 8",
        PytestRemovedApi(api="msg-kwarg", function=function),
    )


RemovedPytestAttribute = Literal["pytest-config", "pytest-collect", "pytest-instance"]
# pytest's renamed methods and attributes (removed in 4.0 and 4.1), by the attribute: its new name
_PYTEST_RENAMED = {
    "funcargnames": "fixturenames",
    "getfuncargvalue": "getfixturevalue",
    "get_marker": "get_closest_marker",
}
# the ``pytest`` module's removed attributes: api, message
_PYTEST_MODULE_REMOVED: dict[str, tuple[RemovedPytestAttribute, str]] = {
    "config": ("pytest-config", "the pytest.config global was removed in pytest 5.0"),
    "collect": ("pytest-collect", "the pytest.collect module was removed in pytest 7.0"),
    "Instance": ("pytest-instance", "the pytest.Instance collector was removed in pytest 7.0"),
}


def _pytest_object(failure: Failure) -> bool:
    """The AttributeError's object is pytest's (a request, a node, a metafunc)."""
    f = failure.facts
    return any(t.startswith(("_pytest.", "pytest.")) for t in f.get("obj_mro", []))


@rule(
    Example(
        failing(
            "AttributeError",
            "'TopRequest' object has no attribute 'funcargnames'",
            source='assert "request" in request.funcargnames',
            attr="funcargnames",
            obj_kind="instance",
            obj_type="_pytest.fixtures.TopRequest",
            obj_mro=["_pytest.fixtures.TopRequest", "_pytest.fixtures.FixtureRequest"],
        ),
        "fixture.removed-api",
        "renamed:funcargnames",
        {"api": "renamed", "name": "funcargnames", "new": "fixturenames"},
        message="funcargnames was removed in pytest 4.0: fixturenames",
    ),
    Example(
        failing(
            "AttributeError",
            "module 'pytest' has no attribute 'config'",
            source='pytest.config.getoption("verbose")',
            attr="config",
            obj_kind="module",
            obj_module="pytest",
            obj_origin="installed",
        ),
        "fixture.removed-api",
        "pytest-config",
        {"api": "pytest-config"},
    ),
)
def pytest_removed_attribute(failure: Failure, ctx: Context) -> Match | None:
    """``request.funcargnames``, ``request.getfuncargvalue()``, ``node.get_marker()``,
    ``pytest.config``, ``pytest.collect``, ``pytest.Instance``: removed in pytest 4.0 to 8.0."""
    f = failure.facts
    attr = f.get("attr") or ""
    if exc_name(failure) != "AttributeError":
        return None
    if f.get("obj_kind") == "module" and f.get("obj_module") == "pytest":
        if attr not in _PYTEST_MODULE_REMOVED:
            return None
        api, message = _PYTEST_MODULE_REMOVED[attr]
        return _removed_in_pytest(message, PytestRemovedApi(api=api))
    if attr not in _PYTEST_RENAMED or not _pytest_object(failure):
        return None
    new = _PYTEST_RENAMED[attr]
    return Match(
        "fixture.removed-api",
        f"renamed:{attr}",
        f"{attr} was removed in pytest {'4.1' if attr == 'get_marker' else '4.0'}: {new}",
        PytestRemovedApi(api="renamed", name=attr, new=new),
    )


@rule(
    Example(
        failing(
            "TypeError",
            "Unexpected keyword arguments passed to pytest.raises: message\n"
            "Use context-manager form instead?",
            source='with pytest.raises(ValueError, message="no"):',
        ),
        "fixture.removed-api",
        "raises-message",
        {"api": "raises-message", "function": "raises"},
    ),
)
def raises_message(failure: Failure, ctx: Context) -> Match | None:
    """``pytest.raises(..., message=...)`` (and ``warns``), removed in pytest 5.0."""
    m = _UNEXPECTED_RAISES_KWARG.search(failure.message)
    if exc_name(failure) != "TypeError" or m is None or m.group(2) != "message":
        return None
    return _removed_in_pytest(
        f"pytest.{m.group(1)}(message=...) was removed in pytest 5.0",
        PytestRemovedApi(api="raises-message", function=m.group(1)),
    )


@rule(
    Example(
        failing(
            "AttributeError",
            "'str' object has no attribute '__name__'",
            source='@pytest.fixture("module")',
            phase="collect",
        ),
        "fixture.removed-api",
        "fixture-positional",
        {"api": "fixture-positional"},
    ),
    Example(
        failing(
            "TypeError",
            "fixture() takes from 0 to 1 positional arguments but 2 were given",
            source='@pytest.fixture("module", [1, 2])',
            phase="collect",
        ),
        "fixture.removed-api",
        "fixture-positional",
        {"api": "fixture-positional"},
    ),
)
def fixture_positional(failure: Failure, ctx: Context) -> Match | None:
    """``@pytest.fixture("module")``: positional arguments, removed in pytest 6.0 (the first
    one is now taken for the function)."""
    source = _source(failure).strip()
    if not (source.startswith("@") and "fixture(" in source):
        return None
    if exc_name(failure) == "AttributeError":
        if "object has no attribute '__name__'" not in failure.message:
            return None
    elif exc_name(failure) != "TypeError" or "positional argument" not in failure.message:
        return None
    return _removed_in_pytest(
        "positional arguments to pytest.fixture() were removed in pytest 6.0",
        PytestRemovedApi(api="fixture-positional"),
    )


# pytest 9 removed the py.path arguments of these hooks: hook -> (old argument, new argument)
_PYTEST_HOOK_PATHS = {
    "pytest_ignore_collect": ("path", "collection_path"),
    "pytest_collect_file": ("path", "file_path"),
    "pytest_pycollect_makemodule": ("path", "module_path"),
    "pytest_report_header": ("startdir", "start_path"),
    "pytest_report_collectionfinish": ("startdir", "start_path"),
}
_HOOK_ARGUMENTS = re.compile(
    r"Plugin '(?P<plugin>.+?)' for hook '(?P<hook>\w+)'\s*\n"
    r"hookimpl definition: .*\n"
    r"Argument\(s\) \{(?P<args>[^}]*)\} are declared in the hookimpl but can not be found"
)


@rule(
    Example(
        failing(
            "pluggy._manager.PluginValidationError",
            "Plugin '/p/tests/conftest.py' for hook 'pytest_collect_file'\n"
            "hookimpl definition: pytest_collect_file(path, parent)\n"
            "Argument(s) {'path'} are declared in the hookimpl but can not be found in the "
            "hookspec",
            where=None,
            phase="collect",
            test="tests",
            exc_mro=["pluggy._manager.PluginValidationError", "Exception"],
            node_path="tests",
        ),
        "fixture.removed-api",
        "hook-path-args",
        {
            "api": "hook-path-args",
            "hook": "pytest_collect_file",
            "name": "path",
            "new": "file_path",
            "plugin": "/p/tests/conftest.py",
        },
    ),
)
def hook_path_arguments(failure: Failure, ctx: Context) -> Match | None:
    """A conftest.py or plugin hook that takes the py.path argument pytest 9 removed
    (``pytest_collect_file(path, parent)``): pytest refuses to register it."""
    m = _HOOK_ARGUMENTS.search(failure.message)
    if exc_name(failure) != "PluginValidationError" or m is None:
        return None
    hook = m.group("hook")
    args = {a.strip().strip("'\"") for a in m.group("args").split(",")}
    if hook not in _PYTEST_HOOK_PATHS or args != {_PYTEST_HOOK_PATHS[hook][0]}:
        return None
    old, new = _PYTEST_HOOK_PATHS[hook]
    return _removed_in_pytest(
        f"{hook}({old}) was removed in pytest 9: the argument is {new} (a pathlib.Path)",
        PytestRemovedApi(
            api="hook-path-args", hook=hook, name=old, new=new, plugin=m.group("plugin")
        ),
    )


_IMPORTORSKIP = re.compile(r"\bimportorskip\s*\(")


@rule(
    Example(
        failing(
            "ImportError",
            "libfoo.so: cannot open shared object file",
            source='np = pytest.importorskip("fastmath")',
            phase="collect",
            module=None,
        ),
        "fixture.removed-api",
        "importorskip-import-error",
        {"api": "importorskip-import-error"},
    ),
)
def importorskip_import_error(failure: Failure, ctx: Context) -> Match | None:
    """``pytest.importorskip("m")`` of a module that is installed but fails to import with an
    ImportError: skipped before pytest 9.1, an error since (only ModuleNotFoundError skips)."""
    if exc_name(failure) != "ImportError":
        return None
    frames = [
        (f.get("source", ""), f.get("path"), f.get("line")) for f in failure.facts.get("frames", [])
    ]
    path, line = location(failure)
    calls = [(p, n) for s, p, n in frames if _IMPORTORSKIP.search(s)]
    if not calls and not _IMPORTORSKIP.search(_source(failure)):
        return None
    if calls:  # the line that called it, not the module that failed to import
        path, line = calls[-1]
    return Match(
        "fixture.removed-api",
        "importorskip-import-error",
        "pytest.importorskip() no longer skips on an ImportError (pytest 9.1): "
        f"{first_line(failure.message)}",
        PytestRemovedApi(api="importorskip-import-error"),
        path=path,
        line=line,
    )


@rule(
    Example(
        failing(
            "_pytest.outcomes.Failed",
            "'yield' keyword is allowed in fixtures, but not in tests (test_conversions)",
            where=None,
            phase="collect",
            test="tests/test_x.py",
            exc_mro=_FAILED,
            node_path="tests/test_x.py",
        ),
        "fixture.removed-api",
        "yield-tests",
        {"api": "yield-tests", "test": "test_conversions"},
    ),
)
def yield_tests(failure: Failure, ctx: Context) -> Match | None:
    """A yield test (nose's generated tests: ``yield check, a, b``), removed in pytest 4.0:
    the module no longer collects."""
    m = re.search(
        r"'yield' keyword is allowed in fixtures, but not in tests \((\w+)\)", failure.message
    )
    if m is None:
        return None
    return _removed_in_pytest(
        f"yield tests were removed in pytest 4.0 ({m.group(1)})",
        PytestRemovedApi(api="yield-tests", test=m.group(1)),
    )


@rule(
    Example(
        failing(
            "_pytest.outcomes.Failed",
            "'test_x' requested an async fixture 'client', with no plugin or hook that "
            "handled it. This is an error, as pytest does not natively support it.",
            phase="setup",
            exc_mro=_FAILED,
        ),
        "fixture.removed-api",
        "async-fixture",
        {"api": "async-fixture"},
    ),
)
def async_fixture(failure: Failure, ctx: Context) -> Match | None:
    """A sync test requests an async fixture no plugin handles: an error in pytest 9."""
    msg = failure.message
    if "requested an async fixture" not in msg and "requested async fixture" not in msg:
        return None
    return _removed_in_pytest(
        "a sync test requests an async fixture (an error in pytest 9)",
        PytestRemovedApi(api="async-fixture"),
    )


def _pytest_warning(failure: Failure) -> bool:
    """A pytest warning (its class is pytest's) raised as an error."""
    f = failure.facts
    return bool(f.get("is_warning")) and any("Pytest" in t for t in f.get("exc_mro", []))


@rule(
    Example(
        failing(
            "_pytest.warning_types.PytestRemovedIn10Warning",
            "@pytest.yield_fixture is deprecated.\nUse @pytest.fixture instead; they are the same.",
            phase="collect",
            exc_mro=_PYTEST_REMOVED_IN_10,
            is_warning=True,
        ),
        "fixture.removed-api",
        "yield-fixture",
        {"api": "yield-fixture"},
    ),
)
def yield_fixture(failure: Failure, ctx: Context) -> Match | None:
    """``@pytest.yield_fixture`` under ``-W error``."""
    if not _pytest_warning(failure) or "yield_fixture" not in failure.message:
        return None
    return _removed_in_pytest(
        "pytest.yield_fixture is deprecated", PytestRemovedApi(api="yield-fixture")
    )


@rule(
    Example(
        failing(
            "pytest.PytestRemovedIn10Warning",
            "Passing a non-Collection iterable to parametrize is deprecated.\n"
            "Test: tests/test_x.py::test_gen, argvalues type: generator\n"
            "Please convert to a list or tuple.",
            where=None,
            phase="collect",
            test="tests/test_x.py",
            exc_mro=_PYTEST_REMOVED_IN_10,
            is_warning=True,
            node_path="tests/test_x.py",
        ),
        "fixture.removed-api",
        "parametrize-iterator",
        {"api": "parametrize-iterator", "test": "tests/test_x.py::test_gen"},
    ),
)
def parametrize_iterator(failure: Failure, ctx: Context) -> Match | None:
    """``parametrize`` over a generator or another iterator, deprecated in pytest 9, under
    ``-W error``."""
    if not _pytest_warning(failure) or "non-Collection iterable to parametrize" not in (
        failure.message
    ):
        return None
    m = re.search(r"^Test: (\S+), argvalues type", failure.message, re.M)
    return _removed_in_pytest(
        "parametrize over a non-Collection iterable is deprecated (pytest 9)",
        PytestRemovedApi(api="parametrize-iterator", test=m.group(1) if m else ""),
    )


@rule(
    Example(
        failing(
            "_pytest.warning_types.PytestRemovedIn10Warning",
            "Applying a mark to a fixture function is deprecated.",
            exc_mro=_PYTEST_REMOVED_IN_10,
            is_warning=True,
        ),
        "fixture.removed-api",
        "deprecation:_pytest.warning_types.PytestRemovedIn10Warning:"
        "Applying a mark to a fixture function is deprecated.",
        {"api": "deprecation", "warning": "_pytest.warning_types.PytestRemovedIn10Warning"},
    ),
)
def pytest_deprecation(failure: Failure, ctx: Context) -> Match | None:
    """Any other pytest deprecation under ``-W error``: one issue per warning and message."""
    if not _pytest_warning(failure):
        return None
    message = first_line(failure.message)
    return Match(
        "fixture.removed-api",
        f"deprecation:{failure.exc_type}:{message}",
        message,
        PytestRemovedApi(api="deprecation", warning=failure.exc_type),
    )


@rule(
    Example(
        failing(
            "AttributeError",
            "'TestCart' object has no attribute 'cart'",
            test="tests/test_cart.py::TestCart::test_total",
            attr="cart",
            obj_kind="instance",
            test_class="TestCart",
            class_is_unittest=False,
            nose_methods=["setup"],
            nose_assigns=["cart"],
        ),
        "fixture.removed-api",
        "nose-setup",
        {"api": "nose-setup", "test_class": "TestCart", "methods": ["setup"]},
    ),
)
def nose_setup(failure: Failure, ctx: Context) -> Match | None:
    """A test class's nose-style ``setup()`` no longer runs (pytest 8), or its ``setUp()``,
    ``setupClass()``... never did (not a unittest.TestCase): its test reads what that method
    would have assigned."""
    f = failure.facts
    if (
        exc_name(failure) != "AttributeError"
        or f.get("obj_kind") != "instance"
        or not f.get("nose_methods")
        or f.get("class_is_unittest")
        or (f.get("attr") not in f.get("nose_assigns", []) and f.get("nose_assigns"))
    ):
        return None
    return _removed_in_pytest(
        _nose_message([*f.get("nose_methods", [])]),
        PytestRemovedApi(
            api="nose-setup", test_class=f.get("test_class"), methods=f.get("nose_methods")
        ),
    )


def _nose_message(methods: list[str]) -> str:
    """What the issue says: pytest 8 removed its support for nose's ``setup()``/``teardown()``;
    nose's other names (``setUp`` in a plain class, ``setupClass``, ``setupModule``...) pytest
    never called."""
    if set(methods) <= {"setup", "teardown"}:
        return "nose-style setup()/teardown() methods are no longer called (removed in pytest 8)"
    named = ", ".join(f"{m}()" for m in methods)
    return f"nose-style setup/teardown methods ({named}) are not called by pytest (nose ran them)"


# Exceptions that say something else is wrong, whatever the nose methods around them.
_NOT_NOSE = frozenset(
    {"ImportError", "ModuleNotFoundError", "NameError", "SyntaxError", "UnboundLocalError"}
)


@rule(
    Example(
        failing(
            "AssertionError",
            "assert 3 == 5",
            test="tests/test_queue.py::TestQueue::test_size",
            node_class="TestQueue",
            node_is_unittest=False,
            node_nose=[
                {
                    "method": "setup",
                    "cls": "QueueCase",
                    "module": "tests.base",
                    "path": "tests/base.py",
                    "assigns": ["queue"],
                }
            ],
        ),
        "fixture.removed-api",
        "nose-setup",
        {
            "api": "nose-setup",
            "test_class": "TestQueue",
            "methods": ["setup"],
            "owners": [
                {
                    "method": "setup",
                    "cls": "QueueCase",
                    "module": "tests.base",
                    "path": "tests/base.py",
                    "assigns": ["queue"],
                }
            ],
            "module_methods": [],
        },
    ),
    Example(
        failing(
            "FileNotFoundError",
            "[Errno 2] No such file or directory: '/tmp/repo/clean/'",
            test="tests/test_repo.py::test_clean",
            module_nose=["setup", "teardown"],
        ),
        "fixture.removed-api",
        "nose-setup",
        {
            "api": "nose-setup",
            "test_class": None,
            "methods": [],
            "owners": [],
            "module_methods": ["setup", "teardown"],
        },
    ),
    Example(  # nose's camelCase name in a plain base class, which pytest never called
        failing(
            "AttributeError",
            "'TestItems' object has no attribute 'items'",
            test="tests/test_items.py::TestItems::test_len",
            attr="items",
            obj_kind="instance",
            node_class="TestItems",
            node_is_unittest=False,
            node_nose=[
                {
                    "method": "setUp",
                    "cls": "BaseTestCase",
                    "module": "tests.base",
                    "path": "tests/base.py",
                    "assigns": ["items"],
                }
            ],
        ),
        "fixture.removed-api",
        "nose-setup",
        {
            "api": "nose-setup",
            "test_class": "TestItems",
            "methods": ["setUp"],
            "owners": [
                {
                    "method": "setUp",
                    "cls": "BaseTestCase",
                    "module": "tests.base",
                    "path": "tests/base.py",
                    "assigns": ["items"],
                }
            ],
            "module_methods": [],
        },
        message="nose-style setup/teardown methods (setUp()) are not called by pytest (nose ran "
        "them)",
    ),
    Example(  # a name the module's setup() declares global, so never bound
        failing(
            "NameError",
            "name 'master_path' is not defined",
            test="tests/test_no_remotes.py::test_no_remotes",
            name="master_path",
            module_nose=["setup"],
            module_nose_globals=["master_path"],
        ),
        "fixture.removed-api",
        "nose-setup",
        {"api": "nose-setup", "owners": [], "module_methods": ["setup"]},
    ),
    Example(  # an attribute a test package's setup_package() would have set (nose ran it)
        failing(
            "AttributeError",
            "module 'tests' has no attribute 'SERVER'",
            test="tests/test_api.py::test_get",
            attr="SERVER",
            obj_kind="module",
            obj_module="tests",
            package_nose=[
                {"path": "tests/__init__.py", "methods": ["setup_package"], "globals": ["SERVER"]}
            ],
        ),
        "fixture.removed-api",
        "nose-setup",
        {
            "api": "nose-setup",
            "owners": [],
            "module_methods": [],
            "packages": [
                {"path": "tests/__init__.py", "methods": ["setup_package"], "globals": ["SERVER"]}
            ],
        },
        message="nose-style setup/teardown methods (setup_package()) are not called by pytest "
        "(nose ran them)",
    ),
)
def nose_symptom(failure: Failure, ctx: Context) -> Match | None:
    """A test whose class (its own or an inherited method: a base class in another module
    counts) or module has a nose-style setup or teardown pytest does not call (``setup()``/
    ``teardown()``, no longer called since pytest 8; ``setUp()`` in a class that is not a
    unittest.TestCase, ``setupClass()``, ``setupModule()`` and nose's other names, never):
    what it fails with (an assertion, an attribute ``setup`` would have set, a name it
    declares ``global``, a file it would have made, a teardown error) is that one root cause
    until the methods run again."""
    f = failure.facts
    owners = [] if f.get("node_is_unittest") else f.get("node_nose", [])
    module = f.get("module_nose", [])
    packages = f.get("package_nose", [])
    if failure.when not in ("call", "teardown") or not (owners or module or packages):
        return None
    if exc_name(failure) in _NOT_NOSE and not _nose_global(failure, owners):
        return None
    if exc_name(failure) == "AttributeError" and not _nose_attribute(f, packages):
        return None  # an attribute of a module or a class: a removed API, not a lost setup
    methods = sorted({o["method"] for o in owners}, reverse=True)
    details = PytestRemovedApi(
        api="nose-setup",
        test_class=f.get("node_class"),
        methods=methods,
        owners=list(owners),
        module_methods=list(module),
    )
    if packages:
        details["packages"] = list(packages)
    named = [m for p in packages for m in p["methods"]]
    return _removed_in_pytest(_nose_message([*methods, *module, *named]), details)


def _nose_attribute(f: Facts, packages: list[NosePackage]) -> bool:
    """Whether an AttributeError is one a nose setup would have prevented: an instance's
    attribute, or one of the package a package-level setup did not run in (``tests.SERVER``
    that ``setup_package()`` binds with ``global SERVER``)."""
    if f.get("obj_kind") in (None, "instance"):
        return True
    names = {p["path"].removesuffix("/__init__.py").replace("/", ".") for p in packages}
    module = f.get("obj_module") or ""
    return f.get("obj_kind") == "module" and any(
        module == n or module.endswith(f".{n}") for n in names
    )


def _nose_global(failure: Failure, owners: list[NoseOwner]) -> bool:
    """A NameError on a name a nose method declares ``global`` (``global numpy; import numpy``
    in a ``setupClass``, a module's ``setup()``): the method would have bound it."""
    f = failure.facts
    declared = {g for o in owners for g in o.get("globals", [])}
    declared |= set(f.get("module_nose_globals", []))
    declared |= {g for p in f.get("package_nose", []) for g in p.get("globals", [])}
    return exc_name(failure) == "NameError" and f.get("name") in declared


# -- removed APIs the migration catalogue knows (environment.removed-api), first met as ... -----


def _removed_api(message: str, details: RemovedApi) -> Match:
    """One issue per API."""
    return Match("environment.removed-api", details["api"], message, details)


def _deprecated_api(failure: Failure, ctx: Context) -> Migration | None:
    """The catalogue entry a deprecation warning is about: its name in the failing line, and
    its module there or in the warning's text (a bare name alone, ``format`` or ``float``,
    says nothing about whose it is)."""
    source = _source(failure)
    for migration in ctx.catalogue.migrations:
        if migration.kind not in ("attribute", "method"):
            continue
        name = migration.api.rpartition(".")[2]
        if re.search(rf"\b{re.escape(name)}\b", source) and _whose(migration, failure):
            return migration
    return None


def _whose(migration: Migration, failure: Failure) -> bool:
    """Whether the deprecation is ``migration``'s: for a module attribute, the failing line
    reads it from the module (``configparser.SafeConfigParser``, an alias of the module,
    ``from configparser import ...``, a name from-imported from it) or the warning's text names
    it with its module; for a method, the module issued the warning or its text names the
    class or the module."""
    module, name = migration.module, migration.name
    source, text = _source(failure), failure.message
    bound = failure.facts.get("line_modules") or {}
    if migration.kind == "method":
        owner = migration.api.rsplit(".", 2)[1]
        warned = str(failure.facts.get("warned_from") or "")
        return (
            _within(warned, module)
            or re.search(rf"\b{re.escape(owner)}\b", text) is not None
            or re.search(rf"\b{re.escape(module)}\b", text) is not None
        )
    spelled = [re.escape(module), *(re.escape(a) for a, m in bound.items() if m == module)]
    reads = rf"(?<![\w.])(?:{'|'.join(spelled)})\.{re.escape(name)}\b"
    if re.search(reads, source) or re.search(reads, text):
        return True
    if re.search(rf"^\s*from\s+{re.escape(module)}\s+import\b.*\b{re.escape(name)}\b", source):
        return True
    return bound.get(name) == module


def _within(module: str, package: str) -> bool:
    """``module`` is ``package`` or under its top-level package (``unittest.case`` for
    ``unittest``, ``numpy.core`` for ``numpy.lib``)."""
    top = package.partition(".")[0]
    return bool(module) and (module == top or module.startswith(top + "."))


_DEPRECATED = re.compile(r"\bdeprecat", re.IGNORECASE)


def _deprecation_warning(failure: Failure) -> bool:
    """A deprecation warning: its class, or a ``FutureWarning`` that says so."""
    mro = exc_mro(failure)
    if "DeprecationWarning" in mro or "PendingDeprecationWarning" in mro:
        return True
    return "FutureWarning" in mro and _DEPRECATED.search(failure.message) is not None


@rule(
    Example(
        failing(
            "DeprecationWarning",
            "The SafeConfigParser class has been renamed to ConfigParser in Python 3.2.",
            source="parser = configparser.SafeConfigParser()",
            exc_mro=_DEPRECATION,
            is_warning=True,
        ),
        "environment.removed-api",
        "configparser.SafeConfigParser",
        {"form": "deprecation", "name": "SafeConfigParser"},
    ),
    Example(  # pandas announced its removals with FutureWarning
        failing(
            "FutureWarning",
            "iteritems is deprecated and will be removed in a future version. Use .items instead.",
            source="for name, column in frame.iteritems():",
            exc_mro=["FutureWarning", "Warning", "Exception"],
            is_warning=True,
            warned_from="pandas.core.frame",
        ),
        "environment.removed-api",
        "pandas.DataFrame.iteritems",
        {"form": "deprecation", "name": "iteritems"},
    ),
)
def deprecated_api(failure: Failure, ctx: Context) -> Match | None:
    """... a deprecation warning raised as an error (``-W error``): a catalogue entry still
    present in this version, removed in a later one, named in the failing line. The warning is
    a ``DeprecationWarning`` or ``PendingDeprecationWarning`` (or a library's subclass), or a
    ``FutureWarning`` whose text says it is a deprecation (pandas, scikit-learn: their
    ``FutureWarning`` also announces changes of behaviour, which no entry migrates)."""
    if not failure.facts.get("is_warning") or not _deprecation_warning(failure):
        return None
    migration = _deprecated_api(failure, ctx)
    if migration is None:
        return None
    return _removed_api(
        f"{migration.api} is deprecated (removed in {migration.removed_in})",
        RemovedApi(api=migration.api, name=migration.name, form="deprecation"),
    )


# -- a module that cannot be imported --------------------------------------------------------


def _module_error(failure: Failure) -> bool:
    """``import m`` failed: a ModuleNotFoundError, or an ImportError that names no name."""
    short = exc_name(failure)
    return short == "ModuleNotFoundError" or (
        short == "ImportError" and failure.facts.get("import_name") is None
    )


def _missing_module(failure: Failure) -> tuple[str, str] | None:
    """The module a module error names and its top-level package."""
    if not _module_error(failure):
        return None
    module = failure.facts.get("module") or ""
    top = module.partition(".")[0]
    return (module, top) if top else None


@rule(
    Example(  # a fallback import in an except clause: not a refused connection
        failing(
            "ImportError",
            "attempted relative import with no known parent package",
            source="from .local import settings",
            module=None,
            chain=[{"exc_type": "ConnectionRefusedError", "message": _REFUSED_HANDLER}],
            refused=True,
            address={"host": "localhost", "port": 6379},
        ),
        "other.exception",
        "ImportError@tests/test_x.py:3",
        {"exc_type": "ImportError"},
    ),
)
def import_without_module(failure: Failure, ctx: Context) -> Match | None:
    """An ImportError that names no module ("attempted relative import with no known parent
    package"): nothing to look for, whatever else the exception chain holds."""
    if not _module_error(failure) or (failure.facts.get("module") or "").partition(".")[0]:
        return None
    return Match(
        "other.exception",
        f"{failure.exc_type}@{_at(failure)}",
        details=OtherException(exc_type=failure.exc_type),
    )


# test-era tools that no longer install or import, by their top-level module
_DEAD_PACKAGES = frozenset({"nose"})
_IMPORTS_DEAD = re.compile(r"^\s*(?:from\s+(nose)[\s.]|import\s+(?:[\w.]+\s*,\s*)*(nose)\b)")


def _dead_package(failure: Failure) -> str | None:
    """The dead package a failure is about: the module that failed is it, or the failing
    project line imports it and the failure came from inside it (nose on Python 3.12 fails
    on ``import imp``, on 3.10+ on ``collections.Callable``)."""
    found = _missing_module(failure)
    if found is not None and found[1] in _DEAD_PACKAGES:
        return None if failure.facts.get("origin") == "project" else found[1]
    m = _IMPORTS_DEAD.match(_source(failure))
    if m is None:
        return None
    if found is not None or "AttributeError" in exc_mro(failure):
        return m.group(1) or m.group(2)
    return None


@rule(
    Example(
        failing(
            "ModuleNotFoundError",
            "No module named 'nose'",
            source="from nose.tools import assert_equal",
            phase="collect",
            module="nose",
            origin="missing",
        ),
        "environment.dead-package",
        "nose",
        {"package": "nose", "module": "nose"},
        message="nose is not installed, and no longer works (Python 3.12 removed imp, which it "
        "imports): its uses can be migrated to pytest",
    ),
    Example(  # nose installed on Python 3.12: it imports imp
        failing(
            "ModuleNotFoundError",
            "No module named 'imp'",
            source="from nose.tools import eq_, ok_",
            phase="collect",
            module="imp",
            origin="missing",
        ),
        "environment.dead-package",
        "nose",
        {"package": "nose", "module": "imp"},
    ),
)
def dead_package(failure: Failure, ctx: Context) -> Match | None:
    """... ``import nose``: a test-era tool that no longer works, to migrate rather than
    install."""
    package = _dead_package(failure)
    if package is None:
        return None
    module = (failure.facts.get("module") or "") or package
    return Match(
        "environment.dead-package",
        package,
        f"{package} is not installed, and no longer works (Python 3.12 removed imp, which it "
        "imports): its uses can be migrated to pytest",
        DeadPackage(package=package, module=module),
    )


@rule(
    Example(
        failing("ModuleNotFoundError", "No module named 'imp'", module="imp", origin="missing"),
        "environment.removed-api",
        "imp",
        {"form": "module", "module": "imp"},
        message="module 'imp' is gone (Python 3.12)",
    ),
    Example(  # pandas is installed; the catalogue's entry for pandas.tslib names what it held
        failing(
            "ModuleNotFoundError",
            "No module named 'pandas.tslib'",
            source="from pandas.tslib import Timestamp",
            module="pandas.tslib",
            origin="installed",
        ),
        "environment.removed-api",
        "pandas.tslib",
        {"form": "module", "module": "pandas.tslib"},
        message="module 'pandas.tslib' is gone (pandas 0.24)",
    ),
)
def removed_module(failure: Failure, ctx: Context) -> Match | None:
    """... ``import m`` of a module the catalogue says is gone (not a project module): a module
    entry; or, for a submodule of a package that is there (``pandas.tslib``, pandas installed),
    the catalogue's entry of that name or its entries for the module's names."""
    found = _missing_module(failure)
    origin = failure.facts.get("origin")
    if found is None or origin == "project":
        return None
    module = found[0]
    present = origin in ("installed", "stdlib")
    migration = ctx.catalogue.missing_module(module) if present else ctx.catalogue.module(module)
    if migration is None:
        return None
    return _removed_api(
        f"module {module!r} is gone ({migration.removed_in})",
        RemovedApi(api=migration.api, module=module, form="module"),
    )


@rule(
    Example(
        failing(
            "ModuleNotFoundError",
            "No module named 'shop.pricing'",
            module="shop.pricing",
            origin="project",
        ),
        "import.module-not-found",
        "shop.pricing",
        {"origin": "project"},
        project_modules=frozenset({"shop"}),
    ),
    Example(  # not found where the test ran from, but the project has a top-level "shop"
        failing("ModuleNotFoundError", "No module named 'shop'", module="shop", origin="missing"),
        "import.module-not-found",
        "shop",
        {"origin": "project"},
        project_modules=frozenset({"shop"}),
    ),
)
def project_module_not_found(failure: Failure, ctx: Context) -> Match | None:
    """A project module (renamed, moved, or not on the path)."""
    found = _missing_module(failure)
    if found is None:
        return None
    module, top = found
    if failure.facts.get("origin") != "project" and top not in ctx.project_modules:
        return None
    return Match(
        "import.module-not-found",
        module,
        f"no module named {module!r}",
        ModuleNotFound(module=module, origin="project"),
    )


@rule(
    Example(
        failing(
            "ModuleNotFoundError",
            "No module named 'requests.packages.urllib3.contrib.pyopenssl'",
            module="requests.packages.urllib3.contrib.pyopenssl",
            origin="installed",
        ),
        "import.module-not-found",
        "requests.packages.urllib3.contrib.pyopenssl",
        {"origin": "installed"},
    ),
)
def library_submodule_not_found(failure: Failure, ctx: Context) -> Match | None:
    """A submodule an installed library (or the standard library) no longer has."""
    found = _missing_module(failure)
    origin = failure.facts.get("origin")
    if found is None or (origin != "installed" and origin != "stdlib"):
        return None
    module = found[0]
    return Match(
        "import.module-not-found",
        module,
        f"no module named {module!r}",
        ModuleNotFound(module=module, origin=origin),
    )


@rule(
    Example(
        failing("ModuleNotFoundError", "No module named 'colections'", module="colections"),
        "import.module-not-found",
        "colections",
        {"origin": "misspelled", "candidates": ["collections", "_collections"]},
        message="no module named 'colections' (did you mean 'collections' or '_collections'?)",
    ),
    Example(
        failing("ModuleNotFoundError", "No module named 'shopp'", module="shopp"),
        "import.module-not-found",
        "shopp",
        {"candidates": ["shop"]},
        project_modules=frozenset({"shop"}),
    ),
)
def misspelled_module(failure: Failure, ctx: Context) -> Match | None:
    """A module name close to a project module's or a standard library module's."""
    found = _missing_module(failure)
    if found is None:
        return None
    module, top = found
    names = sorted(ctx.project_modules | set(sys.stdlib_module_names))
    close = difflib.get_close_matches(top, names, n=3, cutoff=0.8)
    if not close:
        return None
    return Match(
        "import.module-not-found",
        module,
        f"no module named {module!r} (did you mean {' or '.join(map(repr, close))}?)",
        ModuleNotFound(module=module, origin="misspelled", candidates=close),
    )


@rule(
    Example(
        failing(
            "ModuleNotFoundError",
            "No module named 'yaml'",
            module="yaml",
            origin="missing",
            top_level="yaml",
        ),
        "environment.missing-package",
        "yaml",
        {"module": "yaml", "top_level": "yaml"},
        message="package providing 'yaml' is not installed",
    ),
)
def missing_package(failure: Failure, ctx: Context) -> Match | None:
    """Any other missing module: a distribution that is not installed."""
    found = _missing_module(failure)
    if found is None:
        return None
    module, top = found
    return Match(
        "environment.missing-package",
        top,
        f"package providing {top!r} is not installed",
        MissingPackage(module=module, top_level=top),
    )


# -- names and attributes --------------------------------------------------------------------


def _removed_name(
    module: str, name: str, msg: str, ctx: Context, form: RemovedForm
) -> Match | None:
    """``module.name`` (imported or read as an attribute) of a library that no longer has it:
    the catalogue knows it, or the library's own message says it was removed."""
    migration = ctx.catalogue.attribute(module, name)
    if migration is None and not _REMOVED_WORDS.search(msg):
        return None
    api = f"{module}.{name}"
    when = f" in {migration.removed_in}" if migration else ""
    return _removed_api(
        f"{api} was removed{when}", RemovedApi(api=api, module=module, name=name, form=form)
    )


def _imported_name(failure: Failure) -> tuple[str, str] | None:
    """``from module import name`` failed on ``name``: the module and the name."""
    name = failure.facts.get("import_name")
    if "ImportError" not in exc_mro(failure) or not name:
        return None
    return failure.facts.get("module") or "", name


@rule(
    Example(
        failing(
            "ImportError",
            "cannot import name 'Mapping' from 'collections'",
            module="collections",
            import_name="Mapping",
            origin="stdlib",
        ),
        "environment.removed-api",
        "collections.Mapping",
        {"form": "import", "module": "collections", "name": "Mapping"},
        message="collections.Mapping was removed in Python 3.10",
    ),
    Example(  # not catalogued, but the library says so
        failing(
            "ImportError",
            "cannot import name 'soft_bytes' from 'markupsafe': it was removed",
            module="markupsafe",
            import_name="soft_bytes",
            origin="installed",
        ),
        "environment.removed-api",
        "markupsafe.soft_bytes",
        {"form": "import"},
        message="markupsafe.soft_bytes was removed",
    ),
)
def removed_import(failure: Failure, ctx: Context) -> Match | None:
    """... ``from library import name`` of a removed name."""
    found = _imported_name(failure)
    if found is None or failure.facts.get("origin") == "project":
        return None
    module, name = found
    return _removed_name(module, name, failure.message, ctx, "import")


@rule(
    Example(
        failing(
            "ImportError",
            "cannot import name 'make_user' from 'shop.factories' (/p/shop/factories.py)",
            module="shop.factories",
            import_name="make_user",
            origin="project",
            module_path="shop/factories.py",
        ),
        "import.name-not-found",
        "shop.factories.make_user",
        {"module": "shop.factories", "name": "make_user", "module_path": "shop/factories.py"},
        message="cannot import name 'make_user' from 'shop.factories'",
    ),
)
def name_not_found(failure: Failure, ctx: Context) -> Match | None:
    """``from module import name`` where the module exists and the name does not."""
    found = _imported_name(failure)
    if found is None:
        return None
    module, name = found
    f = failure.facts
    return Match(
        "import.name-not-found",
        f"{module}.{name}",
        f"cannot import name {name!r} from {module!r}",
        NameNotFound(
            module=module, name=name, origin=f.get("origin"), module_path=f.get("module_path")
        ),
    )


@rule(
    Example(
        failing("NameError", "name 'make_user' is not defined", name="make_user"),
        "import.name-undefined",
        "make_user",
        {"name": "make_user"},
    ),
)
def name_undefined(failure: Failure, ctx: Context) -> Match | None:
    """A ``NameError``: often a missing import or a renamed helper."""
    name = failure.facts.get("name")
    if exc_name(failure) != "NameError" or not name:
        return None
    return Match(
        "import.name-undefined", name, f"name {name!r} is not defined", NameUndefined(name=name)
    )


def _module_attribute(failure: Failure) -> tuple[str, str] | None:
    """``module.attr`` raised AttributeError: the module and the attribute."""
    f = failure.facts
    attr = f.get("attr")
    if "AttributeError" not in exc_mro(failure) or not attr or f.get("obj_kind") != "module":
        return None
    return f.get("obj_module") or "", attr


@rule(
    Example(
        failing(
            "AttributeError",
            "module 'shop.pricing' has no attribute 'totl'",
            attr="totl",
            obj_kind="module",
            obj_module="shop.pricing",
            obj_origin="project",
            obj_path="shop/pricing.py",
        ),
        "import.name-not-found",
        "shop.pricing.totl",
        {"form": "attribute", "origin": "project", "module_path": "shop/pricing.py"},
    ),
)
def project_attribute_missing(failure: Failure, ctx: Context) -> Match | None:
    """``module.name`` of a project module that has no such name."""
    found = _module_attribute(failure)
    if found is None or failure.facts.get("obj_origin") != "project":
        return None
    module, attr = found
    return Match(
        "import.name-not-found",
        f"{module}.{attr}",
        f"module {module!r} has no attribute {attr!r}",
        NameNotFound(
            module=module,
            name=attr,
            origin="project",
            form="attribute",
            module_path=failure.facts.get("obj_path"),
        ),
    )


@rule(
    Example(
        failing(
            "AttributeError",
            "module 'collections' has no attribute 'Mapping'",
            attr="Mapping",
            obj_kind="module",
            obj_module="collections",
            obj_origin="stdlib",
        ),
        "environment.removed-api",
        "collections.Mapping",
        {"form": "attribute", "module": "collections", "name": "Mapping"},
    ),
    Example(  # NumPy 2's module __getattr__: the message says it was removed
        failing(
            "AttributeError",
            "`np.NaN` was removed in the NumPy 2.0 release. Use `np.nan` instead.",
            attr="NaN",
            obj_kind="module",
            obj_module="numpy",
            obj_origin="installed",
        ),
        "environment.removed-api",
        "numpy.NaN",
        {"form": "attribute"},
    ),
    Example(  # known to neither: one issue wherever it surfaced
        failing(
            "AttributeError",
            "module 'numpy' has no attribute 'product_of'",
            attr="product_of",
            obj_kind="module",
            obj_module="numpy",
            obj_origin="installed",
        ),
        "environment.removed-api",
        "numpy.product_of",
        {"api": "numpy.product_of", "form": "attribute", "module": "numpy", "name": "product_of"},
        message="module 'numpy' has no attribute 'product_of'",
    ),
)
def removed_attribute(failure: Failure, ctx: Context) -> Match | None:
    """... ``library.name`` of a removed name: the catalogue knows it, the library says it was
    removed, or neither (a removal nobody has catalogued yet, or a misspelling: the fixer's
    suggestion names the close names). One issue per name wherever it surfaced, so the tests
    reading ``numpy.foo`` on ten lines are one issue."""
    found = _module_attribute(failure)
    origin = failure.facts.get("obj_origin")
    if found is None or origin == "project":
        return None
    module, attr = found
    known = _removed_name(module, attr, failure.message, ctx, "attribute")
    if known is not None or origin not in ("installed", "stdlib"):
        return known
    return _removed_api(
        f"module {module!r} has no attribute {attr!r}",
        RemovedApi(api=f"{module}.{attr}", module=module, name=attr, form="attribute"),
    )


@rule(
    Example(
        failing(
            "AttributeError",
            "'DataFrame' object has no attribute 'iteritems'",
            attr="iteritems",
            obj_kind="instance",
            obj_type="pandas.core.frame.DataFrame",
            obj_mro=["pandas.core.frame.DataFrame", "pandas.core.generic.NDFrame"],
        ),
        "environment.removed-api",
        "pandas.DataFrame.iteritems",
        {"form": "method", "name": "iteritems"},
        message="pandas.DataFrame.iteritems was removed in pandas 2.0",
    ),
)
def removed_method(failure: Failure, ctx: Context) -> Match | None:
    """... ``obj.method`` of a library class that no longer has it."""
    f = failure.facts
    attr = f.get("attr")
    if "AttributeError" not in exc_mro(failure) or not attr or f.get("obj_kind") == "module":
        return None
    migration = ctx.catalogue.method(f.get("obj_mro", []), attr)
    if migration is None:
        return None
    return _removed_api(
        f"{migration.api} was removed in {migration.removed_in}",
        RemovedApi(api=migration.api, name=attr, form="method"),
    )


@rule(
    Example(
        failing(
            "TypeError",
            "read_csv() got an unexpected keyword argument 'squeeze'",
            source='df = pd.read_csv("a.csv", squeeze=True)',
        ),
        "environment.removed-api",
        "pandas.read_csv.squeeze",
        {"form": "kwarg"},
        message="read_csv(squeeze=...) was removed in pandas 2.0",
    ),
)
def removed_kwarg(failure: Failure, ctx: Context) -> Match | None:
    """... a keyword argument a library function no longer takes."""
    m = _UNEXPECTED_KWARG.search(failure.message)
    if exc_name(failure) != "TypeError" or m is None:
        return None
    function, kwarg = m.group(1) or "", m.group(2)
    migration = ctx.catalogue.kwarg(function, kwarg, _source(failure))
    if migration is None:
        return None
    return _removed_api(
        f"{function}({kwarg}=...) was removed in {migration.removed_in}",
        RemovedApi(api=migration.api, form="kwarg"),
    )


@rule(
    Example(
        failing(
            "sqlalchemy.exc.ObjectNotExecutableError",
            "Not an executable object: 'select 1'",
            source='conn.execute("select 1")',
        ),
        "environment.removed-api",
        "sqlalchemy.engine.Connection.execute",
        {"form": "call"},
    ),
)
def removed_call_form(failure: Failure, ctx: Context) -> Match | None:
    """... a call form a library no longer accepts (a catalogue entry's ``detect`` regex
    matches ``"ExcType: message"``)."""
    called = ctx.catalogue.detected(f"{failure.exc_type}: {failure.message}")
    if called is None:
        return None
    return _removed_api(
        f"{called.api}: {first_line(failure.message)[:120]} (changed in {called.removed_in})",
        RemovedApi(api=called.api, form="call"),
    )


# -- the environment -------------------------------------------------------------------------


@rule(
    Example(
        failing("KeyError", "'DATABASE_URL'", env_var="DATABASE_URL"),
        "environment.missing-env-var",
        "DATABASE_URL",
        {"name": "DATABASE_URL"},
        message="environment variable 'DATABASE_URL' is not set",
    ),
)
def missing_env_var(failure: Failure, ctx: Context) -> Match | None:
    """``os.environ[NAME]`` raised KeyError."""
    var = failure.facts.get("env_var")
    if not var:
        return None
    return Match(
        "environment.missing-env-var",
        var,
        f"environment variable {var!r} is not set",
        MissingEnvVar(name=var),
    )


@rule(
    Example(
        failing(
            "redis.exceptions.ConnectionError",
            "Error 111 connecting to localhost:6379. Connection refused.",
            refused=True,
            address={"host": "localhost", "port": 6379},
        ),
        "environment.service-unavailable",
        "localhost:6379",
        {"host": "localhost", "port": 6379},
    ),
)
def service_unavailable(failure: Failure, ctx: Context) -> Match | None:
    """A refused connection anywhere in the exception chain."""
    f = failure.facts
    if not f.get("refused"):
        return None
    address = f.get("address") or {}
    where = f"{address.get('host', '?')}:{address.get('port', '?')}"
    return Match(
        "environment.service-unavailable",
        where,
        f"connection refused by {where}",
        ServiceUnavailable(host=address.get("host"), port=address.get("port")),
    )


@rule(
    Example(
        failing(
            "FileNotFoundError",
            "[Errno 2] No such file or directory: 'data/prices.csv'",
            filename="data/prices.csv",
            absolute=False,
            cwd=".",
            exists_relative_to=["tests/data/prices.csv"],
        ),
        "environment.file-not-found",
        "data/prices.csv@tests/test_x.py",
        {"cwd": ".", "exists_relative_to": ["tests/data/prices.csv"]},
    ),
)
def file_not_found(failure: Failure, ctx: Context) -> Match | None:
    """A relative path that only works from one working directory."""
    f = failure.facts
    filename = f.get("filename")
    if exc_name(failure) != "FileNotFoundError" or not filename or f.get("absolute"):
        return None
    return Match(
        "environment.file-not-found",
        f"{filename}@{location(failure)[0]}",
        f"{filename!r} not found from the working directory {f.get('cwd')!r}",
        FileNotFound(
            filename=filename, cwd=f.get("cwd"), exists_relative_to=f.get("exists_relative_to", [])
        ),
    )


# -- a failure that stands for another error -----------------------------------------------------


_GETARGSPEC = failing(
    "AttributeError",
    "module 'inspect' has no attribute 'getargspec'",
    source="funcargs, varargs, varkwargs, defaults = inspect.getargspec(func)",
    where="jsonrpc/utils.py:72",
    attr="getargspec",
    obj_kind="module",
    obj_module="inspect",
    obj_origin="stdlib",
).facts


@rule(
    Example(  # a `finally` block yields a local its try never bound, the AttributeError unwinding
        failing(
            "UnboundLocalError",
            "cannot access local variable 'output' where it is not associated with a value",
            source="yield output",
            where="jsonrpc/manager.py:135",
            masked=_GETARGSPEC,
        ),
        "environment.removed-api",
        "inspect.getargspec",
        {"api": "inspect.getargspec", "form": "attribute"},
        path="jsonrpc/utils.py",
        line=72,
    ),
    Example(  # `raise ... from err`: the error it names
        failing(
            "myapp.ConfigError",
            "bad settings",
            masked=failing(
                "ModuleNotFoundError",
                "No module named 'yaml'",
                module="yaml",
                origin="missing",
                top_level="yaml",
            ).facts,
        ),
        "environment.missing-package",
        "yaml",
    ),
)
def masked_error(failure: Failure, ctx: Context) -> Match | None:
    """A failure that stands for another error (capture's ``masked``: the one ``raise ... from``
    names, or the one a failing ``finally`` block was running for), when the rules know that
    error as an issue of the import, fixture or environment kind: it is that issue, reported
    where that error was raised, so that the issue's fix has this test among its targets and its
    rerun shows it passing."""
    facts = failure.facts.get("masked")
    if not facts:
        return None
    frame = facts.get("frame")
    inner = Failure(
        nodeid=failure.nodeid,
        when=failure.when,
        exc_type=str(facts.get("exc_type") or "Exception"),
        message=str(facts.get("message") or ""),
        facts={**facts, "when": failure.when},
        frame=Frame(**frame) if frame else None,
    )
    found = next(
        (m for each in (*ctx.rules, *RULES) if (m := each.match(inner, ctx)) is not None), None
    )
    if found is None or found.code.startswith("other."):
        return None
    if found.path is None:
        path, line = location(inner)
        found = dataclasses.replace(found, path=path, line=line)
    return found


# -- everything else -------------------------------------------------------------------------


@rule(
    Example(
        failing("AssertionError", "assert 3 == 4"),
        "other.assertion",
        "tests/test_x.py::test_x@tests/test_x.py:3",
    ),
    Example(  # a subclass (pytest-check, numpy.testing) is an assertion too
        failing("numpy.testing.AssertionError", "Arrays are not equal", exc_mro=["AssertionError"]),
        "other.assertion",
        "tests/test_x.py::test_x@tests/test_x.py:3",
    ),
)
def assertion(failure: Failure, ctx: Context) -> Match | None:
    """A failed assertion: one issue per test and place."""
    if "AssertionError" not in exc_mro(failure):
        return None
    return Match("other.assertion", f"{failure.nodeid}@{_at(failure)}", details=NoDetails())


RULES: tuple[Rule, ...] = (
    file_mismatch,
    syntax_error,
    recursive_fixture,
    fixture_not_found,
    scope_mismatch,
    called_directly,
    mark_on_fixture,
    warns_none,
    msg_kwarg,
    pytest_removed_attribute,
    raises_message,
    fixture_positional,
    hook_path_arguments,
    importorskip_import_error,
    yield_tests,
    async_fixture,
    yield_fixture,
    parametrize_iterator,
    pytest_deprecation,
    nose_setup,
    nose_symptom,
    deprecated_api,
    import_without_module,
    dead_package,
    removed_module,
    project_module_not_found,
    library_submodule_not_found,
    misspelled_module,
    missing_package,
    removed_import,
    name_not_found,
    name_undefined,
    project_attribute_missing,
    removed_attribute,
    removed_method,
    removed_kwarg,
    removed_call_form,
    missing_env_var,
    service_unavailable,
    file_not_found,
    masked_error,
    assertion,
)
"""The built-in table, in priority order: the first rule that matches wins."""
