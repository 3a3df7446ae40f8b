"""Join codes: short enough to read out in a meeting, hard enough to guess with rate limiting."""

from __future__ import annotations

import hmac
import secrets

# No 0/O, 1/I/L, 5/S, 2/Z: a code read aloud or typed from a projector must not be misread.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
GROUP = 3
LENGTH = 6  # 27**6 = 387 million codes; with rate limiting, guessing one is hopeless


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def normalise(typed: str) -> str:
    """What a person typed, as a code: any case, with spaces or dashes anywhere."""
    text = "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())[:40]
    return f"{text[:GROUP]}-{text[GROUP:]}" if len(text) == LENGTH else text


def matches(typed: str, code: str) -> bool:
    """Constant-time comparison, so the time taken does not reveal how much of a guess was right."""
    return hmac.compare_digest(normalise(typed).encode("utf-8"), normalise(code).encode("utf-8"))
