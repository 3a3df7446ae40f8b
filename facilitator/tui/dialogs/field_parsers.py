"""Field parsers for the forms: each returns the value to store or raises InvalidInput with one
clear sentence, which the form shows under its field. Plain Python, no widgets."""

from __future__ import annotations

from collections.abc import Callable

from facilitator.base.errors import InvalidInput
from facilitator.domain.validation import clean_line, clean_name, parse_date, parse_optional_date


def required_line(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        return clean_name(value, what)

    return parse


def optional_name(what: str) -> Callable[[str], str]:
    """A one-line name that may be left empty (a partner's legal name, a signatory)."""

    def parse(value: str) -> str:
        return clean_name(value, what) if value.strip() else ""

    return parse


def optional_line(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        return clean_line(value, what)

    return parse


def required_date(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value.strip():
            raise InvalidInput(f"{what} is needed: type it as YYYY-MM-DD.")
        return parse_date(value, what)

    return parse


def optional_date(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        return parse_optional_date(value, what)

    return parse
