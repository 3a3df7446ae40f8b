"""Session files are TinyDB databases both ways: stock TinyDB reads what facilitator saves, and a
session file written by stock TinyDB (the same layout) opens, saves and exports in facilitator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tinydb import Query, TinyDB
from tinydb.table import Document

from facilitator.base.errors import SessionDamaged
from facilitator.storage.store import SessionStore
from tests.report_helpers import headings, parse

ACCENTED = "Zoë “Q” 🤝 Ærø"


def stock_documents(path: Path) -> list[Document]:
    """The table "session" as another program reads it with nothing but TinyDB."""
    with TinyDB(path, encoding="utf-8") as db:
        return db.table("session").all()


def test_stock_tinydb_reads_every_session_file(store, data_dir, sample_session):
    sample_session.partners[0].name = ACCENTED
    with store.create(sample_session) as opened:
        opened.session.points["joint-framework"].notes = "said in the room: “ja” ✓"
        opened.save()
        session_id = opened.id
    documents = stock_documents(data_dir / f"{session_id}.json")
    assert len(documents) == 1
    assert documents[0].doc_id == 1
    assert documents[0] == json.loads(json.dumps(store.load(session_id).to_dict()))
    with TinyDB(data_dir / f"{session_id}.json", encoding="utf-8") as db:
        found = db.table("session").search(Query().alliance == sample_session.alliance)
    assert [doc["id"] for doc in found] == [session_id]


def write_with_stock_tinydb(path: Path, document: dict, doc_id: int | None = None, extra: bool = False) -> None:
    with TinyDB(path) as db:  # stock JSONStorage: ASCII JSON, whatever indentation TinyDB uses
        table = db.table("session")
        table.insert(document if doc_id is None else Document(document, doc_id=doc_id))
        if extra:
            db.table("their_notes").insert({"kept": "by another program"})


def test_a_file_written_by_stock_tinydb_opens_saves_and_exports(cli, data_dir, sample_session, tmp_path):
    document = {**sample_session.to_dict(), "id": "stock-written"}
    path = data_dir / "stock-written.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    write_with_stock_tinydb(path, document, doc_id=7, extra=True)

    store = SessionStore(data_dir)
    assert [s.id for s in store.summaries() if s.ok] == ["stock-written"]
    with store.open("stock-written") as opened:
        opened.session.alliance = ACCENTED
        opened.save()
    with TinyDB(path, encoding="utf-8") as db:
        sessions = db.table("session").all()
        theirs = db.table("their_notes").all()
    assert [(doc.doc_id, doc["alliance"]) for doc in sessions] == [(7, ACCENTED)]  # still its one document
    assert theirs == [{"kept": "by another program"}]  # another program's table survives our save

    out = tmp_path / "agreement.md"
    result = cli("export", "stock-written", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert any(ACCENTED in heading for heading in headings(parse(out.read_text(encoding="utf-8"))))


@pytest.mark.parametrize(
    "tables",
    [
        {"session": {"1": {"id": "odd"}, "2": {"id": "odd"}}},  # two documents
        {"session": {}},  # none
        {"session": {"one": {"id": "odd"}}},  # a document id TinyDB cannot read
        {"session": {"1": ["not", "a", "document"]}},
        {"_default": {"1": {"id": "odd"}}},  # a TinyDB file of another program
    ],
    ids=["two documents", "empty table", "text doc id", "list document", "foreign database"],
)
def test_a_tinydb_file_that_is_not_one_session_is_damaged_and_untouched(store, data_dir, tables):
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "odd.json"
    path.write_text(json.dumps(tables), encoding="utf-8")
    before = path.read_bytes()
    [summary] = store.summaries()
    assert summary.status == "damaged"
    assert "not a facilitator session file" in summary.problem
    with pytest.raises(SessionDamaged):
        store.open("odd")
    assert path.read_bytes() == before
