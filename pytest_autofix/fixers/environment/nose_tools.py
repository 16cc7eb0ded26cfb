"""``environment.nose-tools``: a project that still imports nose, which no longer installs or
imports on current Python, migrated to what pytest and the standard library offer instead of
a suggestion to install a dead package (``environment.dead-package``)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.edits import Edits, listing, located
from pytest_autofix.fixers.toolkit.import_style import style_of
from pytest_autofix.fixers.toolkit.nose_transforms import Outcome, migrate_nose
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

_PIN = (
    "or keep nose: `pip install nose` works up to Python 3.11 only (it imports imp, removed "
    "in 3.12) and is unmaintained since 2015"
)


def _imports_nose(project: Project, info: ModuleInfo) -> bool:
    try:
        if b"nose" not in project.source(info.path):
            return False
        tree = project.tree(info.path)
    except OSError:
        return False
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.partition(".")[0] == "nose" for a in node.names
        ):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and (node.module or "").partition(".")[0] == "nose"
        ):
            return True
    return False


def _nose_files(issue: Issue, project: Project) -> list[ModuleInfo]:
    """Where the failure surfaced, then every other project module that imports nose: the
    root cause is the project's use of nose, not the first module that met it."""
    files = {info.rel: info for info in located(issue, project)}
    for info in sorted(project.all_modules(), key=lambda i: i.rel):
        if info.rel not in files and _imports_nose(project, info):
            files[info.rel] = info
    return list(files.values())


class NoseTools:
    """nose.tools assertions -> ``assert``, ``assert_raises``/``@raises`` ->
    ``pytest.raises``, ``@nottest`` -> ``__test__ = False``, nose's ``SkipTest`` ->
    ``unittest.SkipTest``, ``@attr`` -> pytest marks (unsafe)."""

    name = "environment.nose-tools"
    kinds = frozenset({IssueKind.ENVIRONMENT})
    codes: frozenset[str] = frozenset({"environment.dead-package"})
    examples: tuple[Example, ...] = (
        Example(
            "nose.tools assertions, nose being gone",
            before="""\
                from nose.tools import assert_equal, assert_true


                def test_sum():
                    assert_equal(sum([1, 2]), 3)
                    assert_true(sum([1]), "positive")
                """,
            after="""\
                def test_sum():
                    assert sum([1, 2]) == 3
                    assert sum([1]), "positive"
                """,
            confidence=0.9,
            safe=True,
        ),
        Example(
            "an assertion's message and @raises",
            before="""\
                from nose.tools import assert_equal, raises


                def test_sum():
                    assert_equal(1 + 1, 2, "sum")


                @raises(ZeroDivisionError)
                def test_zero():
                    1 / 0
                """,
            after="""\
                import pytest


                def test_sum():
                    assert 1 + 1 == 2, "sum"


                def test_zero():
                    with pytest.raises(ZeroDivisionError):
                        1 / 0
                """,
            confidence=0.9,
            safe=True,
        ),
    )

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.dead-package" or issue.details.get("package") != "nose":
            return []
        edits = Edits()
        outcome = Outcome()
        marked: list[str] = []
        renamed: list[str] = []
        style = style_of(project)
        for info in _nose_files(issue, project):
            before = len(edits.edits)
            edits.add(project, info, migrate_nose(marks=True, outcome=outcome, style=style))
            if len(edits.edits) > before:
                marked += [f"{info.rel}::{name}" for name in outcome.marked]
                renamed += [f"{info.rel}::{name}" for name in outcome.renamed]
        failed_at = {info.rel for info in located(issue, project)}
        left_where_failed = [rel for rel, _ in edits.skipped if rel in failed_at]
        if not edits.edits:
            return [
                Fix(
                    f"nose is used in ways with no exact rewrite here{edits.note()}: migrate "
                    f"them by hand (timed, set_trace, with_setup of an expression -> a "
                    f"fixture), {_PIN}",
                    0.3,
                )
            ]
        what = (
            f"migrate nose to pytest in {listing(edits.changed)}: nose.tools assertions -> "
            f"assert (messages kept), assert_raises/@raises -> pytest.raises, @nottest -> "
            f"__test__ = False, nose's SkipTest -> unittest.SkipTest, and the nose imports "
            f"removed{edits.note()}"
        )
        if renamed:
            what += (
                f"; the setUp/tearDown nose ran in plain test classes -> setup_method/"
                f"teardown_method ({listing(renamed)})"
            )
        if any(b"almost_equal" in project.source(rel) for rel in edits.changed):
            what += (
                "; assert_almost_equal of a call -> round(abs(a - b), 7) == 0, which (unlike "
                "unittest) fails for two equal infinities"
            )
        if left_where_failed:
            return [Fix(f"{what}; nose stays where it failed; {_PIN}", 0.5, edits.edits, False)]
        if marked:
            return [
                Fix(
                    f"{what}; unsafe: @attr on {listing(marked)} became pytest marks, which "
                    f"`-m` selects where nose had `-a`, and which pytest warns about (an "
                    f"error with --strict-markers) until they are registered",
                    0.85,
                    edits.edits,
                    safe=False,
                )
            ]
        return [Fix(what, 0.9, edits.edits)]
