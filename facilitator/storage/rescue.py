"""Where unsaved work goes when the data folder cannot be written at exit (a rescue copy)."""

from __future__ import annotations

import os
from pathlib import Path


def rescue_folder() -> Path:
    """Where unsaved work goes when the data folder cannot be written at exit: one private folder per
    user in the temporary folder (a shared name there could be made first by someone else)."""
    import tempfile

    user = getattr(os, "getuid", lambda: "")()
    return Path(tempfile.gettempdir()) / f"facilitator-rescue-{user}".rstrip("-")
