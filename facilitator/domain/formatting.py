"""Every figure as screens and documents show it: scores, means, spreads, indexes, changes, times.

One function per figure, so that the score board, the gap board, the Close summary, the history,
`facilitator show` and both documents never show one number two ways."""

from __future__ import annotations

from datetime import datetime

from facilitator.domain.score_values import ScoreValue


def format_score(value: ScoreValue | None) -> str:
    """A score: 3, 2.5 (a mean of several people's votes, one decimal), ? (don't know), n/a, or "-"
    when there is none."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def format_index(value: float | None) -> str:
    """A health index: a whole number 0-100, or "-"."""
    return "-" if value is None else f"{value:.0f}"


def shown_index(value: float | None) -> int | None:
    """A health index as the reader sees it (the whole number `format_index` prints)."""
    return None if value is None else int(format_index(value))


def index_change(before: float | None, after: float | None) -> int | None:
    """The change of a health index between two sessions, as the difference of the indexes shown:
    37 then 40 is +3 wherever it is read (not +2, from 37.4 and 39.6 subtracted first)."""
    shown_before, shown_after = shown_index(before), shown_index(after)
    if shown_before is None or shown_after is None:
        return None
    return shown_after - shown_before


def format_change(delta: float | None, digits: int = 1) -> str:
    """A change: +3, −2 (a minus sign), ±0, +0.5; "" when there is nothing to compare."""
    if delta is None:
        return ""
    if delta == 0:
        return "±0"
    text = str(int(delta)) if float(delta).is_integer() else f"{delta:.{digits}f}"
    return ("+" + text) if delta > 0 else text.replace("-", "−")


def format_mean(value: float | None) -> str:
    """The partners' mean score for a point, one decimal, or "-"."""
    return "-" if value is None else f"{value:.1f}"


def format_spread(value: float | None) -> str:
    """How far apart the partners' scores are (highest minus lowest), or "-"."""
    return format_score(value)


def format_agreed(value: int | None) -> str:
    """The score the room agreed on for a point, or "-" when it agreed none."""
    return "-" if value is None else str(value)


def format_clock(stamp: str) -> str:
    """The time of day of an ISO timestamp (a save's), 14:02:09; "" when it is not one."""
    try:
        return datetime.fromisoformat(stamp).strftime("%H:%M:%S")
    except (TypeError, ValueError):
        return ""
