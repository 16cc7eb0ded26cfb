"""The environment fixers end to end: ``pytest --autofix`` in a subprocess on broken projects.

Network: only loopback addresses, and only a port nothing listens on (refused at once).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import socket
import textwrap
from pathlib import Path
from typing import Any

import pytest
from autofix_testing import snapshot

EXAMPLE = Path(__file__).parent.parent / "examples" / "environment"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def report(pytester: pytest.Pytester) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / "r.json").read_text("utf-8"))
    return data


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed: connecting to it is refused


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "WAREHOUSE_API_TOKEN", "E2E_TOKEN"):
        monkeypatch.delenv(name, raising=False)


MODULES = {
    "pyproject.toml": """\
        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["."]
        """,
    "store/__init__.py": "from store.base import Store\n",
    "store/base.py": """\
        import collections


        class Store(collections.MutableMapping):
            def __init__(self):
                self._d = {}

            def __getitem__(self, k):
                return self._d[k]

            def __setitem__(self, k, v):
                self._d[k] = v

            def __delitem__(self, k):
                del self._d[k]

            def __iter__(self):
                return iter(self._d)

            def __len__(self):
                return len(self._d)
        """,
    "store/checks.py": """\
        import collections as c


        def is_store(x):
            return isinstance(x, c.MutableMapping)
        """,
    "store/merge.py": """\
        from collections import MutableMapping, OrderedDict


        def merge(a, b):
            assert isinstance(a, MutableMapping)
            out = OrderedDict(a)
            out.update(b)
            return out
        """,
    "store/views.py": """\
        import collections


        def keys(x):
            if isinstance(x, collections.MutableMapping):
                return sorted(x)
            return []
        """,
    "tests/data/rows.txt": "3\n",
    "tests/test_store.py": """\
        from store import Store
        from store.checks import is_store
        from store.merge import merge
        from store.views import keys


        def test_store():
            s = Store()
            s["a"] = 1
            assert is_store(s) and keys(s) == ["a"]


        def test_merge():
            assert merge({"a": 1}, {"b": 2}) == {"a": 1, "b": 2}
        """,
    "tests/test_rows.py": """\
        from pathlib import Path


        def test_rows():
            assert Path("data/rows.txt").read_text() == "3\\n"
        """,
}


def test_one_fix_for_every_module_and_the_relative_path(
    pytester: pytest.Pytester, clean_env: None
) -> None:
    write(pytester.path, MODULES)
    before = snapshot(pytester.path)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json")
    data = report(pytester)
    statuses = {i["code"]: i["status"] for i in data["issues"]}
    assert statuses == {
        "environment.removed-api": "fixed",
        "environment.file-not-found": "fixed",
    }, result.stdout.str()
    (removed,) = [i for i in data["issues"] if i["code"] == "environment.removed-api"]
    assert len(removed["fixes"]) == 1
    assert sorted(removed["fixes"][0]["files"]) == [
        "store/base.py",
        "store/checks.py",
        "store/merge.py",
        "store/views.py",
    ]
    assert result.ret == 0
    after = snapshot(pytester.path)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {
        "store/base.py",
        "store/checks.py",
        "store/merge.py",
        "store/views.py",
        "tests/test_rows.py",
    }
    assert b'Path(Path(__file__).parent / "data/rows.txt")' in after["tests/test_rows.py"]
    assert b"from collections import OrderedDict\n" in after["store/merge.py"]
    pytester.runpytest_subprocess("-p", "no:autofix").assert_outcomes(passed=3)


@pytest.mark.parametrize("xdist", [["-n", "2"]], ids=["xdist"])
def test_env_var_and_service_are_suggestions_only(
    pytester: pytest.Pytester, clean_env: None, xdist: list[str]
) -> None:
    pytest.importorskip("xdist")
    port = free_loopback_port()
    write(
        pytester.path,
        {
            "tox.ini": "[testenv]\ncommands = pytest\n\n[pytest]\npythonpath = .\n",
            "client.py": f"""\
                import os
                import socket

                PORT = {port}


                def token():
                    return os.environ["E2E_TOKEN"]


                def ping():
                    with socket.create_connection(("127.0.0.1", PORT), timeout=1):
                        return True
                """,
            "test_client.py": """\
                import client


                def test_token():
                    assert client.token()


                def test_ping():
                    assert client.ping()
                """,
        },
    )
    before = snapshot(pytester.path)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json", *xdist)
    data = report(pytester)
    by_code = {i["code"]: i for i in data["issues"]}
    assert {c: i["status"] for c, i in by_code.items()} == {
        "environment.missing-env-var": "suggested",
        "environment.service-unavailable": "suggested",
    }, result.stdout.str()
    env_fix = by_code["environment.missing-env-var"]["fixes"][0]
    assert "E2E_TOKEN" in env_fix["description"] and "client.py:8" in env_fix["description"]
    assert "setenv" in env_fix["description"] and not env_fix["files"]
    service_fix = by_code["environment.service-unavailable"]["fixes"][0]
    assert f"127.0.0.1:{port}" in service_fix["description"]
    assert "test_client.py::test_ping" in service_fix["description"]
    assert snapshot(pytester.path) == before
    assert result.ret == 1


EXAMPLE_STATUSES = {
    ("environment.removed-api", "collections.MutableMapping"): "fixed",
    ("environment.removed-api", "configparser.SafeConfigParser"): "fixed",
    ("environment.removed-api", "unittest.TestCase.assertEquals"): "fixed",
    ("environment.file-not-found", ""): "fixed",
    ("environment.missing-env-var", ""): "suggested",
    ("environment.service-unavailable", ""): "suggested",
}


def test_examples_environment(pytester: pytest.Pytester, clean_env: None) -> None:
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True)
    result = pytester.runpytest_subprocess(
        "--autofix", "-p", "no:cacheprovider", "--autofix-report=r.json"
    )
    data = report(pytester)
    statuses = {}
    for issue in data["issues"]:
        api = issue["message"].split(" ")[0] if issue["code"] == "environment.removed-api" else ""
        statuses[(issue["code"], api)] = issue["status"]
    assert statuses == EXAMPLE_STATUSES, result.stdout.str()
    assert data["summary"]["fixed"] == 4 and data["summary"]["suggested"] == 2
    assert result.ret == 1  # the token and the service still need a person
    text = (pytester.path / "warehouse" / "ledger.py").read_text()
    assert "collections.abc.MutableMapping" in text


NUMPY_PROJECT = {
    "pyproject.toml": """\
        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["."]
        """,
    "stats/__init__.py": "",
    "stats/summary.py": """\
        import numpy as np


        def total(values):
            return np.product(np.asarray(values, dtype=np.float_))


        def missing():
            return np.NaN
        """,
    "stats/clean.py": """\
        import numpy


        def fill(values):
            arr = numpy.asarray(values, dtype=numpy.float_)
            arr[numpy.isnan(arr)] = 0.0
            return arr
        """,
    "stats/untouched.py": """\
        import numpy as np


        def mean(values):
            return float(np.mean(values))
        """,
    "tests/test_stats.py": """\
        import math

        from stats.clean import fill
        from stats.summary import missing, total
        from stats.untouched import mean


        def test_total():
            assert total([2, 3, 4]) == 24.0


        def test_missing():
            assert math.isnan(missing())


        def test_fill():
            assert list(fill([1.0, float("nan")])) == [1.0, 0.0]


        def test_mean():
            assert mean([1, 3]) == 2.0
        """,
}


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_numpy2_removals_across_modules_repaired_in_one_run(
    pytester: pytest.Pytester, clean_env: None, xdist: list[str]
) -> None:
    """A real NumPy 2 install: np.product, np.float_ (two spellings of the import) and np.NaN
    in two modules are repaired by one run, verified, and nothing else changes."""
    try:  # not imported here: pytester unloads modules between tests, NumPy cannot reload
        numpy_version = importlib.metadata.version("numpy")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("NumPy is not installed (it is in the test extra)")
    if int(numpy_version.split(".")[0]) < 2:
        pytest.skip(f"needs NumPy 2, found {numpy_version}")
    write(pytester.path, NUMPY_PROJECT)
    before = snapshot(pytester.path)
    result = pytester.runpytest_subprocess("--autofix", "--autofix-report=r.json", *xdist)
    data = report(pytester)
    assert result.ret == 0, result.stdout.str()
    assert {i["status"] for i in data["issues"]} == {"fixed"}, data["issues"]
    after = snapshot(pytester.path)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {"stats/summary.py", "stats/clean.py"}  # nothing unrelated
    summary = after["stats/summary.py"].decode()
    assert "np.prod(np.asarray(values, dtype=np.float64))" in summary
    assert "return np.nan" in summary
    assert "numpy.asarray(values, dtype=numpy.float64)" in after["stats/clean.py"].decode()
    plain = pytester.runpytest_subprocess("-p", "no:autofix")
    plain.assert_outcomes(passed=4)


def test_a_path_written_for_the_root_run_from_the_tests_directory(
    pytester: pytest.Pytester, clean_env: None
) -> None:
    # it passes from the rootdir; run from tests/ it does not find its file
    write(
        pytester.path,
        {
            "tests/data/rows.txt": "3\n",
            "tests/test_rows.py": """\
                def test_rows():
                    with open("tests/data/rows.txt") as f:
                        assert f.read() == "3\\n"
                """,
        },
    )
    pytester.makeini("[pytest]\n")
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.chdir(pytester.path / "tests")
    try:
        result = pytester.runpytest_subprocess("--autofix", "--autofix-report=../r.json")
    finally:
        monkeypatch.undo()
    data = report(pytester)
    assert [(i["code"], i["status"]) for i in data["issues"]] == [
        ("environment.file-not-found", "fixed")
    ], result.stdout.str()
    text = (pytester.path / "tests/test_rows.py").read_text()
    assert 'open(os.path.join(os.path.dirname(__file__), "data/rows.txt"))' in text
    pytester.runpytest_subprocess("-p", "no:autofix").assert_outcomes(passed=1)


STAND_IN_PANDAS = {  # what the built-in pandas.tslib entry needs of an installed pandas
    "pandas/__init__.py": """\
        from pandas import errors


        class Timestamp(int):
            pass


        NaT = object()
        """,
    "pandas/errors.py": "class OutOfBoundsDatetime(ValueError):\n    pass\n",
}


def test_a_submodule_an_installed_package_lost_is_a_removed_api(
    pytester: pytest.Pytester, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``from pandas.tslib import NaT, Timestamp`` with a pandas that has no tslib (a stand-in
    installed outside the project: pandas is not in the test extra): ModuleNotFoundError, the
    catalogue's pandas.tslib entry migrates what it held, in every file, in one fix."""
    site = pytester.path.parent / f"{pytester.path.name}-site"
    write(site, STAND_IN_PANDAS)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    )
    write(
        pytester.path,
        {
            "when.py": "from pandas.tslib import Timestamp\n\nEPOCH = Timestamp(0)\n",
            "test_when.py": """\
                from pandas.tslib import NaT

                from when import EPOCH


                def test_when():
                    assert EPOCH == 0 and NaT is not None
                """,
        },
    )
    result = pytester.runpytest_subprocess(
        "--autofix", "--autofix-report=r.json", "-p", "no:cacheprovider"
    )
    (issue,) = report(pytester)["issues"]
    assert (issue["code"], issue["status"]) == ("environment.removed-api", "fixed"), (
        result.stdout.str()
    )
    assert sorted(issue["fixes"][0]["files"]) == ["test_when.py", "when.py"]
    assert (
        pytester.path / "when.py"
    ).read_text() == "import pandas\n\nEPOCH = pandas.Timestamp(0)\n"
    assert result.ret == 0  # the rerun passed: verified
