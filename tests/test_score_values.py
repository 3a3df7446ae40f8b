"""Scores as typed: a digit 0-4, '?' for don't know, '-' or 'n/a' for not applicable."""

from __future__ import annotations

import pytest

from facilitator.base.errors import InvalidInput
from facilitator.domain.score_values import parse_score


@pytest.mark.parametrize(
    "typed, expected",
    [("3", 3), (" 0 ", 0), (4, 4), ("?", "?"), ("DK", "?"), ("-", "n/a"), ("N/A", "n/a"), ("", None), (None, None)],
)
def test_parse_score(typed, expected):
    assert parse_score(typed) == expected


@pytest.mark.parametrize("typed", ["5", "-1", "three", 7, True, "3.5"])
def test_parse_score_refuses(typed):
    with pytest.raises(InvalidInput):
        parse_score(typed)
