"""Environment fixers: a removed API (from the migration catalogue), a path that depends on the
working directory, and what only a person can fix (an unset environment variable, a service
that is not running).

``environment.removed-api`` fixes the root cause, not one line: once a failure proves an API
gone, every use of it in the project is migrated in one fix (every file importing the module,
plus every file where the failure surfaced), in the file's own spelling. The transforms are in
``_environment_rewrite``; the catalogue is :mod:`pytest_autofix.catalogue`.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.metadata
import importlib.util
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from pytest_autofix.catalogue import Catalogue, Migration, builtin, describe
from pytest_autofix.fixers.toolkit.edits import Edits, listing, located
from pytest_autofix.fixers.toolkit.environment_transforms import (
    Transform,
    Unfixable,
    add_module_import,
    bound_names,
    import_map,
    migration_transform,
    module_transform,
)
from pytest_autofix.model import Fix, Fixer, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

__all__ = [
    "FileNotFound",
    "MissingEnvVar",
    "RemovedApi",
    "ServiceUnavailable",
    "check_requirements",
    "fixers",
]

SAFE = 0.95  # a safe catalogue entry, every use migrated
GUARDED = 0.9  # a guarded entry whose checks passed
UNSAFE = 0.85  # an unsafe entry: applied only with --autofix-unsafe
PERSON = 0.9  # a suggestion for a person (certain about what is needed, not editable)
UNSURE = 0.5  # a suggestion with a doubt

_VERSION = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(>=|<=|==|!=|>|<)\s*([0-9][0-9A-Za-z.]*)$")


def fixers(catalogue: Catalogue | None = None) -> list[Fixer]:
    """The environment fixers, in the order they are registered."""
    return [
        RemovedApi(catalogue or builtin()),
        FileNotFound(),
        MissingEnvVar(),
        ServiceUnavailable(),
    ]


# -- guards ---------------------------------------------------------------------------------


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def _compare(installed: tuple[int, ...], op: str, wanted: tuple[int, ...]) -> bool:
    width = max(len(installed), len(wanted))
    a = installed + (0,) * (width - len(installed))
    b = wanted + (0,) * (width - len(wanted))
    return {
        ">=": a >= b,
        "<=": a <= b,
        "==": a == b,
        "!=": a != b,
        ">": a > b,
        "<": a < b,
    }[op]


def check_requirements(requires: Iterable[str]) -> list[str]:
    """Why the installed versions do not satisfy ``requires`` (empty: they do)."""
    problems = []
    for requirement in requires:
        match = _VERSION.match(requirement.strip())
        if match is None:
            problems.append(f"cannot read the requirement {requirement!r}")
            continue
        name, op, wanted = match.groups()
        if name.lower() == "python":
            installed = ".".join(map(str, sys.version_info[:3]))
        else:
            try:
                installed = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                problems.append(f"{name} is not installed")
                continue
        if not _compare(_version(installed), op, _version(wanted)):
            problems.append(f"{requirement} is needed, {name} {installed} is installed")
    return problems


def _resolves(dotted: str) -> str | None:
    """None when ``dotted`` (a module or module attribute) exists here, else why not."""
    parts = dotted.split(".")
    if len(parts) == 1 and hasattr(builtins, parts[0]):
        return None
    for i in range(len(parts), 0, -1):
        module_name = ".".join(parts[:i])
        try:
            if importlib.util.find_spec(module_name) is None:
                continue
        except (ImportError, ValueError):
            continue
        try:
            obj: object = importlib.import_module(module_name)
        except Exception as err:
            return f"{module_name} cannot be imported ({type(err).__name__}: {err})"
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return f"{module_name} has no {'.'.join(parts[i:])}"
            obj = getattr(obj, attr)
        return None
    return f"{dotted} is not installed"


def guard_problems(migration: Migration) -> list[str]:
    """The checks of ``migration`` that fail here: versions, the replacement's existence, a
    module that must be absent. Name clashes are checked per file by the transforms."""
    problems = check_requirements(migration.requires)
    for guard in migration.guard:
        if guard.startswith("absent:"):
            module = guard.partition(":")[2]
            try:
                present = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                present = False
            if present:
                problems.append(f"{module} is installed, so it was not the missing module")
    if migration.manual or problems:
        return problems
    targets: list[str] = []
    if migration.kind == "attribute" and not migration.patterns:
        targets.append(migration.replacement)
    elif migration.kind == "method":
        owner = migration.api.rsplit(".", 1)[0]
        targets.append(f"{owner}.{migration.replacement}")
    elif migration.kind == "module" and migration.names:
        names = [n for n in migration.names if n != "*"]
        targets.extend(f"{migration.replacement}.{n}" for n in names)
        targets.append(migration.replacement)
    for pattern in migration.patterns:
        targets.extend(item.replace(":", ".") for item in pattern.imports)
    for target in targets:
        why = _resolves(target)
        if why is not None:
            problems.append(why)
    return problems


# -- removed APIs ---------------------------------------------------------------------------


def _files_using(project: Project, issue: Issue, module: str) -> list[ModuleInfo]:
    """Where the failure surfaced, then every project file that imports ``module`` (or its
    top-level package, for methods and call forms)."""
    found = {info.rel: info for info in located(issue, project)}
    for info in project.all_modules():
        for ref in info.imports:
            parent, _, last = module.rpartition(".")
            if (
                ref.module == module
                or ref.module.startswith(module + ".")
                or (ref.module == parent and last in ref.names)
            ):
                found.setdefault(info.rel, info)
    return list(found.values())


class RemovedApi:
    """``environment.removed-api``: migrate every use of the removed API in the project."""

    name = "environment.removed-api"
    kinds = frozenset({IssueKind.ENVIRONMENT})

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self.catalogue = catalogue or builtin()

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.removed-api":
            return []
        api = str(issue.details.get("api") or "")
        migration = self.catalogue.get(api)
        if migration is None:
            return [
                Fix(
                    f"{api or issue.message} looks removed ({issue.message}), and the migration "
                    "catalogue has no entry for it: read the library's changelog; add an entry "
                    "to the file named by `autofix_migrations` to have it fixed next time",
                    UNSURE,
                )
            ]
        transform: Transform | None
        if migration.kind == "module":
            parts = [
                m
                for m in self.catalogue.migrations
                if m.api.startswith(migration.api + ".") and m.kind == "attribute"
            ]
            transform = module_transform(migration, parts)
        else:
            transform = migration_transform(migration)
        if transform is None:
            return [Fix(f"needs a person: {describe(migration)}", PERSON)]
        problems = guard_problems(migration)
        if problems and migration.safety != "unsafe":
            return [
                Fix(
                    f"not migrated: {'; '.join(problems)}. The migration: {describe(migration)}",
                    UNSURE,
                )
            ]
        scope = migration.module if migration.kind != "method" else migration.api.split(".")[0]
        if migration.kind in ("call", "kwarg"):
            scope = migration.api.split(".")[0]
        edits = Edits()
        for info in _files_using(project, issue, scope):
            edits.add(project, info, transform)
        if not edits.edits:
            where = (
                f"; not changed: {edits.note()[len('; not changed: ') :]}" if edits.skipped else ""
            )
            return [
                Fix(
                    f"no use of {migration.api} could be migrated mechanically{where}. "
                    f"The migration: {describe(migration)}",
                    UNSURE,
                )
            ]
        files = listing(edits.changed)
        text = (
            f"migrate {migration.api} (removed in {migration.removed_in}) to "
            f"{migration.replacement} in {len(edits.changed)} file"
            f"{'s' if len(edits.changed) != 1 else ''}: {files}"
        )
        if edits.skipped:
            # a use left behind keeps the failure: say so, and let a person decide
            return [
                Fix(
                    f"{text}{edits.note()}; those files need a person: {describe(migration)}",
                    UNSURE,
                    edits.edits,
                    safe=False,
                )
            ]
        if migration.safety == "unsafe":
            why = f" ({migration.note})" if migration.note else ""
            return [Fix(f"{text}; may change behaviour{why}", UNSAFE, edits.edits, safe=False)]
        if migration.safety == "guarded":
            checks = ", ".join([*migration.requires, *migration.guard]) or "the replacement"
            return [Fix(f"{text}; checked: {checks}", GUARDED, edits.edits)]
        return [Fix(text, SAFE, edits.edits)]


# -- a path relative to the working directory -------------------------------------------------


def _string_value(node: cst.CSTNode) -> str | None:
    if not isinstance(node, cst.SimpleString):
        return None
    try:
        value = ast.literal_eval(node.value)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


class _AnchorLiteral(cst.CSTTransformer):
    """Every string literal ``filename`` -> a path anchored at ``__file__``."""

    def __init__(self, filename: str, anchored: cst.BaseExpression) -> None:
        super().__init__()
        self.filename, self.anchored = filename, anchored
        self.count = 0

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        if _string_value(original_node) != self.filename:
            return updated_node
        self.count += 1
        return self.anchored.deep_clone()

    def leave_ConcatenatedString(
        self, original_node: cst.ConcatenatedString, updated_node: cst.ConcatenatedString
    ) -> cst.BaseExpression:
        return updated_node


def anchor_path(filename: str) -> Transform:
    """Rewrite the literal ``filename`` to a path next to the file, in the file's idiom:
    ``Path(__file__).parent / "x"`` when it uses pathlib, else ``os.path.join(os.path.dirname(
    __file__), "x")``; the import is added when needed."""

    def transform(tree: cst.Module) -> cst.Module:
        imports = import_map(tree)
        by_qualified = {q: local for local, q in imports.items()}
        literal = cst.SimpleString(_quote(tree, filename))
        needs: list[Transform] = []
        if "pathlib.Path" in by_qualified or "pathlib" in by_qualified:
            path = by_qualified.get("pathlib.Path") or f"{by_qualified['pathlib']}.Path"
            anchored: cst.BaseExpression = cst.BinaryOperation(
                left=cst.parse_expression(f"{path}(__file__).parent"),
                operator=cst.Divide(),
                right=literal,
            )
        else:
            if "os" in bound_names(tree.code) and imports.get("os") != "os":
                raise Unfixable("'os' is bound to something else in this file")
            os_path = by_qualified.get("os.path")
            prefix = os_path if os_path else "os.path"
            if not os_path and "os" not in imports:
                needs.append(add_module_import("os"))
            anchored = cst.parse_expression(f"{prefix}.join({prefix}.dirname(__file__), 'x')")
            assert isinstance(anchored, cst.Call)
            anchored = anchored.with_changes(
                args=[anchored.args[0], anchored.args[1].with_changes(value=literal)]
            )
        anchor = _AnchorLiteral(filename, anchored)
        result = tree.visit(anchor)
        if not anchor.count:
            return tree
        for step in needs:
            result = step(result)
        return result

    return transform


def _quote(tree: cst.Module, text: str) -> str:
    """``text`` as a literal in the quote style the file uses most."""
    double = tree.code.count('"') >= tree.code.count("'")
    quote = '"' if double else "'"
    if quote in text or "\\" in text:
        return repr(text)
    return f"{quote}{text}{quote}"


class FileNotFound:
    """``environment.file-not-found``: a relative path that exists next to the file using it."""

    name = "environment.anchor-path"
    kinds = frozenset({IssueKind.ENVIRONMENT})

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.file-not-found":
            return []
        filename = str(issue.details.get("filename") or "")
        cwd = issue.details.get("cwd")
        existing = list(
            dict.fromkeys(str(p) for p in issue.details.get("exists_relative_to") or [])
        )
        if not filename:
            return []
        if not existing:
            return [
                Fix(
                    f"{filename!r} exists neither relative to the working directory ({cwd!r}) nor "
                    "next to a file of the traceback: create it, or fix the path",
                    UNSURE,
                )
            ]
        directories = []
        for rel in existing:
            directory = _strip_suffix(rel, filename)
            if directory is not None and directory not in directories:
                directories.append(directory)
        candidates = {info.rel: info for info in located(issue, project)}
        for nodeid in issue.tests:
            info = project.module_at(nodeid.partition("::")[0])
            if info is not None:
                candidates.setdefault(info.rel, info)
        chosen = [
            info
            for info in candidates.values()
            if Path(info.rel).parent.as_posix().removeprefix(".") in directories
        ]
        edits = Edits()
        transform = anchor_path(filename)
        for info in chosen:
            if _mentions(project, info, filename):
                edits.add(project, info, transform)
        if not edits.edits:
            return [
                Fix(
                    f"{filename!r} is read relative to the working directory ({cwd!r}) but lives "
                    f"at {listing(existing)}: anchor the path at the module's __file__ "
                    "(pathlib.Path(__file__).parent / ...)" + edits.note(),
                    UNSURE,
                )
            ]
        return [
            Fix(
                f"anchor {filename!r} at __file__ in {listing(edits.changed)} (it exists at "
                f"{listing(existing)}, not relative to the working directory {cwd!r})",
                GUARDED,
                edits.edits,
            )
        ]


def _strip_suffix(rel: str, filename: str) -> str | None:
    normalized = os.path.normpath(rel).replace(os.sep, "/")
    tail = os.path.normpath(filename).replace(os.sep, "/")
    if normalized == tail:
        return ""
    if normalized.endswith("/" + tail):
        return normalized[: -len(tail) - 1]
    return None


def _mentions(project: Project, info: ModuleInfo, text: str) -> bool:
    try:
        return text.encode() in project.source(info.path)
    except OSError:
        return False


# -- what needs a person -------------------------------------------------------------------


def _reads_of(project: Project, name: str) -> list[str]:
    """``path:line`` of every line of the project that names the variable in a string."""
    pattern = re.compile(rb"""["']""" + re.escape(name.encode()) + rb"""["']""")
    found = []
    for info in project.all_modules():
        try:
            source = project.source(info.path)
        except OSError:
            continue
        if name.encode() not in source:
            continue
        for number, line in enumerate(source.splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{info.rel}:{number}")
    return found


class MissingEnvVar:
    """``environment.missing-env-var``: say which variable, where it is read and where the
    project could set it. Never an edit: the value is for a person to choose."""

    name = "environment.env-var"
    kinds = frozenset({IssueKind.ENVIRONMENT})

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.missing-env-var":
            return []
        var = str(issue.details.get("name") or "")
        reads = _reads_of(project, var)
        if issue.path and issue.line:
            here = f"{issue.path}:{issue.line}"
            reads = [here, *(r for r in reads if r != here)]
        where = f"read at {listing(reads)}" if reads else "read by the code under test"
        places = []
        root = project.rootdir
        if (root / "tox.ini").is_file():
            places.append(f"`setenv = {var}=...` in the [testenv] of tox.ini")
        if importlib.util.find_spec("pytest_env") is not None:
            places.append(f"`env = {var}=...` in the pytest ini (pytest-env is installed)")
        if (root / ".env").is_file():
            places.append(f"a `{var}=...` line in .env")
        places.append(f"the shell or CI environment (`export {var}=...`)")
        places.append(f'a fixture calling monkeypatch.setenv("{var}", ...) for the tests')
        return [
            Fix(
                f"set the environment variable {var} ({where}); the project could set it in "
                + listing(places, limit=5),
                PERSON,
            )
        ]


class ServiceUnavailable:
    """``environment.service-unavailable``: which address refused, and which tests need it."""

    name = "environment.service"
    kinds = frozenset({IssueKind.ENVIRONMENT})

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.service-unavailable":
            return []
        host = issue.details.get("host") or "?"
        port = issue.details.get("port") or "?"
        tests = listing(list(issue.tests))
        at = f" (connecting at {issue.path}:{issue.line})" if issue.path and issue.line else ""
        return [
            Fix(
                f"nothing accepts connections on {host}:{port}{at}: start that service before "
                f"running {tests}, or skip them when it is down (a fixture that calls pytest.skip "
                "on ConnectionRefusedError, or a marker deselected with -m)",
                PERSON,
            )
        ]
