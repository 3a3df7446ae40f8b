"""The Table tab: the structured items of the section shown (its measures, roles, work plan or
sponsor meetings), with keys to add, edit, delete, or keep what the app suggested.

The pane hands the tab the section's `TableSpec` (data down); the tab opens the forms, changes the
session's list, and posts `TableTab.ItemsChanged` (up), so the pane refreshes what depends on it
and reports the edit.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static, TabPane

from facilitator.domain import suggestions
from facilitator.domain.model import Measure
from facilitator.tui.dialogs.confirm import confirm
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.panes.agreement.tables import TableSpec
from facilitator.tui.widgets.item_table import ItemTable

TABLE_HINT = "n new · e or Enter edit · del delete"


class TableTab(TabPane):
    DEFAULT_CSS = """
    TableTab #table-hint {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    """

    class ItemsChanged(Message):
        """An item of the table was added, edited, kept or deleted: `what` names the table's kind."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__("Table", **kwargs)
        self.context = context
        self.spec: TableSpec[Any] | None = None  # the table of the section shown, if it keeps one

    def compose(self) -> ComposeResult:
        yield ItemTable(id="section-table")
        yield Static(TABLE_HINT, id="table-hint")

    def show_table(self, spec: TableSpec[Any], select: str | None = None) -> None:
        """Fill the table with the session's items of this kind; the cursor moves to `select`."""
        self.spec = spec
        session = self.context.session
        items = spec.items(session)
        keepable = {item.id for item in items if spec.suggested(item)}
        self.query_one("#section-table", ItemTable).show(
            list(spec.columns),
            [(item.id, spec.cells(session, item)) for item in items],
            select=select,
            keepable=keepable,
        )
        self.query_one("#table-hint", Static).update(TABLE_HINT + (" · k keep suggested" if keepable else ""))

    def focus_table(self) -> None:
        self.query_one("#section-table", ItemTable).focus()

    @on(ItemTable.Command, "#section-table")
    def _table_command(self, message: ItemTable.Command) -> None:
        message.stop()
        spec = self.spec
        if spec is None:
            return
        items = spec.items(self.context.session)
        item = next((i for i in items if i.id == message.key), None)
        if message.command == "add":
            self.app.push_screen(spec.form(self.context, None), lambda new: self._item_saved(spec, new, None))
        elif message.command == "edit" and item is not None:
            self.app.push_screen(spec.form(self.context, item), lambda new: self._item_saved(spec, new, item))
        elif message.command == "keep" and item is not None and spec.suggested(item):
            suggestions.keep(item)
            self.notify(f"Kept: {spec.describe(item)}. It is part of the agreement now.", timeout=4, markup=False)
            self._item_changed(spec, item)
        elif message.command == "delete" and item is not None and spec.suggested(item):
            self._item_deleted(spec, item)  # only a suggestion: nothing the room typed is lost
            self.notify(f"Dropped the suggested {spec.noun}: {spec.describe(item)}", timeout=4, markup=False)
        elif message.command == "delete" and item is not None:
            confirm(self, f"Delete this {spec.noun}?", spec.describe(item), lambda: self._item_deleted(spec, item))

    def _item_saved(self, spec: TableSpec[Any], new: Any, old: Any) -> None:
        if new is None:
            return
        session = self.context.session
        items = spec.items(session)
        if old is not None and old in items:
            items[items.index(old)] = new
        else:
            items.append(new)
        if isinstance(new, Measure):
            # The room's own measure replaces a suggestion on the same ground (its trust survey
            # and the suggested trust measure are one measure, not two).
            dropped = suggestions.drop_duplicates(session, self.context.checklist, new)
            if dropped:
                names = ", ".join(m.name for m in dropped)
                self.notify(f"Dropped the suggested {names}: “{new.name}” covers it.", timeout=5, markup=False)
        self._item_changed(spec, new)

    def _item_changed(self, spec: TableSpec[Any], item: Any) -> None:
        self._refill(select=item.id)
        self.post_message(self.ItemsChanged(spec.name))

    def _item_deleted(self, spec: TableSpec[Any], item: Any) -> None:
        items = spec.items(self.context.session)
        if item in items:
            items.remove(item)
        self._refill()
        self.post_message(self.ItemsChanged(spec.name))

    def _refill(self, select: str | None = None) -> None:
        if self.spec is not None:
            self.show_table(self.spec, select=select)
