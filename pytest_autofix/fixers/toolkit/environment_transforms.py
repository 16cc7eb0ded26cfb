"""The libcst transforms of the environment fixers: one catalogue entry -> one transform.

``migration_transform(migration)`` returns a ``libcst.Module -> libcst.Module`` function that
rewrites every use of the removed API in a file, keeping the file's own spelling (aliases,
``import a.b`` vs ``from a import b``). A file that cannot be migrated mechanically raises
:class:`Unfixable` with the reason. The test-suite runs every catalogue entry's example through
this function.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence

import libcst as cst

from pytest_autofix.catalogue import Migration, Pattern
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
    "import_map",
    "migration_transform",
    "module_transform",
]

_PH = "__autofix_ph_"
_PLACEHOLDER = re.compile(r"\$(\*?)(\w+)")


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


def add_module_import(module: str) -> Transform:
    """``import module``: right after the file's own ``import <its package>`` line when it has
    one (``import collections`` then ``import collections.abc``), else with the other imports."""
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
            return add_import(module)(tree)
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
        for alias in names:
            if _dotted(alias.name) == self.name and alias.asname is not None:
                raise Unfixable(f"{self.module}.{self.name} is imported under another name")
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


def _attribute(migration: Migration) -> Transform:
    module, name = migration.module, migration.name
    replacement = migration.replacement
    new_module, _, new_name = replacement.rpartition(".")

    def transform(tree: cst.Module) -> cst.Module:
        imports = import_map(tree)
        replacer = _ReplaceAttribute(module, name, replacement, imports)
        result = tree.visit(replacer)
        if not new_module:
            from_imported = imports.get(name) == f"{module}.{name}"
            clash = new_name in bound_names(tree.code) and imports.get(new_name) != (
                f"{module}.{name}"
            )
            if (replacer.count or from_imported) and clash:
                raise Unfixable(f"{new_name!r} is bound to something else in this file")
            if from_imported:
                result = result.visit(_DropFromImport(module, name))
        else:
            already = _imported_modules(result)
            for needed in sorted(replacer.needs):
                root = needed.partition(".")[0]
                if root in bound_names(tree.code) and imports.get(root) != root:
                    raise Unfixable(f"{root!r} is bound to something else in this file")
                if needed not in already:
                    result = add_module_import(needed)(result)
            result = rename_name(module, name, new_name, new_module=new_module)(result)
            if module in _star_imports(result) and _reads_name(result, name, imports):
                result = add_import(new_module, new_name)(result)
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


def _module(migration: Migration) -> Transform:
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
        return rename_module(module, replacement, "")(tree)

    return transform


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
        result = RemoveImportsVisitor(context).transform_module(tree)
        if strict:
            for qualified in import_map(result).values():
                if qualified == target or qualified.startswith(target + "."):
                    left = sorted(_module_uses(result, module)) or ["the module itself"]
                    raise Unfixable(f"still uses {', '.join(left)} of {module}: migrate by hand")
        return result

    return transform


# -- expression patterns ----------------------------------------------------------------------


def _template(text: str) -> cst.BaseExpression:
    def sub(match: re.Match[str]) -> str:
        return f"{_PH}{'star_' if match.group(1) else ''}{match.group(2)}"

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
    if isinstance(t, cst.List):
        if not isinstance(n, cst.List):
            return False
        return _match_seq(
            [e.value for e in t.elements], [e.value for e in n.elements], caps, imports
        )
    if isinstance(t, cst.SimpleString | cst.Integer):
        return _literal(n) is not None and _literal(n) == _literal(t)
    return False


def _match_seq(
    ts: Sequence[cst.CSTNode], ns: Sequence[cst.CSTNode], caps: _Captures, imports: dict[str, str]
) -> bool:
    if ts and (ph := _placeholder(ts[-1])) is not None and ph.startswith("star_"):
        head = len(ts) - 1
        if len(ns) < head:
            return False
        caps[ph] = list(ns[head:])
        return all(_match(t, n, caps, imports) for t, n in zip(ts[:head], ns[:head], strict=True))
    return len(ts) == len(ns) and all(
        _match(t, n, caps, imports) for t, n in zip(ts, ns, strict=True)
    )


def _match_call(t: cst.Call, n: cst.Call, caps: _Captures, imports: dict[str, str]) -> bool:
    if any(a.star for a in n.args) or not _match(t.func, n.func, caps, imports):
        return False
    t_pos = [a.value for a in t.args if a.keyword is None]
    n_pos = [a.value for a in n.args if a.keyword is None]
    t_kw = {a.keyword.value: a.value for a in t.args if a.keyword is not None}
    n_kw = {a.keyword.value: a.value for a in n.args if a.keyword is not None}
    if set(t_kw) != set(n_kw):
        return False
    if not _match_seq(t_pos, n_pos, caps, imports):
        return False
    return all(_match(t_kw[k], n_kw[k], caps, imports) for k in t_kw)


class _Build(cst.CSTTransformer):
    """The ``replace`` template with the captures put in."""

    def __init__(self, caps: _Captures, imports: dict[str, str]) -> None:
        super().__init__()
        self.caps = caps
        # a module the file imports under another name is written with that name (np.nan)
        self.local = {q: local for local, q in imports.items() if local != q}
        self.attrs: set[cst.Name] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attrs.add(node.attr)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        ph = _placeholder(original_node)
        if ph is not None and not ph.startswith("star_"):
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

    def _star(self, values: Sequence[cst.BaseExpression]) -> list[cst.BaseExpression] | None:
        if len(values) and (ph := _placeholder(values[-1])) and ph.startswith("star_"):
            captured = self.caps.get(ph)
            assert isinstance(captured, list)
            return [*values[:-1], *captured]
        return None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        positional = [a.value for a in updated_node.args if a.keyword is None]
        expanded = self._star(positional)
        if expanded is None:
            return updated_node
        keywords = [a for a in updated_node.args if a.keyword is not None]
        args = [cst.Arg(value=v) for v in expanded] + [
            a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in keywords
        ]
        return updated_node.with_changes(args=args)

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.List:
        expanded = self._star([e.value for e in updated_node.elements])
        if expanded is None:
            return updated_node
        return updated_node.with_changes(elements=[cst.Element(value=v) for v in expanded])


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


class _ApplyPattern(cst.CSTTransformer):
    def __init__(self, pattern: Pattern, imports: dict[str, str]) -> None:
        super().__init__()
        self.match = _template(pattern.match)
        self.replace = _template(pattern.replace)
        self.imports = imports
        self.count = 0
        self.wrapped: set[int] = set()  # the replacements parenthesized by _try

    def _try(self, updated_node: cst.BaseExpression) -> cst.BaseExpression:
        if type(updated_node) is not type(self.match):
            return updated_node
        caps: _Captures = {}
        if not _match(self.match, updated_node, caps, self.imports):
            return updated_node
        self.count += 1
        built = self.replace.visit(_Build(caps, self.imports))
        assert isinstance(built, cst.BaseExpression)
        if updated_node.lpar or not isinstance(built, _LOOSE):
            return built.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        # `-numpy.inf` where `np.NINF` stood: parenthesized, since `np.NINF ** 2` must not
        # become `-numpy.inf ** 2`; the parentheses go again where nothing binds tighter
        wrapped = built.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        self.wrapped.add(id(wrapped))
        return wrapped

    def _bare(self, node: cst.BaseExpression) -> cst.BaseExpression:
        if id(node) in self.wrapped:
            return node.with_changes(lpar=[], rpar=[])
        return node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        return self._try(updated_node)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        return self._try(updated_node)

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


def _read_names(tree: cst.Module) -> set[str]:
    """Every name the module spells outside its import statements."""
    found: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

    tree.visit(Names())
    return found


def _pattern(pattern: Pattern) -> Transform:
    def transform(tree: cst.Module) -> cst.Module:
        imports = import_map(tree)
        applier = _ApplyPattern(pattern, imports)
        result = tree.visit(applier)
        if not applier.count:
            return tree
        bound = bound_names(tree.code)
        for item in pattern.imports:
            module, _, name = item.partition(":")
            if name:
                if name in bound and imports.get(name) != f"{module}.{name}":
                    raise Unfixable(f"{name!r} is bound to something else in this file")
                if imports.get(name) != f"{module}.{name}":
                    result = add_import(module, name)(result)
            else:
                root = module.partition(".")[0]
                if root not in _read_names(result):
                    continue  # written as the file spells it (`np.inf`): nothing to import
                if root in bound and imports.get(root) != root:
                    raise Unfixable(f"{root!r} is bound to something else in this file")
                if module not in _imported_modules(result):
                    result = add_module_import(module)(result)
        return result

    return transform


# -- one entry ------------------------------------------------------------------------------


def _chain(steps: Sequence[Transform]) -> Transform:
    def transform(tree: cst.Module) -> cst.Module:
        for step in steps:
            tree = step(tree)
        return tree

    return transform


def module_transform(migration: Migration, parts: Sequence[Migration]) -> Transform | None:
    """A removed module: its own transform, or the transforms of the entries for its names
    (``distutils.spawn.find_executable``) followed by dropping the imports nothing reads."""
    own = migration_transform(migration)
    if own is not None:
        return own
    steps = [t for part in parts if (t := migration_transform(part)) is not None]
    if not steps:
        return None
    return _chain([*steps, _remove_imports(migration.api, strict=True)])


def migration_transform(migration: Migration) -> Transform | None:
    """The transform of one catalogue entry; None when the migration is for a person."""
    if migration.manual:
        return None
    steps: list[Callable[[cst.Module], cst.Module]] = [_pattern(p) for p in migration.patterns]
    if migration.kind == "attribute" and not migration.patterns:
        steps.append(_attribute(migration))
    elif migration.kind == "attribute":
        steps.append(_remove_imports(migration.module, migration.name, strict=False))
    elif migration.kind == "method" and not migration.patterns:
        steps.append(_method(migration))
    elif migration.kind == "module":
        if migration.names:
            steps.append(_module(migration))
        else:
            steps.append(_remove_imports(migration.api, strict=True))
    return _chain(steps) if steps else None
