"""How often a flaky test makes ``pytest --autofix`` roll a correct fix back.

One project, made afresh for every run: a ``NameError`` the test suite's own table fixer fixes
(the engine tests' ``TableFixer``, 0.95, safe), and beside it a test that fails at random half
the time (``random.random() < 0.5``). A run whose rerun blames the fix for the flaky test's
failure rolls the correct fix back. Per run: whether the session saw the flaky test fail (then it
is not a passing test the fix could break), and the fix's status; in all: how many runs rolled
the fix back. ``--commit`` measures the package as committed there (extracted with
``git archive`` and first on ``PYTHONPATH``), to compare with an older engine.

    python benchmarks/bench_flaky.py [--runs 40] [--commit REV]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_tricks import install_code  # noqa: E402
from test_engine import FIXER_CONFTEST  # noqa: E402

AUTOFIX = ("--autofix", "--autofix-report=r.json")
TESTS = """\
    import random

    def one():
        return 1

    def test_flaky():
        assert random.random() < 0.5

    def test_x():
        assert onee() == 1
    """


def make(root: Path) -> None:
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    rules = {"onee": ("one", 0.95, True, [])}
    (root / "conftest.py").write_text(FIXER_CONFTEST.format(rules=repr(rules)))
    (root / "tests" / "test_f.py").write_text(textwrap.dedent(TESTS))


def run(root: Path, env: dict[str, str]) -> tuple[bool, str]:
    """(whether the session saw test_flaky fail, the status of the NameError's issue)."""
    subprocess.run(
        [*(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"), *AUTOFIX],
        cwd=root,
        env=env,
        capture_output=True,
        timeout=300,
    )
    report = json.loads((root / "r.json").read_text())
    flaky_failed = any("test_flaky" in t for i in report["issues"] for t in i["tests"])
    status = next(
        i["status"] for i in report["issues"] if i["message"] == "name 'onee' is not defined"
    )
    return flaky_failed, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--commit", help="measure the package as committed here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="autofix-bench-flaky-") as tmp:
        env = dict(os.environ)
        label = "the checkout"
        if args.commit:
            code = Path(tmp, "code")
            label = install_code(code, args.commit)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
        rolled = fixed = flaky_passed = 0
        for n in range(args.runs):
            flaky_failed, status = run_one(Path(tmp, f"p{n}"), env)
            flaky_passed += not flaky_failed
            rolled += status == "rolled-back"
            fixed += status == "fixed"
        print(
            f"{label}: {args.runs} runs; the flaky test passed in the session in {flaky_passed}; "
            f"the correct fix rolled back in {rolled}, fixed and kept in {fixed}"
        )
    return 0


def run_one(root: Path, env: dict[str, str]) -> tuple[bool, str]:
    make(root)
    return run(root, env)


if __name__ == "__main__":
    sys.exit(main())
