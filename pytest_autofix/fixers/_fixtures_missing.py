"""``fixture.not-found``: a misspelled or renamed fixture, a fixture defined where its users cannot
see it, and a conftest function that lost its ``@pytest.fixture``."""

from __future__ import annotations

import ast
import builtins
import posixpath
from collections import defaultdict
from typing import TYPE_CHECKING

from pytest_autofix.fixers._fixtures_rewrite import (
    append_function,
    decorate_fixture,
    function_code,
    remove_function,
    rename_param,
    set_fixture_name,
)
from pytest_autofix.fixers._fixtures_scan import (
    Function,
    Scan,
    is_conftest,
    ratio,
    requesting,
    typo,
    visible,
)
from pytest_autofix.fixers._imports_common import Edits, listing
from pytest_autofix.fixers._imports_rewrite import Unfixable
from pytest_autofix.fixers._imports_scan import (
    import_statements,
    mentions,
    package_of,
    top_level_bindings,
)
from pytest_autofix.model import FileEdit, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import Project

# Confidence levels, documented in docs/fixers.md.
TYPO = 0.95  # one visible fixture one keystroke away (a transposition, one letter)
RENAMED = 0.9  # a visible fixture whose definition names the missing one ("renamed from user")
ORPHAN = 0.85  # a close or the only visible project fixture that nothing requests any more
CLOSE = 0.7  # a similar name and nothing else: suggested
DIFFERENT = 0.6  # a similar name that is another fixture, requested elsewhere: suggested
AMBIGUOUS = 0.5  # several equally good candidates: a suggestion listing them
CUTOFF = 0.75  # difflib ratio for "similar"

_FIXTURE = frozenset({IssueKind.FIXTURE})


def _suggest(description: str, confidence: float = AMBIGUOUS) -> Fix:
    return Fix(description, confidence, [])


def _argname(issue: Issue) -> str:
    return str(issue.details.get("argname") or "")


def _not_found(issue: Issue, project: Project) -> tuple[str, Scan, list[Function]] | None:
    """For a ``fixture.not-found`` issue: the fixture's name, a scan of the project, and the
    functions requesting it; None for any other issue, or when no requester is found."""
    argname = _argname(issue)
    if issue.code != "fixture.not-found" or not argname:
        return None
    scan = Scan(project)
    requesters = requesting(issue, scan)
    if not requesters:
        return None
    return argname, scan, requesters


def _users(scan: Scan, issue: Issue, argname: str, definitions: list[Function]) -> list[Function]:
    """The issue's requesters, and every other function requesting ``argname`` that cannot see
    any of ``definitions`` (the tests not run this time fail the same way)."""
    users = requesting(issue, scan)
    for function in scan.requesters(argname):
        if function in users:
            continue
        if not any(visible(d.rel, function.rel) for d in definitions):
            users.append(function)
    return users


def _rename_users(project: Project, users: list[Function], old: str, new: str) -> Edits:
    edits = Edits()
    lines: dict[str, set[str]] = defaultdict(set)
    for function in users:
        lines[function.rel].add(function.qualname)
    for rel in sorted(lines):
        info = project.module_at(rel)
        if info is not None:
            edits.add(project, info, rename_param(lines[rel], old, new))
    return edits


class FixtureRenamed:
    """A requested fixture that is a misspelling of a visible one, or that was renamed while
    its users were not: rename the users' parameters (or give the fixture its old name back,
    when that is one edit instead of several and nothing uses the new name)."""

    name = "fixture.renamed"
    kinds = _FIXTURE

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        found = _not_found(issue, project)
        if found is None:
            return []
        argname, scan, requesters = found
        if scan.fixtures_named(argname) or _undecorated(scan, argname, requesters):
            return []  # defined somewhere: the other fixers' case
        files = {f.rel for f in requesters}
        available = [str(a) for a in issue.details.get("available") or [] if a != argname]

        def defined_visibly(name: str) -> list[Function]:
            return [f for f in scan.fixtures_named(name) if all(visible(f.rel, r) for r in files)]

        def requested_elsewhere(name: str) -> list[Function]:
            return [f for f in scan.requesters(name) if f.fixture != name]

        close = sorted(
            ((ratio(argname, a), a) for a in available if ratio(argname, a) >= CUTOFF),
            reverse=True,
        )
        if len(close) > 1 and close[0][0] == close[1][0]:
            tied = [a for r, a in close if r == close[0][0]]
            return [
                _suggest(
                    f"fixture {argname!r} not found; it may be a misspelling of "
                    f"{listing(sorted(repr(a) for a in tied))}: request the one meant"
                )
            ]
        if close:
            new = close[0][1]
            defs = defined_visibly(new)
            elsewhere = requested_elsewhere(new)
            if typo(argname, new):
                confidence, why = TYPO, f"{argname!r} is a misspelling of {new!r}"
            elif defs and not elsewhere:
                confidence = ORPHAN
                why = f"{new!r} is like {argname!r} and nothing requests it any more"
            elif elsewhere:
                confidence = DIFFERENT
                why = (
                    f"{new!r} is like {argname!r} but is a different fixture, requested by "
                    f"{len(elsewhere)} other function(s): check that it is the one meant"
                )
            else:
                confidence, why = CLOSE, f"{new!r} is the only fixture named like {argname!r}"
            return self._fix(project, scan, issue, argname, new, defs, confidence, why)
        # No similar name: a visible project fixture that says it replaced the missing one,
        # or the only one nothing requests any more.
        candidates: list[tuple[float, Function, str]] = []
        for name in available:
            for definition in defined_visibly(name):
                mentioned = self._mentions(scan, definition, argname)
                orphan = not requested_elsewhere(name)
                if mentioned:
                    confidence = RENAMED + (0.05 if orphan else 0.0)
                    why = f"{name!r} says it replaced {argname!r}"
                    candidates.append((confidence, definition, why))
                elif orphan and not definition.node.name.startswith("_"):
                    why = f"{name!r} is visible there and nothing requests it any more"
                    alike = ratio(argname, name) >= 0.5 or bool(
                        set(argname.split("_")) & set(name.split("_"))
                    )
                    candidates.append((ORPHAN if alike else CLOSE, definition, why))
        if not candidates:
            return []
        best = max(c for c, _, _ in candidates)
        top = [(d, why) for c, d, why in candidates if c == best]
        if len(top) > 1:
            names = sorted(repr(d.fixture) for d, _ in top)
            return [
                _suggest(
                    f"fixture {argname!r} not found; it may have been renamed to "
                    f"{listing(names)}: request the one meant"
                )
            ]
        definition, why = top[0]
        assert definition.fixture is not None
        return self._fix(project, scan, issue, argname, definition.fixture, [definition], best, why)

    @staticmethod
    def _mentions(scan: Scan, definition: Function, old: str) -> bool:
        try:
            source = scan.project.source(definition.rel)
        except OSError:
            return False
        return mentions(source, definition.node, old)

    def _fix(
        self,
        project: Project,
        scan: Scan,
        issue: Issue,
        old: str,
        new: str,
        defs: list[Function],
        confidence: float,
        why: str,
    ) -> list[Fix]:
        mine = requesting(issue, scan)
        users = [
            f
            for f in _users(scan, issue, old, [])
            if f in mine or not defs or any(visible(d.rel, f.rel) for d in defs)
        ]
        rename = _rename_users(project, users, old, new)
        unused = defs and not [f for f in scan.requesters(new) if f.fixture != new]
        fixes: list[Fix] = []
        if unused and len(defs) == 1 and len(users) > 1 and not typo(old, new):
            # The fixture was renamed and nothing took up the new name: giving it its old name
            # back is one edit instead of one per user.
            definition = defs[0]
            info = project.module_at(definition.rel)
            restore = Edits()
            if info is not None:
                restore.add(project, info, set_fixture_name(definition.qualname, old))
            if restore.edits:
                fixes.append(
                    Fix(
                        f"register fixture {new!r} under its old name {old!r} "
                        f"(@pytest.fixture(name={old!r})) in {definition.rel}: {why}; one edit "
                        f"instead of renaming the parameter in {len(users)} functions, and "
                        f"nothing requests {new!r}",
                        confidence,
                        restore.edits,
                    )
                )
        if rename.edits:
            where = listing(sorted(rename.changed))
            fixes.append(
                Fix(
                    f"request fixture {new!r} instead of {old!r} in {len(users)} function(s) "
                    f"in {where}: {why}{rename.note()}",
                    confidence - (0.01 if fixes else 0.0),
                    rename.edits,
                )
            )
        return fixes


def _undecorated(scan: Scan, argname: str, requesters: list[Function]) -> list[Function]:
    files = {f.rel for f in requesters}
    return [
        f
        for info in scan.infos()
        for f in scan.functions(info.rel)
        if f.name == argname
        and f.fixture is None
        and f.cls is None
        and all(visible(f.rel, r) for r in files)
    ]


class FixtureUndecorated:
    """A function of a visible conftest.py (or of the test module itself) named like the
    requested fixture, without ``@pytest.fixture``: add the decorator."""

    name = "fixture.undecorated"
    kinds = _FIXTURE

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        requested = _not_found(issue, project)
        if requested is None:
            return []
        argname, scan, requesters = requested
        found = _undecorated(scan, argname, requesters)
        if len(found) != 1 or scan.fixtures_named(argname):
            return []
        function = found[0]
        info = project.module_at(function.rel)
        if info is None:
            return []
        edits = Edits()
        edits.add(project, info, decorate_fixture(argname))
        if not edits.edits:
            return [_suggest(f"decorate {argname}() with @pytest.fixture{edits.note()}")]
        tree = scan.tree(function.rel)
        calls = [
            node
            for node in (ast.walk(tree) if tree is not None else ())
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == argname
        ]
        if calls:
            return [
                Fix(
                    f"decorate {argname}() in {function.rel} with @pytest.fixture; it is also "
                    f"called directly there (line {calls[0].lineno}), which a fixture cannot be",
                    0.6,
                    edits.edits,
                    safe=False,
                )
            ]
        return [
            Fix(
                f"decorate {argname}() in {function.rel} with @pytest.fixture: it is requested "
                f"as a fixture by {listing(sorted({f.name + '()' for f in requesters}))} and "
                "never called",
                0.95,
                edits.edits,
            )
        ]


class FixtureNotVisible:
    """A fixture defined in a test module or a conftest.py its users cannot see: move it, with
    the imports it needs, to the nearest conftest.py they all see."""

    name = "fixture.move-to-conftest"
    kinds = _FIXTURE

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        found = _not_found(issue, project)
        if found is None:
            return []
        argname, scan, requesters = found
        definitions = scan.fixtures_named(argname)
        if not definitions:
            return []
        files = {f.rel for f in requesters}
        if any(visible(d.rel, r) for d in definitions for r in files):
            return []
        if len(definitions) > 1:
            where = listing(sorted(f"{d.rel}:{d.line}" for d in definitions))
            return [
                _suggest(
                    f"fixture {argname!r} is defined in {where}, none visible from "
                    f"{listing(sorted(files))}: move the one meant to a conftest.py they see"
                )
            ]
        definition = definitions[0]
        if definition.cls is not None:
            return [
                _suggest(
                    f"fixture {argname!r} is a method of {definition.cls} in {definition.rel}: "
                    "move it to a conftest.py its users see"
                )
            ]
        try:
            return [self._move(project, scan, issue, definition)]
        except Unfixable as why:
            return [
                _suggest(
                    f"move fixture {argname!r} from {definition.rel} to a conftest.py "
                    f"its users see (not done automatically: {why})",
                    0.4,
                )
            ]

    def _move(self, project: Project, scan: Scan, issue: Issue, definition: Function) -> Fix:
        argname = str(definition.fixture)
        users = _users(scan, issue, argname, [definition])
        user_files = {f.rel for f in users} | {
            f.rel for f in scan.requesters(argname) if f.rel == definition.rel
        }
        directories = [posixpath.dirname(rel) for rel in (*user_files, definition.rel)]
        common = posixpath.commonpath(directories) if all(directories) else ""
        target = posixpath.join(common, "conftest.py") if common else "conftest.py"
        if target == definition.rel:
            raise Unfixable(f"{target} is already the nearest conftest.py")
        available = {str(a) for a in issue.details.get("available") or []}
        for param in definition.requests:
            defs = scan.fixtures_named(param)
            if defs and not any(visible(d.rel, posixpath.join(common, "x.py")) for d in defs):
                raise Unfixable(f"it requests {param!r}, which {target} cannot see")
            if not defs and param not in available and param != "request":
                raise Unfixable(f"it requests {param!r}, which is not visible there")
        imports = _not_from(project, target, self._imports(scan, definition), scan)
        source_info = project.module_at(definition.rel)
        if source_info is None:
            raise Unfixable(f"{definition.rel} is not indexed")
        code = function_code(project.cst(definition.rel), definition.name)
        target_info = project.module_at(target)
        edits: list[FileEdit] = []
        if (project.rootdir / target).exists():
            if target_info is None:
                raise Unfixable(f"{target} cannot be read")
            tree = scan.tree(target)
            if tree is not None and definition.name in top_level_bindings(tree):
                raise Unfixable(f"{target} already defines {definition.name!r}")
            add = Edits()
            add.add(project, target_info, append_function(code, imports))
            if not add.edits:
                raise Unfixable(add.note().removeprefix("; not changed: ") or "no change")
            edits += add.edits
        else:
            import libcst as cst

            text = append_function(code, imports)(cst.parse_module("")).code
            edits.append(FileEdit.create(target, text.rstrip("\n") + "\n"))
        still_used = _used_by_name(scan.tree(definition.rel), definition)
        removed = ""
        if not still_used:
            remove = Edits()
            remove.add(project, source_info, remove_function(definition.name))
            edits += remove.edits
            removed = f", removed from {definition.rel}"
        else:
            removed = f"; kept in {definition.rel}, which still uses {definition.name} by name"
        needs = f" with {listing([_statement(i) for i in imports])}" if imports else ""
        return Fix(
            f"move fixture {argname!r} to {target}{needs}, where "
            f"{listing(sorted(user_files))} see it{removed}",
            0.9,
            edits,
        )

    @staticmethod
    def _imports(scan: Scan, definition: Function) -> list[tuple[str, str | None, str | None]]:
        """The imports the function needs from its module (raises Unfixable when it needs a
        name its module defines)."""
        node = definition.node
        bound = set(definition.params) | {node.name}
        loaded: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                (loaded if isinstance(sub.ctx, ast.Load) else bound).add(sub.id)
            elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bound.add(sub.name)
            elif isinstance(sub, ast.arg):
                bound.add(sub.arg)
            elif isinstance(sub, ast.alias):
                bound.add((sub.asname or sub.name).partition(".")[0])
        free = sorted(loaded - bound - set(dir(builtins)))
        tree = scan.tree(definition.rel)
        info = scan.project.module_at(definition.rel)
        if tree is None or info is None:
            raise Unfixable(f"{definition.rel} does not parse")
        statements = import_statements(tree, package_of(info))
        kinds = top_level_bindings(tree)
        needed: list[tuple[str, str | None, str | None]] = []
        for name in free:
            if kinds.get(name) != "import":
                where = "defined in " + definition.rel if name in kinds else "not defined"
                raise Unfixable(f"it uses {name!r}, {where}")
            stmt = next((s for s in statements if s.binds == name and s.top_level), None)
            if stmt is None or not stmt.module or stmt.name == "*":
                raise Unfixable(f"the import of {name!r} cannot be copied")
            if stmt.name is None and stmt.asname is None:
                needed.append((stmt.module.partition(".")[0], None, None))
            else:
                needed.append((stmt.module, stmt.name, stmt.asname))
        return sorted(set(needed), key=lambda spec: (spec[1] is not None, spec[0], spec[1] or ""))


def _not_from(
    project: Project, target: str, imports: list[tuple[str, str | None, str | None]], scan: Scan
) -> list[tuple[str, str | None, str | None]]:
    """``imports`` without those of names ``target`` itself defines (``from tests.conftest
    import LIMIT`` copied into tests/conftest.py would import the module from itself), or
    Unfixable when ``target`` binds such a name under another one."""
    kept = []
    for spec in imports:
        module, name, asname = spec
        info = project.module(module)
        if info is None or info.rel != target:
            kept.append(spec)
            continue
        tree = scan.tree(target)
        if name is None or tree is None or (asname or name) not in top_level_bindings(tree):
            raise Unfixable(f"it imports {_statement(spec)!r}, from {target} itself")
        if asname is not None and asname != name:
            raise Unfixable(f"it imports {name!r} from {target} as {asname!r}")
    return kept


def _used_by_name(tree: ast.Module | None, definition: Function) -> bool:
    """Whether the module reads the fixture's function by name outside the function (a call,
    a reference), other than through a parameter or local of the same name."""
    if tree is None:
        return True
    name = definition.name

    def visit(node: ast.AST, shadowed: bool) -> bool:
        if node is definition.node:
            return False
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            if any(a is not None and a.arg == name for a in every):
                shadowed = True
        if isinstance(node, ast.Name) and node.id == name and not shadowed:
            return True
        return any(visit(child, shadowed) for child in ast.iter_child_nodes(node))

    return visit(tree, False)


def _statement(spec: tuple[str, str | None, str | None]) -> str:
    module, name, asname = spec
    alias = f" as {asname}" if asname else ""
    return f"import {module}{alias}" if name is None else f"from {module} import {name}{alias}"


__all__ = ["FixtureNotVisible", "FixtureRenamed", "FixtureUndecorated", "is_conftest"]
