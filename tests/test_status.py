"""A proposal's status moves only along ``route.MOVES``, through its methods."""

from __future__ import annotations

import pytest

from pytest_autofix.engine.route import MOVES, Proposal, Status
from pytest_autofix.model import Fix


def proposal() -> Proposal:
    return Proposal("i", "f", Fix("rename x", 0.9), "k", "apply")


def test_the_life_of_a_proven_fix() -> None:
    p = proposal()
    assert p.status is Status.SUGGESTED
    p.planned()
    p.proven()
    assert p.status == "fixed" and p.verified
    p.rolled_back("rolled back: the transaction could not commit")
    assert p.status == "rolled-back" and not p.verified
    assert p.reason == "rolled back: the transaction could not commit"


def test_set_aside_makes_a_suggestion_with_its_reason() -> None:
    p = proposal()
    p.planned()
    p.set_aside("deferred to the next round: conflicts with g")
    assert (p.status, p.action, p.reason) == (
        "suggested",
        "suggest",
        "deferred to the next round: conflicts with g",
    )


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "proven"),  # never planned, never rerun
        ([], "rolled_back"),
        (["planned", "proven"], "planned"),
        (["planned", "rolled_back"], "proven"),  # a fix rolled back stays rolled back
        (["planned", "rolled_back"], "set_aside"),
    ],
)
def test_an_illegal_move_is_an_error(path: list[str], illegal: str) -> None:
    p = proposal()
    for step in path:
        getattr(p, step)(*(["why"] if step in ("rolled_back", "set_aside") else []))
    before = p.status
    with pytest.raises(RuntimeError, match="cannot become"):
        getattr(p, illegal)(*(["why"] if illegal in ("rolled_back", "set_aside") else []))
    assert p.status is before


def test_every_status_has_its_moves() -> None:
    assert set(MOVES) == set(Status)
    assert not MOVES[Status.ROLLED_BACK]
