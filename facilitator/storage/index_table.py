"""The index as TinyDB sees it: two tables in `index.json`, read and written through `IndexStorage`.

"summaries" holds a document per session, keyed by its id; "checked" one document saying when the
files were last looked at. The file's layout is `index_file`'s. Imported only when the index is
brought up to date (`SessionStore.summaries`): the TUI's first screenful and a kept listing do
without TinyDB.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage
from tinydb.table import Document, Table

from facilitator.storage.atomic import PRIVATE_FILE, atomic_write_bytes
from facilitator.storage.index_file import INDEX_TABLE, encode_index, index_rows, parse_rows
from facilitator.storage.layout import INDEX_FILE
from facilitator.storage.plain_files import MAX_INDEX_BYTES, NotPlainFile, read_plain_file
from facilitator.storage.summaries import DOCUMENT_SORT_KEY, INDEX_COLUMNS, SessionSummary

CHECKED_TABLE = "checked"  # one document: {"checked_ns": a time before the files were last stat'ed}
CHECKED_DOC_ID = "1"


class SummaryTable(Table):
    """The index's tables: documents keyed by session id (TinyDB's own ids are numbers)."""

    document_id_class = str  # type: ignore[assignment]  # TinyDB's types say int; its code takes any class


def keyed(fields: dict[str, Any], key: str) -> Document:
    """A document of the index's tables, with its key as its TinyDB id."""
    return Document(fields, doc_id=cast(int, key))  # TinyDB's types say int (see SummaryTable)


def keys(ids: Iterable[str]) -> list[int]:
    """Keys of the index's tables, as TinyDB's `doc_ids` (see SummaryTable)."""
    return cast(list[int], list(ids))


class IndexDatabase(TinyDB):
    table_class = SummaryTable


class IndexStorage(Storage):
    """The TinyDB storage of `index.json`: a header line, then a row per summary, newest first.

    The documents read are kept with the bytes they came from: when written back unchanged (the
    very objects TinyDB was given), their rows are copied rather than encoded again.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._raw = b""
        self._read: dict[str, dict[str, Any]] = {}

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = read_plain_file(self.path, MAX_INDEX_BYTES)
            parsed = parse_rows(raw)
        except (OSError, NotPlainFile, ValueError, TypeError, KeyError, RecursionError, OverflowError):
            parsed = None
        if parsed is None:
            return None  # the index is only a cache: rebuilt from the session files
        rows, checked_ns = parsed
        documents = {row[0]: dict(zip(INDEX_COLUMNS, row)) for row in rows}
        self._raw, self._read = raw, documents
        return {INDEX_TABLE: documents, CHECKED_TABLE: {CHECKED_DOC_ID: {"checked_ns": checked_ns}}}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if not self.path.parent.is_dir():
            return  # a listing of a folder that is not there creates nothing
        documents: list[dict[str, Any]] = sorted(
            data.get(INDEX_TABLE, {}).values(), key=DOCUMENT_SORT_KEY, reverse=True
        )
        checked = (data.get(CHECKED_TABLE) or {}).get(CHECKED_DOC_ID, {}).get("checked_ns")
        unchanged = {d["id"] for d in documents if self._read.get(d["id"]) is d}
        try:
            payload = encode_index(documents, checked or time.time_ns(), index_rows(self._raw, unchanged))
            # Private whatever an older version left: it names alliances, partners, facilitators.
            atomic_write_bytes(self.path, payload, mode=PRIVATE_FILE)
        except (OSError, ValueError):
            return  # a read-only folder still lists; the cache is simply not kept
        self._raw, self._read = payload, {d["id"]: d for d in documents}


class WriteOnClose(CachingMiddleware):
    """TinyDB's caching middleware, flushing only when the database is closed: a listing that
    changes many summaries (remove, insert, the new time) writes the index once."""

    WRITE_CACHE_SIZE = sys.maxsize


def open_index(data_dir: Path) -> TinyDB:
    """The index of `data_dir` as a TinyDB database; use it in a `with` block, which writes it."""
    return IndexDatabase(data_dir / INDEX_FILE, storage=WriteOnClose(IndexStorage))  # type: ignore[no-untyped-call]


def write_index(data_dir: Path, summaries: list[SessionSummary], checked_ns: int | None = None) -> None:
    """Replace the index with these summaries (a benchmark's or a test's folder made in one go)."""
    with open_index(data_dir) as index:
        index.drop_tables()
        index.table(INDEX_TABLE).insert_multiple(keyed(s.to_document(), s.id) for s in summaries)
        index.table(CHECKED_TABLE).insert(keyed({"checked_ns": checked_ns or time.time_ns()}, CHECKED_DOC_ID))
