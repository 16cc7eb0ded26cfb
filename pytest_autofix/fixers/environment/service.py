"""``environment.service``: a service that is not running. Only a person can start it: the
suggestion names the address that refused and the tests that need it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_autofix.fixers.toolkit.edits import listing
from pytest_autofix.fixers.toolkit.environment_confidence import PERSON
from pytest_autofix.model import Example, Fix, IssueKind

if TYPE_CHECKING:
    from pytest_autofix.model import Issue
    from pytest_autofix.project import Project

__all__ = ["ServiceUnavailable"]


class ServiceUnavailable:
    """``environment.service-unavailable``: which address refused, and which tests need it."""

    name = "environment.service"
    kinds = frozenset({IssueKind.ENVIRONMENT})
    codes: frozenset[str] = frozenset({"environment.service-unavailable"})
    examples: tuple[Example, ...] = (
        Example(
            "a service the tests connect to is not running",
            before="""\
                import socket


                def test_ping():
                    socket.create_connection(("127.0.0.1", 9), timeout=1)
                """,
            after=None,
            description="127.0.0.1:9",
        ),
    )

    def propose(self, issue: Issue, project: Project) -> list[Fix]:
        if issue.code != "environment.service-unavailable":
            return []
        host = issue.details.get("host") or "?"
        port = issue.details.get("port") or "?"
        tests = listing(list(issue.tests))
        at = f" (connecting at {issue.path}:{issue.line})" if issue.path and issue.line else ""
        return [
            Fix(
                f"nothing accepts connections on {host}:{port}{at}: start that service before "
                f"running {tests}, or skip them when it is down (a fixture that calls pytest.skip "
                "on ConnectionRefusedError, or a marker deselected with -m)",
                PERSON,
            )
        ]
