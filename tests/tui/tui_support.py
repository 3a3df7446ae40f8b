"""Helpers for the TUI tests (imported as `tui_support`; fixtures are in conftest.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from textual.screen import Screen
from textual.widgets import Static

from facilitator.domain.demo import build_demo_session
from facilitator.domain.session_factory import create_session
from facilitator.storage.store import SessionStore

SIZE = (100, 30)


async def settle(app, pilot, rounds: int = 2) -> None:
    """Let workers finish and their messages be handled: never a sleep."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


def seed_demo(store: SessionStore, day: date = date(2026, 3, 2)) -> str:
    with store.create(build_demo_session(day)) as opened:
        return opened.id


def seed_session(
    store: SessionStore, alliance: str, partners: list[str], day: str = "2026-01-15", kind: str = "kickoff"
) -> str:
    with store.create(create_session(alliance, partners, date=day, kind=kind)) as opened:
        return opened.id


def seed_damaged(data_dir: Path, name: str = "broken-notes") -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{name}.json"
    path.write_text('{"session": {"1": {"id": ', encoding="utf-8")
    return path


def seed_newer(store: SessionStore, data_dir: Path) -> str:
    """A session file as a future facilitator (schema 99) would write it."""
    session_id = seed_session(store, "Future Alliance", ["Xeno", "Yotta"], "2026-02-01")
    path = data_dir / f"{session_id}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["session"]["1"]["schema_version"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")
    return session_id


class StubMeeting(Screen):
    """Stands in for the meeting workspace (owned and tested elsewhere): holds the open session."""

    def __init__(self, opened, templates=None) -> None:
        super().__init__()
        self.opened = opened
        self.templates = templates

    def compose(self):
        yield Static(f"Meeting {self.opened.id}")

    def save_now(self, close: bool = False) -> bool:
        if close:
            self.opened.close()
        return True

    def on_unmount(self) -> None:
        self.opened.close()
