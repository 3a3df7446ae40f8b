"""The sessions of one alliance in order: linked by `follows`, plus the unlinked sessions of the
same alliance name; a link that cannot be followed is a `Gap`, not an error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

from facilitator.base.errors import FacilitatorError, InvalidInput, SessionNotFound
from facilitator.domain.model import Session
from facilitator.domain.records import field, record
from facilitator.domain.validation import name_key

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------------------------
# The timeline


# Read-only records are NamedTuples: Python builds them about eight times faster than frozen
# dataclasses, and short commands import this module (docs/benchmarks.md).


class Gap(NamedTuple):
    """A session the timeline refers to (by `follows`) but cannot use."""

    id: str
    referenced_by: str  # the session that follows it
    kind: str  # "missing" (no such file) or "unreadable" (damaged, newer, in the trash...)
    reason: str

    @property
    def label(self) -> str:
        """One short word for tight spaces: missing, damaged, newer or trashed."""
        if self.kind == "missing":
            return "missing"
        if "trash" in self.reason:
            return "trashed"
        return "newer" if "newer" in self.reason else "damaged"

    def describe(self) -> str:
        what = "is missing" if self.kind == "missing" else "cannot be read"
        return f"Session {self.id} (followed by {self.referenced_by}) {what}: {self.reason}"


@record
class Timeline:
    """The sessions of one alliance, oldest first, and the gaps in their `follows` links."""

    alliance: str
    sessions: list[Session]
    gaps: list[Gap] = field(default_factory=list)
    focus: str = ""  # the session asked for (the latest when an alliance was asked for)

    @property
    def latest(self) -> Session:
        return self.sessions[-1]

    def index_of(self, session_id: str) -> int | None:
        return next((i for i, s in enumerate(self.sessions) if s.id == session_id), None)

    @property
    def focus_index(self) -> int:
        index = self.index_of(self.focus)
        return len(self.sessions) - 1 if index is None else index

    def previous(self, session_id: str) -> Session | None:
        """The session just before this one in the timeline (None for the first)."""
        index = self.index_of(session_id)
        return self.sessions[index - 1] if index else None

    def gaps_before(self, session_id: str) -> list[Gap]:
        return [g for g in self.gaps if g.referenced_by == session_id]

    def with_session(self, session: Session) -> Timeline:
        """The same timeline with this version of a session (say the one open in the meeting)."""
        sessions = [s for s in self.sessions if s.id != session.id] + [session]
        gaps = [g for g in self.gaps if g.referenced_by != session.id]
        if session.follows and session.follows not in {s.id for s in sessions}:
            known = next((g for g in self.gaps if g.id == session.follows), None)
            gaps.append(
                known._replace(referenced_by=session.id)
                if known
                else Gap(session.follows, session.id, "missing", "it is not in the data folder")
            )
        return Timeline(self.alliance, _in_date_order(sessions), gaps, self.focus or session.id)

    def up_to(self, index: int) -> Timeline:
        kept = self.sessions[: index + 1]
        ids = {s.id for s in kept}
        return Timeline(self.alliance, kept, [g for g in self.gaps if g.referenced_by in ids], kept[-1].id)

    @staticmethod
    def single(session: Session) -> Timeline:
        """A timeline of one session, its history not looked up (no gaps are claimed)."""
        return Timeline(session.alliance, [session], [], session.id)


def _in_date_order(sessions: Iterable[Session]) -> list[Session]:
    return sorted(sessions, key=lambda s: (s.date, s.created_at, s.id))


def related_ids(records: Mapping[str, tuple[str, str]], start: Iterable[str]) -> set[str]:
    """The ids linked to `start`: by `follows` either way, or by the same alliance name.

    `records` maps each readable session id to (alliance name folded to lower case, follows).
    """
    members = {i for i in start if i in records}
    while True:
        names = {records[i][0] for i in members}
        followed = {records[i][1] for i in members}
        added = {
            rid
            for rid, (name, follows) in records.items()
            if rid not in members and (name in names or follows in members or rid in followed)
        }
        if not added:
            return members
        members |= added


def build_timeline(sessions: Iterable[Session], start: str, *, unreadable: Mapping[str, str] | None = None) -> Timeline:
    """The timeline of the alliance of `start` (a session id or an alliance name) among `sessions`.

    `unreadable` maps ids of session files that exist but cannot be read to the reason; a
    `follows` link to one of them, or to an id not there at all, becomes a `Gap`.
    """
    by_id = {s.id: s for s in sessions}
    unreadable = dict(unreadable or {})
    wanted = (start or "").strip()
    if wanted in by_id:
        start_ids, focus = {wanted}, wanted
    else:
        start_ids = {i for i, s in by_id.items() if name_key(s.alliance) == name_key(wanted)}
        focus = ""
        if not start_ids:
            raise SessionNotFound(f"No session or alliance '{wanted}'.")
    records = {i: (name_key(s.alliance), s.follows) for i, s in by_id.items()}
    members = _in_date_order(by_id[i] for i in related_ids(records, start_ids))
    ids = {s.id for s in members}
    gaps = []
    for session in members:
        if session.follows and session.follows not in ids:
            if session.follows in unreadable:
                gaps.append(Gap(session.follows, session.id, "unreadable", unreadable[session.follows]))
            else:
                gaps.append(Gap(session.follows, session.id, "missing", "it is not in the data folder"))
    latest = members[-1]
    return Timeline(alliance=latest.alliance, sessions=members, gaps=gaps, focus=focus or latest.id)


class TimelineStore(Protocol):  # what load_timeline needs of a store (facilitator.storage.store.SessionStore)
    def links(self) -> Mapping[str, tuple[str, str, str, str]]: ...

    def trashed(self, session_id: str) -> bool: ...

    def load(self, id_or_prefix: str) -> Session: ...

    def resolve(self, id_or_prefix: str) -> str: ...


def load_timeline(store: TimelineStore, id_or_alliance: str, *, current: Session | None = None) -> Timeline:
    """Read the timeline of a session (id, or unique start of one) or of an alliance (its name).

    Uses what the store knows of every session (its `links()`: status, alliance, follows,
    problem; else its summaries) to find the sessions involved, then loads only those. Damaged,
    newer-format, trashed or missing predecessors become gaps; only the session asked for must be
    readable. `current` replaces the stored copy of that session (the one open in a meeting).
    """
    wanted = (id_or_alliance or "").strip()
    if not wanted:
        raise InvalidInput("Give a session id or an alliance name; `facilitator list` shows them.")
    links = store.links()
    known: dict[str, tuple[str, str, str, str] | None] = dict(links)
    if current is not None and current.id not in known:
        known[current.id] = None  # a session not saved yet still has a history
    start = _resolve_start(store, wanted, known)
    link = known.get(start)
    if link is not None and link[0] != "ok":
        store.load(start)  # raises the file's own explanation (damaged, newer version)
    records = {i: (name_key(link[1]), link[2]) for i, link in links.items() if link[0] == "ok"}
    if current is not None:
        records[current.id] = (name_key(current.alliance), current.follows)
    start_ids = {start} if start in records else {i for i, (name, _f) in records.items() if name == name_key(start)}
    members = related_ids(records, start_ids)
    unreadable = {i: problem_reason(link[0], link[3]) for i, link in links.items() if link[0] != "ok"}
    sessions = []
    for session_id in sorted(members):
        if current is not None and session_id == current.id:
            sessions.append(current)
            continue
        try:
            sessions.append(store.load(session_id))
        except FacilitatorError as error:  # changed since it was listed
            if session_id == start:
                raise
            unreadable[session_id] = str(error)
    for session in sessions:
        if session.follows and session.follows not in known and store.trashed(session.follows):
            unreadable[session.follows] = "it was moved to the trash folder"
    if not sessions:
        raise SessionNotFound(f"No readable session of '{wanted}'.")
    return build_timeline(sessions, start, unreadable=unreadable)


def problem_reason(status: str, problem: str) -> str:
    """Why a session file cannot be used, as a gap says it (`status`: newer or damaged)."""
    if status == "newer":
        return f"it was saved by a newer facilitator ({problem})"
    return f"it is damaged ({problem})" if problem else "it is damaged"


def _resolve_start(store: TimelineStore, wanted: str, known: Mapping[str, tuple[str, str, str, str] | None]) -> str:
    """A session id, or an alliance name as stored, from what was typed.

    `known`: id -> (status, alliance, follows, problem), or None for a session not saved yet.
    """
    if wanted in known:
        return wanted
    folded = name_key(wanted)
    ok_alliances = [link[1] for link in known.values() if link is not None and link[0] == "ok"]
    names = {name_key(alliance): alliance for alliance in ok_alliances}
    if folded in names:
        return names[folded]
    prefixed = [i for i in known if i.startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    alliances = {link[1] for i in prefixed if (link := known[i]) is not None and link[0] == "ok"}
    if not prefixed:
        alliances = {alliance for alliance in ok_alliances if name_key(alliance).startswith(folded)}
    if len(alliances) == 1:
        return alliances.pop()
    if len(alliances) > 1:
        shown = ", ".join(sorted(alliances)[:5]) + (" ..." if len(alliances) > 5 else "")
        raise InvalidInput(f"'{wanted}' matches sessions of {len(alliances)} alliances ({shown}); type more of it.")
    if prefixed:
        return store.resolve(wanted)  # several damaged files: let the store explain
    raise SessionNotFound(f"No session or alliance '{wanted}'; `facilitator list` shows them.")
