"""The strict reader of a session document from disk or an import: every field type-checked, and a
refusal names the path of the first bad field ("points.mutual-benefit.scores.acme: ...").

Pure Python. The dataclasses (`model`) read their own fields through it; the checks of single
values are `validation`'s, turned here from `InvalidInput` into `InvalidSession`.
"""

from __future__ import annotations

from typing import Any

from facilitator.base.errors import InvalidInput, InvalidSession
from facilitator.domain.validation import (
    MAX_ITEMS,
    MAX_TEXT,
    as_tuple,
    check_plain_text,
    check_text,
    clean_name,
    clip,
    kind_of,
    parse_date,
    parse_optional_date,
    type_names,
)


class DocumentReader:
    """Reads one JSON object with type checks, naming the path of the first bad field."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise InvalidSession(f"{path or 'document'}: expected an object, found {kind_of(data)}.")
        self.data = data
        self.path = path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, types: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise InvalidSession(f"{self._where(key)}: missing.")
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in as_tuple(types):
            raise InvalidSession(f"{self._where(key)}: expected {type_names(types)}, found true/false.")
        if not isinstance(value, types):
            raise InvalidSession(f"{self._where(key)}: expected {type_names(types)}, found {kind_of(value)}.")
        return value

    def text(self, key: str, default: str | None = "") -> str:
        value: str = self.get(key, str, default)
        if type(value) is str and value.isascii() and len(value) <= MAX_TEXT:
            return value  # what check_text looks for (a lone surrogate) is never ASCII: O(1) here
        try:
            return check_text(value, self._where(key))
        except InvalidInput as error:
            raise InvalidSession(str(error)) from None

    def name(self, key: str) -> str:
        try:
            return clean_name(self.get(key, str), self._where(key))
        except InvalidInput as error:
            raise InvalidSession(str(error)) from None

    def plain_text(self, key: str) -> str:
        """Text, as the file holds it, with no control character but line breaks and tabs
        (`validation.check_plain_text`)."""
        value = self.get(key, str, "")
        try:
            return check_plain_text(value, self._where(key))
        except InvalidInput as error:
            raise InvalidSession(str(error)) from None

    def optional_name(self, key: str) -> str:
        """A one-line name that may be left empty (absent or "")."""
        value = self.get(key, str, "")
        return self.name(key) if value.strip() else value

    def date(self, key: str, optional: bool = False) -> str:
        value = self.get(key, str, "" if optional else ...)
        try:
            return parse_optional_date(value, self._where(key)) if optional else parse_date(value, self._where(key))
        except InvalidInput as error:
            raise InvalidSession(str(error)) from None

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value: str = self.get(key, str, ... if default is None else default)
        if value not in choices:
            raise InvalidSession(f"{self._where(key)}: '{clip(value)}' is not one of {', '.join(choices)}.")
        return value

    def items(self, key: str, reader: Any) -> list[Any]:
        values = self.get(key, list, [])
        if len(values) > MAX_ITEMS:
            raise InvalidSession(f"{self._where(key)}: too many entries ({len(values)}).")
        return [reader(DocumentReader(value, f"{self._where(key)}[{i}]")) for i, value in enumerate(values)]

    def strings(self, key: str) -> list[str]:
        values = self.get(key, list, [])
        result = []
        for i, value in enumerate(values):
            if not isinstance(value, str):
                raise InvalidSession(f"{self._where(key)}[{i}]: expected text, found {kind_of(value)}.")
            try:
                result.append(check_text(value, f"{self._where(key)}[{i}]"))
            except InvalidInput as error:
                raise InvalidSession(str(error)) from None
        return result

    def position(self, key: str) -> int:
        """An index into a list of the checklist (a point, a section): negative ones count as 0."""
        value: int = self.get(key, int, 0)
        if value > MAX_ITEMS:
            raise InvalidSession(f"{self._where(key)}: {clip(value)} is not a position in the checklist.")
        return max(0, value)

    def whole(self, key: str, low: int, high: int, default: int) -> int:
        value: int = self.get(key, int, default)
        if not low <= value <= high:
            raise InvalidSession(f"{self._where(key)}: {clip(value)} is not from {low} to {high:,}.")
        return value

    def child(self, key: str) -> DocumentReader:
        return DocumentReader(self.get(key, dict, {}), self._where(key))
