"""The forms for what an agreement a sponsor signs holds beyond its sections' text: its terms
(version, dates, term, deadlock rule), the parties' legal names and signatories, the governance
bodies, the escalation ladder and the exit or renegotiation triggers.

Each is an `ItemForm` (`form.py`) that dismisses with a new object, or None when cancelled; nothing
in the session changes until the caller stores the result. The intro of each form holds the
questions to put to the room, as the sections' prompts do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from facilitator.base.errors import InvalidInput
from facilitator.domain.agreement_terms import (
    CONSEQUENCE_LABELS,
    INDEX_RANGE,
    MAX_VERSION,
    MEETINGS_RANGE,
    RUNNING_RANGE,
    TRIGGER_KIND_LABELS,
    AgreementTerms,
    EscalationStep,
    ExitTrigger,
    GovernanceBody,
    check_review_after_start,
    check_term,
)
from facilitator.domain.model import Session
from facilitator.tui.dialogs.field_parsers import optional_date, optional_line, optional_name, required_line
from facilitator.tui.dialogs.form import FormField, ItemForm
from facilitator.tui.meeting_context import MeetingContext


def whole_number(what: str, low: int, high: int, *, blank: int | None = None) -> Any:
    """A parser for a whole number from `low` to `high`; `blank` is what an empty field means
    (None: the field is needed)."""

    def parse(value: str) -> int:
        text = value.strip()
        if not text and blank is not None:
            return blank
        if not text.isascii() or not text.isdigit():
            raise InvalidInput(f"{what} must be a whole number from {low} to {high}.")
        number = int(text)
        if not low <= number <= high:
            raise InvalidInput(f"{what} must be from {low} to {high}, not {number}.")
        return number

    return parse


# --------------------------------------------------------------------------------------------
# The agreement's terms and its parties


class AgreementTermsForm(ItemForm[AgreementTerms]):
    """The version, the effective date, the term, the next review and the deadlock rule. Dismisses
    with a copy of the session's terms holding the new values (its tables unchanged)."""

    title_text = "The agreement's terms"
    intro = (
        "Ask the room: from when does this agreement hold, and for how long? When will you review it "
        "next? If the escalation ladder ends without agreement, what breaks the deadlock?"
    )

    def __init__(self, context: MeetingContext, shown_version: int) -> None:
        super().__init__()
        self.context = context
        self.terms = context.session.terms
        self.shown_version = shown_version  # the number the documents show now, counted or set

    def fields(self) -> list[FormField]:
        t = self.terms
        return [
            FormField(
                "version",
                "Version",
                value=str(t.version) if t.version else "",
                placeholder=f"{self.shown_version}, counted from the alliance's sessions",
                parse=whole_number("The version", 1, MAX_VERSION, blank=0),
                hint="Leave it empty to count it; set it when the alliance had an agreement before this app.",
            ),
            FormField(
                "effective_date",
                "Effective date",
                value=t.effective_date,
                placeholder="YYYY-MM-DD",
                parse=optional_date("The effective date"),
            ),
            FormField(
                "term",
                "Term",
                value=t.term,
                placeholder="For example: two years, renewed at each annual review",
                parse=_term,
            ),
            FormField(
                "next_review",
                "Next review",
                value=t.next_review,
                placeholder="YYYY-MM-DD",
                parse=optional_date("The next review"),
            ),
            FormField(
                "deadlock_rule",
                "Deadlock rule",
                value=t.deadlock_rule,
                placeholder="For example: an independent mediator the sponsors choose together",
                parse=optional_line("The deadlock rule"),
            ),
        ]

    def collect(self) -> dict[str, Any] | None:
        values = super().collect()
        if values is None:
            return None
        try:
            check_review_after_start(values["effective_date"], values["next_review"])
        except InvalidInput as problem:
            self.show_error("next_review", str(problem))
            self.focus_field("next_review")
            return None
        return values

    def build(self, values: dict[str, Any]) -> AgreementTerms:
        t = self.terms
        return AgreementTerms(
            version=values["version"],
            effective_date=values["effective_date"],
            term=values["term"],
            next_review=values["next_review"],
            governance=list(t.governance),
            escalation=list(t.escalation),
            deadlock_rule=values["deadlock_rule"],
            triggers=list(t.triggers),
        )


def _term(value: str) -> str:
    return check_term(value)


@dataclass(frozen=True)
class Signatory:
    """What the signatories form gives back for one partner."""

    key: str
    legal_name: str
    signatory: str
    signatory_title: str


class SignatoriesForm(ItemForm[list[Signatory]]):
    """Each partner's legal name and the person who signs for it, with their title."""

    title_text = "Parties and signatories"
    intro = (
        "Ask each partner: what is your organisation's name in law, and who signs this agreement for it, "
        "with what title? Empty fields print as not given yet."
    )

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def fields(self) -> list[FormField]:
        rows: list[FormField] = []
        for p in self.session.partners:
            rows += [
                FormField(
                    f"legal-{p.key}",
                    p.name,
                    value=p.legal_name,
                    placeholder="Legal name, for example Northwind Logistics S.L.",
                    parse=optional_name(f"{p.name}'s legal name"),
                ),
                FormField(
                    f"signatory-{p.key}",
                    "Signed by",
                    value=p.signatory,
                    placeholder="Who signs for it",
                    parse=optional_name(f"{p.name}'s signatory"),
                ),
                FormField(
                    f"title-{p.key}",
                    "Title",
                    value=p.signatory_title,
                    placeholder="Their title, for example Chief Operating Officer",
                    parse=optional_name(f"The title of {p.name}'s signatory"),
                ),
            ]
        return rows

    def build(self, values: dict[str, Any]) -> list[Signatory]:
        return [
            Signatory(p.key, values[f"legal-{p.key}"], values[f"signatory-{p.key}"], values[f"title-{p.key}"])
            for p in self.session.partners
        ]


def apply_signatories(session: Session, signatories: list[Signatory]) -> bool:
    """Store what the form gave; True when anything changed."""
    changed = False
    for given in signatories:
        partner = session.partner(given.key)
        if partner is None:
            continue
        new = (given.legal_name, given.signatory, given.signatory_title)
        if (partner.legal_name, partner.signatory, partner.signatory_title) != new:
            partner.legal_name, partner.signatory, partner.signatory_title = new
            changed = True
    return changed


# --------------------------------------------------------------------------------------------
# The governance section's tables and the exit triggers


class GovernanceBodyForm(ItemForm[GovernanceBody]):
    """One layer of governance: who sits in it, how often it meets, what it decides."""

    intro = "Ask the room: who sits at this level, how often do they meet, and what may they decide on their own?"

    def __init__(self, context: MeetingContext, item: GovernanceBody | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit governance body" if item else "New governance body"

    def fields(self) -> list[FormField]:
        g = self.item
        return [
            FormField(
                "layer",
                "Layer",
                value=g.layer if g else "",
                placeholder="For example: Steering committee",
                parse=required_line("The layer"),
            ),
            FormField(
                "who",
                "Who",
                value=g.who if g else "",
                placeholder="For example: the sponsors of each partner",
                parse=optional_line("Who"),
            ),
            FormField(
                "how_often",
                "How often",
                value=g.how_often if g else "",
                placeholder="For example: twice a year, in person",
                parse=optional_line("How often"),
            ),
            FormField(
                "decides",
                "Decides",
                value=g.decides if g else "",
                placeholder="For example: strategy, budget, changes to this agreement",
                parse=optional_line("What it decides"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> GovernanceBody:
        body = GovernanceBody(
            layer=values["layer"], who=values["who"], how_often=values["how_often"], decides=values["decides"]
        )
        if self.item is not None:
            body.id = self.item.id
        return body


class EscalationStepForm(ItemForm[EscalationStep]):
    """One rung of the escalation ladder: who takes a disagreement up, and how long they have."""

    intro = (
        "Ask the room: who tries to settle a disagreement at this level, and how long do they have "
        "before it goes up to the next one? The ladder's order is the order of the rows."
    )

    def __init__(self, context: MeetingContext, item: EscalationStep | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit escalation step" if item else "New escalation step"

    def fields(self) -> list[FormField]:
        e = self.item
        return [
            FormField(
                "who",
                "Who",
                value=e.who if e else "",
                placeholder="For example: the alliance managers",
                parse=required_line("Who"),
            ),
            FormField(
                "time_limit",
                "Time limit",
                value=e.time_limit if e else "",
                placeholder="For example: 10 working days",
                parse=optional_line("The time limit"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> EscalationStep:
        step = EscalationStep(who=values["who"], time_limit=values["time_limit"])
        if self.item is not None:
            step.id = self.item.id
        return step


class ExitTriggerForm(ItemForm[ExitTrigger]):
    """A criterion the app checks at every review, and what follows when it is met."""

    intro = (
        "Ask the room: what would tell us this partnership is failing? Write it as something the app "
        "can check at each review: an index below a threshold, or too few sponsor meetings."
    )

    def __init__(self, context: MeetingContext, item: ExitTrigger | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit exit trigger" if item else "New exit or renegotiation trigger"

    def fields(self) -> list[FormField]:
        t = self.item
        partners = [("Any partner", "")] + [(p.name, p.key) for p in self.context.session.partners]
        if t is not None and t.partner and t.partner not in {key for _name, key in partners}:
            # The partner left the alliance since: kept as it was unless the room picks another,
            # never turned into "any partner" by opening the form.
            partners.append((f"{t.partner} (no longer a partner)", t.partner))
        return [
            FormField(
                "kind",
                "Trigger",
                kind="select",
                value=t.kind if t else "joint-index-below",
                options=[(label, kind) for kind, label in TRIGGER_KIND_LABELS.items()],
            ),
            FormField(
                "threshold",
                "Threshold",
                value=str(t.threshold) if t else "",
                placeholder="An index 0-100, or a number of meetings",
                parse=whole_number("The threshold", 0, max(INDEX_RANGE[1], MEETINGS_RANGE[1])),
                hint="Index triggers: below this index (0-100). Meetings: fewer than this many in 12 months.",
            ),
            FormField(
                "running",
                "Reviews running",
                value=str(t.running) if t else "1",
                placeholder="1",
                parse=whole_number("Reviews running", *RUNNING_RANGE, blank=1),
                hint="Index triggers: at this many health checks in a row (1 is at any one).",
            ),
            FormField(
                "partner",
                "Partner",
                kind="select",
                value=t.partner if t else "",
                options=partners,
                hint="For a partner's index only.",
            ),
            FormField(
                "consequence",
                "Then",
                kind="select",
                value=t.consequence if t else "renegotiate",
                options=[(label, key) for key, label in CONSEQUENCE_LABELS.items()],
            ),
        ]

    def collect(self) -> dict[str, Any] | None:
        values = super().collect()
        if values is None:
            return None
        if values["kind"] == "sponsor-meetings-below":
            low, high = MEETINGS_RANGE
            if not low <= values["threshold"] <= high:
                self.show_error("threshold", f"A number of meetings in 12 months: from {low} to {high}.")
                self.focus_field("threshold")
                return None
        return values

    def build(self, values: dict[str, Any]) -> ExitTrigger:
        kind = values["kind"]
        trigger = ExitTrigger(
            kind=kind,
            threshold=values["threshold"],
            running=values["running"] if kind != "sponsor-meetings-below" else 1,
            partner=values["partner"] or "" if kind == "partner-index-below" else "",
            consequence=values["consequence"],
        )
        if self.item is not None:
            trigger.id = self.item.id
        return trigger
