"""The session store: one TinyDB file per session, plus a small TinyDB index of summaries.

- `<id>.json` holds one session (TinyDB table "session", document 1). Saving a session rewrites
  only its own file, atomically (see `atomic`), so a kill at any moment leaves the last full save.
- `index.json` caches each session file's summary, keyed by the file's inode, size and mtime, so that
  listing 10,000 sessions parses only the files that changed. It is only a cache: if it is damaged
  or missing it is rebuilt from the session files. It is plain JSON, one summary (a row of values)
  per line, newest first, so that its head (the first screenful of the session list) can be read
  without parsing the rest (`cached_head`).
- `<id>.lock` is the lock of the process that has the session open for writing, and names it
  (see `locking`); one left by a process that died is taken over.
- `trash/` receives deleted and replaced sessions; nothing is ever erased.
- A damaged or foreign file is reported by name and left exactly as it is.

This is the only module that imports TinyDB. It is thread-safe per store (one lock around disk work),
since the TUI saves from a worker thread. The model, the checklist and the migrations are imported
only when a session file is actually read, so that listing from the index (the TUI's start, `list`)
does not pay for them.
"""

from __future__ import annotations

import json
import operator
import os
import stat as stat_module
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from .atomic import atomic_write_bytes, sweep_orphans
from .errors import (InvalidInput, InvalidSession, NewerSchema, SessionDamaged,
                     SessionLocked, SessionNotFound, StorageError)
from .locking import SessionLock, live_holder

if TYPE_CHECKING:
    from .model import Session

SESSION_TABLE = "session"
INDEX_FILE = "index.json"
INDEX_TABLE = "summaries"
INDEX_FORMAT = 3  # bump when SessionSummary or the index layout changes, so old caches are rebuilt
TRASH = "trash"
SUFFIX = ".json"


def encode_database(data: dict) -> bytes:
    """The bytes of a database file, exactly as every save writes them."""
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


class StoredFileError(Exception):
    """A file that cannot be used as a TinyDB database (internal; reported as SessionDamaged)."""


class AtomicJSONStorage(Storage):
    """TinyDB storage that replaces its file atomically on every write, always in UTF-8.

    The last data read or written is kept, together with the file's stat stamp, so the
    read-modify-write that TinyDB does on every change costs no re-parse while nobody else
    has touched the file.
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._cache: dict | None = None
        self._stamp: tuple | None = None
        self._deferred = False
        self._pending = False

    def _stat_stamp(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def read(self) -> dict | None:
        stamp = self._stat_stamp()
        # What we last wrote is what is there while nobody else replaced the file; inside a
        # deferred block it is what is about to be there (the file may not even exist yet).
        if self._cache is not None and (self._deferred or stamp == self._stamp):
            return self._cache
        if stamp is None:
            return None
        raw = self.path.read_bytes()
        if not raw.strip():
            raise StoredFileError("the file is empty")
        try:
            data = json.loads(raw.decode("utf-8"))
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
        self._cache, self._stamp = data, stamp
        return data

    def write(self, data: dict) -> None:
        if self.read_only:
            raise StorageError(f"{self.path.name} is open read-only.")
        self._cache = data
        if self._deferred:
            self._pending = True
            return
        self._flush()

    def _flush(self) -> None:
        try:
            payload = encode_database(self._cache)
        except UnicodeEncodeError:
            self._stamp = None  # what is cached was refused: re-read the file next time
            raise InvalidInput("Some text contains a character that cannot be saved (a broken surrogate).") from None
        try:
            atomic_write_bytes(self.path, payload)
        except OSError as error:
            self._stamp = None
            raise StorageError(f"Could not save {self.path.name}: {error.strerror or error}.") from None
        self._stamp = self._stat_stamp()

    def start_fresh(self) -> None:
        """Treat the file as empty, so the next write replaces it whole without reading it first."""
        self._cache, self._stamp = {}, self._stat_stamp()

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Collect several TinyDB writes into one file replacement."""
        self._deferred, self._pending = True, False
        try:
            yield
        finally:
            self._deferred = False
        if self._pending:
            self._pending = False
            self._flush()

    def close(self) -> None:
        pass


@dataclass(slots=True)
class SessionSummary:
    """What the session list shows, cached in the index. (Slots: 10,000 of them are kept in memory.)"""

    id: str
    file: str
    status: str = "ok"  # ok | damaged | newer
    problem: str = ""  # why a damaged or newer file cannot be opened
    alliance: str = ""
    kind: str = ""
    date: str = ""
    partners: list[str] = field(default_factory=list)
    joint_index: float | None = None
    saved_at: str = ""
    follows: str = ""
    facilitator: str = ""
    size: int = 0
    mtime_ns: int = 0
    inode: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict:
        # Built by hand: dataclasses.asdict deep-copies every value, 40 µs a summary.
        return {"id": self.id, "file": self.file, "status": self.status, "problem": self.problem,
                "alliance": self.alliance, "kind": self.kind, "date": self.date, "partners": list(self.partners),
                "joint_index": self.joint_index, "saved_at": self.saved_at, "follows": self.follows,
                "facilitator": self.facilitator}

    def sort_key(self) -> tuple[str, str, str]:
        return (self.date, self.saved_at, self.id)


INDEX_COLUMNS = tuple(f.name for f in fields(SessionSummary))
_ROW = operator.attrgetter(*INDEX_COLUMNS)
_SORT_KEY = operator.attrgetter("date", "saved_at", "id")  # = SessionSummary.sort_key, in C
_TEMPLATE_KEYS = ("id", "file", "status", "problem", "alliance", "kind", "date", "partners", "joint_index",
                  "saved_at", "follows", "facilitator")


def summaries_json(summaries: list[SessionSummary]) -> str:
    """Exactly `json.dumps([s.to_json() for s in summaries], ensure_ascii=False, indent=2)`, 5x faster.

    The standard library only uses its C encoder without `indent`; with it, 10,000 summaries take
    about 100 ms in pure Python. Here each string is encoded by the C function json.dumps uses.
    """
    if not summaries or tuple(summaries[0].to_json()) != _TEMPLATE_KEYS:
        return json.dumps([s.to_json() for s in summaries], ensure_ascii=False, indent=2)
    string = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False (C)
    value = json.JSONEncoder(ensure_ascii=False).encode
    entries = []
    append = entries.append
    for s in summaries:
        try:
            partners = s.partners
            if type(partners) is not list:
                raise TypeError
            listed = "[\n      " + ",\n      ".join(map(string, partners)) + "\n    ]" if partners else "[]"
            index = s.joint_index
            if index is None:
                index = "null"
            elif type(index) is float and -1e300 < index < 1e300:  # finite: json writes float.__repr__
                index = float.__repr__(index)
            else:
                index = value(index)
            # string() raises TypeError on anything but text.
            append(f'{{\n    "id": {string(s.id)},\n    "file": {string(s.file)},\n    "status": {string(s.status)},'
                   f'\n    "problem": {string(s.problem)},\n    "alliance": {string(s.alliance)},'
                   f'\n    "kind": {string(s.kind)},\n    "date": {string(s.date)},\n    "partners": {listed},'
                   f'\n    "joint_index": {index},'
                   f'\n    "saved_at": {string(s.saved_at)},\n    "follows": {string(s.follows)},'
                   f'\n    "facilitator": {string(s.facilitator)}\n  }}')
        except TypeError:
            # Not what the store writes (a hand-edited index, say): let json.dumps format it.
            append(json.dumps(s.to_json(), ensure_ascii=False, indent=2).replace("\n", "\n  "))
    return "[\n  " + ",\n  ".join(entries) + "\n]"


_INDEX_PREFIX = b'{"format":%d,' % INDEX_FORMAT
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_index(summaries: list[SessionSummary]) -> bytes:
    """The index file: a header line, then one summary per line (a row of INDEX_COLUMNS), in order.

    The whole file is one JSON object; the layout lets `cached_head` parse only its first lines.
    """
    header = json.dumps({"format": INDEX_FORMAT, "count": len(summaries), "columns": INDEX_COLUMNS},
                        separators=(",", ":"))
    encode = _ROW_ENCODER.encode
    rows = ",\n".join(encode(_ROW(s)) for s in summaries)
    return f'{header[:-1]},"{INDEX_TABLE}":[\n{rows}\n]}}\n'.encode("utf-8")


def _summary_from_row(row: Any) -> SessionSummary | None:
    """A summary from an index row, or None when the row is not one this store wrote."""
    if type(row) is not list or len(row) != len(INDEX_COLUMNS) or type(row[0]) is not str:
        return None
    return SessionSummary(*row)


def summarise(session: Session) -> dict:
    from .content import UnknownChecklistVersion, load_checklist
    from .scoring import joint_index

    try:
        index = joint_index(session, load_checklist(session.checklist_version))
    except UnknownChecklistVersion:
        index = None
    return {"alliance": session.alliance, "kind": session.kind, "date": session.date,
            "partners": [p.name for p in session.partners], "joint_index": index,
            "saved_at": session.saved_at, "follows": session.follows, "facilitator": session.facilitator}


def resolve_data_dir(cli_value: str | None = None) -> Path:
    """--data-dir, else FACILITATOR_DATA_DIR, else ./sessions."""
    value = cli_value or os.environ.get("FACILITATOR_DATA_DIR") or "sessions"
    return Path(value).expanduser()


class SessionStore:
    def __init__(self, data_dir: Path | str, program: str = "facilitator") -> None:
        self.data_dir = Path(data_dir).expanduser()
        self.program = program
        self._lock = threading.RLock()
        self._ready = False

    # -- folder ------------------------------------------------------------------------------

    def ensure_folder(self) -> None:
        if self._ready:
            return
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise StorageError(f"The data folder {self.data_dir} is a file, not a folder.")
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(f"Cannot create the data folder {self.data_dir}: {error.strerror or error}.") from None
        sweep_orphans(self.data_dir)
        self._ready = True

    def path_for(self, session_id: str) -> Path:
        return self.data_dir / f"{session_id}{SUFFIX}"

    def lock_path(self, session_id: str) -> Path:
        return self.data_dir / f"{session_id}.lock"

    def _session_files(self) -> dict[str, os.DirEntry]:
        try:
            entries = list(os.scandir(self.data_dir))
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise StorageError(f"Cannot read the data folder {self.data_dir}: {error.strerror or error}.") from None
        cut = -len(SUFFIX)
        return {name[:cut]: e for e in entries
                if (name := e.name).endswith(SUFFIX) and name != INDEX_FILE and name[0] != "." and e.is_file()}

    def ids(self) -> list[str]:
        return sorted(self._session_files())

    # -- listing -----------------------------------------------------------------------------

    def summaries(self) -> list[SessionSummary]:
        """Every session file's summary, newest date first; damaged files included as such."""
        with self._lock:
            files = self._session_files()
            cached = self._read_index()
            result, changed = self._check_summaries(files, cached)
            listed = result[:]
            result.sort(key=_SORT_KEY, reverse=True)
            # The index is kept newest first (its head is the first screenful): also rewrite it
            # when only the order changed (an edited date, an index written by an older version).
            if changed or len(cached) != len(result) or any(map(operator.is_not, listed, result)):
                self._write_index(result)
        return result

    def _check_summaries(self, files: dict[str, os.DirEntry],
                         cached: dict[str, SessionSummary]) -> tuple[list[SessionSummary], bool]:
        """The index's summary of each file still as it was (size, mtime, inode), others read again."""
        stat = os.DirEntry.stat
        result: list[SessionSummary] = []
        append = result.append
        changed = False
        # In the index's order (newest first): when nothing changed, the sort is one pass.
        for session_id, hit in cached.items():
            entry = files.pop(session_id, None)
            try:
                st = stat(entry) if entry is not None else None
            except OSError:
                st = None  # deleted or moved since the folder was read
            if st is None:
                changed = True
            # Every save replaces the file, so a new inode, whatever the clock's resolution.
            elif hit.inode == st.st_ino and hit.size == st.st_size and hit.mtime_ns == st.st_mtime_ns:
                append(hit)
            else:
                changed = True
                summary = self._summarise_file(session_id, st)
                if summary is not None:
                    append(summary)
        for session_id, entry in files.items():  # not in the index: new since it was written
            changed = True
            try:
                st = stat(entry)
            except OSError:
                continue
            summary = self._summarise_file(session_id, st)
            if summary is not None:
                append(summary)
        return result, changed

    def cached_head(self, limit: int) -> tuple[list[SessionSummary], int] | None:
        """The newest `limit` summaries as the index has them, and how many it holds; None without one.

        For a first screenful at once: only the head of the index is parsed, and each summary is
        checked against its file (size, mtime, inode), so none is stale; files added or changed
        since the index was written are missing until `summaries()` has read them.
        """
        path = self.data_dir / INDEX_FILE
        try:
            with open(path, "rb") as handle:
                size = 4096 + limit * 1024
                head = handle.read(size)
        except OSError:
            return None
        lines = head.split(b"\n")
        if len(head) == size:
            lines.pop()  # perhaps cut off by the read
        if len(lines) < 2 or not lines[0].startswith(_INDEX_PREFIX):
            return None
        try:
            header = json.loads(lines[0][:-len(b',"summaries":[')] + b"}")
            if header.get("columns") != list(INDEX_COLUMNS):
                return None
            rows = []
            for line in lines[1: limit + 1]:
                row = line.rstrip(b",")
                if not row.startswith(b"["):
                    break  # the end of the list
                rows.append(row)
            rows = json.loads(b"[" + b",".join(rows) + b"]") if rows else []
            result = []
            folder = os.fspath(self.data_dir)
            for row in rows:
                summary = _summary_from_row(row)
                if summary is None:
                    return None
                try:
                    st = os.stat(os.path.join(folder, summary.id + SUFFIX))
                except OSError:
                    continue
                if summary.inode == st.st_ino and summary.size == st.st_size and summary.mtime_ns == st.st_mtime_ns:
                    result.append(summary)
            return result, int(header["count"])
        except (ValueError, TypeError, KeyError, RecursionError):
            return None

    def _summarise_file(self, session_id: str, st: os.stat_result) -> SessionSummary | None:
        summary = SessionSummary(id=session_id, file=f"{session_id}{SUFFIX}", size=st.st_size,
                                 mtime_ns=st.st_mtime_ns, inode=st.st_ino)
        try:
            session, _migrated = self._read_session(session_id)
        except SessionNotFound:
            return None  # deleted since the folder was read
        except NewerSchema as error:
            summary.status, summary.problem = "newer", str(error)
        except SessionDamaged as error:
            summary.status, summary.problem = "damaged", error.reason
        else:
            for key, value in summarise(session).items():
                setattr(summary, key, value)
        return summary

    def _read_index(self) -> dict[str, SessionSummary]:
        try:
            data = json.loads((self.data_dir / INDEX_FILE).read_bytes())
            if (not isinstance(data, dict) or data.get("format") != INDEX_FORMAT
                    or data.get("columns") != list(INDEX_COLUMNS) or not isinstance(data.get(INDEX_TABLE), list)):
                return {}
            result = {}
            make = SessionSummary
            # A row of another shape fails here (TypeError) and the index is rebuilt; one of the
            # right length but odd values cannot match its file's size, mtime and inode, so that
            # file is read again.
            for row in data[INDEX_TABLE]:
                summary = make(*row)
                result[summary.id] = summary
            return result
        except (OSError, ValueError, TypeError, RecursionError):
            return {}  # the index is only a cache: rebuild it

    def _write_index(self, summaries: list[SessionSummary]) -> None:
        if not self.data_dir.is_dir():
            return
        try:
            atomic_write_bytes(self.data_dir / INDEX_FILE, encode_index(summaries))
        except (OSError, ValueError):
            pass  # a read-only folder still lists; the cache is simply not kept

    # -- reading -----------------------------------------------------------------------------

    def resolve(self, id_or_prefix: str) -> str:
        """The id of the one session whose id is, or starts with, the given text."""
        wanted = (id_or_prefix or "").strip()
        if not wanted:
            raise InvalidInput("Give a session id (or the start of one); `facilitator list` shows them.")
        # A whole id (as the store names files: lower-case letters, digits, dashes) needs no reading
        # of a folder of 10,000 names.
        if (wanted.isascii() and wanted.replace("-", "").isalnum() and wanted == wanted.lower()
                and wanted + SUFFIX != INDEX_FILE and os.path.isfile(self.path_for(wanted))):
            return wanted
        ids = self.ids()
        if wanted in ids:
            return wanted
        matches = [i for i in ids if i.startswith(wanted)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise SessionNotFound(f"No session '{wanted}' in {self.data_dir}; `facilitator list` shows them.")
        shown = ", ".join(matches[:5]) + (" ..." if len(matches) > 5 else "")
        raise InvalidInput(f"'{wanted}' matches {len(matches)} sessions ({shown}); type more of the id.")

    def _read_session(self, session_id: str) -> tuple[Session, bool]:
        path = self.path_for(session_id)
        if not path.exists():
            raise SessionNotFound(f"No session '{session_id}' in {self.data_dir}.")
        try:
            db = TinyDB(path, storage=AtomicJSONStorage, read_only=True)
            tables = db.storage.read()
        except FileNotFoundError:
            raise SessionNotFound(f"No session '{session_id}' in {self.data_dir}.") from None
        except StoredFileError as error:
            raise SessionDamaged(path, str(error)) from None
        except OSError as error:
            raise SessionDamaged(path, f"it cannot be read ({error.strerror or error})") from None
        if tables is None:
            raise SessionNotFound(f"No session '{session_id}' in {self.data_dir}.")
        documents = tables.get(SESSION_TABLE)
        if not isinstance(documents, dict) or len(documents) != 1:
            raise SessionDamaged(path, "it is not a facilitator session file")
        doc = next(iter(documents.values()))
        from .migrations import migrate
        from .model import Session

        try:
            doc, migrated = migrate(doc)
            session = Session.from_dict(doc)
        except NewerSchema as error:
            raise NewerSchema(f"{path.name}: {error}") from None
        except InvalidSession as error:
            raise SessionDamaged(path, str(error)) from None
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError) as error:
            # Validation should have named the problem; whatever slipped through, one odd file
            # must never stop the list or the other sessions.
            raise SessionDamaged(path, f"it is not a valid session ({type(error).__name__})") from None
        if session.id != session_id:
            raise SessionDamaged(path, f"it holds session '{session.id}', not '{session_id}'")
        return session, migrated

    def load(self, id_or_prefix: str) -> Session:
        """Read a session for viewing or export. Older schemas are migrated in memory only."""
        with self._lock:
            session, _migrated = self._read_session(self.resolve(id_or_prefix))
            return session

    def holder(self, session_id: str) -> str | None:
        """Who has this session open for writing, if anyone still running does."""
        holder = live_holder(self.lock_path(session_id))
        return None if holder is None else holder.describe()

    # -- writing -----------------------------------------------------------------------------

    def new_id(self, alliance: str, date: str) -> str:
        from .model import slugify

        base = f"{slugify(alliance, 'alliance')}-{date}"
        taken = set(self.ids())
        if self.data_dir.joinpath(TRASH).is_dir():
            taken |= {p.name[: -len(SUFFIX)] for p in self.data_dir.joinpath(TRASH).glob(f"*{SUFFIX}")}
        candidate, n = base, 2
        while candidate in taken or self.lock_path(candidate).exists():
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def open(self, id_or_prefix: str) -> OpenSession:
        """Open a session for writing: takes its lock, migrates an old file on disk (keeping a .bak)."""
        with self._lock:
            self.ensure_folder()
            session_id = self.resolve(id_or_prefix)
            lock = SessionLock(self.lock_path(session_id), session_id, self.program).acquire()
            try:
                session, migrated = self._read_session(session_id)
                if migrated:
                    # The backup is complete on disk before the file is replaced: a kill at any
                    # moment leaves the old file (and perhaps its backup) or the migrated one.
                    self._keep_backup(session_id)
                    self._write(session)
            except BaseException:
                lock.release()
                raise
            return OpenSession(self, session, lock)

    def create(self, session: Session) -> OpenSession:
        """Give a new session its id (from alliance and date) and save it, holding its lock."""
        with self._lock:
            self.ensure_folder()
            for _attempt in range(20):
                session.id = self.new_id(session.alliance, session.date)
                try:
                    lock = SessionLock(self.lock_path(session.id), session.id, self.program).acquire()
                except SessionLocked:
                    continue  # another process is creating the same id right now
                if self.path_for(session.id).exists():
                    lock.release()  # another process created and closed it meanwhile
                    continue
                try:
                    self._write(session)
                except BaseException:
                    lock.release()
                    raise
                return OpenSession(self, session, lock)
            raise StorageError(f"Could not find a free id for {session.alliance} on {session.date}.")

    def _keep_backup(self, session_id: str) -> Path:
        """Copy the file as it is before a migration to `<id>.json.bak` (same mode: same privacy).

        A backup already there from an earlier migration is kept; this one then gets a
        numbered name. One identical to the file (a migration killed after its backup) is reused.
        """
        path = self.path_for(session_id)
        try:
            data = path.read_bytes()
            mode = stat_module.S_IMODE(os.stat(path).st_mode)
            backup, n = path.with_name(f"{path.name}.bak"), 2
            while backup.exists():
                if backup.read_bytes() == data:
                    return backup
                backup, n = path.with_name(f"{path.name}.{n}.bak"), n + 1
            atomic_write_bytes(backup, data, mode=mode)
        except OSError as error:
            raise StorageError(f"Could not back up {path.name} before updating it: "
                               f"{error.strerror or error}. The file is left as it was.") from None
        return backup

    def _write(self, session: Session) -> str:
        """Write one session's file. Returns the saved_at stamp recorded in it."""
        session.saved_at = self._write_document(session.to_dict(), session.id)
        return session.saved_at

    def _write_document(self, doc: dict, session_id: str) -> str:
        from .model import now_iso

        saved_at = now_iso()
        doc = {**doc, "id": session_id, "saved_at": saved_at}
        db = TinyDB(self.path_for(session_id), storage=AtomicJSONStorage)
        storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
        storage.start_fresh()  # the one document is replaced whole: no need to parse the old file
        # TinyDB's upsert is an update then an insert, each a write: deferred, they are one file
        # replacement (otherwise a kill between them would leave a file with no session in it).
        with storage.deferred():
            db.table(SESSION_TABLE).upsert(Document(doc, doc_id=1))
        return saved_at

    def import_document(self, doc: Any, replace: bool = False) -> Session:
        """Import a dumped session after validating it fully. Nothing is written if it is refused."""
        from .migrations import migrate
        from .model import Session

        try:
            doc, _migrated = migrate(doc)
            session = Session.from_dict(doc)
        except InvalidSession as error:
            raise InvalidSession(f"not a valid session: {error}") from None
        except NewerSchema as error:
            raise NewerSchema(f"not imported: {error}") from None
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError) as error:
            raise InvalidSession(f"not a valid session ({type(error).__name__}).") from None
        with self._lock:
            self.ensure_folder()
            if self.path_for(session.id).exists() and not replace:
                raise self._exists(session.id)
            with SessionLock(self.lock_path(session.id), session.id, self.program):
                exists = self.path_for(session.id).exists()  # again, now that no one else can write it
                if exists and not replace:
                    raise self._exists(session.id)
                if exists:
                    self._move_to_trash(session.id, copy=True)
                self._write(session)
        return session

    @staticmethod
    def _exists(session_id: str) -> InvalidInput:
        return InvalidInput(f"Session {session_id} already exists; add --replace to overwrite it "
                            f"(the current one is kept in {TRASH}/).")

    def delete(self, session_id: str) -> Path:
        """Move a session to the trash folder. Refused while another process has it open."""
        with self._lock:
            session_id = self.resolve(session_id)
            with SessionLock(self.lock_path(session_id), session_id, self.program):
                return self._move_to_trash(session_id)

    def _move_to_trash(self, session_id: str, copy: bool = False) -> Path:
        trash = self.data_dir / TRASH
        source = self.path_for(session_id)
        target = trash / source.name
        n = 2
        while target.exists():
            target = trash / f"{session_id}.{n}{SUFFIX}"
            n += 1
        try:
            trash.mkdir(exist_ok=True)
            if copy:
                atomic_write_bytes(target, source.read_bytes(), mode=stat_module.S_IMODE(os.stat(source).st_mode))
            else:
                os.replace(source, target)
        except OSError as error:
            raise StorageError(f"Could not move {source.name} to the trash: {error.strerror or error}.") from None
        return target


class OpenSession:
    """A session open for writing: the in-memory Session, its lock, and `save()`."""

    def __init__(self, store: SessionStore, session: Session, lock: SessionLock) -> None:
        self.store = store
        self.session = session
        self.lock = lock

    @property
    def id(self) -> str:
        return self.session.id

    def save(self, document: dict | None = None) -> str:
        """Save the session (or a snapshot of it taken on the UI thread). Returns the saved_at stamp."""
        if not self.lock.held:
            raise SessionLocked(f"Session {self.id} is closed; it can no longer be saved.")
        with self.store._lock:
            if document is None:
                return self.store._write(self.session)
            # Always this session's own file, whatever id the snapshot carries.
            return self.store._write_document(document, self.id)

    def close(self) -> None:
        self.lock.release()

    def __enter__(self) -> OpenSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
