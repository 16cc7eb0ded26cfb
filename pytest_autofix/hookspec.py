"""Hook specifications of pytest-autofix, added from ``plugin.pytest_addhooks``.

Implement them in a ``conftest.py`` or in a ``pytest11`` plugin. The built-in fixers register
through :func:`pytest_autofix_fixers` like any other plugin does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_autofix.catalogue import Migration
    from pytest_autofix.model import Fixer


@pytest.hookspec
def pytest_autofix_fixers(config: pytest.Config) -> list[Fixer]:  # type: ignore[empty-body]
    """Return the fixers this plugin contributes.

    The results of every implementation are merged; each fixer is routed the issues whose kind
    is in its ``kinds``. Only called when ``--autofix`` is on, in the process that plans (the
    only process, or the pytest-xdist controller).

    :param config: The pytest config object.
    """


@pytest.hookspec
def pytest_autofix_migrations(  # type: ignore[empty-body]
    config: pytest.Config,
) -> list[Migration | dict[str, object]]:
    """Return entries for the migration catalogue (removed APIs and their replacements).

    Each entry is a :class:`pytest_autofix.catalogue.Migration` or a dict with the fields of a
    ``[[migration]]`` table of ``pytest_autofix/data/*.toml``; it is validated when the
    catalogue is loaded. An entry replaces a built-in or user-file entry with the same ``api``.

    :param config: The pytest config object.
    """
