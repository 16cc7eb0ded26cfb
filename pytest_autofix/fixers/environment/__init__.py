"""Environment fixers: an API removed by an upgrade (the migration catalogue), a path that only
resolves from one working directory, a missing environment variable, a service that is not
running; and the missing-package suggestion (:mod:`.missing_package`).

Importing the package loads none of them: the missing-package fixer is also routed import
errors and loads alone; the others load with :func:`fixers` or on first use of their name.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_autofix.catalogue import Catalogue
    from pytest_autofix.model import Fixer

__all__ = [
    "FileNotFound",
    "MissingEnvVar",
    "RemovedApi",
    "ServiceUnavailable",
    "check_requirements",
    "fixers",
]


def fixers(catalogue: Catalogue | None = None) -> list[Fixer]:
    """The environment fixers, in the order they are registered."""
    from pytest_autofix.fixers.environment import core

    return core.fixers(catalogue)


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("pytest_autofix.fixers.environment.core"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
