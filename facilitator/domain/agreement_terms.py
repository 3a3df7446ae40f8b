"""The terms of the agreement a sponsor signs: its version and dates, how the alliance is governed
(layers, escalation ladder, deadlock rule), and the criteria on which a partner may leave or the
agreement be renegotiated.

Pure Python, no I/O; part of the session model (`model.Session.terms`). A document without these
fields (every session saved before them) reads as empty terms, and empty terms are left out of
the document again, so those files stay as they were. What the terms say about a session and its
history (its version number, whether it is final, which triggers are hit) is in `agreement_checks`.
"""

from __future__ import annotations

from typing import Any

from facilitator.base.errors import InvalidInput, InvalidSession
from facilitator.domain.agreement_items import new_item_id
from facilitator.domain.document_reader import DocumentReader
from facilitator.domain.records import field, record
from facilitator.domain.validation import MAX_ITEMS, check_text, clean_line, clip

MAX_VERSION = 10_000
MAX_TERM = 200

# Exit and renegotiation triggers the app can check, each against figures it already computes.
TRIGGER_KINDS = ("joint-index-below", "partner-index-below", "sponsor-meetings-below")
CONSEQUENCES = ("renegotiate", "exit")
TRIGGER_KIND_LABELS = {
    "joint-index-below": "Joint index below a threshold",
    "partner-index-below": "A partner's index below a threshold",
    "sponsor-meetings-below": "Too few in-person sponsor meetings",
}
CONSEQUENCE_LABELS = {"renegotiate": "Renegotiate the agreement", "exit": "A partner may exit"}
# What a trigger's parameters may be: the threshold N (an index 0-100, or a number of meetings)
# and K, the number of health checks running it must hold at.
INDEX_RANGE = (0, 100)
MEETINGS_RANGE = (0, 52)
RUNNING_RANGE = (1, 20)


@record
class GovernanceBody:
    """One layer of the alliance's governance: who sits in it, how often it meets, what it decides."""

    layer: str
    who: str = ""
    how_often: str = ""
    decides: str = ""
    id: str = field(default_factory=new_item_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "layer": self.layer,
            "who": self.who,
            "how_often": self.how_often,
            "decides": self.decides,
        }

    @staticmethod
    def read(r: DocumentReader) -> GovernanceBody:
        return GovernanceBody(
            id=r.text("id") or new_item_id(),
            layer=r.name("layer"),
            who=r.plain_text("who"),
            how_often=r.plain_text("how_often"),
            decides=r.plain_text("decides"),
        )


@record
class EscalationStep:
    """One rung of the escalation ladder: who takes a disagreement up, and how long they have
    before it goes to the next rung. Its level is its place in the ladder (1 is the first)."""

    who: str
    time_limit: str = ""
    id: str = field(default_factory=new_item_id)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "who": self.who, "time_limit": self.time_limit}

    @staticmethod
    def read(r: DocumentReader) -> EscalationStep:
        return EscalationStep(
            id=r.text("id") or new_item_id(), who=r.name("who"), time_limit=r.plain_text("time_limit")
        )


@record
class ExitTrigger:
    """A criterion the app checks at every review, and what follows when it is met.

    - joint-index-below: the joint health index is below `threshold` at `running` health checks
      running (the last ones of the alliance, this session included);
    - partner-index-below: a partner's own index (`partner`, or any partner when empty) is below
      `threshold` at `running` health checks running;
    - sponsor-meetings-below: the sponsors met in person fewer than `threshold` times in the 12
      months up to the session.
    """

    kind: str
    threshold: int
    running: int = 1
    partner: str = ""  # partner key, for partner-index-below; "" is any partner
    consequence: str = "renegotiate"  # renegotiate | exit
    id: str = field(default_factory=new_item_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "threshold": self.threshold,
            "running": self.running,
            "partner": self.partner,
            "consequence": self.consequence,
        }

    def criterion(self, partner_name: str = "") -> str:
        """The criterion in words, as the agreement prints it; `partner_name` names the partner of
        a partner-index trigger ("" for any partner)."""
        running = "" if self.running == 1 else f" at {self.running} health checks running"
        if self.kind == "joint-index-below":
            return f"joint health index below {self.threshold}{running or ' at a health check'}"
        if self.kind == "partner-index-below":
            who = f"{partner_name}'s" if partner_name else "a partner's"
            return f"{who} own index below {self.threshold}{running or ' at a health check'}"
        times = {1: "once", 2: "twice"}.get(self.threshold, f"{self.threshold} times")
        return f"sponsors met in person fewer than {times} in 12 months"

    @property
    def consequence_label(self) -> str:
        return CONSEQUENCE_LABELS.get(self.consequence, self.consequence)

    @staticmethod
    def read(r: DocumentReader) -> ExitTrigger:
        kind = r.choice("kind", TRIGGER_KINDS)
        low, high = MEETINGS_RANGE if kind == "sponsor-meetings-below" else INDEX_RANGE
        return ExitTrigger(
            id=r.text("id") or new_item_id(),
            kind=kind,
            threshold=_required_whole(r, "threshold", low, high),
            running=r.whole("running", *RUNNING_RANGE, 1),
            partner=r.plain_text("partner"),
            consequence=r.choice("consequence", CONSEQUENCES, "renegotiate"),
        )


def _required_whole(r: DocumentReader, key: str, low: int, high: int) -> int:
    value: int = r.get(key, int)
    if not low <= value <= high:
        raise InvalidSession(f"{r.path}.{key}: {clip(value)} is not from {low} to {high}.")
    return value


def check_term(text: str) -> str:
    """The agreement's term as typed: one line, short enough for the document's first lines."""
    term = check_text(text, "Term").strip()
    if "\n" in term or "\r" in term or len(term) > MAX_TERM:
        raise InvalidInput(f"The term must be one line of at most {MAX_TERM} characters.")
    return clean_line(term, "The term")


def check_review_after_start(effective_date: str, next_review: str) -> None:
    """A review before the agreement takes effect is a typing slip: say so where it is typed. (A
    file holding one still opens: the dates are each valid, and refusing it would lose the rest.)"""
    if effective_date and next_review and next_review < effective_date:
        raise InvalidInput(f"The next review ({next_review}) is before the effective date ({effective_date}).")


@record
class AgreementTerms:
    """The agreement's version, dates, governance and exit terms.

    `version` 0 means "numbered by the alliance's sessions" (see `agreement_checks.version_number`);
    a number set here (an alliance that had a paper agreement before) is used as it is.
    """

    version: int = 0
    effective_date: str = ""  # YYYY-MM-DD or ""
    term: str = ""  # how long it runs, in the room's words: "two years, renewed at each review"
    next_review: str = ""  # YYYY-MM-DD or ""
    governance: list[GovernanceBody] = field(default_factory=list)
    escalation: list[EscalationStep] = field(default_factory=list)
    deadlock_rule: str = ""
    triggers: list[ExitTrigger] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self == AgreementTerms()

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_date": self.effective_date,
            "term": self.term,
            "next_review": self.next_review,
            "governance": [g.to_dict() for g in self.governance],
            "escalation": [e.to_dict() for e in self.escalation],
            "deadlock_rule": self.deadlock_rule,
            "triggers": [t.to_dict() for t in self.triggers],
        }

    @staticmethod
    def read(r: DocumentReader) -> AgreementTerms:
        terms = AgreementTerms(
            version=r.whole("version", 0, MAX_VERSION, 0),
            effective_date=r.date("effective_date", optional=True),
            term=r.plain_text("term"),
            next_review=r.date("next_review", optional=True),
            governance=r.items("governance", GovernanceBody.read),
            escalation=r.items("escalation", EscalationStep.read),
            deadlock_rule=r.plain_text("deadlock_rule"),
            triggers=r.items("triggers", ExitTrigger.read),
        )
        try:
            check_term(terms.term)
        except InvalidInput as error:
            raise InvalidSession(f"{r.path}.term: {error}") from None
        if len(terms.governance) + len(terms.escalation) + len(terms.triggers) > MAX_ITEMS:
            raise InvalidSession(f"{r.path}: too many rows.")
        return terms
