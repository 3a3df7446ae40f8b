"""The Table tab: the structured items of the section shown (its measures, roles, work plan,
sponsor meetings, governance bodies, escalation ladder or exit triggers), with keys to add, edit,
delete, or keep what the app suggested.

The pane hands the tab the section's `TableSpec`s (data down): one table each, stacked, titled,
Tab moving between them. The tab opens the forms, changes the session's lists, and posts
`TableTab.ItemsChanged` (up), so the pane refreshes what depends on it and reports the edit.
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
from facilitator.tui.panes.agreement.tables import MAX_TABLES, TableSpec
from facilitator.tui.widgets.item_table import ItemTable

TABLE_HINT = "n new · e or Enter edit · del delete"
MANY_TABLES_HINT = TABLE_HINT + " · Tab next table"


def table_id(index: int) -> str:
    """The first table keeps the id it always had; the others are numbered from 2."""
    return "section-table" if index == 0 else f"section-table-{index + 1}"


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
        self.specs: list[TableSpec[Any]] = []  # the tables of the section shown (none: it keeps none)

    @property
    def spec(self) -> TableSpec[Any] | None:
        """The section's first table, if it keeps one."""
        return self.specs[0] if self.specs else None

    def compose(self) -> ComposeResult:
        for index in range(MAX_TABLES):
            yield ItemTable(id=table_id(index))
        yield Static(TABLE_HINT, id="table-hint")

    def _tables(self) -> list[ItemTable]:
        return [self.query_one(f"#{table_id(index)}", ItemTable) for index in range(MAX_TABLES)]

    def show_tables(self, specs: list[TableSpec[Any]], select: str | None = None) -> None:
        """Fill one table for each spec with the session's items of its kind, the others hidden;
        the cursor moves to the item `select` names, in whichever table holds it."""
        self.specs = list(specs)
        session = self.context.session
        any_keepable = False
        for index, table in enumerate(self._tables()):
            spec = self.specs[index] if index < len(self.specs) else None
            table.display = spec is not None
            if spec is None:
                table.clear(columns=True)
                continue
            items = spec.items(session)
            keepable = {item.id for item in items if spec.suggested(item)}
            any_keepable = any_keepable or bool(keepable)
            table.show(
                list(spec.columns),
                [(item.id, spec.cells(session, item)) for item in items],
                select=select,
                keepable=keepable,
            )
            # Several tables: each says what it is (one table's title is the tab's own label).
            table.border_title = f"{spec.title} ({len(items)})" if len(self.specs) > 1 else None
        hint = MANY_TABLES_HINT if len(self.specs) > 1 else TABLE_HINT
        self.query_one("#table-hint", Static).update(hint + (" · k keep suggested" if any_keepable else ""))

    def focus_table(self) -> None:
        self.query_one("#section-table", ItemTable).focus()

    def _spec_of(self, table: ItemTable) -> TableSpec[Any] | None:
        for index, candidate in enumerate(self._tables()):
            if candidate is table and index < len(self.specs):
                return self.specs[index]
        return None

    @on(ItemTable.Command)
    def _table_command(self, message: ItemTable.Command) -> None:
        message.stop()
        spec = self._spec_of(message.table)
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
        if self.specs:
            self.show_tables(self.specs, select=select)
