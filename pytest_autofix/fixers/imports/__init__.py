"""Import fixers: a module or a name that was renamed, moved or misspelled, a missing import,
and test modules that share a basename.

Every fix rewrites the broken import wherever the project has it (``issue.path``, every
``details["locations"]`` file and every other project file with the same import), in every
form (``import a.b``, ``import a.b as c``, ``from a.b import x``, relative imports, imports
inside functions), and keeps the names the rest of each file reads working. How each fixer
turns evidence into a confidence is documented in ``docs/fixers.md``.

The fixers live in ``_imports_modules`` (a module renamed), ``_imports_names`` (a name renamed
or moved), ``_imports_missing`` (a missing import) and ``_imports_basename`` (two test modules,
one basename); what they read is in ``_imports_scan`` and ``_imports_env``, the libcst
transforms in ``_imports_rewrite``. The missing-package suggestion is ``packages.py``.
"""

from __future__ import annotations

from pytest_autofix.fixers.imports.missing_import import MissingImport
from pytest_autofix.fixers.imports.module_renamed import ModuleRenamed
from pytest_autofix.fixers.imports.name_renamed import NameRenamed
from pytest_autofix.fixers.imports.test_package_init import DuplicateBasename

__all__ = ["DuplicateBasename", "MissingImport", "ModuleRenamed", "NameRenamed", "fixers"]


def fixers() -> list[ModuleRenamed | NameRenamed | MissingImport | DuplicateBasename]:
    """The import fixers, in the order they are registered."""
    return [ModuleRenamed(), NameRenamed(), MissingImport(), DuplicateBasename()]
