"""Reports: the partnership agreement and the health-check scorecard, as Markdown.

The only module that imports Jinja2. Templates live in `report_templates/` (`agreement.md.j2`,
`scorecard.md.j2`); a facilitator may pass a folder of customised copies (`--templates DIR`).
Customised templates get passed around, so they are treated as untrusted:

- they run in Jinja2's sandbox and see only plain data (`build_context`), never the session;
- every printed value is escaped as Markdown (`facilitator.reports.markdown`), even when the template
  forgets a filter, so no text typed in the room can change the document's structure or inject HTML;
- huge strings and lists and oversized output are refused; a customised template is rendered in
  a child process (`report_child`) limited to 512 MB more than it starts with and killed at a 2 s
  deadline, so no runaway loop or C call piling up gigabytes can stall or starve the app;
- any problem becomes a `ReportError` naming the template file and line, never a traceback.

`export` renders completely before it writes, and writes atomically: a failed export leaves the
earlier file as it was.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.runtime import Macro, markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from markupsafe import Markup

from facilitator.base.errors import FacilitatorError, ReportError
from facilitator.domain import content, formatting, scoring
from facilitator.domain.model import Session
from facilitator.reports import markdown
from facilitator.storage.atomic import PRIVATE_FILE, SHARED_FILE, atomic_write_text

if TYPE_CHECKING:
    from facilitator.domain import history as history_module

DOCUMENTS = ("agreement", "scorecard")
TEMPLATE_SUFFIX = ".md.j2"
TEMPLATES_FOLDER = "report_templates"

RENDER_TIMEOUT = 2.0  # seconds a customised template's process may run, from its start
MAX_MEMORY = 512 * 1024 * 1024  # bytes a customised template's process may add to what it starts with
MAX_SIZE = 1_000_000  # characters or items one operator (* ** + % ~) may produce
MAX_VALUE = 5_000_000  # characters or items one filter or method call may produce
MAX_INT_BITS = 10_000  # bits in a number built by * or ** (about 3,000 digits)
MAX_OUTPUT = 20_000_000  # characters in a rendered document
MAX_TEMPLATE_BYTES = 1_000_000  # a template file larger than this is not a template
MAX_COMPILED_TEMPLATES = 64  # compiled templates kept in the user's cache; the least recently written go first
MIN_JINJA = (3, 1, 6)  # sandbox fixes (str.format, attr filter) the report layer relies on

KIND_LABELS = {"kickoff": "Kick-off meeting", "review": "Review meeting"}
STATUS_LABELS = {
    "empty": "Not started",
    "to address": "To address",
    "draft": "Draft",
    "to re-confirm": "To re-confirm",
    "agreed": "Agreed",
}
MEASURE_KIND_LABELS = {"economic": "Economic", "relational": "Relational"}
MODE_LABELS = {"in person": "In person", "remote": "Remote"}
ACTION_STATUS_LABELS = {"open": "Open", "done": "Done"}


# --------------------------------------------------------------------------------------------
# Where templates are


def default_templates_dir() -> Path:
    """The shipped templates: next to the package in a source checkout, inside it when installed."""
    package = Path(__file__).resolve().parents[1]  # facilitator/, this module being in facilitator/reports/
    candidates = (package.parent / TEMPLATES_FOLDER, package / TEMPLATES_FOLDER)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise ReportError(
        f"The report templates are missing from this installation (looked in {candidates[0]} "
        f"and {candidates[1]}); reinstall facilitator."
    )


def template_path(document: str, templates_dir: Path | None = None) -> Path:
    """The template file a document is rendered from."""
    _check_document(document)
    folder = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    return folder / f"{document}{TEMPLATE_SUFFIX}"


def needs_history(document: str, templates_dir: Path | None = None, changes_since: Any = None) -> bool:
    """Whether rendering `document` needs the alliance's earlier sessions (`history.load_timeline`).

    Looking them up costs a look at every stored session. Our agreement template shows them only
    for "changes since"; the scorecard (trend, cadence) and any customised template may use them
    anywhere. Without them a document is rendered as the session seen on its own.
    """
    return templates_dir is not None or document != "agreement" or bool(changes_since)


def _check_document(document: str) -> None:
    if document not in DOCUMENTS:
        raise ReportError(f"Unknown document '{document}': choose {' or '.join(DOCUMENTS)}.")


# --------------------------------------------------------------------------------------------
# The data templates see


def build_context(
    session: Session,
    checklist: content.Checklist,
    history: history_module.Timeline | None = None,
    *,
    with_history: bool = True,
) -> dict[str, Any]:
    """Everything a template needs, as plain data (dicts, lists, str, int, float, bool, None).

    Deterministic: lists follow the checklist's and the session's order (sponsor meetings by
    date), and no value depends on the clock. `history` is the alliance's timeline (see
    `facilitator.domain.history.load_timeline`); with it, a follow-up gets its trend since the session
    before and its agreement changes. Without it the session is seen on its own.
    `with_history=False` leaves out `previous`, `trend`, `changes`, `cadence` and `history`
    altogether, for a template that does not use them (see `needs_history`).
    """
    names = {p.key: p.name for p in session.partners}
    partner_order = {p.key: i for i, p in enumerate(session.partners)}

    point_titles = {p.key: p for p in checklist.points}

    def point_ref(key: str) -> dict[str, Any]:
        point = point_titles.get(key)
        return {"key": key, "number": point.number if point else None, "title": point.title if point else key}

    def action(item: Any) -> dict[str, Any]:
        linked = point_titles.get(item.point)
        return {
            "id": item.id,
            "text": item.text,
            "owner": item.owner,
            "partner": session.partner_name(item.partner),
            "partner_key": item.partner,
            "due": item.due,
            "status": item.status,
            "status_label": ACTION_STATUS_LABELS.get(item.status, item.status),
            "done": item.status == "done",
            "point_key": item.point,
            "point_number": linked.number if linked else None,
            "point_title": linked.title if linked else "",
        }

    actions = [action(a) for a in session.actions]
    tasks = [action(t) for t in session.tasks]

    # Health check -----------------------------------------------------------------------------
    stats = scoring.all_point_stats(session, checklist)
    points: list[dict[str, Any]] = []
    for point, stat in zip(checklist.points, stats):
        record = session.points.get(point.key)
        scores = []
        for partner in session.partners:
            value = stat.scores.get(partner.key)
            level = checklist.level(value) if value is not None else None
            scores.append(
                {
                    "partner": partner.name,
                    "partner_key": partner.key,
                    "value": value,
                    "display": formatting.format_score(value),
                    "label": level.label if level else "Not scored",
                }
            )
        flags = [flag for flag, on in (("gap", stat.discuss), ("weak", stat.weak)) if on]
        points.append(
            {
                "key": point.key,
                "number": point.number,
                "title": point.title,
                "question": point.question,
                "in_place": point.in_place,
                "scores": scores,
                "missing": [names[k] for k in stat.missing],
                "revealed": bool(record and record.revealed),
                "mean": stat.mean,
                "mean_display": formatting.format_mean(stat.mean),
                "spread": stat.spread,
                "spread_display": formatting.format_spread(stat.spread),
                "agreed": stat.agreed,
                "agreed_display": formatting.format_agreed(stat.agreed),
                "value": stat.value,
                "value_display": formatting.format_mean(stat.value),
                "gap": stat.discuss,
                "weak": stat.weak,
                "flags": flags,
                "flag": ", ".join(flags),
                "notes": record.notes if record else "",
                "devices": _device_votes(session, point.key),
                "comments": _device_comments(session, point.key),
                "actions": [a for a in actions if a["point_key"] == point.key],
                "noted": False,  # set below: notes, comments or actions to report for this point
                "sections": list(point.sections),
            }
        )
    for entry in points:
        entry["noted"] = bool(entry["notes"].strip() or entry["comments"] or entry["actions"])
    points_by_key = {p["key"]: p for p in points}
    joint = scoring.joint_index(session, checklist)
    per_partner = scoring.partner_indexes(session, checklist)
    entered, expected = scoring.scoring_progress(session, checklist)
    health = {
        "joint": joint,
        "joint_display": formatting.format_index(joint),
        "partners": [
            {
                "key": p.key,
                "name": p.name,
                "index": per_partner[p.key],
                "display": formatting.format_index(per_partner[p.key]),
            }
            for p in session.partners
        ],
        "scores_entered": entered,
        "scores_expected": expected,
    }
    discuss_first = [points_by_key[s.key] for s in scoring.discussion_order(stats)]

    # Agreement --------------------------------------------------------------------------------
    to_address = scoring.sections_to_address(session, checklist)
    sections = []
    for section in checklist.sections:
        draft = session.sections.get(section.key)
        status = scoring.section_status(session, checklist, section.key, to_address)
        endorsed = set(draft.endorsed_by) if draft else set()
        endorsed_names = [p.name for p in session.partners if p.key in endorsed]
        text = draft.text if draft else ""
        sections.append(
            {
                "key": section.key,
                "number": section.number,
                "title": section.title,
                "summary": section.summary,
                "prompts": list(section.prompts),
                "text": text,
                "drafted": bool(text.strip()),
                "status": status,
                "status_label": _status_label(session, section.key, status),
                "agreed": bool(draft and draft.agreed),
                "endorsed_by": endorsed_names,
                "endorsed_by_all": len(endorsed_names) == len(session.partners),
                "points": [point_ref(k) for k in section.points],
                "structured": list(section.structured),
                "change": None,  # filled in below when there is an earlier session to compare with
                "change_label": "",
            }
        )

    # Only the measures the room wrote or kept are the agreement's; the app's suggestions are
    # listed apart, for a template to mark them as such (ours names how many are left out).
    measures_all = [_measure(m) for m in scoring.table_rows(session, "measures")]
    measures = {
        "economic": [m for m in measures_all if m["kind"] == "economic"],
        "relational": [m for m in measures_all if m["kind"] != "economic"],
        "suggested": [_measure(m) for m in session.measures if m.suggested],
    }
    measures["all"] = measures["economic"] + measures["relational"]

    ordered_roles = sorted(
        enumerate(session.roles), key=lambda pair: (partner_order.get(pair[1].partner, len(partner_order)), pair[0])
    )
    roles = [
        {
            "id": r.id,
            "partner": session.partner_name(r.partner),
            "partner_key": r.partner,
            "person": r.person,
            "responsibility": r.responsibility,
        }
        for _, r in ordered_roles
    ]

    meetings = [
        {
            "id": m.id,
            "date": m.date,
            "mode": m.mode,
            "mode_label": MODE_LABELS.get(m.mode, m.mode),
            "in_person": m.in_person,
            "notes": m.notes,
        }
        for m in sorted(session.sponsor_meetings, key=lambda m: m.date)
    ]

    partners = [
        {
            "key": p.key,
            "name": p.name,
            "sponsors": list(p.sponsors),
            "participants": list(p.participants),
            "index": per_partner[p.key],
            "index_display": formatting.format_index(per_partner[p.key]),
        }
        for p in session.partners
    ]

    partner_names = [p.name for p in session.partners]
    seen = _history_context(session, history) if with_history else {}
    if seen.get("changes"):
        by_key = {c["key"]: c for c in seen["changes"]["sections"]}
        for entry in sections:
            change = by_key.get(entry["key"])
            if change:
                entry["change"], entry["change_label"] = change["status"], change["status_label"]
    return {
        "title": {
            "alliance": session.alliance,
            "kind": session.kind,
            "kind_label": KIND_LABELS.get(session.kind, session.kind),
            "date": session.date,
            "facilitator": session.facilitator,
            "session_id": session.id,
            "follows": session.follows,
            "checklist_version": checklist.version,
            "source": checklist.source,
            "partners": _join_names(partner_names),
            "next_meeting": session.next_meeting,
        },
        "partners": partners,
        "scale": [{"value": s.value, "label": s.label, "anchor": s.anchor} for s in checklist.scale],
        "special": [{"value": s.value, "label": s.label, "anchor": s.anchor} for s in checklist.special],
        "attributes": [{"key": a.key, "title": a.title, "description": a.description} for a in checklist.attributes],
        "points": points,
        "health": health,
        "discuss_first": discuss_first,
        "sections": sections,
        "agreement": {
            "sections_total": len(sections),
            "sections_drafted": sum(1 for s in sections if s["drafted"]),
            "sections_agreed": sum(1 for s in sections if s["agreed"]),
            "sections_endorsed": sum(1 for s in sections if s["endorsed_by_all"]),
        },
        "measures": measures,
        "roles": roles,
        "tasks": tasks,
        "actions": {
            "all": actions,
            "open": [a for a in actions if not a["done"]],
            "done": [a for a in actions if a["done"]],
        },
        "sponsor_meetings": meetings,
        "decisions": [{"id": d.id, "text": d.text, "date": d.date} for d in session.decisions],
        "next_meeting": session.next_meeting,
        "changes_since": None,
        **seen,
    }


def _history_context(session: Session, timeline: history_module.Timeline | None) -> dict[str, Any]:
    """`previous`, `trend`, `changes`, `cadence` and `history` for the templates."""
    from facilitator.domain import history as history_module

    looked_up = timeline is not None and bool(timeline.sessions)
    if timeline is not None and looked_up:
        timeline = timeline.with_session(session)
    else:
        timeline = history_module.Timeline.single(session)
    index = timeline.index_of(session.id)
    assert index is not None
    seen = history_module.history_at(timeline, index)
    previous = seen.previous
    cadence = seen.cadence
    result: dict[str, Any] = {
        "previous": None,
        "trend": None,
        "changes": None,
        "cadence": {
            "met": cadence.met,
            "verdict": cadence.verdict,
            "count": cadence.count,
            "required": cadence.required,
            "reference": cadence.reference,
            "window_start": cadence.window_start,
            "summary": cadence.summary(),
            "basis": history_module.CADENCE_BASIS,
            "in_person": [m.date for m in cadence.in_person],
            "remote": [m.date for m in cadence.remote],
            "planned": [{"date": m.date, "mode_label": MODE_LABELS.get(m.mode, m.mode)} for m in cadence.planned],
            "missed": [m.describe() for m in cadence.missed],
            "sessions_without_record": list(cadence.sessions_without_record),
        },
        "history": {
            "looked_up": looked_up,  # False: rendered without the alliance's other sessions
            "sessions": len(timeline.sessions),
            "first_date": timeline.sessions[0].date,
            "position": index + 1,
            "gaps": [g.describe() for g in seen.gaps],
            "note": _history_note(session, previous, seen.gaps),
        },
    }
    if previous is None:
        return result
    result["previous"] = {
        "id": previous.id,
        "date": previous.date,
        "kind_label": KIND_LABELS.get(previous.kind, previous.kind),
    }
    trends = seen.trends

    def cell(
        before: Any, after: Any, shown_before: str | None = None, shown_after: str | None = None
    ) -> dict[str, Any]:
        change = history_module.Change(before, after)
        shown_before = formatting.format_score(before) if shown_before is None else shown_before
        shown_after = formatting.format_score(after) if shown_after is None else shown_after
        delta = formatting.format_change(change.delta, 1)
        return {
            "before": before,
            "after": after,
            "delta": change.delta,
            "direction": change.direction,
            "before_display": shown_before,
            "after_display": shown_after,
            "change_display": delta or "-",
            "display": f"{shown_before} → {shown_after}" + (f" ({delta})" if delta else ""),
        }

    trend_partners = [{"key": s.key, "name": s.name} for s in trends.points[0].partners] if trends.points else []
    points = []
    for point in trends.points:
        cells = []
        moved: dict[str, list[str]] = {"improved": [], "regressed": []}
        for series in point.partners:
            change = series.change(index)
            entry = cell(
                change.before,
                change.after,
                formatting.format_score(series.scores[index - 1]),
                formatting.format_score(series.scores[index]),
            )
            entry.update(partner=series.name, partner_key=series.key)
            cells.append(entry)
            if change.direction in moved:
                moved[change.direction].append(series.name)
        notes = [f"{direction}: {', '.join(names)}" for direction, names in moved.items() if names]
        value = point.change(index)
        joint = cell(
            None if value.before is None else round(value.before, 1),
            None if value.after is None else round(value.after, 1),
        )
        run = point.gap_run(index)
        if run >= 2:
            notes.append(f"persistent gap ({run} sessions)")
        points.append(
            {
                "key": point.key,
                "number": point.number,
                "title": point.title,
                "cells": cells,
                "joint": joint,
                "persistent_gap": run >= 2,
                "gap_sessions": run,
                "note": "; ".join(notes),
            }
        )

    def index_row(series: history_module.IndexSeries) -> dict[str, Any]:
        change = series.change(index)
        delta = formatting.index_change(change.before, change.after)
        return {
            "name": series.name,
            "key": series.key,
            "before": change.before,
            "after": change.after,
            "before_display": formatting.format_index(change.before),
            "after_display": formatting.format_index(change.after),
            "change_display": formatting.format_change(delta) or "-",
        }

    callouts = seen.callouts
    result["trend"] = {
        "since": previous.date,
        "since_id": previous.id,
        "since_kind_label": KIND_LABELS.get(previous.kind, previous.kind),
        "partners": trend_partners,
        "points": points,
        "indexes": [index_row(trends.joint)] + [index_row(s) for s in trends.partners],
        "improved": [c.describe() for c in callouts if c.kind == "improved"],
        "regressed": [c.describe() for c in callouts if c.kind == "regressed"],
        "persistent_gaps": [c.describe() for c in callouts if c.kind == "persistent gap"],
        "gaps_closed": [c.describe() for c in callouts if c.kind == "gap closed"],
    }
    changes = seen.changes or []
    result["changes"] = {
        "since": previous.date,
        "since_id": previous.id,
        "since_kind_label": KIND_LABELS.get(previous.kind, previous.kind),
        "changed_count": sum(1 for c in changes if c.changed),
        "sections": [
            {
                "key": c.key,
                "number": c.number,
                "title": c.title,
                "status": c.status,
                "status_label": c.status_label,
                "changed": c.changed,
                "lines": [
                    {"kind": line.kind, "text": line.text, "before": line.before}
                    for line in c.lines
                    if line.kind != "same"
                ],
            }
            for c in changes
        ],
    }
    return result


def _history_note(session: Session, previous: Session | None, gaps: list[Any]) -> str:
    """One sentence on what the trend compares with, when that is not simply the session followed."""
    if gaps:
        gap = gaps[0]
        what = "is missing" if gap.kind == "missing" else "cannot be read"
        if previous is not None:
            return (
                f"The session this one follows ({gap.id}) {what}; the trend compares with the session "
                f"of {previous.date} instead."
            )
        return f"The session this one follows ({gap.id}) {what}, so there is no trend to show."
    if previous is not None and session.follows and previous.id != session.follows:
        return f"Compared with the session of {previous.date}, the latest before this one."
    return ""


def _device_votes(session: Any, point_key: str) -> list[dict[str, Any]]:
    """Per partner whose people scored this point from their own devices: how many, how far apart."""
    spreads = scoring.vote_spreads(session, point_key)
    return [
        {
            "partner": session.partner_name(key),
            "count": v.count,
            "low": v.low,
            "high": v.high,
            "range_display": "-" if v.low is None else (str(v.low) if v.low == v.high else f"{v.low}-{v.high}"),
        }
        for key, v in spreads.items()
    ]


def _device_comments(session: Any, point_key: str) -> list[dict[str, Any]]:
    """Comments people sent with their scores (the scores themselves stay per organisation)."""
    record = session.points.get(point_key)
    if record is None:
        return []
    return [
        {"name": vote.name, "partner": session.partner_name(partner_key), "text": vote.comment}
        for partner_key, by_person in record.votes.items()
        for vote in by_person.values()
        if vote.comment.strip()
    ]


def _measure(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "kind": m.kind,
        "kind_label": MEASURE_KIND_LABELS.get(m.kind, m.kind),
        "how_measured": m.how_measured,
        "target": m.target,
        "owner": m.owner,
        "review_frequency": m.review_frequency,
        "suggested": m.suggested,
    }


def _status_label(session: Session, section_key: str, status: str) -> str:
    """The status as the document says it; a section to re-confirm says what it was, and when."""
    label = STATUS_LABELS.get(status, status)
    if status == "to re-confirm":
        from facilitator.domain.reconfirm import carried_note

        note = carried_note(session, section_key).split(" — ")[0]
        return f"{label} ({note[:1].lower()}{note[1:]})" if note else label
    return label


def _join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --------------------------------------------------------------------------------------------
# Rendering


def render(
    session: Session,
    document: str = "agreement",
    templates_dir: Path | None = None,
    *,
    changes_since: Any = None,
    history: history_module.Timeline | None = None,
    timeout: float = RENDER_TIMEOUT,
) -> str:
    """Render one document of `DOCUMENTS` as Markdown. Raises ReportError, never anything else.

    `history`: the alliance's timeline, for the trend table and the agreement changes.
    `changes_since`: the agreement's "changes since" flag (off by default); True names the date of
    the session before, a text names whatever it says.
    """
    _check_document(document)
    _check_jinja_version()
    try:
        checklist = content.load_checklist(session.checklist_version)
    except FacilitatorError as error:
        raise ReportError(str(error)) from None
    folder = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    path = folder / f"{document}{TEMPLATE_SUFFIX}"
    _check_template_file(path)
    try:
        context = build_context(
            session, checklist, history, with_history=needs_history(document, templates_dir, changes_since)
        )
    except FacilitatorError as error:
        raise ReportError(str(error)) from None
    if changes_since is True:
        changes_since = context["changes"]["since"] if context["changes"] else "the previous session"
    context["changes_since"] = changes_since or None
    if templates_dir is None:
        # Our own templates cannot loop away or pile up memory: rendered here, without a process.
        return _render_template(folder, path, context)
    return _render_in_child(folder, path, context, timeout)


def export(
    session: Session,
    document: str,
    path: Path,
    templates_dir: Path | None = None,
    *,
    changes_since: Any = None,
    history: history_module.Timeline | None = None,
    private: bool = False,
) -> Path:
    """Render a document and write it to `path` atomically. Returns the path written.

    A new file is readable by others as documents usually are (0644 less the umask), and a file
    replaced keeps its mode; `private`: 0600 whatever (an export written into the data folder).

    The document is rendered in full before anything is written, so a broken template or a
    runaway loop leaves an earlier export untouched.
    """
    text = render(session, document, templates_dir, changes_since=changes_since, history=history)
    path = Path(path)
    if path.is_dir():
        raise ReportError(f"Cannot write the {document} to {path}: that is a folder; give a file name.")
    if not path.parent.is_dir():
        raise ReportError(f"Cannot write the {document} to {path}: the folder {path.parent} does not exist.")
    try:
        atomic_write_text(path, text, mode=PRIVATE_FILE if private else None, new_mode=SHARED_FILE)
    except PermissionError:
        raise ReportError(f"Cannot write the {document} to {path}: permission denied.") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ReportError(f"Cannot write the {document} to {path}: {reason}.") from None
    return path


def _check_jinja_version() -> None:
    found = tuple(int(part) for part in re.findall(r"\d+", jinja2.__version__)[:3])
    if found < MIN_JINJA:
        raise ReportError(
            f"Reports need Jinja2 {'.'.join(map(str, MIN_JINJA))} or later (found {jinja2.__version__}); upgrade it."
        )


def _check_template_file(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReportError(f"Template file {path} not found.") from None
    except OSError as error:
        raise ReportError(f"Cannot read template file {path}: {error.strerror or error}.") from None
    if not path.is_file():
        raise ReportError(f"Template {path} is not a file.")
    if size > MAX_TEMPLATE_BYTES:
        raise ReportError(f"Template {path} is too large to be a template ({size:,} bytes).")


def _render_template(folder: Path, path: Path, context: dict[str, Any]) -> str:
    env = _make_environment(folder)
    try:
        template = env.get_template(path.name)
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise ReportError(
                    f"Template {path} produced more than {MAX_OUTPUT // 1_000_000} MB of "
                    f"output; check it for runaway loops."
                )
            chunks.append(chunk)
        return "".join(chunks)
    except ReportError:
        raise
    except TemplateSyntaxError as error:
        where = error.filename or str(path)
        raise ReportError(
            f"Template {where}, line {error.lineno}: syntax error: {(error.message or '').rstrip('.')}."
        ) from None
    except TemplateNotFound as error:
        raise ReportError(
            f"Template {path}{_line_of(error, folder)}: included template '{error.name}' not found in {folder}."
        ) from None
    except UnicodeDecodeError:
        raise ReportError(f"Template {path} is not UTF-8 text.") from None
    except MemoryError as error:
        raise ReportError(_too_much_memory(path, _line_of(error, folder))) from None
    except RecursionError as error:
        raise ReportError(
            f"{_where(error, folder, path)}: calls itself too deeply (a macro or include that never ends)."
        ) from None
    except Exception as error:  # noqa: BLE001 - anything a template does wrong becomes one sentence
        raise ReportError(f"{_where(error, folder, path)}: {_describe(error)}") from None


def _describe(error: BaseException) -> str:
    message = str(error).strip() or type(error).__name__
    if isinstance(error, jinja2.UndefinedError):
        message = f"{message} (a misspelt variable or attribute?)"
    elif not isinstance(error, SecurityError):
        message = f"{type(error).__name__}: {message}"
    return message if message.endswith((".", "?", ")")) else message + "."


def _template_frames(error: BaseException | None, folder: Path) -> list[tuple[str, int]]:
    """(file, line) of the traceback frames that are template code, innermost last."""
    if error is None:
        return []
    frames = []
    root = str(folder.resolve())
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIX) or filename.startswith(root):
            frames.append((filename, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _where(error: BaseException, folder: Path, path: Path) -> str:
    frames = _template_frames(error, folder)
    if frames:
        filename, line = frames[-1]
        return f"Template {filename}, line {line}"
    return f"Template {path}"


def _line_of(error: BaseException | None, folder: Path) -> str:
    frames = _template_frames(error, folder)
    return f", line {frames[-1][1]}" if frames else ""


# --------------------------------------------------------------------------------------------
# The child process, its memory limit and its deadline


_CHILD_MEMORY_EXIT = 3  # report_child.MEMORY_EXIT (not imported: the child's module is for the child)


def _too_much_memory(path: Path, line: str = "") -> str:
    return f"Template {path}{line} used more than {MAX_MEMORY // 2**20} MB; check it for runaway loops."


def _too_slow(path: Path, timeout: float) -> str:
    return f"Template {path} took more than {timeout:g} s; check it for runaway loops."


def _render_in_child(folder: Path, path: Path, context: dict[str, Any], timeout: float) -> str:
    """Render a customised template in `python -m facilitator.reports.child`, limited to MAX_MEMORY
    and killed with its process group once `timeout` seconds have passed since it started.

    Called from a worker thread in the app (the export dialog's preview and write), from the CLI
    directly; it only waits on pipes, so the app stays responsive. Whatever the child does, the
    caller gets the text or a ReportError of one sentence.
    """
    import pickle
    import signal
    import subprocess
    import sys

    payload = pickle.dumps((str(folder), str(path), context), protocol=pickle.HIGHEST_PROTOCOL)
    env = dict(os.environ)
    # The child imports this very package, wherever it was imported from (a checkout, a wheel).
    package_parent = str(Path(__file__).resolve().parents[2])  # the folder facilitator/ is in
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (package_parent, env.get("PYTHONPATH"))))
    command = [sys.executable, "-m", "facilitator.reports.child", str(MAX_MEMORY), f"{timeout:g}"]
    try:
        child = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except OSError as error:
        raise ReportError(
            f"Template {path} could not be rendered: cannot start a process ({error.strerror or error})."
        ) from None
    try:
        out, err = child.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child, signal.SIGKILL)
        child.communicate()
        raise ReportError(_too_slow(path, timeout)) from None
    except BaseException:
        _kill_group(child, signal.SIGKILL)
        child.communicate()
        raise
    finally:
        _kill_group(child, signal.SIGKILL)  # anything the template's process left behind in its group
    try:
        answer = json.loads(out.decode("utf-8", "surrogatepass")) if out else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        answer = None
    if isinstance(answer, dict):
        text = answer.get("text")
        if isinstance(text, str):
            return text
        if isinstance(answer.get("error"), str):
            raise ReportError(answer["error"])
        if answer.get("memory") is True:
            raise ReportError(_too_much_memory(path))
    if (
        child.returncode in (_CHILD_MEMORY_EXIT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT)
        or b"MemoryError" in err
    ):
        raise ReportError(_too_much_memory(path))  # killed for memory, or crashed for want of it
    if child.returncode in (-signal.SIGXCPU,):
        raise ReportError(_too_slow(path, timeout))
    last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {child.returncode}"]
    raise ReportError(f"Template {path} could not be rendered: the rendering process stopped ({last[0][:200]}).")


def _kill_group(child: Any, signal_number: int) -> None:
    try:
        os.killpg(child.pid, signal_number)
    except (ProcessLookupError, PermissionError, OSError):
        pass


# --------------------------------------------------------------------------------------------
# The sandbox


# A width or precision of a million or more: "%9999999s", "%(key)9999999s", "{:9999999}".
_FORMAT_SPEC_HUGE = re.compile(r"(?:%(?:\([^)]*\))?[^a-zA-Z%]*|\{[^{}]*:[^{}]*?)\d{7,}")
_HUGE_NUMBER = re.compile(r"\d{7,}")
_STR_TYPES = (str, bytes, bytearray)
_SEQUENCE_TYPES = (str, bytes, bytearray, list, tuple)


def _refuse(what: str, size: int, limit: int = MAX_VALUE) -> None:
    raise SecurityError(f"{what} would be too large ({size:,}); reports refuse values over {limit:,}")


def _len(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_result(value: Any, limit: int = MAX_VALUE) -> Any:
    if isinstance(value, (str, bytes, bytearray, list, tuple, dict, set, frozenset)) and len(value) > limit:
        _refuse("the result", len(value), limit)
    return value


def _check_ints(values: Iterable[Any], what: str) -> None:
    for value in values:
        if _is_int(value) and abs(value) > MAX_VALUE:
            _refuse(what, abs(value))


def _check_format_string(value: Any) -> None:
    if isinstance(value, str) and _FORMAT_SPEC_HUGE.search(value):
        raise SecurityError("a format width or precision that large is refused in reports")


def _estimate_join(items: list[Any], separator: Any) -> int:
    return sum(_len(item) if isinstance(item, _STR_TYPES) else len(str(item)) for item in items) + max(
        0, len(items) - 1
    ) * _len(separator)


def _estimate_replace(s: Any, old: Any, new: Any, count: Any = None) -> int:
    s, old, new = str(s), str(old), str(new)
    hits = len(s) + 1 if old == "" else s.count(old)
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    return len(s) + hits * max(0, len(new) - len(old))


class _Generator(CodeGenerator):
    """Routes `~` (string concatenation) through a size check, like the intercepted binops."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class ReportEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox, plus limits on the size of what a template can build."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            if _is_int(left) and isinstance(right, _SEQUENCE_TYPES):
                left, right = right, left
            if isinstance(left, _SEQUENCE_TYPES) and _is_int(right):
                if len(left) * max(right, 0) > MAX_SIZE:
                    _refuse(f"'{type(left).__name__} * {right}'", len(left) * right, MAX_SIZE)
            elif _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                _refuse("the product (in bits)", left.bit_length() + right.bit_length(), MAX_INT_BITS)
        elif operator == "**":
            if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
                if left.bit_length() * right > MAX_INT_BITS:
                    raise SecurityError(f"the power {left} ** {right} is too large for a report")
        elif operator == "+":
            if isinstance(left, _SEQUENCE_TYPES) and isinstance(right, _SEQUENCE_TYPES):
                if len(left) + len(right) > MAX_SIZE:
                    _refuse("the sum", len(left) + len(right), MAX_SIZE)
        elif operator == "%":
            if isinstance(left, str):
                _check_format_string(left)
                if "*" in left:  # widths taken from the arguments
                    _check_ints(right if isinstance(right, tuple) else (right,), "a format width")
        return _check_result(super().call_binop(context, operator, left, right), MAX_SIZE)

    def checked_concat(self, context: Any, values: tuple[Any, ...]) -> str:
        parts = [v if isinstance(v, str) else str(v) for v in values]
        total = sum(len(p) for p in parts)
        if total > MAX_SIZE:
            _refuse("the joined text", total, MAX_SIZE)
        return markup_join(parts) if context.eval_ctx.autoescape else str_join(parts)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # str.translate can grow a string a million-fold in one C call that no deadline stops.
        if isinstance(obj, _STR_TYPES) and attr in ("translate", "maketrans"):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja2's own wrapper, with a formatter that also checks widths taken from the arguments.
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        pattern = value.__self__
        is_format_map = value.__name__ == "format_map"
        formatter = (
            _CheckedEscapeFormatter(self, escape=pattern.escape)
            if isinstance(pattern, Markup)
            else _CheckedFormatter(self)
        )

        @functools.wraps(wrapper)
        def checked(*args: Any, **kwargs: Any) -> str:
            _check_format_string(pattern)
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError(f"format_map() takes exactly one argument ({len(args) + len(kwargs)} given)")
                mapping = args[0]
                args, kwargs = (), mapping
            result: str = _check_result(type(pattern)(formatter.vformat(pattern, args, kwargs)))
            return result

        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner = getattr(__obj, "__self__", None)
        if owner is not None and not isinstance(owner, type(functools)):
            # A method of a built-in value: no width, count or size argument beyond the limit.
            _check_ints(list(args) + list(kwargs.values()), "an argument")
            name = getattr(__obj, "__name__", "")
            if isinstance(owner, _STR_TYPES):
                if name == "join" and args:
                    items = list(args[0])
                    total = _estimate_join(items, owner)
                    if total > MAX_VALUE:
                        _refuse("the joined text", total)
                    args = (items,) + args[1:]
                elif name == "replace" and len(args) >= 2:
                    total = _estimate_replace(owner, *args[:3])
                    if total > MAX_VALUE:
                        _refuse("the replaced text", total)
                elif name == "expandtabs":
                    size = args[0] if args else kwargs.get("tabsize", 8)
                    tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")  # bytes count bytes
                    total = len(owner) + tabs * (size if _is_int(size) else 8)
                    if total > MAX_VALUE:
                        _refuse("the expanded text", total)
        result = _check_result(super().call(__context, __obj, *args, **kwargs))
        if isinstance(owner, (list, dict, set, bytearray)):
            _check_result(owner)  # grown in place: l.extend(l) doubles a list in one call
        if isinstance(__obj, Macro) and type(result) is str:
            # A macro's output is template text plus values it already escaped when printing them.
            result = markdown.MarkdownSafe(result)
        return result


class _CheckedFormatter(SandboxedFormatter):
    """str.format in a template: every width and precision is checked before anything is built,
    also one filled in from the arguments ('{:{w}}'), which the format string alone does not show."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if _HUGE_NUMBER.search(format_spec):
            raise SecurityError("a format width or precision that large is refused in reports")
        return super().format_field(value, format_spec)


class _CheckedEscapeFormatter(_CheckedFormatter, SandboxedEscapeFormatter):
    pass


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a built-in filter with size checks on what it is asked to build."""
    skip = 1 if hasattr(func, "jinja_pass_arg") else 0

    @functools.wraps(func)
    def guarded(*given: Any, **kwargs: Any) -> Any:
        args = list(given)  # a filter's value may be replaced by the list it was read into
        value_args = args[skip:]
        if value_args:
            value, extra = value_args[0], value_args[1:]
            if name in ("center", "indent", "batch", "slice", "tojson", "truncate", "wordwrap"):
                _check_ints(list(extra) + list(kwargs.values()), f"the '{name}' width")
            if name == "indent":
                width = extra[0] if extra else kwargs.get("width", 4)
                width = width if _is_int(width) else _len(width)
                total = len(str(value)) + (str(value).count("\n") + 1) * width
                if total > MAX_VALUE:
                    _refuse("the indented text", total)
            elif name == "join":
                items = list(value)
                separator = extra[0] if extra else kwargs.get("d", "")
                attribute = extra[1] if len(extra) > 1 else kwargs.get("attribute")
                measured = (
                    items if attribute is None else [make_attrgetter(args[0].environment, attribute)(i) for i in items]
                )
                total = _estimate_join(measured, separator)
                if total > MAX_VALUE:
                    _refuse("the joined text", total)
                args[skip] = items
            elif name == "replace" and len(extra) >= 2:
                total = _estimate_replace(
                    value, *extra[:3], **({"count": kwargs["count"]} if "count" in kwargs else {})
                )
                if total > MAX_VALUE:
                    _refuse("the replaced text", total)
            elif name == "wordwrap":
                wrap = kwargs.get("wrapstring") if len(extra) < 3 else extra[2]
                text = str(value)
                lines = min(len(text), text.count(" ") + text.count("\n") + len(text) // 2 + 1)
                total = len(text) + lines * _len(wrap or "\n")
                if total > MAX_VALUE:
                    _refuse("the wrapped text", total)
            elif name == "format":
                _check_format_string(value)
                if isinstance(value, str) and "*" in value:
                    _check_ints(list(extra), "a format width")
            elif name == "sum":
                start = kwargs.get("start", extra[1] if len(extra) > 1 else 0)
                if isinstance(start, _SEQUENCE_TYPES):
                    items = list(value)
                    total = len(start) + sum(_len(i) for i in items)
                    if total > MAX_VALUE:
                        _refuse("the sum", total)
                    args[skip] = items
        return _check_result(func(*args, **kwargs))

    return guarded


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept between runs, so an export does not compile its template anew (25 ms).

    Jinja2 finds a template's entry by name and file path and uses it only when the template's
    source checksum matches, so an edited custom template is compiled again. The key is salted with
    what else shapes the compiled code: Python's and Jinja2's versions (`bc_magic` and the salt),
    and this module and `markdown` (the code generator, the environment's options, the filters).
    Entries are written atomically; a cache that cannot be read or written is simply not used.
    """

    def __init__(self, folder: str, salt: bytes) -> None:
        self.folder = folder
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(
            b"\0".join(
                (
                    self.salt,
                    name.encode("utf-8", "surrogateescape"),
                    (filename or "").encode("utf-8", "surrogateescape"),
                )
            )
        ).hexdigest()

    def _header(self, bucket: Any) -> bytes:
        magic: bytes = jinja2.bccache.bc_magic
        checksum: str = bucket.checksum
        return magic + checksum.encode("ascii") + b"\n"

    def load_bytecode(self, bucket: Any) -> None:
        try:
            with open(os.path.join(self.folder, bucket.key), "rb") as handle:
                data = handle.read()
            header = self._header(bucket)
            if data.startswith(header):
                bucket.code = marshal.loads(data[len(header) :])
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()  # compiled again, and written anew

    def dump_bytecode(self, bucket: Any) -> None:
        if bucket.code is None:
            return
        from facilitator.base.user_cache import prune, write_quietly

        if write_quietly(os.path.join(self.folder, bucket.key), self._header(bucket) + marshal.dumps(bucket.code)):
            # Each customised template (by path) gets its own entry: without a bound they pile up.
            prune(self.folder, MAX_COMPILED_TEMPLATES)


def _compiled_templates() -> _CompiledTemplates | None:
    """The cache of compiled templates in the user's cache folder, or None where there is none.

    `$XDG_CACHE_HOME/facilitator/templates`, else `~/.cache/facilitator/templates`; created
    private (0700), and used only when it is ours and nobody else can write to it: loading compiled
    code from a folder someone else controls would run their code. At most MAX_COMPILED_TEMPLATES
    entries are kept.
    """
    from facilitator.base.user_cache import private_cache_folder

    folder = private_cache_folder("templates")
    if folder is None:
        return None
    return _templates_cache_in(folder)


@functools.lru_cache(maxsize=4)
def _templates_cache_in(folder: str) -> _CompiledTemplates | None:
    try:
        salt = hashlib.sha256(
            b"\0".join((jinja2.__version__.encode(), Path(__file__).read_bytes(), Path(markdown.__file__).read_bytes()))
        ).digest()
    except (OSError, AttributeError, TypeError):
        return None
    return _CompiledTemplates(folder, salt)


def _make_environment(folder: Path) -> ReportEnvironment:
    env = ReportEnvironment(
        loader=FileSystemLoader(str(folder.resolve()), encoding="utf-8"),
        bytecode_cache=_compiled_templates(),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=markdown.finalize,
        auto_reload=False,
        cache_size=0,
    )
    env.globals.pop("lipsum", None)  # a text generator with a size argument; nothing a report needs
    env.filters = {name: _guard_filter(name, func) for name, func in env.filters.items()}
    env.filters.update(
        {
            "inline": markdown.inline,
            "cell": markdown.cell,
            "block": markdown.block,
        }
    )
    return env
