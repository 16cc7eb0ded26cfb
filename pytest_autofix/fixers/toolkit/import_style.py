"""How a project sorts its imports: isort's and ruff's sections, and the settings that move them.

:func:`style_of` reads a project's settings once: ruff's isort settings (``[lint.isort]`` or
``[isort]`` in ``.ruff.toml`` or ``ruff.toml``, ``[tool.ruff.lint.isort]`` or
``[tool.ruff.isort]`` in ``pyproject.toml``) when it has some, else isort's (``.isort.cfg``,
``[tool.isort]`` in ``pyproject.toml``, ``[isort]`` in ``setup.cfg`` or ``tox.ini``), from the
rootdir or the nearest directory above it that has one (not above a ``.git``), and the project's
own top-level modules (first party, as both tools find them: a module or package directly in the
rootdir, in ``src/``, or in the configured ``src``/``src_paths``). Files that do not parse count
as no settings. :func:`~pytest_autofix.fixers.toolkit.import_transforms.add_import` takes the
result as ``style=``, to put a new import into its section.
"""

from __future__ import annotations

import configparser
import dataclasses
import enum
import fnmatch
import sys
import tomllib
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_autofix.project import Project

__all__ = ["ImportStyle", "Section", "read_import_style", "style_of"]


class Section(enum.IntEnum):
    """isort's and ruff's default sections, in their order in a file."""

    FUTURE = 0
    STDLIB = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL = 4  # relative imports (and ``known-local-folder``)


@dataclasses.dataclass(frozen=True)
class ImportStyle:
    """The settings that decide where an import goes. The defaults are isort's and ruff's:
    ``import x`` lines before ``from x import y`` lines in a section, one blank line between
    sections, and nothing known as first party."""

    first_party: frozenset[str] = frozenset()  # top-level names or patterns (``known-first-party``)
    third_party: frozenset[str] = frozenset()  # ``known-third-party``
    local_folder: frozenset[str] = frozenset()  # ``known-local-folder``
    force_sort_within_sections: bool = False  # sort by module, ``import`` and ``from`` mixed
    lines_after_imports: int = -1  # blank lines after the imports; -1: 2 before a def, else 1
    detected: frozenset[str] = frozenset()  # the project's own top-level modules

    def section(self, module: str) -> Section:
        """The section of an import of ``module`` (``.x`` for a relative one), as ruff decides
        it: ``__future__``, relative, the ``known-*`` settings, the standard library, the
        project's own modules, else third party."""
        if module == "__future__":
            return Section.FUTURE
        if module.startswith(".") or not module:
            return Section.LOCAL
        for known, section in (
            (self.local_folder, Section.LOCAL),
            (self.first_party, Section.FIRST_PARTY),
            (self.third_party, Section.THIRD_PARTY),
        ):
            if any(_matches(module, pattern) for pattern in known):
                return section
        top = module.partition(".")[0]
        if top in sys.stdlib_module_names:
            return Section.STDLIB
        if top in self.detected:
            return Section.FIRST_PARTY
        return Section.THIRD_PARTY


def _matches(module: str, pattern: str) -> bool:
    """``known-first-party = ["a"]`` covers ``a`` and ``a.b``; globs as both tools allow."""
    if module == pattern or module.startswith(pattern + "."):
        return True
    return any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(module, pattern)


# -- reading the settings --------------------------------------------------------------------

_Settings = Mapping[str, object]


def _toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def _table(data: Mapping[str, object], *keys: str) -> _Settings | None:
    found: object = data
    for key in keys:
        if not isinstance(found, Mapping) or key not in found:
            return None
        found = found[key]
    return found if isinstance(found, Mapping) else None


def _ruff(directory: Path) -> _Settings | None:
    """The ruff isort settings of ``directory`` (``.ruff.toml``, ``ruff.toml``, then
    ``pyproject.toml`` with a ``[tool.ruff]`` table: the file ruff itself would use), with
    ruff's ``src`` beside them; None when there is no ruff configuration there."""
    for name, prefix in ((".ruff.toml", ()), ("ruff.toml", ()), ("pyproject.toml", ("tool",))):
        path = directory / name
        if not path.is_file():
            continue
        ruff = _table(_toml(path), *prefix, "ruff") if prefix else _toml(path)
        if ruff is None:
            continue
        isort = _table(ruff, "lint", "isort") or _table(ruff, "isort") or {}
        return {**isort, "src": ruff.get("src", [])}
    return None


def _isort(directory: Path) -> _Settings | None:
    """The isort settings of ``directory``, from the first file isort reads there."""
    path = directory / ".isort.cfg"
    if path.is_file():
        return _ini(path, ("settings", "isort"))
    path = directory / "pyproject.toml"
    if path.is_file():
        table = _table(_toml(path), "tool", "isort")
        if table is not None:
            return table
    for name in ("setup.cfg", "tox.ini"):
        path = directory / name
        if path.is_file():
            found = _ini(path, ("isort", "tool:isort"))
            if found is not None:
                return found
    return None


def _ini(path: Path, sections: Iterable[str]) -> _Settings | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    for section in sections:
        if parser.has_section(section):
            return dict(parser.items(section))
    return None


def _get(settings: _Settings, name: str) -> object:
    """A setting by its isort name (``known_first_party``) or ruff's (``known-first-party``)."""
    if name in settings:
        return settings[name]
    return settings.get(name.replace("_", "-"))


def _names(value: object) -> frozenset[str]:
    """A list setting: a TOML list or isort's comma-separated (or multi-line) string."""
    if isinstance(value, str):
        items: Iterable[object] = value.replace("\n", ",").split(",")
    elif isinstance(value, list):
        items = value
    else:
        return frozenset()
    return frozenset(s.strip() for s in items if isinstance(s, str) and s.strip())


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value is True


def _count(value: object) -> int:
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return -1
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _top_level(directory: Path) -> set[str]:
    """The modules and packages directly in ``directory``, as isort and ruff find first-party
    code in a source root."""
    found: set[str] = set()
    try:
        entries = list(directory.iterdir())
    except OSError:
        return found
    for entry in entries:
        if entry.suffix in {".py", ".pyi"}:
            if entry.stem.isidentifier() and entry.is_file():
                found.add(entry.stem)
        elif entry.name.isidentifier() and entry.is_dir():
            found.add(entry.name)
    return found


def _settings(root: Path) -> tuple[Path, _Settings]:
    """The directory whose configuration applies (the rootdir or the nearest above it with a
    ruff or isort configuration, not above a ``.git``) and its settings: ruff's isort settings
    when it has some, else isort's."""
    for directory in (root, *root.parents):
        ruff, isort = _ruff(directory), _isort(directory)
        if ruff is not None and len(ruff) > 1:  # ruff's isort settings
            return directory, ruff
        if isort is not None:  # isort's, where ruff's are only its defaults
            return directory, {**(ruff or {}), **isort}
        if ruff is not None:
            return directory, ruff
        if (directory / ".git").exists():
            break
    return root, {}


# isort profiles that set force_sort_within_sections (the others, black's included, leave the
# order of lines alone)
_SORTED_WITHIN_SECTIONS = frozenset({"google", "open_stack"})


def _sorted_within_sections(settings: _Settings) -> bool:
    value = _get(settings, "force_sort_within_sections")
    if value is not None:
        return _flag(value)
    profile = _get(settings, "profile")
    return isinstance(profile, str) and profile.strip() in _SORTED_WITHIN_SECTIONS


def read_import_style(root: str | Path) -> ImportStyle:
    """The import style of the project at ``root``: its ruff or isort settings and its own
    top-level modules."""
    root = Path(root).absolute()
    base, settings = _settings(root)
    sources = {root, root / "src"}
    for src in _names(_get(settings, "src")) | _names(_get(settings, "src_paths")):
        sources.add(base / src)
    detected: set[str] = set()
    for source in sources:
        detected |= _top_level(source)
    return ImportStyle(
        first_party=_names(_get(settings, "known_first_party")),
        third_party=_names(_get(settings, "known_third_party")),
        local_folder=_names(_get(settings, "known_local_folder")),
        force_sort_within_sections=_sorted_within_sections(settings),
        lines_after_imports=_count(_get(settings, "lines_after_imports")),
        detected=frozenset(detected),
    )


_STYLES: weakref.WeakKeyDictionary[Project, ImportStyle] = weakref.WeakKeyDictionary()


def style_of(project: Project) -> ImportStyle:
    """:func:`read_import_style` of the project's rootdir, read once per :class:`Project`."""
    style = _STYLES.get(project)
    if style is None:
        style = _STYLES[project] = read_import_style(project.rootdir)
    return style
