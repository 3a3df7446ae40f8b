"""Values typed by people: dates, names, slugs (and the partner keys made from them)."""

from __future__ import annotations

import pytest

from facilitator.base.errors import InvalidInput
from facilitator.domain.roster import make_partners
from facilitator.domain.validation import clean_name, parse_date, parse_optional_date, slugify


def test_parse_date():
    assert parse_date(" 2026-03-31 ") == "2026-03-31"
    assert parse_optional_date("  ") == ""
    for bad, message in [
        ("2026-13-01", "does not exist"),
        ("31.03.2026", "is not a date"),
        ("", "is not a date"),
        ("2026-3-1", "is not a date"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            parse_date(bad)


def test_clean_name_and_partners():
    assert clean_name("  Café Ünited ", "Partner") == "Café Ünited"
    for bad, message in [
        ("", "cannot be empty"),
        ("a\nb", "one line"),
        ("x" * 201, "too long"),
        ("bad \ud83d", "cannot be saved"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            clean_name(bad, "Partner")
    partners = make_partners(["Acme", "ACME!", "東京"])  # same slug twice, and a slug from nothing ASCII
    assert [p.key for p in partners] == ["acme", "acme-2", "partner"]
    with pytest.raises(InvalidInput, match="Partner 2: “acme” is already partner 1"):
        make_partners(["Acme", "acme"])
    for look_alike in ("Acme\u200b", "\u0410cme", "Ａｃｍｅ"):  # red team: two partners that read the same
        with pytest.raises(InvalidInput, match="is already partner 1"):
            make_partners(["Acme", look_alike])
    with pytest.raises(InvalidInput, match="at least two"):
        make_partners(["Solo"])


def test_slugify():
    assert slugify("Coastal Corridor Alliance") == "coastal-corridor-alliance"
    assert slugify("Ærø  Façade -- Ünited!") == "r-facade-united"
    assert slugify("🎉") == "item" and len(slugify("x" * 300)) == 40
    assert slugify("\u0410\u0441me Cyr") == "acme-cyr"  # look-alike Cyrillic letters read as Latin
    assert slugify("Ac\u00adme") == "acme"  # a soft hyphen pasted from Word


def test_names_that_read_the_same_have_one_key_and_a_blank_looking_name_is_refused():
    from facilitator.domain.validation import name_key

    same = ["Jonas Berg", "JONAS  BERG", "Jonas Berg\u200b", "Jonas B\u0435rg", "\uff2aonas Berg", "Jonas\u00adBerg"]
    assert {name_key(n) for n in same[:5]} == {"jonas berg"}
    assert name_key("Jonas\u00adBerg") == "jonasberg"  # a soft hyphen shows nothing mid-word
    assert name_key("Zoë") != name_key("Zoe")  # a letter that looks different is another name
    assert name_key("Zoe\u0308") == name_key("Zoë")  # the same letter, composed or not
    for blank in ("\u200b", "\u3164", "\u2800 \u200d", "\ufeff"):
        with pytest.raises(InvalidInput, match="shows nothing"):
            clean_name(blank, "The name")
    assert clean_name("Иван Петров", "The name") == "Иван Петров"
