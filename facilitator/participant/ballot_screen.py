"""Scoring from a participant's own device: one point at a time, blind until the room reveals it.

Before the reveal the screen shows only this person's own score. After it, the same gap view as
the room's screen: each partner's score (the mean when several people of a partner scored), how
many people scored and how far apart they were, and the spread between partners.
"""

from __future__ import annotations

import copy

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from facilitator.base.errors import InvalidInput
from facilitator.domain.formatting import format_score
from facilitator.domain.model import now_iso
from facilitator.domain.score_values import DONT_KNOW, NOT_APPLICABLE
from facilitator.participant.participant_screen import ParticipantScreen
from facilitator.remote.ballots import BallotScore, clean_comment, read_ballot, write_ballot
from facilitator.tui.widgets.score_board import SCORE_KEYS, score_text

chip = score_text  # the same coloured chips as on the room's screen


class BallotScreen(ParticipantScreen):
    class RoundLeft(Message):
        """The participant is out of the round (a new round, taken out): `message` says why."""

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    BINDINGS = [
        Binding("left", "point(-1)", "◀ Point", key_display="←"),
        Binding("right", "point(1)", "Point ▶", key_display="→"),
        *SCORE_KEYS,
        Binding("backspace,delete", "clear", "Clear my score", show=False),
        Binding("c", "comment", "Comment"),
        Binding("f", "follow", "Follow the room"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.index = 0
        self.following = True  # jump to the room's point when the facilitator moves on

    def compose(self) -> ComposeResult:
        yield Static("", id="who")
        with VerticalScroll(id="ballot-body"):
            yield Static("", id="progress")
            yield Static("", id="point-heading")
            yield Static("", id="point-question")
            yield Static("", id="point-in-place")
            yield OptionList(id="score-options")
            yield Input(placeholder="A comment for the room (optional); Enter sends it", id="comment", max_length=2000)
            yield Static("", id="ballot-status")
            yield Static("", id="gap-view")
        yield Footer()

    def on_mount(self) -> None:
        self.index = self._room_index()
        self.show_point()

    # -- what is shown --------------------------------------------------------------------------

    @property
    def points(self):
        return self.app.checklist.points

    @property
    def point(self):
        return self.points[self.index]

    def _room_index(self) -> int:
        state = self.app.state
        keys = [p.key for p in self.points]
        return keys.index(state.current_point) if state and state.current_point in keys else self.index

    def round_changed(self) -> None:
        state = self.app.state
        ballot = self.app.ballot
        removed = state is not None and ballot is not None and ballot.participant in state.removed
        if state is None or ballot is None or state.round != ballot.round or removed:
            self.app.ballot = None
            message = (
                "The facilitator has taken you out of this round. Ask them if this is a mistake."
                if removed
                else "A new round has started: enter its code to go on scoring."
                if state is not None
                else ""
            )
            self.post_message(self.RoundLeft(message))  # the app shows the join page again
            return
        if self.following and self._room_index() != self.index:
            self._keep_comment()  # a comment typed but not sent yet goes with the score
            self.index = self._room_index()
            self.show_point()
        elif not self.query_one("#comment", Input).has_focus:
            self.show_point()
        else:
            self._show_status_only()

    def show_point(self) -> None:
        state, ballot, point = self.app.state, self.app.ballot, self.point
        if state is None or ballot is None:
            return
        open_round = state.open
        self.query_one("#who", Static).update(
            Text.assemble(
                (f" {ballot.name}", "bold"),
                f" · {state.partner_name(ballot.partner)}   ",
                (f"{state.alliance} · round {state.round}", "dim"),
                ("" if open_round else "  ·  closed", "bold"),
                (f"   your PIN to rejoin: {self.app.pin}" if self.app.pin else "", "italic"),
            )
        )
        self.query_one("#progress", Static).update(self._progress())
        room_here = "  ← the room is here" if state.current_point == point.key else ""
        self.query_one("#point-heading", Static).update(
            Text.assemble(
                (f"Point {point.number} of {len(self.points)} · {point.title}", "bold"), (room_here, "italic")
            )
        )
        self.query_one("#point-question", Static).update(point.question)
        self.query_one("#point-in-place", Static).update(Text.assemble(("In place means: ", "bold"), point.in_place))
        revealed = state.revealed.get(point.key)
        mine = ballot.scores.get(point.key)
        options = self.query_one("#score-options", OptionList)
        options.clear_options()
        for level in self.app.checklist.scale + self.app.checklist.special:
            chosen = mine is not None and mine.score == level.value
            key = " (key -)" if level.value == NOT_APPLICABLE else ""
            options.add_option(
                Option(
                    Text.assemble(
                        ("✓ " if chosen else "  ", "bold"),
                        chip(level.value),
                        " ",
                        (level.label, "bold"),
                        (key, "dim"),
                        ("  your score" if chosen else "", "bold italic"),
                        "\n     ",
                        (level.anchor, "dim"),
                    ),
                    id=str(level.value),
                )
            )
        levels = [level.value for level in self.app.checklist.scale + self.app.checklist.special]
        if mine is not None and mine.score in levels:
            options.highlighted = levels.index(mine.score)  # Enter on the list keeps, not replaces, a score
        can_score = open_round and revealed is None
        options.disabled = not can_score
        comment = self.query_one("#comment", Input)
        comment.disabled = not can_score
        # Once revealed, the room's gap view takes the place of the scale: no scrolling to find it.
        options.display = comment.display = revealed is None
        with comment.prevent(Input.Changed):
            comment.value = mine.comment if mine else ""
        self.query_one("#gap-view", Static).update(self._gap_view(revealed) if revealed else "")
        self._status(self._status_text(mine, revealed, open_round))
        if can_score and self.focused is None:
            options.focus()

    def _show_status_only(self) -> None:
        """Someone is typing a comment: refresh what the room did, never the text they are typing."""
        state, ballot, point = self.app.state, self.app.ballot, self.point
        revealed = state.revealed.get(point.key)
        self.query_one("#progress", Static).update(self._progress())
        self._status(self._status_text(ballot.scores.get(point.key), revealed, state.open))

    def _progress(self) -> Text:
        ballot, state = self.app.ballot, self.app.state
        text = Text("Your scores: ")
        for index, point in enumerate(self.points):
            entry = ballot.scores.get(point.key)
            label = f" {point.number}{'✓' if entry else ''} "
            style = "bold reverse" if index == self.index else ("bold" if entry else "dim")
            if point.key in state.revealed:
                style += " underline"
            text.append(label, style=style)
        return text

    def _status_text(self, mine, revealed, open_round: bool) -> str:
        if revealed is not None:
            return "The room has revealed this point: scores are shown below."
        if not open_round:
            return "The facilitator has closed this round. Thank you: your scores are recorded."
        if mine is None:
            return "Choose your score (0-4, ? or -). Nobody sees it until the facilitator reveals the point."
        return (
            "Sent. The room sees that you have scored, not your score, until the facilitator reveals it. "
            "You can change it until then."
        )

    def _gap_view(self, revealed) -> Text:
        state, ballot = self.app.state, self.app.ballot
        width = min(max(len(name) for _key, name in state.partners), 28)
        text = Text()
        for key, name in state.partners:
            score = revealed.scores.get(key)
            text.append(f"{name[:width]:<{width}}  ", style="bold" if key == ballot.partner else "")
            text.append_text(chip(score))
            voters = revealed.voters.get(key)
            if voters and voters.get("count", 0) > 1:
                low, high = voters.get("low"), voters.get("high")
                span = f", {low}-{high}" if low is not None and high is not None and low != high else ""
                text.append(f"  {voters['count']} people{span}", style="italic")
            text.append("\n")
        spread = revealed.spread
        text.append("\n")
        text.append(f"Spread between partners: {'-' if spread is None else format_score(spread)}", style="bold")
        if spread is not None and spread >= 2:
            text.append("  PERCEPTION GAP: worth discussing", style="bold white on #b3261e")
        if revealed.agreed is not None:
            text.append(f"\nThe room agreed on {revealed.agreed}.")
        mine = ballot.scores.get(self.point.key)
        if mine is not None:
            text.append(f"\nYour score: {mine.score}")
        return text

    def _status(self, text: str) -> None:
        self.query_one("#ballot-status", Static).update(text)

    # -- scoring --------------------------------------------------------------------------------

    def action_point(self, step: int) -> None:
        index = max(0, min(self.index + step, len(self.points) - 1))
        if index != self.index:
            self._keep_comment()
            self.index = index
            room = self._room_index()
            self.following = index == room
            self.show_point()

    def action_follow(self) -> None:
        self.following = True
        self.index = self._room_index()
        self.show_point()

    def action_comment(self) -> None:
        comment = self.query_one("#comment", Input)
        if not comment.disabled:
            comment.focus()

    def action_clear(self) -> None:
        """Withdraw my score for this point (before the reveal): the room counts it no more."""
        state, ballot, point = self.app.state, self.app.ballot, self.point
        if (
            state is None
            or ballot is None
            or not state.open
            or point.key in state.revealed
            or point.key not in ballot.scores
        ):
            return
        self._save(lambda fresh: fresh.scores.pop(point.key, None))

    def action_score(self, typed: str) -> None:
        value: int | str = DONT_KNOW if typed == "?" else NOT_APPLICABLE if typed == "n/a" else int(typed)
        self._record(value)

    @on(OptionList.OptionSelected, "#score-options")
    def _option_chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id or ""
        self._record(int(chosen) if chosen.isdigit() else chosen)

    @on(Input.Submitted, "#comment")
    def _comment_sent(self) -> None:
        if self._keep_comment(report=True):
            self.query_one("#score-options", OptionList).focus()

    def _keep_comment(self, report: bool = False) -> bool:
        comment = self.query_one("#comment", Input)
        if comment.disabled:
            return False
        mine = self.app.ballot.scores.get(self.point.key)
        if mine is None:
            if comment.value.strip() and report:
                self._status("Choose a score first: the comment is sent with it.")
            return False
        try:
            text = clean_comment(comment.value)
        except InvalidInput as error:
            self._status(str(error))
            return False
        if text != mine.comment:
            self._record(mine.score, comment=text)
        return True

    def _record(self, value, comment: str | None = None) -> None:
        state, ballot, point = self.app.state, self.app.ballot, self.point
        if state is None or ballot is None or not state.open or point.key in state.revealed:
            self.show_point()
            return
        if comment is None:
            try:
                comment = clean_comment(self.query_one("#comment", Input).value)
            except InvalidInput:
                previous = ballot.scores.get(point.key)
                comment = previous.comment if previous else ""
        entry = BallotScore(score=value, comment=comment, at=now_iso())
        self._save(lambda fresh: fresh.scores.__setitem__(point.key, entry))

    def _save(self, change) -> None:
        """Apply `change` to this person's ballot as it is on disk now, then write it.

        Reading first keeps both of one person's tabs (a laptop and a phone, say) from undoing each
        other's scores: each change lands on the latest ballot, not on a copy from when it opened.
        """
        fresh = self._ballot_on_disk() or copy.deepcopy(self.app.ballot)
        change(fresh)
        try:
            write_ballot(self.app.folder, fresh)
        except OSError as error:
            self._status(
                f"Not sent: the server could not record it ({error.strerror or error}). Try again, "
                "or tell the facilitator."
            )
            return
        self.app.ballot = fresh
        self.show_point()

    def _ballot_on_disk(self):
        ballot = self.app.ballot
        fresh = read_ballot(self.app.folder, ballot.participant, self.app.state, self.app.checklist, ballot.partner)
        return fresh if fresh is not None and fresh.pin_hash == ballot.pin_hash else None
