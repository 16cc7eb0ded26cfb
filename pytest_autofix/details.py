"""The details each issue code carries: a typed contract between classify and the fixers.

The rules of :mod:`pytest_autofix.engine.classify` build these (mypy checks every key and value);
:func:`~pytest_autofix.engine.classify.group` adds the :class:`Common` keys of every issue. At run
time ``Issue.details`` stays a plain dict, read with ``.get`` by fixers and reports; these types
say what each code puts there. :data:`BY_CODE` maps every built-in code to its type (codes are
those of :mod:`pytest_autofix.codes`).

Imports only :mod:`typing`. No ``from __future__ import annotations`` here: the types are
evaluated, so that ``__required_keys__`` sees ``NotRequired`` (the tests read it).
"""

from typing import Literal, NotRequired, TypedDict

from pytest_autofix.facts import NoseOwner, NosePackage

__all__ = [
    "BY_CODE",
    "CalledDirectly",
    "Common",
    "DeadPackage",
    "FileMismatch",
    "FileNotFound",
    "FixtureNotFound",
    "Location",
    "MissingEnvVar",
    "MissingPackage",
    "ModuleNotFound",
    "NameNotFound",
    "NameUndefined",
    "NoDetails",
    "OtherException",
    "PytestRemovedApi",
    "RemovedApi",
    "RemovedForm",
    "ScopeMismatch",
    "ServiceUnavailable",
]


class Location(TypedDict):
    path: str | None
    line: int | None


class Common(TypedDict, total=False):
    """What :func:`~pytest_autofix.engine.classify.group` adds to every issue's details."""

    key: str  # the root-cause key: one issue per (code, key)
    locations: list[Location]  # every distinct place a failure of the issue points at
    source: str  # the first failure's innermost project frame: its source line
    function: str  # ... and its function


class NoDetails(TypedDict):
    """``other.syntax-error``, ``other.assertion``: the location says it all."""


# -- import.* ---------------------------------------------------------------------------------


class FileMismatch(TypedDict):
    """``import.file-mismatch``: test modules that share a basename."""

    module: str
    files: list[str]  # the two files pytest names
    node_path: str | None


class ModuleNotFound(TypedDict):
    """``import.module-not-found``."""

    module: str
    origin: Literal["project", "stdlib", "installed", "misspelled"]
    candidates: NotRequired[list[str]]  # origin "misspelled": close project or stdlib names


class NameNotFound(TypedDict):
    """``import.name-not-found``: ``from module import name`` or ``module.name`` of the
    project (``form`` "attribute")."""

    module: str
    name: str
    origin: str | None
    module_path: str | None
    form: NotRequired[Literal["attribute"]]


class NameUndefined(TypedDict):
    """``import.name-undefined``: a ``NameError``."""

    name: str


# -- fixture.* --------------------------------------------------------------------------------


class FixtureNotFound(TypedDict):
    """``fixture.not-found``."""

    argname: str
    available: list[str]
    requester: str | None
    request_path: str | None
    request_line: int | None


class ScopeMismatch(TypedDict):
    """``fixture.scope-mismatch``: ``requester`` (of ``requester_scope``) requests ``argname``
    (of the narrower ``scope``)."""

    argname: str
    scope: str
    requester: str | None
    requester_scope: str


class CalledDirectly(TypedDict):
    """``fixture.called-directly``."""

    fixture: str


class PytestRemovedApi(TypedDict):
    """``fixture.removed-api``: a pytest removal (since 4.0) or deprecation, named by ``api``."""

    api: Literal[
        "mark-on-fixture",
        "warns-none",
        "msg-kwarg",
        "async-fixture",
        "yield-fixture",
        "deprecation",
        "nose-setup",
        "renamed",
        "pytest-config",
        "pytest-collect",
        "pytest-instance",
        "raises-message",
        "fixture-positional",
        "parametrize-iterator",
        "hook-path-args",
        "importorskip-import-error",
        "yield-tests",
    ]
    function: NotRequired[str]  # msg-kwarg: skip, fail or exit; raises-message: raises, warns
    name: NotRequired[str]  # renamed: the attribute pytest removed (funcargnames)
    new: NotRequired[str]  # renamed: what replaces it (fixturenames)
    test: NotRequired[str]  # parametrize-iterator, yield-tests: the test pytest names
    hook: NotRequired[str]  # hook-path-args: the hook (its old argument: name, the new: new)
    plugin: NotRequired[str]  # hook-path-args: the file of the plugin pytest refused
    warning: NotRequired[str]  # deprecation: the warning's class
    test_class: NotRequired[str | None]  # nose-setup
    methods: NotRequired[list[str] | None]  # nose-setup: setup, teardown
    owners: NotRequired[list[NoseOwner]]  # nose-setup: the classes that define them
    module_methods: NotRequired[list[str]]  # nose-setup: the test module's setup, teardown
    packages: NotRequired[list[NosePackage]]  # nose-setup: its packages' setup_package...


# -- environment.* ----------------------------------------------------------------------------

RemovedForm = Literal["deprecation", "import", "attribute", "kwarg", "call", "module", "method"]
"""How a removed API was met: a deprecation warning raised as an error, ``from m import x``,
``m.x``, a keyword argument, a call form (a catalogue entry's ``detect``), ``import m``, a
method."""


class RemovedApi(TypedDict):
    """``environment.removed-api``: ``api`` as the migration catalogue names it."""

    api: str
    form: RemovedForm
    module: NotRequired[str]  # forms import, attribute, module
    name: NotRequired[str]  # forms import, attribute, method, deprecation


class MissingPackage(TypedDict):
    """``environment.missing-package``."""

    module: str
    top_level: str


class DeadPackage(TypedDict):
    """``environment.dead-package``: a test-era tool that no longer installs or imports
    (``package``: nose), met as the module that failed (``nose.tools``, or ``imp`` from
    inside nose on Python 3.12)."""

    package: str
    module: str


class FileNotFound(TypedDict):
    """``environment.file-not-found``: a relative path."""

    filename: str
    cwd: str | None
    exists_relative_to: list[str]


class MissingEnvVar(TypedDict):
    """``environment.missing-env-var``."""

    name: str


class ServiceUnavailable(TypedDict):
    """``environment.service-unavailable``."""

    host: str | None
    port: int | None


# -- other.* ----------------------------------------------------------------------------------


class OtherException(TypedDict, total=False):
    """``other.exception``: ``exc_type`` unless it is a recursive fixture dependency."""

    exc_type: str


BY_CODE: dict[str, type] = {
    "import.module-not-found": ModuleNotFound,
    "import.name-not-found": NameNotFound,
    "import.name-undefined": NameUndefined,
    "import.file-mismatch": FileMismatch,
    "fixture.not-found": FixtureNotFound,
    "fixture.scope-mismatch": ScopeMismatch,
    "fixture.called-directly": CalledDirectly,
    "fixture.removed-api": PytestRemovedApi,
    "environment.removed-api": RemovedApi,
    "environment.missing-package": MissingPackage,
    "environment.dead-package": DeadPackage,
    "environment.file-not-found": FileNotFound,
    "environment.missing-env-var": MissingEnvVar,
    "environment.service-unavailable": ServiceUnavailable,
    "other.assertion": NoDetails,
    "other.syntax-error": NoDetails,
    "other.exception": OtherException,
}
