"""Hostile text through every place the meeting and the participant app show the room's words
(issue 13, item 2): Rich and Textual markup (`[/x]`, `[b]`, `[@click=app.quit]`, `[link=...]`),
markup escapes, emoji codes, template variables, Markdown and HTML punctuation, right-to-left and
wide text. Each string is put in a field of a saved session; the app opens it and walks every step
(every point, every section and its table); each string must be on screen exactly as typed, and
the app must still be running.

A session carries about 50 strings; `FACILITATOR_HOSTILE_TUI_SESSIONS` sets how many sessions a run
walks (2 by default; the figure in docs/reliability.md is from 110). `FACILITATOR_HOSTILE_TUI_SEED`
replays a run. The strings start with a unique tag, so a string found on screen is that field's.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from rich.cells import cell_len
from textual.widgets import Input, RadioSet

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.pane_harness import screen_text  # noqa: E402

from facilitator.domain.content import load_checklist  # noqa: E402
from facilitator.domain.model import (
    ActionItem,
    Decision,
    Measure,
    PointRecord,
    Role,
    SectionDraft,  # noqa: E402
    SponsorMeeting,
)
from facilitator.domain.session_factory import create_session  # noqa: E402
from facilitator.participant.app import ParticipantApp  # noqa: E402
from facilitator.participant.ballot_screen import BallotScreen  # noqa: E402
from facilitator.remote.room import open_round_for  # noqa: E402
from facilitator.storage.layout import ballots_dir
from facilitator.tui.app import make_app  # noqa: E402
from facilitator.tui.screens.meeting import MeetingScreen  # noqa: E402

SESSIONS = int(os.environ.get("FACILITATOR_HOSTILE_TUI_SESSIONS", "2"))
SEED = int(os.environ.get("FACILITATOR_HOSTILE_TUI_SEED", random.randrange(2**31)))
SIZE = (160, 50)  # wide enough that no column gives way: the check is on what markup does
CHECKLIST = load_checklist()
TABLES = {"measures": "measures", "roles": "roles", "tasks": "tasks", "sponsor_meetings": "meetings"}

# What a hostile or careless participant might type. Each is harmless as text; read as markup, a
# closing tag with no opening one raises, an action tag runs an action, a style eats the brackets.
FRAGMENTS = [
    "[/x]",
    "[/x",
    "[a='",
    "[EU]",
    "[/]",
    "[b]",
    "[/b]",
    "[i]x[/i]",
    "[@click=app.quit]",
    "[@click=screen.dismiss]quit[/]",
    "[link=https://evil.example]",
    "[red on blue]",
    "[reverse]",
    "[on red]",
    "[bold",
    "[",
    "]",
    "[[",
    "]]",
    "\\[b]",
    "\\",
    "[TBD]",
    "[draft]",
    "[1]",
    ":smile:",
    ":warning:",
    "$date",
    "$text",
    "${x}",
    "{0}",
    "%s",
    "{{ x }}",
    "{% x %}",
    "<b>",
    "</div>",
    "&amp;",
    "&#x41;",
    "**",
    "__",
    "_x_",
    "`x`",
    "|",
    "#",
    ">",
    "~~",
    # (An emoji joined with U+200D is left out: Textual draws it as its parts, as many terminals do.)
    "שלום",
    "مرحبا",
    "漢字",
    "한국어",
    "🙂",
    "🇫🇷",
    "é",
    "e\u0301",
    "'",
    '"',
    "«»",
    "\u00a0",
]


def hostile(rng: random.Random, tag: str, parts: int = 3, cells: int = 30) -> str:
    """The tag and up to `parts` fragments, at most `cells` wide: where it must be seen, it fits
    without wrapping (a wrapped string is checked by the layout tests, not here)."""
    text = tag
    for _ in range(rng.randint(1, parts)):
        fragment = rng.choice(FRAGMENTS)
        if cell_len(text + fragment) <= cells:
            text += fragment
    return text.rstrip("\\ \u00a0")  # a trailing backslash or space is trimmed by some fields on purpose


class Planted:
    """The hostile strings of one session and where each must be seen."""

    def __init__(self, rng: random.Random, number: int) -> None:
        self.rng = rng
        self.number = number
        self.count = 0
        self.expected: dict[str, list[str]] = {}  # where ("welcome", "point-3", ...) -> strings
        self.planted: list[str] = []

    def new(self, where: str, parts: int = 3, cells: int = 30) -> str:
        """A new string, expected on screen at `where` ("" for a field only its form shows)."""
        self.count += 1
        text = hostile(self.rng, f"Z{self.number:03d}{self.count:02d}", parts, cells)
        if where:
            self.expected.setdefault(where, []).append(text)
        self.planted.append(text)
        return text

    def all(self) -> list[str]:
        return self.planted


def build_session(planted: Planted):
    new = planted.new
    partners = [new("welcome", 2) for _ in range(3)]
    session = create_session(
        new("welcome", 2),
        partners,
        date="2026-03-02",
        facilitator=new("welcome", 2),
        sponsors={name: [new("welcome", 2)] for name in partners},
        participants={name: [new("welcome", 2)] for name in partners},
    )
    for i, point in enumerate(CHECKLIST.points):
        session.points[point.key] = PointRecord(notes=new(f"point-{i}"))
    for i, section in enumerate(CHECKLIST.sections):
        session.sections[section.key] = SectionDraft(text=new(f"section-{i}"))
    # The tables wrap a long cell over lines; 16 cells fit their narrowest column at this size.
    session.measures.append(
        Measure(
            name=new("table-measures", 2, 16),
            how_measured=new("", 2),
            target=new("table-measures", 2, 16),
            owner=new("table-measures", 2, 16),
        )
    )
    session.roles.append(
        Role(
            partner=session.partners[0].key, person=new("table-roles", 2, 16), responsibility=new("table-roles", 2, 16)
        )
    )
    session.sponsor_meetings.append(SponsorMeeting(date="2026-04-01", notes=new("table-meetings", 2, 16)))
    session.tasks.append(ActionItem(text=new("table-tasks", 2, 16), owner=new("table-tasks", 2, 16)))
    for _ in range(3):
        session.actions.append(
            ActionItem(
                text=new("actions"),
                owner=new("actions", 2, 14),  # Owner: 15 wide
                partner=session.partners[1].key,
            )
        )
        session.decisions.append(Decision(text=new("actions"), date="2026-03-02"))
    session.agenda.step = "welcome"
    return session


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def missing(expected: list[str], shown: str) -> list[str]:
    return [text for text in expected if text not in shown]


async def walk_meeting(store, session_id: str, planted: Planted) -> list[str]:
    """Open the session and visit everything; returns what was not on screen where it belongs."""
    app = make_app(store=store, open_session=session_id)
    seen: dict[str, str] = {}
    problems: list[str] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:

        async def look(where: str) -> None:
            await settle(app, pilot)
            assert app.is_running and isinstance(app.screen, MeetingScreen), f"the app left the meeting at {where}"
            seen[where] = seen.get(where, "") + screen_text(app)

        await look("welcome")
        await pilot.press("f3")  # the health check, on point 1
        for i in range(len(CHECKLIST.points)):
            await look(f"point-{i}")
            await pilot.press("right")
        await pilot.press("f3")  # the gap board: partner names as column heads, no crash
        await look("gaps")
        await pilot.press("f3")  # the agreement, section 1
        for i, section in enumerate(CHECKLIST.sections):
            await look(f"section-{i}")
            table = TABLES.get(section.structured[0]) if section.structured else None
            await pilot.press("f9")  # a section with a table shows it; the others ignore F9
            await look(f"table-{table}" if table else f"section-{i}")
            await pilot.click("#agreement-tabs Tab#--content-tab-tab-draft")  # back to the draft, as a person clicks
            await pilot.press("alt+down")
        await pilot.press("f3")
        await look("actions")
        await pilot.press("f3")
        await look("close")
        await pilot.press("f10")
        await settle(app, pilot)
    for where, texts in planted.expected.items():
        shown = seen.get(where, "")
        problems += [f"{where}: {text!r}" for text in missing(texts, shown)]
    return problems


async def walk_participant(store, session_id: str, planted: Planted) -> list[str]:
    """A participant joins the session's round with a hostile name and comments on a point."""
    session = store.load(session_id)
    folder = ballots_dir(store.data_dir, session_id)
    state, _ = open_round_for(folder, session)
    name, comment = planted.new("participant", 2), planted.new("participant", 2)
    problems: list[str] = []
    app = ParticipantApp(store.data_dir, session_id, peer="10.1.1.1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        join_screen = screen_text(app)
        problems += [f"join: {text!r}" for text in missing([session.alliance], join_screen)]
        app.screen.query_one("#join-code", Input).value = state.code
        app.screen.query_one("#join-code", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        join_screen = screen_text(app)
        problems += [f"join partners: {text!r}" for text in missing([p.name for p in session.partners], join_screen)]
        assert app.screen.query_one("#join-partner", RadioSet) is not None
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#join-name", Input).value = name
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BallotScreen), screen_text(app)
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("c")  # a comment on the point
        await settle(app, pilot)
        focused = app.focused
        assert isinstance(focused, Input), f"no comment field: {screen_text(app)}"
        focused.value = comment
        await pilot.press("enter")
        await settle(app, pilot)
        ballot = screen_text(app)
        assert app.is_running
        # A participant's name has its spaces made plain and single on purpose (the same person
        # rejoining must match); everything else in it shows as typed.
        problems += [f"ballot: {text!r}" for text in missing([" ".join(name.split()), comment], ballot)]
    return problems


async def test_hostile_text_shows_as_typed_on_every_step(store, record_figure):
    planted_count, problems = 0, []
    for number in range(SESSIONS):
        planted = Planted(random.Random(SEED + number), number)
        with store.create(build_session(planted)) as opened:
            session_id = opened.id
        problems += await walk_meeting(store, session_id, planted)
        problems += await walk_participant(store, session_id, planted)
        assert store.load(session_id).alliance == planted.expected["welcome"][3], "saved as typed"
        planted_count += len(planted.all())
    record_figure(
        "hostile strings through every step of the TUI and the participant app",
        f"{planted_count} in {SESSIONS} sessions (seed {SEED}): 0 crashes, {len(problems)} not shown as typed",
    )
    assert not problems, f"seed {SEED}: not shown as typed:\n" + "\n".join(problems)
