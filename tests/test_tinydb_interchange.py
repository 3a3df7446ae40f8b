"""Session files are TinyDB databases both ways: stock TinyDB reads what facilitator saves, and a
session file written by stock TinyDB (the same layout) opens, saves and exports in facilitator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tinydb import Query, TinyDB
from tinydb.table import Document

from facilitator.base.errors import SessionDamaged, StorageError
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


def test_fields_another_program_keeps_in_the_session_survive_our_saves(data_dir, sample_session):
    """A CRM's id or a sync stamp beside our fields: the room's save and a follow-up's copy of
    the file must not drop them; a field of ours with the same name is ours."""
    theirs = {"crm_id": "ACC-0042", "sync": {"at": "2026-12-01T10:00:00Z", "hops": [1, 2.5, None, True]}}
    document = {**sample_session.to_dict(), "id": "with-theirs", **theirs}
    path = data_dir / "with-theirs.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    write_with_stock_tinydb(path, document)

    store = SessionStore(data_dir)
    with store.open("with-theirs") as opened:
        opened.session.points["joint-framework"].notes = "typed in the room"
        opened.save()
    (stored,) = stock_documents(path)
    assert {key: stored[key] for key in theirs} == theirs
    assert stored["points"]["joint-framework"]["notes"] == "typed in the room"
    assert store.load("with-theirs").to_dict() == dict(stored)  # read again, it is the same document


def test_a_foreign_field_that_could_not_be_saved_again_is_left_out(data_dir, sample_session):
    """A lone surrogate (valid JSON, not UTF-8) in another program's field would fail every save:
    that one field is dropped, the others kept, and the room's save goes through."""
    path = data_dir / "odd-theirs.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    document = {**sample_session.to_dict(), "id": "odd-theirs", "kept": "yes", "broken": "SURROGATE"}
    path.write_text(json.dumps({"session": {"1": document}}).replace('"SURROGATE"', '"\\ud800"'), encoding="utf-8")

    store = SessionStore(data_dir)
    with store.open("odd-theirs") as opened:
        assert opened.session.kept_fields == {"kept": "yes"}
        opened.save()
    (stored,) = stock_documents(path)
    assert stored["kept"] == "yes" and "broken" not in stored


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


@pytest.mark.parametrize("constant", [float("nan"), float("inf"), float("-inf")])
def test_nan_in_another_programs_table_leaves_the_session_usable(data_dir, sample_session, constant):
    """Stock TinyDB writes NaN and Infinity (Python's json allows them): a CRM's metrics table of
    them made a good session 'damaged', and its autosave refused. Only the session's own table is
    held to standard JSON."""
    document = {**sample_session.to_dict(), "id": "with-metrics"}
    path = data_dir / "with-metrics.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    write_with_stock_tinydb(path, document)
    with TinyDB(path) as db:
        db.table("crm_metrics").insert({"win_rate": constant})

    store = SessionStore(data_dir)
    assert [(s.id, s.status) for s in store.summaries()] == [("with-metrics", "ok")]
    with store.open("with-metrics") as opened:
        opened.session.facilitator = "Maria"
        opened.save()
    with TinyDB(path, encoding="utf-8") as db:
        kept = db.table("crm_metrics").all()[0]["win_rate"]
    assert repr(kept) == repr(constant)  # written back as stock TinyDB wrote it
    assert store.load("with-metrics").facilitator == "Maria"


def test_nan_in_the_session_table_is_still_damaged(data_dir, sample_session):
    document = {**sample_session.to_dict(), "id": "nan-inside"}
    document["agenda"] = {"elapsed": {"welcome": float("nan")}}
    path = data_dir / "nan-inside.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    write_with_stock_tinydb(path, document)
    before = path.read_bytes()
    with pytest.raises(SessionDamaged, match="NaN is not a number JSON allows"):
        SessionStore(data_dir).open("nan-inside")
    assert path.read_bytes() == before


def test_a_field_another_program_adds_while_the_session_is_open_survives_the_rooms_saves(
    store, data_dir, sample_session
):
    """Found by a red team: a CRM sync that opened, wrote and closed the file as the README asks,
    while the room had the session open, lost its field at the next autosave."""
    with store.create(sample_session) as opened:
        path = store.path_for(opened.id)
        with TinyDB(path, encoding="utf-8") as db:
            db.table("session").update({"crm_id": "CRM-777"})
            db.table("crm").insert({"synced": True})
        for typed in ("Room keeps typing", "and typing"):
            opened.session.points["joint-framework"].notes = typed
            opened.save()
    (stored,) = stock_documents(path)
    assert stored["crm_id"] == "CRM-777" and stored["points"]["joint-framework"]["notes"] == "and typing"
    with TinyDB(path, encoding="utf-8") as db:
        assert db.table("crm").all() == [{"synced": True}]


def test_a_session_saved_from_elsewhere_while_open_is_not_saved_over(store, data_dir, sample_session, tmp_path):
    """Found by a red team: with the lock swapped by a sync tool, `load --replace` from another
    process went through, and the open window's next autosave put its own copy back without a
    word. A save now checks that the session in the file is still the one saved here."""
    with store.create(sample_session) as opened:
        path = store.path_for(opened.id)
        elsewhere = {**opened.session.to_dict(), "facilitator": "Someone Else"}
        with TinyDB(path, encoding="utf-8") as db:  # as another process's save would leave it
            db.table("session").update(_replace_all(elsewhere), doc_ids=[1])
        before = path.read_bytes()
        opened.session.points["joint-framework"].notes = "typed in the room"
        with pytest.raises(StorageError, match="changed by another program .*not the one saved here"):
            opened.save()
        assert path.read_bytes() == before
    assert store.load(opened.id).facilitator == "Someone Else"


def _replace_all(document: dict):
    def replace(stored):
        stored.clear()
        stored.update(document)

    return replace


def test_another_programs_change_to_its_field_wins_over_the_copy_the_session_was_opened_with(
    store, data_dir, sample_session
):
    """Found in review: a CRM field present when the session was opened, then changed (or removed)
    by the CRM while the room worked, was put back as it was at the next save."""
    document = {**sample_session.to_dict(), "id": "crm-owned", "crm": "open", "gone": "soon"}
    path = data_dir / "crm-owned.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    write_with_stock_tinydb(path, document)
    with store.open("crm-owned") as opened:
        with TinyDB(path, encoding="utf-8") as db:
            [theirs] = db.table("session").all()
            changed = {key: value for key, value in theirs.items() if key != "gone"}
            db.table("session").update(_replace_all({**changed, "crm": "closed", "crm2": "new"}), doc_ids=[1])
        opened.session.facilitator = "Maria"
        opened.save()
        opened.save()
    (stored,) = stock_documents(path)
    assert (stored["crm"], stored["crm2"], "gone" in stored) == ("closed", "new", False)
    assert stored["facilitator"] == "Maria"


def test_load_replace_writes_the_dump_exactly(cli, data_dir, sample_session, tmp_path):
    """Found in review: the fields of the session a `load --replace` replaced were merged into the
    loaded one. A replace writes the dump as it is (the old file is in the trash)."""
    document = {**sample_session.to_dict(), "id": "replaced", "crm": "old"}
    data_dir.mkdir(parents=True, exist_ok=True)
    write_with_stock_tinydb(data_dir / "replaced.json", document)
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps({key: value for key, value in document.items() if key != "crm"}), encoding="utf-8")
    result = cli("load", str(dump), "--replace")
    assert result.returncode == 0, result.stderr
    (stored,) = stock_documents(data_dir / "replaced.json")
    assert "crm" not in stored
