"""Where a project declares the distributions it needs: ``pyproject.toml`` (PEP 621, PEP 735,
poetry), ``requirements*.txt`` (also under ``requirements/``), ``setup.cfg`` and ``tox.ini``.

For every fixer: the missing-package suggestion says where to add a distribution, the
removed-API fixer where to pin one.
"""

from __future__ import annotations

import configparser
import dataclasses
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["Declaration", "declarations", "normalize"]

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize(name: str) -> str:
    """PEP 503: ``PyYAML`` and ``pyyaml``, ``python_dateutil`` and ``python-dateutil`` match."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclasses.dataclass(frozen=True)
class Declaration:
    """One list of requirements in one project file."""

    file: str  # rootdir-relative
    section: str  # "[project] dependencies", "[project.optional-dependencies] test", ...
    requirements: tuple[str, ...]  # normalized distribution names
    install: str  # the command that installs what it lists

    @property
    def for_tests(self) -> bool:
        words = set(re.split(r"[^a-z0-9]+", f"{self.file} {self.section}".lower()))
        return bool(words & {"test", "tests", "testing", "dev", "develop", "tox", "ci"})


def _names(lines: Any) -> tuple[str, ...]:
    found: list[str] = []
    if isinstance(lines, str):
        lines = lines.splitlines()
    if isinstance(lines, Mapping):  # poetry: {name = version}
        return tuple(normalize(str(k)) for k in lines if str(k).lower() != "python")
    for line in lines or []:
        if not isinstance(line, str):
            continue
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-", "{", "[")):
            continue
        match = _REQUIREMENT.match(line)
        if match:
            found.append(normalize(match.group(1)))
    return tuple(found)


def declarations(rootdir: Path) -> list[Declaration]:
    """Every requirement list of the project: pyproject.toml (PEP 621, PEP 735, poetry),
    requirements*.txt (also under requirements/), setup.cfg and tox.ini."""
    return list(_pyproject(rootdir)) + list(_requirements(rootdir)) + list(_ini_files(rootdir))


def _pyproject(rootdir: Path) -> Iterator[Declaration]:
    path = rootdir / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    project = data.get("project") or {}
    if isinstance(project, dict):
        if "dependencies" in project:
            yield Declaration(
                "pyproject.toml",
                "[project] dependencies",
                _names(project["dependencies"]),
                "pip install -e .",
            )
        for extra, lines in (project.get("optional-dependencies") or {}).items():
            yield Declaration(
                "pyproject.toml",
                f"[project.optional-dependencies] {extra}",
                _names(lines),
                f"pip install -e '.[{extra}]'",
            )
    for group, lines in (data.get("dependency-groups") or {}).items():
        yield Declaration(
            "pyproject.toml",
            f"[dependency-groups] {group}",
            _names(lines),
            f"pip install --group {group}",
        )
    poetry = (data.get("tool") or {}).get("poetry") or {}
    if isinstance(poetry, dict):
        if "dependencies" in poetry:
            yield Declaration(
                "pyproject.toml",
                "[tool.poetry.dependencies]",
                _names(poetry["dependencies"]),
                "poetry install",
            )
        for group, table in (poetry.get("group") or {}).items():
            if isinstance(table, dict):
                yield Declaration(
                    "pyproject.toml",
                    f"[tool.poetry.group.{group}.dependencies]",
                    _names(table.get("dependencies") or {}),
                    f"poetry install --with {group}",
                )


def _requirements(rootdir: Path) -> Iterator[Declaration]:
    files = sorted(rootdir.glob("requirements*.txt")) + sorted(rootdir.glob("requirements/*.txt"))
    for path in files:
        rel = path.relative_to(rootdir).as_posix()
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        yield Declaration(rel, "", _names(text), f"pip install -r {rel}")


def _ini_files(rootdir: Path) -> Iterator[Declaration]:
    for filename in ("setup.cfg", "tox.ini"):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(rootdir / filename, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        for section in parser.sections():
            if filename == "setup.cfg" and section == "options":
                value = parser.get(section, "install_requires", fallback=None)
                if value is not None:
                    yield Declaration(
                        filename, "[options] install_requires", _names(value), "pip install -e ."
                    )
            elif filename == "setup.cfg" and section == "options.extras_require":
                for extra, value in parser.items(section):
                    yield Declaration(
                        filename,
                        f"[options.extras_require] {extra}",
                        _names(value),
                        f"pip install -e '.[{extra}]'",
                    )
            elif filename == "tox.ini" and (section == "testenv" or section.startswith("testenv:")):
                value = parser.get(section, "deps", fallback=None)
                if value is not None:
                    yield Declaration(filename, f"[{section}] deps", _names(value), "tox -r")
