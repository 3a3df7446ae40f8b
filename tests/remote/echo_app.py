"""A tiny Textual app for the browser harness test: an Input, a RadioSet of two options and a Button.

Run as `python echo_app.py OUT_DIR` (or with ECHO_APP_OUT_DIR set). textual-serve starts one process
per browser connection with the same command line, so every file is named after this process's pid:

- `ready-<pid>.json` once the first frame has been drawn (Textual's Ready event) and the Input has
  focus: {"pid", "width", "height"}. The harness waits for it before typing.
- `state-<pid>.json` whenever the focus, the Input's text or the pressed option changes:
  {"focused": widget id, "text", "choice"}. Textual routes each key to the widget focused when the
  key arrives, so a test must wait for a focus change (Tab) to show here before sending more keys.
- `events-<pid>.log`: every key, app focus/blur and resize the app received (for failures).
- `result-<pid>.json` on Input.Submitted (Enter in the Input) or Button.Pressed:
  {"pid", "text", "choice", "via"}; choice is the pressed radio option's label, or null.

Files are written to a temporary name and renamed, so a poller never reads half a file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Button, Input, RadioButton, RadioSet

OPTIONS = ("Agree", "Disagree")


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


class EchoApp(App[None]):
    CSS = "Screen { align: center top; } Input, RadioSet, Button { margin: 1 2; }"

    def __init__(self, out_dir: Path) -> None:
        super().__init__()
        self.out_dir = out_dir

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Your name", id="text")
        with RadioSet(id="choice"):
            for label in OPTIONS:
                yield RadioButton(label)
        yield Button("Send", id="send")

    def on_ready(self) -> None:
        self.query_one(Input).focus()
        # After the focus change has been drawn: keys typed from now on reach the Input.
        self.call_after_refresh(self._write_ready)

    def _write_ready(self) -> None:
        _write_json(
            self.out_dir / f"ready-{os.getpid()}.json",
            {"pid": os.getpid(), "width": self.size.width, "height": self.size.height},
        )

    def _write_result(self, via: str) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        _write_json(
            self.out_dir / f"result-{os.getpid()}.json",
            {
                "pid": os.getpid(),
                "text": self.query_one(Input).value,
                "choice": str(pressed.label) if pressed is not None else None,
                "via": via,
            },
        )

    def _log(self, line: str) -> None:
        with open(self.out_dir / f"events-{os.getpid()}.log", "a", encoding="utf-8") as log:
            log.write(line + "\n")

    def on_event(self, event: events.Event):
        if isinstance(event, (events.Key, events.AppFocus, events.AppBlur, events.Resize)):
            focused = self.focused.id if self.focused else None
            self._log(f"{event!r} app_focus={self.app_focus} focused={focused}")
        return super().on_event(event)

    def _write_state(self) -> None:
        if not self.is_running:
            return
        pressed = self.query_one(RadioSet).pressed_button
        _write_json(
            self.out_dir / f"state-{os.getpid()}.json",
            {
                "focused": self.focused.id if self.focused else None,
                "text": self.query_one(Input).value,
                "choice": str(pressed.label) if pressed is not None else None,
            },
        )

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._write_state()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._write_state()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._write_state()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._write_result("input")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._write_result("button")


def main(argv: list[str]) -> None:
    out = argv[1] if len(argv) > 1 else os.environ.get("ECHO_APP_OUT_DIR")
    if not out:
        sys.exit("usage: echo_app.py OUT_DIR  (or set ECHO_APP_OUT_DIR)")
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    EchoApp(out_dir).run()


if __name__ == "__main__":
    main(sys.argv)
