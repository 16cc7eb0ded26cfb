"""Environment fixers: an API removed by an upgrade (the migration catalogue), a path that only
resolves from one working directory, a missing environment variable, a service that is not
running, nose's helpers migrated to pytest, pkg_resources to importlib, generator-based
coroutines to ``async def``; and the missing-package suggestion (:mod:`.missing_package`).

One module per fixer: ``removed_api`` (``environment.removed-api``), ``anchor_path``
(``environment.anchor-path``), ``env_var`` (``environment.env-var``), ``service``
(``environment.service``), ``nose_tools`` (``environment.nose-tools``), ``pkg_resources_uses``
(``environment.pkg-resources``), ``async_def`` (``environment.async-def``) and
``missing_package`` (``environment.missing-package``); the confidence levels they share are in
:mod:`pytest_autofix.fixers.toolkit.environment_confidence`.

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
    "NativeCoroutines",
    "NoseTools",
    "PkgResources",
    "RemovedApi",
    "ServiceUnavailable",
    "check_requirements",
    "fixers",
]

# name -> the module that defines it, imported on first use
_HOMES = {
    "FileNotFound": "anchor_path",
    "MissingEnvVar": "env_var",
    "NativeCoroutines": "async_def",
    "NoseTools": "nose_tools",
    "PkgResources": "pkg_resources_uses",
    "RemovedApi": "removed_api",
    "ServiceUnavailable": "service",
    "check_requirements": "removed_api",
}


def fixers(catalogue: Catalogue | None = None) -> list[Fixer]:
    """The environment fixers, in the order they are registered."""
    from pytest_autofix.catalogue import builtin
    from pytest_autofix.fixers.environment.anchor_path import FileNotFound
    from pytest_autofix.fixers.environment.async_def import NativeCoroutines
    from pytest_autofix.fixers.environment.env_var import MissingEnvVar
    from pytest_autofix.fixers.environment.nose_tools import NoseTools
    from pytest_autofix.fixers.environment.pkg_resources_uses import PkgResources
    from pytest_autofix.fixers.environment.removed_api import RemovedApi
    from pytest_autofix.fixers.environment.service import ServiceUnavailable

    return [
        RemovedApi(catalogue or builtin()),
        FileNotFound(),
        MissingEnvVar(),
        ServiceUnavailable(),
        NoseTools(),
        PkgResources(),
        NativeCoroutines(),
    ]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
