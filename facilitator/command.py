"""The `facilitator` command, and `python -m facilitator`: the CLI, handed the meeting workspace to
open when a command asks for one. The one module that knows both layers; the CLI never imports
the TUI (nor Textual)."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from facilitator.cli import main as run_command_line
    from facilitator.tui.launch import open_workspace

    return run_command_line(argv, open_workspace=open_workspace)
