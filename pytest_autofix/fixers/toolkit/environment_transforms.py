"""The libcst transforms of the environment fixers: one catalogue entry -> one transform.

``migration_transform(migration)`` returns a ``libcst.Module -> libcst.Module`` function that
rewrites every use of the removed API in a file, keeping the file's own spelling (aliases,
``import a.b`` vs ``from a import b``). A file that cannot be migrated mechanically raises
:class:`Unfixable` with the reason. The test-suite runs every catalogue entry's example through
this function. An import a migration adds goes where the project's isort or ruff settings put it
(``style``: :func:`~pytest_autofix.fixers.toolkit.import_style.style_of`), through
:func:`~pytest_autofix.fixers.toolkit.import_transforms.add_import`.
"""

from __future__ import annotations

import ast
import builtins
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar, cast

import libcst as cst
from libcst.metadata import (
    BaseAssignment,
    BuiltinScope,
    ImportAssignment,
    MetadataWrapper,
    Scope,
    ScopeProvider,
)

from pytest_autofix.catalogue import Migration, Pattern
from pytest_autofix.fixers.toolkit.cst import is_docstring, is_import_line, keep_spacing, names_read
from pytest_autofix.fixers.toolkit.environment_guards import checked
from pytest_autofix.fixers.toolkit.import_style import ImportStyle
from pytest_autofix.fixers.toolkit.import_transforms import (
    Transform,
    Unfixable,
    add_import,
    dotted_expr,
    rename_module,
    rename_name,
)

__all__ = [
    "Transform",
    "Unfixable",
    "bound_names",
    "gone_module",
    "import_map",
    "migration_transform",
    "module_transform",
]

_PH = "__autofix_ph_"
_PLACEHOLDER = re.compile(r"\$(\*{0,2})(\w+)")


def _dotted(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr.value}"
    return None


def import_map(module: cst.Module) -> dict[str, str]:
    """Local name -> the qualified name it binds, from every import statement of the file."""
    found: dict[str, str] = {}
    for node in _walk_imports(module):
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _dotted(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    found[alias.asname.name.value] = full
                else:
                    root = full.partition(".")[0]
                    found.setdefault(root, root)
        elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
            if isinstance(node.names, cst.ImportStar):
                continue
            base = _dotted(node.module) or ""
            for alias in node.names:
                name = _dotted(alias.name) or ""
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                found[local] = f"{base}.{name}"
    return found


def _walk_imports(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    out: list[cst.Import | cst.ImportFrom] = []

    class Collect(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> bool:
            out.append(node)
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            out.append(node)
            return False

    module.visit(Collect())
    return out


def _star_imports(module: cst.Module) -> set[str]:
    return {
        _dotted(node.module) or ""
        for node in _walk_imports(module)
        if isinstance(node, cst.ImportFrom)
        and isinstance(node.names, cst.ImportStar)
        and node.module is not None
        and not node.relative
    }


def bound_names(code: str) -> set[str]:
    """Every name the file binds anywhere (assignments, defs, classes, imports, arguments)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.partition(".")[0])
    return names


def _qualify(node: cst.CSTNode, imports: dict[str, str]) -> str | None:
    dotted = _dotted(node)
    if dotted is None:
        return None
    root, dot, rest = dotted.partition(".")
    return imports.get(root, root) + dot + rest


def _imported_modules(module: cst.Module) -> set[str]:
    found: set[str] = set()
    for node in _walk_imports(module):
        if isinstance(node, cst.Import):
            found.update(_dotted(alias.name) or "" for alias in node.names if alias.asname is None)
    return found


def add_module_import(module: str, style: ImportStyle | None = None) -> Transform:
    """``import module``: right after the file's own ``import <its package>`` line when it has
    one (``import collections`` then ``import collections.abc``), else with the other imports,
    where ``style`` puts it."""
    root = module.partition(".")[0]

    def transform(tree: cst.Module) -> cst.Module:
        body = list(tree.body)
        last = None
        for i, statement in enumerate(body):
            if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
                only = statement.body[0]
                if isinstance(only, cst.Import) and all(
                    (_dotted(a.name) or "").partition(".")[0] == root and a.asname is None
                    for a in only.names
                ):
                    last = i
        if last is None:
            return add_import(module, style=style)(tree)
        line = cst.SimpleStatementLine(
            body=[cst.Import(names=[cst.ImportAlias(name=dotted_expr(module))])]
        )
        body.insert(last + 1, line)
        return tree.with_changes(body=body)

    return transform


# -- a module attribute -----------------------------------------------------------------------


class _ReplaceAttribute(cst.CSTTransformer):
    """``<binding of module>.name`` -> the replacement, in the file's spelling."""

    def __init__(self, module: str, name: str, replacement: str, imports: dict[str, str]) -> None:
        super().__init__()
        self.module, self.name, self.replacement = module, name, replacement
        self.imports = imports
        self.needs: set[str] = set()  # modules to import
        self.count = 0
        self.depth = 0

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if original_node.attr.value != self.name:
            return updated_node
        if _qualify(original_node.value, self.imports) != self.module:
            return updated_node
        self.count += 1
        new_module, _, new_name = self.replacement.rpartition(".")
        lpar, rpar = updated_node.lpar, updated_node.rpar
        if not new_module:  # a builtin
            return cst.Name(new_name, lpar=lpar, rpar=rpar)
        if new_module == self.module:
            return updated_node.with_changes(attr=cst.Name(new_name))
        if new_module.startswith(self.module + "."):
            node: cst.BaseExpression = updated_node.value
            for part in new_module[len(self.module) + 1 :].split("."):
                node = cst.Attribute(value=node, attr=cst.Name(part))
            self.needs.add(new_module)
            return cst.Attribute(value=node, attr=cst.Name(new_name), lpar=lpar, rpar=rpar)
        self.needs.add(new_module)
        return dotted_expr(self.replacement).with_changes(lpar=lpar, rpar=rpar)


class _DropFromImport(cst.CSTTransformer):
    """Remove ``name`` from ``from module import ...`` (its replacement is a builtin)."""

    def __init__(self, module: str, name: str) -> None:
        super().__init__()
        self.module, self.name = module, name

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if original_node.relative or original_node.module is None:
            return updated_node
        if _dotted(original_node.module) != self.module or isinstance(
            updated_node.names, cst.ImportStar
        ):
            return updated_node
        names = list(updated_node.names)
        kept = [a for a in names if _dotted(a.name) != self.name]
        if len(kept) == len(names):
            return updated_node
        if not kept:
            return cst.RemoveFromParent()
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=kept)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if not updated_node.body:
            return cst.RemoveFromParent()
        return updated_node


# Replacements that bind less tightly than the attribute or call they take the place of.
_LOOSE = (
    cst.UnaryOperation,
    cst.BinaryOperation,
    cst.BooleanOperation,
    cst.Comparison,
    cst.IfExp,
    cst.Lambda,
    cst.NamedExpr,
    cst.Await,
)


class _Parenthesizing(cst.CSTTransformer):
    """Puts replacements in place: one that binds less tightly than the name, attribute or call
    it takes the place of is parenthesized (`np.NINF ** 2` must become `(-numpy.inf) ** 2`, not
    `-numpy.inf ** 2`), and the parentheses go again where nothing binds tighter (an argument,
    an assignment's value, a return value, a list element)."""

    def __init__(self) -> None:
        super().__init__()
        self.wrapped: set[int] = set()  # the replacements parenthesized by _put

    def _put(self, built: cst.BaseExpression, where: cst.BaseExpression) -> cst.BaseExpression:
        if where.lpar or not isinstance(built, _LOOSE):
            return built.with_changes(lpar=where.lpar, rpar=where.rpar)
        wrapped = built.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        self.wrapped.add(id(wrapped))
        return wrapped

    def _bare(self, node: cst.BaseExpression) -> cst.BaseExpression:
        if id(node) in self.wrapped:
            return node.with_changes(lpar=[], rpar=[])
        return node

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(value=self._bare(updated_node.value))

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        return updated_node.with_changes(value=self._bare(updated_node.value))

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        if updated_node.value is None:
            return updated_node
        return updated_node.with_changes(value=self._bare(updated_node.value))

    def leave_Element(self, original_node: cst.Element, updated_node: cst.Element) -> cst.Element:
        return updated_node.with_changes(value=self._bare(updated_node.value))


def _from_imports(tree: cst.Module, module: str, name: str) -> list[cst.ImportFrom]:
    """The ``from module import name [as local]`` statements of the file, in any scope."""
    return [
        node
        for node in _walk_imports(tree)
        if isinstance(node, cst.ImportFrom)
        and not node.relative
        and node.module is not None
        and _dotted(node.module) == module
        and not isinstance(node.names, cst.ImportStar)
        and any(_dotted(alias.name) == name for alias in node.names)
    ]


class _ReadAs(_Parenthesizing):
    """Every read bound to ``from module import name [as local]`` becomes ``replacement`` (scope
    analysis: a parameter or a local of the same name is not such a read).

    :class:`Unfixable` when a read may also mean something else (the local name is bound
    otherwise in that scope, or read inside a string annotation), or when ``reserved`` (the
    builtin the reads become) is bound anywhere in the file by something other than that
    import: the reads would not reach the builtin."""

    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(
        self, module: str, name: str, replacement: cst.BaseExpression, reserved: str | None
    ) -> None:
        super().__init__()
        self.module, self.name = module, name
        self.replacement, self.reserved = replacement, reserved
        self.reads: set[cst.Name] = set()

    def visit_Module(self, node: cst.Module) -> None:
        statements = _from_imports(node, self.module, self.name)
        resolved = cast("Mapping[cst.CSTNode, Scope | None]", self.metadata[ScopeProvider])
        scopes = {id(s): s for s in resolved.values() if s is not None}.values()
        locals_ = {
            _local(alias)
            for statement in statements
            if not isinstance(statement.names, cst.ImportStar)
            for alias in statement.names
            if _dotted(alias.name) == self.name
        }

        def ours(assignment: BaseAssignment) -> bool:
            return isinstance(assignment, ImportAssignment) and assignment.node in statements

        for scope in scopes:
            if isinstance(scope, BuiltinScope):
                continue
            if self.reserved and any(not ours(a) for a in scope.assignments[self.reserved]):
                raise Unfixable(f"{self.reserved!r} is bound to something else in this file")
            for local in locals_:
                for assignment in filter(ours, scope.assignments[local]):
                    for access in assignment.references:
                        if not isinstance(access.node, cst.Name) or not all(
                            ours(r) for r in access.referents
                        ):
                            raise Unfixable(
                                f"{local!r} may also mean something else where it is read"
                            )
                        self.reads.add(access.node)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node in self.reads:
            return self._put(self.replacement, updated_node)
        return updated_node


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return _dotted(alias.name) or ""


def _read_as(
    tree: cst.Module,
    module: str,
    name: str,
    replacement: cst.BaseExpression,
    reserved: str | None = None,
) -> cst.Module:
    """:class:`_ReadAs`, then the name dropped from its ``from`` imports."""
    renamed = MetadataWrapper(tree).visit(_ReadAs(module, name, replacement, reserved))
    return _top_kept(tree, renamed.visit(_DropFromImport(module, name)))


def _top_kept(before: cst.Module, after: cst.Module) -> cst.Module:
    """``after`` without the blank lines a dropped first statement left at the top of the file
    (they separated it from the next one), when ``before`` did not start with one."""
    if before.header or not after.body or after.header:
        return after
    first = after.body[0]
    lines = list(getattr(first, "leading_lines", ()))
    if not lines or lines[0].comment is not None:
        return after
    if before.body and before.body[0] is first:
        return after
    while lines and lines[0].comment is None:
        lines.pop(0)
    return after.with_changes(body=[first.with_changes(leading_lines=lines), *after.body[1:]])


def _attribute(migration: Migration, style: ImportStyle | None) -> Transform:
    module, name = migration.module, migration.name
    replacement = migration.replacement
    new_module, _, new_name = replacement.rpartition(".")

    def transform(tree: cst.Module) -> cst.Module:
        imports = import_map(tree)
        replacer = _ReplaceAttribute(module, name, replacement, imports)
        result = tree.visit(replacer)
        if not new_module:
            from_imported = _from_imports(tree, module, name)
            clash = new_name in bound_names(tree.code) and imports.get(new_name) != (
                f"{module}.{name}"
            )
            if replacer.count and clash:
                raise Unfixable(f"{new_name!r} is bound to something else in this file")
            if from_imported:
                result = _read_as(result, module, name, cst.Name(new_name), reserved=new_name)
        else:
            already = _imported_modules(result)
            for needed in sorted(replacer.needs):
                root = needed.partition(".")[0]
                if root in bound_names(tree.code) and imports.get(root) != root:
                    raise Unfixable(f"{root!r} is bound to something else in this file")
                if needed not in already:
                    result = add_module_import(needed, style)(result)
            result = rename_name(module, name, new_name, new_module=new_module)(result)
            if module in _star_imports(result) and _reads_name(result, name, imports):
                result = add_import(new_module, new_name, style=style)(result)
        return result

    return transform


def _reads_name(tree: cst.Module, name: str, imports: dict[str, str]) -> bool:
    if name in imports:
        return False
    try:
        parsed = ast.parse(tree.code)
    except SyntaxError:
        return False
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
        for n in ast.walk(parsed)
    ) and name not in bound_names(tree.code)


# -- a method --------------------------------------------------------------------------------


class _RenameMethod(cst.CSTTransformer):
    def __init__(
        self, old: str, new: str, imports: dict[str, str], modules: set[str] | None = None
    ) -> None:
        super().__init__()
        self.old, self.new, self.imports = old, new, imports
        self.modules = modules or set()  # what the file imports as `import a.b.c`

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        if original_node.attr.value != self.old:
            return updated_node
        root = original_node.value
        while isinstance(root, cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name) and root.value in self.imports:
            dotted = _dotted(original_node.value)
            if dotted is not None and (dotted == root.value or dotted in self.modules):
                # module.old, xml.etree.ElementTree.old: a function of a module, not a method
                return updated_node
        return updated_node.with_changes(attr=cst.Name(self.new))


def _method(migration: Migration) -> Transform:
    def transform(tree: cst.Module) -> cst.Module:
        renamer = _RenameMethod(
            migration.name, migration.replacement, import_map(tree), _imported_modules(tree)
        )
        return tree.visit(renamer)

    return transform


# -- a whole module ---------------------------------------------------------------------------


def _module_uses(tree: cst.Module, module: str) -> set[str]:
    """The names of ``module`` the file uses: ``m.x`` reads and ``from m import x``."""
    imports = import_map(tree)
    used: set[str] = set()
    for qualified in imports.values():
        if qualified.startswith(module + "."):
            used.add(qualified[len(module) + 1 :].partition(".")[0])

    class Reads(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if _qualify(node.value, imports) == module:
                used.add(node.attr.value)
            return True

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

    tree.visit(Reads())
    return used


def _module(migration: Migration, style: ImportStyle | None) -> Transform:
    module, replacement = migration.api, migration.replacement

    def transform(tree: cst.Module) -> cst.Module:
        used = _module_uses(tree, module)
        if "*" not in migration.names:
            unknown = sorted(used - set(migration.names))
            if unknown:
                raise Unfixable(
                    f"uses {', '.join(f'{module}.{u}' for u in unknown)}, which "
                    f"{replacement} does not provide the same way"
                )
        return _in_their_sections(tree, rename_module(module, replacement, "")(tree), style)

    return transform


def _top_block(body: Sequence[cst.BaseStatement]) -> range:
    """The indexes of the import lines at the top of a module (after its docstring)."""
    start = end = 1 if body and is_docstring(body[0]) else 0
    while end < len(body) and is_import_line(body[end]):
        end += 1
    return range(start, end)


def _line_module(line: cst.BaseStatement) -> str | None:
    """The module of a top-level import line of one module (``import a`` or ``from a import
    x, y``), without comments: a line that can be taken out and added again; else None."""
    node = cast("cst.SimpleStatementLine", line).body[0]
    if any(e.comment is not None for e in cast("cst.SimpleStatementLine", line).leading_lines):
        return None
    if "#" in cst.Module([]).code_for_node(line):
        return None
    if isinstance(node, cst.Import):
        return _dotted(node.names[0].name) if len(node.names) == 1 else None
    node = cast("cst.ImportFrom", node)
    if node.relative or isinstance(node.names, cst.ImportStar) or node.module is None:
        return None
    return _dotted(node.module)


def _imports_of(line: cst.BaseStatement) -> list[tuple[str, str | None, str | None]]:
    """``(module, name, asname)`` of each name a line from :func:`_line_module` imports."""
    node = cast("cst.Import | cst.ImportFrom", cast("cst.SimpleStatementLine", line).body[0])
    names = cast("Sequence[cst.ImportAlias]", node.names)
    local = [_dotted(a.asname.name) if a.asname else None for a in names]
    if isinstance(node, cst.Import):
        return [(_dotted(names[0].name) or "", None, local[0])]
    module = _dotted(cast("cst.BaseExpression", node.module)) or ""
    return [(module, _dotted(a.name), asname) for a, asname in zip(names, local, strict=True)]


def _in_their_sections(
    before: cst.Module, after: cst.Module, style: ImportStyle | None
) -> cst.Module:
    """``after`` (``before`` with a module renamed in place) with each top-level import line
    the rename moved to another isort section (``import mock`` -> ``import unittest.mock as
    mock``: third party -> standard library) taken out and added again where ``style`` puts
    it, when the block was in section order (else it stays where it was, as the rest of such a
    block does). A line with a comment stays."""
    style = style or ImportStyle()
    old, new = _top_block(before.body), _top_block(after.body)
    if len(old) != len(new):
        return after
    moved: list[cst.BaseStatement] = []
    for i, j in zip(old, new, strict=True):
        was, line = before.body[i], after.body[j]
        if was.deep_equals(line):
            continue
        was_module, module = _line_module(was), _line_module(line)
        if was_module and module and style.section(was_module) != style.section(module):
            moved.append(line)
    sections = [style.section(_line_module(before.body[i]) or "") for i in old]
    if not moved or sections != sorted(sections):
        return after
    kept = [s for s in after.body if not any(s is m for m in moved)]
    tree = after.with_changes(body=keep_spacing(after.body, kept, moved))
    for statement in moved:
        for module, name, asname in _imports_of(statement):
            tree = add_import(module, name, asname, style=style)(tree)
    return tree


def _remove_imports(module: str, name: str | None = None, *, strict: bool) -> Transform:
    """Drop the imports of ``module`` (or of ``module.name``) that nothing reads any more.

    ``strict``: an import of the module that is still read makes the file :class:`Unfixable`
    (the module is gone, so the import would still fail).
    """
    target = module if name is None else f"{module}.{name}"

    def transform(tree: cst.Module) -> cst.Module:
        # libcst.codemod, with the libcst.matchers it imports, costs ~0.3 s: only for the
        # migrations that drop imports (RemoveImportsVisitor needs scope analysis to know
        # which are unused), when one runs
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import RemoveImportsVisitor

        context = CodemodContext()
        for node in _walk_imports(tree):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    full = _dotted(alias.name) or ""
                    if full == target or full.startswith(target + "."):
                        asname = alias.asname.name if alias.asname else None
                        RemoveImportsVisitor.remove_unused_import(
                            context, full, asname=_dotted(asname) if asname else None
                        )
            elif isinstance(node, cst.ImportFrom) and not node.relative and node.module:
                base = _dotted(node.module) or ""
                if isinstance(node.names, cst.ImportStar):
                    continue
                for alias in node.names:
                    full = f"{base}.{_dotted(alias.name)}"
                    if full == target or full.startswith(target + "."):
                        asname = alias.asname.name if alias.asname else None
                        RemoveImportsVisitor.remove_unused_import(
                            context,
                            base,
                            _dotted(alias.name),
                            asname=_dotted(asname) if asname else None,
                        )
        result = _top_kept(tree, RemoveImportsVisitor(context).transform_module(tree))
        if strict:
            for qualified in import_map(result).values():
                if qualified == target or qualified.startswith(target + "."):
                    left = sorted(_module_uses(result, module)) or ["the module itself"]
                    raise Unfixable(f"still uses {', '.join(left)} of {module}: migrate by hand")
        return result

    return transform


# -- expression patterns ----------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _template(text: str) -> cst.BaseExpression:
    """The parse of a pattern's ``match`` or ``replace`` (libcst nodes are immutable: one
    parse serves every file)."""

    def sub(match: re.Match[str]) -> str:
        stars, name = match.groups()
        if stars == "**":  # the other keyword arguments: written where a **mapping would be
            return f"**{_PH}kwargs_{name}"
        return f"{_PH}{'star_' if stars else ''}{name}"

    return cst.parse_expression(_PLACEHOLDER.sub(sub, text))


def _placeholder(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name) and node.value.startswith(_PH):
        return node.value[len(_PH) :]
    return None


def _has_placeholder(node: cst.CSTNode) -> bool:
    found = False

    class Find(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            nonlocal found
            found = found or n.value.startswith(_PH)

    node.visit(Find())
    return found


_Captures = dict[str, object]


def _literal(node: cst.CSTNode) -> object:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.Integer):
        try:
            return ast.literal_eval(cst.Module([]).code_for_node(node))
        except (ValueError, SyntaxError):
            return None
    return None


def _match(t: cst.CSTNode, n: cst.CSTNode, caps: _Captures, imports: dict[str, str]) -> bool:
    """Whether the expression ``n`` has the shape of the template ``t``, recording in ``caps``
    what each placeholder stands for and how the file spells each dotted name it matched."""
    ph = _placeholder(t)
    if ph is not None:
        return _capture(ph, n, caps)
    if isinstance(t, cst.Name | cst.Attribute) and not _has_placeholder(t):
        if _same_name(t, n, caps, imports):
            return True
        if not (isinstance(t, cst.Attribute) and isinstance(n, cst.Attribute)):
            return False  # a name matches only itself; an attribute may still match by parts
    return _match_parts(t, n, caps, imports)


def _capture(ph: str, n: cst.CSTNode, caps: _Captures) -> bool:
    """A placeholder matches any expression (an ``s_`` one only a string literal) and
    captures it."""
    if ph.startswith("s_") and not isinstance(n, cst.SimpleString | cst.ConcatenatedString):
        return False
    caps[ph] = n
    return True


def _same_name(
    t: cst.Name | cst.Attribute, n: cst.CSTNode, caps: _Captures, imports: dict[str, str]
) -> bool:
    """Whether ``n`` names what the dotted name ``t`` names, however the file imported it
    (``np.nan`` for ``numpy.nan``); the file's spelling is captured, to be written back."""
    wanted = _dotted(t)
    if wanted is None or _qualify(n, imports) != wanted:
        return False
    caps["@" + wanted] = n
    return True


def _match_parts(t: cst.CSTNode, n: cst.CSTNode, caps: _Captures, imports: dict[str, str]) -> bool:
    """Whether ``n`` is a node of ``t``'s kind whose parts match ``t``'s: an attribute's
    value and name, a call's function and arguments, a list's elements, a literal's value."""
    if isinstance(t, cst.Attribute):
        return (
            isinstance(n, cst.Attribute)
            and t.attr.value == n.attr.value
            and _match(t.value, n.value, caps, imports)
        )
    if isinstance(t, cst.Call):
        return isinstance(n, cst.Call) and _match_call(t, n, caps, imports)
    if isinstance(t, cst.List | cst.Tuple):  # a tuple's elements: plain ones only, no `$*x`
        if type(n) is not type(t) or (isinstance(t, cst.Tuple) and not _plain_tuple(t)):
            return False
        return _match_seq([e.value for e in t.elements], n.elements, caps, imports)
    if isinstance(t, cst.SimpleString | cst.Integer):
        return _literal(n) is not None and _literal(n) == _literal(t)
    return False


def _plain_tuple(t: cst.Tuple) -> bool:
    return all(
        isinstance(e, cst.Element) and not (_placeholder(e.value) or "").startswith("star_")
        for e in t.elements
    )


def _match_seq(
    ts: Sequence[cst.CSTNode],
    ns: Sequence[cst.Arg | cst.BaseElement],
    caps: _Captures,
    imports: dict[str, str],
) -> bool:
    """Positional arguments or list elements: each template element matches one plain one,
    and a last ``$*name`` captures the rest, ``*iterable`` ones included (only it may: the
    number of values an unpacking gives is not known)."""
    head = len(ts)
    if ts and (ph := _placeholder(ts[-1])) is not None and ph.startswith("star_"):
        head -= 1
        if len(ns) < head:
            return False
        caps[ph] = list(ns[head:])
    elif len(ts) != len(ns):
        return False
    return all(
        _plain(n) and _match(t, n.value, caps, imports)
        for t, n in zip(ts[:head], ns[:head], strict=True)
    )


def _plain(node: cst.Arg | cst.BaseElement) -> bool:
    return isinstance(node, cst.Element) or (isinstance(node, cst.Arg) and not node.star)


def _in_order(args: Sequence[cst.Arg]) -> bool:
    """Positional arguments (``*iterable`` included) before keyword ones (``**mapping``
    included): the order a rebuilt call writes them in, so that nothing is evaluated in
    another order."""
    keywords = [a.keyword is not None or a.star == "**" for a in args]
    return keywords == sorted(keywords)


def _match_call(t: cst.Call, n: cst.Call, caps: _Captures, imports: dict[str, str]) -> bool:
    if not _in_order(n.args) or not _match(t.func, n.func, caps, imports):
        return False
    t_pos = [a.value for a in t.args if a.keyword is None and not a.star]
    n_pos = [a for a in n.args if a.keyword is None and a.star != "**"]
    return _match_seq(t_pos, n_pos, caps, imports) and _match_keywords(t, n, caps, imports)


def _match_keywords(t: cst.Call, n: cst.Call, caps: _Captures, imports: dict[str, str]) -> bool:
    """The template's keyword arguments match the call's of the same names; a ``$**name``
    captures the call's others (``**mapping`` ones included), which without it must be none."""
    t_kw = {a.keyword.value: a.value for a in t.args if a.keyword is not None}
    n_kw = {a.keyword.value: a.value for a in n.args if a.keyword is not None}
    rest = [p for a in t.args if a.star == "**" and (p := _placeholder(a.value)) is not None]
    others = [a for a in n.args if a.star == "**" or (a.keyword and a.keyword.value not in t_kw)]
    if not set(t_kw) <= set(n_kw) or (others and not rest):
        return False
    for ph in rest:
        caps[ph] = others
    return all(_match(t_kw[k], n_kw[k], caps, imports) for k in t_kw)


class _Build(cst.CSTTransformer):
    """The ``replace`` template with the captures put in."""

    def __init__(self, caps: _Captures, imports: dict[str, str]) -> None:
        super().__init__()
        self.caps = caps
        # a module the file imports under another name is written with that name (np.nan)
        self.local = {q: local for local, q in imports.items() if local != q}
        self.attrs: set[cst.Name] = set()
        self.expanded: cst.Call | None = None  # the last call given captured arguments

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attrs.add(node.attr)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        ph = _placeholder(original_node)
        if ph is not None and not ph.startswith(("star_", "kwargs_")):
            node = self.caps[ph]
            assert isinstance(node, cst.BaseExpression)
            return node
        spelled = self.caps.get("@" + original_node.value)
        if isinstance(spelled, cst.BaseExpression):
            return spelled
        if original_node not in self.attrs and original_node.value in self.local:
            return updated_node.with_changes(value=self.local[original_node.value])
        return updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        dotted = _dotted(original_node)
        spelled = self.caps.get("@" + dotted) if dotted else None
        if isinstance(spelled, cst.BaseExpression):
            return spelled
        return updated_node

    def _captured(self, value: cst.BaseExpression) -> list[cst.Arg | cst.BaseElement] | None:
        ph = _placeholder(value)
        if ph is None or not ph.startswith(("star_", "kwargs_")):
            return None
        captured = self.caps.get(ph)
        assert isinstance(captured, list)
        return captured

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        args: list[cst.Arg] = []
        expanded = False
        for arg in updated_node.args:
            captured = self._captured(arg.value)
            if captured is None:
                args.append(arg)
                continue
            expanded = True
            args += [_as_arg(c) for c in captured]
        if not expanded:
            return updated_node
        self.expanded = updated_node.with_changes(args=_commas(args))
        return self.expanded

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.List:
        elements: list[cst.BaseElement] = []
        expanded = False
        for element in updated_node.elements:
            captured = self._captured(element.value)
            if captured is None:
                elements.append(element)
                continue
            expanded = True
            elements += [_as_element(c) for c in captured]
        if not expanded:
            return updated_node
        return updated_node.with_changes(elements=_commas(elements))


def _layout(built: cst.Call, original: cst.BaseExpression) -> cst.Call:
    """The call rebuilt with the original call's arguments laid out as it had them: its
    opening whitespace and its last comma (a call over several lines stays so)."""
    if not isinstance(original, cst.Call) or not original.args or not built.args:
        return built
    last = built.args[-1].with_changes(comma=original.args[-1].comma)
    return built.with_changes(
        whitespace_before_args=original.whitespace_before_args, args=[*built.args[:-1], last]
    )


_Item = TypeVar("_Item", cst.Arg, cst.BaseElement)


def _commas(items: list[_Item]) -> list[_Item]:
    """Each item but the last separated by its own comma (or ``, ``), the last by none."""
    out: list[_Item] = []
    for i, item in enumerate(items):
        if i == len(items) - 1 or isinstance(item.comma, cst.MaybeSentinel):
            item = item.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        out.append(item)
    return out


def _as_arg(item: cst.Arg | cst.BaseElement) -> cst.Arg:
    if isinstance(item, cst.Arg):
        return item
    if isinstance(item, cst.StarredElement):
        return cst.Arg(value=item.value, star="*", comma=item.comma)
    return cst.Arg(value=item.value, comma=item.comma)


def _as_element(item: cst.Arg | cst.BaseElement) -> cst.BaseElement:
    if not isinstance(item, cst.Arg):
        return item
    if item.keyword is not None or item.star == "**":
        raise Unfixable("a keyword argument cannot become a list element")
    if item.star:
        return cst.StarredElement(value=item.value, comma=item.comma)
    return cst.Element(value=item.value, comma=item.comma)


class _ApplyPattern(_Parenthesizing):
    def __init__(self, pattern: Pattern, imports: dict[str, str]) -> None:
        super().__init__()
        self.match = _template(pattern.match)
        self.replace = _template(pattern.replace)
        self.imports = imports
        self.count = 0

    def _try(self, updated_node: cst.BaseExpression) -> cst.BaseExpression:
        if type(updated_node) is not type(self.match):
            return updated_node
        caps: _Captures = {}
        if not _match(self.match, updated_node, caps, self.imports):
            return updated_node
        self.count += 1
        builder = _Build(caps, self.imports)
        built = self.replace.visit(builder)
        assert isinstance(built, cst.BaseExpression)
        if isinstance(built, cst.Call) and builder.expanded is built:
            built = _layout(built, updated_node)
        return self._put(built, updated_node)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        return self._try(updated_node)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        return self._try(updated_node)


def _from_imported(pattern: Pattern, tree: cst.Module, imports: dict[str, str]) -> cst.Module:
    """A pattern whose ``match`` is a dotted name (``os.errno``) and whose ``replace`` captures
    nothing also rewrites ``from os import errno``: the reads bound to that import become the
    replacement and the import goes (it is what fails)."""
    match = _template(pattern.match)
    dotted = _dotted(match) if not _has_placeholder(match) else None
    replace = _template(pattern.replace)
    if dotted is None or "." not in dotted or _has_placeholder(replace):
        return tree
    module, _, name = dotted.rpartition(".")
    if not _from_imports(tree, module, name):
        return tree
    built = replace.visit(_Build({}, imports))
    assert isinstance(built, cst.BaseExpression)
    root = (_dotted(built) or "").partition(".")[0]
    added = {item.partition(":")[2] or item.partition(".")[0] for item in pattern.imports}
    if root and root not in imports and root not in added and not hasattr(builtins, root):
        raise Unfixable(f"{pattern.replace} needs {root}, which this file does not import")
    return _read_as(tree, module, name, built)


def _pattern(pattern: Pattern, style: ImportStyle | None) -> Transform:
    def transform(tree: cst.Module) -> cst.Module:
        imports = import_map(tree)
        applier = _ApplyPattern(pattern, imports)
        visited = tree.visit(applier)
        result = _from_imported(pattern, visited, imports)
        if not applier.count and result is visited:
            return tree
        bound = bound_names(result.code)
        imports = import_map(result)
        for item in pattern.imports:
            module, _, name = item.partition(":")
            if name:
                if name in bound and imports.get(name) != f"{module}.{name}":
                    raise Unfixable(f"{name!r} is bound to something else in this file")
                if imports.get(name) != f"{module}.{name}":
                    result = add_import(module, name, style=style)(result)
            else:
                root = module.partition(".")[0]
                if root not in names_read(result):
                    continue  # written as the file spells it (`np.inf`): nothing to import
                if root in bound and imports.get(root) != root:
                    raise Unfixable(f"{root!r} is bound to something else in this file")
                if module not in _imported_modules(result):
                    result = add_module_import(module, style)(result)
        return result

    return transform


# -- one entry ------------------------------------------------------------------------------


def _chain(steps: Sequence[Transform]) -> Transform:
    def transform(tree: cst.Module) -> cst.Module:
        for step in steps:
            tree = step(tree)
        return tree

    return transform


def module_transform(
    migration: Migration, parts: Sequence[Migration], style: ImportStyle | None = None
) -> Transform | None:
    """A removed module: the transforms of the entries for its attributes first (an attribute's
    own entry wins over the module's: ``imp.new_module`` -> ``types.ModuleType`` where ``imp``
    -> ``importlib`` is the module's), then the imports nothing reads dropped, then the
    module's own transform for the rest; without one, an import still read is
    :class:`Unfixable`."""
    own = migration_transform(migration, style)
    steps = [t for part in parts if (t := migration_transform(part, style)) is not None]
    if own is not None:
        if not steps:
            return own
        return _chain([*steps, _remove_imports(migration.api, strict=False), own])
    if not steps:
        return None
    return _chain([*steps, _remove_imports(migration.api, strict=True)])


def gone_module(transform: Transform, module: str) -> Transform:
    """``transform`` (an entry's for a module that is gone, ``pandas.tslib``), then the imports
    of ``module`` nothing reads any more dropped; one still read (``from pandas.tslib import
    iNaT``, a name no entry migrates) makes the file :class:`Unfixable`: the import would
    still fail."""
    return _chain([transform, _remove_imports(module, strict=True)])


def migration_transform(migration: Migration, style: ImportStyle | None = None) -> Transform | None:
    """The transform of one catalogue entry; None when the migration is for a person. The
    imports it adds go where ``style`` (the project's isort or ruff settings) puts them."""
    if migration.manual:
        return None
    steps: list[Callable[[cst.Module], cst.Module]] = [
        _pattern(p, style) for p in migration.patterns
    ]
    if migration.kind == "attribute" and not migration.patterns:
        steps.append(_attribute(migration, style))
    elif migration.kind == "attribute":
        steps.append(_remove_imports(migration.module, migration.name, strict=False))
    elif migration.kind == "method" and not migration.patterns:
        steps.append(_method(migration))
    elif migration.kind == "module":
        if migration.names:
            steps.append(_module(migration, style))
        else:
            steps.append(_remove_imports(migration.api, strict=True))
    if not steps:
        return None
    return checked(migration, _chain(steps), migration_transform)  # per-file guards, re-exports
