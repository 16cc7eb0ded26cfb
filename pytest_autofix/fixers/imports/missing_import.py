"""``import.name-undefined``: a NameError that a missing import explains."""

from __future__ import annotations

import ast
import builtins
import collections
import dataclasses
import sys
from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.edits import (
    AMBIGUOUS,
    CERTAIN,
    CLEAR,
    FUZZY,
    STRONG,
    Edits,
    Files,
    lines_of,
    listing,
    located,
    names,
)
from pytest_autofix.fixers.toolkit.import_style import style_of
from pytest_autofix.fixers.toolkit.import_transforms import add_import
from pytest_autofix.fixers.toolkit.installed import env_locate, env_provides
from pytest_autofix.fixers.toolkit.scan import (
    ImportStmt,
    attributes_of,
    is_identifier,
    kind_fits,
    names_loaded,
    top_level_bindings,
    usage,
)
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

__all__ = ["WELL_KNOWN", "MissingImport"]

# Standard-library names that are almost always imported from one place.
WELL_KNOWN: dict[str, str] = {
    "ABC": "abc",
    "abstractmethod": "abc",
    "Any": "typing",
    "BytesIO": "io",
    "Callable": "collections.abc",
    "ClassVar": "typing",
    "Counter": "collections",
    "Decimal": "decimal",
    "Enum": "enum",
    "Fraction": "fractions",
    "Iterable": "collections.abc",
    "Iterator": "collections.abc",
    "Literal": "typing",
    "MagicMock": "unittest.mock",
    "Mapping": "collections.abc",
    "Mock": "unittest.mock",
    "NamedTuple": "typing",
    "Optional": "typing",
    "OrderedDict": "collections",
    "Path": "pathlib",
    "Sequence": "collections.abc",
    "StringIO": "io",
    "TYPE_CHECKING": "typing",
    "TypeVar": "typing",
    "Union": "typing",
    "contextmanager": "contextlib",
    "dataclass": "dataclasses",
    "deepcopy": "copy",
    "defaultdict": "collections",
    "deque": "collections",
    "field": "dataclasses",
    "lru_cache": "functools",
    "mock": "unittest",
    "namedtuple": "collections",
    "partial": "functools",
    "patch": "unittest.mock",
    "reduce": "functools",
    "wraps": "functools",
}


@dataclasses.dataclass(frozen=True)
class _Source:
    stmt: ImportStmt
    confidence: float
    why: str


class MissingImport:
    """Add the import a NameError asks for: a standard-library module, the import the project
    already uses for that name elsewhere, or a project symbol with exactly one definition."""

    name: str = "import.missing-import"
    kinds: frozenset[IssueKind] = frozenset({IssueKind.IMPORT})
    codes: frozenset[str] = frozenset({"import.name-undefined"})
    examples: tuple[Example, ...] = (
        Example(
            "a standard-library module used without its import",
            before={
                "tests/test_export.py": """\
                    def test_export():
                        assert json.dumps({"a": 1}) == '{"a": 1}'
                    """,
            },
            after={
                "tests/test_export.py": """\
                    import json


                    def test_export():
                        assert json.dumps({"a": 1}) == '{"a": 1}'
                    """,
            },
            confidence=0.95,
            safe=True,
        ),
        Example(
            "a name used without its import, defined in a project module",
            before={
                "shop.py": "def total(items):\n    return sum(items)\n",
                "test_shop.py": """\
                    def test_total():
                        assert total([1, 2]) == 3
                    """,
            },
            after={
                "test_shop.py": """\
                    from shop import total


                    def test_total():
                        assert total([1, 2]) == 3
                    """,
            },
            confidence=0.9,
            safe=True,
        ),
    )

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "import.name-undefined":
            return []
        name = str(issue.details.get("name") or "")
        if not is_identifier(name) or hasattr(builtins, name):
            return []
        files = Files(project)
        targets, skipped = _targets(issue, project, files, name)
        if not targets:
            return []
        trees = [t for info in targets if (t := files.tree(info)) is not None]
        choices = _choices(project, files, name, trees, {info.rel for info in targets})
        if not choices:
            return []
        best = choices[0]
        if len(choices) > 1 and choices[1].confidence >= best.confidence - 0.05:
            options = listing([f"`{c.stmt.statement()}`" for c in choices], limit=5)
            return [
                Fix(
                    description=f"{name!r} is not defined; it could be {options}: add the "
                    "right import by hand",
                    confidence=min(AMBIGUOUS, best.confidence),
                    edits=[],
                )
            ]
        edits = Edits(skipped=skipped)
        stmt = best.stmt
        for info in targets:
            if stmt.module == info.name:
                edits.skipped.append((info.rel, "it would import from itself"))
                continue
            add = add_import(stmt.module, stmt.name, stmt.asname, style=style_of(project))
            edits.add(project, info, add)
        if not edits.edits:
            return []
        confidence = best.confidence
        if issue.path in {rel for rel, _ in edits.skipped}:
            confidence = min(confidence, AMBIGUOUS)
        return [
            Fix(
                description=f"add `{stmt.statement()}` ({best.why}) to "
                f"{listing(edits.changed)}{edits.note()}",
                confidence=confidence,
                edits=edits.edits,
            )
        ]


def _targets(
    issue: Issue, project: Project, files: Files, name: str
) -> tuple[list[ModuleInfo], list[tuple[str, str]]]:
    """The files where the NameError surfaced that read ``name`` there and do not bind it at
    module level (an import there would shadow, or be shadowed by, that binding)."""
    lines = lines_of(issue)
    targets: list[ModuleInfo] = []
    skipped: list[tuple[str, str]] = []
    for info in located(issue, project):
        tree = files.tree(info)
        if tree is None:
            continue
        reads = names_loaded(tree, name)
        wanted = lines.get(info.rel, set())
        if not reads or (wanted and not any(_spans(node, wanted) for node in reads)):
            continue  # the NameError came from code this file does not hold
        bound = top_level_bindings(tree).get(name)
        if bound is not None:
            skipped.append((info.rel, f"it binds {name!r} at module level already ({bound})"))
            continue
        targets.append(info)
    return targets, skipped


def _spans(node: ast.expr, lines: set[int]) -> bool:
    end = node.end_lineno or node.lineno
    return any(node.lineno <= line <= end for line in lines)


def _choices(
    project: Project, files: Files, name: str, trees: list[ast.Module], skip: set[str]
) -> list[_Source]:
    """Every plausible import, best first."""
    attrs: set[str] = set()
    for tree in trees:
        attrs |= attributes_of(tree, name)
    wanted = usage(trees, name).kind(name)
    found: list[_Source] = []
    found += _already_imported(project, files, name, skip)
    if not found:
        found += _module(name, attrs)
        found += _well_known(name)
        found += _defined(project, name, wanted, skip)
    found.sort(key=lambda s: -s.confidence)
    return found


def _already_imported(project: Project, files: Files, name: str, skip: set[str]) -> list[_Source]:
    """The statements other project files bind ``name`` with; the most common one."""
    counts = _import_counts(project, files, name, skip)
    if not counts:
        return []
    total = sum(counts.values())
    ranked = counts.most_common()
    stmt, count = ranked[0]
    where = f"{count} of {total} project files that use {name!r} import it so"
    if len(ranked) == 1:
        who = "the other file using it" if total == 1 else f"all {total} files using it"
        return [_Source(stmt, STRONG, f"as {who} does")]
    if count * 4 >= total * 3 and count >= 3:
        return [_Source(stmt, CLEAR, where)]
    return [_Source(s, AMBIGUOUS, f"{c} of {total} files") for s, c in ranked[:5]]


def _import_counts(
    project: Project, files: Files, name: str, skip: set[str]
) -> collections.Counter[ImportStmt]:
    """How often the project files (other than ``skip``) import ``name`` with each statement, the
    statements as they would be copied (at module level, no line); a statement that does not
    resolve is never counted."""
    counts: collections.Counter[ImportStmt] = collections.Counter()
    for info in project.all_modules():
        if info.rel in skip or info.definitions.get(name) != "import":
            continue
        for stmt in files.imports(info):
            if not _copyable(stmt, name):
                continue
            key = dataclasses.replace(stmt, line=0, level=0, top_level=True)
            if key not in counts and not _resolves(project, key):
                continue  # copied from a file that is broken itself: never spread it
            counts[key] += 1
    return counts


def _copyable(stmt: ImportStmt, name: str) -> bool:
    """Whether ``stmt`` binds ``name`` in a way another file can copy: at module level, at
    run time (not under ``TYPE_CHECKING``), from a named module, and not as ``import a.b``
    (which binds ``a``: the import to copy is ``import a``)."""
    if stmt.binds != name or stmt.type_checking or not stmt.top_level or not stmt.module:
        return False
    return not (stmt.name is None and stmt.asname is None and "." in stmt.module)


def _resolves(project: Project, stmt: ImportStmt) -> bool:
    """The statement's module exists in the project or the environment, and so does the name
    it imports from it (when the environment module's names are not known, the module is
    enough: the rerun judges the rest)."""
    info = project.module(stmt.module)
    if info is not None:
        return stmt.name is None or (
            stmt.name in info.definitions
            or project.module(f"{stmt.module}.{stmt.name}") is not None
        )
    if env_locate(stmt.module) is None:
        return False
    provided = env_provides(stmt.module) if stmt.name is not None else None
    return provided is None or stmt.name in provided


def _module(name: str, attrs: set[str]) -> list[_Source]:
    """A standard-library or installed module of that name, when what the file reads from it
    is there."""
    if env_locate(name) is None:
        return []
    stdlib = name in sys.stdlib_module_names and not name.startswith("_")
    kind = "standard-library module" if stdlib else "installed module"
    stmt = ImportStmt(name, None, None, 0, 0, False, True)
    if not attrs:
        return [_Source(stmt, 0.6, f"the {kind}, though the file reads no attribute of it")]
    provided = env_provides(name)
    if provided is not None and attrs <= set(provided):
        confidence = CERTAIN if stdlib else STRONG
        return [_Source(stmt, confidence, f"the {kind}, which provides {names(attrs)}")]
    if provided is None:
        return [_Source(stmt, FUZZY, f"the {kind} (what it provides is not known)")]
    return []


def _well_known(name: str) -> list[_Source]:
    module = WELL_KNOWN.get(name)
    if module is None:
        return []
    provided = env_provides(module)
    if provided is None or name not in provided:
        return []
    stmt = ImportStmt(module, name, None, 0, 0, False, True)
    return [_Source(stmt, CLEAR, f"the standard {module}.{name}")]


def _defined(project: Project, name: str, wanted: str | None, skip: set[str]) -> list[_Source]:
    """A project module that defines ``name`` (not a test module or conftest)."""
    homes = [
        info
        for info in project.all_modules()
        if info.rel not in skip
        and not project.is_test_module(info.rel)
        and not info.syntax_error
        and info.definitions.get(name, "import") != "import"
    ]
    found = []
    for info in homes:
        kind = info.definitions[name]
        stmt = ImportStmt(info.name, name, None, 0, 0, False, True)
        if len(homes) > 1:
            found.append(_Source(stmt, AMBIGUOUS, f"{info.name} defines it"))
        elif kind_fits(wanted, kind):
            found.append(_Source(stmt, STRONG, f"the only definition in the project ({info.rel})"))
        else:
            found.append(_Source(stmt, FUZZY, f"the only definition ({info.rel}), but a {kind}"))
    return found
