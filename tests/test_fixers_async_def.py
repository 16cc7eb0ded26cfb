"""Before/after examples of ``environment.async-def``: ``@asyncio.coroutine`` (removed in
Python 3.11) rewritten as ``async def`` with ``await`` where that is the same program.

The issue comes from a real pytest run on this Python (3.11, where the decorator is gone)."""

from __future__ import annotations

import pytest

from pytest_autofix.fixers.environment import NativeCoroutines
from pytest_autofix.model import Issue
from pytest_autofix.testing import assert_fix, issue_from_run

OLD = """\
    import asyncio


    @asyncio.coroutine
    def double(x):
        yield from asyncio.sleep(0)
        return 2 * x


    def test_double():
        assert asyncio.run(double(2)) == 4
    """


@pytest.fixture(scope="module")
def issue(tmp_path_factory: pytest.TempPathFactory) -> Issue:
    found = issue_from_run({"test_coro.py": OLD}, tmp_path_factory.mktemp("coro"))
    assert (found.code, found.details.get("api")) == (
        "environment.removed-api",
        "asyncio.coroutine",
    )
    return found


def fix(issue: Issue, before: str, after: str | None, **kwargs: object) -> None:
    assert_fix(
        NativeCoroutines(),
        issue,
        {"test_coro.py": before},
        None if after is None else {"test_coro.py": after},
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_failing_module(issue: Issue) -> None:
    after = """\
        import asyncio


        async def double(x):
            await asyncio.sleep(0)
            return 2 * x


        def test_double():
            assert asyncio.run(double(2)) == 4
        """
    fix(issue, OLD, after, confidence=0.9, safe=True)


def test_every_form(issue: Issue) -> None:
    before = """\
        import asyncio
        from asyncio import coroutine, sleep
        import functools


        class Client:
            @functools.lru_cache
            @coroutine
            def fetch(self, a, b):
                value = yield from self.get(a or b)
                total = (yield from sleep(0, result=1)) + 1

                def helper():
                    yield 1

                return value, total, list(helper())

            @asyncio.coroutine
            def get(self, key):
                return (yield from asyncio.sleep(0, result=key))
        """
    after = """\
        import asyncio
        from asyncio import sleep
        import functools


        class Client:
            @functools.lru_cache
            async def fetch(self, a, b):
                value = await self.get(a or b)
                total = (await sleep(0, result=1)) + 1

                def helper():
                    yield 1

                return value, total, list(helper())

            async def get(self, key):
                return (await asyncio.sleep(0, result=key))
        """
    fix(issue, before, after)


def test_the_operand_keeps_its_precedence(issue: Issue) -> None:
    before = """\
        import asyncio


        @asyncio.coroutine
        def first(a, b):
            return (yield from a or b)
        """
    after = """\
        import asyncio


        async def first(a, b):
            return (await (a or b))
        """
    fix(issue, before, after)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("    yield 1\n    yield from asyncio.sleep(0)\n", "also yields values"),
        ("    return asyncio.sleep(0)\n", "has no yield from"),
        (
            "    yield from asyncio.sleep(0)\n\n\ndef drive():\n    yield from work()\n",
            "yield from work() in a generator",
        ),
        ("    yield from asyncio.sleep(0)\n\n\nnext(work())\n", "next(work())"),
    ],
)
def test_not_the_same_program_is_left(issue: Issue, body: str, why: str) -> None:
    before = f"import asyncio\n\n\n@asyncio.coroutine\ndef work():\n{body}"
    result = assert_fix(NativeCoroutines(), issue, {"test_coro.py": before}, None, dedent=False)
    assert result.fix is not None and why in result.fix.description
    assert result.fix.confidence == 0.3


MARKED = """\
    import asyncio
    import functools


    def asynctest(f):
        f = asyncio.coroutine(f)

        @functools.wraps(f)
        def wrapper(*a):
            return asyncio.run(f(*a))

        return wrapper


    @asyncio.coroutine
    def work(x):
        yield from asyncio.sleep(0)
        return x


    @asynctest
    def test_work():
        assert (yield from work(1)) == 1
    """

MARKED_AFTER = """\
    import asyncio
    import functools


    def asynctest(f):
        @functools.wraps(f)
        def wrapper(*a):
            return asyncio.run(f(*a))

        return wrapper


    async def work(x):
        await asyncio.sleep(0)
        return x


    @asynctest
    async def test_work():
        assert (await work(1)) == 1
    """


def test_a_decorator_that_marks_coroutines(issue: Issue) -> None:
    """``asynctest`` makes what it decorates a coroutine with ``asyncio.coroutine``: the test
    driving ``work()`` with ``yield from`` is a coroutine too, rewritten with it, and the
    decorator's ``asyncio.coroutine`` goes (it returned an async def function as it was)."""
    fix(issue, MARKED, MARKED_AFTER, confidence=0.9, safe=True)


@pytest.mark.parametrize(
    ("more", "why"),
    [
        ("\n\ndef gen():\n    yield 1\n\n\nrun = asynctest(gen)\n", "also used otherwise"),
        ("\n\n@asynctest\ndef test_sync():\n    assert 1\n", "test_sync() has no yield from"),
    ],
)
def test_a_marking_decorator_used_otherwise_is_left(issue: Issue, more: str, why: str) -> None:
    import textwrap

    before = textwrap.dedent(MARKED) + more
    result = assert_fix(NativeCoroutines(), issue, {"test_coro.py": before}, None, dedent=False)
    assert result.fix is not None and why in result.fix.description


def test_a_marking_decorator_another_module_uses_is_left(issue: Issue) -> None:
    """Another module may decorate a generator with it: ``work()`` alone cannot change (the
    test drives it with ``yield from``)."""
    result = assert_fix(
        NativeCoroutines(),
        issue,
        {"test_coro.py": MARKED, "test_other.py": "from test_coro import asynctest\n"},
        None,
    )
    assert result.fix is not None and "used as a generator" in result.fix.description


def test_a_marking_call_in_a_runner_over_async_defs(issue: Issue) -> None:
    """``run_loop`` makes a coroutine of what it decorates, which is already ``async def``:
    ``asyncio.coroutine(f)`` was ``f``."""
    before = """\
        import asyncio


        def run_loop(f):
            def wrapper(*args):
                coro = asyncio.coroutine(f)
                return asyncio.run(coro(*args))

            return wrapper


        @run_loop
        async def test_sleep():
            await asyncio.sleep(0)
        """
    after = before.replace("asyncio.coroutine(f)", "f")
    fix(issue, before, after, confidence=0.9, safe=True)


def test_a_returned_future_is_awaited(issue: Issue) -> None:
    """``asyncio.coroutine`` awaited the future the function returned; an ``async def`` that
    decorated an ``async def`` loses the decorator only."""
    before = """\
        import asyncio


        @asyncio.coroutine
        def schedule(job):
            task = asyncio.ensure_future(job())
            return task


        @asyncio.coroutine
        async def already():
            await asyncio.sleep(0)
        """
    after = """\
        import asyncio


        async def schedule(job):
            task = asyncio.ensure_future(job())
            return await task


        async def already():
            await asyncio.sleep(0)
        """
    fix(issue, before, after, confidence=0.9, safe=True)


@pytest.mark.parametrize(
    "body",
    [
        "    task = asyncio.ensure_future(job())\n    task = job\n    return task\n",
        "    task = asyncio.ensure_future(job())\n    return task or job\n",
        "    return task\n",
        "    task = job()\n    return task\n",
    ],
)
def test_a_return_not_surely_a_future_is_left(issue: Issue, body: str) -> None:
    before = f"import asyncio\n\n\n@asyncio.coroutine\ndef schedule(job):\n{body}"
    result = assert_fix(NativeCoroutines(), issue, {"test_coro.py": before}, None, dedent=False)
    assert result.fix is not None and "has no yield from" in result.fix.description


def test_a_namesake_in_a_module_that_does_not_import_it(issue: Issue) -> None:
    """Each test module may have its own ``asynctest``: only an importer can use this one."""
    other = "def asynctest(f):\n    return f\n"
    assert_fix(
        NativeCoroutines(),
        issue,
        {"test_coro.py": MARKED, "test_other.py": other},
        {"test_coro.py": MARKED_AFTER, "test_other.py": other},
        confidence=0.9,
        safe=True,
    )


LEFT = """\
    import asyncio


    @asyncio.coroutine
    def total():
        return counter.value


    def test_total():
        assert asyncio.run(total()) == 1
    """


def test_a_file_left_beside_one_rewritten(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The failure surfaced in two files; one can be rewritten exactly: its tests are mended
    (the rerun keeps what works), the other's are a person's."""
    files = {"test_coro.py": OLD, "test_left.py": LEFT}
    found = issue_from_run(files, tmp_path_factory.mktemp("two"))
    assert {loc["path"] for loc in found.details["locations"]} == set(files)
    result = assert_fix(
        NativeCoroutines(),
        found,
        files,
        {
            "test_coro.py": OLD.replace("@asyncio.coroutine\n    def", "async def").replace(
                "yield from", "await"
            ),
            "test_left.py": LEFT,
        },
        confidence=0.9,
        safe=True,
    )
    assert (
        result.fix is not None
        and "test_left.py (total() has no yield from" in result.fix.description
    )
