"""The health check: one checklist point at a time, large enough to read from the back of the room.

The question, the talking point and what "in place" looks like; blind scores per partner, revealed
on R; notes for the point; an action item linked to the point on A.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static, TextArea

from facilitator.base.errors import InvalidInput
from facilitator.domain.score_values import parse_score
from facilitator.domain.scoring import point_stats
from facilitator.tui.dialogs.remote_panel import RemoteProgress
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.panes.pane import MeetingPane
from facilitator.tui.widgets.one_key_input import OneKeyInput
from facilitator.tui.widgets.score_board import ScoreBoard, score_text


class PointStrip(Static):
    """All ten points in one line: where we are, and which are scored, revealed or split.

    Grey: not scored yet; yellow: scored, not revealed; green: revealed; red: a perception gap.
    """

    DEFAULT_CSS = """
    PointStrip {
        height: 1;
        margin: 0 0 1 0;
    }
    """

    _shown: Text | None = None

    def show(self, context: MeetingContext, current: int) -> None:
        text = Text()
        partner_keys = {p.key for p in context.session.partners}
        for index, point in enumerate(context.checklist.points):
            record = context.session.points.get(point.key)
            # Called on every score: the full statistics only for revealed points (the gap colour).
            if record and record.revealed and point_stats(context.session, point.key).discuss:
                style = "bold white on #b3261e"
            elif record and record.revealed:
                style = "bold black on #8bc34a"
            elif record and not partner_keys.isdisjoint(record.scores):
                style = "bold black on #f6c343"
            else:
                style = "dim"
            label = f" {point.number} "
            if index == current:
                text.append("▸", style="bold")
                text.append(label, style=style + " underline")
            else:
                text.append(" ")
                text.append(label, style=style)
        # Re-scoring a point leaves the strip as it was: a repaint would also redraw everything
        # between it and the score board (the compositor repaints the box around both).
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)  # always one line: no new layout of the screen


class HealthCheckPane(MeetingPane):
    DEFAULT_CSS = """
    HealthCheckPane > VerticalScroll {
        padding: 0 2;
    }
    HealthCheckPane #point-heading {
        color: $text-muted;
    }
    HealthCheckPane #point-question {
        text-style: bold;
        color: $text;
        margin: 0 0 1 0;
        padding: 0 1;
        background: $boost;
        border-left: thick $accent;
    }
    HealthCheckPane .talking-point {
        color: $text-muted;
    }
    HealthCheckPane #score-row {
        height: auto;
        margin: 1 0 0 0;
    }
    HealthCheckPane ScoreBoard {
        width: 1fr;
    }
    HealthCheckPane.-narrow #scale-legend {
        display: none;
    }
    HealthCheckPane #scale-legend {
        width: 27;
        padding: 1 0 0 2;
        color: $text-muted;
    }
    HealthCheckPane #notes-row {
        height: 6;
    }
    HealthCheckPane #point-notes {
        width: 1fr;
        height: 6;
    }
    HealthCheckPane #agreed-column {
        width: 24;
        padding: 0 0 0 2;
    }
    HealthCheckPane #agreed-score {
        width: 10;
    }
    HealthCheckPane #agreed-error {
        color: $error;
    }
    """

    BINDINGS = [
        Binding("left,p,P", "point(-1)", "Point", key_display="←/→"),
        Binding("right,n,N", "point(1)", "Next point", show=False),  # shown with ← as ←/→
        Binding("r,R", "reveal", "Reveal"),
        Binding("a,A", "add_action", "Action"),
        Binding("e,E", "edit_notes", "Notes"),
        Binding("g,G", "agreed", "Agreed score", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield PointStrip(id="point-strip")
            yield Label("", id="point-heading")
            yield Static("", id="point-question")
            yield Static("", id="point-why", classes="talking-point")
            yield Static("", id="point-in-place", classes="talking-point")
            with Horizontal(id="score-row"):
                yield ScoreBoard(self.session, self.checklist, id="score-board")
                yield Static("", id="scale-legend")
            yield RemoteProgress(id="remote-progress")
            with Horizontal(id="notes-row"):
                yield TextArea(id="point-notes", soft_wrap=True, show_line_numbers=False)
                with Vertical(id="agreed-column"):
                    yield Label("Agreed score (G)")
                    yield OneKeyInput(placeholder="0-4", id="agreed-score", max_length=1)
                    yield Label("", id="agreed-error")

    def on_mount(self) -> None:
        self.query_one(ScoreBoard).on_scored = self._show_strip
        self.query_one(
            PointStrip
        ).tooltip = "Grey: not scored yet · yellow: scored, not revealed · green: revealed · red: perception gap"
        notes = self.query_one("#point-notes", TextArea)
        notes.border_title = "Notes for this point (E)"
        self.query_one("#scale-legend", Static).update(self._legend())
        self.refresh_from_session()

    def on_resize(self) -> None:
        # At 80 columns the scale legend gives its room to the scores (it is in the help too).
        self.set_class(self.size.width < 66, "-narrow")

    @property
    def point_index(self) -> int:
        return min(self.session.agenda.current_point, len(self.checklist.points) - 1)

    @property
    def point(self):
        return self.checklist.points[self.point_index]

    def focus_first(self) -> None:
        # Focus now, not on the next tick: a facilitator who presses F3 then a digit at once
        # must have the digit land on the scores.
        self.screen.set_focus(self.query_one(ScoreBoard))

    def refresh_from_session(self) -> None:
        point = self.point
        record = self.session.point(point.key)
        self.query_one(PointStrip).show(self.context, self.point_index)
        self.query_one("#point-heading", Label).update(
            f"Point {point.number} of {len(self.checklist.points)} · {point.title}"
        )
        self.query_one("#point-question", Static).update(point.question)
        self.query_one("#point-why", Static).update(Text.assemble(("Why it matters: ", "bold"), point.why))
        self.query_one("#point-in-place", Static).update(Text.assemble(("In place means: ", "bold"), point.in_place))
        self.query_one(ScoreBoard).show_point(point.key, self.context.previous)
        notes = self.query_one("#point-notes", TextArea)
        if notes.text != record.notes:
            with notes.prevent(TextArea.Changed):
                notes.load_text(record.notes)
        agreed = self.query_one("#agreed-score", Input)
        with agreed.prevent(Input.Changed):
            agreed.value = "" if record.agreed is None else str(record.agreed)
        self.query_one("#agreed-error", Label).update("")
        self._update_reveal_hint()
        remote = self.context.host.remote
        if remote is not None:
            self.show_remote(remote)

    def scores_changed(self) -> None:
        """Scores arrived from participants' devices: repaint the board and the strip, nothing else."""
        self.query_one(ScoreBoard).refresh(layout=True)
        self.query_one(PointStrip).show(self.context, self.point_index)

    def show_remote(self, link) -> None:
        self.query_one(RemoteProgress).show_point(link, self.session, self.point.key)

    def _legend(self) -> Text:
        text = Text()
        for level in self.checklist.scale:
            text.append_text(score_text(level.value))
            text.append(f" {level.label}\n")
        text.append(" ? ", style="bold reverse")
        text.append(" Don't know\n")
        text.append(" - ", style="bold reverse")
        text.append(" Not applicable")
        return text

    def _update_reveal_hint(self) -> None:
        record = self.session.point(self.point.key)
        board = self.query_one(ScoreBoard)
        board.border_subtitle = "R hides the scores" if record.revealed else "blind until R reveals"

    # -- actions --------------------------------------------------------------------------------

    def action_point(self, step: int) -> None:
        index = max(0, min(self.point_index + step, len(self.checklist.points) - 1))
        if index != self.point_index:
            self.session.agenda.current_point = index
            self.refresh_from_session()
            self.edited("point")

    def action_reveal(self) -> None:
        record = self.session.point(self.point.key)
        # Scores sent from devices a moment ago count.
        self.context.host.before_reveal(revealing=not record.revealed)
        record.revealed = not record.revealed
        self.query_one(ScoreBoard).refresh(layout=True)
        self.query_one(PointStrip).show(self.context, self.point_index)
        self._update_reveal_hint()
        # A gap is flagged on the score board, beside the scores the room is reading. It used to
        # be a toast as well: revealing point after point stacked one a point over the step.
        self.edited("reveal")

    def action_edit_notes(self) -> None:
        self.query_one("#point-notes", TextArea).focus()

    def action_agreed(self) -> None:
        self.query_one("#agreed-score", Input).focus()

    def action_add_action(self) -> None:
        from facilitator.tui.dialogs.item_forms import ActionForm

        point_key = self.point.key

        def added(action) -> None:
            if action is not None:
                self.session.actions.append(action)
                self.notify(f"Action added for point {self.point.number}: {action.text}", timeout=4, markup=False)
                self.edited("action")

        self.app.push_screen(ActionForm(self.context, point_key=point_key), added)

    def palette_commands(self):
        yield SystemCommand(
            "Reveal or hide the scores", "Show every partner's score for this point", self.action_reveal
        )
        yield SystemCommand(
            "Add an action for this point", "An action item linked to this checklist point", self.action_add_action
        )

    # -- edits from the widgets -----------------------------------------------------------------

    def _show_strip(self) -> None:
        self.query_one(PointStrip).show(self.context, self.point_index)
        self.edited("score")

    @on(ScoreBoard.Scored)
    def _scored(self, message: ScoreBoard.Scored) -> None:
        message.stop()  # already handled as it happened (on_scored)

    @on(TextArea.Changed, "#point-notes")
    def _notes_changed(self, event: TextArea.Changed) -> None:
        self.session.point(self.point.key).notes = event.text_area.text
        self.edited("notes")

    def commit_typing(self) -> None:
        """At exit: the notes as typed, even if their change message has not been handled yet."""
        notes = self.query_one("#point-notes", TextArea)
        if notes.text != self.session.point(self.point.key).notes:
            self.session.point(self.point.key).notes = notes.text

    @on(Input.Changed, "#agreed-score")
    def _agreed_changed(self, event: Input.Changed) -> None:
        error = self.query_one("#agreed-error", Label)
        try:
            value = parse_score(event.value)
            if value is not None and not isinstance(value, int):
                raise InvalidInput("The agreed score is a number 0-4.")
        except InvalidInput as problem:
            error.update(str(problem))
            event.input.add_class("-invalid")
            return
        error.update("")
        event.input.remove_class("-invalid")
        self.session.point(self.point.key).agreed = value
        self.edited("agreed")

    def on_key(self, event) -> None:
        # Escape from the notes or the agreed score returns to the scores, keyboard-first.
        if event.key == "escape" and not isinstance(self.app.focused, ScoreBoard):
            self.query_one(ScoreBoard).focus()
            event.stop()
