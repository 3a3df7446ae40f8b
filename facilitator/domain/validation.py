"""Values as people type them or files hold them: the limits, the checks, and how a bad value is
quoted in the message that refuses it.

Pure Python. A check returns the value in its stored form or raises `InvalidInput` with a sentence
a person can act on; the document reader (`document_reader`) turns those into `InvalidSession`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from facilitator.base.errors import InvalidInput
from facilitator.base.terminal_text import BLANK_LETTERS, is_control

# Limits keep a pasted novel or a hostile file from bloating every save and export.
MAX_NAME = 200
MAX_TEXT = 200_000
MAX_PARTNERS = 12
MAX_ITEMS = 2_000
MAX_VOTERS = 50  # people of one partner scoring one point from their own devices
MAX_COMMENT = 2_000
MAX_ELAPSED_SECONDS = 7 * 24 * 3600  # time spent on one agenda step: a week is already no meeting
MAX_CHECKLIST_VERSION = 10_000


# --------------------------------------------------------------------------------------------
# Values typed by people


def clean_name(value: str, what: str) -> str:
    """A one-line name: stripped, not empty, no line breaks, storable as UTF-8."""
    text = check_text(value, what).strip()
    if not text:
        raise InvalidInput(f"{what} cannot be empty.")
    text = _one_line(text, what, MAX_NAME)
    if not text.isascii() and not name_key(text):  # only invisible or blank letters: shows nothing
        raise InvalidInput(f"{what} cannot be empty: it shows nothing.")
    return text


MAX_LINE = 2_000  # a one-line value that is not a name: a target, a time limit, a deadlock rule


def clean_line(value: str, what: str) -> str:
    """A one-line value that may be empty: stripped, a tab as a space, checked as a name is."""
    return _one_line(check_text(value, what).replace("\t", " ").strip(), what, MAX_LINE)


def _one_line(text: str, what: str, limit: int) -> str:
    if "\n" in text or "\r" in text:
        raise InvalidInput(f"{what} must fit on one line.")
    if any(is_control(c) for c in text):
        # A name or a cell is shown everywhere (lists, titles, documents, terminals): an escape
        # sequence or a bidi override in it would act on the terminal or show it in another order.
        raise InvalidInput(f"{what} cannot hold control characters (escape sequences, bidi overrides).")
    if len(text) > limit:
        raise InvalidInput(f"{what} is too long ({len(text):,} characters, at most {limit:,}).")
    return text


def check_plain_text(value: str, what: str) -> str:
    """Text as a file holds it, unchanged: line breaks and tabs may be in it, no other control
    character (an escape sequence, a bidi override: see `clean_name`)."""
    text = check_text(value, what)
    if any(is_control(c) and c not in "\n\r\t" for c in text):
        raise InvalidInput(f"{what} cannot hold control characters (escape sequences, bidi overrides).")
    return text


def check_text(value: str, what: str) -> str:
    """Any text we store must encode as UTF-8: a lone surrogate (from a broken paste) cannot."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{what} contains a character that cannot be saved (a broken surrogate); retype it."
        ) from None
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{what} is too long ({len(value):,} characters, at most {MAX_TEXT:,}).")
    return value


def parse_date(value: str, what: str = "Date") -> str:
    """Check a YYYY-MM-DD date and return it in that form."""
    text = value.strip() if isinstance(value, str) else ""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):  # \d would take ２ and ٣ too
        raise InvalidInput(f"{what} '{clip(value)}' is not a date: use YYYY-MM-DD, for example 2026-03-31.")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(f"{what} '{value}' does not exist in the calendar.") from None


def parse_optional_date(value: str, what: str = "Date") -> str:
    return parse_date(value, what) if value and value.strip() else ""


# Letters of other scripts that look like Latin ones, mapped to them for `name_key` (the common ones
# of Unicode's confusables list: Cyrillic and Greek capitals and small letters).
_LOOK_ALIKES = str.maketrans(
    "АВЕКМНОРСТУХЅІЈаеорсухѕіјԁһӏԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν",
    "ABEKMHOPCTYXSIJaeopcyxsijdhlqwABEZHIKMNOPTYXoiv",
)


_BLANK_LETTERS = str.maketrans({char: " " for char in BLANK_LETTERS})


def name_key(name: str) -> str:
    """What a name is told apart by: two names with the same key read the same on a screen.

    Compatibility forms folded (full-width letters, ligatures), invisible characters left out (a
    zero-width space, a soft hyphen, a bidi mark), look-alike Cyrillic and Greek letters read as
    the Latin ones, capitals and runs of spaces ignored. "Jonas Berg", "JONAS  BERG", "Jonas
    Berg\u200b" and "Jonas B\u0435rg" (a Cyrillic e) are one name; "Zoë" and "Zoe" are two."""
    if name.isascii() and name.isprintable():
        return " ".join(name.lower().split())  # the usual name: nothing to fold or leave out
    import unicodedata

    return " ".join(as_read(unicodedata.normalize("NFKC", name)).casefold().split())


def as_read(text: str) -> str:
    """`text` as a reader takes it in: invisible characters left out (a zero-width space, a soft
    hyphen, a bidi mark, a control), look-alike Cyrillic and Greek letters read as the Latin ones,
    letters that show nothing as spaces. For telling names apart and for finding them."""
    import unicodedata

    text = "".join(char for char in text if unicodedata.category(char) not in ("Cf", "Cc", "Cs"))
    return text.translate(_LOOK_ALIKES).translate(_BLANK_LETTERS)


def slugify(text: str, fallback: str = "item") -> str:
    """A short, readable, file-safe key: lower-case ASCII letters, digits and dashes."""
    import unicodedata

    # Look-alike letters read as Latin first: "Асme" (a Cyrillic А and с) is acme-..., not me-...
    ascii_text = unicodedata.normalize("NFKD", as_read(text)).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40].strip("-") or fallback


# --------------------------------------------------------------------------------------------
# A bad value, quoted in the message that refuses it


def clip(value: Any, limit: int = 40) -> str:
    """A value quoted in a message: short, and on one line, whatever a hostile file holds."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1:,} digits"  # not printed in full
    text = value if isinstance(value, str) else kind_of(value) if not isinstance(value, int) else str(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def type_names(types: type | tuple[type, ...]) -> str:
    """The JSON types a field takes, in words: "text or a whole number"."""
    names = {
        str: "text",
        int: "a whole number",
        float: "a number",
        list: "a list",
        dict: "an object",
        bool: "true/false",
        type(None): "null",
    }
    return " or ".join(names.get(t, t.__name__) for t in as_tuple(types))


def kind_of(value: Any) -> str:
    """What a value found in a document is, in words (its content is not quoted)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return type_names(type(value))
