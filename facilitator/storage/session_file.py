"""A session's file: a TinyDB database holding one document (id 1) in its table "session".

Every read and write goes through TinyDB: `SessionFile` opens the file as
`TinyDB(path, storage=AtomicJSONStorage)`, reads the document with the table API and saves it with
`update` (or `insert`, the first time). `AtomicJSONStorage` is the TinyDB storage that makes that
safe: it replaces the file atomically (write, fsync, rename; see `atomic`), always in UTF-8,
refuses what is not a database, and spares TinyDB's read-before-every-write a re-parse.

The file is what stock TinyDB writes and reads (`TinyDB(path, encoding="utf-8")`): other tables a
program kept there are kept too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from facilitator.base.errors import InvalidInput, StorageError
from facilitator.storage import strict_json
from facilitator.storage.atomic import atomic_write_bytes
from facilitator.storage.layout import UNREACHABLE_LINK
from facilitator.storage.plain_files import MAX_SESSION_BYTES, NotPlainFile, read_plain_file

SESSION_TABLE = "session"
SESSION_DOC_ID = 1  # the one document of a session file


_ASCII_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_UTF8_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_database(data: dict[str, Any]) -> bytes:
    """The bytes of a database file, exactly as every save writes them: compact JSON in UTF-8.

    Compact, so that the C encoder does the work (an indented file is encoded in pure Python, three
    times slower). Text that is all ASCII is encoded by the ASCII encoder, twice as fast as the
    other on long text and giving the same bytes when nothing needed a \\u escape; anything else
    (accents, emoji, a lone surrogate, which must raise UnicodeEncodeError) goes the UTF-8 way.
    """
    text = _ASCII_ENCODE(data)
    if "\\u" not in text:
        return text.encode("utf-8")
    try:
        return _UTF8_ENCODE(data).encode("utf-8")
    except UnicodeEncodeError:
        # A broken surrogate. In the session itself it is refused (UnicodeEncodeError); in a table
        # another program keeps beside it, it stays escaped as it came, so that table survives.
        _UTF8_ENCODE(data.get(SESSION_TABLE, {})).encode("utf-8")
        return text.encode("ascii")


class StoredFileError(Exception):
    """A file that cannot be used as a TinyDB database (internal; reported as SessionDamaged)."""


class AtomicJSONStorage(Storage):
    """TinyDB storage that replaces its file atomically on every write, always in UTF-8.

    The last data read or written is kept, together with the file's stat stamp, so the
    read-modify-write that TinyDB does on every change costs no re-parse while nobody else has
    touched the file. `sole_writer`: the caller holds the session's lock, so what it wrote last is
    what is on disk (a stat after the rename cannot prove that by itself: a coarse file clock and
    a reused inode can make another file look the same).
    """

    def __init__(self, path: str | Path, read_only: bool = False, sole_writer: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.sole_writer = sole_writer
        self._cache: dict[str, Any] | None = None
        self._stamp: tuple[Any, ...] | None = None
        self.parsed = 0  # how many times the file was read from disk: another than ours if it grows

    def _stat_stamp(self) -> tuple[Any, ...] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def read(self) -> dict[str, Any] | None:
        stamp = self._stat_stamp()
        # What we last read is what is there while nobody else replaced the file.
        if self._cache is not None and stamp == self._stamp:
            return self._cache
        if stamp is None:
            return None
        try:
            raw = read_plain_file(self.path, MAX_SESSION_BYTES)
        except NotPlainFile as problem:
            raise StoredFileError(f"it {problem}") from None
        if not raw.strip():
            raise StoredFileError("the file is empty")
        constants: list[str] = []
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_noted(constants))
        except UnicodeDecodeError:
            raise StoredFileError("the file is not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise StoredFileError(f"the file is not valid JSON ({error.msg} at line {error.lineno})") from None
        except RecursionError:
            raise StoredFileError("the file is nested too deeply to be a session") from None
        except ValueError as error:  # a number of thousands of digits, for one
            raise StoredFileError(f"the file is not valid JSON ({error})") from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StoredFileError("the file is JSON but not a facilitator database")
        if constants and _holds_a_constant(data.get(SESSION_TABLE)):
            # Stock TinyDB writes NaN and Infinity, and another program's table may keep them; in
            # the session one would pass every limit the model checks (see `strict_json`).
            raise StoredFileError(f"the file is not valid JSON ({strict_json.refused(constants[0])})")
        self._cache, self._stamp = data, stamp
        self.parsed += 1
        return data

    def write(self, data: dict[str, Any]) -> None:
        if self.read_only:
            raise StorageError(f"{self.path.name} is open read-only.")
        self._cache, self._stamp = data, None
        try:
            payload = encode_database(data)
        except UnicodeEncodeError:
            self._cache = None  # what is cached was refused: read the file again next time
            raise InvalidInput("Some text contains a character that cannot be saved (a broken surrogate).") from None
        try:
            atomic_write_bytes(self.path, payload)
        except OSError as error:
            self._cache = None
            raise StorageError(f"Could not save {self.path.name}: {error.strerror or error}.") from None
        if self.sole_writer:
            self._stamp = self._stat_stamp()

    def close(self) -> None:
        pass


def _noted(constants: list[str]) -> Callable[[str], float]:
    """`parse_constant` for `json.loads` that reads NaN and Infinity as floats, noting each."""

    def parse_constant(name: str) -> float:
        constants.append(name)
        return float(name)

    return parse_constant


def _holds_a_constant(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return True
    return False


class SessionFile:
    """One session's file, opened through TinyDB.

    `read_only`: for listing and export. Otherwise the caller holds the session's lock (see
    `locking`) and is the file's only writer.
    """

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self.database = TinyDB(path, storage=AtomicJSONStorage, read_only=read_only, sole_writer=not read_only)
        self.table: Table = self.database.table(SESSION_TABLE)
        self.doc_id = SESSION_DOC_ID  # the id the file gives its document (stock TinyDB may give another)
        # The session's document as last read or written here, and the storage's count of reads
        # from disk then: a later read means someone else replaced the file (see `write`).
        self._known: dict[str, Any] | None = None
        self._known_parsed = 0

    def read(self) -> dict[str, Any] | None:
        """The session's document; None when the file is gone. StoredFileError when the file is not
        a session file: not a database, or its table "session" not exactly one document (an object,
        under a document id TinyDB can read)."""
        if not self.path.exists():
            if os.path.islink(self.path):
                raise StoredFileError(UNREACHABLE_LINK)
            return None
        try:
            tables = self.database.storage.read()  # TinyDB's own storage: what the table reads
            documents = self.table.all()
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            # A document id that is not a number, a document that is not an object: TinyDB's own
            # conversions refuse them.
            raise StoredFileError("it is not a facilitator session file") from None
        raw = (tables or {}).get(SESSION_TABLE)
        if len(documents) != 1 or not isinstance(raw, dict) or not all(isinstance(d, dict) for d in raw.values()):
            raise StoredFileError("it is not a facilitator session file")
        self.doc_id = documents[0].doc_id
        self._remember(dict(documents[0]))
        return documents[0]

    def _remember(self, document: dict[str, Any]) -> None:
        self._known = document  # a shallow copy is enough: a save replaces values, never edits them
        self._known_parsed = self.database.storage.parsed  # type: ignore[attr-defined]

    def write(self, document: dict[str, Any]) -> None:
        """Make `document` the session's one document: one atomic replacement of the file.

        StorageError, and nothing written, when the file no longer holds just this session
        (another program replaced it or added documents while the session was open): the room's
        work stays in memory, and the exit leaves a rescue copy.
        """
        try:
            ids = [doc.doc_id for doc in self.table.all()]  # TinyDB's reading of the ids ("01" is 1)
            others = [doc_id for doc_id in ids if doc_id != self.doc_id]
            if others:
                held = f"it now holds {len(ids)} documents" if len(ids) > 1 else "its document has another id now"
                raise StorageError(
                    f"{self.path.name} was changed by another program while the session was open "
                    f"({held}): not saved over it."
                )
            # One write either way: an update that finds nothing would still write the tables.
            if ids:
                written = [document]
                self.table.update(self._replacing_with(document, written), doc_ids=[self.doc_id])
                document = written[-1]
            else:
                self.table.insert(Document(document, doc_id=self.doc_id))
            self._remember(document)
        except StoredFileError as error:
            raise StorageError(
                f"{self.path.name} was replaced by another program while the session was open "
                f"({error}): not saved over it."
            ) from None
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            raise StorageError(f"Could not save {self.path.name} ({type(error).__name__}).") from None

    def _replacing_with(self, document: dict[str, Any], written: list[dict[str, Any]]) -> Callable[[Any], None]:
        """The update for TinyDB's `Table.update` that makes the stored document `document` (a
        plain `update(fields)` merges, and would keep a field the new document no longer has).

        It runs on the document as TinyDB has just read it, so that nothing another program
        writes before the save is missed. When this file was read or saved here before (an open
        session), that document's fields of another program win over `document`'s; the merged
        document is appended to `written`."""

        def replace(stored: MutableMapping[str, Any]) -> None:
            merged = self._merged_with(stored, document) if self._known is not None else document
            stored.clear()
            stored.update(merged)
            written.append(merged)

        return replace

    def _merged_with(self, stored: Mapping[str, Any], document: dict[str, Any]) -> dict[str, Any]:
        """`document`, with the top-level fields of another program as the stored document has
        them now (added, changed or removed since the session was opened).

        StorageError when another program changed the session itself since it was last read or
        saved here (a `load --replace` elsewhere, a second writer): saving would undo its change
        without a word. The room's work stays in memory, and the exit leaves a rescue copy."""
        from facilitator.domain.model import SESSION_FIELDS, foreign_fields  # only to write

        storage = self.database.storage
        if self._known is not None and storage.parsed != self._known_parsed:  # type: ignore[attr-defined]
            missing = object()
            if any(self._known.get(key, missing) != stored.get(key, missing) for key in SESSION_FIELDS):
                raise StorageError(
                    f"{self.path.name} was changed by another program while the session was open "
                    "(the session in it is not the one saved here): not saved over it."
                )
        if stored.get("schema_version") != document.get("schema_version"):
            return document  # a migration: the older schema's own fields are not another program's
        ours = {key: value for key, value in document.items() if key in SESSION_FIELDS}
        return {**ours, **foreign_fields(dict(stored))}

    def close(self) -> None:
        self.database.close()
