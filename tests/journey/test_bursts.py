"""A quick typist, or a paste: keys that arrive in one burst must land where they would one by one.

The form is filled with Tab and text in single writes (Tab Tab Tab, then a name), and the first
score is typed the moment the meeting appears; the session file must hold exactly what was typed."""

from __future__ import annotations

from pathlib import Path

from .documents import saved_session
from .terminal import running_app


def test_a_quick_typist_fills_the_form_in_bursts(tmp_path: Path) -> None:
    data_dir = tmp_path / "sessions"
    with running_app(data_dir, (100, 30)) as term:
        term.wait_for_text(r"No sessions yet")
        term.press("n")
        term.wait_for_text(r"New session")
        term.burst(
            "Quayside Pact",
            "tab",
            "end",
            "ctrl+u",
            "2026-05-04",
            "tab",
            "tab",
            "Sam Reyes",
            "tab",
            "Acme Ports",
            "tab",
            "Ada Lovelace",
            "tab",
            "Tom Lee",
            "tab",
            "tab",
            "Globex Shipping",
            "tab",
            "Grace Hopper",
        )
        term.wait_for_text(r"Globex Shipping\s+▎▊\s+Grace Hopper", timeout=5)
        term.press("ctrl+s")
        term.wait_for_text(r"1/6 Welcome and purpose")
        term.burst("f3", "3")  # straight to scoring, and the first score, without waiting
        term.wait_for_text(r"● scored")
    session = saved_session(data_dir, "quayside-pact-2026-05-04")
    assert (session["alliance"], session["facilitator"]) == ("Quayside Pact", "Sam Reyes")
    assert [(p["name"], p["sponsors"], p["participants"]) for p in session["partners"]] == [
        ("Acme Ports", ["Ada Lovelace"], ["Tom Lee"]),
        ("Globex Shipping", ["Grace Hopper"], []),
    ]
    assert session["points"]["joint-framework"]["scores"] == {"acme-ports": 3}
