"""Dotted names a test writes as strings for a mock to resolve: ``mock.patch("pkg.mod.f")``,
``mock.patch.dict("pkg.mod.TABLE", ...)``, ``mock.patch.multiple("pkg.mod", ...)``,
``mocker.patch(...)``, ``monkeypatch.setattr("pkg.mod.f", ...)`` and ``delattr``.

A module or a name renamed leaves these behind as surely as its imports; the mock fails only
when the test runs (``ModuleNotFoundError`` or ``AttributeError`` from inside ``mock``), so the
fix that renames the imports renames them too, in the same files.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pytest_autofix.fixers.toolkit.cst import renamed_prefix

__all__ = ["rename_patch_targets"]

Transform = Callable[[cst.Module], cst.Module]

# the callables whose first argument (or the keyword) is a dotted target, by how their full
# name ends: ``patch`` covers ``mock.patch``, ``unittest.mock.patch``, ``mocker.patch`` and a
# from-imported ``patch``; a string first argument of ``setattr``/``delattr`` is
# monkeypatch's form (the builtins take an object first)
_TARGETS = {
    "patch": "target",
    "patch.dict": "in_dict",
    "patch.multiple": "target",
    "setattr": "target",
    "delattr": "target",
}


def _target_keyword(func: cst.BaseExpression) -> str | None:
    """The keyword naming the dotted target of a call of ``func``; None for other calls."""
    name = get_full_name_for_node(func) or ""
    for suffix, keyword in _TARGETS.items():
        if name == suffix or name.endswith("." + suffix):
            return keyword
    return None


class _RenameTargets(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        keyword = _target_keyword(updated_node.func)
        if keyword is None or not updated_node.args:
            return updated_node
        args = list(updated_node.args)
        first = args[0]
        if first.keyword is not None and first.keyword.value != keyword:
            at = next(
                (i for i, a in enumerate(args) if a.keyword and a.keyword.value == keyword), None
            )
            if at is None:
                return updated_node
            first = args[at]
        else:
            at = 0
        if first.star:
            return updated_node
        renamed = renamed_prefix(first.value, self.old, self.new)
        if renamed is None:
            return updated_node
        args[at] = first.with_changes(value=renamed)
        return updated_node.with_changes(args=args)


def rename_patch_targets(old: str, new: str) -> Transform:
    """Every mock or monkeypatch target string naming ``old`` (a module, or a module's name
    ``pkg.mod.name``) or something in it names ``new`` instead: ``"pkg.old.f"`` ->
    ``"pkg.new.f"``. Other strings, and targets built at run time, are left alone."""

    def transform(module: cst.Module) -> cst.Module:
        if old not in module.code:
            return module
        return module.visit(_RenameTargets(old, new))

    return transform
