"""The session's dates as an iCalendar file (RFC 5545), for invitations: the sponsor meetings, the
open actions' due dates and the next meeting.

Every event is an all-day event with a UID made from the session and the item's own id, so a calendar
that imports the file again updates its events instead of doubling them. Typed text (names, notes,
actions) goes into TEXT properties only, which `icalendar` escapes (commas, semicolons, backslashes,
line breaks) and folds: it can never start a property or a component of its own. `icalendar` is
imported here, only by this export.
"""

from __future__ import annotations

import datetime
from typing import Any

from facilitator.base.errors import ReportError
from facilitator.base.terminal_text import without_controls
from facilitator.domain.model import Session

PRODID = "-//facilitator//partnership health check//EN"
UID_DOMAIN = "facilitator.invalid"  # a domain that can belong to no one, after the session's id


def session_calendar(session: Session, context: dict[str, Any]) -> str:
    """The calendar as text (CRLF line ends, as RFC 5545 asks). `context`: `build_context`'s, for
    the action plan as the scorecard shows it (partner names, point numbers)."""
    try:
        import icalendar
    except ImportError:
        raise ReportError("The calendar export needs icalendar, which is missing: reinstall facilitator.") from None
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{session.alliance}: partnership dates")
    stamp = _stamp(session)
    alliance = session.alliance

    def event(uid: str, day: str, summary: str, description: str, category: str) -> None:
        item = icalendar.Event()
        item.add("uid", f"{session.id}-{uid}@{UID_DOMAIN}")
        item.add("dtstamp", stamp)
        start = _day(day, summary)
        item.add("dtstart", start)
        if start < datetime.date.max:  # without DTEND a day's event lasts the day (RFC 5545)
            item.add("dtend", start + datetime.timedelta(days=1))
        item.add("summary", without_controls(summary))
        if description:
            item.add("description", without_controls(description))
        item.add("categories", [category])
        item.add("transp", "TRANSPARENT")  # a reminder of a day, not time blocked out
        calendar.add_component(item)

    for meeting in sorted(session.sponsor_meetings, key=lambda m: m.date):
        mode = "in person" if meeting.in_person else meeting.mode
        event(f"meeting-{meeting.id}", meeting.date, f"{alliance}: sponsor meeting ({mode})", meeting.notes, "Sponsors")
    for action in context["actions"]["open"]:
        if not action["due"]:
            continue
        who = ", ".join(part for part in (action["owner"], action["partner"]) if part)
        lines = [f"Owner: {who}" if who else "No owner named"]
        if action["point_number"] is not None:
            lines.append(f"Checklist point {action['point_number']}. {action['point_title']}")
        lines.append(f"From the session of {session.date} ({session.id}).")
        event(
            f"action-{action['id']}", action["due"], f"Due ({alliance}): {action['text']}", "\n".join(lines), "Actions"
        )
    if session.next_meeting:
        kind = "review meeting"
        event("next-meeting", session.next_meeting, f"{alliance}: next {kind}", f"Follows {session.id}.", "Meetings")
    return str(calendar.to_ical().decode("utf-8"))


def _day(value: str, what: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ReportError(f"'{what}' has a date that is not one: {value!r} (use YYYY-MM-DD).") from None


def _stamp(session: Session) -> datetime.datetime:
    """DTSTAMP: when the session was last saved (so the same session gives the same file)."""
    for value in (session.saved_at, session.created_at):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC).replace(microsecond=0)
    day = _day(session.date, "the session") if session.date else datetime.date(2000, 1, 1)
    return datetime.datetime.combine(day, datetime.time(), datetime.UTC)
