"""The agenda rail: the meeting's steps with their timeboxes, the current one marked."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from facilitator.domain.content import Checklist
from facilitator.domain.model import AgendaState


def format_minutes(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class AgendaRail(OptionList):
    """Choose a step with the arrows and Enter, or a click. Overrun steps show in the error colour."""

    DEFAULT_CSS = """
    AgendaRail {
        width: 28;
        height: 1fr;
        border: tall $panel;
        padding: 0 1;
    }
    AgendaRail:focus {
        border: tall $accent;
    }
    AgendaRail.-mini {
        width: 12;
        padding: 0;
    }
    """

    step: reactive[str] = reactive("welcome", init=False)
    mini: reactive[bool] = reactive(False, init=False)
    """Numbers and times only, to leave the room to the step (Ctrl+B toggles)."""

    class StepChosen(Message):
        def __init__(self, step: str) -> None:
            super().__init__()
            self.step = step

    def __init__(self, checklist: Checklist, agenda: AgendaState) -> None:
        super().__init__(id="agenda-rail")
        self.checklist = checklist
        self.agenda = agenda
        self.border_title = "Agenda"
        self.set_reactive(AgendaRail.step, agenda.step)
        self._prompts: dict[str, Text] = {}  # what each option shows now

    def on_mount(self) -> None:
        self._prompts = {step.key: self._prompt(step.key) for step in self.checklist.agenda}
        self.add_options(Option(prompt, id=key) for key, prompt in self._prompts.items())
        self._highlight_current()

    def _prompt(self, key: str) -> Text:
        step = self.checklist.step(key)
        assert step is not None
        number = [s.key for s in self.checklist.agenda].index(key) + 1
        minutes = self.agenda.timebox.get(key, step.minutes)
        spent = self.agenda.elapsed.get(key, 0.0)
        current = key == self.step
        overrun = spent > minutes * 60
        if self.mini:
            text = Text()
            text.append("▶" if current else " ", style="bold")
            text.append(f"{number} ", style="bold" if current else "")
            text.append(format_minutes(spent), style="bold red" if overrun else ("" if current else "dim"))
            return text
        room = max(self.scrollable_content_region.width - 4, 8)  # "▶ 2 " comes first
        title = step.title if len(step.title) <= room else step.title[: room - 1] + "…"
        text = Text()
        text.append("▶ " if current else "  ", style="bold")
        text.append(f"{number} {title}", style="bold" if current else "")
        text.append("\n    ")
        text.append(f"{format_minutes(spent)} of {minutes} min", style="bold red" if overrun else "dim")
        return text

    def on_resize(self) -> None:
        self.refresh_times()

    def refresh_times(self) -> None:
        # Called on every clock tick: replacing a prompt re-renders the whole list, so only changed ones.
        for step in self.checklist.agenda:
            prompt = self._prompt(step.key)
            if self._prompts.get(step.key) != prompt:
                self._prompts[step.key] = prompt
                self.replace_option_prompt(step.key, prompt)

    def watch_mini(self, mini: bool) -> None:
        self.set_class(mini, "-mini")
        self.border_title = "" if mini else "Agenda"
        self.refresh_times()

    def watch_step(self) -> None:
        self.refresh_times()
        self._highlight_current()

    def _highlight_current(self) -> None:
        keys = [s.key for s in self.checklist.agenda]
        if self.step in keys:
            self.highlighted = keys.index(self.step)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.StepChosen(event.option.id))
