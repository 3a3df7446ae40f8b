"""A modal form: `FormField` rows (a label, a text field, a choice or a tick box, and an error line
under each), saved with Ctrl+S or Enter, cancelled with Escape. The forms themselves are in
`item_forms`.

Every field is checked when the form is saved: a problem shows in the error colour under its field,
the field is focused, and the form stays open. The form dismisses with what `build` makes of the
parsed values, or None when cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from facilitator.base.errors import InvalidInput
from facilitator.tui.widgets.toggles import StateCheckbox

T = TypeVar("T")


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
