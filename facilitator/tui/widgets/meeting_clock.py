"""The meeting clock: time spent in the current agenda step against its timebox, shown overrun.

It runs from the moment a meeting held today is opened (a facilitator expects the clock to run once
the meeting starts); F4 pauses and restarts it. The seconds counted are the session's
`agenda.elapsed`, saved with it.
"""

from __future__ import annotations

from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from facilitator.domain.content import Checklist
from facilitator.domain.model import AgendaState
from facilitator.tui.widgets.agenda_rail import format_minutes


class MeetingClock(Static):
    DEFAULT_CSS = """
    MeetingClock {
        width: auto;
        padding: 0 1;
        text-align: right;
        text-wrap: nowrap;
    }
    MeetingClock.-overrun {
        color: $error;
        text-style: bold;
    }
    MeetingClock.-paused {
        color: $text-muted;
    }
    """

    running: reactive[bool] = reactive(False, init=False)

    class Ticked(Message):
        """One more second was counted against the current step."""

    class Toggled(Message):
        pass

    def __init__(self, agenda: AgendaState, checklist: Checklist, running: bool = False) -> None:
        super().__init__(id="meeting-clock")
        self.agenda = agenda
        self.checklist = checklist
        # Set without the watcher: starting with the meeting changes nothing that needs a save.
        self.set_reactive(MeetingClock.running, running)

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1.0, self._tick, pause=not self.running)
        self.refresh_display()

    def toggle(self) -> None:
        self.running = not self.running

    def watch_running(self, running: bool) -> None:
        if running:
            self._ticker.resume()
        else:
            self._ticker.pause()
        self.refresh_display()
        self.post_message(self.Toggled())

    def _tick(self) -> None:
        step = self.agenda.step
        self.agenda.elapsed[step] = self.agenda.elapsed.get(step, 0.0) + 1.0
        self.refresh_display()
        self.post_message(self.Ticked())

    def refresh_display(self) -> None:
        step = self.checklist.step(self.agenda.step)
        if step is None:
            self.update("")
            return
        minutes = self.agenda.timebox.get(step.key, step.minutes)
        spent = self.agenda.elapsed.get(step.key, 0.0)
        overrun = spent > minutes * 60
        state = "running" if self.running else "paused"
        over = format_minutes(spent - minutes * 60)
        if self.app.size.width < 120:  # the top bar's room goes to the alliance's name
            self.update(f"{state} {format_minutes(spent)}/{minutes}:00" + (f" +{over}" if overrun else ""))
        else:
            self.update(f"{state}  {format_minutes(spent)} / {minutes}:00" + (f"  +{over} over" if overrun else ""))
        self.set_class(overrun, "-overrun")
        self.set_class(not self.running, "-paused")
