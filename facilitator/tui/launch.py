"""Open the meeting workspace over a store: what the `facilitator` command hands the CLI.

Textual is imported only when the workspace opens, so the CLI's other commands never load it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def open_workspace(store: Any, templates: Path | None, open_id: str | None) -> int:
    from facilitator.tui.app import make_app

    app = make_app(store=store, templates=templates, open_session=open_id)
    app.run()
    return app.return_code or 0
