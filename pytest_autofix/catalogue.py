"""The migration catalogue: removed APIs as data (``data/migrations.toml``), validated on load."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError


class Migration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    api: str
    kind: Literal["attribute", "module", "method", "kwarg"]
    removed_in: str
    replacement: str
    safety: Literal["safe", "guarded", "unsafe"]
    note: str = ""


class CatalogueError(ValueError):
    """A catalogue file that does not validate; the message names the entry and the field."""


class Catalogue:
    def __init__(self, migrations: list[Migration]) -> None:
        self.migrations = migrations
        self._by_api = {m.api: m for m in migrations}

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

    def method(self, mro: list[str], attr: str) -> Migration | None:
        """``mro`` holds qualified class names (``pandas.core.frame.DataFrame``)."""
        for m in self.migrations:
            if m.kind != "method" or not m.api.endswith("." + attr):
                continue
            owner = m.api[: -len(attr) - 1]
            package, _, cls = owner.rpartition(".")
            for qual in mro:
                if qual.rpartition(".")[2] == cls and qual.split(".")[0] == package.split(".")[0]:
                    return m
        return None

    def kwarg(self, function: str, kwarg: str) -> Migration | None:
        """``function`` as Python names it in a TypeError: ``read_csv`` or ``DataFrame.fillna``."""
        for m in self.migrations:
            if m.kind != "kwarg" or not m.api.endswith("." + kwarg):
                continue
            owner = m.api[: -len(kwarg) - 1]
            if owner.endswith("." + function) or owner.rpartition(".")[2] == function:
                return m
        return None


def parse(text: str, source: str) -> list[Migration]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CatalogueError(f"{source}: not valid TOML: {err}") from None
    out: list[Migration] = []
    for i, entry in enumerate(data.get("migration", []), start=1):
        try:
            out.append(Migration.model_validate(entry))
        except ValidationError as err:
            name = entry.get("api", "?") if isinstance(entry, dict) else "?"
            raise CatalogueError(f"{source}: migration #{i} ({name}): {err}") from None
    return out


@functools.cache
def builtin() -> Catalogue:
    text = resources.files("pytest_autofix").joinpath("data/migrations.toml").read_text("utf-8")
    return Catalogue(parse(text, "pytest_autofix/data/migrations.toml"))
