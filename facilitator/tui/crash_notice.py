"""Tell the facilitator, once, that the app crashed last time and where its log is.

A crash ends the app with Textual's traceback on a terminal that is then cleared or closed; the log
written beside the sessions (`logs/crash-*.txt`) is found only by someone who knows to look. Each
start touches `logs/last-start`; a crash log newer than it was written after the last start.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = "last-start"


def crash_since_last_start(data_dir: Path) -> Path | None:
    """The newest crash log written since the last start (or ever, before a first start was
    recorded), then records this start, so the same log is reported once."""
    folder = data_dir / "logs"
    marker = folder / MARKER
    try:
        since = marker.stat().st_mtime
    except OSError:
        since = 0.0
    newest: Path | None = None
    newest_time = since
    try:
        for path in folder.glob("crash-*.txt"):
            mtime = path.stat().st_mtime
            if mtime > newest_time:
                newest, newest_time = path, mtime
    except OSError:
        pass
    try:
        if folder.is_dir():
            marker.touch(mode=0o600)
            os.utime(marker)
    except OSError:
        pass  # a read-only folder: the notice may repeat, the app still starts
    return newest
