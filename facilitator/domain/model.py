"""The session model: what a meeting records, as plain dataclasses.

Pure Python, no I/O. `Session.to_dict()` gives the JSON document the store saves and `dump` writes;
`Session.from_dict()` validates such a document fully (a foreign or hostile file is refused with
the path of the first bad field) before anything uses it. The checks of single values are in
`validation` and `score_values`, the reader that applies them field by field in `document_reader`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from facilitator.base.errors import InvalidInput, InvalidSession
from facilitator.domain.agreement_items import ActionItem, Decision, Measure, Role, SponsorMeeting
from facilitator.domain.agreement_terms import AgreementTerms, EscalationStep, ExitTrigger, GovernanceBody
from facilitator.domain.document_reader import DocumentReader
from facilitator.domain.records import field, record
from facilitator.domain.score_values import (
    DONT_KNOW,
    NOT_APPLICABLE,
    ScoreValue,
    check_score,
    check_vote_score,
    is_numeric_score,
    mean_score,
)
from facilitator.domain.validation import (
    MAX_CHECKLIST_VERSION,
    MAX_COMMENT,
    MAX_ELAPSED_SECONDS,
    MAX_PARTNERS,
    MAX_VOTERS,
    clip,
    name_key,
)

# What other modules take from here. The agreement's rows and the meeting's lists have a module of
# their own, but they are the session's dataclasses as much as the ones below: importable from here.
__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "ActionItem",
    "AgendaState",
    "AgreementTerms",
    "EscalationStep",
    "ExitTrigger",
    "GovernanceBody",
    "CarriedOver",
    "Decision",
    "Measure",
    "Partner",
    "PointRecord",
    "Role",
    "SectionDraft",
    "Session",
    "SponsorMeeting",
    "Vote",
    "now_iso",
    "text_digest",
]

SCHEMA_VERSION = 2

KINDS = ("kickoff", "review")


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# The parts of a session


@record
class Partner:
    """A partner organisation of the alliance: its sponsors and the people in the room."""

    key: str
    name: str
    sponsors: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    # For the agreement a sponsor signs: the organisation's name in law ("Northwind Logistics
    # S.L."), and the person who signs for it with their title. Empty until the room gives them.
    legal_name: str = ""
    signatory: str = ""
    signatory_title: str = ""

    @property
    def signing_name(self) -> str:
        """The name the agreement's parties table and signature block use."""
        return self.legal_name or self.name

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "sponsors": list(self.sponsors),
            "participants": list(self.participants),
        }
        # Only when given: the documents of sessions saved before these fields stay as they were.
        for key, value in (
            ("legal_name", self.legal_name),
            ("signatory", self.signatory),
            ("signatory_title", self.signatory_title),
        ):
            if value:
                data[key] = value
        return data

    @staticmethod
    def read(r: DocumentReader) -> Partner:
        return Partner(
            key=r.name("key"),
            name=r.name("name"),
            sponsors=r.strings("sponsors"),
            participants=r.strings("participants"),
            legal_name=r.optional_name("legal_name"),
            signatory=r.optional_name("signatory"),
            signatory_title=r.optional_name("signatory_title"),
        )


@record
class Vote:
    """One person's score for a point, sent from their own device (see `facilitator.remote`)."""

    name: str
    score: int | str
    comment: str = ""
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "comment": self.comment, "at": self.at}

    @staticmethod
    def read(r: DocumentReader) -> Vote:
        comment = r.text("comment")
        if len(comment) > MAX_COMMENT:
            raise InvalidSession(f"{r.path}.comment: too long ({len(comment):,} characters).")
        return Vote(
            name=r.name("name"),
            score=check_vote_score(r.get("score", (int, str, float)), f"{r.path}.score"),
            comment=comment,
            at=r.text("at"),
        )


@record
class PointRecord:
    """One checklist point in one session: the partners' scores and what the room said.

    `scores` holds one score per partner: typed in the room, or, when people scored from their own
    devices, the mean of that partner's `votes` (partner key -> participant id -> Vote).
    """

    scores: dict[str, ScoreValue] = field(default_factory=dict)  # partner key -> score
    revealed: bool = False
    agreed: int | None = None  # the room's agreed score, once it settles on one
    notes: str = ""
    votes: dict[str, dict[str, Vote]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = {"scores": dict(self.scores), "revealed": self.revealed, "agreed": self.agreed, "notes": self.notes}
        if self.votes:  # most sessions are scored in the room: keep their documents as they were
            data["votes"] = {
                partner: {pid: vote.to_dict() for pid, vote in by_person.items()}
                for partner, by_person in self.votes.items()
            }
        return data

    @staticmethod
    def read(r: DocumentReader) -> PointRecord:
        scores_reader = r.child("scores")
        scores = {str(k): check_score(v, f"{scores_reader.path}.{k}") for k, v in scores_reader.data.items()}
        agreed = r.get("agreed", (int, type(None)), None)
        if agreed is not None and not 0 <= agreed <= 4:
            raise InvalidSession(f"{r.path}.agreed: {agreed} is not a score from 0 to 4.")
        votes_reader = r.child("votes")
        votes: dict[str, dict[str, Vote]] = {}
        for partner_key, by_person in votes_reader.data.items():
            person_reader = DocumentReader(by_person, f"{votes_reader.path}.{partner_key}")
            if len(person_reader.data) > MAX_VOTERS:
                raise InvalidSession(f"{person_reader.path}: too many people ({len(person_reader.data)}).")
            votes[str(partner_key)] = {
                str(pid): Vote.read(DocumentReader(v, f"{person_reader.path}.{pid}"))
                for pid, v in person_reader.data.items()
            }
        return PointRecord(
            scores=scores, revealed=r.get("revealed", bool, False), agreed=agreed, notes=r.text("notes"), votes=votes
        )

    def score_from_votes(self, partner_key: str) -> ScoreValue | None:
        """The partner's score from its people's votes: their mean, leaving '?' and 'n/a' out.

        None when nobody of that partner has voted; '?' or 'n/a' when nobody gave a number.
        """
        votes = list(self.votes.get(partner_key, {}).values())
        if not votes:
            return None
        numbers = [vote.score for vote in votes if is_numeric_score(vote.score)]
        if numbers:
            return mean_score(sum(numbers) / len(numbers))
        return NOT_APPLICABLE if all(vote.score == NOT_APPLICABLE for vote in votes) else DONT_KNOW


@record
class CarriedOver:
    """What a section was when a follow-up review took it over: agreed or not, endorsed by whom, at
    which session, and a digest of its text then (so the review can tell whether it changed since)."""

    date: str
    kind: str = "kickoff"
    agreed: bool = False
    endorsed_by: list[str] = field(default_factory=list)  # partner keys
    text_digest: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "kind": self.kind,
            "agreed": self.agreed,
            "endorsed_by": list(self.endorsed_by),
            "text_digest": self.text_digest,
        }

    @staticmethod
    def read(r: DocumentReader) -> CarriedOver:
        return CarriedOver(
            date=r.date("date"),
            kind=r.choice("kind", KINDS, "kickoff"),
            agreed=r.get("agreed", bool, False),
            endorsed_by=r.strings("endorsed_by"),
            text_digest=r.text("text_digest"),
        )


def text_digest(text: str) -> str:
    """A short fingerprint of a section's text, ignoring whitespace at its ends."""
    import hashlib

    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


@record
class SectionDraft:
    """The room's draft of one agreement section, whether it is agreed, and who endorsed it.

    `carried` is set in a follow-up review: what the section was at the session before.
    """

    text: str = ""
    agreed: bool = False
    endorsed_by: list[str] = field(default_factory=list)  # partner keys
    carried: CarriedOver | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"text": self.text, "agreed": self.agreed, "endorsed_by": list(self.endorsed_by)}
        if self.carried is not None:  # only reviews have it: other documents stay as they were
            data["carried"] = self.carried.to_dict()
        return data

    @staticmethod
    def read(r: DocumentReader) -> SectionDraft:
        carried = CarriedOver.read(r.child("carried")) if r.get("carried", (dict, type(None)), None) else None
        return SectionDraft(
            text=r.text("text"),
            agreed=r.get("agreed", bool, False),
            endorsed_by=r.strings("endorsed_by"),
            carried=carried,
        )

    @property
    def carried_unchanged(self) -> bool:
        """Carried over from the session before, and its text not changed since."""
        return self.carried is not None and self.carried.text_digest == text_digest(self.text)


@record
class AgendaState:
    """Where the meeting is: the current step, time spent per step, the point on screen."""

    step: str = "welcome"
    elapsed: dict[str, float] = field(default_factory=dict)  # step key -> seconds
    timebox: dict[str, int] = field(default_factory=dict)  # step key -> minutes, when changed from the default
    current_point: int = 0  # index into the checklist
    current_section: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "elapsed": dict(self.elapsed),
            "timebox": dict(self.timebox),
            "current_point": self.current_point,
            "current_section": self.current_section,
        }

    @staticmethod
    def read(r: DocumentReader) -> AgendaState:
        elapsed = {}
        for key, value in r.child("elapsed").data.items():
            # NaN and Infinity compare false with everything: only an explicit range check keeps
            # them (and 1e308, which the clock cannot format) out.
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (0 <= value <= MAX_ELAPSED_SECONDS)
            ):
                raise InvalidSession(
                    f"{r.path}.elapsed.{key}: expected a number of seconds "
                    f"(0 to {MAX_ELAPSED_SECONDS:,}), found {clip(repr(value))}."
                )
            elapsed[str(key)] = float(value)
        timebox = {}
        for key, value in r.child("timebox").data.items():
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 60:
                raise InvalidSession(f"{r.path}.timebox.{key}: expected minutes.")
            timebox[str(key)] = value
        return AgendaState(
            step=r.text("step") or "welcome",
            elapsed=elapsed,
            timebox=timebox,
            current_point=r.position("current_point"),
            current_section=r.position("current_section"),
        )


# --------------------------------------------------------------------------------------------
# The session


@record
class Session:
    """One meeting of an alliance: partners, scores, the agreement draft, actions and the agenda."""

    id: str
    alliance: str
    partners: list[Partner]
    date: str
    kind: str = "kickoff"
    facilitator: str = ""
    follows: str = ""  # id of the previous session of the same alliance
    checklist_version: int = 1
    points: dict[str, PointRecord] = field(default_factory=dict)  # checklist point key -> record
    sections: dict[str, SectionDraft] = field(default_factory=dict)  # agreement section key -> draft
    measures: list[Measure] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    tasks: list[ActionItem] = field(default_factory=list)  # the agreement's joint work plan
    actions: list[ActionItem] = field(default_factory=list)  # action items raised in the meeting
    sponsor_meetings: list[SponsorMeeting] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    next_meeting: str = ""
    terms: AgreementTerms = field(default_factory=AgreementTerms)  # version, dates, governance, exit
    agenda: AgendaState = field(default_factory=AgendaState)
    created_at: str = field(default_factory=now_iso)
    saved_at: str = ""
    # Top-level fields another program keeps in the document (a CRM's id, say): not read here,
    # written back as they came, so that saving the session in the room does not drop them.
    kept_fields: dict[str, Any] = field(default_factory=dict)

    # -- convenience -------------------------------------------------------------------------

    def partner(self, key: str) -> Partner | None:
        return next((p for p in self.partners if p.key == key), None)

    def partner_name(self, key: str) -> str:
        partner = self.partner(key)
        return partner.name if partner else (key or "Joint")

    def point(self, key: str) -> PointRecord:
        """The record for a checklist point, created empty on first use."""
        return self.points.setdefault(key, PointRecord())

    def section(self, key: str) -> SectionDraft:
        return self.sections.setdefault(key, SectionDraft())

    def set_score(self, point_key: str, partner_key: str, value: ScoreValue | None) -> None:
        if self.partner(partner_key) is None:
            raise InvalidInput(f"No partner '{partner_key}' in this session.")
        record = self.point(point_key)
        if value is None:
            record.scores.pop(partner_key, None)
        else:
            record.scores[partner_key] = check_vote_score(value, "score")  # typed in the room: whole scores only

    # -- documents ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.kept_fields,  # first: a field of ours always wins
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "alliance": self.alliance,
            "kind": self.kind,
            "date": self.date,
            "facilitator": self.facilitator,
            "follows": self.follows,
            "checklist_version": self.checklist_version,
            "partners": [p.to_dict() for p in self.partners],
            "points": {k: v.to_dict() for k, v in self.points.items()},
            "sections": {k: v.to_dict() for k, v in self.sections.items()},
            "measures": [m.to_dict() for m in self.measures],
            "roles": [r.to_dict() for r in self.roles],
            "tasks": [t.to_dict() for t in self.tasks],
            "actions": [a.to_dict() for a in self.actions],
            "sponsor_meetings": [m.to_dict() for m in self.sponsor_meetings],
            "decisions": [d.to_dict() for d in self.decisions],
            "next_meeting": self.next_meeting,
            **({"terms": self.terms.to_dict()} if not self.terms.empty else {}),  # older documents as they were
            "agenda": self.agenda.to_dict(),
            "created_at": self.created_at,
            "saved_at": self.saved_at,
        }

    @staticmethod
    def from_dict(data: Any) -> Session:
        """Validate a current-schema document (see `migrations` for older ones) and build a Session."""
        r = DocumentReader(data, "")
        version = r.get("schema_version", int)
        if version != SCHEMA_VERSION:
            raise InvalidSession(f"schema_version {version} is not {SCHEMA_VERSION}; migrate it first.")
        partners = r.items("partners", Partner.read)
        if len(partners) < 2:
            raise InvalidSession("partners: a session needs at least two partner organisations.")
        if len(partners) > MAX_PARTNERS:
            raise InvalidSession(f"partners: at most {MAX_PARTNERS} partner organisations.")
        keys = [p.key for p in partners]
        if len(set(keys)) != len(keys):
            raise InvalidSession("partners: two partners share the same key.")
        named: dict[str, int] = {}
        for index, partner in enumerate(partners):
            # Two partners that read the same would take each other's endorsements, roles and
            # scores in the room (a shared file); the app never makes such a roster.
            first = named.setdefault(name_key(partner.name), index)
            if first != index:
                raise InvalidSession(
                    f"partners[{index}].name: '{clip(partner.name)}' reads the same as partners[{first}]'s name."
                )
        points_reader = r.child("points")
        points = {str(k): PointRecord.read(DocumentReader(v, f"points.{k}")) for k, v in points_reader.data.items()}
        sections_reader = r.child("sections")
        sections = {
            str(k): SectionDraft.read(DocumentReader(v, f"sections.{k}")) for k, v in sections_reader.data.items()
        }
        session_id = r.name("id")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,80}", session_id):
            raise InvalidSession(f"id: '{session_id}' is not a session id (lower-case letters, digits, dashes).")
        return Session(
            id=session_id,
            alliance=r.name("alliance"),
            kind=r.choice("kind", KINDS, "kickoff"),
            date=r.date("date"),
            facilitator=r.text("facilitator"),
            follows=r.text("follows"),
            checklist_version=r.whole("checklist_version", 1, MAX_CHECKLIST_VERSION, 1),
            partners=partners,
            points=points,
            sections=sections,
            measures=r.items("measures", Measure.read),
            roles=r.items("roles", Role.read),
            tasks=r.items("tasks", ActionItem.read),
            actions=r.items("actions", ActionItem.read),
            sponsor_meetings=r.items("sponsor_meetings", SponsorMeeting.read),
            decisions=r.items("decisions", Decision.read),
            next_meeting=r.date("next_meeting", optional=True),
            terms=AgreementTerms.read(r.child("terms")),
            agenda=AgendaState.read(r.child("agenda")),
            created_at=r.text("created_at"),
            saved_at=r.text("saved_at"),
            kept_fields=foreign_fields(r.data),
        )


def foreign_fields(document: dict[str, Any]) -> dict[str, Any]:
    """The top-level fields of a session document that are not ours (another program's), less
    any that could not be saved again (a lone surrogate in a string would fail every save)."""
    kept = {}
    for key, value in document.items():
        if key in SESSION_FIELDS:
            continue
        try:
            json.dumps({key: value}, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, TypeError, ValueError):
            continue
        kept[key] = value
    return kept


# The top-level fields of a session document (`Session.to_dict`); any other is kept as it came.
SESSION_FIELDS = frozenset(
    (
        "schema_version", "id", "alliance", "kind", "date", "facilitator", "follows", "checklist_version",
        "partners", "points", "sections", "measures", "roles", "tasks", "actions", "sponsor_meetings",
        "decisions", "next_meeting", "terms", "agenda", "created_at", "saved_at",
    )
)  # fmt: skip
