"""The data folder's layout: the one place that knows the names of its files and folders.

<data folder>/
    <session id>.json        a session (a TinyDB file holding one document)
    <session id>.lock        who has it open for writing
    <session id>.ballots/    remote scoring: round.json, serving.json, attempts.json and ballots
    index.json               the listing cache (one summary per session)
    trash/                   deleted and replaced sessions
"""

from __future__ import annotations

from pathlib import Path

SESSION_SUFFIX = ".json"
LOCK_SUFFIX = ".lock"
BALLOTS_SUFFIX = ".ballots"
INDEX_FILE = "index.json"
TRASH = "trash"

# Inside a session's ballots folder: the facilitator's own files; everything else is a ballot.
ROUND_FILE = "round.json"  # the round the room has open, and the join code
SERVING_FILE = "serving.json"  # where the participant view is served
ATTEMPTS_FILE = "attempts.json"  # wrong codes and PINs, by address, for the rate limits
OWN_BALLOT_FOLDER_FILES = frozenset({ROUND_FILE, SERVING_FILE, ATTEMPTS_FILE})


def session_id_of(name: str) -> str | None:
    """The session id a folder entry's name holds (`<id>.json`), or None for any other entry: the
    index, a lock, a ballots folder, the trash, a hidden or temporary file."""
    if name.endswith(SESSION_SUFFIX) and name[0] != "." and name != INDEX_FILE:
        return name[: -len(SESSION_SUFFIX)]
    return None


def session_file(data_dir: Path, session_id: str) -> Path:
    return Path(data_dir) / f"{session_id}{SESSION_SUFFIX}"


def lock_file(data_dir: Path, session_id: str) -> Path:
    return Path(data_dir) / f"{session_id}{LOCK_SUFFIX}"


def ballots_dir(data_dir: Path, session_id: str) -> Path:
    return Path(data_dir) / f"{session_id}{BALLOTS_SUFFIX}"


def trash_dir(data_dir: Path) -> Path:
    return Path(data_dir) / TRASH


# What a `<id>.json` that is a link leading nowhere (or round in a loop) is said to be.
UNREACHABLE_LINK = "it is a link to a file that cannot be reached (a drive not connected, or a link in a loop)"
