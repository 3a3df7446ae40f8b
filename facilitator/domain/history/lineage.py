"""A session's own line: the sessions it follows, link by link, read from a store.

What a document shows of the past (the agreement's version, the scorecard's trend and cadence, the
exit triggers over the reviews running) is this line, not the whole alliance the History screen
shows. A session that only shares the alliance's name (a practice run, a namesake, a file someone
shared) has no say in a document the sponsors sign or a board reads.

Reading it opens only those files, one per link: an export takes as long in a folder of 10,000
sessions as in a folder of ten (the alliance's timeline needs a look at every file). Only where a
link is broken (a session missing, damaged, trashed or newer) is the alliance's timeline read
instead: the sessions before the gap can then be found only by the alliance's name.
"""

from __future__ import annotations

from typing import Protocol

from facilitator.base.errors import FacilitatorError, NewerSchema, SessionDamaged, SessionNotFound
from facilitator.domain.history.timeline import Gap, Timeline, TimelineStore, load_timeline, problem_reason
from facilitator.domain.model import Session
from facilitator.domain.validation import name_key


class _Store(TimelineStore, Protocol):  # what load_lineage needs (facilitator.storage.store.SessionStore)
    def load_exact(self, session_id: str) -> Session: ...


def load_lineage(store: _Store, session: Session) -> Timeline:
    """`session` and the sessions it follows, oldest first, as a timeline focused on it.

    A `follows` link to a session that is missing, trashed, damaged or newer ends the line there,
    as a `Gap` the document reports; so does a link to another alliance's session (its data never
    reaches this alliance's documents, and the alliance's timeline is then not read either). A
    loop (a file someone edited) ends it at the first repeat.
    """
    line, gaps = [session], []
    seen, foreign = {session.id}, False
    current = session
    while current.follows and current.follows not in seen:
        wanted = current.follows
        try:
            earlier = store.load_exact(wanted)
        except SessionNotFound:
            if store.trashed(wanted):
                gaps.append(Gap(wanted, current.id, "unreadable", "it was moved to the trash folder"))
            else:
                gaps.append(Gap(wanted, current.id, "missing", "it is not in the data folder"))
            break
        except NewerSchema as error:
            reason = problem_reason("newer", str(error).removeprefix(f"{wanted}.json: "))
            gaps.append(Gap(wanted, current.id, "unreadable", reason))
            break
        except SessionDamaged as error:
            gaps.append(Gap(wanted, current.id, "unreadable", problem_reason("damaged", error.reason)))
            break
        if name_key(earlier.alliance) != name_key(session.alliance):  # read the same: the same alliance
            # Another client's session (a mistaken or hostile link in a shared file): none of its
            # scores or text may reach this alliance's documents.
            foreign = True
            gaps.append(Gap(wanted, current.id, "unreadable", "it belongs to another alliance"))
            break
        seen.add(earlier.id)
        line.append(earlier)
        current = earlier
    line.reverse()
    if gaps and not foreign:
        try:
            return load_timeline(store, session.id, current=session)
        except FacilitatorError:
            pass  # the line as far as it goes
    return Timeline(alliance=session.alliance, sessions=line, gaps=gaps, focus=session.id)
