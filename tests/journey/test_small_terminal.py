"""The key steps of a meeting again on a laptop's 80x24 terminal: every step still shows what it
is for (the form scrolls, the gap board keeps Mean, Spread and Flag, the editor has room), and the
work reaches the session file and the exported agreement."""

from __future__ import annotations

import re
import time
from pathlib import Path

from .documents import Document, saved_session
from .terminal import running_app

SIZE = (80, 24)
SESSION_ID = "harbour-link-2026-04-14"
PARTNERS = [("Acme Ports", "Ada Lovelace"), ("Globex Shipping", "Grace Hopper")]
SCORES = ["31", "22", "40"]
PURPOSE = "One booking desk for both ports."
DECISION = "Sponsors meet every quarter"


def test_the_key_steps_at_80x24(tmp_path: Path) -> None:
    data_dir = tmp_path / "sessions"
    started = time.monotonic()
    with running_app(data_dir, SIZE) as term:
        term.wait_for_text(r"No sessions yet")
        term.press("n")
        term.wait_for_text(r"New session")
        term.type_slowly("Harbour Link")
        term.press("tab", "end", "ctrl+u")
        term.type_slowly("2026-04-14")
        term.press("tab", "tab")
        for index, (name, sponsor) in enumerate(PARTNERS):
            term.press("tab")
            term.type_slowly(name)
            term.press("tab")
            term.type_slowly(sponsor)
            term.press("tab")
            if index == 0:
                term.press("tab")
        # The form scrolled to the second row; a long name scrolls inside its narrow field.
        term.wait_for_text(rf"{PARTNERS[1][0][-12:]} .*{PARTNERS[1][1]}")
        term.press("ctrl+s")
        term.wait_for_text(r"1/6")
        term.wait_for_text(r"Harbour Link")

        term.press("f3")
        term.wait_for_text(r"2/6")
        for number, scores in enumerate(SCORES, start=1):
            term.wait_for_text(rf"Point {number} of 10")
            term.burst(*scores)
            term.wait_for_text(r"(● scored.*\n.*){2}")
            term.press("r")
            term.wait_for_text(r"Spread \d")
            if number == 3:
                term.wait_for_text(r"PERCEPTION GAP")
            term.press("right")

        term.press("f3")
        term.wait_for_text(r"3/6")
        term.wait_for_text(r"Mean\s+Spread\s+Flag")
        term.press("s")
        term.wait_for_text(r"Rows sorted by gap")

        term.press("f3")
        term.wait_for_text(r"4/6")
        term.type_slowly(PURPOSE)  # straight away: the editor has the focus on arrival
        term.wait_for_text(re.escape(PURPOSE[:20]), timeout=3)
        term.wait_for_text(re.escape(PURPOSE[:20]))

        term.press("f3")
        term.wait_for_text(r"5/6")
        term.press("d")
        term.wait_for_text(r"▀ New decision ▀")
        term.type_slowly(DECISION)
        term.press("ctrl+s")
        term.wait_for_no_text(r"▀ New decision ▀")
        term.press("m")
        term.type_slowly("2026-07-14")
        term.press("enter")
        term.wait_for_text(r"14 Jul 2026")

        term.press("f3")
        term.wait_for_text(r"6/6")
        term.press("a")
        term.wait_for_text(r"Export — Harbour Link")
        term.press("ctrl+s")
        term.wait_for_text(r"Wrote the agreement")
        term.press("escape")
        term.wait_for_no_text(r"Export — Harbour Link")

    session = saved_session(data_dir, SESSION_ID)
    assert [p["name"] for p in session["partners"]] == [name for name, _ in PARTNERS]
    assert [p["sponsors"] for p in session["partners"]] == [[sponsor] for _, sponsor in PARTNERS]
    assert session["points"]["mutual-benefit"]["scores"] == {"acme-ports": 4, "globex-shipping": 0}
    assert session["sections"]["purpose"]["text"].strip() == PURPOSE
    assert [d["text"] for d in session["decisions"]] == [DECISION]
    assert session["next_meeting"] == "2026-07-14"
    agreement = Document(tmp_path / f"{SESSION_ID}-agreement.md")
    assert agreement.contains(PURPOSE)
    print(f"key steps at 80x24: {time.monotonic() - started:.1f} s")
