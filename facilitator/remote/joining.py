"""One try at joining a round: the code, and for a name already taken that person's PIN.

Pure Python and file access, no Textual: the participant app runs it off its UI thread (checking a
PIN takes about a tenth of a second on purpose; see pins.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.remote import codes, pins
from facilitator.remote.ballots import Ballot, participant_id, read_ballot, write_ballot
from facilitator.remote.ratelimit import JoinLimiter

if TYPE_CHECKING:
    from facilitator.domain.content import Checklist
    from facilitator.remote.room import RoundState

# What went wrong, for the join screen to explain.
WRONG_CODE = "wrong code"
NEED_PIN = "need pin"  # the name is taken: if it is theirs, they type their PIN (not a wrong try)
WRONG_PIN = "wrong pin"
OLD_PIN = "old pin"  # the name was taken by a ballot from an older version, whose PIN is not accepted
NOT_SAVED = "not saved"


@dataclass(frozen=True)
class JoinOutcome:
    ballot: Ballot | None = None  # set when they are in
    pin: str = ""  # the PIN to show them: a new one, or the one they typed, grouped
    problem: str = ""
    existing_name: str = ""  # for NEED_PIN: the name as first typed
    wait: float = 0.0  # seconds this page must wait before its next try (after a wrong one)
    detail: str = ""  # for NOT_SAVED: the operating system's reason


def try_join(
    folder: Path,
    peer: str,
    state: RoundState,
    checklist: Checklist,
    partner_key: str,
    name: str,
    typed_code: str,
    typed_pin: str,
) -> JoinOutcome:
    limiter = JoinLimiter(folder, peer)
    if not codes.matches(typed_code, state.code):
        return JoinOutcome(problem=WRONG_CODE, wait=limiter.wrong().wait)
    participant = participant_id(partner_key, name)
    existing = read_ballot(folder, participant, state, checklist, partner_key)
    if existing is not None:
        if not typed_pin.strip():
            return JoinOutcome(problem=NEED_PIN, existing_name=existing.name)
        try:
            right = pins.matches(existing.pin_hash, typed_pin)
        except pins.LegacyPin:
            return JoinOutcome(problem=OLD_PIN, existing_name=existing.name)
        if not right:
            return JoinOutcome(problem=WRONG_PIN, wait=limiter.wrong(person=participant).wait)
        return JoinOutcome(ballot=existing, pin=pins.normalise(typed_pin))
    pin = pins.new_pin()
    ballot = Ballot(
        participant=participant,
        partner=partner_key,
        name=name,
        round=state.round,
        code=state.code,
        pin_hash=pins.hash_pin(pin),
    )
    try:
        write_ballot(folder, ballot)
    except OSError as error:
        return JoinOutcome(problem=NOT_SAVED, detail=str(error.strerror or error))
    return JoinOutcome(ballot=ballot, pin=pin)
