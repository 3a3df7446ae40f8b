"""What the room's screen shows of remote scoring: the join code, who has joined, who has scored.

`RemoteBadge` sits in the top bar on every step; `RemoteProgress` under the scores of the current
point; `RemoteScreen` (J) has the details and the round's controls.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from facilitator.remote.link import RemoteLink
from facilitator.tui.widgets.plain_table import PlainTable


class RemoteBadge(Static):
    """The join code and how many have joined, in the top bar on every step (a click opens the details)."""

    DEFAULT_CSS = """
    RemoteBadge {
        width: auto;
        padding: 0 1;
        display: none;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    RemoteBadge.-shown {
        display: block;
    }
    RemoteBadge.-closed {
        background: $panel-lighten-2;
    }
    """

    class Clicked(Message):
        """The badge was clicked: the meeting screen opens Remote scoring."""

    def on_click(self) -> None:
        self.post_message(self.Clicked())

    def show_link(self, link: RemoteLink) -> None:
        state = link.state
        self.set_class(state is not None, "-shown")
        if state is None:
            return
        self.set_class(not state.open, "-closed")
        joined = len(link.participants)
        # Short: at 100 columns the top bar also holds the alliance, the step, the clock and saving;
        # under 100, only the code and a count, so "saved" stays in view.
        if state.open:
            self.update(
                f"Code {state.code} · {joined} joined" if self.app.size.width >= 100 else f"{state.code} · {joined}"
            )
            self.tooltip = "Join code for scoring from participants' own devices (J for details)"
        else:
            self.update(f"Round {state.round} closed")
            self.tooltip = "Remote scoring: this round is closed (J for details, N there starts a new one)"


class RemoteProgress(Static):
    """Who, of the people scoring from their devices, has scored the current point."""

    DEFAULT_CSS = """
    RemoteProgress {
        height: auto;
        margin: 0 0 1 0;
        display: none;
    }
    RemoteProgress.-shown {
        display: block;
    }
    """

    def show_point(self, link: RemoteLink, session, point_key: str) -> None:
        people = link.participants
        self.set_class(link.state is not None and bool(people), "-shown")
        if link.state is None or not people:
            return
        text = Text("From devices: ", style="bold")
        done = sum(1 for person in people if point_key in person.scored)
        text.append(f"{done} of {len(people)} scored this point", style="bold")
        for partner in session.partners:
            mine = [person for person in people if person.partner == partner.key]
            if not mine:
                continue
            text.append(f"\n  {partner.name}: ")
            for index, person in enumerate(mine):
                if index:
                    text.append(", ")
                scored = point_key in person.scored
                text.append(("✓ " if scored else "… ") + person.name, style="" if scored else "dim italic")
        self.update(text)


class RemoteScreen(ModalScreen):
    """Remote scoring for this session: address, code, participants, and the round's controls."""

    DEFAULT_CSS = """
    RemoteScreen {
        align: center middle;
    }
    RemoteScreen > Vertical {
        width: 96;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 1 2;
    }
    RemoteScreen #remote-code {
        text-style: bold;
        color: $accent;
        margin: 1 0;
    }
    RemoteScreen DataTable {
        height: auto;
        max-height: 16;
    }
    RemoteScreen #remote-nobody {
        color: $text-muted;
        text-style: italic;
        margin: 1 0 0 0;
    }
    RemoteScreen #remote-help {
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    BINDINGS = [
        Binding("escape,j", "dismiss", "Back"),
        Binding("s", "serve", "Start serving"),
        Binding("n", "new_round", "New round (new code)"),
        Binding("c", "close_round", "Close round"),
        Binding("delete", "remove_person", "Take out"),
    ]

    def __init__(self, link: RemoteLink, session, checklist, on_merged=None) -> None:
        super().__init__()
        self.link = link
        self.session = session
        self.checklist = checklist
        # Called when an action here changed the session's scores (the room's screen saves them).
        self.on_merged = on_merged or (lambda: None)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="remote-title")
            yield Static("", id="remote-code")
            yield Static("", id="remote-where")
            yield PlainTable(id="remote-people", cursor_type="row", zebra_stripes=True)
            yield Static("Nobody has joined this round yet.", id="remote-nobody")
            yield Static("", id="remote-help")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Organisation", *(str(p.number) for p in self.checklist.points))
        self.refresh_link()
        self.set_interval(1.0, self.refresh_link)

    def refresh_link(self) -> None:
        link, state = self.link, self.link.state
        title = self.query_one("#remote-title", Static)
        code = self.query_one("#remote-code", Static)
        where = self.query_one("#remote-where", Static)
        if state is None:
            title.update("[b]Scoring from participants' own devices[/b]")
            code.update("Not started for this session.")
        else:
            status = "open" if state.open else "closed"
            title.update(f"[b]Scoring from participants' own devices[/b] · round {state.round}, {status}")
            code.update(f"Join code:  {state.code}" if state.open else "This round is closed: N starts a new one.")
        if link.serving:
            # Assembled, not markup: the URL (--public-url) and the server's log line are not ours.
            where.update(Content.assemble("Participants open ", (str(link.serving["url"]), "bold"), " in a browser."))
        elif link.server_problem():
            where.update(Content.assemble(("The server stopped:", "red"), " ", link.server_problem()))
        else:
            where.update(
                "Not being served. S serves it on this computer only; for other devices run "
                f"[b]facilitator serve {self.session.id} --host ADDRESS[/b] in another terminal."
            )
        self._fill_people()
        refused = link.inbox.refused_count
        self.query_one("#remote-help", Static).update(
            Content.assemble(
                "Each person's score counts towards their organisation's mean. Scores stay blind until you reveal "
                "the point (R on the health check).",
                *(
                    ["\n", (f"{refused} ballot(s) refused", "bold"), f": see refused.log in {link.folder}."]
                    if refused
                    else []
                ),
            )
        )

    def _fill_people(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for person in self.link.participants:
            marks = ["✓" if p.key in person.scored else "·" for p in self.checklist.points]
            # Text, not str: DataTable reads a str as markup, and people type their own names.
            table.add_row(Text(person.name), Text(self.session.partner_name(person.partner)), *marks, key=person.id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        table.display = bool(self.link.participants)
        self.query_one("#remote-nobody", Static).display = not self.link.participants

    def action_serve(self) -> None:
        from facilitator.remote.link import free_port

        if self.link.state is None or not self.link.state.open:
            self._merged(self.link.start_round(self.session, self.checklist)[1])
        if self.link.serving or self.link.server_running:
            self.notify("Already being served.", timeout=3)
            return
        try:
            self.link.start_server(free_port())
        except OSError as error:
            self.notify(f"Could not start the server: {error}", severity="error", markup=False)
            return
        self.notify("Starting the server… the address appears here in a moment.", timeout=4)
        self.refresh_link()

    def action_new_round(self) -> None:
        from facilitator.tui.dialogs.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            state, merged = self.link.start_round(self.session, self.checklist)
            self._merged(merged)
            self.notify(f"Round {state.round} started. New join code: {state.code}", timeout=6)
            self.refresh_link()

        if self.link.state is None:
            confirmed(True)
            return
        self.app.push_screen(
            ConfirmScreen(
                "Start a new round?",
                "A new join code replaces this one. Everyone scoring from a device joins "
                "again with the new code; the scores already in stay in the session.",
                "New round",
            ),
            confirmed,
        )

    def action_close_round(self) -> None:
        from facilitator.tui.dialogs.confirm import ConfirmScreen

        if self.link.state is None or not self.link.state.open:
            self.notify("No open round to close.", timeout=3)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._merged(self.link.close_round(self.session, self.checklist))
                self.notify("Round closed: the scores sent so far are in; devices can send no more.", timeout=5)
                self.refresh_link()

        self.app.push_screen(
            ConfirmScreen(
                "Close this round?",
                "Scores sent so far are kept; after this, devices can send no more. "
                "N starts a new round with a new code if you need one.",
                "Close round",
            ),
            confirmed,
        )

    def action_remove_person(self) -> None:
        from facilitator.tui.dialogs.confirm import ConfirmScreen

        table = self.query_one(DataTable)
        if not table.row_count:
            return
        participant = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        person = next((p for p in self.link.participants if p.id == participant), None)
        if person is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                changed = self.link.remove_participant(self.session, participant)
                if changed:
                    self.on_merged()
                self.notify(
                    f"{person.name} is out of this round; their scores on points not yet revealed no longer count.",
                    timeout=6,
                    markup=False,
                )
                self.refresh_link()

        self.app.push_screen(
            ConfirmScreen(
                f"Take {person.name} out of this round?",
                f"{person.name} ({self.session.partner_name(person.partner)}) can send no more scores in this round, "
                "and their scores on points not yet revealed are withdrawn. Revealed points stay as the room saw them.",
                "Take out",
                danger=True,
            ),
            confirmed,
        )

    def _merged(self, result) -> None:
        if result.changed:
            self.on_merged()
