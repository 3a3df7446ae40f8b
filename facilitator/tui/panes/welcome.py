"""Welcome and purpose: who is in the room, why the alliance exists, and today's agenda.

`p` edits the partners, their sponsors and team members (`EditPartnersScreen`); a renamed partner
keeps all it holds, since the session knows partners by key.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from facilitator.base.errors import InvalidInput
from facilitator.base.terminal_text import is_blank
from facilitator.tui.panes.pane import MeetingPane
from facilitator.tui.widgets.agenda_rail import format_minutes


class WelcomePane(MeetingPane, can_focus=False):
    DEFAULT_CSS = """
    WelcomePane > VerticalScroll {
        padding: 0 2;
    }
    WelcomePane #welcome-title {
        text-style: bold;
        margin: 0 0 1 0;
    }
    WelcomePane .welcome-block {
        margin: 0 0 1 0;
    }
    WelcomePane #welcome-partners-hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("p,P", "edit_partners", "Edit partners"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome-scroll", can_focus=True):
            yield Static("", id="welcome-title")
            yield Static("", id="welcome-partners")
            yield Static(
                "p edits the partners, their sponsors and team members",
                id="welcome-partners-hint",
                classes="welcome-block",
            )
            yield Static("", id="welcome-purpose", classes="welcome-block")
            yield Static("", id="welcome-agenda", classes="welcome-block")

    def on_mount(self) -> None:
        self.refresh_from_session()

    def focus_first(self) -> None:
        self.query_one("#welcome-scroll").focus()

    def action_edit_partners(self) -> None:
        from facilitator.tui.dialogs.edit_partners import EditPartnersScreen

        self.app.push_screen(EditPartnersScreen(self.session), self._partners_edited)

    def _partners_edited(self, entries) -> None:
        if entries is None:
            return
        from facilitator.domain.roster import apply_roster

        try:
            apply_roster(self.session, entries)
        except InvalidInput as problem:  # checked in the dialog already; never a crash
            self.notify(str(problem), title="Partners not changed", severity="error", markup=False)
            return
        self.refresh_from_session()
        self.edited("partners")

    def palette_commands(self):
        yield SystemCommand(
            "Edit partners, sponsors and team members",
            "P on the welcome step: rename, add or remove a partner; its people",
            self.action_edit_partners,
        )

    def refresh_from_session(self) -> None:
        session = self.session
        kind = "Kick-off" if session.kind == "kickoff" else "Review"
        title = Text(f"{session.alliance}\n", style="bold")
        title.append(f"{kind} · {session.date}", style="")
        if session.facilitator:
            title.append(f" · facilitated by {session.facilitator}")
        if self.context.previous is not None:
            title.append(f"\nFollows the session of {self.context.previous.date}", style="italic")
        elif self.context.previous_problem:
            title.append(f"\nThe previous session cannot be read: {self.context.previous_problem}", style="italic")
        self.query_one("#welcome-title", Static).update(title)

        partners = Table(box=None, padding=(0, 2), show_edge=False, expand=False)
        partners.add_column("Partner", style="bold")
        partners.add_column("Sponsors")
        partners.add_column("Team")
        for partner in session.partners:
            # Text, not str: a name is never markup (remote participants type their own names).
            partners.add_row(
                Text(partner.name),
                Text(", ".join(partner.sponsors) or "—"),
                Text(", ".join(partner.participants) or "—"),
            )
        self.query_one("#welcome-partners", Static).update(partners)

        purpose = session.sections.get("purpose")
        text = Text("Why we are here\n", style="bold")
        if purpose and not is_blank(purpose.text):
            text.append(purpose.text.strip())
        else:
            text.append(
                "The alliance's purpose is not written down yet: the agreement step drafts it. "
                "Today the partners score ten signs of a healthy partnership, talk about where "
                "they see things differently, and agree what to do next."
            )
        self.query_one("#welcome-purpose", Static).update(text)

        agenda = Table(
            box=None, padding=(0, 2), show_edge=False, title="Today's agenda", title_justify="left", title_style="bold"
        )
        agenda.add_column("#", justify="right")
        agenda.add_column("Step")
        agenda.add_column("Timebox", justify="right")
        agenda.add_column("Spent", justify="right")
        total = 0
        for number, step in enumerate(self.checklist.agenda, start=1):
            minutes = session.agenda.timebox.get(step.key, step.minutes)
            total += minutes
            agenda.add_row(
                str(number), step.title, f"{minutes} min", format_minutes(session.agenda.elapsed.get(step.key, 0))
            )
        agenda.add_row("", "Total", f"{total} min", "")
        self.query_one("#welcome-agenda", Static).update(agenda)
