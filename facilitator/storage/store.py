"""The session store: one TinyDB file per session, plus an index of summaries.

- `<id>.json` holds one session (TinyDB table "session", document 1), as compact JSON. Saving a
  session rewrites only its own file, atomically (see `atomic`), so a kill at any moment leaves the
  last full save.
- `index.json` caches each session file's summary, keyed by the file's inode, size, mtime and
  ctime (see `_unchanged`), so that listing 10,000 sessions parses only the files that changed. It
  is only a cache: if it is damaged or missing it is rebuilt from the session files. It is plain
  JSON, one summary (a row of values) per line, newest first, so that its head (the first
  screenful of the session list) can be read without parsing the rest (`cached_head`).
- `<id>.lock` is the lock of the process that has the session open for writing, and names it
  (see `locking`); one left by a process that died is taken over.
- `trash/` receives deleted and replaced sessions; nothing is ever erased.
- A damaged or foreign file is reported by name and left exactly as it is.

The files are TinyDB databases (stock TinyDB reads them), but the store only ever reads or replaces
a file's tables whole, so it does so itself (`AtomicJSONStorage`) without loading TinyDB. It is
thread-safe per store (one lock around disk work), since the TUI saves from a worker thread. The
model, the checklist, the migrations and the locks are imported only when a session file is
actually read or written, so that listing from the index (the TUI's start, `list`) does not pay
for them.
"""

from __future__ import annotations

import functools
import json
import operator
import os
import stat as stat_module
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain, starmap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.base.errors import (
    InvalidInput,
    InvalidSession,
    NewerSchema,
    SessionDamaged,
    SessionLocked,
    SessionNotFound,
    StorageError,
)
from facilitator.storage import strict_json
from facilitator.storage.atomic import PRIVATE_FILE, atomic_write_bytes, private_folder, sweep_orphans
from facilitator.storage.layout import (
    BALLOTS_SUFFIX,
    INDEX_FILE,
    LOCK_SUFFIX,
    SESSION_SUFFIX,
    TRASH,
    ballots_dir,
    lock_file,
    session_file,
)

if TYPE_CHECKING:
    from facilitator.domain.model import Session
    from facilitator.storage.locking import SessionLock

SESSION_TABLE = "session"
INDEX_TABLE = "summaries"
INDEX_FORMAT = 4  # bump when SessionSummary or the index layout changes, so old caches are rebuilt
# A file changed less than this before its index row was taken may change again within the same
# tick of a coarse file clock (FAT: 2 s) without its stamp showing it: such a row is not trusted.
RACY_NS = 2_000_000_000


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
    if "\\u" in text:
        text = _UTF8_ENCODE(data)
    return text.encode("utf-8")


class StoredFileError(Exception):
    """A file that cannot be used as a TinyDB database (internal; reported as SessionDamaged)."""


class AtomicJSONStorage:
    """TinyDB storage that replaces its file atomically on every write, always in UTF-8.

    It has the interface of `tinydb.storages.Storage` (read, write, close), so that
    `TinyDB(path, storage=AtomicJSONStorage)` works, without importing TinyDB: the store only ever
    reads or replaces a file's tables whole, so listing and exporting do not load TinyDB at all.

    The last data read or written is kept, together with the file's stat stamp, so the
    read-modify-write that TinyDB does on every change costs no re-parse while nobody else
    has touched the file.
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._cache: dict[str, Any] | None = None
        self._stamp: tuple[Any, ...] | None = None

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
        raw = self.path.read_bytes()
        if not raw.strip():
            raise StoredFileError("the file is empty")
        try:
            data = strict_json.loads(raw.decode("utf-8"))
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

    def write(self, data: dict[str, Any]) -> None:
        if self.read_only:
            raise StorageError(f"{self.path.name} is open read-only.")
        self._cache = data
        try:
            payload = encode_database(data)
        except UnicodeEncodeError:
            self._stamp = None  # what is cached was refused: re-read the file next time
            raise InvalidInput("Some text contains a character that cannot be saved (a broken surrogate).") from None
        try:
            atomic_write_bytes(self.path, payload)
        except OSError as error:
            self._stamp = None
            raise StorageError(f"Could not save {self.path.name}: {error.strerror or error}.") from None
        self._stamp = None  # re-read next time: a stat after the rename cannot prove it is still ours

    def close(self) -> None:
        pass


INDEX_COLUMNS = (
    "id",
    "file",
    "status",
    "problem",
    "alliance",
    "kind",
    "date",
    "partners",
    "joint_index",
    "saved_at",
    "follows",
    "facilitator",
    "size",
    "mtime_ns",
    "inode",
    "ctime_ns",
)
_NO_PARTNERS: Any = object()


class SessionSummary:
    """What the session list shows, cached in the index (a row of INDEX_COLUMNS).

    Written out rather than a dataclass, whose import (with `inspect`) costs `facilitator list`
    5 ms; slotted, since 10,000 of them are kept in memory. Compares and prints like a dataclass.
    """

    __slots__ = INDEX_COLUMNS

    def __init__(
        self,
        id: str,
        file: str,
        status: str = "ok",
        problem: str = "",
        alliance: str = "",
        kind: str = "",
        date: str = "",
        partners: list[str] = _NO_PARTNERS,
        joint_index: float | None = None,
        saved_at: str = "",
        follows: str = "",
        facilitator: str = "",
        size: int = 0,
        mtime_ns: int = 0,
        inode: int = 0,
        ctime_ns: int = 0,
    ) -> None:
        self.id = id
        self.file = file
        self.status = status  # ok | damaged | newer
        self.problem = problem  # why a damaged or newer file cannot be opened
        self.alliance = alliance
        self.kind = kind
        self.date = date
        self.partners = [] if partners is _NO_PARTNERS else partners
        self.joint_index = joint_index
        self.saved_at = saved_at
        self.follows = follows
        self.facilitator = facilitator
        self.size = size  # size, mtime_ns, inode, ctime_ns: the file's stamp (see `_unchanged`)
        self.mtime_ns = mtime_ns
        self.inode = inode
        self.ctime_ns = ctime_ns

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _ROW(self) == _ROW(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in zip(INDEX_COLUMNS, _ROW(self)))
        return f"{type(self).__name__}({values})"

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every value, 40 µs a summary.
        return {
            "id": self.id,
            "file": self.file,
            "status": self.status,
            "problem": self.problem,
            "alliance": self.alliance,
            "kind": self.kind,
            "date": self.date,
            "partners": list(self.partners),
            "joint_index": self.joint_index,
            "saved_at": self.saved_at,
            "follows": self.follows,
            "facilitator": self.facilitator,
        }

    def sort_key(self) -> tuple[str, str, str]:
        return (self.date, self.saved_at, self.id)


_ROW = operator.attrgetter(*INDEX_COLUMNS)
_SORT_KEY = operator.attrgetter("date", "saved_at", "id")  # = SessionSummary.sort_key, in C
_TEMPLATE_KEYS = INDEX_COLUMNS[: INDEX_COLUMNS.index("size")]  # what to_json() writes, in order


def summaries_json(summaries: list[SessionSummary]) -> str:
    """Exactly `json.dumps([s.to_json() for s in summaries], ensure_ascii=False, indent=2)`, 5x faster.

    The standard library only uses its C encoder without `indent`; with it, 10,000 summaries take
    about 100 ms in pure Python. Here each string is encoded by the C function json.dumps uses.
    """
    if not summaries or tuple(summaries[0].to_json()) != _TEMPLATE_KEYS:
        return json.dumps([s.to_json() for s in summaries], ensure_ascii=False, indent=2)
    string = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False (C)
    value = json.JSONEncoder(ensure_ascii=False).encode
    entries: list[str] = []
    append = entries.append
    for s in summaries:
        try:
            partners = s.partners
            if type(partners) is not list:
                raise TypeError
            listed = "[\n      " + ",\n      ".join(map(string, partners)) + "\n    ]" if partners else "[]"
            joint = s.joint_index
            if joint is None:
                index = "null"
            elif type(joint) is float and -1e300 < joint < 1e300:  # finite: json writes float.__repr__
                index = float.__repr__(joint)
            else:
                index = value(joint)
            # string() raises TypeError on anything but text.
            append(
                f'{{\n    "id": {string(s.id)},\n    "file": {string(s.file)},\n    "status": {string(s.status)},'
                f'\n    "problem": {string(s.problem)},\n    "alliance": {string(s.alliance)},'
                f'\n    "kind": {string(s.kind)},\n    "date": {string(s.date)},\n    "partners": {listed},'
                f'\n    "joint_index": {index},'
                f'\n    "saved_at": {string(s.saved_at)},\n    "follows": {string(s.follows)},'
                f'\n    "facilitator": {string(s.facilitator)}\n  }}'
            )
        except TypeError:
            # Not what the store writes (a hand-edited index, say): let json.dumps format it.
            append(json.dumps(s.to_json(), ensure_ascii=False, indent=2).replace("\n", "\n  "))
    return "[\n  " + ",\n  ".join(entries) + "\n]"


_INDEX_PREFIX = b'{"format":%d,' % INDEX_FORMAT
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_index(summaries: list[SessionSummary], checked_ns: int, rows: dict[str, bytes] | None = None) -> bytes:
    """The index file: a header line, then one summary per line (a row of INDEX_COLUMNS), in order.

    The whole file is one JSON object; the layout lets `cached_head` parse only its first lines.
    `checked_ns`: a time before the files were stat'ed, for the racy-row rule (`_unchanged`).
    `rows`: rows already encoded, by id (from `_index_rows`): encoding 10,000 rows again costs a
    listing after a save about 45 ms, so only the summaries not in it are encoded.
    """
    header = json.dumps(
        {"format": INDEX_FORMAT, "count": len(summaries), "columns": INDEX_COLUMNS, "checked_ns": checked_ns},
        separators=(",", ":"),
    )
    encode = _ROW_ENCODER.encode
    known = rows or {}
    lines = b",\n".join(known.get(s.id) or encode(_ROW(s)).encode("utf-8") for s in summaries)
    return f'{header[:-1]},"{INDEX_TABLE}":[\n'.encode() + lines + b"\n]}\n"


def _index_rows(raw: bytes, ids: set[str]) -> dict[str, bytes]:
    """The encoded rows of an index file (as `encode_index` wrote them), by id, for `ids`.

    One row per line, each starting with its id as a JSON string: an id with an escape in it (never
    one the store makes) is left out, and encoded again.
    """
    if not ids:
        return {}
    found = {}
    for line in raw.split(b"\n")[1:]:
        if not line.startswith(b'["'):
            continue  # the last line: the end of the list and of the object
        end = line.find(b'"', 2)
        key = line[2:end]
        if end < 0 or b"\\" in key:
            continue
        session_id = key.decode("utf-8", "replace")
        if session_id in ids:
            found[session_id] = line[:-1] if line.endswith(b",") else line
    return found


def _unchanged(summary: SessionSummary, st: os.stat_result, trusted_before: int) -> bool:
    """Whether a file is still as its index row says, judged from a stat alone.

    A save replaces the file (a new inode, a new ctime: the rename sets it) and the size and mtime
    usually change too. But a file clock can be coarse (a tick of milliseconds, or 2 s on FAT),
    and a freed inode is handed out again: two saves within one tick can leave the same inode,
    size and times. So a row is trusted only when the file had not changed for RACY_NS before the
    row was taken (the "racy" rule git uses for its index); a more recent one is read again, once.
    A file an older facilitator found "newer" is read again each time, so that an upgrade opens it.
    """
    return (
        summary.inode == st.st_ino
        and summary.mtime_ns == st.st_mtime_ns
        and summary.size == st.st_size
        and summary.ctime_ns == st.st_ctime_ns
        and summary.ctime_ns < trusted_before
        and summary.mtime_ns < trusted_before
        and summary.status != "newer"
    )


@contextmanager
def _folder_stat(folder: Path) -> Iterator[Callable[[str], os.stat_result]]:
    """`stat(name)` for names in `folder`: relative to an open handle on the folder where the
    system allows it (10% faster over 10,000 files than resolving the whole path each time)."""
    if os.stat in os.supports_dir_fd:
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            fd = None
        if fd is not None:
            try:
                yield functools.partial(os.stat, dir_fd=fd)
            finally:
                os.close(fd)
            return
    prefix = os.path.join(folder, "")
    yield lambda name: os.stat(prefix + name)


# The types of an index row's values, as the store writes them (joint_index: None, or a number).
_ROW_TYPES = tuple((str,) * 7 + (list,) + (jt,) + (str,) * 3 + (int,) * 4 for jt in (type(None), float, int))
_ROW_SHAPES = frozenset(_ROW_TYPES)
_STATUSES = frozenset(("ok", "damaged", "newer"))
_TEXT_COLUMNS = (0, 1, 2, 3, 4, 5, 6, 9, 10, 11)
_WHOLE_COLUMNS = (12, 13, 14, 15)


def _valid_row(row: Any) -> bool:
    """Whether an index row holds values of the kinds the store writes: a hand-edited or hostile
    index (a text where the index number goes, a NaN, a partner that is not text) must not reach
    the list's formatting. Built to cost about a microsecond: every listing checks every row."""
    try:
        return (
            tuple(map(type, row)) in _ROW_SHAPES
            and row[2] in _STATUSES
            and (row[8] is None or 0 <= row[8] <= 100)  # NaN fails this too
            and "".join(row[7]) is not None
        )  # TypeError unless every partner is text
    except TypeError:
        return False


def _summary_from_row(row: Any) -> SessionSummary | None:
    """A summary from an index row, or None when the row is not one this store wrote."""
    if not _valid_row(row):
        return None
    return SessionSummary(*row)


def _valid_rows(rows: list[Any]) -> list[Any]:
    """The rows of an index that `_valid_row` accepts. Checked column by column in C first (about
    a tenth of the time a row-by-row check takes: a listing of 10,000 sessions checks them all);
    only an index with something wrong in it is checked row by row, to keep the good rows."""
    try:
        if set(map(type, rows)) <= {list} and set(map(len, rows)) <= {len(INDEX_COLUMNS)}:
            columns = list(zip(*rows)) or [()] * len(INDEX_COLUMNS)
            # str.join refuses anything but text, sum anything but numbers (TypeError): in C.
            for i in _TEXT_COLUMNS:
                "".join(columns[i])
            for i in _WHOLE_COLUMNS:
                sum(columns[i])
            "".join(chain.from_iterable(columns[7]))
            numbers = [value for value in columns[8] if value is not None]
            # NaN and Infinity never get this far: the index is parsed by strict_json.
            if (
                set(map(type, columns[7])) <= {list}
                and set(columns[2]) <= _STATUSES
                and (not numbers or 0 <= min(numbers) <= max(numbers) <= 100)
            ):
                return rows
    except TypeError:  # a partner that is not text, say
        pass
    return list(filter(_valid_row, rows))


def summarise(session: Session) -> dict[str, Any]:
    from facilitator.domain.content import UnknownChecklistVersion, load_checklist
    from facilitator.domain.scoring import joint_index

    try:
        index = joint_index(session, load_checklist(session.checklist_version))
    except UnknownChecklistVersion:
        index = None
    return {
        "alliance": session.alliance,
        "kind": session.kind,
        "date": session.date,
        "partners": [p.name for p in session.partners],
        "joint_index": index,
        "saved_at": session.saved_at,
        "follows": session.follows,
        "facilitator": session.facilitator,
    }


LINKS_FORMAT = 2  # 2: with the code's salt, and a token shared with the kept listing
# What a summary is made from: a copy made by other code (an upgrade) is not used.
_SALTED_BY = ("store.py", "model.py", "migrations.py", "scoring.py", "content/__init__.py", "content/checklist-*.toml")


def _code_salt() -> str:
    """Changes with the source of what makes a summary (`_SALTED_BY`)."""
    import glob
    import hashlib

    digest = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for pattern in _SALTED_BY:
        for path in sorted(glob.glob(os.path.join(here, pattern))):
            try:
                with open(path, "rb") as handle:
                    digest.update(handle.read())
            except OSError:
                return ""
    return digest.hexdigest()[:16]


def _links_cache(data_dir: Path, kind: str = "links") -> str | None:
    """Where `SessionStore.links()` keeps its copy for this data folder (kind "listings": where
    `listing_json()` keeps its text), or None where it cannot.

    `$XDG_CACHE_HOME/facilitator/<kind>` (else `~/.cache/...`), private (0700), and used only when
    it is ours and nobody else can write to it, like the compiled report templates.
    """
    import hashlib

    from facilitator.base.user_cache import private_cache_folder

    folder = private_cache_folder(kind)
    if folder is None:
        return None
    try:
        key = os.path.abspath(os.fspath(data_dir)).encode("utf-8", "surrogateescape")
    except (OSError, ValueError):
        return None
    return os.path.join(folder, hashlib.sha256(key).hexdigest()[:32])


MAX_LINKS_FILES = 16  # data folders whose links and listing are kept; the least recently written go first


def _write_links(path: str, data: tuple[Any, ...]) -> None:
    import marshal

    from facilitator.base.user_cache import prune, write_quietly

    # Version 2: without the references of later versions, twice as fast to write.
    if write_quietly(path, marshal.dumps(data, 2)):
        prune(os.path.dirname(path), MAX_LINKS_FILES)


def _kept_listing(path: str, token: bytes) -> str | None:
    """The listing kept with the links' copy whose token is `token`, else None."""
    import marshal

    try:
        with open(path, "rb") as handle:
            version, kept_token, text = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if version != LINKS_FORMAT or kept_token != token or type(text) is not str:
        return None
    return text


def default_data_dir() -> Path:
    """The per-user data folder: the same wherever the app is started from.

    `$XDG_DATA_HOME/facilitator/sessions`, else `~/.local/share/facilitator/sessions` (the XDG
    base directory rules: a relative XDG_DATA_HOME is ignored); on Windows under %LOCALAPPDATA%.
    """
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "facilitator" / "sessions"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "facilitator" / "sessions"


def _path_below(path: Path, folder_id: tuple[int, int]) -> tuple[str, ...] | None:
    """The parts of `path` below the folder whose (device, inode) is `folder_id`, or None."""
    parts: list[str] = []
    current = path
    while current.parent != current:
        parts.insert(0, current.name)
        current = current.parent
        try:
            st = os.stat(current)
        except OSError:
            continue  # a folder that does not exist (yet) is not the data folder
        if (st.st_dev, st.st_ino) == folder_id:
            return tuple(parts)
    return None


def _owned_kind(parts: tuple[str, ...]) -> str | None:
    """What a path below the data folder is, when the store owns it (see `check_output_path`)."""
    first = parts[0].lower()  # a case-insensitive file system takes TRASH for trash
    if len(parts) > 1:
        if first == TRASH:
            return "in the trash"
        if first.endswith(BALLOTS_SUFFIX):
            return "a remote participant's ballot"
        return None
    if first == INDEX_FILE:
        return "the session index"
    if first.endswith(SESSION_SUFFIX):
        return "a session file"
    if first.endswith(".bak"):
        return "a session's backup"
    if first.endswith(LOCK_SUFFIX):
        return "a session's lock file"
    if first.startswith(".") or first in (TRASH,) or first.endswith(BALLOTS_SUFFIX):
        return "a file the app keeps"
    return None


def resolve_data_dir(cli_value: str | None = None) -> Path:
    """--data-dir, else FACILITATOR_DATA_DIR, else the per-user folder; always absolute, so that
    what is shown (and what a lock names) does not depend on where the app was started."""
    value = cli_value or os.environ.get("FACILITATOR_DATA_DIR")
    folder = Path(value).expanduser() if value else default_data_dir()
    return Path(os.path.abspath(folder))


def earlier_default_folder(data_dir: Path) -> Path | None:
    """`./sessions` when it holds sessions and is not `data_dir`: earlier versions saved there by
    default, so a facilitator whose sessions seem gone is told where they are."""
    folder = Path(os.path.abspath("sessions"))
    if folder == Path(os.path.abspath(data_dir)) or not folder.is_dir():
        return None
    try:
        return (
            folder
            if any(path.suffix == SESSION_SUFFIX and path.name != INDEX_FILE for path in folder.iterdir())
            else None
        )
    except OSError:
        return None


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
            private_folder(self.data_dir, parents=True, ours=False)
        except OSError as error:
            raise StorageError(f"Cannot create the data folder {self.data_dir}: {error.strerror or error}.") from None
        sweep_orphans(self.data_dir)
        self._ready = True

    def check_output_path(self, path: Path | str) -> None:
        """Refuse (InvalidInput) an export or dump written over a file the data folder owns.

        Owned: in the folder itself, session files and the index (`*.json`), migration backups
        (`*.bak`), locks (`*.lock`), temporary and hidden files; anything in `trash/` or in a
        `<id>.ballots/` folder. Other files there (an export next to the sessions) are the user's.
        The path is taken as given and with every symbolic link resolved, and each folder above it
        is compared with the data folder as a file (same device and inode), so `../sessions/x.json`,
        a link to the folder or another spelling of it are all recognised.
        """
        try:
            folder = os.stat(self.data_dir)
        except OSError:
            return  # no data folder: nothing in it to protect
        given = Path(os.path.abspath(os.path.expanduser(os.fspath(path))))
        for candidate in (given, Path(os.path.realpath(given))):
            inside = _path_below(candidate, (folder.st_dev, folder.st_ino))
            what = _owned_kind(inside) if inside else None
            if what:
                raise InvalidInput(
                    f"{path} is {what} in the data folder {self.data_dir}: writing there "
                    f"would destroy it. Choose another file."
                )

    def holds(self, path: Path | str) -> bool:
        """Whether `path` (as given, or with its links resolved) is inside the data folder."""
        try:
            folder = os.stat(self.data_dir)
        except OSError:
            return False
        given = Path(os.path.abspath(os.path.expanduser(os.fspath(path))))
        return any(
            _path_below(candidate, (folder.st_dev, folder.st_ino)) is not None
            for candidate in (given, Path(os.path.realpath(given)))
        )

    def path_for(self, session_id: str) -> Path:
        return session_file(self.data_dir, session_id)

    def lock_path(self, session_id: str) -> Path:
        return lock_file(self.data_dir, session_id)

    def _session_lock(self, session_id: str) -> SessionLock:
        from facilitator.storage.locking import SessionLock  # only to write: listing and exporting do without it

        return SessionLock(self.lock_path(session_id), session_id, self.program)

    def _session_files(self) -> dict[str, os.DirEntry[str]]:
        try:
            entries = list(os.scandir(self.data_dir))
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise StorageError(f"Cannot read the data folder {self.data_dir}: {error.strerror or error}.") from None
        cut = -len(SESSION_SUFFIX)
        return {
            name[:cut]: e
            for e in entries
            if (name := e.name).endswith(SESSION_SUFFIX) and name != INDEX_FILE and name[0] != "." and e.is_file()
        }

    def ids(self) -> list[str]:
        return sorted(self._session_files())

    # -- listing -----------------------------------------------------------------------------

    def summaries(self) -> list[SessionSummary]:
        """Every session file's summary, newest date first; damaged files included as such."""
        with self._lock:
            checked_ns = time.time_ns()  # before any stat: see RACY_NS
            names = self._session_names()
            cached, trusted_before, raw = self._read_index()
            result, changed = self._check_summaries(names, cached, trusted_before)
            listed = result[:]
            result.sort(key=_SORT_KEY, reverse=True)
            # The index is kept newest first (its head is the first screenful): also rewrite it
            # when only the order changed (an edited date, an index written by an older version).
            if changed or len(cached) != len(result) or any(map(operator.is_not, listed, result)):
                kept = {s.id for s in result if cached.get(s.id) is s}  # rows still as the index has them
                self._write_index(result, checked_ns, _index_rows(raw, kept))
        return result

    def _session_names(self) -> set[str]:
        """The ids of the `<id>.json` names in the folder. Names only (no stat per entry, as scandir's
        is_file() would cost): the stat each listed file gets anyway tells a file from a folder."""
        try:
            names = os.listdir(self.data_dir)
        except FileNotFoundError:
            return set()
        except OSError as error:
            raise StorageError(f"Cannot read the data folder {self.data_dir}: {error.strerror or error}.") from None
        cut = -len(SESSION_SUFFIX)
        return {name[:cut] for name in names if name.endswith(SESSION_SUFFIX) and name[0] != "." and name != INDEX_FILE}

    def _check_summaries(
        self, names: set[str], cached: dict[str, SessionSummary], trusted_before: int
    ) -> tuple[list[SessionSummary], bool]:
        """The index's summary of each file still as it was (see `_unchanged`), others read again."""
        result: list[SessionSummary] = []
        append = result.append
        changed = False
        with _folder_stat(self.data_dir) as stat:
            # In the index's order (newest first): when nothing changed, the sort is one pass.
            for session_id, hit in cached.items():
                if session_id not in names:
                    changed = True  # deleted since the index was written
                    continue
                try:
                    st = stat(session_id + SESSION_SUFFIX)
                except OSError:
                    changed = True  # deleted or moved since the folder was read
                    continue
                # _unchanged(hit, st, trusted_before), inlined: this runs for every file.
                if (
                    hit.inode == st.st_ino
                    and hit.mtime_ns == st.st_mtime_ns
                    and hit.size == st.st_size
                    and hit.ctime_ns == st.st_ctime_ns
                    and hit.ctime_ns < trusted_before
                    and hit.mtime_ns < trusted_before
                    and hit.status != "newer"
                ):
                    append(hit)
                    continue
                changed = True
                if stat_module.S_ISREG(st.st_mode):
                    summary = self._summarise_file(session_id, st)
                    if summary is not None:
                        append(summary)
            for session_id in names.difference(cached):  # not in the index: new since it was written
                changed = True
                try:
                    st = stat(session_id + SESSION_SUFFIX)
                except OSError:
                    continue
                if stat_module.S_ISREG(st.st_mode):
                    summary = self._summarise_file(session_id, st)
                    if summary is not None:
                        append(summary)
        return result, changed

    def links(self) -> dict[str, tuple[str, str, str, str]]:
        """What the alliance history needs of every session file: id -> (status, alliance, follows,
        problem), exactly as `summaries()` would give them now.

        `summaries()` parses the whole index (3.3 MB at 10,000 sessions) to answer this; here the
        answer is kept in the user's cache folder (`_links_cache`), a compact copy with each file's
        stamp, and checked the same way: the folder listed, every file stat'ed, and used only when
        the same names are there and every file is still as its row says (see `_unchanged`, the
        racy rule included). Anything else (a file added, removed, saved or edited in place since)
        falls back on `summaries()`, whose answer is kept for the next time.
        """
        with self._lock:
            cache = _links_cache(self.data_dir)
            if cache is not None:
                kept = self._checked_links(cache)
                if kept is not None:
                    return {row[0]: row[5:] for row in kept[0]}
            checked_ns = time.time_ns()
            summaries = self.summaries()
            if cache is not None:
                self._keep(cache, summaries, checked_ns)
            return {s.id: (s.status, s.alliance, s.follows, s.problem) for s in summaries}

    def listing_json(self) -> str:
        """The text of `facilitator list --json`: `summaries_json(self.summaries())`.

        A script that lists a large folder again and again gets it without the index being parsed
        and 10,000 entries formatted again: the text is kept in the user's cache folder with a
        token it shares with the links' copy (see `links`), and used only when that copy is still
        good (every file stat'ed) and was written with this very text.
        """
        with self._lock:
            cache = _links_cache(self.data_dir)
            listing = _links_cache(self.data_dir, "listings")
            if cache is not None and listing is not None:
                kept = self._checked_links(cache)
                text = _kept_listing(listing, kept[1]) if kept is not None else None
                if text is not None:
                    return text
            checked_ns = time.time_ns()
            summaries = self.summaries()
            text = summaries_json(summaries)
            if cache is not None and listing is not None:
                token = self._keep(cache, summaries, checked_ns)
                _write_links(listing, (LINKS_FORMAT, token, text))
            return text

    def _keep(self, cache: str, summaries: list[SessionSummary], checked_ns: int) -> bytes:
        """Keep the links' copy; returns its token (new each time: a listing kept with an earlier
        copy no longer matches)."""
        token = os.urandom(16)
        rows = [
            (s.id, s.inode, s.size, s.mtime_ns, s.ctime_ns, s.status, s.alliance, s.follows, s.problem)
            for s in summaries
        ]
        _write_links(cache, (LINKS_FORMAT, _code_salt(), os.fspath(self.data_dir), checked_ns - RACY_NS, token, rows))
        return token

    def _checked_links(self, cache: str) -> tuple[list[tuple[Any, ...]], bytes] | None:
        """The links' rows and token, if every file is still as its row says; else None."""
        import marshal

        try:
            with open(cache, "rb") as handle:
                data = marshal.loads(handle.read())
            version, salt, folder, trusted_before, token, rows = data
            if (
                version != LINKS_FORMAT
                or salt != _code_salt()
                or folder != os.fspath(self.data_dir)
                or type(trusted_before) is not int
                or type(token) is not bytes
                or type(rows) is not list
            ):
                return None
            names = self._session_names()
            if len(names) != len(rows):
                return None
            seen = set()
            with _folder_stat(self.data_dir) as stat:
                for session_id, inode, size, mtime_ns, ctime_ns, *texts in rows:
                    if session_id not in names or session_id in seen:
                        return None
                    seen.add(session_id)
                    st = stat(session_id + SESSION_SUFFIX)
                    if not (
                        st.st_ino == inode
                        and st.st_mtime_ns == mtime_ns
                        and st.st_size == size
                        and st.st_ctime_ns == ctime_ns
                        and ctime_ns < trusted_before
                        and mtime_ns < trusted_before
                    ):
                        return None
                    if len(texts) != 4 or any(type(v) is not str for v in texts) or texts[0] == "newer":
                        return None  # a "newer" file is read again each time (see `_unchanged`)
        except (OSError, EOFError, ValueError, TypeError, StorageError):
            return None
        return rows, token

    def cached_head(self, limit: int) -> tuple[list[SessionSummary], int] | None:
        """The newest `limit` summaries as the index has them, and how many it holds; None without one.

        For a first screenful at once: only the head of the index is parsed, and each summary is
        checked against its file (see `_unchanged`), so none is stale; files added or changed
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
            header = strict_json.loads(lines[0][: -len(b',"summaries":[')] + b"}")
            if header.get("columns") != list(INDEX_COLUMNS):
                return None
            trusted_before = int(header["checked_ns"]) - RACY_NS
            rows = []
            for line in lines[1 : limit + 1]:
                row = line.rstrip(b",")
                if not row.startswith(b"["):
                    break  # the end of the list
                rows.append(row)
            rows = strict_json.loads(b"[" + b",".join(rows) + b"]") if rows else []
            result = []
            folder = os.fspath(self.data_dir)
            for row in rows:
                summary = _summary_from_row(row)
                if summary is None:
                    return None
                try:
                    st = os.stat(os.path.join(folder, summary.id + SESSION_SUFFIX))
                except OSError:
                    continue
                if _unchanged(summary, st, trusted_before):
                    result.append(summary)
            return result, int(header["count"])
        except (ValueError, TypeError, KeyError, RecursionError):
            return None

    def _summarise_file(self, session_id: str, st: os.stat_result) -> SessionSummary | None:
        summary = SessionSummary(
            id=session_id,
            file=f"{session_id}{SESSION_SUFFIX}",
            size=st.st_size,
            mtime_ns=st.st_mtime_ns,
            inode=st.st_ino,
            ctime_ns=st.st_ctime_ns,
        )
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

    def _read_index(self) -> tuple[dict[str, SessionSummary], int, bytes]:
        """The index's summaries by id, the time before which a row's stamp can be trusted, and
        the index's bytes (their rows are written again as they are; see `encode_index`)."""
        try:
            raw = (self.data_dir / INDEX_FILE).read_bytes()
            return (*self._parse_index(raw), raw)
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            return {}, 0, b""  # the index is only a cache: rebuild it

    @staticmethod
    def _parse_index(raw: bytes) -> tuple[dict[str, SessionSummary], int]:
        data = strict_json.loads(raw)
        if (
            not isinstance(data, dict)
            or data.get("format") != INDEX_FORMAT
            or data.get("columns") != list(INDEX_COLUMNS)
            or not isinstance(data.get(INDEX_TABLE), list)
        ):
            return {}, 0
        trusted_before = int(data["checked_ns"]) - RACY_NS
        # A row of another shape fails here (TypeError) and the index is rebuilt; one of the
        # right length but odd values cannot match its file's stamp, so that file is read again.
        summaries = list(starmap(SessionSummary, _valid_rows(data[INDEX_TABLE])))
        return {s.id: s for s in summaries}, trusted_before

    def _write_index(
        self, summaries: list[SessionSummary], checked_ns: int | None = None, rows: dict[str, bytes] | None = None
    ) -> None:
        """Write the index; `checked_ns`: a time before the files were stat'ed (default: now);
        `rows`: rows of the index as it was, by id, for the summaries it still had right."""
        if not self.data_dir.is_dir():
            return
        try:
            # Private whatever an older version left: it names alliances, partners, facilitators.
            atomic_write_bytes(
                self.data_dir / INDEX_FILE,
                encode_index(summaries, checked_ns or time.time_ns(), rows),
                mode=PRIVATE_FILE,
            )
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
        if (
            wanted.isascii()
            and wanted.replace("-", "").isalnum()
            and wanted == wanted.lower()
            and wanted + SESSION_SUFFIX != INDEX_FILE
            and os.path.isfile(self.path_for(wanted))
        ):
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
            tables = AtomicJSONStorage(path, read_only=True).read()
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
        from facilitator.domain.model import Session
        from facilitator.storage.migrations import migrate

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
        from facilitator.storage.locking import live_holder

        holder = live_holder(self.lock_path(session_id))
        return None if holder is None else holder.describe()

    # -- writing -----------------------------------------------------------------------------

    def new_id(self, alliance: str, date: str) -> str:
        from facilitator.domain.validation import slugify

        base = f"{slugify(alliance, 'alliance')}-{date}"
        taken = set(self.ids())
        if self.data_dir.joinpath(TRASH).is_dir():
            taken |= {p.name[: -len(SESSION_SUFFIX)] for p in self.data_dir.joinpath(TRASH).glob(f"*{SESSION_SUFFIX}")}
        candidate, n = base, 2
        while candidate in taken or self.lock_path(candidate).exists():
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def open(self, id_or_prefix: str) -> OpenSession:
        """Open a session for writing: takes its lock, migrates an old file on disk (keeping a .bak)."""
        with self._lock:
            self.ensure_folder()
            session_id = self.resolve(id_or_prefix)
            lock = self._session_lock(session_id).acquire()
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
                    lock = self._session_lock(session.id).acquire()
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
            raise StorageError(
                f"Could not back up {path.name} before updating it: "
                f"{error.strerror or error}. The file is left as it was."
            ) from None
        return backup

    def _write(self, session: Session) -> str:
        """Write one session's file. Returns the saved_at stamp recorded in it."""
        session.saved_at = self._write_document(session.to_dict(), session.id)
        return session.saved_at

    def _write_document(self, doc: dict[str, Any], session_id: str) -> str:
        from facilitator.domain.model import now_iso

        saved_at = now_iso()
        doc = {**doc, "id": session_id, "saved_at": saved_at}
        # The file is the TinyDB database {"session": {"1": doc}}, replaced whole in one atomic
        # write: the bytes TinyDB's upsert wrote, without its read-modify-write of the tables.
        AtomicJSONStorage(self.path_for(session_id)).write({SESSION_TABLE: {"1": doc}})
        return saved_at

    def import_document(self, doc: Any, replace: bool = False) -> Session:
        """Import a dumped session after validating it fully. Nothing is written if it is refused."""
        from facilitator.domain.model import Session
        from facilitator.storage.migrations import migrate

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
            with self._session_lock(session.id):
                exists = self.path_for(session.id).exists()  # again, now that no one else can write it
                if exists and not replace:
                    raise self._exists(session.id)
                if exists:
                    self._move_to_trash(session.id, copy=True)
                self._write(session)
        return session

    @staticmethod
    def _exists(session_id: str) -> InvalidInput:
        return InvalidInput(
            f"Session {session_id} already exists; add --replace to overwrite it (the current one is kept in {TRASH}/)."
        )

    def delete(self, session_id: str) -> Path:
        """Move a session to the trash folder. Refused while another process has it open."""
        with self._lock:
            session_id = self.resolve(session_id)
            with self._session_lock(session_id):
                target = self._move_to_trash(session_id)
                self._move_companions_to_trash(session_id, target)
                return target

    def _move_companions_to_trash(self, session_id: str, target: Path) -> None:
        """What belongs to a deleted session goes with it: its migration backup and remote ballots.

        They take the trashed file's name (`<name>.bak`, `<name-without-.json>.ballots`), so a
        session deleted twice keeps each one's companions apart. Best effort: the session itself
        is already in the trash, and a companion left behind harms nothing.
        """
        companions = [
            (self.data_dir / f"{session_id}{SESSION_SUFFIX}.bak", target.with_name(target.name + ".bak")),
            (ballots_dir(self.data_dir, session_id), target.with_name(target.stem + BALLOTS_SUFFIX)),
        ]
        for source, destination in companions:
            if source.exists() and not destination.exists():
                try:
                    os.replace(source, destination)
                except OSError:
                    pass

    def _move_to_trash(self, session_id: str, copy: bool = False) -> Path:
        trash = self.data_dir / TRASH
        source = self.path_for(session_id)
        target = trash / source.name
        n = 2
        while target.exists():
            target = trash / f"{session_id}.{n}{SESSION_SUFFIX}"
            n += 1
        try:
            private_folder(trash)
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

    def save(self, document: dict[str, Any] | None = None) -> str:
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
