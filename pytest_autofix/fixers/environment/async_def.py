"""``environment.async-def``: generator-based coroutines (``@asyncio.coroutine``, removed in
Python 3.11) rewritten as ``async def`` with ``await`` where that is the same program; the
catalogue's entry for ``asyncio.coroutine`` is one only a person could make."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.async_transforms import coroutine_markers, native_coroutines
from pytest_autofix.fixers.toolkit.edits import Edits, listing, located
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project


def _files(issue: Issue, project: Project) -> list[ModuleInfo]:
    """Where the failure surfaced, then every project module whose source names
    ``coroutine`` and imports asyncio."""
    found = {info.rel: info for info in located(issue, project)}
    for info in sorted(project.all_modules(), key=lambda i: i.rel):
        if info.rel in found or not any(ref.module == "asyncio" for ref in info.imports):
            continue
        try:
            if b"coroutine" in project.source(info.path):
                found[info.rel] = info
        except OSError:
            continue
    return list(found.values())


def _imports(other: ModuleInfo, info: ModuleInfo) -> bool:
    """Whether ``other`` imports the module ``info`` (or loads it by name)."""
    parent, _, last = info.name.rpartition(".")
    return info.name in other.dynamic or any(
        ref.module == info.name or (ref.module == parent and last in ref.names)
        for ref in other.imports
    )


def _markers(info: ModuleInfo, project: Project) -> frozenset[str]:
    """The file's decorators that make what they decorate a coroutine with
    ``asyncio.coroutine`` and that no module importing it names: what they decorate is all in
    this file, and is rewritten with them."""
    try:
        found = coroutine_markers(project.cst(info.path))
    except (OSError, ValueError):
        return frozenset()
    for other in project.all_modules():
        if not found or other.rel == info.rel or not _imports(other, info):
            continue
        try:
            source = project.source(other.path)
        except OSError:
            return frozenset()
        found = {n for n in found if not re.search(rb"\b" + n.encode() + rb"\b", source)}
    return frozenset(found)


class NativeCoroutines:
    """``@asyncio.coroutine`` + ``yield from`` -> ``async def`` + ``await``."""

    name = "environment.async-def"
    kinds = frozenset({IssueKind.ENVIRONMENT})
    codes: frozenset[str] = frozenset({"environment.removed-api"})
    examples: tuple[Example, ...] = (
        Example(
            "a generator-based coroutine on Python 3.11",
            before="""\
                import asyncio


                @asyncio.coroutine
                def double(x):
                    yield from asyncio.sleep(0)
                    return 2 * x


                def test_double():
                    assert asyncio.run(double(2)) == 4
                """,
            after="""\
                import asyncio


                async def double(x):
                    await asyncio.sleep(0)
                    return 2 * x


                def test_double():
                    assert asyncio.run(double(2)) == 4
                """,
            confidence=0.9,
            safe=True,
        ),
    )

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.removed-api":
            return []
        if issue.details.get("api") != "asyncio.coroutine":
            return []
        edits = Edits()
        names: list[str] = []
        for info in _files(issue, project):
            done: list[str] = []
            before = len(edits.edits)
            edits.add(project, info, native_coroutines(done, _markers(info, project)))
            if len(edits.edits) > before:
                names += [f"{info.rel}::{n}" for n in done]
        if not edits.edits:
            return [
                Fix(
                    "asyncio.coroutine was removed in Python 3.11 and no decorated function "
                    f"can be rewritten exactly{edits.note()}: make them `async def` with "
                    "`await` by hand",
                    0.3,
                )
            ]
        text = (
            f"@asyncio.coroutine (removed in Python 3.11) -> async def, yield from -> await: "
            f"{listing(names)}{edits.note()}"
        )
        # every rewrite is the same program: only when no file where the failure surfaced
        # changes can the fix not mend one of its tests (a person's then)
        failed_at = {info.rel for info in located(issue, project)}
        left = {rel for rel, _ in edits.skipped}
        if failed_at and failed_at <= left:
            return [Fix(text, 0.5, edits.edits, safe=False)]
        return [Fix(text, 0.9, edits.edits)]
