"""A failure that stands for another error: a ``finally`` block that fails while an error
unwinds (a local the ``try`` never bound), or a ``raise ... from err``, is the issue of that
error when the rules know it, so the error's fix counts the test among its targets; an error an
``except`` block handled before failing otherwise is not what the failure stands for."""

from __future__ import annotations

from pathlib import Path

from pytest_autofix.testing import issues_from_run

RESPOND = """\
    import collections


    def respond(request):
        try:
            result = request()
        except Exception:
            {handler}
        else:
            output = result
        finally:
            return output
"""

TESTS = """\
    from pkg.respond import respond


    def test_respond():
        assert respond(lambda: 1 / 0)


    def test_direct():
        import collections

        assert collections.Mapping
"""


def _issues(tmp_path: Path, handler: str) -> list[tuple[str, str, tuple[str, ...]]]:
    files = {
        "pkg/__init__.py": "",
        "pkg/respond.py": RESPOND.format(handler=handler),
        "test_a.py": TESTS,
    }
    return [(i.code, i.message, i.tests) for i in issues_from_run(files, tmp_path)]


def test_a_finally_failing_while_a_removed_api_unwinds_is_that_removed_api(
    tmp_path: Path,
) -> None:
    issues = _issues(tmp_path, "output = collections.Mapping")
    assert issues == [
        (
            "environment.removed-api",
            "collections.Mapping was removed in Python 3.10",
            ("test_a.py::test_respond", "test_a.py::test_direct"),
        )
    ]


def test_an_error_raised_from_a_removed_api_is_that_removed_api(tmp_path: Path) -> None:
    handler = (
        "try:\n                collections.Mapping\n"
        "            except AttributeError as err:\n"
        "                raise RuntimeError('no mapping') from err"
    )
    issues = _issues(tmp_path, handler)
    assert [(code, tests) for code, _, tests in issues] == [
        ("environment.removed-api", ("test_a.py::test_respond", "test_a.py::test_direct"))
    ]


def test_an_error_a_handler_took_in_its_stride_is_not_the_cause(tmp_path: Path) -> None:
    """The AttributeError is handled (an optional name); the handler then fails on its own
    (``1 / 0`` has no ``output``): a NameError of its own, not the removed API."""
    handler = (
        "try:\n                collections.Mapping\n"
        "            except AttributeError:\n"
        "                raise KeyError('no mapping')"
    )
    issues = _issues(tmp_path, handler)
    assert [(code, tests) for code, _, tests in issues] == [
        ("other.exception", ("test_a.py::test_respond",)),
        ("environment.removed-api", ("test_a.py::test_direct",)),
    ]
