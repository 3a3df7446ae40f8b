"""Errors a facilitator may see. Each carries one clear sentence; none should reach them as a traceback."""

from pathlib import Path


class FacilitatorError(Exception):
    """Base class: a problem to report to the user in one line (CLI exit code 1)."""


class InvalidInput(FacilitatorError):
    """A value typed or passed by the user is not acceptable (an empty name, a wrong date...)."""


class InvalidSession(FacilitatorError):
    """A session document does not have the expected shape."""


class SessionNotFound(FacilitatorError):
    """No session matches the id or prefix given."""


class SessionDamaged(FacilitatorError):
    """A session file exists but cannot be read; it is left untouched on disk."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name} cannot be opened: {reason}. The file is left untouched.")
        self.path = path
        self.reason = reason


class SessionLocked(FacilitatorError):
    """Another process holds the session; writing would overwrite its work."""


class NewerSchema(FacilitatorError):
    """The file was written by a newer version of facilitator: it may be read but not written."""


class StorageError(FacilitatorError):
    """Saving failed (disk full, folder read-only or gone). The data is still in memory."""


class ReportError(FacilitatorError):
    """A report could not be rendered (broken custom template, runaway template...)."""
