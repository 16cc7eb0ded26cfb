"""``fixture.removed-api``: pytest APIs removed in pytest 8 and 9 (``issue.details["api"]``)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from pytest_autofix.fixers._fixtures_rewrite import (
    msg_to_reason,
    remove_fixture_marks,
    rename_methods,
    warns_none_to_catch_warnings,
)
from pytest_autofix.fixers._imports_common import Edits, listing, located
from pytest_autofix.fixers._imports_rewrite import Transform, rename_name
from pytest_autofix.model import Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import Project

_NOSE = {"setup": "setup_method", "teardown": "teardown_method"}
_NOSE_MODULE = {"setup": "setup_module", "teardown": "teardown_module"}
# What a list of warnings.WarningMessage supports as a pytest WarningsRecorder did.
_LIST_USES = (ast.Subscript, ast.For, ast.comprehension, ast.Compare, ast.UnaryOp, ast.Assert)
_LIST_FUNCTIONS = frozenset({"len", "list", "bool", "any", "all", "sorted", "iter", "enumerate"})


def _is_unittest(node: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> bool:
    for base in node.bases:
        name = ast.unparse(base)
        if name.rpartition(".")[2].endswith("TestCase"):
            return True
        if name in classes and classes[name] is not node and _is_unittest(classes[name], classes):
            return True
    return False


def _methods(node: ast.ClassDef) -> set[str]:
    return {s.name for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}


def _called(tree: ast.AST, name: str) -> bool:
    """Whether ``name`` is read anywhere (``self.setup()``, ``setup()``): renaming it would
    break that reader."""
    return any(
        (isinstance(n, ast.Attribute) and n.attr == name)
        or (isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))
        for n in ast.walk(tree)
    )


def _is_test_module(rel: str) -> bool:
    name = rel.rpartition("/")[2]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _nose_renames(
    tree: ast.Module, failing: str, skipped: list[str]
) -> tuple[list[tuple[str | None, Transform]], list[str]]:
    """The renames one test module needs, each with the class it is for (None: the module):
    its test classes' nose methods (guarded: not a unittest.TestCase, no method of the target
    name, not called by name) and its module-level ``setup()``/``teardown()``."""
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    transforms: list[tuple[str | None, Transform]] = []
    done: list[str] = []
    for name, node in classes.items():
        methods = _methods(node)
        if not (name.startswith("Test") or name == failing) or not methods & set(_NOSE):
            continue
        if _is_unittest(node, classes):
            skipped.append(f"{name} is a unittest.TestCase, which calls setUp()")
            continue
        renames: dict[str, str] = {}
        for old, new in _NOSE.items():
            if old not in methods:
                continue
            if new in methods:
                skipped.append(f"{name} already has {new}()")
            elif _called(node, old):
                skipped.append(f"{name} calls {old}() itself")
            else:
                renames[old] = new
        if renames:
            transforms.append((name, rename_methods(name, renames)))
            done.append(f"{name}.{'/'.join(renames)}()")
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    module_renames = {
        old: new
        for old, new in _NOSE_MODULE.items()
        if old in functions and new not in functions and not _called(tree, old)
    }
    if module_renames:
        transforms.append((None, rename_methods(None, module_renames)))
        done.append(f"module-level {'/'.join(module_renames)}()")
    return transforms, done


class PytestRemovedApi:
    """nose-style setup/teardown, ``pytest.warns(None)``, ``msg=``, marks on fixtures,
    ``pytest.yield_fixture``; a suggestion for a sync test requesting an async fixture."""

    name = "fixture.removed-api"
    kinds = frozenset({IssueKind.FIXTURE})

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "fixture.removed-api":
            return []
        api = issue.details.get("api")
        if api == "nose-setup":
            return self._nose(issue, project)
        if api == "msg-kwarg":
            return self._each_file(
                issue,
                project,
                msg_to_reason(),
                "pytest.skip/fail/exit(msg=...) -> reason=... (msg= was removed in pytest 8)",
                0.95,
            )
        if api == "mark-on-fixture":
            return self._each_file(
                issue,
                project,
                remove_fixture_marks(),
                "remove the marks applied to fixtures (they never had an effect; an error "
                "since pytest 9)",
                0.95,
            )
        if api == "yield-fixture":
            return self._each_file(
                issue,
                project,
                rename_name("pytest", "yield_fixture", "fixture"),
                "pytest.yield_fixture -> pytest.fixture (the same since pytest 3.0)",
                0.95,
            )
        if api == "warns-none":
            return self._warns_none(issue, project)
        if api == "async-fixture":
            return [
                Fix(
                    "a sync test requests an async fixture: install and configure an async "
                    "plugin (pytest-asyncio, anyio) or make the test async",
                    0.3,
                )
            ]
        return []

    @staticmethod
    def _each_file(
        issue: Issue, project: Project, transform: Transform, what: str, confidence: float
    ) -> list[Fix]:
        edits = Edits()
        for info in located(issue, project):
            edits.add(project, info, transform)
        if not edits.edits:
            return []
        return [Fix(f"{what} in {listing(edits.changed)}{edits.note()}", confidence, edits.edits)]

    def _nose(self, issue: Issue, project: Project) -> list[Fix]:
        """A failure proves the project relies on nose-style methods pytest 8 stopped calling:
        rename every one of them in the project's test modules in one fix (test classes'
        ``setup``/``teardown`` -> ``setup_method``/``teardown_method``, module-level ones ->
        ``setup_module``/``teardown_module``), each class and module behind its guards."""
        failing = str(issue.details.get("test_class") or "")
        failing_rel = str(issue.details.get("node_path") or issue.path or "")
        edits = Edits()
        done: list[str] = []
        skipped: list[str] = []
        trees = {}
        for info in sorted(project.all_modules(), key=lambda i: i.rel):
            if not _is_test_module(info.rel) and info.rel != failing_rel:
                continue
            try:
                tree = project.tree(info.path)
            except OSError:
                continue
            if tree is not None:
                trees[info] = tree
        bases = {
            ast.unparse(base).rpartition(".")[2]
            for tree in trees.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            for base in node.bases
        }
        for info, tree in trees.items():
            transforms, renamed = _nose_renames(tree, failing, skipped)
            for cls, transform in transforms:
                # one edit per class, verified class by class, unless a class inherits it
                scope = f"{info.rel}::{cls}" if cls is not None and cls not in bases else None
                edits.add(project, info, transform, scope=scope)
            done.extend(f"{info.rel}: {r}" for r in renamed)
        if not edits.edits:
            reason = "; ".join(skipped) or "nothing to rename"
            return [Fix(f"nose-style setup/teardown in {failing} not renamed: {reason}", 0.3)]
        note = f"; left: {'; '.join(skipped)}" if skipped else ""
        return [
            Fix(
                f"rename nose-style {listing(done)} to setup_method/teardown_method "
                f"(setup_module/teardown_module at module level), which pytest 8 still "
                f"calls{note}{edits.note()}",
                0.9,
                edits.edits,
            )
        ]

    def _warns_none(self, issue: Issue, project: Project) -> list[Fix]:
        edits = Edits()
        unsafe: list[str] = []
        for info in located(issue, project):
            before = len(edits.edits)
            edits.add(project, info, warns_none_to_catch_warnings())
            if len(edits.edits) == before:
                continue
            tree = project.tree(info.path)
            if tree is not None:
                unsafe += [f"{info.rel}:{line}" for line in _recorder_uses(tree)]
        if not edits.edits:
            return []
        what = (
            f"pytest.warns(None) -> warnings.catch_warnings(record=True) with "
            f'warnings.simplefilter("always") in {listing(edits.changed)}: the warnings are '
            "recorded as before, without asserting any, and `as record` is a list of "
            "warnings.WarningMessage"
        )
        if unsafe:
            return [
                Fix(
                    f"{what}; unsafe: the recorder is used as a WarningsRecorder at "
                    f"{listing(unsafe)} (.pop(cls), .list, .clear() and the like, or passed "
                    f"on), which a list does not do the same way{edits.note()}",
                    0.7,
                    edits.edits,
                    safe=False,
                )
            ]
        return [
            Fix(f"{what}; only list operations are used on it{edits.note()}", 0.85, edits.edits)
        ]


def _recorder_uses(tree: ast.Module) -> list[int]:
    """Lines where the name bound by ``with pytest.warns(None) as name`` is used other than as
    a list (attribute access, passed to a function that is not ``len()`` and the like)."""
    parents: dict[ast.AST, ast.AST] = {}
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent
    found: list[int] = []
    for with_node in ast.walk(tree):
        if not isinstance(with_node, ast.With | ast.AsyncWith):
            continue
        for item in with_node.items:
            call = item.context_expr
            if not (
                isinstance(call, ast.Call)
                and ast.unparse(call.func).rpartition(".")[2] == "warns"
                and len(call.args) == 1
                and isinstance(call.args[0], ast.Constant)
                and call.args[0].value is None
                and isinstance(item.optional_vars, ast.Name)
            ):
                continue
            name = item.optional_vars.id
            scope: ast.AST = with_node
            while not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                if scope not in parents:
                    break
                scope = parents[scope]
            for use in ast.walk(scope):
                if not (isinstance(use, ast.Name) and use.id == name):
                    continue
                if isinstance(use.ctx, ast.Store):
                    continue
                above = parents.get(use)
                if isinstance(above, _LIST_USES) or (
                    isinstance(above, ast.Call)
                    and isinstance(above.func, ast.Name)
                    and above.func.id in _LIST_FUNCTIONS
                ):
                    continue
                if isinstance(above, ast.If | ast.While | ast.BoolOp):
                    continue
                found.append(use.lineno)
    return found
