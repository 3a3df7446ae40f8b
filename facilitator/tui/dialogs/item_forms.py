"""Small modal forms for the items a meeting records: measures, roles, tasks, actions, sponsor
meetings and decisions. Each is a `ModalScreen` that dismisses with a new model object, or None
when cancelled; nothing in the session changes until the caller stores the result.

Every field is checked when the form is saved: a problem shows in the error colour under its field,
the field is focused, and the form stays open. Enter in a text field saves, Escape cancels.

Usage (for any pane)::

    from facilitator.tui.dialogs.item_forms import ActionForm

    def added(action: ActionItem | None) -> None:
        if action is not None:
            self.session.actions.append(action)
            self.edited("action")

    self.app.push_screen(ActionForm(self.context, point_key="trust-indicator"), added)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, Select, Static

from facilitator.base.errors import InvalidInput
from facilitator.domain.agreement_items import MEASURE_KINDS, MEETING_MODES
from facilitator.domain.model import ActionItem, Decision, Measure, Role, Session, SponsorMeeting
from facilitator.domain.validation import check_text, clean_name, parse_date, parse_optional_date
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.widgets.plain_table import PlainTable
from facilitator.tui.widgets.toggles import StateCheckbox

T = TypeVar("T")

JOINT = "Joint"

# --------------------------------------------------------------------------------------------
# Field parsers: each returns the value to store or raises InvalidInput with one clear sentence.


def required_line(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        return clean_name(value, what)

    return parse


def optional_line(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        text = check_text(value, what).strip()
        if len(text) > 2_000:
            raise InvalidInput(f"{what} is too long ({len(text)} characters, at most 2,000).")
        return text

    return parse


def required_date(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value.strip():
            raise InvalidInput(f"{what} is needed: type it as YYYY-MM-DD.")
        return parse_date(value, what)

    return parse


def optional_date(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        return parse_optional_date(value, what)

    return parse


def partner_options(session: Session) -> list[tuple[str, str]]:
    """Select options for "which partner": every partner of the session, then Joint ("")."""
    return [(p.name, p.key) for p in session.partners] + [(JOINT, "")]


# --------------------------------------------------------------------------------------------
# The form machinery


@dataclass
class FormField:
    """One row of a form: a label, an input (text, choice or tick box) and its error line."""

    name: str
    label: str
    kind: str = "text"  # text | select | check
    value: Any = ""
    placeholder: str = ""
    options: list[tuple[str, Any]] = field(default_factory=list)
    parse: Callable[[Any], Any] | None = None
    hint: str = ""


class ItemForm(ModalScreen[T | None], Generic[T]):
    """A modal form: `fields()` describes the rows, `build(values)` turns parsed values into the item."""

    DEFAULT_CSS = """
    ItemForm {
        align: center middle;
        background: $background 60%;
    }
    ItemForm #form-dialog {
        width: 84;
        max-width: 96%;
        height: auto;
        max-height: 96%;
        border: thick $primary;
        border-title-style: bold;
        border-title-color: $text;
        background: $panel;
        padding: 0 1;
    }
    ItemForm #form-intro {
        color: $text-muted;
        padding: 0 1;
        margin-bottom: 1;
    }
    ItemForm #form-body {
        height: auto;
        max-height: 1fr;
    }
    ItemForm .form-row {
        height: auto;
    }
    ItemForm .form-label {
        width: 18;
        padding: 1 1 0 1;
        text-align: right;
        text-style: bold;
    }
    ItemForm .form-field {
        width: 1fr;
        height: auto;
    }
    ItemForm .form-field Input, ItemForm .form-field Select {
        width: 100%;
    }
    ItemForm .form-field Checkbox {
        border: tall transparent;
    }
    ItemForm .form-error {
        color: $error;
        text-style: bold;
        padding: 0 1;
        display: none;
    }
    ItemForm .form-error.-shown {
        display: block;
    }
    ItemForm .form-hint {
        color: $text-muted;
        padding: 0 1;
    }
    ItemForm #form-buttons {
        dock: bottom;
        height: auto;
        align-horizontal: right;
    }
    ItemForm #form-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    title_text = "Item"
    intro = ""

    def __init__(self) -> None:
        super().__init__()
        self._fields: list[FormField] = []
        self._errors: dict[str, str] = {}

    # -- to override ------------------------------------------------------------------------

    def fields(self) -> list[FormField]:
        raise NotImplementedError

    def build(self, values: dict[str, Any]) -> T:
        raise NotImplementedError

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._fields = self.fields()
        with Vertical(id="form-dialog") as dialog:
            dialog.border_title = self.title_text
            if self.intro:
                yield Static(self.intro, id="form-intro", markup=False)
            with VerticalScroll(id="form-body", can_focus=False):
                for spec in self._fields:
                    with Horizontal(classes="form-row", id=f"row-{spec.name}"):
                        yield Label(spec.label, classes="form-label", markup=False)
                        with Vertical(classes="form-field"):
                            yield self._make_input(spec)
                            yield Static("", classes="form-error", id=f"error-{spec.name}", markup=False)
                            if spec.hint:
                                yield Static(spec.hint, classes="form-hint", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Save  ctrl+s", id="form-save", variant="primary")
                yield Button("Cancel  esc", id="form-cancel")
        yield Footer()

    def _make_input(self, spec: FormField):
        field_id = f"field-{spec.name}"
        if spec.kind == "select":
            values = [value for _label, value in spec.options]
            value = spec.value if spec.value in values else (values[0] if values else Select.BLANK)
            options = [
                (Content(label) if isinstance(label, str) else label, value)  # names are never markup
                for label, value in spec.options
            ]
            return Select(options, value=value, allow_blank=False, id=field_id)
        if spec.kind == "check":
            return StateCheckbox(spec.placeholder or spec.label, value=bool(spec.value), id=field_id)
        return Input(value=str(spec.value or ""), placeholder=spec.placeholder, id=field_id)

    def on_mount(self) -> None:
        self.focus_field(self._fields[0].name)

    def focus_field(self, name: str) -> None:
        widget = self.query_one(f"#field-{name}")
        widget.focus()
        widget.scroll_visible()

    # -- values and errors ------------------------------------------------------------------

    def raw_value(self, name: str) -> Any:
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            return None if widget.value is Select.BLANK else widget.value
        if isinstance(widget, Checkbox):
            return widget.value
        assert isinstance(widget, Input)
        return widget.value

    def show_error(self, name: str, message: str) -> None:
        if message:
            self._errors[name] = message
        else:
            self._errors.pop(name, None)
        error = self.query_one(f"#error-{name}", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")
        self.query_one(f"#field-{name}").set_class(bool(message), "-invalid")

    def errors(self) -> dict[str, str]:
        """The messages shown under the fields now, by field name (for tests and callers)."""
        return dict(self._errors)

    def collect(self) -> dict[str, Any] | None:
        """Parse every field, showing each problem under its field. None when any field is wrong."""
        values: dict[str, Any] = {}
        first_bad: str | None = None
        for spec in self._fields:
            raw = self.raw_value(spec.name)
            try:
                values[spec.name] = spec.parse(raw) if spec.parse else raw
            except InvalidInput as problem:
                self.show_error(spec.name, str(problem))
                first_bad = first_bad or spec.name
            else:
                self.show_error(spec.name, "")
        if first_bad is not None:
            self.focus_field(first_bad)
            return None
        return values

    # -- actions ----------------------------------------------------------------------------

    def action_save(self) -> None:
        values = self.collect()
        if values is None:
            return
        try:
            item = self.build(values)
        except InvalidInput as problem:
            self.notify(str(problem), severity="error", markup=False)
            return
        self.dismiss(item)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        # A corrected field loses its error at once; the others keep theirs until the next save.
        name = (event.input.id or "").removeprefix("field-")
        if name in self._errors:
            self.show_error(name, "")


# --------------------------------------------------------------------------------------------
# The forms


class ActionForm(ItemForm[ActionItem]):
    """Add or edit an action item (or, with `task=True`, a task of the agreement's work plan).

    `ActionForm(context, point_key=None, item=None, task=False)` dismisses with a new `ActionItem`
    (the edited copy keeps the item's id) or None. It never touches the session: the caller appends
    or replaces the item and posts `Edited`.
    """

    def __init__(
        self,
        context: MeetingContext,
        point_key: str | None = None,
        item: ActionItem | None = None,
        *,
        task: bool = False,
    ) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.is_task = task
        self.point_key = point_key if point_key is not None else (item.point if item else "")
        what = "task" if task else "action"
        self.title_text = f"{'Edit' if item else 'New'} {what}"
        point = context.checklist.point(self.point_key) if self.point_key else None
        if point is not None and not task:
            self.intro = f"Linked to point {point.number}: {point.title}"

    def fields(self) -> list[FormField]:
        item = self.item
        session = self.context.session
        what = "Task" if self.is_task else "Action"
        rows = [
            FormField(
                "text",
                what,
                value=item.text if item else "",
                placeholder="What will be done",
                parse=required_line(what),
            ),
            FormField(
                "owner",
                "Owner",
                value=item.owner if item else "",
                placeholder="Who does it",
                parse=optional_line("Owner"),
            ),
            FormField(
                "partner",
                "Partner",
                kind="select",
                value=item.partner if item else "",
                options=partner_options(session),
            ),
            FormField(
                "due",
                "Due",
                value=item.due if item else "",
                placeholder="YYYY-MM-DD (optional)",
                parse=optional_date("Due date"),
            ),
        ]
        if not self.is_task:
            points = [(f"{p.number}. {p.title}", p.key) for p in self.context.checklist.points]
            rows.append(
                FormField(
                    "point", "Point", kind="select", value=self.point_key, options=[("No linked point", "")] + points
                )
            )
        if item is not None:
            rows.append(FormField("done", "Status", kind="check", value=item.status == "done", placeholder="Done"))
        return rows

    def build(self, values: dict[str, Any]) -> ActionItem:
        item = self.item
        action = ActionItem(
            text=values["text"],
            owner=values["owner"],
            partner=values["partner"] or "",
            due=values["due"],
            point=values.get("point", item.point if item else "") or "",
        )
        if item is not None:
            action.id = item.id
            action.status = "done" if values.get("done") else "open"
        return action


class MeasureForm(ItemForm[Measure]):
    """Add or edit a measure of mutual benefit: economic or relational, with owner and target."""

    def __init__(self, context: MeetingContext, item: Measure | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit measure" if item else "New measure"

    def fields(self) -> list[FormField]:
        m = self.item
        return [
            FormField(
                "name",
                "Measure",
                value=m.name if m else "",
                placeholder="For example: Trust survey score",
                parse=required_line("Measure name"),
            ),
            FormField(
                "kind",
                "Kind",
                kind="select",
                value=m.kind if m else "relational",
                options=[(k.capitalize(), k) for k in MEASURE_KINDS],
            ),
            FormField(
                "how_measured", "How measured", value=m.how_measured if m else "", parse=optional_line("How measured")
            ),
            FormField("target", "Target", value=m.target if m else "", parse=optional_line("Target")),
            FormField("owner", "Owner", value=m.owner if m else "", parse=optional_line("Owner")),
            FormField(
                "review_frequency",
                "Reviewed",
                value=m.review_frequency if m else "",
                placeholder="For example: quarterly",
                parse=optional_line("Review frequency"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> Measure:
        measure = Measure(
            name=values["name"],
            kind=values["kind"],
            how_measured=values["how_measured"],
            target=values["target"],
            owner=values["owner"],
            review_frequency=values["review_frequency"],
        )
        if self.item is not None:
            measure.id = self.item.id
        return measure


class RoleForm(ItemForm[Role]):
    """Add or edit a role: which partner (or joint), which person, what they are responsible for."""

    def __init__(self, context: MeetingContext, item: Role | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit role" if item else "New role"

    def fields(self) -> list[FormField]:
        r = self.item
        return [
            FormField(
                "partner",
                "Partner",
                kind="select",
                value=r.partner if r else "",
                options=partner_options(self.context.session),
            ),
            FormField(
                "person",
                "Person",
                value=r.person if r else "",
                placeholder="Name or job title",
                parse=required_line("Person"),
            ),
            FormField(
                "responsibility",
                "Responsible for",
                value=r.responsibility if r else "",
                parse=required_line("Responsibility"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> Role:
        role = Role(partner=values["partner"] or "", person=values["person"], responsibility=values["responsibility"])
        if self.item is not None:
            role.id = self.item.id
        return role


class TaskForm(ActionForm):
    """A task of the agreement's joint work plan (an `ActionItem` kept in `session.tasks`)."""

    def __init__(self, context: MeetingContext, item: ActionItem | None = None) -> None:
        super().__init__(context, item=item, task=True)


class SponsorMeetingForm(ItemForm[SponsorMeeting]):
    """Add or edit a sponsor meeting: its date, in person or remote, and notes."""

    def __init__(self, context: MeetingContext, item: SponsorMeeting | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit sponsor meeting" if item else "New sponsor meeting"

    def fields(self) -> list[FormField]:
        m = self.item
        return [
            FormField(
                "date", "Date", value=m.date if m else "", placeholder="YYYY-MM-DD", parse=required_date("Meeting date")
            ),
            FormField(
                "mode",
                "Held",
                kind="select",
                value=m.mode if m else "in person",
                options=[(mode.capitalize(), mode) for mode in MEETING_MODES],
            ),
            FormField(
                "notes",
                "Notes",
                value=m.notes if m else "",
                placeholder="Where, or what was reviewed",
                parse=optional_line("Notes"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> SponsorMeeting:
        meeting = SponsorMeeting(date=values["date"], mode=values["mode"], notes=values["notes"])
        if self.item is not None:
            meeting.id = self.item.id
        return meeting


class DecisionForm(ItemForm[Decision]):
    """Record a decision the room made; the date defaults to the session's date."""

    def __init__(self, context: MeetingContext, item: Decision | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit decision" if item else "New decision"

    def fields(self) -> list[FormField]:
        d = self.item
        return [
            FormField(
                "text",
                "Decision",
                value=d.text if d else "",
                placeholder="What the room decided",
                parse=required_line("Decision"),
            ),
            FormField(
                "date",
                "Date",
                value=d.date if d else self.context.session.date,
                placeholder="YYYY-MM-DD",
                parse=optional_date("Decision date"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> Decision:
        decision = Decision(text=values["text"], date=values["date"])
        if self.item is not None:
            decision.id = self.item.id
        return decision


# --------------------------------------------------------------------------------------------
# Helpers for other panes


def confirm(host: Any, title: str, text: str, on_yes: Callable[[], None], confirm_label: str = "Delete") -> None:
    """Ask a yes/no question with the shared `ConfirmScreen`; run `on_yes` only on yes."""
    from facilitator.tui.dialogs.confirm import ConfirmScreen

    app = host if isinstance(host, App) else host.app

    def answered(yes: bool | None) -> None:
        if yes:
            on_yes()

    app.push_screen(ConfirmScreen(title, text, confirm_label, danger=True), answered)


# --------------------------------------------------------------------------------------------
# A table of items with add / edit / delete keys


MIN_FLEX = 20  # the narrowest the main column of an ItemTable may be before other columns go


class ItemTable(PlainTable):
    """A row-per-item table. Its keys post `ItemTable.Command` ("add", "edit", "delete") for the pane
    that owns the items; Enter or a click on the chosen row edits it."""

    DEFAULT_CSS = """
    ItemTable {
        height: 1fr;
        border: tall $panel;
    }
    ItemTable:focus {
        border: tall $accent;
    }
    """

    BINDINGS = [
        Binding("n,N", "command('add')", "New"),
        Binding("e,E", "command('edit')", "Edit"),
        Binding("delete", "command('delete')", "Delete", key_display="del"),
        Binding("k,K", "command('keep')", "Keep suggestion"),
    ]

    class Command(Message):
        def __init__(self, table: ItemTable, command: str, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.command = command
            self.key = key

        @property
        def control(self) -> ItemTable:
            return self.table

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._columns_spec: list[tuple[str, int | None]] = []
        self._rows_spec: list[tuple[str, tuple]] = []
        self._keepable: frozenset[str] = frozenset()  # rows the app suggested: K keeps one

    def current_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # noqa: BLE001 - a stale cursor after a clear
            return None
        return row_key.value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "command" and parameters and parameters[0] == "keep":
            if not self._keepable:
                return False  # no suggestion in this table: not in the footer at all
            return True if self.current_key() in self._keepable else None
        if action == "command" and parameters and parameters[0] in ("edit", "delete", "toggle"):
            return True if self.row_count else None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self and self._keepable:
            self.refresh_bindings()  # "Keep suggestion" applies to some rows only

    def action_command(self, command: str) -> None:
        key = self.current_key()
        if command != "add" and key is None:
            return
        self.post_message(self.Command(self, command, key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self:
            event.stop()
            self.post_message(self.Command(self, "edit", event.row_key.value))

    def show(
        self,
        columns: list[tuple[str, int | None]],
        rows: list[tuple[str, tuple]],
        select: str | None = None,
        keepable: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        """Fill the table: `columns` as (label, width); one width None takes the rest of the room.
        `rows` as (item id, cells). The cursor stays on the same item, or moves to `select`.
        `keepable`: the ids of rows the app only suggested, which K keeps."""
        self._columns_spec = list(columns)
        self._rows_spec = list(rows)
        self._keepable = frozenset(keepable)
        keep = select or self.current_key()
        self._fill(keep)

    def _fill(self, keep: str | None) -> None:
        old_row = self.cursor_row
        self.clear(columns=True)
        # Columns after the first are dropped from the end while the flexible one would be too
        # narrow to read: the most important columns come first.
        columns = list(self._columns_spec)
        width = self.scrollable_content_region.width or self.size.width
        room = width - 2  # the vertical scrollbar

        def flex_width(cols: list[tuple[str, int | None]]) -> int:
            return room - sum((w or 0) + 2 for _label, w in cols)

        while len(columns) > 2 and flex_width(columns) < MIN_FLEX and columns[-1][1] is not None:
            columns.pop()
        for label, w in columns:
            self.add_column(label, width=w if w is not None else max(MIN_FLEX, flex_width(columns)))
        for key, cells in self._rows_spec:
            self.add_row(*cells[: len(columns)], key=key, height=None)
        if not self._rows_spec:
            return
        keys = [key for key, _cells in self._rows_spec]
        row = keys.index(keep) if keep in keys else min(old_row, len(keys) - 1)
        self.move_cursor(row=row, animate=False)
        self.refresh_bindings()

    def on_resize(self) -> None:
        if self._columns_spec:
            self._fill(self.current_key())
