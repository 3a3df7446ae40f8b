"""The alliance's other sessions, read once for what the meeting checks against them: the
agreement's version number and its exit triggers.

Blocking (it reads the data folder): call it from a thread worker. The session open in the meeting
replaces its stored copy, so what the room changes counts at once (`agreement_checks` puts the
current session into the timeline again at every check).
"""

from __future__ import annotations

from facilitator.base.errors import FacilitatorError
from facilitator.domain.history.timeline import Timeline, load_timeline
from facilitator.tui.meeting_context import MeetingContext


def read_alliance_timeline(context: MeetingContext) -> Timeline | None:
    """The alliance's timeline with the open session in it; None when it cannot be read (the
    checks then use the session and the one it follows, if that was read)."""
    session = context.session
    if context.store is not None:
        try:
            return load_timeline(context.store, session.id, current=session)
        except (FacilitatorError, OSError):
            pass
    return nearby_timeline(context)


def nearby_timeline(context: MeetingContext) -> Timeline | None:
    """Without reading the folder: the session and the one it follows, when that was read."""
    if context.previous is not None:
        return Timeline.single(context.previous).with_session(context.session)
    return None
