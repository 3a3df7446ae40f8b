"""Everything of the history for one session, as the reports, the CLI and the history screen use it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from facilitator.domain.history.agreement_changes import SectionChange, timeline_changes
from facilitator.domain.history.score_trends import Callout, Trends, trends
from facilitator.domain.history.sponsor_cadence import Cadence, cadence
from facilitator.domain.history.timeline import Gap, Timeline
from facilitator.domain.model import Session
from facilitator.domain.records import record

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------------------------
# Everything for one session, as used by reports, the CLI and the screen


@record(frozen=True)
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


def history_at(timeline: Timeline, index: int | None = None, *, with_changes: bool = True) -> SessionHistory:
    """The history seen from the session at `index` (default the focus). `with_changes=False`
    leaves the agreement's comparison with the session before out (`changes` None)."""
    index = timeline.focus_index if index is None else index
    changes = timeline_changes(timeline, index) if with_changes else None
    return SessionHistory(timeline, index, trends(timeline), cadence(timeline, index), changes)


def seen_from(history: SessionHistory, index: int) -> SessionHistory:
    """The same history seen from another session of the timeline (trends are not recomputed)."""
    return replace(
        history,
        index=index,
        cadence=cadence(history.timeline, index),
        changes=timeline_changes(history.timeline, index),
    )
