"""The decisions made in a meeting, one option each: its keys post `DecisionList.Command` ("add",
"edit", "delete") for the pane that owns the decisions, as `ItemTable` does for its rows."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList


class DecisionList(OptionList):
    """The decisions made in this meeting, newest last."""

    BINDINGS = [
        Binding("n,N", "command('add')", "New"),
        Binding("e,E", "command('edit')", "Edit"),
        Binding("delete", "command('delete')", "Delete", key_display="del"),
    ]

    class Command(Message):
        def __init__(self, decision_list: DecisionList, command: str, key: str | None) -> None:
            super().__init__()
            self.decision_list = decision_list
            self.command = command
            self.key = key

        @property
        def control(self) -> DecisionList:
            return self.decision_list

    def current_key(self) -> str | None:
        if self.highlighted is None or self.option_count == 0:
            return None
        return self.get_option_at_index(self.highlighted).id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "command" and parameters and parameters[0] != "add":
            return True if self.option_count else None
        return True

    def action_command(self, command: str) -> None:
        key = self.current_key()
        if command != "add" and key is None:
            return
        self.post_message(self.Command(self, command, key))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list is self:
            event.stop()
            self.post_message(self.Command(self, "edit", event.option.id))
