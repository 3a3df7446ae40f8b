"""The tables some sections keep beside their text: measures, roles, the work plan, the sponsor
meetings, the governance bodies, the escalation ladder and the exit triggers. One `TableSpec` a
kind: where its items live in the session, how a row reads, which form edits one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.text import Text

from facilitator.domain.agreement_terms import EscalationStep, ExitTrigger, GovernanceBody
from facilitator.domain.content import Section
from facilitator.domain.model import ActionItem, Measure, Role, Session, SponsorMeeting
from facilitator.tui.dialogs.form import ItemForm
from facilitator.tui.dialogs.item_forms import MeasureForm, RoleForm, SponsorMeetingForm, TaskForm
from facilitator.tui.dialogs.terms_forms import EscalationStepForm, ExitTriggerForm, GovernanceBodyForm
from facilitator.tui.meeting_context import MeetingContext

Item = TypeVar("Item")


@dataclass(frozen=True)
class TableSpec(Generic[Item]):
    """How one kind of structured item shows in the section's table."""

    name: str  # the kind, as a section's `structured` names it; also what `Edited` reports
    items: Callable[[Session], list[Item]]  # the session's own list (edits change it in place)
    title: str  # tab label
    noun: str
    columns: tuple[tuple[str, int | None], ...]  # label, width (None: the rest of the room)
    cells: Callable[[Session, Item], tuple]
    form: Callable[[MeetingContext, Item | None], ItemForm[Item]]
    describe: Callable[[Item], str]
    suggested: Callable[[Item], bool] = lambda item: False  # offered by the app, not kept by the room yet


def _measure_name(measure: Measure) -> Text:
    """A measure's name; a suggestion says so in words (not only in a colour)."""
    if measure.suggested:
        return Text.assemble(("suggested · ", "italic"), (measure.name, "dim"))
    return Text(measure.name)


MEASURES = TableSpec[Measure](
    name="measures",
    items=lambda s: s.measures,
    title="Measures",
    noun="measure",
    columns=(("Measure", None), ("Owner", 16), ("Target", 16), ("Kind", 10)),
    cells=lambda s, m: (_measure_name(m), m.owner or "—", m.target or "—", m.kind),
    form=MeasureForm,
    describe=lambda m: m.name,
    suggested=lambda m: m.suggested,
)

ROLES = TableSpec[Role](
    name="roles",
    items=lambda s: s.roles,
    title="Roles",
    noun="role",
    columns=(("Responsible for", None), ("Person", 18), ("Partner", 20)),
    cells=lambda s, r: (r.responsibility, r.person, s.partner_name(r.partner)),
    form=RoleForm,
    describe=lambda r: f"{r.person}: {r.responsibility}",
)

TASKS = TableSpec[ActionItem](
    name="tasks",
    items=lambda s: s.tasks,
    title="Work plan",
    noun="task",
    columns=(("Task", None), ("Owner", 16), ("Due", 10), ("Status", 6)),
    cells=lambda s, t: (t.text, t.owner or "—", t.due or "—", t.status),
    form=TaskForm,
    describe=lambda t: t.text,
)

SPONSOR_MEETINGS = TableSpec[SponsorMeeting](
    name="sponsor_meetings",
    items=lambda s: s.sponsor_meetings,
    title="Sponsor meetings",
    noun="sponsor meeting",
    columns=(("Date", 10), ("Notes", None), ("Held", 9)),
    cells=lambda s, m: (m.date, m.notes or "—", m.mode),
    form=SponsorMeetingForm,
    describe=lambda m: f"the meeting of {m.date}",
)

GOVERNANCE = TableSpec[GovernanceBody](
    name="governance",
    items=lambda s: s.terms.governance,
    title="Governance bodies",
    noun="governance body",
    columns=(("Layer", None), ("Decides", 28), ("Who", 20), ("How often", 14)),
    cells=lambda s, g: (g.layer, g.decides or "—", g.who or "—", g.how_often or "—"),
    form=GovernanceBodyForm,
    describe=lambda g: g.layer,
)

ESCALATION = TableSpec[EscalationStep](
    name="escalation",
    items=lambda s: s.terms.escalation,
    title="Escalation ladder",
    noun="escalation step",
    columns=(("Level", 5), ("Who", None), ("Time limit", 20)),
    cells=lambda s, e: (str(s.terms.escalation.index(e) + 1), e.who, e.time_limit or "—"),
    form=EscalationStepForm,
    describe=lambda e: e.who,
)

TRIGGERS = TableSpec[ExitTrigger](
    name="triggers",
    items=lambda s: s.terms.triggers,
    title="Exit triggers",
    noun="trigger",
    columns=(("Trigger", None), ("Then", 26)),
    cells=lambda s, t: (t.criterion(s.partner_name(t.partner) if t.partner else ""), t.consequence_label),
    form=ExitTriggerForm,
    describe=lambda t: t.criterion(),
)

TABLES: dict[str, TableSpec[Any]] = {
    spec.name: spec for spec in (MEASURES, ROLES, TASKS, SPONSOR_MEETINGS, GOVERNANCE, ESCALATION, TRIGGERS)
}
MAX_TABLES = 3  # the most tables one section keeps (governance: its meetings, its bodies, its ladder)


def tables_for(section: Section) -> list[TableSpec[Any]]:
    """The tables the section keeps, in the order its `structured` names them (at most MAX_TABLES)."""
    return [TABLES[name] for name in section.structured if name in TABLES][:MAX_TABLES]
