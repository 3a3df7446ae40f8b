"""Point 6: how often the sponsors met in person in the year up to a session, from the meetings
recorded in the agreement."""

# No `from __future__ import annotations` here: a NamedTuple compiles each field's annotation
# when it is a string (about 0.1 ms a class, paid by every command that imports this module).

from collections.abc import Iterable
from datetime import date as Date
from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from facilitator.domain.history.timeline import Timeline
from facilitator.domain.model import Session
from facilitator.domain.records import record

if TYPE_CHECKING:
    pass


CADENCE_REQUIRED = 2  # in-person sponsor meetings expected ...
CADENCE_WINDOW_DAYS = 365  # ... in this many days up to the reference session
CADENCE_BASIS = (
    "Counts the in-person sponsor meetings recorded in the agreement (Governance section) in "
    "the 12 months up to the session. A review session counts only when it is recorded there "
    "as an in-person sponsor meeting: the app does not know who attended or how."
)


# --------------------------------------------------------------------------------------------
# Cadence of sponsor meetings (point 6)


# Read-only records are NamedTuples: Python builds them about eight times faster than frozen
# dataclasses, and short commands import this module (docs/benchmarks.md).


class MeetingRef(NamedTuple):
    """A sponsor meeting as the cadence check sees it."""

    date: str
    mode: str
    notes: str = ""
    id: str = ""

    @property
    def in_person(self) -> bool:
        return self.mode == "in person"


class MissedMeeting(NamedTuple):
    """A planned sponsor meeting with no record of being held."""

    date: str
    planned_in: str  # date of the session that recorded it as planned
    reason: str  # "no longer recorded" | "held remotely"

    def describe(self) -> str:
        if self.reason == "held remotely":
            return f"{self.date}: planned in person (recorded {self.planned_in}), held remotely instead"
        return f"{self.date}: planned in person (recorded {self.planned_in}), not recorded as held"


@record(frozen=True)
class Cadence:
    """Whether sponsors met face to face often enough, and the meetings that count."""

    reference: str  # the session date the window ends on
    window_start: str
    in_person: tuple[MeetingRef, ...]  # held in person in the window
    remote: tuple[MeetingRef, ...]  # held remotely in the window
    planned: tuple[MeetingRef, ...]  # dated after the reference date
    missed: tuple[MissedMeeting, ...]
    sessions_without_record: tuple[str, ...]  # dates of sessions in the window with no meeting recorded
    required: int = CADENCE_REQUIRED

    @property
    def count(self) -> int:
        return len(self.in_person)

    @property
    def met(self) -> bool:
        return self.count >= self.required

    @property
    def verdict(self) -> str:
        return "met" if self.met else "not met"

    def short(self) -> str:
        return (
            f"sponsors met in person {_times(self.count)} in the 12 months to {self.reference} "
            f"(at least {_times(self.required)} a year asked)"
        )

    def summary(self) -> str:
        times = _times(self.count)
        if self.met:
            return (
                f"Sponsors met in person {times} in the 12 months to {self.reference}: "
                f"at least twice a year, as point 6 asks."
            )
        return (
            f"Sponsors met in person {times} in the 12 months to {self.reference}: "
            f"point 6 asks for at least twice a year."
        )


def _times(count: int) -> str:
    return {0: "not once", 1: "once", 2: "twice"}.get(count, f"{count} times")


def cadence(
    timeline: Timeline,
    index: int | None = None,
    *,
    required: int = CADENCE_REQUIRED,
    window_days: int = CADENCE_WINDOW_DAYS,
) -> Cadence:
    """Whether sponsors met in person often enough in the year up to a session (default the latest).

    Only what was known at that session counts: its own sponsor-meeting record, and the records of
    earlier sessions of the alliance that it does not follow (their meetings were never carried over).
    """
    index = len(timeline.sessions) - 1 if index is None else index
    known = timeline.sessions[: index + 1]
    ref = known[-1]
    end = Date.fromisoformat(ref.date)
    # A session dated in the first year (a typing slip in a file) has no year before it to count.
    start = (end - timedelta(days=window_days) if end.toordinal() > window_days else Date.min).isoformat()
    by_id = {s.id: s for s in known}
    ancestors: list[Session] = []
    current, seen = ref, {ref.id}
    while current.follows in by_id and current.follows not in seen:
        current = by_id[current.follows]
        ancestors.append(current)
        seen.add(current.id)
    record = {m.id: MeetingRef(m.date, m.mode, m.notes, m.id) for m in ref.sponsor_meetings}
    dated = {(m.date, m.mode) for m in record.values()}
    for session in known[:-1]:
        if session.id in seen:
            continue  # its meetings were carried over (or deliberately removed) by a follow-up
        for m in session.sponsor_meetings:
            if m.id not in record and (m.date, m.mode) not in dated:
                record[m.id] = MeetingRef(m.date, m.mode, m.notes, m.id)
                dated.add((m.date, m.mode))
    missed: dict[str, MissedMeeting] = {}
    for ancestor in reversed(ancestors):  # oldest first: the first plan is the one named
        for m in ancestor.sponsor_meetings:
            if m.in_person and ancestor.date < m.date <= ref.date and m.id not in missed:
                now = record.get(m.id)
                if now is None and not any(r.in_person and r.date == m.date for r in record.values()):
                    missed[m.id] = MissedMeeting(m.date, ancestor.date, "no longer recorded")
                elif now is not None and not now.in_person:
                    missed[m.id] = MissedMeeting(m.date, ancestor.date, "held remotely")
    in_window = sorted((m for m in record.values() if start <= m.date <= ref.date), key=lambda m: (m.date, m.mode))
    in_person = _one_per_day(m for m in in_window if m.in_person)
    remote = _one_per_day(m for m in in_window if not m.in_person and m.date not in {p.date for p in in_person})
    planned = tuple(sorted((m for m in record.values() if m.date > ref.date), key=lambda m: m.date))
    recorded_days = {m.date for m in record.values()}
    without = tuple(s.date for s in known if start <= s.date <= ref.date and s.date not in recorded_days)
    return Cadence(
        ref.date,
        start,
        in_person,
        remote,
        planned,
        tuple(sorted(missed.values(), key=lambda m: m.date)),
        tuple(dict.fromkeys(without)),
        required,
    )


def _one_per_day(meetings: Iterable[MeetingRef]) -> tuple[MeetingRef, ...]:
    days: dict[str, MeetingRef] = {}
    for m in meetings:
        days.setdefault(m.date, m)
    return tuple(days.values())
