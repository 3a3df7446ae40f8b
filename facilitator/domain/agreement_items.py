"""The agreement's rows and the meeting's lists: measures of success, roles, tasks and action
items, sponsor meetings, decisions. Each has an id of its own (`new_item_id`): the meeting's
tables find a row by it, not by its position.

Pure Python, no I/O; part of the session model (`model.Session` holds them, and they are
importable from `model` with its other dataclasses).
"""

from __future__ import annotations

from typing import Any

from facilitator.domain.document_reader import DocumentReader
from facilitator.domain.records import field, record

MEASURE_KINDS = ("economic", "relational")
ACTION_STATUSES = ("open", "done")
MEETING_MODES = ("in person", "remote")


def new_item_id() -> str:
    import uuid  # only to create: loading and exporting do without it

    return uuid.uuid4().hex[:8]


@record
class Measure:
    """A way the alliance measures its success: economic or relational, with a target and an owner."""

    name: str
    kind: str = "relational"  # economic | relational
    how_measured: str = ""
    target: str = ""
    owner: str = ""
    review_frequency: str = ""
    id: str = field(default_factory=new_item_id)
    # Offered by the app (the checklist's default measures), not yet kept by the room: shown as a
    # suggestion and left out of the agreement until the room keeps it (or edits it).
    suggested: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "how_measured": self.how_measured,
            "target": self.target,
            "owner": self.owner,
            "review_frequency": self.review_frequency,
        }
        if self.suggested:
            data["suggested"] = True
        return data

    @staticmethod
    def read(r: DocumentReader) -> Measure:
        return Measure(
            id=r.text("id") or new_item_id(),
            name=r.name("name"),
            kind=r.choice("kind", MEASURE_KINDS, "relational"),
            how_measured=r.text("how_measured"),
            target=r.text("target"),
            owner=r.text("owner"),
            review_frequency=r.text("review_frequency"),
            suggested=r.get("suggested", bool, False),
        )


@record
class Role:
    """Who does what for a partner (or jointly)."""

    partner: str  # partner key, or "" for a joint role
    person: str
    responsibility: str
    id: str = field(default_factory=new_item_id)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "partner": self.partner, "person": self.person, "responsibility": self.responsibility}

    @staticmethod
    def read(r: DocumentReader) -> Role:
        return Role(
            id=r.text("id") or new_item_id(),
            partner=r.text("partner"),
            person=r.text("person"),
            responsibility=r.text("responsibility"),
        )


@record
class ActionItem:
    """An action item from the meeting, or a task of the agreement's joint work plan."""

    text: str
    owner: str = ""
    partner: str = ""  # partner key, or "" for joint
    due: str = ""  # YYYY-MM-DD or ""
    status: str = "open"  # open | done
    point: str = ""  # linked checklist point key, or ""
    id: str = field(default_factory=new_item_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "owner": self.owner,
            "partner": self.partner,
            "due": self.due,
            "status": self.status,
            "point": self.point,
        }

    @staticmethod
    def read(r: DocumentReader) -> ActionItem:
        return ActionItem(
            id=r.text("id") or new_item_id(),
            text=r.text("text"),
            owner=r.text("owner"),
            partner=r.text("partner"),
            due=r.date("due", optional=True),
            status=r.choice("status", ACTION_STATUSES, "open"),
            point=r.text("point"),
        )


@record
class SponsorMeeting:
    """A sponsor meeting held or planned: its date, in person or remote, and notes."""

    date: str
    mode: str = "in person"  # in person | remote
    notes: str = ""
    id: str = field(default_factory=new_item_id)

    @property
    def in_person(self) -> bool:
        return self.mode == "in person"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "date": self.date, "mode": self.mode, "notes": self.notes}

    @staticmethod
    def read(r: DocumentReader) -> SponsorMeeting:
        return SponsorMeeting(
            id=r.text("id") or new_item_id(),
            date=r.date("date"),
            mode=r.choice("mode", MEETING_MODES, "in person"),
            notes=r.text("notes"),
        )


@record
class Decision:
    """A decision the room took, with its date."""

    text: str
    date: str = ""
    id: str = field(default_factory=new_item_id)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "date": self.date}

    @staticmethod
    def read(r: DocumentReader) -> Decision:
        return Decision(id=r.text("id") or new_item_id(), text=r.text("text"), date=r.date("date", optional=True))
