"""Fixtures for the Pilot-driven TUI tests: the app over a data folder under tmp_path, seeded with
sessions (good, damaged, from a newer facilitator). `data_dir` and `store` come from tests/conftest.py;
plain helpers are in tui_support.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_support import StubMeeting, seed_damaged, seed_demo, seed_session  # noqa: E402

from facilitator.storage.store import SessionStore  # noqa: E402
from facilitator.tui.app import FacilitatorApp, make_app  # noqa: E402


@pytest.fixture
def app_factory(data_dir: Path):
    """Build the app exactly as the CLI does, over the test's data folder."""

    def build(**kwargs) -> FacilitatorApp:
        return make_app(data_dir=data_dir, **kwargs)

    return build


@pytest.fixture
def seeded(store: SessionStore, data_dir: Path) -> dict[str, str]:
    """The demo alliance, two more alliances, and one damaged file."""
    ids = {
        "demo": seed_demo(store),
        "harbour": seed_session(store, "Harbour Link", ["Acme Ports", "Beta Shipping"], "2025-10-01"),
        "alpine": seed_session(store, "Alpine Rail", ["Gamma Rail", "Delta Tunnels"], "2025-06-12"),
    }
    seed_damaged(data_dir)
    return ids


@pytest.fixture
def stub_meeting(monkeypatch) -> type[StubMeeting]:
    """The app opens sessions in StubMeeting, so these tests depend only on the screens they test."""
    import facilitator.tui.screens.meeting as meeting

    monkeypatch.setattr(meeting, "MeetingScreen", StubMeeting)
    return StubMeeting
