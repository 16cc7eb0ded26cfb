"""The built-in fixers, registered through ``pytest_autofix_fixers`` like any plugin's."""

from __future__ import annotations

import pytest

from pytest_autofix.model import Fixer


@pytest.hookimpl(trylast=True)
def pytest_autofix_fixers(config: pytest.Config) -> list[Fixer]:
    return []
