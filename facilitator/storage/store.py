"""The session store: one TinyDB file per session, plus an index of summaries.

The data folder's files (see `layout`): `<id>.json` holds one session (`session_file`); saving
rewrites only its own file, atomically, so a kill at any moment leaves the last full save.
`index.json` caches each file's summary (`index_file`), `<id>.lock` names the process that has
the session open for writing (`locking`), `trash/` receives deleted and replaced sessions
(`trash`): nothing is ever erased. A damaged or foreign file is reported by name and left exactly
as it is.

The store is thread-safe (one lock around disk work), since the TUI saves from a worker thread.
The model, the checklist, the migrations and the locks are imported only when a session file is
actually read or written, so that listing from the index (the TUI's start, `list`) does not pay
for them.
"""

from __future__ import annotations

import operator
import os
import stat as stat_module
import threading
import time
from collections.abc import Callable, Sequence
from itertools import repeat
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
from facilitator.base.terminal_text import json_shown
from facilitator.storage import index_file
from facilitator.storage.atomic import folder_of_another_user, private_folder, sweep_orphans
from facilitator.storage.data_folder import inside_folder, owned_path
from facilitator.storage.index_file import folder_stat, read_head
from facilitator.storage.layout import (
    INDEX_FILE,
    SESSION_SUFFIX,
    TRASH,
    UNREACHABLE_LINK,
    lock_file,
    session_file,
    session_id_of,
    trash_dir,
)
from facilitator.storage.listing_cache import cache_path
from facilitator.storage.open_session import OpenSession
from facilitator.storage.summaries import SORT_KEY, SessionSummary, summaries_json, summarise
from facilitator.storage.trash import keep_backup, move_companions_to_trash, move_to_trash

if TYPE_CHECKING:
    from tinydb import TinyDB

    from facilitator.domain.model import Session
    from facilitator.storage.file_stamps import PendingStamps
    from facilitator.storage.kept_folder import FolderCopy
    from facilitator.storage.locking import SessionLock
    from facilitator.storage.session_file import SessionFile
    from facilitator.storage.session_query import SessionFilter

# An entry `<id>.json` that is a link leading nowhere (a drive not connected) or round in a loop:
# its stamps as a failed stat gives them (`file_stamps`).
UNREACHABLE = -1


# Files read again to patch the kept copy (`_kept`); more, and the index is brought up to date and
# the copy made again from it (each file read again costs a few milliseconds).
MAX_PATCHED = 64


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A regular file (through links); False for a link that leads nowhere or round in a loop."""
    try:
        return entry.is_file()
    except OSError:
        return False


class SessionStore:
    def __init__(self, data_dir: Path | str, program: str = "facilitator") -> None:
        self.data_dir = Path(data_dir).expanduser()
        self.program = program
        self.disk_lock = threading.RLock()
        self._ready = False
        self._prepared: tuple[int, FolderCopy | None, PendingStamps | None] | None = None  # prepare_listing()

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
        owner = folder_of_another_user(self.data_dir)
        if owner:
            # Its owner could remove, swap or lock the sessions in it, whatever the files' modes.
            raise StorageError(
                f"The data folder {self.data_dir} {owner}: its owner could remove or swap your sessions. "
                "Use a folder of your own (--data-dir, or FACILITATOR_DATA_DIR)."
            )
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
        what = owned_path(self.data_dir, path)
        if what:
            raise InvalidInput(
                f"{path} is {what} in the data folder {self.data_dir}: writing there "
                f"would destroy it. Choose another file."
            )

    def holds(self, path: Path | str) -> bool:
        """Whether `path` (as given, or with its links resolved) is inside the data folder."""
        return inside_folder(self.data_dir, path)

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
            if (name := e.name).endswith(SESSION_SUFFIX) and name != INDEX_FILE and name[0] != "." and _is_file(e)
        }

    def trashed(self, session_id: str) -> bool:
        """Whether a session of this id was moved to the trash (deleted, or replaced by a load).
        Only an id the store gives is looked for: a `follows` from a shared file may hold a path
        (which would tell its sender whether a file exists elsewhere) or 300 characters."""
        if not is_session_id(session_id):
            return False
        try:
            return session_file(trash_dir(self.data_dir), session_id).exists()
        except OSError:
            return False

    def ids(self) -> list[str]:
        return sorted(self._session_files())

    # -- listing -----------------------------------------------------------------------------

    def summaries(self, wanted: SessionFilter | None = None) -> list[SessionSummary]:
        """Every session file's summary that `wanted` finds (by default all), newest date first;
        damaged files included as such.

        The index (a TinyDB table, see `index_file`) is brought up to date first: each file still
        as its document says is taken as it is, the others are read again. Then `wanted` is run
        as a TinyDB query on the table (`session_query`).
        """
        from facilitator.storage.index_file import INDEX_TABLE
        from facilitator.storage.index_table import CHECKED_DOC_ID, CHECKED_TABLE, keys, open_index

        with self.disk_lock:
            checked_ns = time.time_ns()  # before any stat: see RACY_NS
            names = self.session_names()
            with open_index(self.data_dir) as index:
                table = index.table(INDEX_TABLE)
                checked = index.table(CHECKED_TABLE).get(doc_id=keys([CHECKED_DOC_ID])[0])
                trusted_before = checked["checked_ns"] - index_file.RACY_NS if checked else 0
                # One document at a time (iterating the table), not a list of 10,000 copies at once.
                cached = {s.id: s for s in map(SessionSummary.from_document, table)}
                result, changed = self._check_summaries(names, cached, trusted_before)
                listed = result[:]
                result.sort(key=SORT_KEY, reverse=True)
                # The index is kept newest first (its head is the first screenful): also rewrite it
                # when only the order changed (an index edited by hand, say).
                if changed or len(cached) != len(result) or any(map(operator.is_not, listed, result)):
                    self._update_index(index, cached, result, checked_ns)
                if wanted:
                    from facilitator.storage.session_query import session_query  # only to filter

                    found = table.search(session_query(wanted))
                    return sorted(map(SessionSummary.from_document, found), key=SORT_KEY, reverse=True)
        return result

    @staticmethod
    def _update_index(
        index: TinyDB, cached: dict[str, SessionSummary], result: list[SessionSummary], checked_ns: int
    ) -> None:
        """Bring the index's table to `result`: the documents of files gone or changed removed, the
        new ones inserted, and the time of the check, in one write (when `index` is closed)."""
        from facilitator.storage.index_file import INDEX_TABLE
        from facilitator.storage.index_table import CHECKED_DOC_ID, CHECKED_TABLE, keyed, keys

        kept = {s.id for s in result if cached.get(s.id) is s}
        table = index.table(INDEX_TABLE)
        table.remove(doc_ids=keys(session_id for session_id in cached if session_id not in kept))
        table.insert_multiple(keyed(s.to_document(), s.id) for s in result if s.id not in kept)
        index.table(CHECKED_TABLE).upsert(keyed({"checked_ns": checked_ns}, CHECKED_DOC_ID))

    def session_names(self) -> set[str]:
        """The ids of the `<id>.json` names in the folder. Names only (no stat per entry, as scandir's
        is_file() would cost): the stat each listed file gets anyway tells a file from a folder."""
        return {session_id for name in self.folder_entries() if (session_id := session_id_of(name)) is not None}

    def folder_entries(self) -> set[str]:
        """The names of everything in the folder, sessions or not (see `layout.session_id_of`)."""
        try:
            return set(os.listdir(self.data_dir))
        except FileNotFoundError:
            return set()
        except OSError as error:
            raise StorageError(f"Cannot read the data folder {self.data_dir}: {error.strerror or error}.") from None

    def _check_summaries(
        self, names: set[str], cached: dict[str, SessionSummary], trusted_before: int
    ) -> tuple[list[SessionSummary], bool]:
        """The index's summary of each file still as it was (see `_unchanged`), others read again."""
        result: list[SessionSummary] = []
        append = result.append
        changed = False
        with folder_stat(self.data_dir) as stat:
            # In the index's order (newest first): when nothing changed, the sort is one pass.
            for session_id, hit in cached.items():
                if session_id not in names:
                    changed = True  # deleted since the index was written
                    continue
                try:
                    st = stat(session_id + SESSION_SUFFIX)
                except OSError:
                    if hit.inode == UNREACHABLE and hit.status == "damaged":
                        append(hit)  # still a link that leads nowhere: said so already
                        continue
                    changed = True  # deleted or moved since the folder was read, or a link broken
                    summary = self._summarise_entry(session_id, stat)
                    if summary is not None:
                        append(summary)
                    continue
                # index_file.unchanged(hit, st, trusted_before), inlined: this runs for every file.
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
                summary = self._summarise_entry(session_id, stat, st)
                if summary is not None:
                    append(summary)
            for session_id in names.difference(cached):  # not in the index: new since it was written
                changed = True
                summary = self._summarise_entry(session_id, stat)
                if summary is not None:
                    append(summary)
        return result, changed

    def links(self) -> dict[str, tuple[str, str, str, str]]:
        """What the alliance history needs of every session file: id -> (status, alliance, follows,
        problem), exactly as `summaries()` would give them now (from the kept copy: `_kept`)."""
        kept = self._kept()
        if kept is None:
            return {s.id: (s.status, s.alliance, s.follows, s.problem) for s in self.summaries()}
        return kept.links()

    def listing_json(self) -> str:
        """The text of `facilitator list --json`: `summaries_json(self.summaries())`, with the
        controls a terminal would act on escaped (`json_shown`: the same data for a parser)."""
        return str(b"".join(self.listing_parts()), "utf-8", "surrogatepass")

    def listing_parts(self) -> Sequence[bytes | memoryview]:
        """`listing_json()` as UTF-8, from the kept copy (`_kept`) without decoding it: the parts
        to write one after the other."""
        kept = self._kept()
        if kept is None:
            return [json_shown(summaries_json(self.summaries())).encode("utf-8", "surrogatepass")]
        return kept.listing()

    def prepare_listing(self) -> None:
        """Start checking the kept copy (`_kept`) now, for `links()` or the listing a little later:
        the files are stat'ed by a child process meanwhile, where that is worth it (`file_stamps`)."""
        with self.disk_lock:
            self._prepared = self._begin_check()

    def _begin_check(self) -> tuple[int, FolderCopy | None, PendingStamps | None] | None:
        # Imported here: a session's export, and the app's start, need none of the kept copy.
        from facilitator.storage.file_stamps import PendingStamps
        from facilitator.storage.kept_folder import read as read_kept

        path = cache_path(self.data_dir)
        if path is None:
            return None
        checked_ns = time.time_ns()  # before any stat: see RACY_NS
        kept = read_kept(path, os.fspath(self.data_dir))
        if kept is None:
            return checked_ns, None, None
        names = kept.file_names()
        return checked_ns, kept, PendingStamps(os.fspath(self.data_dir), names)

    def _kept(self) -> FolderCopy | None:
        """What the user's cache keeps of this folder (`kept_folder`), brought up to date.

        A script that lists a large folder again and again, and the alliance history, get their
        answer without the index being parsed (3.3 MB at 10,000 sessions) and 10,000 entries
        formatted again: the folder is listed, every file stat'ed, and the copy used for every file
        still as its stamp says. A few files changed (a session saved, added or deleted): only
        those are read again, and the copy patched. More, or no usable copy: the summaries are
        made through the index and kept for the next time. None where nothing can be kept (no
        cache folder).
        """
        with self.disk_lock:
            begun, self._prepared = self._prepared or self._begin_check(), None
            if begun is None:
                return None
            checked_ns, kept, pending = begun
            path, folder = cache_path(self.data_dir), os.fspath(self.data_dir)
            trusted_before = checked_ns - index_file.RACY_NS
            if kept is not None and pending is not None and path is not None:
                if pending.in_child:
                    # While a child stats the files, import what reading a changed one needs (a
                    # file just saved): about 35 ms, otherwise spent after the stat'ing.
                    from facilitator.storage import session_file  # noqa: F401
                    from facilitator.storage.summaries import prepare_summarise

                    prepare_summarise()
                entries = self.folder_entries()
                now = pending.result()
                stale, added = kept.changes(entries, now)
                if not stale and not added:
                    return kept
                if len(stale) + len(added) <= MAX_PATCHED:
                    changed = {kept.ids[row] for row in stale if kept.ids[row] + SESSION_SUFFIX in entries} | added
                    with folder_stat(self.data_dir) as stat:
                        fresh = [s for s in map(self._summarise_entry, sorted(changed), repeat(stat)) if s is not None]
                    try:
                        copy = kept.patched(stale, fresh, trusted_before)
                    except (ValueError, TypeError, KeyError):  # a copy that does not add up
                        copy = None
                    if copy is not None:
                        # Written only when that spares the next check some work: a file read again
                        # that is trusted now, or a row dropped. A file saved in the last RACY_NS is
                        # read again next time whatever is kept, so a copy patched for such files
                        # alone (just after a save) is not written (8 MB, 8 ms, at 10,000 sessions).
                        if len(copy.distrusted) < len(fresh) or len(fresh) < len(stale) + len(added):
                            copy.write(path, folder)
                        return copy
            from facilitator.storage.kept_folder import copy_of

            copy = copy_of(self.summaries(), trusted_before)
            if path is not None:
                copy.write(path, folder)
            return copy

    def _summarise_entry(
        self, session_id: str, stat: Callable[[str], os.stat_result], st: os.stat_result | None = None
    ) -> SessionSummary | None:
        """The summary of the folder's entry `<id>.json` (`st`: its stat, when taken already): the
        session file read, or a damaged one naming what stands there instead (a folder, a FIFO, a
        link to a drive not connected), so that the list says where a session went. None: gone."""
        name = session_id + SESSION_SUFFIX
        if st is None:
            try:
                st = stat(name)
            except OSError:
                if not os.path.islink(self.data_dir / name):
                    return None  # deleted since the folder was read
                # The stamps a stat that fails gives in the kept copy (`file_stamps`): the entry
                # then counts as unchanged until the link is mended or removed.
                return SessionSummary(
                    id=session_id, file=name, status="damaged", problem=UNREACHABLE_LINK,
                    size=UNREACHABLE, mtime_ns=UNREACHABLE, inode=UNREACHABLE, ctime_ns=UNREACHABLE,
                )  # fmt: skip
        if stat_module.S_ISREG(st.st_mode):
            return self._summarise_file(session_id, st)
        what = "a folder" if stat_module.S_ISDIR(st.st_mode) else "not a plain file (a FIFO or a device)"
        return SessionSummary(
            id=session_id, file=name, status="damaged", problem=f"it is {what}, not a session file",
            size=st.st_size, mtime_ns=st.st_mtime_ns, inode=st.st_ino, ctime_ns=st.st_ctime_ns,
        )  # fmt: skip

    def cached_head(self, limit: int) -> tuple[list[SessionSummary], int] | None:
        """The newest `limit` summaries as the index has them, and how many it holds (see `read_head`)."""
        return read_head(self.data_dir, limit)

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
        except NewerSchema as error:  # its message names the file, which the listing names already
            summary.status, summary.problem = "newer", str(error).removeprefix(f"{summary.file}: ")
        except SessionDamaged as error:
            summary.status, summary.problem = "damaged", error.reason
        else:
            for key, value in summarise(session).items():
                setattr(summary, key, value)
        return summary

    # -- reading -----------------------------------------------------------------------------

    def resolve(self, id_or_prefix: str) -> str:
        """The id of the one session whose id is, or starts with, the given text."""
        wanted = (id_or_prefix or "").strip()
        if not wanted:
            raise InvalidInput("Give a session id (or the start of one); `facilitator list` shows them.")
        # A whole id (as the store names files: lower-case letters, digits, dashes) needs no reading
        # of a folder of 10,000 names.
        if is_session_id(wanted) and os.path.lexists(self.path_for(wanted)):
            # A file, or whatever stands in its place (the list shows it as damaged): `show` then
            # says what is there, and `delete` can move it to the trash.
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

    def _read_session(self, session_id: str, file: SessionFile | None = None) -> tuple[Session, bool]:
        """The session in its file (through `file`, when the caller keeps it open), and whether it
        was migrated from an older schema on the way."""
        from facilitator.storage.session_file import SessionFile, StoredFileError  # TinyDB: only to read a file

        path = self.path_for(session_id)
        try:
            doc = (file or SessionFile(path, read_only=True)).read()
        except StoredFileError as error:
            raise SessionDamaged(path, str(error)) from None
        except OSError as error:
            raise SessionDamaged(path, f"it cannot be read ({error.strerror or error})") from None
        if doc is None:
            raise SessionNotFound(f"No session '{session_id}' in {self.data_dir}.")
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

    def load_exact(self, session_id: str) -> Session:
        """The session whose id is exactly `session_id`: no prefix matched, no folder listed. For
        a `follows` link, which names one file or none (and, from a file someone shared, may name
        anything: only a name the store could have given is looked for)."""
        if not is_session_id(session_id):
            raise SessionNotFound(f"No session '{session_id}' in {self.data_dir}.")
        with self.disk_lock:
            session, _migrated = self._read_session(session_id)
            return session

    def load(self, id_or_prefix: str) -> Session:
        """Read a session for viewing or export. Older schemas are migrated in memory only."""
        with self.disk_lock:
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
        # Every `<id>.json` name is taken, whatever it is: a link to a stick not plugged in, a
        # folder or a FIFO too (a new session would replace the link, or never find a free id).
        taken = self.session_names()
        if self.data_dir.joinpath(TRASH).is_dir():
            taken |= {p.name[: -len(SESSION_SUFFIX)] for p in self.data_dir.joinpath(TRASH).glob(f"*{SESSION_SUFFIX}")}
        candidate, n = base, 2
        while candidate in taken or os.path.lexists(self.lock_path(candidate)):
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def open(self, id_or_prefix: str) -> OpenSession:
        """Open a session for writing: takes its lock, migrates an old file on disk (keeping a .bak)."""
        with self.disk_lock:
            self.ensure_folder()
            session_id = self.resolve(id_or_prefix)
            lock = self._session_lock(session_id).acquire()
            file = session_file_for(self.path_for(session_id))
            try:
                session, migrated = self._read_session(session_id, file)
                if migrated:
                    # The backup is complete on disk before the file is replaced: a kill at any
                    # moment leaves the old file (and perhaps its backup) or the migrated one.
                    keep_backup(self.path_for(session_id))
                    self.write_session(session, file)
            except BaseException:
                lock.release()
                raise
            return OpenSession(self, session, lock, file)

    def create(self, session: Session) -> OpenSession:
        """Give a new session its id (from alliance and date) and save it, holding its lock."""
        with self.disk_lock:
            self.ensure_folder()
            for _attempt in range(20):
                session.id = self.new_id(session.alliance, session.date)
                try:
                    lock = self._session_lock(session.id).acquire()
                except SessionLocked:
                    continue  # another process is creating the same id right now
                if os.path.lexists(self.path_for(session.id)):
                    lock.release()  # another process created and closed it meanwhile
                    continue
                file = session_file_for(self.path_for(session.id))
                try:
                    self.write_session(session, file)
                except BaseException:
                    lock.release()
                    raise
                return OpenSession(self, session, lock, file)
            raise StorageError(f"Could not find a free id for {session.alliance} on {session.date}.")

    def write_session(self, session: Session, file: SessionFile) -> str:
        """Write one session's file. Returns the saved_at stamp recorded in it."""
        session.saved_at = self.write_document(session.to_dict(), session.id, file)
        return session.saved_at

    def write_document(self, doc: dict[str, Any], session_id: str, file: SessionFile) -> str:
        from facilitator.domain.model import now_iso

        saved_at = now_iso()
        file.write({**doc, "id": session_id, "saved_at": saved_at})
        return saved_at

    def import_document(self, doc: Any, replace: bool = False) -> Session:
        """Import a dumped session after validating it fully. Nothing is written if it is refused."""
        from facilitator.domain.model import Session
        from facilitator.storage.migrations import migrate

        doc = _session_in_file(doc)
        try:
            doc, _migrated = migrate(doc)
            session = Session.from_dict(doc)
        except InvalidSession as error:
            raise InvalidSession(f"not a valid session: {error}") from None
        except NewerSchema as error:
            raise NewerSchema(f"not imported: {error}") from None
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError) as error:
            raise InvalidSession(f"not a valid session ({type(error).__name__}).") from None
        if self.path_for(session.id).name == INDEX_FILE:
            raise InvalidSession(
                f"not imported: the id '{session.id}' names the data folder's index; give it another id."
            )
        with self.disk_lock:
            self.ensure_folder()
            # lexists: a link that leads nowhere is a session's name too (a stick not plugged in).
            if os.path.lexists(self.path_for(session.id)) and not replace:
                raise self._exists(session.id)
            with self._session_lock(session.id):
                exists = os.path.lexists(self.path_for(session.id))  # again, now that no one else can write it
                if exists and not replace:
                    raise self._exists(session.id)
                if exists:
                    move_to_trash(self.data_dir, session.id, copy=True)
                self.write_session(session, session_file_for(self.path_for(session.id)))
        return session

    @staticmethod
    def _exists(session_id: str) -> InvalidInput:
        return InvalidInput(
            f"Session {session_id} already exists; add --replace to overwrite it (the current one is kept in {TRASH}/)."
        )

    def delete(self, session_id: str) -> Path:
        """Move a session to the trash folder. Refused while another process has it open."""
        with self.disk_lock:
            session_id = self.resolve(session_id)
            with self._session_lock(session_id):
                target = move_to_trash(self.data_dir, session_id)
                move_companions_to_trash(self.data_dir, session_id, target)
                return target


def is_session_id(text: str) -> bool:
    """Whether `text` is an id as the store names files: lower-case letters, digits and dashes."""
    return (
        bool(text)
        and text.isascii()
        and text.replace("-", "").isalnum()
        and text == text.lower()
        and text + SESSION_SUFFIX != INDEX_FILE
    )


def session_file_for(path: Path) -> SessionFile:
    """The session's file opened for writing, through TinyDB (imported only when a file is written)."""
    from facilitator.storage.session_file import SessionFile

    return SessionFile(path)


def _session_in_file(doc: Any) -> Any:
    """The session document itself, given a dump or a session file (a TinyDB database whose table
    "session" holds one document): a colleague's session file loads like a dump."""
    from facilitator.storage.session_file import SESSION_TABLE

    if isinstance(doc, dict) and "schema_version" not in doc:
        table = doc.get(SESSION_TABLE)
        if isinstance(table, dict) and len(table) == 1:
            return next(iter(table.values()))
    return doc
