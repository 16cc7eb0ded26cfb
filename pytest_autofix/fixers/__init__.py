"""The built-in fixers, registered through ``pytest_autofix_fixers`` like any plugin's.

The fixer modules are imported inside the hook: this package is registered only when
``--autofix`` is on, and even then nothing loads before the fixers are asked for.
"""

from __future__ import annotations

import pytest

from pytest_autofix.model import Fixer


@pytest.hookimpl(trylast=True)
def pytest_autofix_fixers(config: pytest.Config) -> list[Fixer]:
    from pytest_autofix import catalogue
    from pytest_autofix.fixers import environment, fixtures, imports, packages

    return [
        *imports.fixers(),
        packages.MissingPackage(),
        *fixtures.fixers(),
        *environment.fixers(catalogue.for_config(config)),
    ]
