"""JSON as the standard says: NaN, Infinity and -Infinity refused wherever facilitator reads a file
(in a session file's own table: another program's tables may keep them, as stock TinyDB writes them).

Python's `json` accepts them by default. A NaN that got into a session compared false with every
limit the model checks, passed as valid, and crashed the meeting when the clock formatted it.
"""

from __future__ import annotations

import json
from typing import Any


def refused(name: str) -> str:
    """Why the constant `name` is refused, as the end of a message."""
    return f"{name} is not a number JSON allows"


def refuse_constant(name: str) -> Any:
    """`parse_constant` for `json.loads`: raises ValueError naming the constant."""
    raise ValueError(refused(name))


def loads(raw: bytes | str) -> Any:
    """`json.loads`, refusing NaN and Infinity with a ValueError (as it refuses bad syntax)."""
    return json.loads(raw, parse_constant=refuse_constant)
