"""Every built-in fixer's own examples (``examples``, kept beside the fixer), each run for real:
pytest on the project before, the issue that run gives, the fixer's best fix planned as the
engine plans it and compared with the project after (:func:`pytest_autofix.testing.check_example`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_autofix.fixers import environment, fixtures, imports
from pytest_autofix.fixers.environment.missing_package import MissingPackage
from pytest_autofix.fixers.registry import BUILTIN
from pytest_autofix.model import Fixer
from pytest_autofix.testing import Example, check_example

FIXERS: dict[str, Fixer] = {
    f.name: f
    for f in [*imports.fixers(), MissingPackage(), *fixtures.fixers(), *environment.fixers()]
}
CASES = [
    pytest.param(fixer, example, id=f"{name}: {example.title}")
    for name, fixer in FIXERS.items()
    for example in getattr(fixer, "examples", ())
]


def test_every_built_in_fixer_has_examples() -> None:
    assert sorted(FIXERS) == sorted(name for _, name, _ in BUILTIN)
    missing = [name for name, fixer in FIXERS.items() if not getattr(fixer, "examples", ())]
    assert not missing, f"fixers without examples: {missing}"
    for fixer in FIXERS.values():
        for example in fixer.examples:  # type: ignore[attr-defined]
            assert isinstance(example, Example) and example.title


@pytest.mark.parametrize(("fixer", "example"), CASES)
def test_example(fixer: Fixer, example: Example, tmp_path: Path) -> None:
    check_example(fixer, example, tmp_path)
