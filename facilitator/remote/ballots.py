"""Ballots: what one participant scored, written by their own process to their own file.

A participant's process never writes the session. It rewrites `<id>.ballots/<participant>.json`
atomically after every change; the facilitator's process reads it, and `validate_ballot` decides
whether it may be merged. The participant id is derived from partner and name, so a person whose
browser dropped the connection gets their own ballot back when they join again with the same name.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.base.errors import InvalidInput, InvalidSession
from facilitator.domain.model import now_iso
from facilitator.domain.score_values import check_vote_score
from facilitator.domain.validation import MAX_COMMENT, check_text, clean_name, name_key, slugify
from facilitator.remote import codes, pins
from facilitator.remote.files import UnreadableFile, loads_json, read_regular_file
from facilitator.storage.atomic import PRIVATE_FILE, atomic_write_bytes

if TYPE_CHECKING:
    from facilitator.domain.content import Checklist
    from facilitator.remote.room import RoundState

BALLOT_FORMAT = "facilitator-ballot"
BALLOT_VERSION = 1
MAX_BALLOT_BYTES = 256 * 1024  # ten points with the longest comments fit in a tenth of this
NAME_LIMIT = 80


class BallotRefused(Exception):
    """A ballot that must not be merged; the message says why, for the log and the facilitator."""


@dataclass
class BallotScore:
    score: int | str
    comment: str = ""
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "comment": self.comment, "at": self.at}


@dataclass
class Ballot:
    participant: str
    partner: str
    name: str
    round: int
    code: str
    scores: dict[str, BallotScore] = field(default_factory=dict)  # point key -> score
    joined_at: str = field(default_factory=now_iso)
    updated_at: str = ""
    pin_hash: str = ""  # proves a rejoining person is the one who joined first (see pins.py)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": BALLOT_FORMAT,
            "version": BALLOT_VERSION,
            "participant": self.participant,
            "partner": self.partner,
            "name": self.name,
            "round": self.round,
            "code": self.code,
            "scores": {key: value.to_dict() for key, value in self.scores.items()},
            "joined_at": self.joined_at,
            "updated_at": self.updated_at,
            "pin_hash": self.pin_hash,
        }


def participant_id(partner_key: str, name: str) -> str:
    """A file-safe id for one person of one partner: readable slug plus a hash of the exact name.

    The hash keeps apart names that slugify alike ("Zoë" and "Zoe", or two names in a script the
    slug drops); the same person typing the same name again gets the same id back. Both are made
    from the name's `name_key`, so that a name that only reads the same (with a zero-width space in
    it, or a Cyrillic "е" for the "e") is that person, who must give their PIN, not a new one.
    """
    folded = name_key(name)
    digest = hashlib.sha256(f"{partner_key}\n{folded}".encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slugify(partner_key, 'partner')[:30]}--{slugify(folded, 'person')[:30]}-{digest}"


def clean_participant_name(value: str) -> str:
    name = clean_name(value, "Your name")
    if len(name) > NAME_LIMIT:
        raise InvalidInput(f"Your name is too long (at most {NAME_LIMIT} characters).")
    return " ".join(name.split())


def clean_comment(value: str) -> str:
    text = check_text(value, "Comment").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"The comment is too long ({len(text):,} characters, at most {MAX_COMMENT:,}).")
    return text


def ballot_path(folder: Path, participant: str) -> Path:
    return Path(folder) / f"{participant}.json"


def write_ballot(folder: Path, ballot: Ballot) -> None:
    ballot.updated_at = now_iso()
    data = json.dumps(ballot.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write_bytes(ballot_path(folder, ballot.participant), data, mode=PRIVATE_FILE)  # blind scores, PIN hash


def read_ballot(
    folder: Path, participant: str, state: RoundState, checklist: Checklist, partner_key: str
) -> Ballot | None:
    """A participant's own ballot of the current round as it is on disk, or None (none yet, or not valid)."""
    try:
        raw = read_regular_file(ballot_path(folder, participant), MAX_BALLOT_BYTES)
        return validate_ballot(decode_ballot(raw), participant, state, checklist, {partner_key})
    except (OSError, UnreadableFile, BallotRefused):
        return None


def decode_ballot(raw: bytes) -> Any:
    if len(raw) > MAX_BALLOT_BYTES:
        raise BallotRefused(f"too large ({len(raw):,} bytes)")
    try:
        return loads_json(raw)
    except UnreadableFile:
        raise BallotRefused("not valid JSON") from None


def validate_ballot(
    data: Any, file_stem: str, state: RoundState, checklist: Checklist, partner_keys: set[str]
) -> Ballot:
    """The ballot in `data` if it may be merged into the session of `state`; else BallotRefused.

    Checked: the shape, the file name against partner and name (one person cannot write another's
    ballot under their name), the round number and its join code, the partner, each point and score.
    """
    if not isinstance(data, dict) or data.get("format") != BALLOT_FORMAT:
        raise BallotRefused("not a ballot")
    if data.get("version") != BALLOT_VERSION:
        raise BallotRefused(f"ballot version {_short(data.get('version'))} is not {BALLOT_VERSION}")
    ballot_round = data.get("round")
    if not isinstance(ballot_round, int) or isinstance(ballot_round, bool):
        raise BallotRefused("no round number")
    if ballot_round != state.round:
        raise BallotRefused(f"for round {ballot_round}, not the current round {state.round}")
    if not state.open:
        raise BallotRefused(f"round {state.round} is closed")
    code = data.get("code")
    if not isinstance(code, str) or not codes.matches(code, state.code):
        raise BallotRefused("wrong join code")
    partner = data.get("partner")
    if not isinstance(partner, str) or partner not in partner_keys:
        raise BallotRefused(f"partner {_short(partner)} is not in this session")
    try:
        raw_name = data.get("name")
        name = clean_participant_name(raw_name if isinstance(raw_name, str) else "")
    except InvalidInput as error:
        raise BallotRefused(str(error)) from None
    expected = participant_id(partner, name)
    if data.get("participant") != expected or file_stem != expected:
        raise BallotRefused("the file name does not match the partner and name inside it")
    scores_data = data.get("scores")
    if not isinstance(scores_data, dict):
        raise BallotRefused("scores: expected an object")
    scores = {}
    for key, entry in scores_data.items():
        if checklist.point(key) is None:
            raise BallotRefused(f"scores: {_short(key)} is not a checklist point")
        scores[key] = _read_score(entry, key)
    if expected in state.removed:
        raise BallotRefused("this person was removed from the round by the facilitator")
    secret = data.get("pin_hash", "")
    if not isinstance(secret, str) or not pins.is_stored_hash(secret):
        raise BallotRefused("pin_hash: not a hash")
    return Ballot(
        participant=expected,
        partner=partner,
        name=name,
        round=ballot_round,
        code=state.code,
        scores=scores,
        joined_at=_text(data.get("joined_at")),
        updated_at=_text(data.get("updated_at")),
        pin_hash=secret,
    )


def _read_score(entry: Any, key: str) -> BallotScore:
    if not isinstance(entry, dict):
        raise BallotRefused(f"scores.{key}: expected an object")
    try:
        score = check_vote_score(entry.get("score"), f"scores.{key}.score")
        comment = clean_comment(entry.get("comment", "")) if isinstance(entry.get("comment", ""), str) else None
    except (InvalidSession, InvalidInput) as error:
        raise BallotRefused(str(error)) from None
    if comment is None:
        raise BallotRefused(f"scores.{key}.comment: expected text")
    return BallotScore(score=score, comment=comment, at=_text(entry.get("at")))


def _text(value: Any) -> str:
    """A timestamp or similar: kept only when it is short, printable text."""
    if isinstance(value, str) and len(value) <= 40 and value.isprintable():
        return value
    return ""


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else type(value).__name__ if not isinstance(value, int) else str(value)
    text = "".join(c if c.isprintable() else "?" for c in text[:40])
    return f"'{text}'"
