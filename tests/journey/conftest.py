"""Fixtures of the real-terminal suites: the known bugs a test meets (see known_bugs.py)."""

from __future__ import annotations

import pytest

from .known_bugs import KnownBugs


@pytest.fixture
def known_bugs() -> KnownBugs:
    return KnownBugs()
