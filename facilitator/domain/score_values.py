"""What a score is: 0-4, "?" (don't know) or "n/a" (not applicable), or a partner's mean of several
people's votes; read as typed, checked as stored.

Pure Python. The maths over a session's scores (means, spreads, indexes) is `scoring`'s.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

from facilitator.base.errors import InvalidInput, InvalidSession
from facilitator.domain.validation import clip, kind_of

DONT_KNOW = "?"
NOT_APPLICABLE = "n/a"
SCORE_VALUES: tuple[int | str, ...] = (0, 1, 2, 3, 4, DONT_KNOW, NOT_APPLICABLE)
ScoreValue = int | float | str  # 0..4, DONT_KNOW or NOT_APPLICABLE; a float is a mean of remote votes


def parse_score(value: str | int | None) -> ScoreValue | None:
    """Read a score as typed: a digit 0-4, '?' for don't know, '-' or 'n/a' for not applicable.

    Returns None for an empty entry (not scored yet).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput("A score is 0-4, ? (don't know) or - (not applicable).")
    if isinstance(value, int):
        if 0 <= value <= 4:
            return value
        raise InvalidInput(f"A score is 0-4, not {value}.")
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in ("?", "dk", "don't know"):
        return DONT_KNOW
    if text in ("-", "n/a", "na"):
        return NOT_APPLICABLE
    if text in ("0", "1", "2", "3", "4"):
        return int(text)
    raise InvalidInput(f"'{clip(value)}' is not a score: type 0-4, ? (don't know) or - (not applicable).")


def is_numeric_score(value: Any) -> TypeGuard[int | float]:
    """A score that counts in averages: 0-4 typed in the room, or a mean of several people's votes."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def mean_score(value: float) -> int | float:
    """A partner's mean of several votes, as stored: two decimals, a whole number kept whole."""
    value = round(value, 2)
    return int(value) if value == int(value) else value


def check_score(value: Any, where: str) -> ScoreValue:
    """A partner's score as a document holds it: a whole score, '?', 'n/a', or a mean of votes."""
    if isinstance(value, float):
        # A float only comes from the mean of several remote votes (see `PointRecord.votes`).
        if math.isfinite(value) and 0 <= value <= 4 and round(value, 2) == value:
            return mean_score(value)
        raise InvalidSession(f"{where}: {clip(repr(value))} is not a score (0-4, '?' or 'n/a').")
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value not in SCORE_VALUES:
        shown = (
            repr(clip(value))
            if isinstance(value, str)
            else str(value)
            if isinstance(value, int) and not isinstance(value, bool)
            else kind_of(value)
        )
        raise InvalidSession(f"{where}: {shown} is not a score (0-4, '?' or 'n/a').")
    return value


def check_vote_score(value: Any, where: str) -> int | str:
    """One person's vote: a whole score 0-4, '?' or 'n/a' (never a mean)."""
    if isinstance(value, float):
        raise InvalidSession(f"{where}: {clip(repr(value))} is not a score (0-4, '?' or 'n/a').")
    return check_score(value, where)  # type: ignore[return-value]
