"""Modules of the environment (standard library and installed distributions): found and read
without importing them, except standard-library extensions, which have no side effects."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import sys
import types
from pathlib import Path

from pytest_autofix.fixers.toolkit.scan import is_identifier, parse, top_level_bindings

__all__ = ["EnvModule", "env_locate", "env_provides", "env_submodules", "stdlib_names"]

# Standard-library modules that do something when imported: never imported to list names.
_NEVER_IMPORT = frozenset({"this", "antigravity", "idlelib", "tkinter", "turtle", "turtledemo"})


@dataclasses.dataclass(frozen=True)
class EnvModule:
    """A module of the environment, located without importing it."""

    name: str
    origin: Path | None  # the source or extension file; None for a namespace or builtin
    locations: tuple[Path, ...]  # where its submodules live (packages only)


def env_locate(name: str) -> EnvModule | None:
    """Find an installed or standard-library module by walking the file system from its
    top-level package (``importlib.util.find_spec`` of a top-level name imports nothing)."""
    top, *rest = name.split(".")
    if not is_identifier(top) or not all(is_identifier(p) for p in rest):
        return None
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__spec__", None) is not None:
        spec = loaded.__spec__
        assert spec is not None
        origin = spec.origin if spec.has_location else None
        locations = tuple(Path(p) for p in (spec.submodule_search_locations or ()))
        return EnvModule(name, Path(origin) if origin else None, locations)
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    origin_file = Path(spec.origin) if spec.origin and spec.has_location else None
    module = EnvModule(
        top, origin_file, tuple(Path(p) for p in (spec.submodule_search_locations or ()))
    )
    for part in rest:
        module_found = _child(module, part)
        if module_found is None:
            return None
        module = module_found
    return module


def _child(parent: EnvModule, part: str) -> EnvModule | None:
    name = f"{parent.name}.{part}"
    for location in parent.locations:
        package = location / part
        if (package / "__init__.py").is_file():
            return EnvModule(name, package / "__init__.py", (package,))
        if (location / f"{part}.py").is_file():
            return EnvModule(name, location / f"{part}.py", ())
        extensions = sorted(location.glob(f"{part}.*.so")) + sorted(location.glob(f"{part}.*.pyd"))
        if extensions:
            return EnvModule(name, extensions[0], ())
        if package.is_dir():
            return EnvModule(name, None, (package,))
    return None


def env_submodules(module: EnvModule) -> list[str]:
    """The names of the submodules of an environment package."""
    found: set[str] = set()
    for location in module.locations:
        try:
            entries = list(location.iterdir())
        except OSError:
            continue
        for entry in entries:
            stem = entry.name.partition(".")[0]
            if not is_identifier(stem) or entry.name.startswith("__"):
                continue
            package = entry.is_dir() and (entry / "__init__.py").is_file()
            if package or (entry.suffix in (".py", ".so", ".pyd") and entry.is_file()):
                found.add(stem)
    return sorted(found)


def env_provides(name: str) -> dict[str, str] | None:
    """The names an environment module provides (``name -> kind``), or None when unknown.

    A module already imported is asked directly; one with source is read; a standard-library
    extension without source is imported (those have no side effects); anything else is unknown.
    """
    module = env_locate(name)
    if module is None:
        return None
    provided: dict[str, str] = {sub: "module" for sub in env_submodules(module)}
    loaded = sys.modules.get(name)
    top = name.partition(".")[0]
    if loaded is None and module.origin is not None and module.origin.suffix == ".py":
        try:
            tree = parse(module.origin.read_bytes())
        except OSError:
            tree = None
        if tree is None:
            return None
        provided.update(top_level_bindings(tree))
    elif loaded is None and top in sys.stdlib_module_names and top not in _NEVER_IMPORT:
        try:
            loaded = importlib.import_module(name)
        except Exception:
            return None
    if loaded is not None:
        for attr in dir(loaded):
            provided[attr] = _kind_of(getattr(loaded, attr, None))
    elif module.origin is None or module.origin.suffix != ".py":
        return None
    if "__getattr__" in provided and loaded is None:
        return None
    return provided


def _kind_of(value: object) -> str:
    if isinstance(value, type):
        return "class"
    if isinstance(value, types.ModuleType):
        return "module"
    return "function" if callable(value) else "variable"


def stdlib_names() -> list[str]:
    return sorted(n for n in sys.stdlib_module_names if not n.startswith("_"))
