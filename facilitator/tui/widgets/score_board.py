"""Blind scoring of one checklist point: one row per partner, hidden until the facilitator reveals.

Keys go to the board while it has focus: ↑/↓ choose the partner, 0-4 score, ? don't know,
- not applicable, Backspace clears. Before the reveal a row only says "scored", so nobody in the
room sees another partner's score first.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from facilitator.domain.content import Checklist
from facilitator.domain.formatting import format_agreed, format_mean, format_score, format_spread
from facilitator.domain.model import Session
from facilitator.domain.score_values import ScoreValue
from facilitator.domain.scoring import point_stats, vote_spreads
from facilitator.tui.textual_compat import take_repaint_request

SCORE_STYLES = {
    0: "bold white on #b3261e",
    1: "bold black on #f28c28",
    2: "bold black on #f6c343",
    3: "bold black on #8bc34a",
    4: "bold white on #2e7d32",
}


# The keys that score, wherever someone scores (the room's board, a participant's own screen).
SCORE_KEYS = [
    Binding("0", "score('0')", "Score", key_display="0-4 ? -"),
    Binding("1", "score('1')", show=False),
    Binding("2", "score('2')", show=False),
    Binding("3", "score('3')", show=False),
    Binding("4", "score('4')", show=False),
    Binding("question_mark", "score('?')", show=False),
    Binding("minus", "score('n/a')", show=False),
]


def score_text(value: ScoreValue | None) -> Text:
    """A score as a coloured chip, readable from the back of the room."""
    if value is None:
        return Text(" · ", style="dim")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A float is a partner's mean of several people's votes: coloured as the nearest score.
        return Text(f" {format_score(value)} ", style=SCORE_STYLES[min(4, max(0, round(value)))])
    return Text(f" {format_score(value)} ", style="bold reverse")


# What each scoring key types, for the board's own key handler (ScoreBoard.on_key).
TYPED_BY_KEY = {
    "0": "0",
    "1": "1",
    "2": "2",
    "3": "3",
    "4": "4",
    "question_mark": "?",
    "minus": "n/a",
    "backspace": "",
    "delete": "",
}


class ScoreBoard(Widget, can_focus=True):
    DEFAULT_CSS = """
    ScoreBoard {
        height: auto;
        padding: 0 1;
        border: tall $panel;
    }
    ScoreBoard:focus {
        border: tall $accent;
    }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Partner", show=False),
        Binding("down", "cursor(1)", "Partner", show=False),
        *SCORE_KEYS,
        Binding("backspace,delete", "score('')", "Clear", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class Scored(Message):
        def __init__(self, partner_key: str, value: ScoreValue | None) -> None:
            super().__init__()
            self.partner_key = partner_key
            self.value = value

    def __init__(self, session: Session, checklist: Checklist, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.checklist = checklist
        self.point_key = checklist.points[0].key
        self.previous: Session | None = None
        self.border_title = "Scores"
        # Called at once on each score, before the Scored message: what it updates is painted in
        # the same frame as the board (a message is handled a frame later, 17 ms more per key).
        self.on_scored: Callable[[], None] | None = None
        self._strips: list[Strip] | None = None  # render()'s lines, until the next refresh

    def show_point(self, point_key: str, previous: Session | None) -> None:
        self.point_key = point_key
        self.previous = previous
        self.cursor = self._first_unscored()
        self.refresh(layout=True)

    def _first_unscored(self) -> int:
        scores = self.session.point(self.point_key).scores
        for index, partner in enumerate(self.session.partners):
            if partner.key not in scores:
                return index
        return 0

    def on_key(self, event: events.Key) -> None:
        # Scores are typed here, the way an Input takes typed characters: the key goes no further.
        # Through the bindings it would first travel up the eight widgets and screens above the
        # board and back (half of a key press while scoring). The bindings stay, for the footer,
        # the help and the palette.
        typed = TYPED_BY_KEY.get(event.key)
        if typed is not None:
            event.stop()
            event.prevent_default()
            self.action_score(typed)

    def action_cursor(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(self.session.partners)

    def action_score(self, typed: str) -> None:
        from facilitator.domain.score_values import parse_score

        value = parse_score(typed)
        height = self._height()
        partner = self.session.partners[self.cursor]
        self.session.set_score(self.point_key, partner.key, value)
        if self.on_scored is not None:
            self.on_scored()
        self.post_message(self.Scored(partner.key, value))
        if value is not None:
            # Move on to the next partner still to score, so the room can go round the table.
            scores = self.session.point(self.point_key).scores
            for offset in range(1, len(self.session.partners) + 1):
                index = (self.cursor + offset) % len(self.session.partners)
                if self.session.partners[index].key not in scores:
                    self.cursor = index
                    break
        # A new layout of the whole screen only when the board grows or shrinks (after the reveal).
        self.refresh(layout=self._height() != height)

    def watch_cursor(self) -> None:
        self.refresh()

    def get_content_height(self, container, viewport, width) -> int:
        return self._height()

    def _height(self) -> int:
        # One line per partner (never wrapped), plus a blank line and the summary after the reveal.
        record = self.session.point(self.point_key)
        if not record.revealed:
            return len(self.session.partners)
        return len(self.session.partners) + 1 + len(self._summary_lines())

    def render_line(self, y: int) -> Strip:
        # Each line straight from render()'s Text: its lines never wrap, so there is nothing to lay
        # out, and a score repaints the board in a fraction of the time Textual's general text
        # rendering takes (most of a key press while scoring).
        if take_repaint_request(self) or self._strips is None:
            console = self.app.console
            base = self.rich_style
            self._strips = [Strip(list(line.render(console))).apply_style(base) for line in self.render().split("\n")]
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    def render(self) -> Text:
        record = self.session.point(self.point_key)
        revealed = record.revealed
        name_width = min(max(len(p.name) for p in self.session.partners), 24)
        lines = Text(no_wrap=True, overflow="ellipsis")
        for index, partner in enumerate(self.session.partners):
            selected = index == self.cursor and self.has_focus
            line = Text("▶ " if selected else "  ", style="bold")
            name = partner.name if len(partner.name) <= name_width else partner.name[: name_width - 1] + "…"
            line.append(name.ljust(name_width), style="bold" if selected else "")
            line.append("  ")
            value = record.scores.get(partner.key)
            if value is None:
                line.append("waiting for a score" if not selected else "type 0-4, ? or -", style="dim italic")
            elif not revealed:
                line.append(" ● scored ", style="bold reverse")
                people = len(record.votes.get(partner.key, {}))
                if people > 1:
                    line.append(f"by {people} people", style="italic")  # after the chip's own space
            else:
                line.append_text(score_text(value))
                spread = vote_spreads(self.session, self.point_key).get(partner.key)
                if spread is not None and spread.count > 1:
                    inside = "" if not spread.spread else f", {spread.low}-{spread.high}"
                    line.append(f" {spread.count} people{inside}", style="italic")
                previous = self._previous_score(partner.key)
                if previous is not None:
                    line.append(f" was {format_score(previous)}", style="italic")
                level = self.checklist.level(value)
                if level:
                    line.append(f"  {level.label}", style="dim")
            line.truncate(max(self.content_size.width, 10), overflow="ellipsis")
            lines.append_text(line)
            lines.append("\n")
        if revealed:
            lines.append("\n")
            for index, summary in enumerate(self._summary_lines()):
                summary.truncate(max(self.content_size.width, 10), overflow="ellipsis")
                lines.append("\n" if index else "")
                lines.append_text(summary)
        return lines

    def _previous_score(self, partner_key: str) -> ScoreValue | None:
        if self.previous is None:
            return None
        record = self.previous.points.get(self.point_key)
        return record.scores.get(partner_key) if record else None

    def _summary_lines(self) -> list[Text]:
        stats = point_stats(self.session, self.point_key)
        line = Text()
        if stats.mean is None:
            line.append("No 0-4 scores to compare yet.", style="dim")
        else:
            line.append(f"Mean {format_mean(stats.mean)} · Spread {format_spread(stats.spread)}", style="bold")
        if stats.agreed is not None:
            # The room's agreed score stands in for the mean in the joint index: said, not implied.
            line.append(f"{' · ' if stats.mean is not None else ' '}Agreed {format_agreed(stats.agreed)}", style="bold")
        lines = [line]
        if stats.discuss:
            lines.append(Text(" ⚠ PERCEPTION GAP: discuss ", style="bold white on #b3261e"))
        if stats.missing:
            names = ", ".join(self.session.partner_name(k) for k in stats.missing)
            lines.append(Text(f"Not scored yet: {names}", style="italic"))
        return lines
