"""Finding sessions: one filter, turned into one TinyDB query, for `facilitator list` and the session list.

`SessionFilter` says what is wanted (every part given must match); `session_query` makes the
`tinydb.Query` that the store runs on the index's table (`SessionStore.summaries`) and the session
list runs on the summaries it holds (`matching`), so the two always agree. `parse_filter_text`
reads what a facilitator types in the session list's filter: words, and `key:value` parts.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar, cast

from tinydb import Query
from tinydb.queries import QueryInstance

from facilitator.base.errors import InvalidInput
from facilitator.domain.records import record

STATUSES = ("ok", "damaged")  # damaged: every file that cannot be opened here (damaged, or newer)

T = TypeVar("T", bound=Mapping[str, Any])


@record(frozen=True)
class SessionFilter:
    """What to find. Texts match a part of the value, ignoring case; dates are ISO (YYYY-MM-DD),
    both ends included; `words`: each must appear in the alliance, a partner, a sponsor, the
    facilitator, the id, the date, the kind or the status of a file that cannot be opened."""

    alliance: str = ""
    partner: str = ""
    sponsor: str = ""
    facilitator: str = ""
    kind: str = ""
    since: str = ""
    until: str = ""
    status: str = ""
    words: tuple[str, ...] = ()
    # A filter no session can pass (since after until, a date not in the calendar, a kind there is
    # not): the session list shows none, as the command line refuses it.
    impossible: bool = False

    def __bool__(self) -> bool:
        """True when it asks for anything (an empty filter finds every session)."""
        return self != EVERY_SESSION

    def checked(self) -> SessionFilter:
        """The same filter, or InvalidInput naming what cannot be a filter (a wrong date, say)."""
        from facilitator.domain.model import KINDS  # imported only when filtering
        from facilitator.domain.validation import parse_optional_date

        if self.kind and self.kind not in KINDS:
            raise InvalidInput(f"Kind must be one of {', '.join(KINDS)}, not '{self.kind}'.")
        if self.status and self.status not in STATUSES:
            raise InvalidInput(f"Status must be one of {', '.join(STATUSES)}, not '{self.status}'.")
        since = parse_optional_date(self.since, "Since")
        until = parse_optional_date(self.until, "Until")
        if since and until and since > until:
            raise InvalidInput(f"Since ({since}) is after until ({until}): no session can match.")
        return replace(self, since=since, until=until)


EVERY_SESSION = SessionFilter()


@functools.lru_cache(maxsize=65_536)
def folded(text: str) -> str:
    """`text` as the filter compares it: case, accents and width ignored, so that "jose" finds
    "José" typed either way (one character, or e and a combining accent), "acme" finds "Ａｃｍｅ" and
    "istanbul" finds "İstanbul". Invisible characters and look-alike letters are read as `name_key`
    reads them, so "acme" finds "Ac\u00adme" pasted with a soft hyphen and "Асme" with a Cyrillic
    А. Cached: the session list folds the same names at every key."""
    if text.isascii() and text.isprintable():
        return text.casefold()  # the usual name: nothing to decompose or leave out
    from facilitator.domain.validation import as_read

    decomposed = unicodedata.normalize("NFKD", as_read(text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _contains(value: Any, wanted: str) -> bool:
    return isinstance(value, str) and wanted in folded(value)


def _any_contains(values: Any, wanted: str) -> bool:
    return isinstance(values, list) and any(isinstance(v, str) and wanted in folded(v) for v in values)


def searchable_text(document: Mapping[str, Any]) -> str:
    """What the filter's words look in, case-folded."""
    parts = [
        document["alliance"],
        " ".join(document["partners"]),
        " ".join(document["sponsors"]),
        document["facilitator"],
        document["id"],
        document["date"],
        document["kind"],
        "" if document["status"] == "ok" else document["status"],
    ]
    return folded(" ".join(parts))


def _mentions_every(words: tuple[str, ...]) -> QueryInstance:
    def test(document: Mapping[str, Any]) -> bool:
        try:
            text = searchable_text(document)
        except (KeyError, TypeError):
            return False
        return all(word in text for word in words)

    return QueryInstance(test, ("mentions every", words))


def session_query(wanted: SessionFilter) -> QueryInstance:
    """The TinyDB query that finds what `wanted` asks for in the index's documents."""
    session = Query()
    parts: list[QueryInstance] = []
    # A text that reads as nothing (spaces, a zero-width space) asks for nothing: the part is left
    # out, as an empty one is, whichever way it was given.
    alliance, partner, sponsor, facilitator = (
        folded(text).strip() for text in (wanted.alliance, wanted.partner, wanted.sponsor, wanted.facilitator)
    )
    if alliance:
        parts.append(session.alliance.test(_contains, alliance))
    if partner:
        parts.append(session.partners.test(_any_contains, partner))
    if sponsor:
        parts.append(session.sponsors.test(_any_contains, sponsor))
    if facilitator:
        parts.append(session.facilitator.test(_contains, facilitator))
    if wanted.kind:
        parts.append(session.kind == wanted.kind)
    if wanted.since:
        parts.append(session.date >= wanted.since)
    if wanted.until:
        parts.append((session.date <= wanted.until) & (session.date != ""))  # a damaged file has no date
    if wanted.status == "ok":
        parts.append(session.status == "ok")
    elif wanted.status == "damaged":
        parts.append(session.status != "ok")
    words = tuple(word for word in (folded(text).strip() for text in wanted.words) if word)
    if words:
        parts.append(_mentions_every(words))
    if wanted.impossible:
        return ~session.noop()
    if not parts:
        return session.noop()
    return functools.reduce(operator.and_, parts)


def matching(documents: Iterable[T], wanted: SessionFilter) -> list[T]:
    """The documents (index documents, or summaries read like them) that `wanted` finds, in order."""
    if not wanted:
        return list(documents)
    query = session_query(wanted)
    return [document for document in documents if query(document)]


FILTER_KEYS = ("alliance", "partner", "sponsor", "facilitator", "kind", "since", "until", "status")


def parse_filter_text(text: str) -> tuple[SessionFilter, str]:
    """The filter a facilitator typed (words, and `key:value` parts such as `kind:review` or
    `since:2026-01-01`), and a hint naming a part that cannot be used ("" when all can).

    A part still being typed (`since:2026-0`, `kind:rev`) is left out: the list keeps showing what
    the rest finds. One that is typed in full and cannot be (`since:2026-02-30`, `kind:retro`, since
    after until) finds nothing, as the command line would refuse it; the hint says why.
    """
    if not text.strip():
        return EVERY_SESSION, ""  # the session list's start: nothing to check (nor the model to import)
    words: list[str] = []
    given: dict[str, str] = {}
    for part in text.split():
        key, colon, value = part.partition(":")
        if colon and key.casefold() in FILTER_KEYS:
            if value:
                given[key.casefold()] = value.casefold() if key.casefold() in ("kind", "status") else value
            continue
        words.append(part)
    wanted = SessionFilter(words=tuple(words), **cast(dict[str, Any], given))
    try:
        return wanted.checked(), ""
    except InvalidInput as problem:
        hint = str(problem)
    usable = {key: value for key, value in given.items() if _usable(key, value)}
    if any(not _still_being_typed(key, value) for key, value in given.items() if key not in usable):
        return SessionFilter(words=tuple(words), impossible=True), hint
    try:
        return SessionFilter(words=tuple(words), **cast(dict[str, Any], usable)).checked(), hint
    except InvalidInput:  # each part can be, not together: since after until
        return SessionFilter(words=tuple(words), impossible=True), hint


_DATE_BEING_TYPED = re.compile(r"\d{1,4}(-(\d{1,2}(-\d?)?)?)?")


def _still_being_typed(key: str, value: str) -> bool:
    """Whether `value` may be the start of what `key` takes: a date with digits missing, the
    first letters of a kind or a status."""
    if key in ("since", "until"):
        return len(value) < len("YYYY-MM-DD") and _DATE_BEING_TYPED.fullmatch(value) is not None
    if key == "kind":
        from facilitator.domain.model import KINDS

        return any(kind.startswith(value) for kind in KINDS)
    if key == "status":
        return any(status.startswith(value) for status in STATUSES)
    return False


def _usable(key: str, value: str) -> bool:
    try:
        SessionFilter(**cast(dict[str, Any], {key: value})).checked()
    except InvalidInput:
        return False
    return True
