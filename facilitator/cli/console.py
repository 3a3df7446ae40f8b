"""What every command shares: exit codes, the one-line error, tables, and the standard output."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.base.errors import FacilitatorError, InvalidInput
from facilitator.base.terminal_text import shown

if TYPE_CHECKING:
    from facilitator.storage.store import SessionStore

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

# Opens the meeting workspace (the TUI) over a store: (store, templates folder, session id) -> exit code.
OpenWorkspace = Callable[[Any, "Path | None", "str | None"], int]


def run_tui(
    open_workspace: OpenWorkspace | None, store: SessionStore, templates: Path | None, open_id: str | None = None
) -> int:
    if open_workspace is None:
        raise FacilitatorError("this command line has no meeting workspace; run `facilitator` itself.")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise FacilitatorError(
            "the meeting workspace needs a terminal; use `facilitator list` or `facilitator export` in scripts."
        )
    long_lived()
    return open_workspace(store, templates, open_id)


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_long_lived = False  # set by long_lived(): see facilitator.command.run


def long_lived() -> None:
    """For a command that keeps running (the meeting workspace, `serve`): the cyclic garbage
    collector on, whatever a short command's start turned off, and a usual exit at the end
    (`facilitator.command`)."""
    import gc

    global _long_lived
    _long_lived = True
    gc.enable()


def is_long_lived() -> bool:
    return _long_lived


def short_lived() -> None:
    """For a command that lists every session and then exits: no cyclic garbage collection.

    The index's 10,000 summaries are acyclic; the collector would walk them again and again (5 ms
    of `list`) to find nothing, and whatever a command leaves is freed when the process ends.
    """
    import gc

    gc.disable()


def templates_folder(value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise InvalidInput(f"Templates folder {value} does not exist.")
    return path


def table(rows: list[tuple[str, ...]]) -> str:
    rows = [tuple(shown(cell) for cell in row) for row in rows]  # one line per row, nothing for the terminal
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    widths[4] = min(widths[4], 50)
    lines = []
    for row in rows:
        cells = [cell if len(cell) <= widths[i] else cell[: widths[i] - 1] + "…" for i, cell in enumerate(row)]
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip())
    return "\n".join(lines)


MAX_MESSAGE = 500


def fail(message: str) -> None:
    """One line on standard error, however long or odd the text quoted in the message."""
    message = shown(message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    print(f"facilitator: {message}", file=sys.stderr)


class ClosedOutput(io.TextIOBase):
    """Standard output when the program was started with it closed (`list >&-`). Python then sets
    `sys.stdout` to None and `print` writes nowhere without a word: a listing nobody sees would
    pass for a success. Writing here fails as writing to a closed descriptor does."""

    def write(self, text: str) -> int:
        raise FacilitatorError("the output could not be written (standard output is closed).")


def tolerant_stdout() -> None:
    """Under a non-UTF-8 locale (PYTHONUTF8=0 LC_ALL=C) print what cannot be shown as escapes;
    standard output closed: see `ClosedOutput`."""
    if sys.stdout is None:
        sys.stdout = ClosedOutput()
        return
    try:
        if (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass


def print_utf8(parts: Sequence[bytes | memoryview]) -> None:
    """Print text already encoded as UTF-8 (its parts, one after the other, and a newline) without
    decoding it, where standard output takes UTF-8 bytes; elsewhere (another encoding, a stream
    without bytes) as `print` would."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None or (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        print(str(b"".join(parts), "utf-8", "surrogatepass"))
        return
    sys.stdout.flush()
    buffer.writelines(parts)
    buffer.write(b"\n")
    buffer.flush()


def quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
