"""Dates as the meeting's steps show them ("Mon 2 Mar 2026") and the days between two of them.

Shared by the actions step (an action's due date) and the close (the next meeting). A date that
cannot be read is shown as typed, and is no number of days from anything.
"""

from __future__ import annotations

from datetime import date


def nice_date(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return f"{day:%a} {day.day} {day:%b %Y}"


def days_between(start: str, end: str) -> int | None:
    try:
        return (date.fromisoformat(end) - date.fromisoformat(start)).days
    except (TypeError, ValueError):
        return None
