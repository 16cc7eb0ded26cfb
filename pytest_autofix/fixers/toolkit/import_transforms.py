"""The libcst transforms of the import fixers.

Each function returns a transform, ``libcst.Module -> libcst.Module``, that decides everything
from the module it is given (the plan may chain it after other fixes of the same file). A
transform that cannot keep the file working raises :class:`Unfixable`; the fixers run every
transform once when they propose it, so such a file is left out of the fix, with the reason.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import cast

import libcst as cst
from libcst.helpers import get_absolute_module_from_package_for_import, get_full_name_for_node
from libcst.metadata import ImportAssignment, MetadataWrapper, Scope, ScopeProvider

from pytest_autofix.fixers.toolkit.cst import find_all, is_docstring, is_import_line, is_name
from pytest_autofix.fixers.toolkit.import_style import ImportStyle, Section
from pytest_autofix.fixers.toolkit.scan import relative_form

Transform = Callable[[cst.Module], cst.Module]

__all__ = [
    "Transform",
    "Unfixable",
    "add_import",
    "import_order",
    "rename_module",
    "rename_name",
]


class Unfixable(Exception):
    """This file cannot be rewritten so that it keeps working; the message says why."""


def dotted_expr(name: str) -> cst.Attribute | cst.Name:
    first, *rest = name.split(".")
    node: cst.Attribute | cst.Name = cst.Name(first)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _full(node: cst.CSTNode | None) -> str:
    return (get_full_name_for_node(node) or "") if node is not None else ""


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _root(node: cst.BaseExpression) -> cst.Name | None:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def _absolute(package: str, node: cst.ImportFrom) -> str:
    try:
        return get_absolute_module_from_package_for_import(package or None, node) or ""
    except Exception:  # a relative import above the top-level package
        return ""


def _set_module(node: cst.ImportFrom, package: str, absolute: str) -> cst.ImportFrom:
    """``node`` importing from ``absolute``, relative as before when that still reaches it."""
    level = len(node.relative)
    relative = relative_form(package, level, absolute) if level else None
    if relative is not None:
        dots, rest = relative
        return node.with_changes(
            relative=[cst.Dot()] * dots, module=dotted_expr(rest) if rest else None
        )
    return node.with_changes(relative=[], module=dotted_expr(absolute))


def _run(module: cst.Module, transformer: cst.CSTTransformer, scoped: bool) -> cst.Module:
    """Visit with scope analysis only when the transformer will ask for it: a
    ``MetadataWrapper`` copies the module and resolves every scope, ten times the cost."""
    if scoped:
        return MetadataWrapper(module).visit(transformer)
    return module.visit(transformer)


class _Scoped(cst.CSTTransformer):
    """Scope helpers shared by the transformers below."""

    METADATA_DEPENDENCIES = (ScopeProvider,)

    def _scopes(self) -> list[Scope]:
        resolved = cast("Mapping[cst.CSTNode, Scope | None]", self.metadata[ScopeProvider])
        found = {id(s): s for s in resolved.values() if s is not None}
        return list(found.values())

    def _is_import_binding(self, root: cst.Name) -> bool:
        """Whether the name at the root of a chain reads an import (not a local)."""
        scope = self.get_metadata(ScopeProvider, root, None)
        if scope is None:
            return False
        assignments = list(scope[root.value])
        return bool(assignments) and all(isinstance(a, ImportAssignment) for a in assignments)

    def _free(self, name: str, compatible: Callable[[ImportAssignment], bool]) -> bool:
        """Whether ``name`` can be bound by a new import without changing what any existing
        code means: every binding and read of it is already such an import."""
        for scope in self._scopes():
            for assignment in scope.assignments[name]:
                if not (isinstance(assignment, ImportAssignment) and compatible(assignment)):
                    return False
            for access in scope.accesses[name]:
                referents = list(access.referents)
                if not referents or not all(
                    isinstance(r, ImportAssignment) and compatible(r) for r in referents
                ):
                    return False
        return True


# -- a module renamed, moved or misspelled ----------------------------------------------------


class _RenameModule(_Scoped):
    def __init__(self, old: str, new: str, package: str) -> None:
        super().__init__()
        self.old, self.new, self.package = old, new, package
        self.mode: str | None = None  # how unaliased `import old` statements are handled
        self.imports: set[cst.Import] = set()
        self.refs: set[cst.Name] = set()
        self.depth = 0

    def visit_Module(self, node: cst.Module) -> None:
        unaliased = self._find_imports(node)
        if not unaliased:
            return
        self.mode = self._mode(unaliased)
        if self.mode == "rename":
            self._find_reads()

    def _find_imports(self, node: cst.Module) -> list[str]:
        """Note every ``import`` statement of ``old`` (or a submodule), and return the modules
        it imports without an alias: those bind a name the rest of the file reads."""
        unaliased: list[str] = []
        for found in find_all(node, cst.Import):
            for alias in found.names:
                full = _full(alias.name)
                if _under(full, self.old):
                    self.imports.add(found)
                    if alias.asname is None:
                        unaliased.append(full)
        return unaliased

    def _mode(self, unaliased: list[str]) -> str:
        """How the unaliased imports change: "prefix" for a dotted ``old`` (reads of
        ``old.x`` become ``new.x``), "alias" (``import new as old``) when each imports ``old``
        itself and ``new`` is dotted or its name is taken, else "rename" (the statements and
        the reads). Unfixable when the new top-level name is bound to something else."""
        old_root, new_root = self.old.partition(".")[0], self.new.partition(".")[0]
        root_free = new_root == old_root or self._free(new_root, self._binds_root(new_root))
        if "." in self.old:
            if not root_free:
                raise Unfixable(f"{new_root!r} is bound to something else in this file")
            return "prefix"
        if all(full == self.old for full in unaliased) and ("." in self.new or not root_free):
            return "alias"
        if not root_free:
            raise Unfixable(f"{new_root!r} is bound to something else in this file")
        return "rename"

    def _find_reads(self) -> None:
        """Note the names that read one of the imports of ``old`` (the roots of ``old.x``), to
        be renamed; Unfixable when one is read where it cannot be renamed (a string
        annotation)."""
        for scope in self._scopes():
            for access in scope.accesses:
                if not any(
                    isinstance(r, ImportAssignment) and r.node in self.imports
                    for r in access.referents
                ):
                    continue
                read = access.node
                root = _root(read) if isinstance(read, cst.Name | cst.Attribute) else None
                if root is None:
                    raise Unfixable(f"{self.old!r} is read in a string annotation")
                if root.value == self.old:
                    self.refs.add(root)

    def _binds_root(self, root: str) -> Callable[[ImportAssignment], bool]:
        def compatible(assignment: ImportAssignment) -> bool:
            node = assignment.node
            if node in self.imports:
                return True
            return isinstance(node, cst.Import) and any(
                alias.asname is None and _full(alias.name).partition(".")[0] == root
                for alias in node.names
            )

        return compatible

    def visit_Import(self, node: cst.Import) -> bool:
        self.depth += 1
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.depth += 1
        return False

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        self.depth -= 1
        names = []
        for alias in updated_node.names:
            full = _full(alias.name)
            if _under(full, self.old):
                new_full = self.new + full[len(self.old) :]
                if alias.asname is None and self.mode == "alias" and full == self.old:
                    alias = alias.with_changes(
                        name=dotted_expr(new_full), asname=cst.AsName(name=cst.Name(self.old))
                    )
                else:
                    alias = alias.with_changes(name=dotted_expr(new_full))
            names.append(alias)
        return updated_node.with_changes(names=names)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        self.depth -= 1
        absolute = _absolute(self.package, original_node)
        if not absolute or not _under(absolute, self.old):
            return updated_node
        return _set_module(updated_node, self.package, self.new + absolute[len(self.old) :])

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node in self.refs and self._is_import_binding(original_node):
            return dotted_expr(self.new).with_changes(
                lpar=updated_node.lpar, rpar=updated_node.rpar
            )
        return updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if self.mode != "prefix" or self.depth or _full(original_node) != self.old:
            return updated_node
        root = _root(original_node)
        if root is None or not self._is_import_binding(root):
            return updated_node
        return dotted_expr(self.new).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)


def rename_module(old: str, new: str, package: str) -> Transform:
    """Import ``new`` wherever the file imports ``old`` (or a submodule of it), in every form.

    ``from old import x`` and relative forms change their module; ``import old as c`` its
    name; an unaliased ``import old`` binds a name the rest of the file reads, so the reads
    change with it (``old.x`` becomes ``new.x``), or the import is aliased (``import new as
    old``) when that is simpler and keeps every read working. ``package`` resolves relative
    imports.
    """

    def transform(module: cst.Module) -> cst.Module:
        scoped = any(
            _under(_full(alias.name), old) and alias.asname is None
            for found in find_all(module, cst.Import)
            for alias in found.names
        )
        return _run(module, _RenameModule(old, new, package), scoped)

    return transform


# -- a name renamed or moved -----------------------------------------------------------------


class _RenameName(_Scoped):
    def __init__(
        self, module: str, old: str, new: str, new_module: str, package: str, keep_name: bool
    ) -> None:
        super().__init__()
        self.module, self.old, self.new = module, old, new
        self.new_module, self.package, self.keep_name = new_module, package, keep_name
        self.statements: set[cst.ImportFrom] = set()
        self.rename_uses = False
        self.refs: set[cst.Name] = set()
        self.bindings: set[str] = set()  # local expressions that reach `module`
        self.extra: list[cst.SimpleStatementLine] = []
        self.created: list[cst.SimpleStatementLine] = []  # every line split out, for merging
        self.depth = 0
        self.config: cst.PartialParserConfig | None = None

    def visit_Module(self, node: cst.Module) -> None:
        self.config = node.config_for_parsing
        parent, _, last = self.module.rpartition(".")
        for found in find_all(node, (cst.ImportFrom, cst.Import)):
            if isinstance(found, cst.Import):
                for alias in found.names:
                    if _full(alias.name) == self.module:
                        self.bindings.add(_full(alias.asname.name) if alias.asname else self.module)
                continue
            if not isinstance(found, cst.ImportFrom):
                continue
            if isinstance(found.names, cst.ImportStar):
                continue
            absolute = _absolute(self.package, found)
            for alias in found.names:
                name = _full(alias.name)
                if absolute == self.module and name == self.old:
                    self.statements.add(found)
                elif absolute == parent and name == last:
                    self.bindings.add(_full(alias.asname.name) if alias.asname else last)
        self.rename_uses = self._can_rename_uses()

    def _can_rename_uses(self) -> bool:
        """Rename the reads of an unaliased ``old`` instead of aliasing ``new as old``?"""
        if self.keep_name or not self.statements:
            return False
        if not self._free(self.new, lambda _: False):
            return False  # `new` means something already in some scope: keep `old` as alias
        refs: set[cst.Name] = set()
        for scope in self._scopes():
            assignments = list(scope.assignments[self.old])
            ours = [
                a
                for a in assignments
                if isinstance(a, ImportAssignment) and a.node in self.statements
            ]
            if not ours:
                continue
            if len(ours) != len(assignments):
                return False  # `old` is also bound otherwise in that scope
            for assignment in ours:
                for access in assignment.references:
                    if not isinstance(access.node, cst.Name):
                        return False
                    refs.add(access.node)
        self.refs = refs
        return True

    def visit_Import(self, node: cst.Import) -> bool:
        self.depth += 1
        return False

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        self.depth -= 1
        return updated_node

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.depth += 1
        return False

    def _alias(self, alias: cst.ImportAlias) -> cst.ImportAlias:
        binding = _full(alias.asname.name) if alias.asname else self.old
        asname: cst.AsName | None
        if binding == self.new or (alias.asname is None and self.rename_uses):
            asname = None
        elif alias.asname is not None:
            asname = alias.asname
        else:
            asname = cst.AsName(name=cst.Name(self.old))
        return alias.with_changes(name=cst.Name(self.new), asname=asname)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        self.depth -= 1
        if original_node not in self.statements or isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        aliases = list(updated_node.names)
        ours = [a for a in aliases if _full(a.name) == self.old]
        if self.new_module == self.module:
            return updated_node.with_changes(
                names=[self._alias(a) if a in ours else a for a in aliases]
            )
        if len(ours) == len(aliases):
            moved = updated_node.with_changes(names=[self._alias(a) for a in aliases])
            return _set_module(moved, self.package, self.new_module)
        kept = [a for a in aliases if a not in ours]
        if aliases[-1] in ours:  # the new last name takes the old last one's comma (or none)
            kept[-1] = kept[-1].with_changes(comma=aliases[-1].comma)
        for alias in ours:
            line = _set_module(
                cst.ImportFrom(
                    module=dotted_expr(self.new_module),
                    relative=updated_node.relative,
                    names=[self._alias(alias).with_changes(comma=cst.MaybeSentinel.DEFAULT)],
                ),
                self.package,
                self.new_module,
            )
            self.extra.append(cst.SimpleStatementLine(body=[line]))
        self.created += self.extra
        return updated_node.with_changes(names=kept)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.BaseStatement]:
        if not self.extra:
            return updated_node
        extra, self.extra = self.extra, []
        return cst.FlattenSentinel([updated_node, *extra])

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node in self.refs:
            return updated_node.with_changes(value=self.new)
        return updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        if self.depth or original_node.attr.value != self.old:
            return updated_node
        if _full(original_node.value) not in self.bindings:
            return updated_node
        root = _root(original_node)
        if root is None or not self._is_import_binding(root):
            return updated_node
        if self.new_module != self.module:
            raise Unfixable(
                f"reads {_full(original_node)}, and {self.old} now lives in {self.new_module}"
            )
        return updated_node.with_changes(attr=updated_node.attr.with_changes(value=self.new))


def _names(old: str) -> Callable[[cst.ImportAlias | cst.Attribute], bool]:
    """``m.ImportAlias(name=m.Name(old)) | m.Attribute(attr=m.Name(old))``."""

    def test(node: cst.ImportAlias | cst.Attribute) -> bool:
        return is_name(node.name if isinstance(node, cst.ImportAlias) else node.attr, old)

    return test


def rename_name(
    module: str,
    old: str,
    new: str,
    *,
    new_module: str | None = None,
    package: str = "",
    keep_name: bool = False,
) -> Transform:
    """Import ``new`` (from ``new_module``, default ``module``) where the file imports ``old``
    from ``module``, and read ``module.new`` where it reads ``module.old``.

    An unaliased ``from module import old`` either renames every read of ``old`` (scope
    analysis: only the reads that resolve to that import) or, when renaming could change what
    some code means (``new`` already bound or read in some scope, ``old`` rebound, a read in a
    string annotation) or ``keep_name`` is set (other modules import ``old`` from this file),
    keeps the local name: ``from module import new as old``.
    """
    target = new_module or module

    def transform(tree: cst.Module) -> cst.Module:
        scoped = bool(find_all(tree, (cst.ImportAlias, cst.Attribute), _names(old)))
        renamer = _RenameName(module, old, new, target, package, keep_name)
        return _merge_split_lines(_run(tree, renamer, scoped), renamer.created)

    return transform


# A merged line is kept within the longest line of the import block, and within this at least.
_LINE_LENGTH = 79


def _merge_split_lines(tree: cst.Module, created: Sequence[cst.SimpleStatementLine]) -> cst.Module:
    """``tree`` with each line :func:`rename_name` split out of a top-level import
    (``from new_module import new``) merged into the import block's line that already imports
    from ``new_module``, as isort would: ``from collections.abc import Mapping, Sequence``,
    not a line for each. Only single-line imports without comments, and only where the merged
    line is no longer than the block's longest line (or 79 characters)."""
    body = list(tree.body)
    start, end = _top_imports(body)
    for line in created:
        i = next((k for k in range(start, end) if body[k] is line), None)
        if i is None:
            continue
        limit = max(_LINE_LENGTH, *(len(tree.code_for_node(s).rstrip()) for s in body[start:end]))
        for j in range(start, end):
            merged = _merged(tree, body[j], line, limit) if j != i else None
            if merged is not None:
                body[j] = merged
                del body[i]
                end -= 1
                break
    return tree.with_changes(body=body) if len(body) != len(tree.body) else tree


def _plain_from(line: cst.CSTNode) -> cst.ImportFrom | None:
    """The import of a one-line ``from m import a, b`` without parentheses or comments."""
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    node = line.body[0]
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return None
    if node.lpar is not None or line.trailing_whitespace.comment is not None:
        return None
    return node


def _merged(
    tree: cst.Module, into: cst.BaseStatement, line: cst.SimpleStatementLine, limit: int
) -> cst.SimpleStatementLine | None:
    target, ours = _plain_from(into), _plain_from(line)
    if target is None or ours is None or not isinstance(into, cst.SimpleStatementLine):
        return None
    if len(target.relative) != len(ours.relative) or _full(target.module) != _full(ours.module):
        return None
    names = list(cast("Sequence[cst.ImportAlias]", target.names))
    added = cast("Sequence[cst.ImportAlias]", ours.names)
    keys = [import_order(_full(a.name)) for a in names]
    in_order = keys == sorted(keys)
    names += added
    if in_order:
        names.sort(key=lambda a: import_order(_full(a.name)))
    merged = into.with_changes(body=[target.with_changes(names=_with_commas(names))])
    return merged if len(tree.code_for_node(merged).rstrip()) <= limit else None


# -- a missing import ------------------------------------------------------------------------


def add_import(
    module: str,
    name: str | None = None,
    asname: str | None = None,
    *,
    style: ImportStyle | None = None,
) -> Transform:
    """Add ``import module [as asname]`` or ``from module import name [as asname]`` with the
    file's top-level imports, as libcst's ``AddImportsVisitor`` does (without importing
    ``libcst.codemod``, ~0.4 s with the matchers it pulls in; the tests compare the two):
    nothing when the import block at the top (after a docstring or ``__strict__`` flag)
    already has it; else merged into the block's first ``from module import ...`` line; else
    a new line in the block, with a blank line between the block and the code after it.

    Then placed as isort and ruff would (``style``: the project's settings,
    :func:`~pytest_autofix.fixers.toolkit.import_style.style_of`; default theirs): a merged
    name at its place in a line that is in order; a new line in its section
    (``__future__``, standard library, third party, first party, relative) at its sorted
    place when the section is sorted, else at the section's end, a new section between blank
    lines when the file separates its sections. A block whose lines are not in section order
    gets the new line at its end. The file's spacing around the block is kept.
    """

    def transform(tree: cst.Module) -> cst.Module:
        return _tidy(tree, _add_import(tree, module, name, asname), style)

    return transform


def _tidy(before: cst.Module, after: cst.Module, style: ImportStyle | None = None) -> cst.Module:
    """``after`` (``before`` with an import added as ``AddImportsVisitor`` adds it) as a
    reviewer expects it: a name merged into a line kept in order when the line was in order
    (:func:`import_order`), a new line in its section (:func:`_in_section`), the spacing of
    the file kept (:func:`_keep_spacing`)."""
    style = style or ImportStyle()
    after = _in_section(before, _merged_in_order(before, after), style)
    return _keep_spacing(before, after, style)


def import_order(name: str) -> tuple[int, str, str]:
    """isort's and ruff's default order of the names of one ``from`` import (order by type):
    constants, then classes, then the rest, each alphabetically ignoring case."""
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower(), name


def _merged_in_order(before: cst.Module, after: cst.Module) -> cst.Module:
    """``after`` with the name ``AddImportsVisitor`` put first in an existing line moved to its
    place in order, when the rest of that line is in order."""
    if len(after.body) != len(before.body):
        return after  # a new line, not a merge
    for i, (old, new) in enumerate(zip(before.body, after.body, strict=True)):
        if old.deep_equals(new) or not is_import_line(new, cst.ImportFrom):
            continue
        node = cast("cst.ImportFrom", cast("cst.SimpleStatementLine", new).body[0])
        if isinstance(node.names, cst.ImportStar) or node.lpar is not None:
            return after
        first, *rest = node.names
        keys = [import_order(_full(a.name)) for a in rest]
        if keys != sorted(keys):
            return after  # the project does not keep this line in order
        names = sorted([first, *rest], key=lambda a: import_order(_full(a.name)))
        names = _with_commas(names)
        line = cast("cst.SimpleStatementLine", new).with_changes(
            body=[node.with_changes(names=names)]
        )
        return after.with_changes(body=[*after.body[:i], line, *after.body[i + 1 :]])
    return after


def _with_commas(names: Sequence[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """``names`` separated as on one line: ``a, b, c``."""
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    last = len(names) - 1
    return [
        a.with_changes(comma=comma if k < last else cst.MaybeSentinel.DEFAULT)
        for k, a in enumerate(names)
    ]


def _skip_first(body: Sequence[cst.BaseStatement]) -> bool:
    """A docstring or a ``__strict__ = ...`` flag first, which imports go after."""
    if not body:
        return False
    first = body[0]
    if is_docstring(first):
        return True
    if not isinstance(first, cst.SimpleStatementLine) or len(first.body) != 1:
        return False
    only = first.body[0]
    return (
        isinstance(only, cst.Assign)
        and len(only.targets) == 1
        and is_name(only.targets[0].target, "__strict__")
    )


def _top_imports(body: Sequence[cst.BaseStatement]) -> tuple[int, int]:
    """``body[start:end]``: the import lines at the top, after a docstring or flag."""
    start = end = 1 if _skip_first(body) else 0
    while end < len(body) and is_import_line(body[end]):
        end += 1
    return start, end


def _from_module(node: cst.ImportFrom) -> str | None:
    """The module of an absolute from-import (relative ones have no package to resolve)."""
    return get_absolute_module_from_package_for_import(None, node)


def _has_import(
    imports: Sequence[cst.Import | cst.ImportFrom],
    module: str,
    name: str | None,
    asname: str | None,
) -> bool:
    """Whether ``AddImportsVisitor`` sees the import as present in the top block."""
    if name is None:
        if asname is None:
            return any(
                isinstance(imp, cst.Import)
                and any(a.asname is None and a.evaluated_name == module for a in imp.names)
                for imp in imports
            )
        aliases: dict[str, str] = {}  # `import a as b`: the last alias of a module wins
        for imp in imports:
            if isinstance(imp, cst.Import):
                for a in imp.names:
                    alias = a.evaluated_alias
                    if alias is not None:
                        aliases[a.evaluated_name] = alias
        return aliases.get(module) == asname
    for imp in imports:
        if not isinstance(imp, cst.ImportFrom) or _from_module(imp) != module:
            continue
        if isinstance(imp.names, cst.ImportStar):
            if asname is None:  # a star import covers plain names, not aliased ones
                return True
            continue
        for a in imp.names:
            if a.evaluated_name == name and a.evaluated_alias == asname:
                return True
    return False


def _import_item(module: str, name: str | None, asname: str | None) -> tuple[str, str | None]:
    """The module and name to import after the checks and the relative forms of
    ``libcst.codemod``'s ``ImportItem`` (without a package): ``import ..a`` is
    ``from .. import a``."""
    if module == "__future__" and name is None:
        raise ValueError("Cannot import __future__ directly!")
    if module == "__future__" and asname is not None:
        raise ValueError("Cannot import __future__ objects with aliases!")
    stripped = module.lstrip(".")
    level = len(module) - len(stripped)
    if level and name is None:
        stripped, name = "", stripped
    return "." * level + stripped, name


def _merge_into_from(
    tree: cst.Module,
    imports: Sequence[cst.Import | cst.ImportFrom],
    start: int,
    module: str,
    name: str,
    asname: str | None,
) -> cst.Module | None:
    """``tree`` with ``name`` put first in the block's first ``from module import ...`` line
    (``imports`` are the block's statements, from ``body[start]``); None when it has none."""
    body = tree.body
    for i, imp in enumerate(imports, start):
        if not isinstance(imp, cst.ImportFrom) or isinstance(imp.names, cst.ImportStar):
            continue
        if _from_module(imp) != module:
            continue
        alias = cst.ImportAlias(
            name=cst.Name(name),
            asname=cst.AsName(name=cst.Name(asname)) if asname is not None else None,
        )
        line = cast("cst.SimpleStatementLine", body[i])
        merged = line.with_changes(body=[imp.with_changes(names=[alias, *imp.names])])
        return tree.with_changes(body=[*body[:i], merged, *body[i + 1 :]])
    return None


_Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def _blank_line_before(after: list[_Statement]) -> list[_Statement]:
    """``after`` (the code after the imports) with at least one blank line above it."""
    if after:
        first = after[0]
        leading = first.leading_lines
        if not leading:
            after[0] = first.with_changes(leading_lines=(cst.EmptyLine(),))
        elif leading[0].comment is not None:
            after[0] = first.with_changes(leading_lines=(cst.EmptyLine(), *leading))
    return after


def _add_import(tree: cst.Module, module: str, name: str | None, asname: str | None) -> cst.Module:
    """:func:`add_import` before the spacing is kept: what ``AddImportsVisitor`` does (the
    tests compare the two)."""
    module, name = _import_item(module, name, asname)
    body = tree.body
    start, end = _top_imports(body)
    imports = [
        cast("cst.Import | cst.ImportFrom", cast("cst.SimpleStatementLine", s).body[0])
        for s in body[start:end]
    ]
    if _has_import(imports, module, name, asname):
        return tree
    if name is not None:
        merged = _merge_into_from(tree, imports, start, module, name, asname)
        if merged is not None:
            return merged
    code = f"import {module}" if name is None else f"from {module} import {name}"
    if asname is not None:
        code += f" as {asname}"
    statement = cst.parse_statement(code, config=tree.config_for_parsing)
    after = _blank_line_before(list(body[end:]))
    if module == "__future__":
        new_body = [*body[:start], statement, *body[start:end], *after]
    else:
        new_body = [*body[:end], statement, *after]
    return tree.with_changes(body=new_body)


def _two_lines_before_definition(tree: cst.Module, index: int) -> cst.Module:
    """``tree`` with two blank lines above ``body[index]`` when it is a function or class
    definition that has fewer."""
    if index >= len(tree.body):
        return tree
    node = tree.body[index]
    if not isinstance(node, cst.FunctionDef | cst.ClassDef):
        return tree
    blank = 0
    for line in node.leading_lines:
        if line.comment is not None:
            break
        blank += 1
    if blank >= 2:
        return tree
    lines = (*[cst.EmptyLine()] * (2 - blank), *node.leading_lines)
    body = list(tree.body)
    body[index] = node.with_changes(leading_lines=lines)
    return tree.with_changes(body=body)


def _keep_spacing(before: cst.Module, after: cst.Module, style: ImportStyle) -> cst.Module:
    """``after`` (``before`` with imports added) spaced as the file was: no blank line added
    between the import block and the code where the file had none; after a file's first
    import, the project's ``lines-after-imports`` when set, else two blank lines (PEP 8)
    before a function or class right after it."""
    added = len(after.body) - len(before.body)
    if added <= 0:
        return after
    body: Sequence[cst.BaseStatement] = before.body
    start = 1 if body and is_docstring(body[0]) else 0
    end = start
    while end < len(body) and is_import_line(body[end]):
        end += 1
    if end == len(body):
        return after  # nothing after the imports
    if end == start:  # the first import of the file
        if style.lines_after_imports >= 0:
            return _blank_lines_before(after, end + added, style.lines_after_imports)
        return _two_lines_before_definition(after, end + added)
    following = body[end]
    moved = after.body[end + added]
    statement = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
    if not isinstance(following, statement) or not isinstance(moved, statement):
        return after
    if following.leading_lines:
        return after
    new_body = list(after.body)
    new_body[end + added] = moved.with_changes(leading_lines=following.leading_lines)
    return after.with_changes(body=new_body)


def _blank_lines_before(tree: cst.Module, index: int, count: int) -> cst.Module:
    """``tree`` with exactly ``count`` blank lines above ``body[index]`` (above its comments)."""
    if index >= len(tree.body):
        return tree
    node = tree.body[index]
    leading = list(node.leading_lines)
    blank = 0
    while blank < len(leading) and leading[blank].comment is None:
        blank += 1
    lines = (*[cst.EmptyLine()] * count, *leading[blank:])
    body = list(tree.body)
    body[index] = node.with_changes(leading_lines=lines)
    return tree.with_changes(body=body)


# -- a new import line in its section --------------------------------------------------------


def _line_module(line: cst.BaseStatement) -> tuple[str, bool]:
    """The module an import line imports (``..x`` for a relative one; the first of ``import
    a, b``) and whether it is a ``from`` import."""
    node = cast("cst.SimpleStatementLine", line).body[0]
    if isinstance(node, cst.Import):
        return _full(node.names[0].name), False
    node = cast("cst.ImportFrom", node)
    return "." * len(node.relative) + _full(node.module), True


def _sort_key(line: cst.BaseStatement, style: ImportStyle) -> tuple[object, ...]:
    """isort's and ruff's order of lines in a section: ``import`` lines before ``from`` lines
    (both by module) unless ``force-sort-within-sections``; modules ignoring case, relative
    ones furthest first."""
    module, is_from = _line_module(line)
    bare = module.lstrip(".")
    name = (len(bare) - len(module), bare.lower())
    return (name, is_from) if style.force_sort_within_sections else (is_from, name)


def _starts_group(line: cst.SimpleStatementLine) -> bool:
    """Whether a blank line separates ``line`` from the line above."""
    return any(empty.comment is None for empty in line.leading_lines)


def _with_inferred(lines: Sequence[cst.SimpleStatementLine], style: ImportStyle) -> ImportStyle:
    """``style``, and without project facts (the default style) the file's evidence: a
    blank-line group of what looks third party after another such group holds the project's
    own modules, where isort and ruff put first party."""
    if style.detected or style.first_party:
        return style
    groups: list[list[str]] = []
    for line in lines:
        if not groups or _starts_group(line):
            groups.append([])
        groups[-1].append(_line_module(line)[0])
    third = [all(style.section(m) == Section.THIRD_PARTY for m in group) for group in groups]
    for g in range(1, len(groups)):
        if third[g] and third[g - 1]:
            tops = frozenset(m.partition(".")[0] for m in groups[g])
            return dataclasses.replace(style, first_party=tops)
    return style


def _added_at(before: cst.Module, after: cst.Module, start: int, end: int) -> int | None:
    """Where ``AddImportsVisitor`` put the one line it added to the block ``body[start:end]``:
    after it, or first (a ``__future__`` import); None when the change is something else."""
    old, new = before.body, after.body
    if len(new) != len(old) + 1:
        return None
    if not all(a.deep_equals(b) for a, b in zip(old[:start], new[:start], strict=True)):
        return None
    if is_import_line(new[end]) and all(
        a.deep_equals(b) for a, b in zip(old[start:end], new[start:end], strict=True)
    ):
        return end
    if is_import_line(new[start]) and all(
        a.deep_equals(b) for a, b in zip(old[start:end], new[start + 1 : end + 1], strict=True)
    ):
        return start
    return None


def _split_leading(
    line: cst.SimpleStatementLine,
) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """The lines above ``line``: those up to its last blank line, and the comments after it
    (they stay with the import, as isort keeps them)."""
    leading = list(line.leading_lines)
    cut = max((k + 1 for k, e in enumerate(leading) if e.comment is None), default=0)
    return leading[:cut], leading[cut:]


def _position(
    lines: Sequence[cst.SimpleStatementLine],
    sections: Sequence[Section],
    new: cst.SimpleStatementLine,
    style: ImportStyle,
) -> tuple[int, bool, bool]:
    """Where ``new`` goes among ``lines`` (in section order): the index, whether it opens its
    section there, and whether it opens a new section between blank lines."""
    section = style.section(_line_module(new)[0])
    ours = [k for k, s in enumerate(sections) if s == section]
    if ours:
        keys = [_sort_key(lines[k], style) for k in ours]
        at = bisect.bisect_right(keys, _sort_key(new, style)) if keys == sorted(keys) else len(ours)
        pos = ours[at] if at < len(ours) else ours[-1] + 1
        return pos, pos == ours[0], False
    pos = next((k for k, s in enumerate(sections) if s > section), len(lines))
    boundaries = [k for k in range(1, len(lines)) if sections[k] != sections[k - 1]]
    return pos, pos == 0, all(_starts_group(lines[k]) for k in boundaries)


def _in_section(before: cst.Module, after: cst.Module, style: ImportStyle) -> cst.Module:
    """``after`` with the line ``AddImportsVisitor`` added to the top import block moved into
    its section (see :func:`add_import`); as it is when the block's lines are not in section
    order."""
    start, end = _top_imports(before.body)
    added = _added_at(before, after, start, end) if end > start else None
    if added is None:
        return after
    lines = [cast("cst.SimpleStatementLine", s) for s in before.body[start:end]]
    new = cast("cst.SimpleStatementLine", after.body[added])
    style = _with_inferred(lines, style)
    sections = [style.section(_line_module(line)[0]) for line in lines]
    if sections != sorted(sections):
        return after  # not sorted in sections: the new line stays at the end
    pos, first, separate = _position(lines, sections, new, style)
    gap = [cst.EmptyLine()] if separate else []
    if first and pos < len(lines):
        head, rest = _split_leading(lines[pos])
        new = new.with_changes(leading_lines=head)
        lines[pos] = lines[pos].with_changes(leading_lines=[*gap, *rest])
    else:
        new = new.with_changes(leading_lines=gap)
    lines.insert(pos, new)
    return after.with_changes(body=[*after.body[:start], *lines, *after.body[end + 1 :]])
