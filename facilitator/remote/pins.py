"""PINs: what lets a person whose connection dropped rejoin as themselves, and nobody else.

A PIN is eight characters from the join code's alphabet (no 0/O, 1/I/L, 5/S, 2/Z), shown as
`ABCD-EFGH` so that it is easy to read and type: 27**8 = 282 billion values. Even at the fastest
rate pages can be opened past the limits (see ratelimit.py), guessing one during a meeting is
hopeless. Only a slow salted hash is kept in the ballot file (scrypt, its parameters stored beside
it), so a copy of the file does not give the PIN away either; checking it takes about a tenth of
a second, which the participant app does off its UI thread.

Ballots written before PINs were hashed this way hold one SHA-256 of a four-digit PIN: they are
still read (their scores count) but that PIN is no longer accepted for rejoining.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from facilitator.remote.codes import ALPHABET

LENGTH = 8
GROUP = 4
SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # 16 MiB and about 0.1 s per check on a laptop
SALT_BYTES = 16
KEY_BYTES = 32
MAX_MEMORY = 64 * 1024 * 1024  # refuse parameters in a crafted file that would need more than this
MAX_HASH_TEXT = 200


class LegacyPin(Exception):
    """The ballot's PIN was stored by an older version, as a fast hash of four digits: not accepted."""


def new_pin() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return grouped(raw)


def grouped(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise(typed: str) -> str:
    """What a person typed, as a PIN: any case, with spaces or dashes anywhere."""
    text = "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())[:40]
    return grouped(text) if len(text) == LENGTH else text


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(normalise(pin), salt, N, R, P)
    return f"{SCHEME}:{N}:{R}:{P}:{salt.hex()}:{key.hex()}"


def matches(stored: str, typed: str) -> bool:
    """Whether TYPED is the PIN behind STORED, compared in constant time. Raises LegacyPin for an
    old four-digit hash, and returns False for anything that is not a hash this version writes."""
    if is_legacy(stored):
        raise LegacyPin
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, key = parsed
    return hmac.compare_digest(_derive(normalise(typed), salt, n, r, p), key)


def is_stored_hash(text: str) -> bool:
    """Whether a ballot's `pin_hash` has an acceptable shape (this version's, or an old one)."""
    return text == "" or is_legacy(text) or _parse(text) is not None


def is_legacy(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _parse(text: str) -> tuple[int, int, int, bytes, bytes] | None:
    if not isinstance(text, str) or len(text) > MAX_HASH_TEXT:
        return None
    parts = text.split(":")
    if len(parts) != 6 or parts[0] != SCHEME or not all(part.isdigit() and part.isascii() for part in parts[1:4]):
        return None
    n, r, p = (int(part) for part in parts[1:4])
    if n < 2**10 or n & (n - 1) or not 1 <= r <= 16 or not 1 <= p <= 4 or 128 * n * r * (p + 1) > MAX_MEMORY:
        return None
    try:
        salt, key = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return None
    if not 8 <= len(salt) <= 64 or len(key) != KEY_BYTES:
        return None
    return n, r, p, salt, key


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=KEY_BYTES)
