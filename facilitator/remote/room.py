"""The round file: what the facilitator's process tells participants, in `<id>.ballots/round.json`.

A round has a number and a join code; ballots name both, so a code read out for an earlier round,
or a ballot left from one, is refused. The facilitator's process rewrites the file when the room
moves to another point or reveals one; participants only read it. For revealed points it carries
the same gap view as the room's screen (each partner's score, how many people voted and how far
apart they were); for unrevealed points nothing but the point's key, so a participant's screen
cannot show other people's blind scores.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.domain.model import now_iso
from facilitator.remote.codes import new_code
from facilitator.remote.files import UnreadableFile, loads_json, read_regular_file
from facilitator.storage.atomic import PRIVATE_FILE, atomic_write_bytes, private_folder
from facilitator.storage.layout import OWN_BALLOT_FOLDER_FILES, ROUND_FILE

if TYPE_CHECKING:
    from facilitator.domain.content import Checklist
    from facilitator.domain.model import Session

ROUND_FORMAT = "facilitator-round"
ROUND_VERSION = 1
MAX_ROUND_BYTES = 512 * 1024


class RoundUnreadable(Exception):
    """round.json is missing, damaged or foreign: remote scoring is not open for this session."""


@dataclass
class RevealedPoint:
    """The room's gap view of one revealed point, as participants may see it."""

    scores: dict[str, Any]  # partner key -> score (a mean of votes may be fractional), '?' or 'n/a'
    voters: dict[str, dict[str, Any]]  # partner key -> {"count", "low", "high"} of remote votes
    spread: float | None
    agreed: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"scores": self.scores, "voters": self.voters, "spread": self.spread, "agreed": self.agreed}


@dataclass
class RoundState:
    session: str
    alliance: str
    checklist_version: int
    partners: list[tuple[str, str]]  # (key, name)
    round: int
    code: str
    open: bool = True
    current_point: str = ""
    revealed: dict[str, RevealedPoint] = field(default_factory=dict)
    started_at: str = field(default_factory=now_iso)
    closed_at: str = ""
    removed: list[str] = field(default_factory=list)  # participant ids the facilitator took out of the round
    sequence: int = 0  # the facilitator's count of published views (in memory only, never written)

    def partner_name(self, key: str) -> str:
        return dict(self.partners).get(key, key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": ROUND_FORMAT,
            "version": ROUND_VERSION,
            "session": self.session,
            "alliance": self.alliance,
            "checklist_version": self.checklist_version,
            "partners": [{"key": key, "name": name} for key, name in self.partners],
            "round": self.round,
            "code": self.code,
            "open": self.open,
            "current_point": self.current_point,
            "revealed": {key: point.to_dict() for key, point in self.revealed.items()},
            "started_at": self.started_at,
            "closed_at": self.closed_at,
            "removed": list(self.removed),
        }

    @staticmethod
    def from_dict(data: Any) -> RoundState:
        try:
            if data.get("format") != ROUND_FORMAT or data.get("version") != ROUND_VERSION:
                raise RoundUnreadable("it is not a round file of this version of facilitator")
            revealed = {_text(key): _revealed(point) for key, point in _mapping(data.get("revealed", {})).items()}
            state = RoundState(
                session=_text(data["session"]),
                alliance=_text(data["alliance"]),
                checklist_version=_whole(data["checklist_version"]),
                partners=[(_text(p["key"]), _text(p["name"])) for p in _sequence(data["partners"])],
                round=_whole(data["round"]),
                code=_text(data["code"]),
                open=_flag(data["open"]),
                current_point=_text(data.get("current_point", "")),
                revealed=revealed,
                started_at=_text(data.get("started_at", "")),
                closed_at=_text(data.get("closed_at", "")),
                removed=[_text(pid) for pid in _sequence(data.get("removed", []))],
            )
        except RoundUnreadable:
            raise
        except (AttributeError, KeyError, TypeError, ValueError, OverflowError) as error:
            raise RoundUnreadable(f"it is damaged ({type(error).__name__})") from None
        return state


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 10_000:
        raise TypeError("text expected")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1_000_000:
        raise TypeError("a whole number expected")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("true or false expected")
    return value


def _mapping(value: Any) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise TypeError("an object expected")
    return value


def _sequence(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("a list expected")
    return value


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("a number expected")
    return value


def _agreed(value: Any) -> int | None:
    """The room's agreed score: a whole score 0-4 or none, as the session holds it (`PointRecord.agreed`)."""
    if value is None:
        return None
    score = _whole(value)
    if score > 4:
        raise ValueError("a score from 0 to 4 expected")
    return score


def _score(value: Any) -> Any:
    return value if isinstance(value, str) and len(value) <= 3 else _number(value)


def _revealed(point: Any) -> RevealedPoint:
    point = _mapping(point)
    voters = {}
    for key, counts in _mapping(point.get("voters", {})).items():
        counts = _mapping(counts)
        voters[_text(key)] = {
            "count": _whole(counts.get("count", 0)),
            "low": _number(counts.get("low")),
            "high": _number(counts.get("high")),
        }
    return RevealedPoint(
        scores={_text(k): _score(v) for k, v in _mapping(point["scores"]).items()},
        voters=voters,
        spread=_number(point.get("spread")),
        agreed=_agreed(point.get("agreed")),
    )


def read_round(folder: Path) -> RoundState:
    path = Path(folder) / ROUND_FILE
    try:
        data = loads_json(read_regular_file(path, MAX_ROUND_BYTES))
    except FileNotFoundError:
        raise RoundUnreadable("remote scoring has not been started for this session") from None
    except UnreadableFile as error:
        raise RoundUnreadable(f"{path.name} {error}") from None
    return RoundState.from_dict(data)


def read_round_or_none(folder: Path) -> RoundState | None:
    try:
        return read_round(folder)
    except RoundUnreadable:
        return None


def write_round(folder: Path, state: RoundState) -> None:
    private_folder(folder, parents=True)
    data = json.dumps(state.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write_bytes(Path(folder) / ROUND_FILE, data, mode=PRIVATE_FILE)  # holds the join code


@contextmanager
def round_lock(folder: Path) -> Iterator[None]:
    """Serialises read-modify-write of round.json between `serve` and the facilitator's app."""
    private_folder(folder, parents=True)
    fd = os.open(Path(folder) / "round.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def new_round(session: Session, previous: RoundState | None) -> RoundState:
    """A fresh round: the next number and a new code, so the old code and old ballots stop working."""
    return RoundState(
        session=session.id,
        alliance=session.alliance,
        checklist_version=session.checklist_version,
        partners=[(p.key, p.name) for p in session.partners],
        round=(previous.round + 1) if previous else 1,
        code=new_code(),
        open=True,
    )


def open_round_for(folder: Path, session: Session) -> tuple[RoundState, bool]:
    """The open round of this session, starting one if there is none. Returns (round, started)."""
    with round_lock(folder):
        current = read_round_or_none(folder)
        if current is not None and current.open and current.session == session.id:
            return current, False
        return start_round_locked(folder, session, current), True


def start_round_locked(folder: Path, session: Session, current: RoundState | None) -> RoundState:
    """Start the next round (call with `round_lock` held): the earlier round's ballots go to round-N/."""
    if current is not None and current.session == session.id:
        archive_ballots(folder, current.round)
    else:
        current = None
    state = new_round(session, current)
    write_round(folder, state)
    return state


def archive_ballots(folder: Path, round_number: int) -> None:
    """Put a finished round's ballots aside, so they are neither merged nor refused in the next one."""
    target = Path(folder) / f"round-{round_number}"
    for entry in os.scandir(folder):
        if (
            entry.is_file(follow_symlinks=False)
            and entry.name.endswith(".json")
            and entry.name not in OWN_BALLOT_FOLDER_FILES
        ):
            private_folder(target)
            os.replace(entry.path, target / entry.name)


def room_view(session: Session, checklist: Checklist, state: RoundState) -> RoundState:
    """`state` with the room's current point and revealed gap views taken from the session."""
    from facilitator.domain.scoring import point_stats, vote_spreads

    points = checklist.points
    index = min(max(session.agenda.current_point, 0), len(points) - 1) if points else 0
    revealed = {}
    for point in points:
        record = session.points.get(point.key)
        if record is None or not record.revealed:
            continue
        stats = point_stats(session, point.key)
        revealed[point.key] = RevealedPoint(
            scores=dict(stats.scores),
            voters={
                key: {"count": v.count, "low": v.low, "high": v.high}
                for key, v in vote_spreads(session, point.key).items()
            },
            spread=stats.spread,
            agreed=stats.agreed,
        )
    return RoundState(
        session=state.session,
        alliance=session.alliance,
        checklist_version=session.checklist_version,
        partners=[(p.key, p.name) for p in session.partners],
        round=state.round,
        code=state.code,
        open=state.open,
        current_point=points[index].key if points else "",
        revealed=revealed,
        started_at=state.started_at,
        closed_at=state.closed_at,
        removed=list(state.removed),
    )
