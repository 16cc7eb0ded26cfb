"""Planning spread over the cores with fork: the same results as one process, or one process.

Every test runs its scenario in a fresh interpreter: a pytest-xdist worker (how this suite runs)
has execnet's threads, and :func:`forked.usable` rightly refuses to fork there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_autofix.forked import SERIAL_ENV

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2,
    reason="forks only on Linux, and needs two cores to fork at all",
)


def run(code: str, tmp_path: Path, **env: str) -> Any:
    """Run ``code`` (its last line prints JSON) in a fresh interpreter; return that JSON."""
    script = tmp_path / "scenario.py"
    script.write_text(textwrap.dedent(code))
    environ = {k: v for k, v in os.environ.items() if k != SERIAL_ENV} | env
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


SPREAD = """
    import json, os, sys, threading, time
    from pytest_autofix import forked

    def compute(item):
        return (item * item, os.getpid())

    if sys.argv[1:] == ["thread"]:
        stop = threading.Event()
        threading.Thread(target=stop.wait).start()
    least = 67 if sys.argv[1:] == ["small"] else 66  # the weights add up to 66
    results = forked.spread(list(range(12)), compute, lambda item: item, least=least)
    if sys.argv[1:] == ["thread"]:
        stop.set()
    print(json.dumps({"parent": os.getpid(), "usable": forked.usable(), "results": results}))
"""


def test_spread_gives_the_plain_loop_results_from_several_processes(tmp_path: Path) -> None:
    out = run(SPREAD, tmp_path)
    assert [square for square, _ in out["results"]] == [i * i for i in range(12)]
    pids = {pid for _, pid in out["results"]}
    assert out["parent"] in pids and len(pids) >= 2
    assert out["usable"] is True


@pytest.mark.parametrize("why", ["thread", "env", "small"])
def test_spread_stays_in_one_process_when_forking_is_not_safe_or_not_worth_it(
    tmp_path: Path, why: str
) -> None:
    code = SPREAD.replace("sys.argv[1:]", "[" + repr(why) + "]") if why != "env" else SPREAD
    out = run(code, tmp_path, **({SERIAL_ENV: "1"} if why == "env" else {}))
    assert [square for square, _ in out["results"]] == [i * i for i in range(12)]
    assert {pid for _, pid in out["results"]} == {out["parent"]}


def test_items_of_a_worker_that_dies_are_computed_here(tmp_path: Path) -> None:
    out = run(
        """
        import json, os, signal
        from pytest_autofix import forked

        PARENT = os.getpid()

        def compute(item):
            if os.getpid() != PARENT:
                os.kill(os.getpid(), signal.SIGKILL)
            return item + 1

        results = forked.spread(list(range(6)), compute, lambda item: 1, least=0)
        try:
            os.waitpid(-1, os.WNOHANG)
            left = True
        except ChildProcessError:
            left = False
        print(json.dumps({"results": results, "children left": left}))
        """,
        tmp_path,
    )
    assert out == {"results": [1, 2, 3, 4, 5, 6], "children left": False}


def test_an_error_here_stops_the_workers_and_propagates(tmp_path: Path) -> None:
    out = run(
        """
        import json, os, time
        from pytest_autofix import forked

        PARENT = os.getpid()

        def compute(item):
            if os.getpid() == PARENT:
                raise LookupError(item)
            time.sleep(60)  # a worker that would outlive the error

        start = time.monotonic()
        try:
            forked.spread([1, 2], compute, lambda item: 1, least=0)
        except LookupError as exc:
            error = repr(exc)
        try:
            os.waitpid(-1, os.WNOHANG)
            left = True
        except ChildProcessError:
            left = False
        print(json.dumps([error, left, time.monotonic() - start < 30]))
        """,
        tmp_path,
    )
    assert out == [out[0], False, True] and out[0].startswith("LookupError(")


def test_a_worker_writes_nothing_and_flushes_nothing_of_ours(tmp_path: Path) -> None:
    """What the parent had buffered but not flushed appears once; what a worker prints, never."""
    script = tmp_path / "scenario.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, sys
            from pytest_autofix import forked

            PARENT = os.getpid()
            sys.stdout.write("buffered before\\n")  # a pipe: block-buffered, not yet written

            def compute(item):
                if os.getpid() != PARENT:
                    print("from a worker")
                    print("from a worker", file=sys.stderr)
                    sys.stdout.flush()
                return item

            assert forked.spread([1, 2, 3, 4], compute, lambda item: item, least=0) == [1, 2, 3, 4]
            print("done")
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout == "buffered before\ndone\n"
    assert done.stderr == ""


PLAN = """
    import json, os, sys
    from pathlib import Path
    import libcst
    from pytest_autofix.model import FileEdit, Fix
    from pytest_autofix.engine.plan import Candidate, build

    root = Path.cwd() / "project"
    seen = Path.cwd() / "seen"
    seen.mkdir()

    class Rename(libcst.CSTTransformer):
        def __init__(self, old, new):
            super().__init__()
            self.old, self.new = old, new

        def leave_Name(self, original_node, updated_node):
            if updated_node.value != self.old:
                return updated_node
            return updated_node.with_changes(value=self.new)

    def rename(old, new, rel):
        def transform(module):
            (seen / f"{rel}-{old}").write_text(str(os.getpid()))  # where it ran (a test's probe)
            if old == "boom":
                raise RuntimeError("the fixer's transform failed")
            return module.visit(Rename(old, new))
        return transform

    def cand(key, confidence, *edits):
        return Candidate(key, key, "fixer." + key, Fix("fix " + key, confidence, list(edits)))

    files = [f"m{i}.py" for i in range(8)]
    cands = [
        cand(f"r{i}", 0.9, FileEdit(rel, rename("value", f"value_{i}", rel)))
        for i, rel in enumerate(files)
    ]
    cands += [
        cand("clash", 0.8, FileEdit("m0.py", rename("value", "other", "m0.py"))),
        cand("dup", 0.85, FileEdit("m1.py", rename("a", "b", "m1.py"))),
        cand("raise", 0.9, FileEdit("m2.py", rename("boom", "x", "m2.py"))),
        cand("broken", 0.9, FileEdit("broken.py", rename("x", "y", "broken.py"))),
        cand("new", 0.9, FileEdit.create("pkg/__init__.py", "from . import m\\n")),
        cand("bad-new", 0.9, FileEdit.create("pkg/bad.py", "def (:\\n")),
        cand("missing", 0.9, FileEdit("gone.py", rename("x", "y", "gone.py"))),
    ]
    plan = build(cands, rootdir=root, read=lambda p: p.read_bytes() if p.exists() else None)
    print(json.dumps({
        "files": {fp.rel: fp.new.decode() for fp in plan.files.values()},
        "applied": [c.key for c in plan.applied],
        "deferred": [(c.key, why) for c, why in plan.deferred],
        "dropped": [(c.key, why) for c, why in plan.dropped],
        "diffs": plan.diffs,
        "patch": plan.patch(),
        "parent": os.getpid(),
        "ran in": sorted({p.read_text() for p in seen.iterdir()}),
    }))
"""


def _project(root: Path) -> None:
    for i in range(8):
        body = "".join(f"def f{j}(a, b):\n    return value + a + b + {j}\n\n\n" for j in range(60))
        (root / "project" / f"m{i}.py").parent.mkdir(parents=True, exist_ok=True)
        (root / "project" / f"m{i}.py").write_text(f"value = {i}\n\n\n{body}")
    (root / "project" / "broken.py").write_text("def broken(:\n")


def test_a_plan_built_on_several_cores_is_the_plan_built_on_one(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    _project(tmp_path / "one")
    _project(tmp_path / "many")
    one = run(PLAN, tmp_path / "one", **{SERIAL_ENV: "1"})
    many = run(PLAN, tmp_path / "many")

    assert one["ran in"] == [str(one["parent"])]
    assert len(many["ran in"]) >= 2 and str(many["parent"]) in many["ran in"]
    for key in ("files", "applied", "deferred", "dropped", "diffs", "patch"):
        assert many[key] == one[key], key
    dropped = dict(one["dropped"])
    assert (
        dropped["raise"] == "transform of m2.py raised RuntimeError: the fixer's transform failed"
    )
    assert dropped["broken"].startswith("cannot parse broken.py")
    assert dropped["bad-new"].startswith("result does not compile: SyntaxError")
    assert dropped["missing"] == "gone.py does not exist"
    assert dict(one["deferred"]) == {"clash": "conflicts with fixer.r0: fix r0"}
    assert "dup" in dropped  # renames nothing: changes nothing
    assert sorted(one["applied"]) == sorted([f"r{i}" for i in range(8)] + ["new"])
    assert one["files"]["m3.py"].startswith("value_3 = 3\n")
