"""The facts capture ships from the live exception to the classifier: a typed contract.

:func:`pytest_autofix.worker.capture.capture` builds a :class:`Facts` in the process that ran the
test and attaches it to the report; pytest-xdist serializes it with the report, the rerun writes
it as JSON, and :func:`pytest_autofix.worker.capture.to_failure` puts it on a
:class:`~pytest_autofix.model.Failure` (``failure.facts``), where the rules of
:mod:`pytest_autofix.engine.classify` read it. At run time it stays a plain dict of JSON values;
these types say which keys it may hold and what they hold, for mypy and for the reader.

Every key is optional (``total=False``): a fact is there only when the exception gave it, and
facts parsed from ``longrepr`` when none arrived (``fallback``) have only the exception's type
and message (and a fixture's name). Read them with ``.get``.

Imports only :mod:`typing`: the worker and the engine both load it.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

__all__ = [
    "Address",
    "ChainLink",
    "Facts",
    "ObjKind",
    "Origin",
    "ProjectFrame",
]

Origin = Literal["project", "stdlib", "installed", "missing"]
"""Where a top-level module comes from (:func:`pytest_autofix.worker.capture.origin`)."""

ObjKind = Literal["module", "class", "instance"]
"""What an ``AttributeError``'s object is."""


class ProjectFrame(TypedDict):
    """A traceback frame inside the rootdir (the fields of :class:`~pytest_autofix.model.Frame`)."""

    path: str  # relative to the rootdir, POSIX form
    line: int
    function: str
    source: str  # the stripped source line


class ChainLink(TypedDict):
    """An exception in the ``__cause__``/``__context__`` chain."""

    exc_type: str
    message: str


class Address(TypedDict, total=False):
    """Host and port of a refused connection (as far as they could be read)."""

    host: str
    port: int | None


class NoseOwner(TypedDict):
    """A nose-style method the test's class inherits or defines, and the class that defines it."""

    method: str  # the nose name: "setup", "teardown", "setUp", "setupClass", ...
    cls: str  # the defining class's qualified name
    module: str  # its module's name
    path: str | None  # its file, relative to the rootdir (None: outside the project)
    assigns: list[str]  # the ``self.X`` (``cls.X``) the method assigns
    globals: NotRequired[list[str]]  # the names it declares ``global`` (``global numpy``)


class NosePackage(TypedDict):
    """A test package's ``__init__.py`` with nose's package-level setup or teardown, which
    pytest does not call there (it calls ``setup_module``/``setUpModule``)."""

    path: str  # the ``__init__.py``, relative to the rootdir
    methods: list[str]  # the one nose ran of each kind: "setup_package", "tearDownPackage", ...
    globals: list[str]  # the names those declare ``global``


class Facts(TypedDict, total=False):
    """What capture knows about one failure. Grouped by the exception that gives them."""

    # -- every failure ------------------------------------------------------------------------
    v: int  # the format's version (capture.FACTS_VERSION)
    when: str  # collect, setup, call, teardown
    exc_type: str  # qualified name; builtins bare: "ModuleNotFoundError"
    exc_mro: list[str]  # qualified names, the exception's class first, without BaseException
    message: str  # str(exc), at most 4000 characters
    wrapper: str | None  # the CollectError / ConftestImportFailure / translation unwrapped
    chain: list[ChainLink]  # causes and contexts, innermost last, at most 5
    frame: ProjectFrame | None  # the innermost project frame
    frames: list[ProjectFrame]  # the last 8 project frames, outermost first
    is_warning: bool  # a warning raised as an error (-W error)
    installed_copies: dict[str, str]  # frame path -> the installed copy that ran
    node_path: str | None  # the item's or collector's file, relative to the rootdir
    node_class: str  # the test's class, if it has one
    # nose-style setup/teardown pytest does not call (setup()/teardown(): no longer, since
    # pytest 8; setUp() of a plain class, setupClass(), setupModule()...: never), where the
    # failing test lives:
    node_nose: list[NoseOwner]  # its class's, inherited ones included (its runtime MRO)
    node_is_unittest: bool  # its class is a unittest.TestCase (which calls setUp instead)
    module_nose: list[str]  # its module's "setup"/"setupModule"/... (no setup/setUpModule)
    module_nose_globals: list[str]  # the names those declare ``global``
    package_nose: list[NosePackage]  # its packages' "setup_package"/"setupPackage"/...
    capture_error: str  # a fact that could not be read: "TypeError: ..."
    fallback: bool  # True: parsed from longrepr, no live exception was seen
    startup: bool  # True: it stopped plain pytest at start-up (worker/startup.py)
    startup_status: int  # what plain pytest exits with while it is left (3 or 4)
    # the error this one stands for: the one ``raise ... from`` names, or the one a ``finally``
    # block was running for when it failed itself; its own facts (exc_type, message, frame...)
    masked: Facts

    # -- ImportError, ModuleNotFoundError --------------------------------------------------------
    module: str | None  # ImportError.name
    module_path: str | None  # ImportError.path, relative to the rootdir when inside it
    origin: Origin  # of ``module``
    top_level: str  # ModuleNotFoundError: the first part of ``module``
    importable_parent: str | None  # ModuleNotFoundError: the longest imported prefix
    import_name: str  # "cannot import name X": X
    mismatch: list[str]  # ImportPathMismatchError's args: module name, then the two files

    # -- NameError ---------------------------------------------------------------------------
    name: str | None

    # -- AttributeError ----------------------------------------------------------------------
    attr: str | None
    obj_kind: ObjKind
    obj_module: str  # obj_kind "module": its name
    obj_origin: Origin  # obj_kind "module": where it comes from
    obj_path: str | None  # obj_kind "module" of the project: its file
    obj_type: str  # obj_kind "class"/"instance": the qualified class name
    obj_mro: list[str]  # its qualified MRO without ``object``, at most 20
    # ... and when the object is an instance of the failing test's class:
    test_class: str
    class_is_unittest: bool
    nose_methods: list[str]  # "setup", "setUp", "setupClass"... as defined by the class
    nose_assigns: list[str]  # the ``self.X`` that its setups assign
    class_methods: list[str]

    # -- pytest's FixtureLookupError ------------------------------------------------------------
    argname: str | None
    request_path: str  # where the fixture is requested
    request_line: int
    available: list[str]
    recursive: bool
    requester: str | None  # the test or fixture that requests it

    # -- OSError (not ConnectionError) ----------------------------------------------------------
    errno: int | None
    filename: str | None
    absolute: bool
    cwd: str  # the working directory, relative to the rootdir when inside it
    exists_relative_to: list[str]  # where a relative filename does exist (project paths)

    # -- the environment, from the traceback ----------------------------------------------------
    env_var: str  # a KeyError raised by os.environ[...]
    refused: bool  # a refused connection in the exception chain
    address: Address

    # -- a warning raised as an error --------------------------------------------------------
    warned_from: str  # the module that issued it (the innermost frame outside `warnings`)
    # the innermost project line's names bound to a module or to a module's class or function:
    # name -> that module (``np`` -> ``numpy``)
    line_modules: dict[str, str]
