"""The `facilitator` command, and `python -m facilitator`: the CLI, handed the meeting workspace to
open when a command asks for one. The one module that knows both layers; the CLI never imports
the TUI (nor Textual)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn


def main(argv: Sequence[str] | None = None) -> int:
    # Most commands run for a fraction of a second and exit: without the cyclic collector, which
    # would walk the objects the imports make again and again to find nothing (5% of an export).
    # The long-lived ones, the meeting workspace and `serve`, turn it back on (`cli.console`).
    gc.disable()
    from facilitator.cli import main as run_command_line

    return run_command_line(argv, open_workspace=_open_workspace)


def run() -> NoReturn:
    """The `facilitator` command (and `python -m facilitator`): `main`, then leave at once.

    A short command has written and closed its files and said what it had to say: tearing the
    interpreter down object by object, which nobody waits for, would take it another 15-20 ms
    (a sixth of an export). So once the standard streams are flushed it leaves without that
    (`os._exit`); the meeting workspace and `serve` (`long_lived`) exit as any program does.
    """
    code = main()
    from facilitator.cli.console import is_long_lived

    if is_long_lived():
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the stream closed (`>&-`)
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader went away (`| head`): not an error, as in `cli.main`
        except (OSError, ValueError) as error:
            # Buffered output that could not be written (a full disk): said, and not a success.
            code = code or 1
            if stream is sys.stdout and sys.stderr is not None:
                try:
                    sys.stderr.write(f"facilitator: the output could not be written ({_reason(error)}).\n")
                    sys.stderr.flush()
                except (OSError, ValueError):
                    pass
    os._exit(code)


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _open_workspace(store: Any, templates: Path | None, open_id: str | None) -> int:
    from facilitator.tui.launch import open_workspace  # only when the workspace opens

    return open_workspace(store, templates, open_id)
