"""The facilitator's side of remote scoring: notice changed ballots, validate them, merge them.

Reading is split from merging so the app can read files in a worker thread and merge on the UI
thread, which owns the session. A ballot is read again only when its size or modification time
changed, so polling every second costs one folder listing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.domain.model import Vote, now_iso
from facilitator.domain.validation import MAX_VOTERS
from facilitator.remote.ballots import MAX_BALLOT_BYTES, Ballot, BallotRefused, decode_ballot, validate_ballot
from facilitator.remote.files import UnreadableFile, read_regular_file
from facilitator.storage.layout import OWN_BALLOT_FOLDER_FILES

if TYPE_CHECKING:
    from facilitator.domain.content import Checklist
    from facilitator.domain.model import PointRecord, Session
    from facilitator.remote.room import RoundState

REFUSED_LOG = "refused.log"
SETTLED_NS = 2_000_000_000  # as git's index: a file is trusted unchanged once its mtime is 2 s old
NOT_BALLOTS = OWN_BALLOT_FOLDER_FILES  # the facilitator's own files in the ballots folder
MAX_LOG_BYTES = 1_000_000  # the log is for the facilitator to read, not for an attacker to fill a disk


@dataclass(frozen=True)
class RawBallot:
    """A ballot file's bytes as read, with the stamp that tells whether it changed since."""

    stem: str
    stamp: tuple[int, ...]
    raw: bytes | None  # None when the file could not be read (a refusal in its own right)


@dataclass
class Participant:
    """A person who joined the current round, as the facilitator's screen lists them."""

    id: str
    name: str
    partner: str
    scored: frozenset[str]  # point keys
    updated_at: str


@dataclass
class MergeResult:
    changed_points: set[str] = field(default_factory=set)
    new_participants: list[str] = field(default_factory=list)  # names added to their partner's list
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)

    @property
    def changed(self) -> bool:
        return bool(self.changed_points or self.new_participants)


class BallotInbox:
    """Watches one session's ballots folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._stamps: dict[str, tuple[int, ...]] = {}
        self.participants: dict[str, Participant] = {}
        self.refused_count = 0
        self.round: int | None = None  # the round whose ballots are being read
        self._refused: dict[str, tuple[int, ...]] = {}  # stem -> stamp of the version last refused

    # -- worker thread: file reads only --------------------------------------------------------

    def read_changed(self) -> list[RawBallot]:
        """Ballot files new or changed since the last call (safe to run in a worker thread)."""
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return []
        changed = []
        now = time.time_ns()
        for entry in entries:
            name = entry.name
            if not name.endswith(".json") or name in NOT_BALLOTS or name.startswith("."):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            stem = name[: -len(".json")]
            if self._stamps.get(stem) == stamp:
                continue
            # A file changed within the file clock's coarse tick could change again with the same
            # stamp (same size, same mtime, a reused inode): keep reading it until it has settled.
            # Merging the same ballot twice changes nothing.
            if now - st.st_mtime_ns > SETTLED_NS:
                self._stamps[stem] = stamp
            changed.append(RawBallot(stem, stamp, _read_limited(entry.path)))
        return changed

    def unsee(self, stems: Iterable[str]) -> None:
        """Read these ballots again on the next poll (their reading was dropped as stale)."""
        for stem in stems:
            self._stamps.pop(stem, None)

    def forget(self, round_number: int | None = None) -> None:
        """Read every ballot again on the next poll: a new round has started (worker thread)."""
        self.round = round_number
        self._stamps.clear()

    # -- UI thread: validation and merge into the session --------------------------------------

    def _partner_full(self, partner_key: str) -> bool:
        return sum(1 for person in self.participants.values() if person.partner == partner_key) >= MAX_VOTERS

    def merge(self, session: Session, checklist: Checklist, state: RoundState, ballots: list[RawBallot]) -> MergeResult:
        result = self._merge(session, checklist, state, ballots)
        # A file is read again until it settles: say each refused version once, not once a second.
        stamps = {f"{item.stem}.json": item.stamp for item in ballots}
        fresh = [(name, reason) for name, reason in result.refused if self._refused.get(name) != stamps[name]]
        for name, _reason in result.refused:
            self._refused[name] = stamps[name]
        result.refused = fresh
        if result.refused:
            self.refused_count += len(result.refused)
            log_refusals(self.folder, result.refused)
        return result

    def _merge(
        self, session: Session, checklist: Checklist, state: RoundState, ballots: list[RawBallot]
    ) -> MergeResult:
        result = MergeResult()
        partner_keys = {p.key for p in session.partners}
        for item in ballots:
            try:
                if item.raw is None:
                    raise BallotRefused("cannot be read (not a plain file, or too large)")
                ballot = validate_ballot(decode_ballot(item.raw), item.stem, state, checklist, partner_keys)
            except BallotRefused as error:
                self.participants.pop(item.stem, None)
                result.refused.append((f"{item.stem}.json", str(error)))
                continue
            except Exception as error:  # noqa: BLE001 - a file nobody expected must not stop the meeting
                self.participants.pop(item.stem, None)
                result.refused.append((f"{item.stem}.json", f"unreadable ({type(error).__name__})"))
                continue
            if ballot.participant not in self.participants and self._partner_full(ballot.partner):
                result.refused.append((f"{item.stem}.json", f"more than {MAX_VOTERS} people of one organisation"))
                continue
            result.changed_points |= merge_ballot(session, ballot)
            if ballot.scores and add_participant(session, ballot.partner, ballot.name):
                result.new_participants.append(ballot.name)
            self.participants[ballot.participant] = Participant(
                ballot.participant, ballot.name, ballot.partner, frozenset(ballot.scores), ballot.updated_at
            )
        return result


def merge_ballot(session: Session, ballot: Ballot) -> set[str]:
    """Record the ballot's votes in the session; returns the points whose scores changed.

    Votes on a point the room has already revealed are left as they were: scores are blind until
    the reveal, and changing them afterwards would rewrite what the room discussed. A point that is
    no longer in the ballot (the person cleared their score) loses their vote.
    """
    changed = set()
    for point_key, record in session.points.items():
        if point_key not in ballot.scores and not record.revealed:
            if _withdraw(record, ballot.partner, ballot.participant):
                changed.add(point_key)
    for point_key, entry in ballot.scores.items():
        record = session.point(point_key)
        if record.revealed:
            continue
        votes = record.votes.setdefault(ballot.partner, {})
        if ballot.participant not in votes and len(votes) >= MAX_VOTERS:
            continue  # the session could not be read back with more (model.MAX_VOTERS)
        vote = Vote(name=ballot.name, score=entry.score, comment=entry.comment, at=entry.at or now_iso())
        current = votes.get(ballot.participant)
        if current is not None and (current.score, current.comment, current.name) == (
            vote.score,
            vote.comment,
            vote.name,
        ):
            continue
        votes[ballot.participant] = vote
        score = record.score_from_votes(ballot.partner)
        if score is not None:
            record.scores[ballot.partner] = score
        changed.add(point_key)
    return changed


def withdraw_votes(session: Session, participant: str) -> set[str]:
    """Withdraw one person's votes from every point not yet revealed; returns the points changed."""
    changed = set()
    for point_key, record in session.points.items():
        if record.revealed:
            continue
        for partner_key in list(record.votes):
            if _withdraw(record, partner_key, participant):
                changed.add(point_key)
    return changed


def _withdraw(record: PointRecord, partner_key: str, participant: str) -> bool:
    votes = record.votes.get(partner_key)
    if not votes or participant not in votes:
        return False
    del votes[participant]
    if not votes:
        del record.votes[partner_key]
        record.scores.pop(partner_key, None)  # that score came from the votes, and none is left
    else:
        score = record.score_from_votes(partner_key)
        assert score is not None  # someone of that partner still votes
        record.scores[partner_key] = score
    return True


def add_participant(session: Session, partner_key: str, name: str) -> bool:
    """Someone who scored took part: list them with their organisation, as the room's form does."""
    partner = session.partner(partner_key)
    if partner is None or any(known.casefold() == name.casefold() for known in partner.participants):
        return False
    partner.participants.append(name)
    return True


def log_refusals(folder: Path, refused: list[tuple[str, str]]) -> None:
    path = Path(folder) / REFUSED_LOG
    try:
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            return
        with open(path, "a", encoding="utf-8") as handle:
            for name, reason in refused:
                handle.write(json.dumps({"at": now_iso(), "file": name, "reason": reason}, ensure_ascii=False) + "\n")
    except OSError:
        pass  # the refusal is shown on screen; a log that cannot be written must not stop the meeting


def _read_limited(path: str) -> bytes | None:
    try:
        return read_regular_file(Path(path), MAX_BALLOT_BYTES)
    except (OSError, UnreadableFile):
        return None
