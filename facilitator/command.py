"""The `facilitator` command, and `python -m facilitator`: the CLI, handed the meeting workspace to
open when a command asks for one. The one module that knows both layers; the CLI never imports
the TUI (nor Textual)."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def main(argv: Sequence[str] | None = None) -> int:
    # Most commands run for a fraction of a second and exit: without the cyclic collector, which
    # would walk the objects the imports make again and again to find nothing (5% of an export).
    # The long-lived ones, the meeting workspace and `serve`, turn it back on (`cli.console`).
    gc.disable()
    from facilitator.cli import main as run_command_line

    return run_command_line(argv, open_workspace=_open_workspace)


def _open_workspace(store: Any, templates: Path | None, open_id: str | None) -> int:
    from facilitator.tui.launch import open_workspace  # only when the workspace opens

    return open_workspace(store, templates, open_id)
