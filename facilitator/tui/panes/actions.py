"""Actions and next meeting: the action items raised in the meeting, the decisions made, and when
the partners meet next.

Action items have an owner, a partner (or joint), a due date and may be linked to a checklist point;
other panes add linked ones through `item_forms.ActionForm`.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static
from textual.widgets.option_list import Option

from facilitator.base.errors import InvalidInput
from facilitator.domain.model import ActionItem, Decision
from facilitator.domain.validation import parse_optional_date
from facilitator.tui.dialogs.confirm import confirm
from facilitator.tui.dialogs.item_forms import ActionForm, DecisionForm
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.panes.dates import days_between, nice_date
from facilitator.tui.panes.pane import MeetingPane
from facilitator.tui.widgets.decision_list import DecisionList
from facilitator.tui.widgets.item_table import ActionTable, ItemTable


def short_partner(context: MeetingContext, key: str) -> str:
    """A partner as a table shows it: the first word of its name ("Northwind"), or Joint."""
    if not key:
        return context.session.partner_name(key)  # joint, as the session names it
    partner = context.session.partner(key)
    if partner is None:
        return key
    first = partner.name.split()[0]
    others = [p for p in context.session.partners if p.key != key and p.name.split()[0] == first]
    return partner.name if others else first


class ActionsPane(MeetingPane):
    """Capture actions (owner, partner, due date), decisions and the next meeting date."""

    DEFAULT_CSS = """
    ActionsPane {
        padding: 0 1;
    }
    ActionsPane #actions-heading {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-style: bold;
    }
    ActionsPane #action-table {
        height: 1fr;
        min-height: 6;
    }
    ActionsPane #action-detail {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
    }
    ActionsPane .button-bar {
        height: 1;
        margin: 0 0 1 0;
    }
    ActionsPane .button-bar Button {
        margin-right: 1;
        min-width: 10;
    }
    ActionsPane #actions-lower {
        height: 11;
    }
    ActionsPane.-short #actions-lower {
        height: 8;
    }
    ActionsPane #decisions-box {
        width: 1fr;
        height: 1fr;
    }
    ActionsPane #decision-list {
        height: 1fr;
        border: tall $panel;
    }
    ActionsPane #decision-list:focus {
        border: tall $accent;
    }
    ActionsPane #decisions-box .button-bar {
        margin: 0;
    }
    ActionsPane #next-box {
        width: 34;
        height: 1fr;
        margin: 0 0 0 1;
        padding: 0 1;
        border: tall $panel;
    }
    ActionsPane #next-box:focus-within {
        border: tall $accent;
    }
    ActionsPane.-narrow #next-box {
        width: 24;
    }
    ActionsPane #next-meeting {
        width: 100%;
    }
    ActionsPane #next-meeting-error {
        height: auto;
        color: $error;
        text-style: bold;
    }
    ActionsPane #next-meeting-hint {
        height: auto;
        color: $text-muted;
    }
    ActionsPane #next-meeting-hint.-warning {
        color: $warning;
    }
    """

    # Letters, as everywhere outside the agreement's editor (F6-F8 are the agreement's alone). In
    # the next meeting's date field they are typed; Escape leaves it.
    BINDINGS = [
        Binding("d,D", "new_decision", "Decision"),
        Binding("m,M", "focus_next_meeting", "Next meeting"),
    ]

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__(context, **kwargs)
        self._ready = False

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="actions-heading")
        yield ActionTable(id="action-table")
        yield Static("", id="action-detail")
        with Horizontal(classes="button-bar", id="action-buttons"):
            yield Button("New (n)", id="action-new", compact=True, variant="primary")
            yield Button("Edit (e)", id="action-edit", compact=True)
            yield Button("Done (space)", id="action-toggle", compact=True)
            yield Button("Delete (del)", id="action-delete", compact=True)
        with Horizontal(id="actions-lower"):
            with Vertical(id="decisions-box"):
                decisions = DecisionList(id="decision-list")
                decisions.border_title = "Decisions"
                yield decisions
                with Horizontal(classes="button-bar"):
                    yield Button("New decision (d)", id="decision-new", compact=True, variant="primary")
            with Vertical(id="next-box") as next_box:
                next_box.border_title = "Next meeting"
                yield Input(placeholder="YYYY-MM-DD", id="next-meeting")
                yield Static("", id="next-meeting-error")
                yield Static("", id="next-meeting-hint")

    def on_mount(self) -> None:
        self._ready = True
        self.refresh_from_session()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 64, "-narrow")
        self.set_class(self.size.height < 24, "-short")

    def focus_first(self) -> None:
        self.query_one(ActionTable).focus()

    def on_key(self, event) -> None:
        # Escape from the next meeting's date (where letters are typed) back to the actions.
        if event.key == "escape" and self.app.focused is self.query_one("#next-meeting", Input):
            self.query_one(ActionTable).focus()
            event.stop()

    def refresh_from_session(self) -> None:
        if not self._ready:
            return
        self._fill_actions()
        self._fill_decisions()
        next_input = self.query_one("#next-meeting", Input)
        if not next_input.has_focus and next_input.value != self.session.next_meeting:
            with next_input.prevent(Input.Changed):
                next_input.value = self.session.next_meeting
            self._show_next_error("")
        self._show_next_hint()

    # -- action items -------------------------------------------------------------------------

    def _action_cells(self, item: ActionItem) -> tuple:
        done = item.status == "done"
        overdue = not done and item.due and item.due < self.session.date
        mark = Text("✔", style="bold green") if done else Text("○")
        text = Text(item.text, style="dim strike" if done else "")
        due = Text(item.due or "—", style="bold red" if overdue else "")
        point = self.checklist.point(item.point) if item.point else None
        return (
            mark,
            text,
            item.owner or "—",
            due,
            short_partner(self.context, item.partner),
            str(point.number) if point else "—",
        )

    def _fill_actions(self, select: str | None = None) -> None:
        table = self.query_one(ActionTable)
        # Most important first: narrower panes drop columns from the end (the detail line below
        # the table always shows everything about the chosen action).
        columns = [("", 1), ("Action", None), ("Owner", 14), ("Due", 10), ("Partner", 11), ("Point", 5)]
        table.show(columns, [(a.id, self._action_cells(a)) for a in self.session.actions], select=select)
        open_count = sum(1 for a in self.session.actions if a.status != "done")
        done_count = len(self.session.actions) - open_count
        self.query_one("#actions-heading", Static).update(f"Action items · {open_count} open · {done_count} done")
        self._show_detail()
        self._update_buttons()

    def _current_action(self) -> ActionItem | None:
        key = self.query_one(ActionTable).current_key()
        return next((a for a in self.session.actions if a.id == key), None)

    def _show_detail(self) -> None:
        detail = self.query_one("#action-detail", Static)
        item = self._current_action()
        if item is None:
            detail.update("No action items yet: press n to add the first one.")
            return
        parts = [item.owner or "no owner yet", self.session.partner_name(item.partner) if item.partner else "joint"]
        if item.due:
            parts.append(f"due {nice_date(item.due)}")
        point = self.checklist.point(item.point) if item.point else None
        if point is not None:
            parts.append(f"point {point.number}: {point.title}")
        detail.update(Content.from_markup("[b $text]$text[/] — $rest", text=item.text, rest=" · ".join(parts)))

    def _update_buttons(self) -> None:
        empty = not self.session.actions
        for button_id in ("#action-edit", "#action-toggle", "#action-delete"):
            self.query_one(button_id, Button).disabled = empty

    @on(ActionTable.RowHighlighted, "#action-table")
    def _action_highlighted(self, event: ActionTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    @on(ItemTable.Command, "#action-table")
    def _action_command(self, message: ItemTable.Command) -> None:
        message.stop()
        self._run_action_command(message.command, message.key)

    def _run_action_command(self, command: str, key: str | None) -> None:
        item = next((a for a in self.session.actions if a.id == key), None)
        if command == "add":
            self.app.push_screen(ActionForm(self.context), self._action_added)
        elif item is None:
            return
        elif command == "edit":
            self.app.push_screen(ActionForm(self.context, item=item), lambda new: self._action_replaced(item, new))
        elif command == "toggle":
            item.status = "open" if item.status == "done" else "done"
            self._fill_actions(select=item.id)
            self.edited("action")
        elif command == "delete":
            confirm(self, "Delete this action item?", item.text, lambda: self._action_deleted(item))

    def _action_added(self, item: ActionItem | None) -> None:
        if item is None:
            return
        self.session.actions.append(item)
        self._fill_actions(select=item.id)
        self.edited("action")

    def _action_replaced(self, old: ActionItem, new: ActionItem | None) -> None:
        if new is None:
            return
        actions = self.session.actions
        if old in actions:
            actions[actions.index(old)] = new
        else:
            actions.append(new)
        self._fill_actions(select=new.id)
        self.edited("action")

    def _action_deleted(self, item: ActionItem) -> None:
        if item in self.session.actions:
            self.session.actions.remove(item)
        self._fill_actions()
        self.edited("action")

    @on(Button.Pressed, "#action-buttons Button")
    def _action_button(self, event: Button.Pressed) -> None:
        event.stop()
        command = (event.button.id or "").removeprefix("action-").replace("new", "add")
        self._run_action_command(command, self.query_one(ActionTable).current_key())

    # -- decisions ----------------------------------------------------------------------------

    def _fill_decisions(self, select: str | None = None) -> None:
        decisions = self.query_one(DecisionList)
        keep = select or decisions.current_key()
        decisions.clear_options()
        for decision in self.session.decisions:
            # Assembled, not a markup template: a decision reading "$date" must stay that text.
            prompt = Content.assemble((decision.date or "—", "bold"), "  ", decision.text)
            decisions.add_option(Option(prompt, id=decision.id))
        if not self.session.decisions:
            decisions.add_option(
                Option(
                    Content.from_markup("[$text-muted]No decisions yet: d records one.[/]"), id="-none", disabled=True
                )
            )
            return
        ids = [d.id for d in self.session.decisions]
        decisions.highlighted = ids.index(keep) if keep in ids else len(ids) - 1

    @on(DecisionList.Command)
    def _decision_command(self, message: DecisionList.Command) -> None:
        message.stop()
        decision = next((d for d in self.session.decisions if d.id == message.key), None)
        if message.command == "add":
            self.action_new_decision()
        elif decision is None:
            return
        elif message.command == "edit":
            self.app.push_screen(
                DecisionForm(self.context, decision), lambda new: self._decision_replaced(decision, new)
            )
        elif message.command == "delete":
            confirm(self, "Delete this decision?", decision.text, lambda: self._decision_deleted(decision))

    def _decision_added(self, decision: Decision | None) -> None:
        if decision is None:
            return
        self.session.decisions.append(decision)
        self._fill_decisions(select=decision.id)
        self.edited("decision")

    def _decision_replaced(self, old: Decision, new: Decision | None) -> None:
        if new is None:
            return
        decisions = self.session.decisions
        if old in decisions:
            decisions[decisions.index(old)] = new
        else:
            decisions.append(new)
        self._fill_decisions(select=new.id)
        self.edited("decision")

    def _decision_deleted(self, decision: Decision) -> None:
        if decision in self.session.decisions:
            self.session.decisions.remove(decision)
        self._fill_decisions()
        self.edited("decision")

    @on(Button.Pressed, "#decision-new")
    def _decision_button(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_new_decision()

    # -- next meeting -------------------------------------------------------------------------

    @on(Input.Changed, "#next-meeting")
    def _next_changed(self, event: Input.Changed) -> None:
        """A complete, valid date is kept at once. An empty or half-typed field changes nothing yet:
        retyping a date passes through both, and must not lose the date already agreed."""
        event.stop()
        try:
            value = parse_optional_date(event.value, "Next meeting")
        except InvalidInput:
            value = ""
        self._show_next_error("")
        if value:
            self._store_next(value)
        else:
            self.query_one("#next-meeting-hint", Static).update(
                "Type the date as YYYY-MM-DD, then Enter."
                if event.value.strip()
                else "Enter with the field empty removes the date."
            )

    @on(Input.Submitted, "#next-meeting")
    def _next_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._commit_next(event.value):
            self.query_one(ActionTable).focus()

    @on(Input.Blurred, "#next-meeting")
    def _next_blurred(self, event: Input.Blurred) -> None:
        self._commit_next(event.value)

    def _commit_next(self, text: str) -> bool:
        """Enter or leaving the field: keep the date (or no date), or say why it cannot be kept."""
        try:
            value = parse_optional_date(text, "Next meeting")
        except InvalidInput as problem:
            kept = nice_date(self.session.next_meeting) if self.session.next_meeting else "no date"
            self._show_next_error(f"{problem} Still set: {kept}.")
            return False
        self._show_next_error("")
        self._store_next(value)
        return True

    def _store_next(self, value: str) -> None:
        if value != self.session.next_meeting:
            self.session.next_meeting = value
            self.edited("next-meeting")
        self._show_next_hint()

    def _show_next_error(self, message: str) -> None:
        self.query_one("#next-meeting-error", Static).update(Content(message))  # it quotes what was typed
        self.query_one("#next-meeting", Input).set_class(bool(message), "-invalid")

    def _show_next_hint(self) -> None:
        hint = self.query_one("#next-meeting-hint", Static)
        value = self.session.next_meeting
        days = days_between(self.session.date, value) if value else None
        if not value:
            hint.update("Not set yet. Sponsors should meet in person at least twice a year.")
            hint.set_class(False, "-warning")
        elif days is not None and days < 0:
            hint.update(f"{nice_date(value)}: before this meeting's date.")
            hint.set_class(True, "-warning")
        else:
            when = "the same day" if days == 0 else f"in {days} days"
            if days is not None and days > 183:
                when += ": more than six months away"
            hint.update(f"{nice_date(value)} · {when}")
            hint.set_class(days is not None and days > 183, "-warning")

    # -- pane keys ----------------------------------------------------------------------------

    def action_new_action(self) -> None:
        self._run_action_command("add", None)

    def action_new_decision(self) -> None:
        self.app.push_screen(DecisionForm(self.context), self._decision_added)

    def action_focus_next_meeting(self) -> None:
        self.query_one("#next-meeting", Input).focus()

    def palette_commands(self):
        yield SystemCommand(
            "Actions: add an action item", "Owner, partner, due date, linked point", self.action_new_action
        )
        yield SystemCommand(
            "Actions: record a decision", "Dated with the session's date unless changed", self.action_new_decision
        )
        yield SystemCommand("Actions: set the next meeting date", "YYYY-MM-DD", self.action_focus_next_meeting)
