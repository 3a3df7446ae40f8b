"""Scoring maths: pure functions over a session's scores.

A score is 0-4, or "?" (don't know) / "n/a" (not applicable): those are kept on record but left out
of every average. A wide spread between partners (2 or more) is a perception gap, flagged for
discussion. Health indexes run 0-100 (the mean score as a share of the top score, 4).
"""

from __future__ import annotations

from itertools import combinations
from math import fsum
from typing import TYPE_CHECKING, Any, NamedTuple

from facilitator.base.terminal_text import is_blank
from facilitator.domain.records import record

if TYPE_CHECKING:  # annotations only: the session list imports this module on its start path
    from facilitator.domain.content import Checklist
    from facilitator.domain.model import Session
    from facilitator.domain.score_values import ScoreValue

TOP_SCORE = 4


def fmean(values: list[Any]) -> float:
    """statistics.fmean of a non-empty list, as it computes it (fsum / n), without importing
    `statistics` (with `fractions`, `decimal` and `random`: 3 ms of every export)."""
    return fsum(values) / len(values)


GAP_THRESHOLD = 2  # a spread of this much or more between partners is a perception gap
WEAK_BELOW = 2.0  # a point whose score (agreed or mean) is below this is weak

SECTION_STATUSES = ("empty", "to address", "draft", "to re-confirm", "agreed")


# Read-only records are NamedTuples: Python builds them about eight times faster than frozen
# dataclasses, and short commands import this module (docs/benchmarks.md).


class PointStats(NamedTuple):
    """The partners' scores for one point: mean, range, spread, and whether to discuss it."""

    key: str
    scores: dict[str, ScoreValue]  # every recorded score, by partner key
    numeric: dict[str, float]  # the 0-4 scores only (a mean of votes may be fractional)
    missing: tuple[str, ...]  # partners who have not scored yet
    mean: float | None
    low: float | None
    high: float | None
    spread: float | None
    gaps: dict[tuple[str, str], float]  # absolute difference for each pair of partners who scored
    agreed: int | None

    @property
    def value(self) -> float | None:
        """The point's score for indexes: the room's agreed score, else the partners' mean."""
        return float(self.agreed) if self.agreed is not None else self.mean

    @property
    def discuss(self) -> bool:
        """Partners see this point differently enough to talk about it."""
        return self.spread is not None and self.spread >= GAP_THRESHOLD

    @property
    def weak(self) -> bool:
        return self.value is not None and self.value < WEAK_BELOW

    @property
    def complete(self) -> bool:
        return not self.missing


def point_stats(session: Session, point_key: str) -> PointStats:
    record = session.points.get(point_key)
    scores = dict(record.scores) if record else {}
    # Only partners still in the session count; order follows the session's partner list.
    partner_keys = [p.key for p in session.partners]
    scores = {k: scores[k] for k in partner_keys if k in scores}
    # A float is a partner's mean of several people's votes; bool is an int in Python but never a score.
    numeric = {k: v for k, v in scores.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    values = list(numeric.values())
    # Rounded: means of votes are stored to two decimals, and 2.8 - 0.8 must be a gap of 2, not 1.9999.
    gaps = {(a, b): round(abs(numeric[a] - numeric[b]), 2) for a, b in combinations(numeric, 2)}
    return PointStats(
        key=point_key,
        scores=scores,
        numeric=numeric,
        missing=tuple(k for k in partner_keys if k not in scores),
        mean=fmean(values) if values else None,
        low=min(values) if values else None,
        high=max(values) if values else None,
        spread=round(max(values) - min(values), 2) if values else None,
        gaps=gaps,
        agreed=record.agreed if record else None,
    )


@record(frozen=True)
class VoteSpread:
    """How the people of one partner scored a point from their own devices."""

    partner: str
    count: int  # people who voted
    low: int | None  # lowest and highest 0-4 vote (None when nobody gave a number)
    high: int | None

    @property
    def spread(self) -> int | None:
        return None if self.low is None or self.high is None else self.high - self.low


def vote_spreads(session: Session, point_key: str) -> dict[str, VoteSpread]:
    """Per partner with remote votes on this point: how many people and how far apart they are."""
    record = session.points.get(point_key)
    if record is None or not record.votes:
        return {}
    result = {}
    for partner in session.partners:
        votes = record.votes.get(partner.key)
        if not votes:
            continue
        numbers = [v.score for v in votes.values() if isinstance(v.score, int) and not isinstance(v.score, bool)]
        result[partner.key] = VoteSpread(
            partner.key, len(votes), min(numbers, default=None), max(numbers, default=None)
        )
    return result


def all_point_stats(session: Session, checklist: Checklist) -> list[PointStats]:
    return [point_stats(session, point.key) for point in checklist.points]


def to_index(mean: float | None) -> float | None:
    return None if mean is None else round(mean / TOP_SCORE * 100, 1)


def partner_index(session: Session, checklist: Checklist, partner_key: str) -> float | None:
    """One partner's own view of the alliance's health, 0-100."""
    return _partner_index(all_point_stats(session, checklist), partner_key)


def partner_indexes(session: Session, checklist: Checklist) -> dict[str, float | None]:
    stats = all_point_stats(session, checklist)  # once for every partner
    return {p.key: _partner_index(stats, p.key) for p in session.partners}


def _partner_index(stats: list[PointStats], partner_key: str) -> float | None:
    values = [s.numeric[partner_key] for s in stats if partner_key in s.numeric]
    return to_index(fmean(values)) if values else None


def joint_index(session: Session, checklist: Checklist) -> float | None:
    """The alliance's health, 0-100: the mean over points of each point's agreed or mean score."""
    values = [s.value for s in all_point_stats(session, checklist) if s.value is not None]
    return to_index(fmean(values)) if values else None


def discussion_order(stats: list[PointStats]) -> list[PointStats]:
    """Points to talk about first: widest gaps, then weakest, then checklist order."""
    return sorted(
        (s for s in stats if s.discuss or s.weak),
        key=lambda s: (-(s.spread or 0), s.value if s.value is not None else TOP_SCORE),
    )


def sections_to_address(session: Session, checklist: Checklist) -> set[str]:
    """Agreement sections fed by a weak or split checklist point."""
    flagged = {s.key for s in all_point_stats(session, checklist) if s.weak or s.discuss}
    return {section.key for section in checklist.sections if flagged.intersection(section.points)}


def table_rows(session: Session, table: str) -> list[Any]:
    """The rows of one of the agreement's tables (measures, roles, tasks, sponsor_meetings, governance,
    escalation, triggers) that the room wrote or kept: a measure the app only suggested is not the
    room's content yet."""
    if table == "measures":
        return [m for m in session.measures if not m.suggested]
    tables: dict[str, list[Any]] = {
        "roles": list(session.roles),
        "tasks": list(session.tasks),
        "sponsor_meetings": list(session.sponsor_meetings),
        "governance": list(session.terms.governance),
        "escalation": list(session.terms.escalation),
        "triggers": list(session.terms.triggers),
    }
    return tables.get(table, [])


def section_has_content(session: Session, checklist: Checklist, section_key: str) -> bool:
    """The room has written something in this section: its text, or a row of its table."""
    draft = session.sections.get(section_key)
    if draft and not is_blank(draft.text):
        return True
    section = next((s for s in checklist.sections if s.key == section_key), None)
    return section is not None and any(table_rows(session, table) for table in section.structured)


def section_status(session: Session, checklist: Checklist, section_key: str, to_address: set[str] | None = None) -> str:
    """One of SECTION_STATUSES: agreed, to re-confirm (agreed at the session before, unchanged
    since), draft (text or table rows), to address (fed by a weak or split point, nothing written
    yet), or empty."""
    draft = session.sections.get(section_key)
    if draft and draft.agreed:
        return "agreed"
    if draft and draft.carried is not None and draft.carried.agreed and draft.carried_unchanged:
        return "to re-confirm"
    if section_has_content(session, checklist, section_key):
        return "draft"
    if to_address is None:
        to_address = sections_to_address(session, checklist)
    return "to address" if section_key in to_address else "empty"


def section_counts(session: Session, checklist: Checklist) -> dict[str, int]:
    """How many sections are in each status: every section counted once, so they add up."""
    to_address = sections_to_address(session, checklist)
    counts = dict.fromkeys(SECTION_STATUSES, 0)
    for section in checklist.sections:
        counts[section_status(session, checklist, section.key, to_address)] += 1
    return counts


def scoring_progress(session: Session, checklist: Checklist) -> tuple[int, int]:
    """(scores entered, scores expected) over all points and partners."""
    expected = len(checklist.points) * len(session.partners)
    entered = sum(len(s.scores) for s in all_point_stats(session, checklist))
    return entered, expected


# --------------------------------------------------------------------------------------------
# The figures as every screen and document shows them. One function per figure, so that the
# score board, the gap board, the Close summary, the history, `facilitator show` and both
# documents never round the same number two ways.


def point_flags(stats: PointStats) -> tuple[str, ...]:
    """A point's flags: "gap" (a perception gap: discuss it), "weak", both or none."""
    return tuple(flag for flag, on in (("gap", stats.discuss), ("weak", stats.weak)) if on)
