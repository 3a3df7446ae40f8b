"""The calendar (.ics, read back with icalendar) and the action plan (.csv, read back with csv)."""

from __future__ import annotations

import csv
import io

import icalendar
from report_helpers import rich_session

from facilitator.domain import content
from facilitator.domain.model import ActionItem, SponsorMeeting
from facilitator.reports.action_plan_csv import HEADER, action_plan_csv, neutralised
from facilitator.reports.calendar import session_calendar
from facilitator.reports.context import build_context

CHECKLIST = content.load_checklist(1)
HOSTILE_LINE = "Plan; review, then: sign\\off END:VEVENT"
HOSTILE_TEXT = "First line, with a comma;\nBEGIN:VEVENT\nUID:evil\r\nEND:VCALENDAR\n\\n"


def context_of(session, today: str = "2026-04-20") -> dict:
    return build_context(session, CHECKLIST, with_history=False, today=today)


def events_of(text: str) -> list:
    calendar = icalendar.Calendar.from_ical(text)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def test_the_calendar_has_the_meetings_the_open_actions_due_and_the_next_meeting():
    session = rich_session()
    text = session_calendar(session, context_of(session))
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    events = events_of(text)
    by_uid = {str(e["uid"]): e for e in events}
    assert sorted(by_uid) == sorted(
        f"{session.id}-{name}@facilitator.invalid"
        for name in ("meeting-s1", "meeting-s2", "action-a1", "action-a2", "next-meeting")
    )  # the done action and the action without a due date are not in a calendar
    meeting = by_uid[f"{session.id}-meeting-s1@facilitator.invalid"]
    assert meeting.decoded("dtstart").isoformat() == "2025-04-10"
    assert str(meeting["summary"]) == "Northern Logistics Alliance: sponsor meeting (in person)"
    assert str(meeting["description"]) == "Kick-off dinner.\nAgreed to formalise."
    due = by_uid[f"{session.id}-action-a1@facilitator.invalid"]
    assert due.decoded("dtstart").isoformat() == "2026-04-15"
    assert str(due["summary"]) == "Due (Northern Logistics Alliance): Draft Initech's partner profile"
    assert "Owner: Dennis Ritchie, Initech" in str(due["description"])
    assert by_uid[f"{session.id}-next-meeting@facilitator.invalid"].decoded("dtstart").isoformat() == "2026-09-15"


def test_the_calendar_is_stable_so_a_calendar_updates_instead_of_doubling():
    session = rich_session()
    first = session_calendar(session, context_of(session))
    assert session_calendar(session, context_of(session, today="2030-01-01")) == first


def test_hostile_text_stays_text_in_the_calendar():
    session = rich_session()
    session.alliance = HOSTILE_LINE
    session.sponsor_meetings = [SponsorMeeting(id="s1", date="2026-05-05", mode="in person", notes=HOSTILE_TEXT)]
    session.actions = [ActionItem(id="a1", text=HOSTILE_TEXT, owner=HOSTILE_LINE, due="2026-05-06")]
    session.next_meeting = ""
    events = events_of(session_calendar(session, context_of(session)))
    assert len(events) == 2  # no event smuggled in through a line break
    meeting, action = events
    assert str(meeting["summary"]) == f"{HOSTILE_LINE}: sponsor meeting (in person)"
    assert str(meeting["description"]) == HOSTILE_TEXT.replace("\r\n", "\n")
    assert str(action["summary"]) == f"Due ({HOSTILE_LINE}): {HOSTILE_TEXT}".replace("\r\n", "\n")
    assert f"Owner: {HOSTILE_LINE}" in str(action["description"])


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_action_plan_csv_has_every_action():
    session = rich_session()
    rows = rows_of(action_plan_csv(context_of(session)))
    assert rows[0] == list(HEADER)
    assert [r[0] for r in rows[1:]] == [a.text for a in session.actions]  # linked to a point or not
    assert rows[1][:7] == [
        "Draft Initech's partner profile",
        "2. Needs, strengths, weaknesses shared",
        "Dennis Ritchie",
        "Initech",
        "2026-04-15",
        "Open",
        "yes",
    ]
    assert rows[3][5:7] == ["Done", ""] and rows[4][1] == "" and rows[4][3] == "Joint"


def test_formulas_are_neutralised_in_the_csv():
    session = rich_session()
    hostile = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", 'a,b\n"c"']
    session.actions = [ActionItem(id=f"a{i}", text=t, owner=t, due="") for i, t in enumerate(hostile)]
    rows = rows_of(action_plan_csv(context_of(session)))
    for row, typed in zip(rows[1:], hostile):
        expected = typed if typed[0] not in "=+-@\t\r" else "'" + typed
        assert row[0] == expected and row[2] == expected
    assert neutralised("2026-04-15") == "2026-04-15" and neutralised(None) == ""


def test_formulas_behind_spaces_or_in_full_width_forms_are_neutralised_too():
    """An importer that trims spaces, or a spreadsheet that takes ＝ for =, would run these."""
    for typed in ("  =1+1", "\u3000=1+1", "＝HYPERLINK(1)", "﹦1", "＋1", "－1", "＠SUM(A1)", " \t=1") + (
        "\u200b=HYPERLINK(1)",  # red team: behind a character that shows nothing
        "\ufeff=1+1",
        "\u2800=1+1",
        "\u2060 =1",
    ):
        assert neutralised(typed) == "'" + typed, typed
    for typed in ("Review = done", "1-2 weeks", "a@b.example", "２０２６"):
        assert neutralised(typed) == typed, typed


def test_the_last_day_of_the_calendar_is_an_event_too():
    """Red team: a meeting on 9999-12-31 ended the export with an OverflowError (its end, the day
    after, does not exist). Without an end, a day's event lasts the day."""
    session = rich_session()
    session.sponsor_meetings = [SponsorMeeting("9999-12-31", "in person", "Far off", id="far")]
    events = events_of(session_calendar(session, context_of(session)))
    far = next(e for e in events if str(e["uid"]).startswith(f"{session.id}-meeting-far"))
    assert far.decoded("dtstart").isoformat() == "9999-12-31" and "dtend" not in far


def test_export_format_ics_and_csv_from_the_command_line(cli, tmp_path):
    demo = cli("demo", "--no-open").stdout.strip()
    result = cli("export", demo, "--format", "ics")
    assert result.returncode == 0, result.stderr
    assert events_of(result.stdout)
    out = tmp_path / "plan.csv"
    result = cli("export", demo, "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = rows_of(out.read_text(encoding="utf-8-sig"))
    assert rows[0] == list(HEADER) and len(rows) > 1
    missing = cli("export", demo, "--format", "ics", "-o", str(tmp_path / "no" / "x.ics"))
    assert missing.returncode == 1 and missing.error_line.startswith("facilitator: Cannot write the calendar")
