"""Every private part of Textual that facilitator relies on still exists and behaves as assumed
(facilitator/tui/textual_compat.py). An upgrade of Textual that breaks one fails here, by name."""

from __future__ import annotations

import asyncio
import inspect
import re

from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.drivers._writer_thread import WriterThread
from textual.drivers.linux_driver import LinuxDriver
from textual.widgets import Checkbox, RadioButton, Static

from facilitator.tui import textual_compat
from facilitator.tui.textual_compat import ToggleButton


class Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("probe", id="probe")


async def test_a_pump_at_work_counts_as_unfinished_and_an_idle_one_does_not() -> None:
    app = Probe()
    async with app.run_test() as pilot:
        await pilot.pause()
        probe = app.query_one("#probe")
        assert textual_compat.unfinished_messages(probe) == 0, "an idle widget waits for its queue"
        seen: list[int] = []

        async def at_work() -> None:
            seen.append(textual_compat.unfinished_messages(probe))  # counted while its handler runs
            await asyncio.sleep(0)

        probe.call_later(at_work)
        assert textual_compat.unfinished_messages(probe) >= 1, "a queued message counts"
        for _ in range(20):
            await pilot.pause()
            if seen:
                break
        assert seen and seen[0] >= 1, "the message being handled has left the queue but must count"
        await pilot.pause()
        assert textual_compat.unfinished_messages(probe) == 0


def sets_attribute(cls: type, name: str) -> bool:
    """`cls` (or a base of it) assigns `self.<name>` somewhere in its code."""
    assigned = re.compile(rf"self\.{name}\s*(:[^=\n]*)?=[^=]")
    sources = (inspect.getsource(base) for base in cls.__mro__ if base.__module__.startswith("textual"))
    return any(assigned.search(source) for source in sources)


def test_the_private_names_facilitator_uses_are_there() -> None:
    # The app and the participant app end with Textual's own handler after saving (or saying so).
    assert callable(getattr(App, "_handle_exception", None))
    # The terminal driver's input hook, and its input and output threads, stopped and drained
    # after a hangup.
    assert callable(getattr(LinuxDriver, "process_message", None))
    for name in ("exit_event", "_key_thread", "_writer_thread"):
        assert sets_attribute(LinuxDriver, name), name
    assert sets_attribute(WriterThread, "_queue")
    # The score board repaints its cached lines only when a repaint was asked for.
    assert isinstance(Static("x")._dirty_regions, set)
    # Check boxes and radio buttons draw their box in `_button` (toggles.py overrides it).
    assert issubclass(Checkbox, ToggleButton) and issubclass(RadioButton, ToggleButton)
    assert isinstance(getattr(ToggleButton, "_button", None), property)
    # The palette's guards override these (screens/palette.py).
    for name in ("_action_command_list", "_watch__list_visible", "_watch__show_busy"):
        assert callable(getattr(CommandPalette, name, None)), name
    assert sets_attribute(CommandPalette, "_no_matches_timer")
    # The history screen has a refilled table decide again on its scrollbars (recheck_scrollbars).
    assert callable(getattr(Static("x"), "_refresh_scrollbars", None))


async def test_an_added_line_filter_sees_every_drawn_line() -> None:
    """`add_line_filter` relies on `App._filters` being the list `get_line_filters` reads."""
    from rich.segment import Segment

    from facilitator.tui.control_filter import ControlCharacterFilter

    class Marker(ControlCharacterFilter):
        seen = 0

        def apply(self, segments: list[Segment], background):
            Marker.seen += 1
            return super().apply(segments, background)

    app = Probe()
    textual_compat.add_line_filter(app, Marker())
    async with app.run_test() as pilot:
        app.query_one("#probe", Static).update("probe \x1b]0;title\x07 \u202eend")
        await pilot.pause()
        assert any(isinstance(f, Marker) for f in app.get_line_filters())
        assert Marker.seen > 0
        drawn = "".join(
            segment.text
            for strip in app.query_one("#probe", Static).render_lines(app.query_one("#probe").region.reset_offset)
            for segment in strip
        )
        assert "\x1b" not in drawn and "\u202e" not in drawn and "]0;title" in drawn


def test_the_drivers_still_make_their_decoder_where_the_lenient_one_replaces_it() -> None:
    """`decode_terminal_input_leniently` replaces `getincrementaldecoder` in the drivers' modules;
    it works only while their input loops call it from there (checked in their source), and the
    decoder it gives reads a Latin-1 byte as U+FFFD."""
    from textual.drivers import linux_driver, web_driver

    for module, loop in (
        (linux_driver, LinuxDriver.run_input_thread),
        (web_driver, web_driver.WebDriver.run_input_thread),
    ):
        assert 'getincrementaldecoder("utf-8")()' in inspect.getsource(loop), module.__name__
    original = linux_driver.getincrementaldecoder, web_driver.getincrementaldecoder
    try:
        textual_compat.decode_terminal_input_leniently()
        for module in (linux_driver, web_driver):
            assert module.getincrementaldecoder("utf-8")().decode(b"caf\xe9", final=True) == "caf\ufffd"
    finally:
        linux_driver.getincrementaldecoder, web_driver.getincrementaldecoder = original


def test_the_terminal_decoder_leaves_a_pastes_controls_out_and_keeps_every_key() -> None:
    decoder = textual_compat.TerminalInputDecoder()
    read = decoder.decode
    # Keys outside a paste (an arrow, Escape, Alt+x) pass as they are; a byte not UTF-8 is U+FFFD.
    assert read(b"ab\x1b[A\x1bx caf\xe9!") == "ab\x1b[A\x1bx caf\ufffd!"
    assert read(b"\x1b[200~one\x1btwo\x7f\tthree\r\x11\x1b[201~\x1b") == "\x1b[200~onetwo\tthree\r\x1b[201~\x1b"
    # A paste's end cut in two by the reads: held until it is whole, the paste still cleaned.
    assert read(b"\x1b[200~four\x1b[2") == "\x1b[200~four"
    assert read(b"01~five") == "\x1b[201~five"
    assert read(b"\x1b[200~six\x1b") == "\x1b[200~six"
    assert read(b"\x1bseven\x1b[201~") == "seven\x1b[201~"
    # A paste's start cut in two: found with what went on before, nothing held back.
    assert read(b"abc\x1b[20") == "abc\x1b[20"
    assert read(b"0~x\x1by\x7fz\x1b[201~q") == "0~xyz\x1b[201~q"
    assert read(b"\x1b") == "\x1b"  # an Escape key alone goes on at once
