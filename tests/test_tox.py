"""tox: a failure inside the project's own package, installed into a tox environment.

With tox's default packaging the project is built and installed into ``.tox/<env>/.../
site-packages``, so tracebacks point there. Autofix maps those frames back to the source in the
rootdir, edits the source, makes the verification rerun import the source (``PYTHONPATH``) and
never touches the environment. With ``package = editable`` the frames are in the rootdir anyway.

The real tox runs need the package registry once per session, to fill a wheelhouse with the
plugin (a wheel of this checkout) and its dependencies; the tox environments install from it
with ``PIP_NO_INDEX``.
"""

from __future__ import annotations

import configparser
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_autofix.engine.warm import source_first
from pytest_autofix.worker import sourcemap
from pytest_autofix.worker.capture import capture, project_path

REPO = Path(__file__).resolve().parent.parent

CART = "from .pricing import total\n\n\ndef checkout(items):\n    return total(items)\n"
PRICES = "def total(items):\n    return sum(price for _, price in items)\n"
TEST = (
    "from shop.cart import checkout\n\n\n"
    "def test_checkout():\n"
    '    assert checkout([("tea", 2.0), ("cake", 3.5)]) == 5.5\n'
)


def example(root: Path, *, layout: str, package: str, wheel: Path) -> Path:
    """The example project: ``shop/cart.py`` imports ``.pricing``, renamed to ``prices.py``."""
    src = root / ("src" if layout == "src" else ".") / "shop"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "prices.py").write_text(PRICES)
    (src / "cart.py").write_text(CART)
    (root / "tests").mkdir()
    (root / "tests" / "test_cart.py").write_text(TEST)
    where = '\n[tool.setuptools.packages.find]\nwhere = ["src"]\n' if layout == "src" else ""
    flat = '\n[tool.setuptools]\npackages = ["shop"]\n' if layout == "flat" else ""
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "shop"
            version = "1.0"

            [tool.pytest.ini_options]
            testpaths = ["tests"]
            """
        )
        + where
        + flat
    )
    (root / "tox.ini").write_text(
        textwrap.dedent(
            f"""\
            [tox]
            env_list = py

            [testenv]
            {"package = editable" if package == "editable" else ""}
            deps = {wheel}
            commands = pytest --autofix {{posargs}}
            """
        )
    )
    return src


def tox(
    root: Path, *args: str, wheelhouse: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m tox ARGS`` in ``root``, installing from the wheelhouse only, with nothing of
    the outer session's environment (GitHub's variables only from ``extra_env``)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOX_", "PYTEST_", "VIRTUAL_ENV", "_TOX", "PIP_", "GITHUB_"))
        and k not in ("PYTHONPATH", "COV_CORE_SOURCE")
    }
    env.update(PY_COLORS="0", PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse))
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "tox", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def site_packages(root: Path) -> Path:
    found = sorted((root / ".tox" / "py").glob("lib/python3*/site-packages"))
    assert found, f"no site-packages under {root / '.tox' / 'py'}"
    return found[0]


def tree_hash(base: Path) -> str:
    """Every file's path and bytes under ``base`` (byte-code caches aside)."""
    digest = hashlib.sha256()
    for path in sorted(base.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("layout", "package"),
    [("src", "default"), ("flat", "default"), ("src", "editable")],
    ids=["src-installed", "flat-installed", "src-editable"],
)
def test_tox_env_failure_in_the_package_is_fixed_in_the_source(
    tmp_path: Path, wheelhouse: Path, autofix_wheel: Path, layout: str, package: str
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    src = example(root, layout=layout, package=package, wheel=autofix_wheel)
    setup = tox(root, "-e", "py", "--notest", wheelhouse=wheelhouse)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    site = site_packages(root)
    installed = site / "shop" / "cart.py"
    assert installed.is_file() == (package == "default")
    before = tree_hash(site)

    report_arg = f"--autofix-report={root}/r.json"
    run = tox(root, "-e", "py", "--skip-pkg-install", "--", report_arg, wheelhouse=wheelhouse)
    output = run.stdout + run.stderr
    assert (root / "r.json").exists(), output
    report = json.loads((root / "r.json").read_text())
    rel = (src / "cart.py").relative_to(root).as_posix()
    [issue] = report["issues"]
    assert issue["code"] == "import.module-not-found", output
    assert (issue["status"], issue["path"]) == ("fixed", rel), output
    assert issue["fixes"][0]["files"] == [rel]
    assert report["exit_status"] == 0 and run.returncode == 0, output
    assert report["rerun"]["passed"] == 1 and report["rerun"]["failed"] == 0
    assert (src / "cart.py").read_text() == CART.replace(".pricing", ".prices")
    if package == "default":
        assert f".tox/py/lib/python3.{sys.version_info[1]}/site-packages/shop/cart.py" in output
        assert installed.read_text() == CART  # the environment's copy is untouched
    assert tree_hash(site) == before


# -- the mapping itself, without tox --------------------------------------------------------


def _forget() -> None:
    for name in [m for m in sys.modules if m.partition(".")[0] == "tshop_af"]:
        del sys.modules[name]


@pytest.fixture
def installed_copy(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A rootdir with ``src/tshop_af`` and a site-packages holding a built copy of it."""
    root = tmp_path / "root"
    site = tmp_path / "env" / "lib" / "python3.11" / "site-packages"
    for base in (root / "src", site):
        (base / "tshop_af").mkdir(parents=True)
        (base / "tshop_af" / "__init__.py").write_text("")
        (base / "tshop_af" / "cart.py").write_text(CART)
    _forget()
    yield root, site
    _forget()


def test_installed_frames_map_to_identical_or_corresponding_source(
    installed_copy: tuple[Path, Path],
) -> None:
    root, site = installed_copy
    copy = site / "tshop_af" / "cart.py"
    assert sourcemap.installed_relpath(copy) == "tshop_af/cart.py"
    assert project_path(copy, root) == "src/tshop_af/cart.py"  # identical bytes
    # the source was edited after the install: same line at that line number still maps
    (root / "src" / "tshop_af" / "cart.py").write_text(CART + "\n\nEXTRA = 1\n")
    assert project_path(copy, root, 4) == "src/tshop_af/cart.py"
    assert project_path(copy, root) is None  # no line to compare: bytes differ
    (root / "src" / "tshop_af" / "cart.py").write_text("import os\n" + CART)
    assert project_path(copy, root, 1) is None  # line 1 differs: not the same file
    assert project_path(site / "other" / "x.py", root) is None
    assert project_path("<frozen os>", root) is None


def test_capture_names_the_source_and_keeps_the_installed_copy(
    installed_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, site = installed_copy
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(ImportError) as excinfo:
        importlib.import_module("tshop_af.cart")
    facts = capture(excinfo, rootdir=root, when="collect")
    assert facts["frame"]["path"] == "src/tshop_af/cart.py"
    assert facts["frame"]["line"] == 1
    assert facts["frame"]["source"] == "from .pricing import total"
    assert facts["installed_copies"] == {"src/tshop_af/cart.py": str(site / "tshop_af/cart.py")}
    assert facts["origin"] == "project"  # the package is the project's, though installed
    assert "installed_from" not in facts["frame"]


def test_rerun_puts_a_shadowed_source_root_first(
    installed_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, site = installed_copy
    env = {"PYTHONPATH": "/elsewhere"}
    assert source_first(env, root) == []  # not importable here: nothing to shadow
    monkeypatch.syspath_prepend(str(site))
    assert source_first(env, root) == [(root / "src").resolve()]
    assert env["PYTHONPATH"] == os.pathsep.join([str((root / "src").resolve()), "/elsewhere"])
    # and PYTHONPATH really wins over an installed copy in a fresh interpreter, where site
    # directories (and their .pth files) are added after it
    code = f"import site; site.addsitedir({str(site)!r}); import tshop_af as m; print(m.__file__)"
    probe = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": env["PYTHONPATH"]},
        capture_output=True,
        text=True,
    )
    assert Path(probe.stdout.strip()) == (root / "src" / "tshop_af" / "__init__.py").resolve()


# -- the recipes ------------------------------------------------------------------------------


def test_this_projects_tox_ini_has_an_autofix_env() -> None:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(REPO / "tox.ini")
    commands = ini["testenv:autofix"]["commands"].strip()
    assert commands == "pytest -p autofix --autofix {posargs:tests/}"
    assert ini["testenv:autofix"]["extras"].strip() == "test"


def test_docs_tox_recipes_are_valid_ini_passing_posargs() -> None:
    text = (REPO / "docs" / "tox.md").read_text(encoding="utf-8")
    recipes = re.findall(r"```ini\n(.*?)```", text, re.S)
    assert recipes
    for recipe in recipes:
        ini = configparser.ConfigParser(interpolation=None)
        ini.read_string(recipe)
        env = ini["testenv:autofix"]
        assert "pytest-autofix" in env["deps"]
        assert env["commands"].strip() == "pytest --autofix {posargs:tests/}"
    commands = re.findall(r"^\$ (tox .*?)(?:\s+#.*)?$", text, re.M)
    assert any("-- --dry-run" in c and "--autofix-patch=" in c for c in commands), commands
    for command in commands:
        assert command.startswith("tox -e autofix"), command
