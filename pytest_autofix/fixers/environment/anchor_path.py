"""``environment.anchor-path``: a relative path that only resolves from one working directory,
anchored at the ``__file__`` of the module that reads it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from pytest_autofix.fixers.toolkit.cst import string_value
from pytest_autofix.fixers.toolkit.edits import Edits, listing, located
from pytest_autofix.fixers.toolkit.environment_confidence import GUARDED, UNSURE
from pytest_autofix.fixers.toolkit.environment_transforms import (
    Transform,
    Unfixable,
    add_module_import,
    bound_names,
    import_map,
)
from pytest_autofix.fixers.toolkit.import_style import ImportStyle, style_of
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import ModuleInfo, Project

__all__ = ["FileNotFound", "anchor_path"]


class _AnchorLiteral(cst.CSTTransformer):
    """Every string literal ``filename`` -> a path anchored at ``__file__``."""

    def __init__(self, filename: str, anchored: cst.BaseExpression) -> None:
        super().__init__()
        self.filename, self.anchored = filename, anchored
        self.count = 0

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        if string_value(original_node) != self.filename:
            return updated_node
        self.count += 1
        return self.anchored.deep_clone()

    def leave_ConcatenatedString(
        self, original_node: cst.ConcatenatedString, updated_node: cst.ConcatenatedString
    ) -> cst.BaseExpression:
        return updated_node


def anchor_path(
    filename: str, up: int = 0, written: str | None = None, style: ImportStyle | None = None
) -> Transform:
    """Rewrite the literal ``filename`` to a path next to the file (or ``up`` directories above
    it), in the file's idiom: ``Path(__file__).parent / "x"`` (``.parent.parent`` ...) when it
    uses pathlib, else ``os.path.join(os.path.dirname(__file__), "x")`` (``os.path.dirname``
    once more per level), with ``written`` in the literal when given; the import is added
    when needed."""

    def transform(tree: cst.Module) -> cst.Module:
        imports = import_map(tree)
        by_qualified = {q: local for local, q in imports.items()}
        literal = cst.SimpleString(_quote(tree, filename if written is None else written))
        needs: list[Transform] = []
        if "pathlib.Path" in by_qualified or "pathlib" in by_qualified:
            path = by_qualified.get("pathlib.Path") or f"{by_qualified['pathlib']}.Path"
            anchored: cst.BaseExpression = cst.BinaryOperation(
                left=cst.parse_expression(f"{path}(__file__).parent" + ".parent" * up),
                operator=cst.Divide(),
                right=literal,
            )
        else:
            if "os" in bound_names(tree.code) and imports.get("os") != "os":
                raise Unfixable("'os' is bound to something else in this file")
            os_path = by_qualified.get("os.path")
            prefix = os_path if os_path else "os.path"
            if not os_path and "os" not in imports:
                needs.append(add_module_import("os", style))
            here = "__file__"
            for _ in range(up + 1):
                here = f"{prefix}.dirname({here})"
            anchored = cst.parse_expression(f"{prefix}.join({here}, 'x')")
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
    codes: frozenset[str] = frozenset({"environment.file-not-found"})
    examples: tuple[Example, ...] = (
        Example(
            "a data file opened relative to the working directory",
            before={
                "tests/data/in.csv": "a,b\n",
                "tests/test_read.py": """\
                    from pathlib import Path


                    def test_read():
                        assert Path("data/in.csv").read_text() == "a,b\\n"
                    """,
            },
            after={
                "tests/test_read.py": """\
                    from pathlib import Path


                    def test_read():
                        assert Path(Path(__file__).parent / "data/in.csv").read_text() == "a,b\\n"
                    """,
            },
            confidence=0.9,
            safe=True,
        ),
        Example(
            "open() of a relative path in a module without pathlib: anchored with os.path",
            before={
                "tests/data/numbers.txt": "1 2 3\n",
                "tests/test_numbers.py": """\
                    def test_numbers():
                        with open("data/numbers.txt") as f:
                            assert f.read().split() == ["1", "2", "3"]
                    """,
            },
            after={
                "tests/test_numbers.py": """\
                    import os


                    def test_numbers():
                        with open(os.path.join(os.path.dirname(__file__), "data/numbers.txt")) as f:
                            assert f.read().split() == ["1", "2", "3"]
                    """,
            },
            confidence=0.9,
            safe=True,
        ),
    )

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
        edits = Edits()
        for info in candidates.values():
            directory = Path(info.rel).parent.as_posix().removeprefix(".")
            up = _levels_up(directory, directories)
            if up is not None and _mentions(project, info, filename):
                up, written = _shortest(filename, directory, up)
                edits.add(project, info, anchor_path(filename, up, written, style_of(project)))
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


def _shortest(filename: str, directory: str, up: int) -> tuple[int, str | None]:
    """A path written from ``up`` directories above the module that passes through the
    module's own directory (``tests/data/x.csv`` read from ``tests/test_x.py``) is anchored
    at the module with the rest of it (``data/x.csv``): ``(levels up, the new text)``."""
    if not up:
        return 0, None
    below = "/".join([p for p in directory.split("/") if p][-up:]) + "/"
    normalized = os.path.normpath(filename).replace(os.sep, "/")
    if normalized.startswith(below) and len(normalized) > len(below):
        return 0, normalized[len(below) :]
    return up, None


def _levels_up(directory: str, directories: list[str]) -> int | None:
    """How many directories up from ``directory`` (a module's, rootdir-relative) the nearest
    of ``directories`` is: 0 when the file lives next to the module; None when none of them
    is above it."""
    parts = [p for p in directory.split("/") if p]
    best: int | None = None
    for other in directories:
        above = [p for p in other.split("/") if p]
        if parts[: len(above)] == above:
            up = len(parts) - len(above)
            best = up if best is None else min(best, up)
    return best


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
