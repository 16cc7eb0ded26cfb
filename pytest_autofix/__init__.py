"""pytest-autofix: repair the test failures a machine can repair safely, and prove it.

The public API for fixers lives here. It is loaded lazily so that ``import
pytest_autofix.plugin`` (what pytest does at every start) pulls in none of pydantic or libcst.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["FileEdit", "Fix", "Fixer", "Issue", "IssueKind", "Project"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from pytest_autofix.model import FileEdit, Fix, Fixer, Issue, IssueKind
    from pytest_autofix.project import Project


def __getattr__(name: str) -> Any:
    if name == "Project":
        from pytest_autofix import project

        return project.Project
    if name in __all__:
        from pytest_autofix import model

        return getattr(model, name)
    raise AttributeError(f"module 'pytest_autofix' has no attribute {name!r}")
