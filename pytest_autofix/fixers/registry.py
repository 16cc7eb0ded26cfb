"""The built-in fixers, registered through ``pytest_autofix_fixers`` like any plugin's.

The hook returns one :class:`LazyFixer` per built-in fixer. Its ``name`` and ``kinds`` are
declared in :data:`BUILTIN`, so the engine routes it like any other fixer without importing
anything; its family module (``imports``, ``packages``, ``fixtures`` or ``environment``) is
imported, and the family's fixers built, the first time an issue is routed to one of them. A
run whose issues are all of kind ``other`` loads no family, and so neither ``libcst.matchers``
nor ``libcst.codemod``. An error while loading a family is raised from ``propose``, where the
engine reports a fixer's errors. ``tests/test_fixers_lazy.py`` checks the table against the
real classes.

This module is registered only when ``--autofix`` is on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import pytest

from pytest_autofix.model import Fixer, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Fix, Issue
    from pytest_autofix.project import Project

__all__ = ["BUILTIN", "CODES", "LOADERS", "Family", "LazyFixer", "pytest_autofix_fixers"]

_IMPORT, _FIXTURE, _ENV = IssueKind.IMPORT, IssueKind.FIXTURE, IssueKind.ENVIRONMENT

# (family, fixer name, kinds) of every built-in fixer, in registration order; within a family
# in the order of its ``fixers()``.
BUILTIN: tuple[tuple[str, str, frozenset[IssueKind]], ...] = (
    ("imports", "import.module-renamed", frozenset({_IMPORT, _ENV})),
    ("imports", "import.name-renamed", frozenset({_IMPORT})),
    ("imports", "import.missing-import", frozenset({_IMPORT})),
    ("imports", "import.test-package-init", frozenset({_IMPORT})),
    ("packages", "environment.missing-package", frozenset({_ENV, _IMPORT})),
    ("fixtures", "fixture.renamed", frozenset({_FIXTURE})),
    ("fixtures", "fixture.move-to-conftest", frozenset({_FIXTURE})),
    ("fixtures", "fixture.undecorated", frozenset({_FIXTURE})),
    ("fixtures", "fixture.scope-mismatch", frozenset({_FIXTURE})),
    ("fixtures", "fixture.called-directly", frozenset({_FIXTURE})),
    ("fixtures", "fixture.removed-api", frozenset({_FIXTURE})),
    ("fixtures", "fixture.pytest-removals", frozenset({_FIXTURE})),
    ("fixtures", "fixture.funcarg-prefix", frozenset({_FIXTURE})),
    ("environment", "environment.removed-api", frozenset({_ENV})),
    ("environment", "environment.anchor-path", frozenset({_ENV})),
    ("environment", "environment.env-var", frozenset({_ENV})),
    ("environment", "environment.service", frozenset({_ENV})),
    ("environment", "environment.nose-tools", frozenset({_ENV})),
    ("environment", "environment.pkg-resources", frozenset({_ENV})),
    ("environment", "environment.async-def", frozenset({_ENV})),
)

# fixer name -> the issue codes it is routed (see ``route.takes``), as its class declares them
CODES: dict[str, frozenset[str]] = {
    "import.module-renamed": frozenset({"import.module-not-found", "environment.missing-package"}),
    "import.name-renamed": frozenset({"import.name-not-found"}),
    "import.missing-import": frozenset({"import.name-undefined"}),
    "import.test-package-init": frozenset({"import.file-mismatch"}),
    "environment.missing-package": frozenset(
        {"environment.missing-package", "import.module-not-found"}
    ),
    "fixture.renamed": frozenset({"fixture.not-found"}),
    "fixture.move-to-conftest": frozenset({"fixture.not-found"}),
    "fixture.undecorated": frozenset({"fixture.not-found"}),
    "fixture.scope-mismatch": frozenset({"fixture.scope-mismatch"}),
    "fixture.called-directly": frozenset({"fixture.called-directly"}),
    "fixture.removed-api": frozenset({"fixture.removed-api"}),
    "fixture.pytest-removals": frozenset({"fixture.removed-api"}),
    "fixture.funcarg-prefix": frozenset({"fixture.not-found"}),
    "environment.removed-api": frozenset({"environment.removed-api"}),
    "environment.anchor-path": frozenset({"environment.file-not-found"}),
    "environment.env-var": frozenset({"environment.missing-env-var"}),
    "environment.service": frozenset({"environment.service-unavailable"}),
    "environment.nose-tools": frozenset({"environment.dead-package"}),
    "environment.pkg-resources": frozenset({"environment.removed-api"}),
    "environment.async-def": frozenset({"environment.removed-api"}),
}


def _imports(config: pytest.Config) -> Sequence[Fixer]:
    from pytest_autofix.fixers import imports

    return imports.fixers()


def _packages(config: pytest.Config) -> Sequence[Fixer]:
    from pytest_autofix.fixers.environment import missing_package as packages

    return [packages.MissingPackage()]


def _fixtures(config: pytest.Config) -> Sequence[Fixer]:
    from pytest_autofix.fixers import fixtures

    return fixtures.fixers()


def _environment(config: pytest.Config) -> Sequence[Fixer]:
    from pytest_autofix import catalogue
    from pytest_autofix.fixers import environment

    return environment.fixers(catalogue.for_session(config))  # built once, on the config stash


# family -> its fixers, built from the real classes
LOADERS: dict[str, Callable[[pytest.Config], Sequence[Fixer]]] = {
    "imports": _imports,
    "packages": _packages,
    "fixtures": _fixtures,
    "environment": _environment,
}


class Family:
    """The fixers of one family, loaded together on first use and then kept.

    A load that raises is not kept: the next use tries again (and raises again).
    """

    def __init__(self, name: str, load: Callable[[], Sequence[Fixer]]) -> None:
        self.name = name
        self._load = load
        self._fixers: dict[str, Fixer] | None = None

    @property
    def loaded(self) -> bool:
        return self._fixers is not None

    def fixer(self, name: str) -> Fixer:
        if self._fixers is None:
            self._fixers = {f.name: f for f in self._load()}
        try:
            return self._fixers[name]
        except KeyError:
            raise LookupError(f"the {self.name} fixers have no fixer named {name!r}") from None


class LazyFixer:
    """A built-in fixer's stand-in: its real ``name``, ``kinds`` and ``codes``; ``propose``
    loads the family on first use and hands the issue to the real fixer."""

    def __init__(
        self,
        name: str,
        kinds: frozenset[IssueKind],
        family: Family,
        codes: frozenset[str] | None = None,
    ) -> None:
        self.name = name
        self.kinds = kinds
        self.family = family
        if codes is not None:
            self.codes = codes

    def load(self) -> Fixer:
        """The real fixer (loading its family if need be)."""
        return self.family.fixer(self.name)

    def propose(self, issue: Issue, project: Project) -> Iterable[Fix]:
        return self.load().propose(issue, project)

    def __repr__(self) -> str:
        state = "loaded" if self.family.loaded else "not loaded"
        return f"<LazyFixer {self.name} ({self.family.name}, {state})>"


@pytest.hookimpl(trylast=True)
def pytest_autofix_fixers(config: pytest.Config) -> list[Fixer]:
    families = {
        name: Family(name, functools.partial(load, config)) for name, load in LOADERS.items()
    }
    return [
        LazyFixer(name, kinds, families[family], CODES.get(name)) for family, name, kinds in BUILTIN
    ]
