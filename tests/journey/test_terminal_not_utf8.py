"""A terminal that sends bytes which are not UTF-8 (set to Latin-1, or a paste holding a C1 byte):
the meeting goes on, and what was typed around the byte is kept. Textual's driver decoded its input
strictly, and one such byte ended the app in the middle of the room's typing."""

from __future__ import annotations

from pathlib import Path

from store_support import DEMO_DATE

from facilitator.domain.session_factory import create_session
from facilitator.storage.store import SessionStore

from .terminal import running_app


def saved_session(tmp_path: Path, alliance: str) -> tuple[SessionStore, str]:
    store = SessionStore(tmp_path / "sessions")
    with store.create(create_session(alliance, ["Acme", "Globex", "Initech"], date=DEMO_DATE.isoformat())) as opened:
        return store, opened.id


def open_first_points_notes(term) -> None:
    """From the welcome step to the notes of the health check's first point, as a person would."""
    term.wait_for_text(r"Welcome and purpose")
    term.press("f3")
    term.wait_for_text(r"Point 1 of 10")
    term.press("e")


def test_a_byte_that_is_not_utf8_is_typed_as_a_replacement_character(tmp_path: Path) -> None:
    store, session_id = saved_session(tmp_path, "Latin One Alliance")
    with running_app(store.data_dir, (100, 30), ("open", session_id)) as term:
        open_first_points_notes(term)
        term.type_slowly("Our purpose is caf")
        term.send_bytes(b"\xe9")  # Latin-1's é
        term.type_slowly(" and more")
        term.send_bytes(b" \x9b31m paste")  # a C1 CSI as a lone byte
        term.wait_for_text(r"caf\ufffd and more")
        term.press("escape")
    notes = store.load(session_id).point("joint-framework").notes
    assert notes.startswith("Our purpose is caf\ufffd and more ")
    assert notes.endswith(" paste")


def test_a_paste_holding_escape_and_delete_arrives_whole_and_in_order(tmp_path: Path) -> None:
    """Found by a red team: inside a bracketed paste, Textual replayed what followed an ESC as key
    presses ahead of the paste ("alpha ESC beta" stored as "beta alpha"), a pasted DEL erased what
    the room had typed, and a pasted Ctrl+Q quit the meeting. The paste's controls are left out."""
    store, session_id = saved_session(tmp_path, "Paste Alliance")
    with running_app(store.data_dir, (100, 30), ("open", session_id)) as term:
        open_first_points_notes(term)
        term.type_slowly("Typed first. ")
        term.send_bytes(b"\x1b[200~Pasted alpha \x1bbeta\x7f\x7f\x7f gamma.\x11\x1b[201~")
        term.type_slowly(" Typed after.")
        term.wait_for_text(r"Typed first\. Pasted alpha beta gamma\. Typed after\.")
        term.press("escape")
    notes = store.load(session_id).point("joint-framework").notes
    assert notes == "Typed first. Pasted alpha beta gamma. Typed after."
