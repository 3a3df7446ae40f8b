"""Alliance history: the sessions of one alliance over time, their trends, the sponsor-meeting
cadence, and what changed in the agreement between one session and the next.

Pure Python (no Textual, TinyDB or Jinja2). One module per part below (`timeline`,
`score_trends`, `sponsor_cadence`, `agreement_changes`, `session_history`); this face hands their
names on. `build_timeline()` works on any list of sessions; `load_timeline()` reads them from a
store (anything with `summaries()`, `load()` and `resolve()`) and tolerates damaged or missing
files, which become `Gap`s in the timeline instead of errors.

Rules, in one place:

- **Timeline.** Sessions linked by `follows` (back and forward), plus the sessions of the same
  alliance name (ignoring case) that are not linked, in date order. A `follows` link to a session
  that is missing or cannot be read is a gap, reported with its id; the history goes on without it.
- **A session's own line** (`lineage.load_lineage`). What documents show: the session and those
  it follows, link by link, read file by file (no look at the rest of the folder). A namesake
  that is not linked is in the alliance's timeline, not in the line.
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

from facilitator.domain.history.agreement_changes import (
    SECTION_STATUS_LABELS,
    DiffLine,
    SectionChange,
    diff_lines,
    section_changes,
    section_lines,
    timeline_changes,
    word_diff,
)
from facilitator.domain.history.score_trends import (
    CHANGE_THRESHOLD,
    SPARK_LEVELS,
    Callout,
    Change,
    IndexSeries,
    PartnerSeries,
    PointTrend,
    Trends,
    checklist_for,
    spark,
    trends,
)
from facilitator.domain.history.session_history import (
    SessionHistory,
    history_at,
    seen_from,
)
from facilitator.domain.history.sponsor_cadence import (
    CADENCE_BASIS,
    CADENCE_REQUIRED,
    CADENCE_WINDOW_DAYS,
    Cadence,
    MeetingRef,
    MissedMeeting,
    cadence,
)
from facilitator.domain.history.timeline import (
    Gap,
    Timeline,
    build_timeline,
    load_timeline,
    related_ids,
)

__all__ = [
    "Gap",
    "Timeline",
    "related_ids",
    "build_timeline",
    "load_timeline",
    "CHANGE_THRESHOLD",
    "Change",
    "PartnerSeries",
    "PointTrend",
    "IndexSeries",
    "Callout",
    "Trends",
    "checklist_for",
    "trends",
    "SPARK_LEVELS",
    "spark",
    "CADENCE_REQUIRED",
    "CADENCE_WINDOW_DAYS",
    "CADENCE_BASIS",
    "MeetingRef",
    "MissedMeeting",
    "Cadence",
    "cadence",
    "SECTION_STATUS_LABELS",
    "DiffLine",
    "SectionChange",
    "section_lines",
    "word_diff",
    "diff_lines",
    "section_changes",
    "timeline_changes",
    "SessionHistory",
    "history_at",
    "seen_from",
]
