"""A session open for writing: the one holder of its lock saves it, through its `SessionFile`."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from facilitator.base.errors import SessionLocked

if TYPE_CHECKING:
    from facilitator.domain.model import Session
    from facilitator.storage.locking import SessionLock
    from facilitator.storage.session_file import SessionFile


class Writer(Protocol):
    """What an open session needs of its store (`store.SessionStore`)."""

    disk_lock: threading.RLock

    def write_session(self, session: Session, file: SessionFile) -> str: ...

    def write_document(self, doc: dict[str, Any], session_id: str, file: SessionFile) -> str: ...


class OpenSession:
    """A session open for writing: the in-memory Session, its lock, and `save()`."""

    def __init__(self, store: Writer, session: Session, lock: SessionLock, file: SessionFile) -> None:
        self.store = store
        self.session = session
        self.lock = lock
        self.file = file

    @property
    def id(self) -> str:
        return self.session.id

    def save(self, document: dict[str, Any] | None = None) -> str:
        """Save the session (or a snapshot of it taken on the UI thread). Returns the saved_at stamp."""
        if not self.lock.held:
            raise SessionLocked(f"Session {self.id} is closed; it can no longer be saved.")
        with self.store.disk_lock:
            if document is None:
                return self.store.write_session(self.session, self.file)
            # Always this session's own file, whatever id the snapshot carries.
            return self.store.write_document(document, self.id, self.file)

    def close(self) -> None:
        self.file.close()
        self.lock.release()

    def __enter__(self) -> OpenSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
