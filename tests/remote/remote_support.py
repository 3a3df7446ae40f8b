"""Helpers for the remote-scoring tests: a fresh session with an open round, and ballots written
exactly as a participant's process writes them."""

from __future__ import annotations

from pathlib import Path

from facilitator.domain.session_factory import create_session
from facilitator.remote.ballots import Ballot, BallotScore, participant_id, write_ballot
from facilitator.remote.room import RoundState, open_round_for
from facilitator.storage.layout import ballots_dir
from facilitator.storage.store import SessionStore

PARTNERS = ["Acme Ports", "Beta Shipping"]
ACME, BETA = "acme-ports", "beta-shipping"
POINT = "joint-framework"  # the first checklist point


def seed_remote(store: SessionStore, partners: list[str] = PARTNERS) -> tuple[str, RoundState, Path]:
    """A session nobody has scored yet, with an open remote round. Returns (id, round, ballots folder)."""
    with store.create(create_session("Harbour Link", partners, date="2026-11-27")) as opened:
        session_id = opened.id
    session = store.load(session_id)
    folder = ballots_dir(store.data_dir, session_id)
    state, _ = open_round_for(folder, session)
    return session_id, state, folder


def cast(
    folder: Path, state: RoundState, partner: str, name: str, scores: dict[str, int | str], comment: str = ""
) -> Ballot:
    """Write a participant's ballot for the current round, as their own process does."""
    ballot = Ballot(
        participant=participant_id(partner, name),
        partner=partner,
        name=name,
        round=state.round,
        code=state.code,
        scores={key: BallotScore(value, comment) for key, value in scores.items()},
    )
    write_ballot(folder, ballot)
    return ballot


def settle(folder: Path) -> None:
    """Age the ballots' modification times, as if written seconds ago: the facilitator reads a
    freshly changed file on every poll until it has settled (see merge.SETTLED_NS)."""
    import os
    import time

    old = time.time() - 10
    for path in folder.glob("*.json"):
        os.utime(path, (old, old))


def room(store: SessionStore, session_id: str):
    """The facilitator's side, as the room's app holds it: the session and its RemoteLink, caught up."""
    from facilitator.domain.content import load_checklist
    from facilitator.remote.link import RemoteLink

    session = store.load(session_id)
    link = RemoteLink(store.data_dir, session_id)
    link.apply(link.poll(), session, load_checklist())
    return session, link
