"""The real-world corpus runner (benchmarks/realworld): its scoring and its command line.

The corpus itself downloads sdists and takes minutes, so it is not part of this suite; here a
tiny package made inside the test stands for an sdist (put in the runner's cache, so nothing is
downloaded) and the current interpreter for the case's venv.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

REALWORLD = Path(__file__).resolve().parent.parent / "benchmarks" / "realworld"
sys.path.insert(0, str(REALWORLD))

import corpus  # noqa: E402
from corpus import Case, Outcomes  # noqa: E402


def _case(**kwargs: object) -> Case:
    fields: dict[str, object] = {
        "name": "pkg-shape",
        "dir": Path("."),
        "kind": "import",
        "origin": "injected",
        "package": "pkg",
        "version": "1.0",
        "summary": "s",
        "pytest_args": ("tests",),
        "targets": ("tests/test_a.py",),
    }
    fields.update(kwargs)
    return Case(**fields)  # type: ignore[arg-type]


# --- scoring ---------------------------------------------------------------------------------


def test_a_collector_target_is_fixed_when_it_collects() -> None:
    case = _case(targets=("tests/test_a.py",))
    before = Outcomes(
        tests={"tests/test_b.py::test_ok": "passed"},
        collect_errors={"tests/test_a.py": "ImportError"},
    )
    fixed = Outcomes(
        tests={"tests/test_a.py::test_x": "passed", "tests/test_b.py::test_ok": "passed"}
    )
    still = Outcomes(
        tests={"tests/test_b.py::test_ok": "passed"},
        collect_errors={"tests/test_a.py": "ImportError"},
    )
    assert corpus.score(case, before, fixed, {}, frozenset()).fixed == ("tests/test_a.py",)
    s = corpus.score(case, before, still, {}, frozenset())
    assert s.fixed == () and s.harmful == () and s.regressions == ()


def test_the_tests_a_collection_error_hid_count_for_its_target_not_as_regressions() -> None:
    case = _case(targets=("t.py", "u.py"), hidden=("u.py::test_h",))
    before = Outcomes(collect_errors={"t.py": "ImportError", "u.py": "ImportError"})
    after = Outcomes(
        tests={
            "t.py::test_1": "passed",
            "t.py::test_2": "failed",
            "u.py::test_h": "failed",
            "u.py::test_ok": "passed",
            "v.py::test_new": "failed",
        }
    )
    s = corpus.score(case, before, after, {}, frozenset())
    assert s.fixed == ("u.py",)  # t.py collects but a test it hid fails; u.py's is hidden
    assert s.regressions == ("v.py::test_new",)


def test_a_test_target_covers_its_parametrized_instances_and_the_other_way_round() -> None:
    case = _case(targets=("t.py::test_x", "t.py::test_y[1]"))
    before = Outcomes(
        tests={"t.py::test_x[1]": "failed", "t.py::test_x[2]": "failed", "t.py::test_y[1]": "error"}
    )
    after = Outcomes(
        tests={"t.py::test_x[1]": "passed", "t.py::test_x[2]": "failed", "t.py::test_y": "passed"}
    )
    s = corpus.score(case, before, after, {}, frozenset())
    assert s.fixed == ("t.py::test_y[1]",)
    assert s.regressions == ()  # test_x[2] is an instance of a target, not a regression
    assert s.harmful == ()


def test_regressions_harmful_and_unrelated_edits_are_counted() -> None:
    case = _case(targets=("t.py::test_a",), noise=("out/*",))
    before = Outcomes(
        tests={
            "t.py::test_a": "failed",
            "t.py::test_b": "passed",
            "t.py::test_c": "passed",
            "t.py::test_d": "passed",
            "t.py::test_e": "skipped",
        }
    )
    after = Outcomes(
        tests={
            "t.py::test_a": "skipped",
            "t.py::test_b": "failed",
            "t.py::test_d": "xfailed",
            "t.py::test_e": "skipped",
        }
    )
    changes = {
        "t.py": "M",
        "pkg/other.py": "M",
        "pkg/gone.py": "D",
        "out/log.txt": "A",
        "pkg/__pycache__/x.cpython-311.pyc": "A",
        "pkg.egg-info/PKG-INFO": "A",
    }
    s = corpus.score(case, before, after, changes, frozenset({"t.py"}))
    assert s.fixed == ()
    assert s.regressions == ("t.py::test_b",)
    # a skipped target, a test gone, a test turned xfail, a deleted file; test_e was skipped
    assert s.harmful == ("t.py::test_a", "t.py::test_c", "t.py::test_d", "deleted pkg/gone.py")
    assert s.unrelated == ("pkg/gone.py", "pkg/other.py")
    assert s.line() == "fixed 0 of 1 targets, regressions 1, harmful 4, unrelated 2"


def test_hidden_targets_count_and_a_run_that_never_started() -> None:
    case = _case(targets=(corpus.SESSION,), hidden=("t.py::test_h",))
    before = Outcomes(started=False, exitstatus=4)
    assert before.failing == frozenset({corpus.SESSION})
    after = Outcomes(tests={"t.py::test_h": "failed", "t.py::test_ok": "passed"})
    s = corpus.score(case, before, after, {}, frozenset())
    assert s.fixed == (corpus.SESSION,) and s.regressions == () and not s.perfect
    again = corpus.score(case, before, before, {}, frozenset())
    assert again.fixed == () and again.harmful == ()
    assert corpus.total([s, again]).line() == (
        "fixed 1 of 4 targets, regressions 0, harmful 0, unrelated 0"
    )


def test_the_recorder_records_each_test_by_its_worst_phase(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_mix="""
        import unittest
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError

        @pytest.fixture
        def bad_teardown():
            yield
            raise RuntimeError

        @pytest.mark.parametrize("x", [1, 2])
        def test_param(x):
            assert x == 1

        def test_setup(broken): pass
        def test_teardown(bad_teardown): pass
        @pytest.mark.xfail
        def test_xfail(): assert 0
        def test_skip(): pytest.skip("no")

        class TestSub(unittest.TestCase):
            def test_subskip(self):
                with self.subTest(i=1):
                    self.skipTest("one case")
                with self.subTest(i=2):
                    pass
            def test_subfail(self):
                with self.subTest(i=1):
                    self.assertEqual(1, 2)
        """,
        test_broken="import no_such_module\n",
    )
    results = pytester.path / "results.json"
    monkeypatch.setenv("PYTHONPATH", str(REALWORLD / "_plugins"))
    monkeypatch.setenv("AUTOFIX_REALWORLD_RESULTS", str(results))
    pytester.runpytest_subprocess("-p", "realworld_recorder", "--continue-on-collection-errors")
    outcomes = Outcomes.from_json(json.loads(results.read_text()))
    assert outcomes.tests == {
        "test_mix.py::test_param[1]": "passed",
        "test_mix.py::test_param[2]": "failed",
        "test_mix.py::test_setup": "error",
        "test_mix.py::test_teardown": "error",
        "test_mix.py::test_xfail": "xfailed",
        "test_mix.py::test_skip": "skipped",
        "test_mix.py::TestSub::test_subskip": "passed",
        "test_mix.py::TestSub::test_subfail": "failed",
    }
    assert list(outcomes.collect_errors) == ["test_broken.py"]
    assert outcomes.failing == {
        "test_mix.py::test_param[2]",
        "test_mix.py::test_setup",
        "test_mix.py::test_teardown",
        "test_mix.py::TestSub::test_subfail",
        "test_broken.py",
    }


def test_patch_files_reads_both_sides_of_a_rename() -> None:
    patch = "diff --git a/pkg/old.py b/pkg/new.py\nsimilarity index 90%\n"
    patch += "diff --git a/t.py b/t.py\n--- a/t.py\n+++ b/t.py\n"
    assert corpus.patch_files(patch) == {"pkg/old.py", "pkg/new.py", "t.py"}


_TOML = (
    'kind = "imports"\norigin = "natural"\npackage = "p"\nversion = "1"\nsummary = "s"\n'
    'pytest_args = []\ntargets = ["t.py"]\n'
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('kind = "import"\n', "missing origin"),
        (_TOML, "kind must be one of"),
        (_TOML.replace('"imports"', '"import"') + "colour = 1\n", "unknown key(s) colour"),
        (
            _TOML.replace('"imports"', '"import"').replace("[]", '["-p", "no:cacheprovider"]'),
            "keep it on",
        ),
        ("kind = [", "case.toml"),
    ],
)
def test_a_bad_case_toml_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "case.toml").write_text(text)
    with pytest.raises(corpus.CaseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        corpus.load_case(tmp_path)


def test_every_case_in_the_corpus_loads_and_names_a_distinct_recipe() -> None:
    cases = corpus.load_cases(REALWORLD / "cases")
    for case in cases:
        assert case.name == case.name.lower() and " " not in case.name
        assert case.expected.is_file(), f"{case.name}: no expected.patch"
        assert corpus.patch_files(case.expected.read_text()), f"{case.name}: empty patch"
        assert case.targets, f"{case.name}: no targets"
        assert list(case.targets) == sorted(case.targets), f"{case.name}: targets unsorted"
        assert case.verified, f"{case.name}: say what it was verified with"
        assert (case.origin == "injected") == (case.inject is not None), case.name


# --- the command line, on a tiny package -----------------------------------------------------

_PACKAGE = {
    "tinypkg-0.1/tiny/__init__.py": "",
    "tinypkg-0.1/tiny/prices.py": "def subtotal(xs):\n    return sum(xs)\n",
    "tinypkg-0.1/tests/test_prices.py": (
        "from tiny.pricing import subtotal\n\n\ndef test_subtotal():\n"
        "    assert subtotal([1, 2]) == 3\n"
    ),
    "tinypkg-0.1/tests/test_other.py": (
        "import pytest\n\n\n@pytest.mark.parametrize('x', [1, 2])\ndef test_ok(x):\n    assert x\n"
    ),
}
_EXPECTED = (
    "diff --git a/tests/test_prices.py b/tests/test_prices.py\n"
    "--- a/tests/test_prices.py\n"
    "+++ b/tests/test_prices.py\n"
    "@@ -1,4 +1,4 @@\n"
    "-from tiny.pricing import subtotal\n"
    "+from tiny.prices import subtotal\n"
    " \n"
    " \n"
    " def test_subtotal():\n"
)
_CASE = textwrap.dedent(
    """\
    kind = "import"
    origin = "natural"
    package = "tinypkg"
    version = "0.1"
    summary = "tiny.pricing renamed to tiny.prices, a test left behind"
    pytest_args = ["tests"]
    targets = ["tests/test_prices.py"]
    verified = "made by the test"
    """
)


def _corpus(tmp_path: Path, case: str = _CASE, expected: str = _EXPECTED) -> list[str]:
    """A cases dir with one case and a cache holding its 'sdist'; the runner's arguments."""
    sdists = tmp_path / "cache" / "sdists"
    sdists.mkdir(parents=True)
    with tarfile.open(sdists / "tinypkg-0.1.tar.gz", "w:gz") as tf:
        for name, text in _PACKAGE.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tf.addfile(info, io.BytesIO(text.encode()))
    folder = tmp_path / "cases" / "tinypkg-module-renamed"
    folder.mkdir(parents=True)
    (folder / "case.toml").write_text(case)
    (folder / "expected.patch").write_text(expected)
    return [
        sys.executable,
        str(REALWORLD / "run.py"),
        "--cases-dir",
        str(tmp_path / "cases"),
        "--cache",
        str(tmp_path / "cache"),
        "--python",
        sys.executable,
        "--index",
        "http://127.0.0.1:9/simple",
        "--work",
        str(tmp_path / "work"),
    ]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def test_list_prints_one_line_per_case(tmp_path: Path) -> None:
    proc = _run([*_corpus(tmp_path), "--list"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "tinypkg-module-renamed import natural tinypkg==0.1 1\n"


def test_check_expected_applies_the_patch_and_scores_it(tmp_path: Path) -> None:
    table = tmp_path / "table.md"
    proc = _run([*_corpus(tmp_path), "--check-expected", "--markdown", str(table)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        "tinypkg-module-renamed  fixed 1 of 1 targets, regressions 0, harmful 0, unrelated 0"
    )
    assert lines[-1] == "fixed 1 of 1 targets, regressions 0, harmful 0, unrelated 0"
    row = table.read_text().splitlines()[2]
    assert row.startswith(
        "| tinypkg-module-renamed | import | natural | tinypkg==0.1 | 1 | 1 | 0 | 0 | 0 |  |  | "
    )
    assert table.read_text().endswith(
        "- all (1 cases): fixed 1 of 1 targets, regressions 0, harmful 0, unrelated 0\n"
    )


def test_a_patch_that_fixes_nothing_fails_the_check(tmp_path: Path) -> None:
    wrong = _EXPECTED.replace("tiny.prices", "tiny.other")
    proc = _run([*_corpus(tmp_path, expected=wrong), "--check-expected"])
    assert proc.returncode == 1
    assert "fixed 0 of 1 targets, regressions 0, harmful 0, unrelated 0" in proc.stdout
    assert "not fixed: tests/test_prices.py" in proc.stdout


def test_a_baseline_that_differs_is_not_prepared_and_counts_as_not_fixed(tmp_path: Path) -> None:
    case = _CASE.replace(
        'targets = ["tests/test_prices.py"]',
        'targets = ["tests/test_other.py::test_ok", "tests/test_prices.py"]',
    )
    proc = _run([*_corpus(tmp_path, case=case), "--check-expected"])
    assert proc.returncode == 1
    assert (
        "not prepared: baseline differs from the recorded targets: 1 recorded but not "
        "failing ['tests/test_other.py::test_ok']" in proc.stdout
    )
    assert proc.stdout.splitlines()[-1].startswith("fixed 0 of 2 targets")


def test_a_missing_sdist_says_why(tmp_path: Path) -> None:
    args = _corpus(tmp_path)
    (tmp_path / "cache" / "sdists" / "tinypkg-0.1.tar.gz").unlink()
    proc = _run([*args, "--check-expected"])
    assert proc.returncode == 1
    assert "tinypkg-module-renamed  not prepared: no sdist of tinypkg==0.1" in proc.stdout


def test_observe_prints_the_failing_ids_and_keeps_the_tree(tmp_path: Path) -> None:
    proc = _run([*_corpus(tmp_path), "--observe"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'targets = [\n  "tests/test_prices.py",\n]' in proc.stdout
    assert "No module named 'tiny.pricing'" in proc.stdout
    tree = Path(proc.stdout.split("# tree (git root, pristine commit): ")[1].splitlines()[0])
    assert (tree / "tests" / "test_prices.py").is_file() and (tree / ".git").is_dir()
    assert tree.is_relative_to(tmp_path / "work")


def test_an_injected_case_runs_its_script_with_the_shared_edits(tmp_path: Path) -> None:
    args = _corpus(tmp_path)
    script = tmp_path / "cases" / "tinypkg-module-renamed" / "inject.py"
    script.write_text(
        "from injecting import replace\n\n"
        "replace('tests/test_other.py', 'assert x\\n', 'assert x == 1\\n')\n"
    )
    proc = _run([*args, "--observe"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        'targets = [\n  "tests/test_other.py::test_ok[2]",\n  "tests/test_prices.py",\n]'
        in proc.stdout
    )
    script.write_text(
        "from injecting import replace\n\nreplace('tests/test_other.py', 'qq', 'z')\n"
    )
    proc = _run([*args, "--check-expected"])
    assert proc.returncode == 1
    assert "not prepared: inject.py failed (1)" in proc.stdout
    assert "inject: expected 1 of 'qq' in tests/test_other.py, found 0" in proc.stdout


@pytest.mark.slow
def test_the_plugin_run_is_scored_and_reported_in_json(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    proc = _run([*_corpus(tmp_path), "--json", str(out)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, plugin = proc.stdout.splitlines()[:2]
    assert first.startswith(
        "tinypkg-module-renamed  fixed 1 of 1 targets, regressions 0, harmful 0, unrelated 0  (fix "
    )
    assert plugin == "    plugin: 1 issues in 1 failures: 1 fixed; exit 0"
    data = json.loads(out.read_text())
    assert data["total"] == {
        "targets": 1,
        "fixed": 1,
        "regressions": 0,
        "harmful": 0,
        "unrelated": 0,
    }
    assert data["cases"][0]["plugin"]["issues"][0]["status"] == "fixed"
    assert set(data["cases"][0]["times"]) == {"before", "fix", "after"}
