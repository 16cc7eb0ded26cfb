"""Classes across the project's modules, found the way Python finds them.

A name in a module is what the module binds: a class it defines, or a name it imports, followed
to the module it comes from and through that module's own imports (a package's ``__init__.py``
re-exporting ``from .core import Base``, a ``from .core import *`` with or without
``__all__``, an alias). A class's bases are resolved the same way, so the classes a test class
inherits from can be read wherever the project defines them; a base outside the project is
known by its module and name only.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.scan import dunder_all, import_statements, package_of

if TYPE_CHECKING:
    from pytest_autofix.project import ModuleInfo, Project

__all__ = [
    "ClassRef",
    "Definition",
    "ancestors",
    "find_class",
    "find_definition",
    "is_unittest_class",
]

_DEPTH = 20  # re-exports followed at most this deep: a cycle of star imports ends here


@dataclasses.dataclass(frozen=True)
class ClassRef:
    """A class: its module and name, and where the project defines it (``info``/``node``
    None for a class outside the project)."""

    module: str
    name: str
    info: ModuleInfo | None = dataclasses.field(default=None, compare=False)
    node: ast.ClassDef | None = dataclasses.field(default=None, compare=False)

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}" if self.module else self.name


def find_class(project: Project, module: str, name: str) -> ClassRef | None:
    """The class ``module`` binds as ``name``; None when it binds something else or nothing
    the index can see (a module outside the project gives a :class:`ClassRef` without a
    node: its class is known by name only)."""
    found = find_definition(project, module, name)
    if found is None or (found.node is not None and not isinstance(found.node, ast.ClassDef)):
        return None
    node = found.node if isinstance(found.node, ast.ClassDef) else None
    return ClassRef(found.module, found.name, found.info, node)


@dataclasses.dataclass(frozen=True)
class Definition:
    """Where a name is defined: its module and name there, and the ``def`` or ``class``
    statement when the project defines it (``info``/``node`` None outside the project)."""

    module: str
    name: str
    info: ModuleInfo | None = None
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None = None


def find_definition(project: Project, module: str, name: str, depth: int = 0) -> Definition | None:
    """What ``module``'s name ``name`` is bound to, followed through re-exports (``from .core
    import name``, aliases, ``from .core import *`` with or without ``__all__``) to the
    ``def`` or ``class`` that defines it; a module outside the project gives a
    :class:`Definition` without a node (known by name only); None when the name is bound to
    something else (an assignment) or to nothing the index can see."""
    info = project.module(module)
    if info is None:
        return Definition(module, name)
    tree = _tree(project, info)
    if tree is None or depth > _DEPTH:
        return None
    defined = [
        n
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.name == name
    ]
    if defined:
        return Definition(module, name, info, defined[-1])
    statements = [s for s in import_statements(tree, package_of(info)) if s.top_level]
    for stmt in reversed(statements):
        if stmt.name not in (None, "*") and stmt.binds == name:
            return find_definition(project, stmt.module, stmt.name, depth + 1)
    for stmt in statements:  # a star import binds what the other module exports
        if stmt.name == "*" and _exports(project, stmt.module, name):
            found = find_definition(project, stmt.module, name, depth + 1)
            if found is not None:
                return found
    return None


def _exports(project: Project, module: str, name: str) -> bool:
    """``from module import *`` binds ``name``: listed in ``__all__``, or, without one, a
    public name the module binds (for a module outside the project: assumed)."""
    info = project.module(module)
    if info is None:
        return True
    tree = _tree(project, info)
    if tree is None:
        return False
    listed = dunder_all(tree)
    if listed is not None:
        return name in listed
    return not name.startswith("_")


def _tree(project: Project, info: ModuleInfo) -> ast.Module | None:
    try:
        return project.tree(info.path)
    except OSError:
        return None


def bases(project: Project, cls: ClassRef) -> list[ClassRef]:
    """The classes ``cls`` names as its bases, resolved (an unresolvable one by its text)."""
    if cls.node is None or cls.info is None:
        return []
    found = []
    for base in cls.node.bases:
        found.append(_base(project, cls.info, ast.unparse(base)))
    return found


def _base(project: Project, info: ModuleInfo, text: str) -> ClassRef:
    head, _, rest = text.partition(".")
    if not rest:
        return find_class(project, info.name, head) or ClassRef("", text)
    tree = _tree(project, info)
    statements = import_statements(tree, package_of(info)) if tree is not None else []
    for stmt in reversed(statements):  # ``import a.b as m`` then ``m.Base``
        if stmt.top_level and stmt.binds == head:
            module = stmt.module if stmt.name is None else f"{stmt.module}.{stmt.name}"
            if stmt.name is None and stmt.asname is None:
                module = head  # ``import a.b`` binds ``a``: the text is the full path
            path, _, name = f"{module}.{rest}".rpartition(".")
            return find_class(project, path, name) or ClassRef(path, name)
    return ClassRef("", text)


def ancestors(project: Project, cls: ClassRef) -> Iterator[ClassRef]:
    """``cls`` and every class it inherits from, depth first, each once (the order of the
    MRO for the single and the usual mixin hierarchies)."""
    seen: set[ClassRef] = set()
    todo = [cls]
    while todo:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        yield current
        todo[0:0] = bases(project, current)


def is_unittest_class(project: Project, cls: ClassRef) -> bool:
    """Whether ``cls`` derives from ``unittest.TestCase``: a base resolved to it, or a class
    outside the project that may be one (named ``*TestCase``, as Django's and others' are)."""
    for ancestor in ancestors(project, cls):
        if ancestor.node is not None:
            continue
        if ancestor.module == "unittest" or ancestor.module.startswith("unittest."):
            return True
        if ancestor.name.endswith("TestCase"):
            return True
    return False
