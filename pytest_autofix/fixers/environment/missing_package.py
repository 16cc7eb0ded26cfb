"""``environment.missing-package``: which distribution to install, and where to declare it.

Never an edit: installing is for a person (or their lock file) to do. The suggestion names the
distribution (``yaml`` is installed as PyYAML), the command, and the project file that declares
(or should declare) it.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.requirements import Declaration, declarations, normalize
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import Project

__all__ = [
    "DISTRIBUTIONS",
    "Declaration",
    "MissingPackage",
    "declarations",
    "installed_import_names",
    "known_distribution",
    "normalize",
]

# Import name -> the distribution that provides it, where the two differ (or where a common
# guess is wrong). Dotted keys are namespace packages: the longest matching prefix wins.
DISTRIBUTIONS: Mapping[str, str] = {
    "Bio": "biopython",
    "Crypto": "pycryptodome",
    "Cryptodome": "pycryptodomex",
    "MySQLdb": "mysqlclient",
    "OpenGL": "PyOpenGL",
    "OpenSSL": "pyOpenSSL",
    "PIL": "Pillow",
    "Xlib": "python-xlib",
    "attr": "attrs",
    "bs4": "beautifulsoup4",
    "cairo": "pycairo",
    "cv2": "opencv-python",
    "dateutil": "python-dateutil",
    "dbus": "dbus-python",
    "discord": "discord.py",
    "dns": "dnspython",
    "docx": "python-docx",
    "dotenv": "python-dotenv",
    "faiss": "faiss-cpu",
    "ffmpeg": "ffmpeg-python",
    "fitz": "PyMuPDF",
    "gi": "PyGObject",
    "git": "GitPython",
    "github": "PyGithub",
    "grpc": "grpcio",
    "google.cloud.bigquery": "google-cloud-bigquery",
    "google.cloud.storage": "google-cloud-storage",
    "google.protobuf": "protobuf",
    "googleapiclient": "google-api-python-client",
    "jose": "python-jose",
    "jwt": "PyJWT",
    "kafka": "kafka-python",
    "ldap": "python-ldap",
    "magic": "python-magic",
    "memcache": "python-memcached",
    "mpl_toolkits": "matplotlib",
    "multipart": "python-multipart",
    "nacl": "PyNaCl",
    "pkg_resources": "setuptools",
    "pptx": "python-pptx",
    "psycopg2": "psycopg2-binary",
    "pylab": "matplotlib",
    "pythoncom": "pywin32",
    "pywintypes": "pywin32",
    "ruamel": "ruamel.yaml",
    "serial": "pyserial",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "slugify": "python-slugify",
    "snappy": "python-snappy",
    "socks": "PySocks",
    "speech_recognition": "SpeechRecognition",
    "telegram": "python-telegram-bot",
    "umap": "umap-learn",
    "usb": "pyusb",
    "websocket": "websocket-client",
    "win32api": "pywin32",
    "win32com": "pywin32",
    "wx": "wxPython",
    "xdist": "pytest-xdist",
    "yaml": "PyYAML",
    "zmq": "pyzmq",
}


def known_distribution(module: str) -> str | None:
    """The distribution the table names for a module (longest dotted prefix), else None."""
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        found = DISTRIBUTIONS.get(".".join(parts[:i]))
        if found is not None:
            return found
    return None


@functools.cache
def _packages_distributions() -> Mapping[str, tuple[str, ...]]:
    try:
        found = importlib.metadata.packages_distributions()
    except Exception:  # broken metadata of some distribution: no hints, nothing else
        return {}
    return {name: tuple(dict.fromkeys(dists)) for name, dists in found.items()}


def installed_import_names() -> set[str]:
    """Top-level names that installed distributions provide (importable or not)."""
    return {n for n in _packages_distributions() if n.isidentifier() and not n.startswith("_")}


# -- the fixer -------------------------------------------------------------------------------


class MissingPackage:
    """Suggest the distribution that provides a missing top-level module; never edits.

    Also takes ``import.module-not-found`` for a "misspelled" module (one that looks like a
    standard-library or project module) when the project declares a distribution of that name
    or the table knows it: ``ujson`` is not a misspelling of ``json`` in a project that
    requires it.
    """

    name: str = "environment.missing-package"
    kinds: frozenset[IssueKind] = frozenset({IssueKind.ENVIRONMENT, IssueKind.IMPORT})
    codes: frozenset[str] = frozenset({"environment.missing-package", "import.module-not-found"})
    examples: tuple[Example, ...] = (
        Example(
            "an import name that is not its distribution's name (cv2, from opencv-python)",
            before="""\
                import cv2


                def test_image():
                    assert cv2
                """,
            after=None,
            code="environment.missing-package",
            confidence=0.9,
            description="install opencv-python",
        ),
        Example(
            "an import of a distribution that is not installed",
            before="""\
                import surely_not_installed_pkg


                def test_x():
                    assert surely_not_installed_pkg
                """,
            after=None,
            code="environment.missing-package",
            description="surely",
        ),
    )

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        module = str(issue.details.get("module") or issue.details.get("top_level") or "")
        top = str(issue.details.get("top_level") or module.partition(".")[0])
        if not top or not _takes(issue, project, module, top):
            return []
        installed = _packages_distributions().get(top, ())
        guess = _guess(module, top)
        found = declarations(project.rootdir)
        declared = [d for d in found if normalize(guess.distribution) in d.requirements]
        if not declared and guess.confidence < 0.9:
            alias = _declared_as(top, found)
            if alias is not None:
                guess, where = alias
                declared = [where]
        python = Path(sys.executable).name
        if installed:
            description = (
                f"{top!r} is provided by the installed {', '.join(installed)}, yet importing "
                f"{module!r} fails: reinstall or upgrade it (`{python} -m pip install -U "
                f"{installed[0]}`)"
            )
            return [Fix(description=description, confidence=0.6, edits=[])]
        install = f"`{python} -m pip install {guess.distribution}`"
        provides = f"install {guess.distribution} (provides {top!r}; {guess.evidence})"
        if declared:
            where = declared[0]
            section = f" ({where.section})" if where.section else ""
            description = (
                f"{provides}: {where.file}{section} declares it but this environment lacks it: "
                f"`{where.install}` (or {install})"
            )
            return [Fix(description=description, confidence=max(guess.confidence, 0.9), edits=[])]
        description = f"{provides}: {install}{_where_to_add(issue, project, found)}"
        return [Fix(description=description, confidence=guess.confidence, edits=[])]


def _takes(issue: Issue, project: Project, module: str, top: str) -> bool:
    """Whether the issue is this fixer's: a missing package, or a module taken for a
    misspelling that the project declares a distribution of (by the import name or the one
    the table gives): then it is not installed, not misspelled."""
    if issue.code == "environment.missing-package":
        return True
    if issue.code != "import.module-not-found" or issue.details.get("origin") != "misspelled":
        return False
    named = {normalize(top), normalize(known_distribution(module) or top)}
    return any(named & set(d.requirements) for d in declarations(project.rootdir))


@dataclasses.dataclass(frozen=True)
class _Guess:
    """The distribution to install for an import name, why we think so, and how sure."""

    distribution: str
    evidence: str
    confidence: float


def _guess(module: str, top: str) -> _Guess:
    """The distribution the table names, else the import name itself (a guess)."""
    distribution = known_distribution(module or top)
    if distribution is None:
        return _Guess(top.replace("_", "-"), "a guess from the name", 0.5)
    return _Guess(distribution, "the usual distribution for this import name", 0.9)


def _declared_as(top: str, found: list[Declaration]) -> tuple[_Guess, Declaration] | None:
    """The first requirement that names ``top`` the way distributions often do
    (``python-foo``, ``foo-python``, ``pyfoo``), and the declaration listing it: the project
    may declare it under that name."""
    for declaration in found:
        for requirement in declaration.requirements:
            if normalize(top) in (
                requirement.removeprefix("python-"),
                requirement.removesuffix("-python"),
                requirement.removeprefix("py"),
            ):
                return _Guess(requirement, "declared there", 0.8), declaration
    return None


def _where_to_add(issue: Issue, project: Project, found: list[Declaration]) -> str:
    """Where to declare an undeclared distribution ("" when the project has no place for
    it): the test requirements for a module only tests import, else the main ones."""
    test_only = _test_only(issue, project)
    target = _where_to_declare(found, test_only)
    if target is not None:
        section = f" under {target.section}" if target.section else ""
        return f", and declare it in {target.file}{section}"
    if (project.rootdir / "pyproject.toml").is_file():
        section = (
            "a test extra in [project.optional-dependencies]"
            if test_only
            else ("[project] dependencies")
        )
        return (
            f", and declare it in pyproject.toml under {section} (it declares no requirements yet)"
        )
    return ""


def _test_only(issue: Issue, project: Project) -> bool:
    """Whether only tests (test modules, conftest.py, files under a tests dir) import it."""
    locations = [loc for loc in issue.details.get("locations") or [] if isinstance(loc, dict)]
    paths = [p for p in [issue.path, *(loc.get("path") for loc in locations)] if p]
    if not paths:
        return False
    for path in paths:
        parts = Path(path).parts
        if not (
            project.is_test_module(Path(path).as_posix())
            or any(p in ("tests", "test", "testing") for p in parts[:-1])
        ):
            return False
    return True


def _where_to_declare(found: list[Declaration], test_only: bool) -> Declaration | None:
    if not found:
        return None
    if test_only:
        for declaration in found:
            if declaration.for_tests:
                return declaration
    for declaration in found:
        if not declaration.for_tests:
            return declaration
    return found[0]
