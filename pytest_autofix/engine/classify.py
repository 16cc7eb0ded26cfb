"""Failure -> Issue: a kind and a dotted code from the captured facts; grouping by root cause.

Pure functions: the only inputs are the failures, the names of the project's own modules and the
migration catalogue. The codes are those of :mod:`pytest_autofix.codes`.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import re
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from pytest_autofix.model import Failure, Issue, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.catalogue import Catalogue, Migration

_UNEXPECTED_KWARG = re.compile(r"(?:([\w.]+)\(\) )?got an unexpected keyword argument '(\w+)'")
_CALLED_DIRECTLY = re.compile(r"Fixture \"(\w+)\" called directly")
_SCOPE_MISMATCH = re.compile(
    r"ScopeMismatch: You tried to access the (\w+) scoped fixture (\w+) "
    r"with a (\w+) scoped request object"
)
_REQUESTED_BY = re.compile(r"^\s*(\S+?):(\d+):\s+def (\w+)\(", re.M)
_PYTEST_OUTCOME_CALL = re.compile(r"\bpytest\.(skip|fail|exit)\s*\(")
_REMOVED_WORDS = re.compile(r"\b(removed|was a deprecated alias|has been removed|expired)\b")


@dataclasses.dataclass(frozen=True)
class Context:
    """What classification may know besides the failure itself. The catalogue may be given
    as a function that loads it: it is called once, by the first failure that needs it."""

    project_modules: frozenset[str]
    catalogue_source: Catalogue | Callable[[], Catalogue]

    @functools.cached_property
    def catalogue(self) -> Catalogue:
        source = self.catalogue_source
        return source() if callable(source) else source


@dataclasses.dataclass(frozen=True)
class Verdict:
    kind: IssueKind
    code: str
    key: str
    message: str
    path: str | None
    line: int | None
    details: dict[str, Any]


def _loc(failure: Failure) -> tuple[str | None, int | None]:
    """The innermost project frame; for a collector with none, the file it collected."""
    if failure.frame is not None:
        return failure.frame.path, failure.frame.line
    node_path = failure.facts.get("node_path")
    if failure.when == "collect" and isinstance(node_path, str):
        return node_path, None
    return None, None


def classify(failure: Failure, ctx: Context) -> Verdict:
    """The kind and code of one failure, and the key that identifies its root cause."""
    f = failure.facts
    exc = failure.exc_type
    short = exc.rpartition(".")[2]
    mro = [q.rpartition(".")[2] for q in f.get("exc_mro", [short])]
    msg = failure.message
    path, line = _loc(failure)

    def verdict(code: str, key: str, message: str = "", **details: Any) -> Verdict:
        kind = IssueKind(code.partition(".")[0])
        at_path = details.get("request_path") or path
        at_line = details.get("request_line") or line
        return Verdict(
            kind, code, key, message or _first_line(msg) or short, at_path, at_line, details
        )

    # -- pytest's own failures ------------------------------------------------------------
    if short == "ImportPathMismatchError" or "import file mismatch" in msg:
        module = (f.get("mismatch") or [f.get("module") or ""])[0]
        return verdict(
            "import.file-mismatch",
            module,
            f"test modules share the basename {module!r}",
            module=module,
            files=f.get("mismatch", [])[1:],
            node_path=f.get("node_path"),
        )
    if "SyntaxError" in mro:
        return verdict("other.syntax-error", f"{path}:{line}")
    if short == "FixtureLookupError":
        argname = f.get("argname") or ""
        if f.get("recursive"):
            return verdict("other.exception", f"recursive:{argname}")
        return verdict(
            "fixture.not-found",
            argname,
            f"fixture {argname!r} not found",
            argname=argname,
            available=f.get("available", []),
            requester=f.get("requester"),
            request_path=f.get("request_path"),
            request_line=f.get("request_line"),
        )
    if m := _SCOPE_MISMATCH.search(msg):
        requested_scope, argname, requester_scope = m.groups()
        # Only the "Requesting fixture stack:" part: the "Requested fixture:" line after it has
        # the same shape and names the requested fixture, not the requester.
        stack = msg.partition("Requested fixture:")[0]
        requesters = _REQUESTED_BY.findall(stack)
        requester = requesters[-1][2] if requesters else None
        if requesters:
            path, line = requesters[-1][0], int(requesters[-1][1])
        return verdict(
            "fixture.scope-mismatch",
            f"{argname}<-{requester}",
            f"{requester_scope}-scoped fixture {requester!r} requests "
            f"{requested_scope}-scoped {argname!r}",
            argname=argname,
            scope=requested_scope,
            requester=requester,
            requester_scope=requester_scope,
        )
    if m := _CALLED_DIRECTLY.search(msg):
        return verdict(
            "fixture.called-directly",
            m.group(1),
            f"fixture {m.group(1)!r} called directly",
            fixture=m.group(1),
        )
    removed = _pytest_removed_api(failure)
    if removed is not None:
        api, message, extra = removed
        key = api  # nose-setup: one issue for the project; its one fix renames every such method
        if api == "deprecation":  # one issue per warning, not one for all of them
            key = f"{api}:{extra.get('warning')}:{message}"
        return verdict("fixture.removed-api", key, message, api=api, **extra)
    if f.get("is_warning") and "DeprecationWarning" in mro:
        # Under `-W error` / `filterwarnings = error`, a deprecation the catalogue knows (still
        # present in this version, removed in a later one) fails like the removal will.
        migration = _deprecated_api(failure, ctx)
        if migration is not None:
            return verdict(
                "environment.removed-api",
                migration.api,
                f"{migration.api} is deprecated (removed in {migration.removed_in})",
                api=migration.api,
                name=migration.api.rpartition(".")[2],
                form="deprecation",
            )

    # -- imports, names, attributes --------------------------------------------------------
    if short == "ModuleNotFoundError" or (short == "ImportError" and f.get("import_name") is None):
        return _module_not_found(failure, ctx, verdict)
    if "ImportError" in mro and f.get("import_name"):
        name, module = f["import_name"], f.get("module") or ""
        api = f"{module}.{name}"
        if f.get("origin") != "project":
            gone = _removed_name(module, name, msg, ctx, verdict, "import")
            if gone is not None:
                return gone
        return verdict(
            "import.name-not-found",
            api,
            f"cannot import name {name!r} from {module!r}",
            module=module,
            name=name,
            origin=f.get("origin"),
            module_path=f.get("module_path"),
        )
    if short == "NameError" and f.get("name"):
        return verdict(
            "import.name-undefined", f["name"], f"name {f['name']!r} is not defined", name=f["name"]
        )
    if "AttributeError" in mro and f.get("attr"):
        attributed = _attribute(failure, ctx, verdict)
        if attributed is not None:
            return attributed

    # -- keyword arguments removed from a library -------------------------------------------
    if short == "TypeError" and (m := _UNEXPECTED_KWARG.search(msg)):
        function, kwarg = m.group(1) or "", m.group(2)
        migration = ctx.catalogue.kwarg(function.rpartition(".")[2], kwarg) or (
            ctx.catalogue.kwarg(function, kwarg)
        )
        if migration is not None:
            return verdict(
                "environment.removed-api",
                migration.api,
                f"{function}({kwarg}=...) was removed in {migration.removed_in}",
                api=migration.api,
                form="kwarg",
            )

    # -- call forms a library no longer accepts (a catalogue entry's `detect` regex) -----------
    called = ctx.catalogue.detected(f"{exc}: {msg}")
    if called is not None:
        return verdict(
            "environment.removed-api",
            called.api,
            f"{called.api}: {_first_line(msg)[:120]} (changed in {called.removed_in})",
            api=called.api,
            form="call",
        )

    # -- the environment -------------------------------------------------------------------
    if f.get("env_var"):
        var = f["env_var"]
        return verdict(
            "environment.missing-env-var", var, f"environment variable {var!r} is not set", name=var
        )
    if f.get("refused"):
        address = f.get("address") or {}
        where = f"{address.get('host', '?')}:{address.get('port', '?')}"
        return verdict(
            "environment.service-unavailable",
            where,
            f"connection refused by {where}",
            host=address.get("host"),
            port=address.get("port"),
        )
    if short == "FileNotFoundError" and f.get("filename") and not f.get("absolute"):
        return verdict(
            "environment.file-not-found",
            f"{f['filename']}@{path}",
            f"{f['filename']!r} not found from the working directory {f.get('cwd')!r}",
            filename=f["filename"],
            cwd=f.get("cwd"),
            exists_relative_to=f.get("exists_relative_to", []),
        )

    # -- everything else -------------------------------------------------------------------
    if "AssertionError" in mro:
        return verdict("other.assertion", f"{failure.nodeid}@{path}:{line}")
    return verdict("other.exception", f"{exc}@{path}:{line}", exc_type=exc)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def _pytest_removed_api(failure: Failure) -> tuple[str, str, dict[str, Any]] | None:
    """pytest 8/9 removals and deprecations, recognised by their symptom."""
    f = failure.facts
    msg = failure.message
    source = failure.frame.source if failure.frame is not None else ""
    short = failure.exc_type.rpartition(".")[2]
    if "Marks cannot be applied to fixtures" in msg or "marks applied to fixtures" in msg:
        return "mark-on-fixture", "a mark is applied to a fixture (an error since pytest 9)", {}
    if (
        short == "TypeError"
        and "exceptions must be derived from Warning" in msg
        and ("warns(" in source or "NoneType" in msg)
    ):
        return "warns-none", "pytest.warns(None) was removed in pytest 8", {}
    if short == "TypeError" and (m := _UNEXPECTED_KWARG.search(msg)):
        # pytest.skip/fail/exit are callable objects: the message names _Skip.__call__()
        function = (m.group(1) or "").rpartition(".")[2]
        called = _PYTEST_OUTCOME_CALL.search(source)
        if function == "__call__":
            owner = (m.group(1) or "").rpartition(".")[0].lstrip("_").lower()
            function = called.group(1) if called else owner
        if m.group(2) == "msg" and (function in ("skip", "fail", "exit") or called):
            return (
                "msg-kwarg",
                f"pytest.{function or 'skip'}(msg=...) was removed in pytest 8",
                {"function": function},
            )
    if "requested an async fixture" in msg or "requested async fixture" in msg:
        return "async-fixture", "a sync test requests an async fixture (an error in pytest 9)", {}
    if f.get("is_warning") and any("Pytest" in t for t in f.get("exc_mro", [])):
        if "yield_fixture" in msg:
            return "yield-fixture", "pytest.yield_fixture is deprecated", {}
        return "deprecation", _first_line(msg), {"warning": failure.exc_type}
    if (
        short == "AttributeError"
        and f.get("obj_kind") == "instance"
        and f.get("nose_methods")
        and not f.get("class_is_unittest")
        and (f.get("attr") in f.get("nose_assigns", []) or not f.get("nose_assigns"))
    ):
        return (
            "nose-setup",
            "nose-style setup()/teardown() methods are no longer called (removed in pytest 8)",
            {"test_class": f.get("test_class"), "methods": f.get("nose_methods")},
        )
    return None


def _removed_name(
    module: str, name: str, msg: str, ctx: Context, verdict: Any, form: str
) -> Verdict | None:
    """``module.name`` (imported or read as an attribute) of a library that no longer has it:
    the catalogue knows it, or the library's own message says it was removed."""
    api = f"{module}.{name}"
    migration = ctx.catalogue.attribute(module, name)
    if migration is None and not _REMOVED_WORDS.search(msg):
        return None
    when = f" in {migration.removed_in}" if migration else ""
    found: Verdict = verdict(
        "environment.removed-api",
        api,
        f"{api} was removed{when}",
        api=api,
        module=module,
        name=name,
        form=form,
    )
    return found


def _deprecated_api(failure: Failure, ctx: Context) -> Migration | None:
    """The catalogue entry a deprecation warning is about: its name in the failing line."""
    source = failure.frame.source if failure.frame is not None else ""
    for migration in ctx.catalogue.migrations:
        if migration.kind not in ("attribute", "method"):
            continue
        name = migration.api.rpartition(".")[2]
        if re.search(rf"\b{re.escape(name)}\b", source):
            return migration
    return None


def _module_not_found(failure: Failure, ctx: Context, verdict: Any) -> Verdict:
    f = failure.facts
    module = f.get("module") or ""
    top = module.partition(".")[0]
    if not top:  # an ImportError that names no module ("attempted relative import with ...")
        path, line = _loc(failure)
        return verdict(  # type: ignore[no-any-return]
            "other.exception", f"{failure.exc_type}@{path}:{line}", exc_type=failure.exc_type
        )
    origin = f.get("origin")
    migration = ctx.catalogue.module(module)
    if migration is not None and origin != "project":
        return verdict(  # type: ignore[no-any-return]
            "environment.removed-api",
            migration.api,
            f"module {module!r} is gone ({migration.removed_in})",
            api=migration.api,
            module=module,
            form="module",
        )
    if origin == "project" or top in ctx.project_modules:
        return verdict(  # type: ignore[no-any-return]
            "import.module-not-found",
            module,
            f"no module named {module!r}",
            module=module,
            origin="project",
        )
    if origin in ("installed", "stdlib"):  # a submodule that a library no longer has
        return verdict(  # type: ignore[no-any-return]
            "import.module-not-found",
            module,
            f"no module named {module!r}",
            module=module,
            origin=origin,
        )
    close = difflib.get_close_matches(
        top, sorted(ctx.project_modules | set(sys.stdlib_module_names)), n=3, cutoff=0.8
    )
    if close:
        return verdict(  # type: ignore[no-any-return]
            "import.module-not-found",
            module,
            f"no module named {module!r} (did you mean {' or '.join(map(repr, close))}?)",
            module=module,
            origin="misspelled",
            candidates=close,
        )
    return verdict(  # type: ignore[no-any-return]
        "environment.missing-package",
        top,
        f"package providing {top!r} is not installed",
        module=module,
        top_level=top,
    )


def _attribute(failure: Failure, ctx: Context, verdict: Any) -> Verdict | None:
    f = failure.facts
    attr = f["attr"]
    msg = failure.message
    if f.get("obj_kind") == "module":
        module = f.get("obj_module") or ""
        api = f"{module}.{attr}"
        if f.get("obj_origin") == "project":
            return verdict(  # type: ignore[no-any-return]
                "import.name-not-found",
                api,
                f"module {module!r} has no attribute {attr!r}",
                module=module,
                name=attr,
                origin="project",
                form="attribute",
                module_path=f.get("obj_path"),
            )
        return _removed_name(module, attr, msg, ctx, verdict, "attribute")
    migration = ctx.catalogue.method(f.get("obj_mro", []), attr)
    if migration is not None:
        return verdict(  # type: ignore[no-any-return]
            "environment.removed-api",
            migration.api,
            f"{migration.api} was removed in {migration.removed_in}",
            api=migration.api,
            name=attr,
            form="method",
        )
    return None


def issue_id(code: str, key: str) -> str:
    return f"{code}:{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def group(failures: Iterable[Failure], ctx: Context) -> list[Issue]:
    """One issue per root cause, listing every affected test; in order of first failure."""
    grouped: dict[tuple[str, str], tuple[Verdict, Failure, list[str], list[dict[str, Any]]]] = {}
    for failure in failures:
        v = classify(failure, ctx)
        entry = grouped.get((v.code, v.key))
        if entry is None:
            entry = grouped[(v.code, v.key)] = (v, failure, [], [])
        if failure.nodeid not in entry[2]:
            entry[2].append(failure.nodeid)
        location = {"path": v.path, "line": v.line}
        if v.path is not None and location not in entry[3]:
            entry[3].append(location)
    issues = []
    for (code, key), (v, first, tests, locations) in grouped.items():
        details = dict(v.details)
        details["key"] = key
        details["locations"] = locations
        if first.frame is not None:
            details["source"] = first.frame.source
            details["function"] = first.frame.function
        issues.append(
            Issue(
                id=issue_id(code, key),
                kind=v.kind,
                code=code,
                message=v.message,
                exc_type=first.exc_type,
                tests=tuple(tests),
                path=v.path,
                line=v.line,
                details=details,
            )
        )
    return issues
