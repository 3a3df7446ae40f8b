"""Small modal forms for the items a meeting records: measures, roles, tasks, actions, sponsor
meetings and decisions. Each is an `ItemForm` (`form.py`) that dismisses with a new model object,
or None when cancelled; nothing in the session changes until the caller stores the result.

Usage (for any pane)::

    from facilitator.tui.dialogs.item_forms import ActionForm

    def added(action: ActionItem | None) -> None:
        if action is not None:
            self.session.actions.append(action)
            self.edited("action")

    self.app.push_screen(ActionForm(self.context, point_key="trust-indicator"), added)
"""

from __future__ import annotations

from typing import Any

from facilitator.domain.agreement_items import MEASURE_KINDS, MEETING_MODES
from facilitator.domain.model import ActionItem, Decision, Measure, Role, Session, SponsorMeeting
from facilitator.tui.dialogs.field_parsers import optional_date, optional_line, required_date, required_line
from facilitator.tui.dialogs.form import FormField, ItemForm
from facilitator.tui.meeting_context import MeetingContext


def partner_options(session: Session) -> list[tuple[str, str]]:
    """Select options for "which partner": every partner of the session, then joint (""), named as
    the session names it (`Session.partner_name`), so the forms, the tables and the documents agree."""
    return [(p.name, p.key) for p in session.partners] + [(session.partner_name(""), "")]


class ActionForm(ItemForm[ActionItem]):
    """Add or edit an action item (or, with `task=True`, a task of the agreement's work plan).

    `ActionForm(context, point_key=None, item=None, task=False)` dismisses with a new `ActionItem`
    (the edited copy keeps the item's id) or None. It never touches the session: the caller appends
    or replaces the item and posts `Edited`.
    """

    def __init__(
        self,
        context: MeetingContext,
        point_key: str | None = None,
        item: ActionItem | None = None,
        *,
        task: bool = False,
    ) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.is_task = task
        self.point_key = point_key if point_key is not None else (item.point if item else "")
        what = "task" if task else "action"
        self.title_text = f"{'Edit' if item else 'New'} {what}"
        point = context.checklist.point(self.point_key) if self.point_key else None
        if point is not None and not task:
            self.intro = f"Linked to point {point.number}: {point.title}"

    def fields(self) -> list[FormField]:
        item = self.item
        session = self.context.session
        what = "Task" if self.is_task else "Action"
        rows = [
            FormField(
                "text",
                what,
                value=item.text if item else "",
                placeholder="What will be done",
                parse=required_line(what),
            ),
            FormField(
                "owner",
                "Owner",
                value=item.owner if item else "",
                placeholder="Who does it",
                parse=optional_line("Owner"),
            ),
            FormField(
                "partner",
                "Partner",
                kind="select",
                value=item.partner if item else "",
                options=partner_options(session),
            ),
            FormField(
                "due",
                "Due",
                value=item.due if item else "",
                placeholder="YYYY-MM-DD (optional)",
                parse=optional_date("Due date"),
            ),
        ]
        if not self.is_task:
            points = [(f"{p.number}. {p.title}", p.key) for p in self.context.checklist.points]
            rows.append(
                FormField(
                    "point", "Point", kind="select", value=self.point_key, options=[("No linked point", "")] + points
                )
            )
        if item is not None:
            rows.append(FormField("done", "Status", kind="check", value=item.status == "done", placeholder="Done"))
        return rows

    def build(self, values: dict[str, Any]) -> ActionItem:
        item = self.item
        action = ActionItem(
            text=values["text"],
            owner=values["owner"],
            partner=values["partner"] or "",
            due=values["due"],
            point=values.get("point", item.point if item else "") or "",
        )
        if item is not None:
            action.id = item.id
            action.status = "done" if values.get("done") else "open"
        return action


class MeasureForm(ItemForm[Measure]):
    """Add or edit a measure of mutual benefit: economic or relational, with owner and target."""

    def __init__(self, context: MeetingContext, item: Measure | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit measure" if item else "New measure"

    def fields(self) -> list[FormField]:
        m = self.item
        return [
            FormField(
                "name",
                "Measure",
                value=m.name if m else "",
                placeholder="For example: Trust survey score",
                parse=required_line("Measure name"),
            ),
            FormField(
                "kind",
                "Kind",
                kind="select",
                value=m.kind if m else "relational",
                options=[(k.capitalize(), k) for k in MEASURE_KINDS],
            ),
            FormField(
                "how_measured", "How measured", value=m.how_measured if m else "", parse=optional_line("How measured")
            ),
            FormField("target", "Target", value=m.target if m else "", parse=optional_line("Target")),
            FormField("owner", "Owner", value=m.owner if m else "", parse=optional_line("Owner")),
            FormField(
                "review_frequency",
                "Reviewed",
                value=m.review_frequency if m else "",
                placeholder="For example: quarterly",
                parse=optional_line("Review frequency"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> Measure:
        measure = Measure(
            name=values["name"],
            kind=values["kind"],
            how_measured=values["how_measured"],
            target=values["target"],
            owner=values["owner"],
            review_frequency=values["review_frequency"],
        )
        if self.item is not None:
            measure.id = self.item.id
        return measure


class RoleForm(ItemForm[Role]):
    """Add or edit a role: which partner (or joint), which person, what they are responsible for."""

    def __init__(self, context: MeetingContext, item: Role | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit role" if item else "New role"

    def fields(self) -> list[FormField]:
        r = self.item
        return [
            FormField(
                "partner",
                "Partner",
                kind="select",
                value=r.partner if r else "",
                options=partner_options(self.context.session),
            ),
            FormField(
                "person",
                "Person",
                value=r.person if r else "",
                placeholder="Name or job title",
                parse=required_line("Person"),
            ),
            FormField(
                "responsibility",
                "Responsible for",
                value=r.responsibility if r else "",
                parse=required_line("Responsibility"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> Role:
        role = Role(partner=values["partner"] or "", person=values["person"], responsibility=values["responsibility"])
        if self.item is not None:
            role.id = self.item.id
        return role


class TaskForm(ActionForm):
    """A task of the agreement's joint work plan (an `ActionItem` kept in `session.tasks`)."""

    def __init__(self, context: MeetingContext, item: ActionItem | None = None) -> None:
        super().__init__(context, item=item, task=True)


class SponsorMeetingForm(ItemForm[SponsorMeeting]):
    """Add or edit a sponsor meeting: its date, in person or remote, and notes."""

    def __init__(self, context: MeetingContext, item: SponsorMeeting | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit sponsor meeting" if item else "New sponsor meeting"

    def fields(self) -> list[FormField]:
        m = self.item
        return [
            FormField(
                "date", "Date", value=m.date if m else "", placeholder="YYYY-MM-DD", parse=required_date("Meeting date")
            ),
            FormField(
                "mode",
                "Held",
                kind="select",
                value=m.mode if m else "in person",
                options=[(mode.capitalize(), mode) for mode in MEETING_MODES],
            ),
            FormField(
                "notes",
                "Notes",
                value=m.notes if m else "",
                placeholder="Where, or what was reviewed",
                parse=optional_line("Notes"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> SponsorMeeting:
        meeting = SponsorMeeting(date=values["date"], mode=values["mode"], notes=values["notes"])
        if self.item is not None:
            meeting.id = self.item.id
        return meeting


class DecisionForm(ItemForm[Decision]):
    """Record a decision the room made; the date defaults to the session's date."""

    def __init__(self, context: MeetingContext, item: Decision | None = None) -> None:
        super().__init__()
        self.context = context
        self.item = item
        self.title_text = "Edit decision" if item else "New decision"

    def fields(self) -> list[FormField]:
        d = self.item
        return [
            FormField(
                "text",
                "Decision",
                value=d.text if d else "",
                placeholder="What the room decided",
                parse=required_line("Decision"),
            ),
            FormField(
                "date",
                "Date",
                value=d.date if d else self.context.session.date,
                placeholder="YYYY-MM-DD",
                parse=optional_date("Decision date"),
            ),
        ]

    def build(self, values: dict[str, Any]) -> Decision:
        decision = Decision(text=values["text"], date=values["date"])
        if self.item is not None:
            decision.id = self.item.id
        return decision
