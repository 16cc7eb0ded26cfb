"""What the fixture fixers read from the project: test and fixture functions, what they request,
and where a fixture is visible (pytest's rules: the same module, or a ``conftest.py`` in the
requester's directory or above it)."""

from __future__ import annotations

import ast
import dataclasses
import difflib
import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclasses.dataclass(frozen=True)
class Function:
    """A test or fixture function (or any function, for the undecorated-fixture check)."""

    rel: str
    name: str
    cls: str | None  # the enclosing class, for methods
    line: int  # of the ``def``
    first: int  # of its first decorator (pytest reports this line for a requester)
    params: tuple[str, ...]
    fixture: str | None  # the fixture name when decorated as a fixture
    scope: str | None
    node: FunctionNode = dataclasses.field(compare=False, hash=False)

    @property
    def is_test(self) -> bool:
        return self.fixture is None and self.name.startswith("test")

    @property
    def requests(self) -> tuple[str, ...]:
        if self.fixture is None and not self.is_test:
            return ()
        skip = {"self", "cls"} if self.cls else set()
        return tuple(p for p in self.params if p not in skip)

    @property
    def qualname(self) -> str:
        """How the transforms find it: ``name``, or ``Class.name`` for a method."""
        return f"{self.cls}.{self.name}" if self.cls else self.name

    def spans(self, line: int) -> bool:
        return self.first <= line <= self.line


def fixture_decorator(node: FunctionNode) -> ast.expr | None:
    for decorator in node.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if called in ("fixture", "yield_fixture"):
            return decorator
    return None


def _const(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _function(rel: str, node: FunctionNode, cls: str | None) -> Function:
    decorator = fixture_decorator(node)
    fixture: str | None = None
    scope: str | None = None
    if decorator is not None:
        keywords = {k.arg: k.value for k in getattr(decorator, "keywords", [])}
        fixture = _const(keywords.get("name")) or node.name
        scope = _const(keywords.get("scope")) or ("dynamic" if "scope" in keywords else "function")
    args = node.args
    params = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
    first = min([d.lineno for d in node.decorator_list] + [node.lineno])
    return Function(rel, node.name, cls, node.lineno, first, params, fixture, scope, node)


class Scan:
    """The functions of every project file (from the project's shared parses), listed once per
    proposal."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._functions: dict[str, list[Function]] = {}

    def tree(self, rel: str) -> ast.Module | None:
        """The project's shared parse of the file (None: it does not parse or cannot be read)."""
        try:
            return self.project.tree(rel)
        except OSError:
            return None

    def infos(self) -> list[ModuleInfo]:
        return [i for i in self.project.all_modules() if not i.syntax_error]

    def functions(self, rel: str) -> list[Function]:
        if rel not in self._functions:
            found: list[Function] = []
            tree = self.tree(rel)

            def visit(body: list[ast.stmt], cls: str | None) -> None:
                for node in body:
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                        found.append(_function(rel, node, cls))
                    elif isinstance(node, ast.ClassDef):
                        visit(node.body, node.name)

            if tree is not None:
                visit(tree.body, None)
            self._functions[rel] = found
        return self._functions[rel]

    def all_functions(self) -> Iterator[Function]:
        for info in self.infos():
            yield from self.functions(info.rel)

    def requesters(self, name: str) -> list[Function]:
        """Every test and fixture function that requests ``name``."""
        return [f for f in self.all_functions() if name in f.requests]

    def fixtures_named(self, name: str) -> list[Function]:
        return [f for f in self.all_functions() if f.fixture == name]

    def requester_at(self, rel: str, line: int | None, name: str | None = None) -> Function | None:
        for function in self.functions(rel):
            if line is not None and function.spans(line):
                return function
        if name is not None:
            for function in self.functions(rel):
                if function.name == name:
                    return function
        return None

    def function_at(self, rel: str, line: int) -> Function | None:
        """The innermost top-level function or method whose body holds ``line``."""
        for function in self.functions(rel):
            end = function.node.end_lineno or function.line
            if function.first <= line <= end:
                return function
        return None


def is_conftest(rel: str) -> bool:
    return posixpath.basename(rel) == "conftest.py"


def visible(definition: str, requester: str) -> bool:
    """Whether a fixture defined in the file ``definition`` is visible to a test in
    ``requester`` (both rootdir-relative)."""
    if definition == requester:
        return True
    if not is_conftest(definition):
        return False
    directory = posixpath.dirname(definition)
    return not directory or requester.startswith(directory + "/")


def requesting(issue: Issue, scan: Scan) -> list[Function]:
    """The functions that request the issue's fixture, one per location of the issue."""
    argname = str(issue.details.get("argname") or "")
    locations = [
        (str(loc["path"]), loc.get("line"))
        for loc in issue.details.get("locations") or []
        if isinstance(loc, dict) and loc.get("path")
    ]
    if not locations and issue.path:
        locations = [(issue.path, issue.line)]
    found: list[Function] = []
    for rel, line in locations:
        function = scan.requester_at(rel, line if isinstance(line, int) else None)
        if function is not None and argname in function.params and function not in found:
            found.append(function)
    return found


def ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def typo(a: str, b: str) -> bool:
    """One slip of the keyboard: a transposition, or one letter added, dropped or changed —
    not a plural, and not a different digit (``user1``/``user2`` are different fixtures)."""
    if a == b or min(len(a), len(b)) < 3:
        return False
    if a.lower() + "s" == b.lower() or b.lower() + "s" == a.lower():
        return False  # a plural, in whatever case (``TAX_RATE``/``TAX_RATES``)
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return not (a[diff[0]].isdigit() or b[diff[0]].isdigit())
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(long) - len(short) != 1:
        return False
    for i in range(len(long)):
        if long[:i] + long[i + 1 :] == short:
            return not long[i].isdigit()
    return False
