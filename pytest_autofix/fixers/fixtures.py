"""Fixture fixers: a misspelled or renamed fixture, a fixture its users cannot see, a conftest
function without ``@pytest.fixture``, a scope mismatch, a fixture called directly, and pytest
APIs removed in pytest 8 and 9.

The fixers live in ``_fixtures_missing`` (``fixture.not-found``), ``_fixtures_usage``
(``fixture.scope-mismatch``, ``fixture.called-directly``) and ``_fixtures_removed``
(``fixture.removed-api``); what they read is in ``_fixtures_scan``, the libcst transforms in
``_fixtures_rewrite``. How each turns evidence into a confidence is in ``docs/fixers.md``.
"""

from __future__ import annotations

from pytest_autofix.fixers._fixtures_missing import (
    FixtureNotVisible,
    FixtureRenamed,
    FixtureUndecorated,
)
from pytest_autofix.fixers._fixtures_removed import PytestRemovedApi
from pytest_autofix.fixers._fixtures_usage import FixtureCalledDirectly, FixtureScopeMismatch
from pytest_autofix.model import Fixer

__all__ = [
    "FixtureCalledDirectly",
    "FixtureNotVisible",
    "FixtureRenamed",
    "FixtureScopeMismatch",
    "FixtureUndecorated",
    "PytestRemovedApi",
    "fixers",
]


def fixers() -> list[Fixer]:
    """The fixture fixers, in the order they are registered."""
    return [
        FixtureRenamed(),
        FixtureNotVisible(),
        FixtureUndecorated(),
        FixtureScopeMismatch(),
        FixtureCalledDirectly(),
        PytestRemovedApi(),
    ]
