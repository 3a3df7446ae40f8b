"""The Textual app: screens, app-wide keys, command palette, and the safety net around saving.

Built by `make_app()`, which the CLI and the tests both use; the App never reads argv or the
environment itself.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from facilitator.base.errors import FacilitatorError
from facilitator.storage import rescue
from facilitator.storage.store import SessionStore
from facilitator.tui.control_filter import ControlCharacterFilter
from facilitator.tui.exit_guard import ExitGuard
from facilitator.tui.key_order import KeysInOrder
from facilitator.tui.screens.hooks import OffersCommands
from facilitator.tui.textual_compat import (
    add_line_filter,
    decode_terminal_input_leniently,
    discard_output_after_hangup,
    stop_reading_input,
    unfinished_messages,
    watch_driver_messages,
)
from facilitator.tui.widgets.literal import markup_literal

MIN_WIDTH, MIN_HEIGHT = 80, 24
INPUT_THREAD_MOMENT = 0.05  # seconds, at an exit by signal, for a key already read to be posted


class FacilitatorApp(App[int]):
    """Lead a partnership health check and draft the agreement, on the room's shared screen."""

    TITLE = "facilitator"
    # The session list's styles (next to its screen) are read with the app's own: a screen's
    # CSS_PATH is read when it is first shown and makes Textual parse every style sheet again,
    # which costs the first screen a facilitator sees about 5 ms.
    CSS_PATH = ["app.tcss", "screens/session_list.tcss"]
    ENABLE_COMMAND_PALETTE = True
    NOTIFICATION_TIMEOUT = 3  # seconds, unless a message asks for more (errors do): toasts cover a little
    BINDINGS = [
        Binding("f1", "help", "Help", priority=True),
        Binding("ctrl+t", "toggle_dark", "Light/dark", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, store: SessionStore, templates: Path | None = None, open_session: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.templates = templates
        self.open_session_id = open_session
        self._exit_guard: ExitGuard | None = None
        self._loop = None
        self._rescued: list[Path] = []
        self._keys_read = 0  # by Textual's input thread
        self._keys_handled = 0  # by the app (handed on to the focused widget)
        self._keys_in_order = KeysInOrder(self, self._hand_on_key)
        self._too_small_shown = False
        add_line_filter(self, ControlCharacterFilter())  # no escape sequence from a session reaches the terminal
        decode_terminal_input_leniently()  # a byte that is not UTF-8 is read as U+FFFD, not a crash

    # -- start and stop -------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        # The first screen is pushed once Textual's start-up batch is over (the app's message loop
        # starts then): a screen pushed inside it is laid out and painted once for nothing, since
        # Textual drops the paints of that batch, then again.
        self.call_later(self._show_first_screen)
        self._install_signal_handlers()
        self._count_keys_read()

    def _show_first_screen(self) -> None:
        from facilitator.tui.screens.session_list import SessionListScreen

        self.push_screen(SessionListScreen())
        self._tell_of_last_crash()
        if self.open_session_id:
            self.open_meeting(self.open_session_id)
        self.call_after_refresh(self._check_size)

    def _tell_of_last_crash(self) -> None:
        from facilitator.tui.crash_notice import crash_since_last_start

        log = crash_since_last_start(self.store.data_dir)
        if log is not None:
            self.notify(
                f"It stopped with an error last time (the room's work was saved first). The report is in {log}",
                title="facilitator crashed last time",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def _install_signal_handlers(self) -> None:
        # Textual installs none for these: closing the terminal window (SIGHUP) or `kill` (SIGTERM)
        # would end the process with nothing saved, and its own shutdown can block forever on a dead
        # terminal. The guard saves first, then makes sure the process ends (see exit_guard.py).
        import asyncio

        self._loop = asyncio.get_running_loop()
        self._exit_guard = ExitGuard(
            self._exit_requested_by_signal,
            self._save_for_exit,
            before_exit=self._stop_servers,
            terminal_gone=self._terminal_gone,
            ping=self._loop.call_soon_threadsafe,
        )
        self._exit_guard.install()

    def _exit_requested_by_signal(self, _signum: int) -> None:
        """From the guard's thread: start the ordinary exit on the event loop (if it still runs)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._start_signal_exit)

    def _start_signal_exit(self) -> None:
        # A worker, not a message to the app: keys queued behind it must still be handled first.
        self.run_worker(self._exit_on_signal(), group="exit-signal", exit_on_error=False)

    async def _exit_on_signal(self) -> None:
        await self._settle()  # a key typed just before the window closed reaches the session first
        from facilitator.tui.screens.meeting import MeetingScreen

        for screen in self.screen_stack:
            if isinstance(screen, MeetingScreen):
                screen.commit_typing()
        code = 0
        if not self.save_everything(close=True):
            self._rescued += [path for path in self.rescue_unsaved() if path not in self._rescued]
            code = 1
        if self._exit_guard is not None:
            self._exit_guard.work_saved(code)
        self.exit(code, message=_rescue_message(self._rescued) if code else None)

    async def _settle(self, most: float = 1.0) -> None:
        """Until every key read from the terminal before the signal has been handled, and what it
        set off (the screen drawing the next step) has run; at most `most` seconds."""
        import asyncio
        import time

        until = time.monotonic() + most
        # Textual's input thread may have read a key and not yet posted it (it needs the GIL).
        await asyncio.sleep(INPUT_THREAD_MOMENT)
        while self._keys_handled < self._keys_read and time.monotonic() < until:
            await asyncio.sleep(0.01)
        quiet = 0
        while quiet < 2 and time.monotonic() < until:
            await asyncio.sleep(0.01)
            quiet = quiet + 1 if self._busy_with_keys() == 0 else 0

    def _busy_with_keys(self) -> int:
        """Messages not yet handled where a key goes: the app (its bindings), the screen, and the
        focused widget up to it."""
        pumps = [self, self.screen]
        node = self.focused
        while node is not None and node is not self.screen:
            pumps.append(node)
            node = node.parent
        # Unfinished, not only queued: a key whose handler is still at work has left its queue.
        return sum(unfinished_messages(pump) for pump in pumps)

    def _count_keys_read(self) -> None:
        """Count the keys Textual's input thread reads, so that an exit can wait for them."""
        from textual import events

        def count(message) -> None:
            if isinstance(message, events.Key):
                self._keys_read += 1

        watch_driver_messages(self, count)

    async def on_event(self, event) -> None:
        from textual import events

        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            # Read from the terminal: handed on in the order typed (see key_order.py).
            await self._keys_in_order.take(event)
            return
        await super().on_event(event)

    async def _hand_on_key(self, event) -> None:
        """What Textual does with a key or paste read from the terminal (priority bindings, then the
        focused widget); counted, so that an exit can wait for the keys read before it."""
        from textual import events

        await super().on_event(event)
        if isinstance(event, events.Key):
            self._keys_handled += 1

    def _save_for_exit(self) -> int:
        """Save every open meeting, from any thread (the guard's, when the event loop is stuck):
        0 when all is on disk, 1 when only a rescue copy could be written. A later save from the
        event loop still writes over it, with what it handled since."""
        from facilitator.tui.screens.meeting import MeetingScreen

        code = 0
        for screen in list(self.screen_stack):
            if isinstance(screen, MeetingScreen):
                screen.commit_typing()
                if not screen.save_for_exit():
                    rescued = screen.write_rescue_copy()
                    if rescued is not None and rescued not in self._rescued:
                        self._rescued.append(rescued)
                    code = 1
        return code

    def _terminal_gone(self) -> None:
        """The terminal is gone. Textual's input thread would spin on its end of file, starving the
        event loop; its writer thread dies on it, and its queue, once full, would block the event
        loop forever. Stop the one, and empty the other's queue from now on."""
        stop_reading_input(self)  # every key it read is posted before the app is asked to exit
        discard_output_after_hangup(self)

    def _stop_servers(self) -> None:
        """Before the guard ends the process: the participant server it started must not outlive it."""
        from facilitator.tui.screens.meeting import MeetingScreen

        for screen in list(self.screen_stack):
            if isinstance(screen, MeetingScreen) and screen.remote is not None:
                screen.remote.stop_server(timeout=0.5)

    async def action_quit(self) -> None:
        # Save before Textual tears the screens down: by unmount time the screen stack is gone.
        if self.save_everything():
            self.save_everything(close=True)
            self.exit(0)
            return
        from facilitator.tui.dialogs.confirm import ConfirmScreen

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self._exit_with_rescue()

        self.push_screen(
            ConfirmScreen(
                "Your latest changes are not saved",
                "The session file cannot be written right now (see the red warning). If you stay, your work "
                "stays in memory and saving keeps retrying. If you quit, a rescue copy is written to "
                f"{rescue.rescue_folder()} instead.",
                confirm_label="Quit with a rescue copy",
                cancel_label="Stay",
                danger=True,
            ),
            answered,
        )

    def _exit_with_rescue(self) -> None:
        """Leave even though saving fails: write what is unsaved somewhere else first."""
        written = self.rescue_unsaved()
        self.save_everything(close=True)
        self.exit(return_code=1, message=_rescue_message(written))

    def rescue_unsaved(self) -> list[Path]:
        from facilitator.tui.screens.meeting import MeetingScreen

        return [
            path
            for screen in self.screen_stack
            if isinstance(screen, MeetingScreen)
            for path in [screen.write_rescue_copy()]
            if path is not None
        ]

    def on_unmount(self) -> None:
        # May run twice under run_test; save_everything is idempotent.
        self.save_everything(close=True)
        self._keys_in_order.stop()
        self._remove_signal_handlers()

    def _remove_signal_handlers(self) -> None:
        # Give the signals back: a process that outlives the app (tests, an embedding) must not
        # keep routing SIGTERM to an app that is gone. A guard already started carries on.
        if self._exit_guard is not None:
            self._exit_guard.uninstall()

    def save_everything(self, close: bool = False) -> bool:
        """Flush every open meeting to disk now. True when everything is saved."""
        from facilitator.tui.screens.meeting import MeetingScreen

        ok = True
        for screen in self.screen_stack:
            if isinstance(screen, MeetingScreen):
                ok = screen.save_now(close=close) and ok
        return ok

    def _handle_exception(self, error: Exception) -> None:
        # An unexpected error in a handler ends the app: save the room's work before anything else.
        try:
            if not self.save_everything(close=True):
                self.rescue_unsaved()
            self._write_crash_log(error)
        except Exception:  # noqa: BLE001 - never let the safety net itself hide the original error
            pass
        super()._handle_exception(error)

    def _write_crash_log(self, error: BaseException) -> None:
        from facilitator.storage.atomic import atomic_write_text, private_folder

        folder = self.store.data_dir / "logs"
        private_folder(folder, parents=True)  # a traceback can quote what the room typed
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        atomic_write_text(folder / f"crash-{stamp}.txt", text)

    # -- navigation -----------------------------------------------------------------------------

    def open_meeting(self, session_id: str) -> None:
        """Open a session in the meeting workspace, or explain why it cannot be opened."""
        from facilitator.tui.screens.meeting import MeetingScreen

        try:
            opened = self.store.open(session_id)
        except FacilitatorError as error:
            self.notify(str(error), title="Cannot open the session", severity="error", timeout=8, markup=False)
            return
        self.push_screen(MeetingScreen(opened, templates=self.templates))

    def push_screen(self, screen, *args, **kwargs):
        # The command palette only ever stays on top: a screen pushed over it (F1, the too-small
        # notice, a confirmation) closes it first. Left below, it would be opened a second time
        # by Ctrl+P with the same id, and Textual ends the app (DuplicateIds).
        from textual.command import CommandPalette

        if not isinstance(screen, CommandPalette):
            self._close_command_palette()
        return super().push_screen(screen, *args, **kwargs)

    def _close_command_palette(self) -> None:
        from textual.command import CommandPalette

        if isinstance(self.screen, CommandPalette):
            self.post_message(CommandPalette.Closed(option_selected=False))
            self.screen.dismiss()

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        # One palette at a time, wherever it is in the stack (Textual looks only at the top).
        if self.use_command_palette and not any(isinstance(screen, CommandPalette) for screen in self.screen_stack):
            from facilitator.tui.screens.palette import Palette

            self.push_screen(Palette(id="--command-palette"))

    def action_help(self) -> None:
        from facilitator.tui.screens.help import HelpScreen
        from facilitator.tui.screens.too_small import TooSmallScreen

        self._close_command_palette()  # help is about the screen below the palette
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)  # F1 toggles help
        elif not isinstance(self.screen, TooSmallScreen):  # a help over it would hide the size message
            self.push_screen(HelpScreen(self.screen))

    def get_key_display(self, binding: Binding) -> str:
        # Function keys as printed on the keyboard, the same in the footer, in Help and in the
        # hints ("F4", as "F2/F3"), not Textual's "f4".
        display = super().get_key_display(binding)
        if binding.key_display is None and len(display) <= 3 and display[:1] == "f" and display[1:].isdigit():
            return display.upper()
        return display

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    # -- terminal size --------------------------------------------------------------------------

    def on_resize(self) -> None:
        self.call_after_refresh(self._check_size)

    def _check_size(self) -> None:
        from facilitator.tui.screens.too_small import TooSmallScreen

        small = self.size.width < MIN_WIDTH or self.size.height < MIN_HEIGHT
        if small and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen(MIN_WIDTH, MIN_HEIGHT))
        elif not small and isinstance(self.screen, TooSmallScreen):
            self.pop_screen()

    # -- command palette ------------------------------------------------------------------------

    def _listed_summaries(self) -> list:
        """The sessions the list screen already loaded in its worker: opening the palette must not
        scan the data folder on the UI thread (10,000 sessions take a tenth of a second)."""
        from facilitator.tui.screens.session_list import SessionListScreen

        for screen in self.screen_stack:
            if isinstance(screen, SessionListScreen) and screen.summaries is not None:
                return screen.summaries
        try:
            return self.store.summaries()  # only before the list's first load has finished
        except FacilitatorError:
            return []

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Help", "Keys of this screen, the scoring scale, and where the checklist comes from", self.action_help
        )
        yield SystemCommand("Light or dark theme", "Switch between the light and dark theme", self.action_toggle_dark)
        if isinstance(screen, OffersCommands):
            yield from screen.palette_commands()
        from facilitator.tui.screens.meeting import MeetingScreen

        # One meeting at a time: sessions can be opened from the palette while none is open.
        if not any(isinstance(s, MeetingScreen) for s in self.screen_stack):
            for summary in self._listed_summaries():
                if summary.ok:
                    # Names are the room's text, not markup: "[/]" in an alliance name must not break.
                    yield SystemCommand(
                        markup_literal(f"Open session: {summary.alliance} ({summary.date})"),
                        markup_literal(f"{summary.kind}, {', '.join(summary.partners)} - {summary.id}"),
                        lambda session_id=summary.id: self.open_meeting(session_id),
                    )


def _rescue_message(written: list[Path]) -> str | None:
    if not written:
        return None
    where = ", ".join(str(p) for p in written)
    return (
        f"facilitator: the session could not be saved; a rescue copy is in {where}. "
        "Import it with `facilitator load FILE --replace`."
    )


def make_app(
    store: SessionStore | None = None,
    *,
    data_dir: Path | str | None = None,
    templates: Path | None = None,
    open_session: str | None = None,
) -> FacilitatorApp:
    """The one way to build the app, for the CLI and for tests."""
    if store is None:
        if data_dir is None:
            raise ValueError("make_app needs a store or a data_dir")
        store = SessionStore(data_dir)
    return FacilitatorApp(store=store, templates=templates, open_session=open_session)
