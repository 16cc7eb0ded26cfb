"""Hook specifications of pytest-autofix, added from ``plugin.pytest_addhooks``.

Implement them in a ``conftest.py`` or in a ``pytest11`` plugin. The built-in fixers register
through :func:`pytest_autofix_fixers` like any other plugin does; the built-in classification
rules are the table the plugins' rules come before (``docs/classify.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_autofix.catalogue import Migration
    from pytest_autofix.engine.classify import Rule
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


@pytest.hookspec
def pytest_autofix_classify_rules(config: pytest.Config) -> list[Rule]:  # type: ignore[empty-body]
    """Return classification rules, consulted before the built-in table.

    Each is a :class:`pytest_autofix.engine.classify.Rule`: a name, a function
    ``(failure, ctx) -> Match | None`` and examples. The rules of every implementation are
    tried in pluggy's call order (a ``conftest.py`` before the plugins it overrides), each list
    in its order, then the built-in rules; the first that returns a ``Match`` decides the
    issue's code (``<kind>.<name>``, its kind one of ``import``, ``fixture``, ``environment``,
    ``other``) and root-cause key. A rule that raises or returns something else is passed over
    for that failure, and the report says so. Only called when ``--autofix`` is on, in the
    process that plans.

    :param config: The pytest config object.
    """
