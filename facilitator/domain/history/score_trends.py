"""Per checklist point and partner, the score at each session and its change since the one before;
the health indexes over time; persistent gaps."""

# No `from __future__ import annotations` here: a NamedTuple compiles each field's annotation
# when it is a string (about 0.1 ms a class, paid by every command that imports this module).

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from facilitator.domain import scoring
from facilitator.domain.content import CURRENT_VERSION, Checklist, UnknownChecklistVersion, load_checklist
from facilitator.domain.formatting import format_change, format_score
from facilitator.domain.history.timeline import Timeline
from facilitator.domain.records import record

if TYPE_CHECKING:
    pass


CHANGE_THRESHOLD = 1  # a score change of this much or more is called out


# --------------------------------------------------------------------------------------------
# Trends


# Read-only records are NamedTuples: Python builds them about eight times faster than frozen
# dataclasses, and short commands import this module (docs/benchmarks.md).


class Change(NamedTuple):
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


class PartnerSeries(NamedTuple):
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


class PointTrend(NamedTuple):
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


class IndexSeries(NamedTuple):
    """A health index (joint or a partner's), session by session."""

    key: str  # partner key; "" for the joint index
    name: str
    values: tuple[float | None, ...]  # 0-100 per session

    def change(self, index: int) -> Change:
        return _change(self.values, index)


class Callout(NamedTuple):
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


@record(frozen=True)
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


def checklist_for(version: int) -> Checklist:
    try:
        return load_checklist(version)
    except UnknownChecklistVersion:
        return load_checklist(CURRENT_VERSION)


def trends(timeline: Timeline) -> Trends:
    """Score, index and gap series over the timeline, by the latest session's checklist."""
    sessions = timeline.sessions
    checklist = checklist_for(timeline.latest.checklist_version)
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
    own = [checklist_for(s.checklist_version) for s in sessions]
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
