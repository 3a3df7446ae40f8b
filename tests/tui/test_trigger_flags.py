"""Exit and renegotiation triggers flagged where the facilitator looks: the Close step checks them
against the alliance's history read from the data folder (health checks running), and the History
marks the sessions at which one was hit and says which at the chosen one."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import DataTable, Static
from tui_support import SIZE, settle

from facilitator.domain.agreement_terms import ExitTrigger
from facilitator.domain.content import load_checklist
from facilitator.tui.panes.close import ClosePane
from facilitator.tui.screens.history import HistoryScreen

from .pane_harness import PaneHarness

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import build_sessions, save_sessions  # noqa: E402

# Riverside's joint index runs 35 -> 49 -> 59 -> 58; its sponsors met in person once in the 12
# months to S4.
TRIGGERS = [
    ExitTrigger("joint-index-below", 60, running=3, consequence="renegotiate"),
    ExitTrigger("sponsor-meetings-below", 2, consequence="renegotiate"),
    ExitTrigger("partner-index-below", 20, running=1, consequence="exit"),
]


def sessions_with_triggers():
    sessions = build_sessions()
    for session in sessions:
        session.terms.triggers = [
            ExitTrigger(t.kind, t.threshold, t.running, t.partner, t.consequence) for t in TRIGGERS
        ]
    return sessions


async def test_close_checks_the_triggers_over_the_alliance_history_read_from_the_folder(store):
    sessions = sessions_with_triggers()
    save_sessions(store, sessions)
    s3, s4 = sessions[2], sessions[3]
    app = PaneHarness(ClosePane, session=s4)
    app.context.previous = s3
    app.context.store = store
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        heading = str(app.screen.query_one("#close-triggers-heading", Static).render())
        lines = str(app.screen.query_one("#close-triggers", Static).render()).splitlines()
        assert heading == "Exit and renegotiation triggers (2 of 3 hit)"
        # Three health checks running needs S2, which only the data folder has.
        assert lines[0] == (
            "⚠ HIT Joint health index below 60 at 3 health checks running: joint index 49, 59, 58 "
            "(2025-03-12, 2025-09-16, 2026-03-10) → renegotiate the agreement"
        )
        assert lines[1].startswith("⚠ HIT Sponsors met in person fewer than twice in 12 months")
        assert lines[2].startswith("✓ not hit A partner's own index below 20 at a health check")

        # The room's scores count at once: lifting the joint index lifts the first trigger.
        checklist = load_checklist(s4.checklist_version)
        for point in checklist.points:
            for partner in s4.partners:
                s4.set_score(point.key, partner.key, 4)
        app.pane.refresh_from_session()
        await pilot.pause()
        first = str(app.screen.query_one("#close-triggers", Static).render()).splitlines()[0]
        assert first.startswith("✓ not hit Joint health index below 60")


async def test_close_without_triggers_shows_no_trigger_block():
    sessions = build_sessions()
    app = PaneHarness(ClosePane, session=sessions[3])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#close-triggers-heading", Static).display
        assert not app.screen.query_one("#close-triggers", Static).display


async def test_history_marks_the_sessions_at_which_a_trigger_was_hit(app_factory, store):
    save_sessions(store, sessions_with_triggers())
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        timeline = screen.query_one("#timeline", DataTable)
        labels = [str(column.label) for column in timeline.columns.values()]
        marks = [str(timeline.get_row_at(i)[labels.index("Triggers")]) for i in range(timeline.row_count)]
        # S1: the sponsors had met once (the kick-off); S2: twice, and 2 health checks only; S3 and
        # S4: three health checks below 60 running, and the sponsors met in person once.
        assert marks == ["⚠ 1 hit", "none hit", "⚠ 2 hit", "⚠ 2 hit"]
        text = str(screen.query_one("#triggers", Static).render())
        assert text.startswith("⚠ Exit triggers hit at this session (2 of 3):")
        assert "Joint health index below 60 at 3 health checks running: joint index 49, 59, 58" in text

        # Choosing the second session shows its agreement's triggers as checked then.
        timeline.move_cursor(row=1)
        await pilot.pause()
        assert str(screen.query_one("#triggers", Static).render()) == (
            "✓ Exit triggers: none of 3 hit at this session (1 not checkable yet)."
        )
        assert screen.query_one("#triggers", Static).has_class("-hit") is False
