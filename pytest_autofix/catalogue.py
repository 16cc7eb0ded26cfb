"""The migration catalogue: removed APIs as data, validated with pydantic on load.

The built-in entries live in ``data/*.toml`` (one file per library family). Users add entries
from their own TOML file (the ini value ``autofix_migrations``, relative to the rootdir) and
plugins through the ``pytest_autofix_migrations(config)`` hook; a later entry with the same
``api`` replaces an earlier one (built-in < user file < hook).

Each ``[[migration]]`` says what was removed (``api``, ``kind``), where (``removed_in``), what
the run shows (``error``), the replacement and its safety, the condition under which the
replacement exists (``requires``, checked against what is installed when a fix is proposed),
and a before/after ``example`` that the test-suite runs through the fixer's transform (with
``refused``, files the transform must leave to a person).

A guard the transform checks in each file: ``timer-only`` (every use of a clock function in the
file times a duration it only reports), ``argspec-fields`` (every ``getargspec`` result read
by the four fields getfullargspec shares, or as a tuple of four) and ``instance`` (a method
entry's pattern that takes any receiver, ``$parser.unescape($s)``, is applied to the names the
file binds only to new instances of the class):
:mod:`pytest_autofix.fixers.toolkit.environment_guards`;
``no-name-clash`` and ``string-argument`` name what every transform or pattern checks anyway;
``absent:<module>`` is checked against what is installed.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pytest_autofix.config import notes_key

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Example",
    "Migration",
    "Pattern",
    "builtin",
    "for_config",
    "markdown",
    "parse",
    "public_name",
    "render_into",
]

_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_REQUIREMENT = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(>=|<=|==|!=|>|<)\s*([0-9][0-9A-Za-z.]*)$")
_GUARD = re.compile(
    r"^(no-name-clash|absent:[A-Za-z_][\w.]*|string-argument|timer-only|argspec-fields|instance)$"
)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Example(_Strict):
    """A file before the migration and the same file after it (exactly, byte for byte)."""

    before: str
    after: str


class Pattern(_Strict):
    """An expression rewrite: ``match`` and ``replace`` are Python expressions.

    ``$name`` captures any expression (one plain argument in a call), ``$s_name`` only a string
    literal, ``$*name`` the rest of a list or of the positional arguments (``*iterable`` ones
    included), ``$**name`` the keyword arguments the pattern does not name (``**mapping`` ones
    included; without it there must be none). A dotted name that starts with a module
    (``pkg_resources.get_distribution``) matches however the file imports it, ``from`` imports
    included; a dotted name of ``match`` that reappears in ``replace`` keeps the file's own
    spelling. ``imports`` are added where the replacement is written: ``"importlib.metadata"``
    (``import importlib.metadata``) or ``"sqlalchemy:text"`` (``from sqlalchemy import text``).
    ``safety = "safe"``: a pattern exact where its entry is not (the class reference
    ``numpy.ndarray.ptp`` -> ``numpy.ptp`` where ``$a.ptp()`` on any object may change
    behaviour); a fix whose files only such patterns change is safe.

    A reference to a removed function (passed, not called) changes only where a pattern says
    so: its dotted name alone when the replacement takes every call the removed function took
    (``numpy.ndarray.ptp`` -> ``numpy.ptp``: the call is rewritten with it), else the reference
    where the context says how it is called (``map(matplotlib.cm.get_cmap, $names)``: one
    argument per item, which ``matplotlib.colormaps.get_cmap`` takes alike, where it takes no
    ``lut``).
    """

    match: str
    replace: str
    imports: list[str] = Field(default_factory=list)
    safety: Literal["safe"] | None = None

    @field_validator("imports")
    @classmethod
    def _imports(cls, value: list[str]) -> list[str]:
        for item in value:
            module, _, name = item.partition(":")
            if not _DOTTED.match(module) or (name and not _DOTTED.match(name)):
                raise ValueError(f"import {item!r} is not 'module' or 'module:name'")
        return value


class Migration(_Strict):
    """One removed API and how to migrate from it."""

    api: str
    kind: Literal["attribute", "module", "method", "kwarg", "call"]
    removed_in: str
    error: str
    detect: str = ""  # a regex over "ExcType: message" that reveals a `call` migration
    replacement: str
    safety: Literal["safe", "guarded", "unsafe"]
    guard: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    patterns: list[Pattern] = Field(default_factory=list)
    manual: bool = False
    example: Example
    # files the transform leaves to a person (Unfixable, or unchanged): what a guard keeps out
    refused: list[str] = Field(default_factory=list)
    link: str = ""
    note: str = ""

    @field_validator("api")
    @classmethod
    def _api(cls, value: str) -> str:
        if not _DOTTED.match(value):
            raise ValueError(f"api {value!r} is not a dotted name")
        return value

    @field_validator("detect")
    @classmethod
    def _detect(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"detect {value!r} is not a regular expression: {err}") from None
        return value

    @field_validator("guard")
    @classmethod
    def _guard(cls, value: list[str]) -> list[str]:
        for item in value:
            if not _GUARD.match(item):
                raise ValueError(
                    f"unknown guard {item!r} (known: no-name-clash, absent:<module>, "
                    "string-argument, timer-only, argspec-fields, instance)"
                )
        return value

    @field_validator("requires")
    @classmethod
    def _requires(cls, value: list[str]) -> list[str]:
        for item in value:
            if not _REQUIREMENT.match(item.strip()):
                raise ValueError(f"requirement {item!r} is not '<distribution or python> OP X.Y'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Migration:
        if self.safety == "guarded" and not self.guard and not self.requires:
            raise ValueError("a guarded migration needs a `guard` or `requires` to check")
        if self.kind == "method" and self.api.count(".") < 2:
            raise ValueError("a method api is 'module.Type.method'")
        if self.kind == "kwarg" and self.api.count(".") < 2:
            raise ValueError("a kwarg api is 'module.function.keyword'")
        mechanical = not self.manual and not self.patterns
        named = self.kind in ("attribute", "method")
        if named and mechanical and not _DOTTED.match(self.replacement):
            raise ValueError(
                f"replacement {self.replacement!r} is no dotted name: set manual = true "
                "or give patterns"
            )
        if self.kind == "call" and not self.detect and not self.manual:
            raise ValueError("a call migration needs `detect`, the error text that reveals it")
        if self.kind == "module" and not self.manual and not self.patterns and not self.names:
            raise ValueError("a module migration needs `names`, `patterns` or manual = true")
        return self

    @property
    def module(self) -> str:
        """The module the API belongs to (the api itself for a module)."""
        if self.kind == "module":
            return self.api
        depth = {"attribute": 1, "method": 2, "kwarg": 2, "call": 0}[self.kind]
        if not depth:  # sqlalchemy.engine.Connection.execute: the top-level package
            return self.api.partition(".")[0]
        return self.api.rsplit(".", depth)[0]

    @property
    def name(self) -> str:
        return self.api.rpartition(".")[2]


# C accelerator modules whose types the public module re-exports under the same name: a
# class's qualified name says ``_asyncio.Task`` where the catalogue says ``asyncio.Task``
# (tests/test_environment_transforms.py checks each against the running Python).
ACCELERATORS = {
    "_asyncio": "asyncio",
    "_bz2": "bz2",
    "_collections": "collections",
    "_csv": "csv",
    "_datetime": "datetime",
    "_decimal": "decimal",
    "_elementtree": "xml.etree.ElementTree",
    "_functools": "functools",
    "_io": "io",
    "_lzma": "lzma",
    "_pickle": "pickle",
    "_queue": "queue",
    "_socket": "socket",
    "_sqlite3": "sqlite3",
    "_ssl": "ssl",
    "_struct": "struct",
    "_zoneinfo": "zoneinfo",
}


def public_name(qualified: str) -> str:
    """``qualified`` (``module.Class``) with a C accelerator module replaced by the public
    module that re-exports its types: ``_asyncio.Task`` -> ``asyncio.Task``."""
    module, dot, rest = qualified.partition(".")
    public = ACCELERATORS.get(module)
    return f"{public}.{rest}" if public and dot else qualified


class CatalogueError(ValueError):
    """A catalogue file that does not validate; the message names the entry and the field."""


class Catalogue:
    def __init__(self, migrations: Iterable[Migration]) -> None:
        by_api: dict[str, Migration] = {}
        for migration in migrations:
            by_api[migration.api] = migration  # a later entry replaces an earlier one
        self.migrations = list(by_api.values())
        self._by_api = by_api

    def get(self, api: str) -> Migration | None:
        return self._by_api.get(api)

    def attribute(self, module: str, attr: str) -> Migration | None:
        m = self._by_api.get(f"{module}.{attr}")
        return m if m is not None and m.kind == "attribute" else None

    def module(self, name: str) -> Migration | None:
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            m = self._by_api.get(".".join(parts[:i]))
            if m is not None and m.kind == "module":
                return m
        return None

    def missing_module(self, name: str) -> Migration | None:
        """The entry for ``name``, a submodule that a package present here no longer has: a
        module entry (:meth:`module`); else the attribute entry of that name (``pandas.tslib``:
        its package exposed it as an attribute, its patterns name what it held); else, when the
        catalogue migrates names of that module (``removed.module.a``, ...), a manual module
        entry made of those (:meth:`names_of`), which the fixer migrates name by name."""
        found = self.module(name)
        if found is not None or "." not in name:
            return found
        found = self.attribute(*name.rsplit(".", 1))
        return found if found is not None else self.names_of(name)

    def names_of(self, name: str) -> Migration | None:
        """A manual module entry for the module ``name`` built from the catalogue's entries of
        its attributes (None when it has none): it names no replacement of its own, so its fix
        is made of theirs, as sure as the least sure of them, and an import of a name none of
        them migrates leaves the file to a person."""
        parts = [m for m in self.migrations if m.kind == "attribute" and m.module == name]
        if not parts:
            return None
        return Migration(
            api=name,
            kind="module",
            removed_in=parts[0].removed_in,
            error=f"ModuleNotFoundError: No module named '{name}'",
            replacement=f"its names' replacements ({', '.join(m.replacement for m in parts)})",
            safety="unsafe",
            manual=True,
            example=Example(before="", after=""),
            note="the module's names, each migrated by its own entry",
        )

    def method(self, mro: list[str], attr: str) -> Migration | None:
        """``mro`` holds qualified class names (``pandas.core.frame.DataFrame``); a class of
        a C accelerator module counts as its public module's (``_asyncio.Task`` is
        ``asyncio.Task``)."""
        for m in self.migrations:
            if m.kind != "method" or not m.api.endswith("." + attr):
                continue
            owner = m.api[: -len(attr) - 1]
            package, _, cls = owner.rpartition(".")
            for qual in mro:
                module, _, name = public_name(qual).rpartition(".")
                if name == cls and module.split(".")[0] == package.split(".")[0]:
                    return m
        return None

    def kwarg(self, function: str, kwarg: str, source: str = "") -> Migration | None:
        """``function`` as Python names it in a TypeError: ``read_csv``, ``DataFrame.fillna``,
        ``Queue.__init__``. A class's ``__init__`` is that class's only: with the class named
        (Python 3.10 on) its entry must name it; a bare ``__init__`` (older Pythons) is the
        entry whose class ``source``, the failing line, calls."""
        found = [
            (m, m.api[: -len(kwarg) - 1])
            for m in self.migrations
            if m.kind == "kwarg" and m.api.endswith("." + kwarg)
        ]
        last = function.rpartition(".")[2]
        dunder = last.startswith("__") and last.endswith("__")
        for m, owner in found:
            if owner.endswith("." + function) and (function != last or not dunder):
                return m
        if dunder:
            for m, owner in found:
                *_, cls, method = owner.split(".")
                called = re.search(rf"\b{re.escape(cls)}\s*\(", source)
                if "." not in function and method == last and called:
                    return m
            return None
        for m, owner in found:
            if owner.rpartition(".")[2] == last:
                return m
        return None

    def detected(self, text: str) -> Migration | None:
        """The ``call`` entry whose ``detect`` matches ``"ExcType: message"``."""
        for m in self.migrations:
            if m.kind == "call" and m.detect and re.search(m.detect, text):
                return m
        return None

    def merged(self, more: Iterable[Migration]) -> Catalogue:
        return Catalogue([*self.migrations, *more])


def _entry_name(entry: object) -> str:
    if isinstance(entry, Mapping):
        return str(entry.get("api", "?"))
    if isinstance(entry, Migration):
        return entry.api
    return "?"


def _validate(entry: object, source: str, index: int) -> Migration:
    if isinstance(entry, Migration):
        return entry
    try:
        return Migration.model_validate(entry)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in err.errors()
        )
        raise CatalogueError(
            f"{source}: migration #{index} ({_entry_name(entry)}): {problems}"
        ) from None


def parse(text: str, source: str) -> list[Migration]:
    """The entries of one TOML catalogue; :class:`CatalogueError` names the entry at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CatalogueError(f"{source}: not valid TOML: {err}") from None
    entries = data.get("migration", [])
    if not isinstance(entries, list):
        raise CatalogueError(f"{source}: `migration` must be an array of tables ([[migration]])")
    return [_validate(entry, source, i) for i, entry in enumerate(entries, start=1)]


def validate_all(entries: Iterable[object], source: str) -> list[Migration]:
    """Entries from a plugin: Migration objects or dicts of the TOML fields."""
    return [_validate(entry, source, i) for i, entry in enumerate(entries, start=1)]


@functools.cache
def builtin() -> Catalogue:
    """Every ``data/*.toml`` shipped with the package, in file-name order."""
    data = resources.files("pytest_autofix").joinpath("data")
    migrations: list[Migration] = []
    for item in sorted(data.iterdir(), key=lambda t: t.name):
        if item.name.endswith(".toml"):
            text = item.read_text("utf-8")
            migrations.extend(parse(text, f"pytest_autofix/data/{item.name}"))
    return Catalogue(migrations)


def load_file(path: Path) -> list[Migration]:
    try:
        text = path.read_text("utf-8")
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read the migration catalogue: {err}") from None
    return parse(text, str(path))


def user_file(config: pytest.Config) -> Path | None:
    """The ``autofix_migrations`` ini value, resolved against the rootdir (None when unset)."""
    try:
        value = config.getini("autofix_migrations")
    except ValueError:  # the ini value is not declared (an older plugin.py)
        value = None
    if not value:
        return None
    raw = value[0] if isinstance(value, list) else value
    path = Path(str(raw))
    return path if path.is_absolute() else config.rootpath / path


_catalogue_key = pytest.StashKey[Catalogue]()


def for_config(config: pytest.Config) -> Catalogue:
    """The built-in catalogue, then the user's file, then every plugin's hook entries; built
    once per session (the classifier and the fixers share it)."""
    if _catalogue_key not in config.stash:
        config.stash[_catalogue_key] = _build(config)
    return config.stash[_catalogue_key]


def for_session(config: pytest.Config) -> Catalogue:
    """:func:`for_config` for the engine and the fixers: when the extra entries do not load,
    the session goes on with the built-in ones and the report says why (``notes_key``)."""
    try:
        return for_config(config)
    except CatalogueError as err:
        config.stash.setdefault(notes_key, []).append(
            f"the extra migration-catalogue entries were not used: {err}"
        )
        config.stash[_catalogue_key] = builtin()
        return config.stash[_catalogue_key]


def _build(config: pytest.Config) -> Catalogue:
    extra: list[Migration] = []
    path = user_file(config)
    if path is not None:
        extra.extend(load_file(path))
    hook = getattr(config.hook, "pytest_autofix_migrations", None)
    if hook is not None:
        for result in hook(config=config):
            extra.extend(validate_all(result or [], "pytest_autofix_migrations"))
    return builtin().merged(extra) if extra else builtin()


def by_library(catalogue: Catalogue) -> dict[str, list[Migration]]:
    """Entries grouped by top-level module (for reports and docs)."""
    out: dict[str, list[Migration]] = {}
    for migration in catalogue.migrations:
        out.setdefault(migration.module.partition(".")[0], []).append(migration)
    return out


def describe(migration: Migration) -> str:
    """One line for a suggestion: the migration to make and where to read about it."""
    text = f"{migration.api} was removed in {migration.removed_in}: use {migration.replacement}"
    if migration.note:
        text += f" ({migration.note})"
    if migration.link:
        text += f"; see {migration.link}"
    return text


# -- the listing in docs/fixers.md ------------------------------------------------------------

DOC_START = "<!-- migrations:start (python -m pytest_autofix.catalogue --write docs/fixers.md) -->"
DOC_END = "<!-- migrations:end -->"


def _builtin_files() -> list[tuple[str, list[Migration]]]:
    """Each shipped ``data/*.toml`` with its entries, in file-name order."""
    data = resources.files("pytest_autofix").joinpath("data")
    items = sorted((i for i in data.iterdir() if i.name.endswith(".toml")), key=lambda t: t.name)
    return [(i.name, parse(i.read_text("utf-8"), f"pytest_autofix/data/{i.name}")) for i in items]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _safety(migration: Migration) -> str:
    checks = [*migration.guard, *migration.requires] if migration.safety == "guarded" else []
    text = migration.safety + (f" ({', '.join(checks)})" if checks else "")
    return f"{text}, manual" if migration.manual else text


def markdown(files: Iterable[tuple[str, Iterable[Migration]]] | None = None) -> str:
    """One table per data file (api, kind, removed in, replacement, safety), as docs/fixers.md
    lists them between :data:`DOC_START` and :data:`DOC_END`."""
    out: list[str] = []
    for name, entries in _builtin_files() if files is None else files:
        rows = list(entries)
        out += [f"#### `{name}` ({len(rows)} entries)", ""]
        out += ["| api | kind | removed in | replacement | safety |", "|---|---|---|---|---|"]
        for m in rows:
            out.append(
                f"| `{m.api}` | {m.kind} | {_cell(m.removed_in)} | {_cell(m.replacement)} "
                f"| {_safety(m)} |"
            )
        out.append("")
    return "\n".join(out)


def render_into(text: str, tables: str) -> str:
    """``text`` with what lies between the two marker lines replaced by ``tables``."""
    start, end = text.find(DOC_START), text.find(DOC_END)
    if start < 0 or end < start:
        raise ValueError(f"the markers {DOC_START!r} and {DOC_END!r} are missing")
    head = text[: start + len(DOC_START)]
    return f"{head}\n\n{tables.strip()}\n\n{text[end:]}"


def main(argv: list[str] | None = None) -> int:
    """``python -m pytest_autofix.catalogue``: print the tables, ``--write FILE`` puts them
    between the markers of FILE, ``--check FILE`` exits 1 when FILE is not up to date."""
    parser = argparse.ArgumentParser(prog="python -m pytest_autofix.catalogue")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, metavar="FILE")
    group.add_argument("--check", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    tables = markdown()
    path: Path | None = args.write or args.check
    if path is None:
        sys.stdout.write(tables)
        return 0
    text = path.read_text("utf-8")
    wanted = render_into(text, tables)
    if args.check:
        if wanted != text:
            sys.stderr.write(
                f"{path} is not up to date: run python -m pytest_autofix.catalogue --write {path}\n"
            )
            return 1
        return 0
    if wanted != text:
        path.write_text(wanted, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
