"""Alliance history: the sessions of one alliance over time, their trends, the sponsor-meeting
cadence, and what changed in the agreement between one session and the next.

Pure Python (no Textual, TinyDB or Jinja2). `build_timeline()` works on any list of sessions;
`load_timeline()` reads them from a store (anything with `summaries()`, `load()` and `resolve()`)
and tolerates damaged or missing files, which become `Gap`s in the timeline instead of errors.

Rules, in one place:

- **Timeline.** Sessions linked by `follows` (back and forward), plus the sessions of the same
  alliance name (ignoring case) that are not linked, in date order. A `follows` link to a session
  that is missing or cannot be read is a gap, reported with its id; the history goes on without it.
- **Trends.** Per checklist point and partner, the score at each session; the change is measured
  against the session just before in the timeline. A change of 1 or more is an improvement or a
  regression. A perception gap (spread of 2 or more) in two or more consecutive sessions is a
  *persistent gap*.
- **Cadence (point 6).** Counts the sponsor meetings recorded in the agreement with mode "in person",
  dated in the 365 days up to the reference session's date (inclusive). Facilitated sessions are
  not counted on their own: the app does not record who attended or whether the room met face to
  face, so a session counts only when it is recorded as a sponsor meeting. Sessions in the window
  with no such record are listed, so the room can add one. A meeting planned in person in an
  earlier session whose date has passed, but which is no longer recorded as held in person, is
  reported as missed.
- **Agreement changes.** Each section's text (and its table: measures, roles, tasks, sponsor
  meetings) is compared line by line with the previous session, with a word-level diff for lines
  that were edited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date as Date
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from facilitator.base.errors import FacilitatorError, InvalidInput, SessionNotFound
from facilitator.domain import scoring
from facilitator.domain.content import CURRENT_VERSION, Checklist, UnknownChecklistVersion, load_checklist
from facilitator.domain.formatting import format_change, format_score
from facilitator.domain.model import Session

if TYPE_CHECKING:
    from difflib import SequenceMatcher

CHANGE_THRESHOLD = 1  # a score change of this much or more is called out
CADENCE_REQUIRED = 2  # in-person sponsor meetings expected ...
CADENCE_WINDOW_DAYS = 365  # ... in this many days up to the reference session
CADENCE_BASIS = (
    "Counts the in-person sponsor meetings recorded in the agreement (Governance section) in "
    "the 12 months up to the session. A review session counts only when it is recorded there "
    "as an in-person sponsor meeting: the app does not know who attended or how."
)
SECTION_STATUS_LABELS = {
    "unchanged": "Unchanged",
    "changed": "Changed",
    "new": "New",
    "removed": "Cleared",
    "empty": "Unchanged",
}  # "empty": empty then and now


# --------------------------------------------------------------------------------------------
# The timeline


@dataclass(frozen=True)
class Gap:
    """A session the timeline refers to (by `follows`) but cannot use."""

    id: str
    referenced_by: str  # the session that follows it
    kind: str  # "missing" (no such file) or "unreadable" (damaged, newer, in the trash...)
    reason: str

    @property
    def label(self) -> str:
        """One short word for tight spaces: missing, damaged, newer or trashed."""
        if self.kind == "missing":
            return "missing"
        if "trash" in self.reason:
            return "trashed"
        return "newer" if "newer" in self.reason else "damaged"

    def describe(self) -> str:
        what = "is missing" if self.kind == "missing" else "cannot be read"
        return f"Session {self.id} (followed by {self.referenced_by}) {what}: {self.reason}"


@dataclass
class Timeline:
    """The sessions of one alliance, oldest first, and the gaps in their `follows` links."""

    alliance: str
    sessions: list[Session]
    gaps: list[Gap] = field(default_factory=list)
    focus: str = ""  # the session asked for (the latest when an alliance was asked for)

    @property
    def latest(self) -> Session:
        return self.sessions[-1]

    def index_of(self, session_id: str) -> int | None:
        return next((i for i, s in enumerate(self.sessions) if s.id == session_id), None)

    @property
    def focus_index(self) -> int:
        index = self.index_of(self.focus)
        return len(self.sessions) - 1 if index is None else index

    def previous(self, session_id: str) -> Session | None:
        """The session just before this one in the timeline (None for the first)."""
        index = self.index_of(session_id)
        return self.sessions[index - 1] if index else None

    def gaps_before(self, session_id: str) -> list[Gap]:
        return [g for g in self.gaps if g.referenced_by == session_id]

    def with_session(self, session: Session) -> Timeline:
        """The same timeline with this version of a session (say the one open in the meeting)."""
        sessions = [s for s in self.sessions if s.id != session.id] + [session]
        gaps = [g for g in self.gaps if g.referenced_by != session.id]
        if session.follows and session.follows not in {s.id for s in sessions}:
            known = next((g for g in self.gaps if g.id == session.follows), None)
            gaps.append(
                replace(known, referenced_by=session.id)
                if known
                else Gap(session.follows, session.id, "missing", "it is not in the data folder")
            )
        return Timeline(self.alliance, _in_date_order(sessions), gaps, self.focus or session.id)

    def up_to(self, index: int) -> Timeline:
        kept = self.sessions[: index + 1]
        ids = {s.id for s in kept}
        return Timeline(self.alliance, kept, [g for g in self.gaps if g.referenced_by in ids], kept[-1].id)

    @staticmethod
    def single(session: Session) -> Timeline:
        """A timeline of one session, its history not looked up (no gaps are claimed)."""
        return Timeline(session.alliance, [session], [], session.id)


def _in_date_order(sessions: Iterable[Session]) -> list[Session]:
    return sorted(sessions, key=lambda s: (s.date, s.created_at, s.id))


def related_ids(records: Mapping[str, tuple[str, str]], start: Iterable[str]) -> set[str]:
    """The ids linked to `start`: by `follows` either way, or by the same alliance name.

    `records` maps each readable session id to (alliance name folded to lower case, follows).
    """
    members = {i for i in start if i in records}
    while True:
        names = {records[i][0] for i in members}
        followed = {records[i][1] for i in members}
        added = {
            rid
            for rid, (name, follows) in records.items()
            if rid not in members and (name in names or follows in members or rid in followed)
        }
        if not added:
            return members
        members |= added


def build_timeline(sessions: Iterable[Session], start: str, *, unreadable: Mapping[str, str] | None = None) -> Timeline:
    """The timeline of the alliance of `start` (a session id or an alliance name) among `sessions`.

    `unreadable` maps ids of session files that exist but cannot be read to the reason; a
    `follows` link to one of them, or to an id not there at all, becomes a `Gap`.
    """
    by_id = {s.id: s for s in sessions}
    unreadable = dict(unreadable or {})
    wanted = (start or "").strip()
    if wanted in by_id:
        start_ids, focus = {wanted}, wanted
    else:
        start_ids = {i for i, s in by_id.items() if s.alliance.casefold() == wanted.casefold()}
        focus = ""
        if not start_ids:
            raise SessionNotFound(f"No session or alliance '{wanted}'.")
    records = {i: (s.alliance.casefold(), s.follows) for i, s in by_id.items()}
    members = _in_date_order(by_id[i] for i in related_ids(records, start_ids))
    ids = {s.id for s in members}
    gaps = []
    for session in members:
        if session.follows and session.follows not in ids:
            if session.follows in unreadable:
                gaps.append(Gap(session.follows, session.id, "unreadable", unreadable[session.follows]))
            else:
                gaps.append(Gap(session.follows, session.id, "missing", "it is not in the data folder"))
    latest = members[-1]
    return Timeline(alliance=latest.alliance, sessions=members, gaps=gaps, focus=focus or latest.id)


class _Store(Protocol):  # what load_timeline needs of a store (facilitator.storage.store.SessionStore)
    def summaries(self) -> list[Any]: ...

    def load(self, id_or_prefix: str) -> Session: ...

    def resolve(self, id_or_prefix: str) -> str: ...


def load_timeline(store: _Store, id_or_alliance: str, *, current: Session | None = None) -> Timeline:
    """Read the timeline of a session (id, or unique start of one) or of an alliance (its name).

    Uses what the store knows of every session (its `links()`: status, alliance, follows,
    problem; else its summaries) to find the sessions involved, then loads only those. Damaged,
    newer-format, trashed or missing predecessors become gaps; only the session asked for must be
    readable. `current` replaces the stored copy of that session (the one open in a meeting).
    """
    wanted = (id_or_alliance or "").strip()
    if not wanted:
        raise InvalidInput("Give a session id or an alliance name; `facilitator list` shows them.")
    links = _links(store)
    known: dict[str, tuple[str, str, str, str] | None] = dict(links)
    if current is not None and current.id not in known:
        known[current.id] = None  # a session not saved yet still has a history
    start = _resolve_start(store, wanted, known)
    link = known.get(start)
    if link is not None and link[0] != "ok":
        store.load(start)  # raises the file's own explanation (damaged, newer version)
    records = {i: (link[1].casefold(), link[2]) for i, link in links.items() if link[0] == "ok"}
    if current is not None:
        records[current.id] = (current.alliance.casefold(), current.follows)
    start_ids = {start} if start in records else {i for i, (name, _f) in records.items() if name == start.casefold()}
    members = related_ids(records, start_ids)
    unreadable = {i: _problem(link[0], link[3]) for i, link in links.items() if link[0] != "ok"}
    sessions = []
    for session_id in sorted(members):
        if current is not None and session_id == current.id:
            sessions.append(current)
            continue
        try:
            sessions.append(store.load(session_id))
        except FacilitatorError as error:  # changed since it was listed
            if session_id == start:
                raise
            unreadable[session_id] = str(error)
    trash = getattr(store, "data_dir", None)
    if trash is not None:
        for session in sessions:
            if (
                session.follows
                and session.follows not in known
                and (trash / "trash" / f"{session.follows}.json").exists()
            ):
                unreadable[session.follows] = "it was moved to the trash folder"
    if not sessions:
        raise SessionNotFound(f"No readable session of '{wanted}'.")
    return build_timeline(sessions, start, unreadable=unreadable)


def _links(store: _Store) -> Mapping[str, tuple[str, str, str, str]]:
    """id -> (status, alliance, follows, problem) of every session file the store holds."""
    links = getattr(store, "links", None)
    if links is not None:
        found: Mapping[str, tuple[str, str, str, str]] = links()
        return found
    return {s.id: (s.status, s.alliance, s.follows, s.problem) for s in store.summaries()}


def _problem(status: str, problem: str) -> str:
    if status == "newer":
        return f"it was saved by a newer facilitator ({problem})"
    return f"it is damaged ({problem})" if problem else "it is damaged"


def _resolve_start(store: _Store, wanted: str, known: Mapping[str, tuple[str, str, str, str] | None]) -> str:
    """A session id, or an alliance name as stored, from what was typed.

    `known`: id -> (status, alliance, follows, problem), or None for a session not saved yet.
    """
    if wanted in known:
        return wanted
    folded = wanted.casefold()
    ok_alliances = [link[1] for link in known.values() if link is not None and link[0] == "ok"]
    names = {alliance.casefold(): alliance for alliance in ok_alliances}
    if folded in names:
        return names[folded]
    prefixed = [i for i in known if i.startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    alliances = {link[1] for i in prefixed if (link := known[i]) is not None and link[0] == "ok"}
    if not prefixed:
        alliances = {alliance for alliance in ok_alliances if alliance.casefold().startswith(folded)}
    if len(alliances) == 1:
        return alliances.pop()
    if len(alliances) > 1:
        shown = ", ".join(sorted(alliances)[:5]) + (" ..." if len(alliances) > 5 else "")
        raise InvalidInput(f"'{wanted}' matches sessions of {len(alliances)} alliances ({shown}); type more of it.")
    if prefixed:
        return store.resolve(wanted)  # several damaged files: let the store explain
    raise SessionNotFound(f"No session or alliance '{wanted}'; `facilitator list` shows them.")


# --------------------------------------------------------------------------------------------
# Trends


@dataclass(frozen=True)
class Change:
    """A value at one session and at the one before it."""

    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)

    @property
    def direction(self) -> str:
        """'improved', 'regressed', 'steady', or '' when either value is missing."""
        delta = self.delta
        if delta is None:
            return ""
        if delta >= CHANGE_THRESHOLD:
            return "improved"
        if delta <= -CHANGE_THRESHOLD:
            return "regressed"
        return "steady"


def _change(values: Sequence[float | None], index: int) -> Change:
    if not 0 < index < len(values):
        return Change(None, values[index] if 0 <= index < len(values) else None)
    return Change(values[index - 1], values[index])


@dataclass(frozen=True)
class PartnerSeries:
    """One partner's scores for a point, session by session."""

    key: str
    name: str
    scores: tuple[Any, ...]  # per session: 0-4, "?", "n/a", or None (not scored or not a partner then)

    @property
    def numeric(self) -> tuple[float | None, ...]:
        # A float is a partner's mean of several people's votes (remote scoring).
        return tuple(v if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in self.scores)

    def change(self, index: int) -> Change:
        return _change(self.numeric, index)


@dataclass(frozen=True)
class PointTrend:
    """A point over the alliance's sessions: each partner's scores and the spreads."""

    key: str
    number: int
    title: str
    partners: tuple[PartnerSeries, ...]
    values: tuple[float | None, ...]  # per session: the agreed score, else the partners' mean
    spreads: tuple[float | None, ...]  # a spread of means (2.5) is not whole
    gaps: tuple[bool, ...]  # per session: a perception gap (spread >= 2)
    agreed: tuple[int | None, ...] = ()  # per session: the room's agreed score, which `values` then shows
    means: tuple[float | None, ...] = ()  # per session: the partners' mean

    def change(self, index: int) -> Change:
        return _change(self.values, index)

    def gap_run(self, index: int) -> int:
        """How many consecutive sessions, ending at `index`, show a gap here (0 if none at index)."""
        run = 0
        while index - run >= 0 and self.gaps[index - run]:
            run += 1
        return run

    @property
    def gap_runs(self) -> list[tuple[int, int]]:
        """(first, last) session indexes of each run of 2 or more consecutive sessions with a gap."""
        runs, start = [], None
        for i, gap in enumerate(self.gaps + (False,)):
            if gap and start is None:
                start = i
            elif not gap and start is not None:
                if i - start >= 2:
                    runs.append((start, i - 1))
                start = None
        return runs

    @property
    def persistent_gap(self) -> bool:
        return bool(self.gap_runs)

    def persistent_at(self, index: int) -> bool:
        return self.gap_run(index) >= 2


@dataclass(frozen=True)
class IndexSeries:
    """A health index (joint or a partner's), session by session."""

    key: str  # partner key; "" for the joint index
    name: str
    values: tuple[float | None, ...]  # 0-100 per session

    def change(self, index: int) -> Change:
        return _change(self.values, index)


@dataclass(frozen=True)
class Callout:
    """One thing to tell the room about a session compared with the one before."""

    kind: str  # "improved" | "regressed" | "persistent gap" | "gap closed"
    point_key: str
    point_number: int
    point_title: str
    partner_key: str = ""
    partner_name: str = ""
    before: float | None = None
    after: float | None = None
    sessions: int = 0  # for a persistent gap: consecutive sessions with it

    @property
    def delta(self) -> float | None:
        return Change(self.before, self.after).delta

    def describe(self) -> str:
        where = f"{self.point_number}. {self.point_title}"
        if self.kind in ("improved", "regressed"):
            return (
                f"{where}: {self.partner_name} {format_score(self.before)} → {format_score(self.after)} "
                f"({format_change(self.delta)})"
            )
        if self.kind == "persistent gap":
            return f"{where}: a perception gap in {self.sessions} sessions running"
        return f"{where}: the perception gap has closed"


@dataclass(frozen=True)
class Trends:
    """The points and indexes over the alliance's sessions."""

    session_ids: tuple[str, ...]
    dates: tuple[str, ...]
    points: tuple[PointTrend, ...]
    joint: IndexSeries
    partners: tuple[IndexSeries, ...]

    def __len__(self) -> int:
        return len(self.session_ids)

    def callouts(self, index: int | None = None) -> list[Callout]:
        """Improvements, regressions, persistent and closed gaps at a session (default the latest)."""
        index = len(self) - 1 if index is None else index
        found: list[Callout] = []
        if index <= 0:
            return found
        for point in self.points:
            for partner in point.partners:
                change = partner.change(index)
                if change.direction in ("improved", "regressed"):
                    found.append(
                        Callout(
                            change.direction,
                            point.key,
                            point.number,
                            point.title,
                            partner.key,
                            partner.name,
                            change.before,
                            change.after,
                        )
                    )
            if point.persistent_at(index):
                found.append(
                    Callout("persistent gap", point.key, point.number, point.title, sessions=point.gap_run(index))
                )
            elif point.gaps[index - 1] and point.spreads[index] is not None and not point.gaps[index]:
                found.append(Callout("gap closed", point.key, point.number, point.title))
        return found


def _checklist(version: int) -> Checklist:
    try:
        return load_checklist(version)
    except UnknownChecklistVersion:
        return load_checklist(CURRENT_VERSION)


def trends(timeline: Timeline) -> Trends:
    """Score, index and gap series over the timeline, by the latest session's checklist."""
    sessions = timeline.sessions
    checklist = _checklist(timeline.latest.checklist_version)
    partner_names: dict[str, str] = {}
    for session in sessions:  # the latest name wins; the latest session's partners come first
        for partner in session.partners:
            partner_names[partner.key] = partner.name
    order = [p.key for p in timeline.latest.partners]
    order += [k for k in partner_names if k not in order]
    stats_by_session = []
    for session in sessions:
        stats_by_session.append({p.key: scoring.point_stats(session, p.key) for p in checklist.points})
    points = []
    for point in checklist.points:
        stats = [by_key[point.key] for by_key in stats_by_session]
        partners = tuple(
            PartnerSeries(key, partner_names[key], tuple(s.scores.get(key) for s in stats)) for key in order
        )
        points.append(
            PointTrend(
                key=point.key,
                number=point.number,
                title=point.title,
                partners=partners,
                values=tuple(None if s.value is None else round(s.value, 2) for s in stats),
                spreads=tuple(s.spread for s in stats),
                gaps=tuple(s.discuss for s in stats),
                agreed=tuple(s.agreed for s in stats),
                means=tuple(s.mean for s in stats),
            )
        )
    own = [_checklist(s.checklist_version) for s in sessions]
    joint = IndexSeries("", "Joint", tuple(scoring.joint_index(s, c) for s, c in zip(sessions, own)))
    partner_series = tuple(
        IndexSeries(
            key,
            partner_names[key],
            tuple(scoring.partner_index(s, c, key) if s.partner(key) else None for s, c in zip(sessions, own)),
        )
        for key in order
    )
    return Trends(tuple(s.id for s in sessions), tuple(s.date for s in sessions), tuple(points), joint, partner_series)


SPARK_LEVELS = "▁▃▄▆█"  # scores 0..4


def spark(values: Sequence[float | None], top: float = 4) -> str:
    """A tiny text chart: one block per session on a fixed 0..top scale, '·' where not scored."""
    out = []
    for value in values:
        if value is None:
            out.append("·")
        else:
            level = round(max(0.0, min(float(value), top)) / top * (len(SPARK_LEVELS) - 1))
            out.append(SPARK_LEVELS[level])
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Cadence of sponsor meetings (point 6)


@dataclass(frozen=True)
class MeetingRef:
    """A sponsor meeting as the cadence check sees it."""

    date: str
    mode: str
    notes: str = ""
    id: str = ""

    @property
    def in_person(self) -> bool:
        return self.mode == "in person"


@dataclass(frozen=True)
class MissedMeeting:
    """A planned sponsor meeting with no record of being held."""

    date: str
    planned_in: str  # date of the session that recorded it as planned
    reason: str  # "no longer recorded" | "held remotely"

    def describe(self) -> str:
        if self.reason == "held remotely":
            return f"{self.date}: planned in person (recorded {self.planned_in}), held remotely instead"
        return f"{self.date}: planned in person (recorded {self.planned_in}), not recorded as held"


@dataclass(frozen=True)
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
    start = (end - timedelta(days=window_days)).isoformat()
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


# --------------------------------------------------------------------------------------------
# Agreement changes


@dataclass(frozen=True)
class DiffLine:
    """One line of a section's text compared with the session before."""

    kind: str  # "same" | "removed" | "added" | "changed"
    text: str  # the line (for "changed": the new line)
    before: str = ""  # for "changed": the old line
    segments: tuple[tuple[str, str], ...] = ()  # for "changed": (same|removed|added, words)


@dataclass(frozen=True)
class SectionChange:
    """How one agreement section changed since the session before."""

    key: str
    number: int
    title: str
    status: str  # unchanged | changed | new | removed | empty
    lines: tuple[DiffLine, ...]

    @property
    def changed(self) -> bool:
        return self.status in ("changed", "new", "removed")

    @property
    def status_label(self) -> str:
        return SECTION_STATUS_LABELS.get(self.status, self.status)

    @property
    def removed(self) -> list[str]:
        return [
            line.before if line.kind == "changed" else line.text
            for line in self.lines
            if line.kind in ("removed", "changed")
        ]

    @property
    def added(self) -> list[str]:
        return [line.text for line in self.lines if line.kind in ("added", "changed")]


def section_lines(session: Session, section_key: str, structured: Sequence[str] = ()) -> list[str]:
    """A section as lines to compare: its prose (blank lines dropped), then its table's rows."""
    return [text for text, _item in _section_rows(session, section_key, structured)]


def _section_rows(session: Session, section_key: str, structured: Sequence[str]) -> list[tuple[str, str]]:
    """(line, item id) pairs: prose lines have no item id, table rows the id of their item."""
    draft = session.sections.get(section_key)
    rows = [(line.rstrip(), "") for line in (draft.text if draft else "").splitlines() if line.strip()]
    names = {p.key: p.name for p in session.partners}

    def parts(*pairs: tuple[str, str]) -> str:
        return "; ".join(f"{label} {value}".strip() for label, value in pairs if value.strip())

    def one_line(text: str) -> str:
        return " ".join(text.split())

    if "measures" in structured:
        for m in scoring.table_rows(session, "measures"):  # suggestions are not the agreement's yet
            details = parts(
                ("", m.kind),
                ("how:", m.how_measured),
                ("target:", m.target),
                ("owner:", m.owner),
                ("review:", m.review_frequency),
            )
            rows.append((one_line(f"Measure: {m.name} ({details})" if details else f"Measure: {m.name}"), m.id))
    if "roles" in structured:
        for r in session.roles:
            who = session.partner_name(r.partner)
            rows.append((one_line(f"Role: {r.person} ({who}): {r.responsibility}"), r.id))
    if "tasks" in structured:
        for t in session.tasks:
            details = parts(
                ("owner", t.owner),
                ("", names.get(t.partner, t.partner) if t.partner else ""),
                ("due", t.due),
                ("", t.status),
            )
            rows.append((one_line(f"Task: {t.text} ({details})"), t.id))
    if "sponsor_meetings" in structured:
        for m in sorted(session.sponsor_meetings, key=lambda m: m.date):
            rows.append(
                (one_line(f"Sponsor meeting: {m.date}, {m.mode}" + (f": {m.notes}" if m.notes.strip() else "")), m.id)
            )
    return rows


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """(same|removed|added, text) segments that turn `before` into `after`, word by word."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    segments: list[list[str]] = []

    def add(kind: str, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if segments and segments[-1][0] == kind:
            segments[-1][1] += text
        else:
            segments.append([kind, text])

    for op, a1, a2, b1, b2 in _matcher(old, new).get_opcodes():
        if op == "equal":
            add("same", old[a1:a2])
        else:
            add("removed", old[a1:a2])
            add("added", new[b1:b2])
    return tuple((kind, text) for kind, text in segments)


def _matcher(a: Sequence[Any], b: Sequence[Any]) -> SequenceMatcher[Any]:
    # difflib only when sections are compared: an export without "changes since" does not need it.
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b, autojunk=False)


def diff_lines(
    before: Sequence[str], after: Sequence[str], before_items: Sequence[str] = (), after_items: Sequence[str] = ()
) -> tuple[DiffLine, ...]:
    """A line diff. An edited line becomes one 'changed' line with a word diff: a prose line when
    most of it is unchanged, a table row when it is the same item (`*_items` give each line's item id)."""
    before_items = list(before_items) or [""] * len(before)
    after_items = list(after_items) or [""] * len(after)
    result: list[DiffLine] = []
    matcher = _matcher(list(before), list(after))
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            result += [DiffLine("same", line) for line in before[a1:a2]]
            continue
        old, new = list(before[a1:a2]), list(after[b1:b2])
        old_items, new_items = before_items[a1:a2], after_items[b1:b2]
        removed, added = [], []
        unmatched = list(range(len(new)))
        for k, line in enumerate(old):
            partner = next((j for j in unmatched if _same_line(line, old_items[k], new[j], new_items[j])), None)
            if partner is None:
                removed.append(DiffLine("removed", line))
                continue
            unmatched.remove(partner)
            # Additions before the edited line stay before it.
            for j in [j for j in unmatched if j < partner]:
                added.append(DiffLine("added", new[j]))
                unmatched.remove(j)
            result += removed + added
            removed, added = [], []
            result.append(DiffLine("changed", new[partner], line, word_diff(line, new[partner])))
        result += removed + [DiffLine("added", new[j]) for j in unmatched]
    return tuple(result)


def _same_line(old: str, old_item: str, new: str, new_item: str) -> bool:
    if old_item or new_item:
        return old_item == new_item
    return _matcher(old, new).ratio() >= 0.6


def section_changes(previous: Session, current: Session, checklist: Checklist | None = None) -> list[SectionChange]:
    """Every agreement section of `current`, compared with `previous`."""
    checklist = checklist or _checklist(current.checklist_version)
    changes = []
    for section in checklist.sections:
        before_rows = _section_rows(previous, section.key, section.structured)
        after_rows = _section_rows(current, section.key, section.structured)
        before, after = [t for t, _i in before_rows], [t for t, _i in after_rows]
        if before == after:
            status = "unchanged" if after else "empty"
        elif not before:
            status = "new"
        elif not after:
            status = "removed"
        else:
            status = "changed"
        lines = diff_lines(before, after, [i for _t, i in before_rows], [i for _t, i in after_rows])
        changes.append(SectionChange(section.key, section.number, section.title, status, lines))
    return changes


def timeline_changes(timeline: Timeline, index: int | None = None) -> list[SectionChange] | None:
    """The agreement changes of a session since the one before it (None for the first session)."""
    index = timeline.focus_index if index is None else index
    if index <= 0:
        return None
    return section_changes(timeline.sessions[index - 1], timeline.sessions[index])


# --------------------------------------------------------------------------------------------
# Everything for one session, as used by reports, the CLI and the screen


@dataclass(frozen=True)
class SessionHistory:
    """The history as seen from one session of the timeline."""

    timeline: Timeline
    index: int
    trends: Trends
    cadence: Cadence
    changes: list[SectionChange] | None

    @property
    def session(self) -> Session:
        return self.timeline.sessions[self.index]

    @property
    def previous(self) -> Session | None:
        return self.timeline.sessions[self.index - 1] if self.index > 0 else None

    @property
    def callouts(self) -> list[Callout]:
        return self.trends.callouts(self.index)

    @property
    def gaps(self) -> list[Gap]:
        return self.timeline.gaps_before(self.session.id)


def history_at(timeline: Timeline, index: int | None = None) -> SessionHistory:
    index = timeline.focus_index if index is None else index
    return SessionHistory(
        timeline, index, trends(timeline), cadence(timeline, index), timeline_changes(timeline, index)
    )


def seen_from(history: SessionHistory, index: int) -> SessionHistory:
    """The same history seen from another session of the timeline (trends are not recomputed)."""
    return replace(
        history,
        index=index,
        cadence=cadence(history.timeline, index),
        changes=timeline_changes(history.timeline, index),
    )
