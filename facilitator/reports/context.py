"""The data a report template sees: plain dicts and lists built from the session (and the
alliance's history), never the session itself, each value ready to show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from facilitator.base.terminal_text import is_blank
from facilitator.domain import content, formatting, scoring
from facilitator.domain.model import Session

if TYPE_CHECKING:
    from facilitator.domain import history as history_module


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
# The data templates see


def build_context(
    session: Session,
    checklist: content.Checklist,
    history: history_module.Timeline | None = None,
    *,
    with_history: bool = True,
    with_changes: bool = True,
    today: str = "",
) -> dict[str, Any]:
    """Everything a template needs, as plain data (dicts, lists, str, int, float, bool, None).

    Deterministic: lists follow the checklist's and the session's order (sponsor meetings by
    date), and no value depends on the clock. `history` is the alliance's timeline (see
    `facilitator.domain.history.load_timeline`); with it, a follow-up gets its trend since the session
    before and its agreement changes. Without it the session is seen on its own.
    `with_history=False` leaves out `previous`, `trend`, `changes`, `cadence` and `history`
    altogether, for a template that does not use them (see `needs_history`); `with_changes=False`
    leaves out only `changes` (None), the section-by-section comparison with the session before,
    which our templates show only when asked for (`changes_since`) and a rewritten agreement makes
    the slowest part of an export.
    `today` (an ISO date) is what "overdue" is measured against: the caller passes the clock's date,
    tests a fixed one; empty, no action is called overdue.
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
        entry["notes_or_comments"] = bool(not is_blank(entry["notes"]) or entry["comments"])
        entry["noted"] = bool(entry["notes_or_comments"] or entry["actions"])
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
                "drafted": not is_blank(text),
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
            **_signing_context(p),
        }
        for p in session.partners
    ]

    partner_names = [p.name for p in session.partners]
    seen = _history_context(session, history, with_changes) if with_history else {}
    if seen.get("changes"):
        by_key = {c["key"]: c for c in seen["changes"]["sections"]}
        for entry in sections:
            change = by_key.get(entry["key"])
            if change:
                entry["change"], entry["change_label"] = change["status"], change["status_label"]
    result = {
        "title": {
            "alliance": session.alliance,
            "kind": session.kind,
            "kind_label": KIND_LABELS.get(session.kind, session.kind),
            "date": session.date,
            "facilitator": "" if is_blank(session.facilitator) else session.facilitator,
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
        **_terms_context(session, checklist, history),
    }
    result.update(_board_summary(result, today))
    return result


def _signing_context(partner: Any) -> dict[str, Any]:
    """A partner as the agreement's parties table and signature block name it."""
    return {
        "legal_name": partner.legal_name,
        "signing_name": partner.signing_name,
        "signatory": partner.signatory,
        "signatory_title": partner.signatory_title,
    }


def _terms_context(
    session: Session, checklist: content.Checklist, timeline: history_module.Timeline | None
) -> dict[str, Any]:
    """`terms` (version, dates, governance, escalation, deadlock rule, exit triggers checked) and
    `exit_triggers_hit` (one line per trigger hit), for both documents."""
    from facilitator.domain import agreement_checks

    terms = session.terms
    checks = agreement_checks.check_triggers(session, timeline)
    final = agreement_checks.is_final(session, checklist)
    return {
        "terms": {
            "version": agreement_checks.version_number(session, timeline),
            "version_label": agreement_checks.version_label(session, timeline),
            "final": final,
            "draft": not final,
            "effective_date": terms.effective_date,
            "term": terms.term,
            "next_review": terms.next_review,
            "governance": [
                {"layer": g.layer, "who": g.who, "how_often": g.how_often, "decides": g.decides}
                for g in terms.governance
            ],
            "escalation": [
                {"level": number, "who": e.who, "time_limit": e.time_limit}
                for number, e in enumerate(terms.escalation, start=1)
            ],
            "deadlock_rule": terms.deadlock_rule,
            "triggers": [
                {
                    "kind": c.trigger.kind,
                    "criterion": c.criterion,
                    "consequence": c.trigger.consequence,
                    "consequence_label": c.consequence_label,
                    "hit": c.hit,
                    "state": c.state,
                    "reason": c.reason,
                }
                for c in checks
            ],
        },
        "exit_triggers_hit": agreement_checks.hit_lines(checks),
    }


def _board_summary(context: dict[str, Any], today: str) -> dict[str, Any]:
    """What the scorecard's summary and action plan add: overdue actions as of `today`, the exit
    triggers hit (from the agreement's trigger checks), the figures
    (filled in by `render`) and the summary paragraph, written from the data as plain text (the
    template escapes it like any other value)."""
    labels = column_labels([p["name"] for p in context["partners"]])
    for partner, label in zip(context["partners"], labels):
        partner["label"] = label
    # The trend table's columns take the same labels (a partner not in this session, its name).
    by_key = {partner["key"]: partner["label"] for partner in context["partners"]}
    for partner in (context.get("trend") or {}).get("partners", []):
        partner["label"] = by_key.get(partner["key"], partner["name"])
    actions = context["actions"]
    for entry in actions["all"]:
        entry["overdue"] = bool(today and not entry["done"] and entry["due"] and entry["due"] < today)
        entry["plan_status"] = "Overdue" if entry["overdue"] else entry["status_label"]
    actions["overdue"] = [a for a in actions["all"] if a["overdue"]]
    # The triggers as the agreement's checks found them (`_terms_context`); "no trigger is hit" is
    # said only when at least one could be checked.
    checked = any(trigger["hit"] is not None for trigger in context["terms"]["triggers"])
    extras: dict[str, Any] = {
        "as_of": today,
        "exit_triggers_hit": context["exit_triggers_hit"],
        "exit_triggers_checked": checked,
        "figures": [],
    }
    extras["summary"] = summary_paragraph({**context, **extras})
    return extras


FULL_NAME_COLUMNS = 3  # up to this many partners, the scores table heads its columns with full names


def column_labels(names: list[str]) -> list[str]:
    """Column heads for the partners in a table that must fit a page: the names themselves for up to
    three partners, else short labels (the initials, "P2" where they would be empty or repeat), which
    the document then spells out in a key."""
    if len(names) <= FULL_NAME_COLUMNS:
        return list(names)
    labels: list[str] = []
    for number, name in enumerate(names, start=1):
        words = ["".join(ch for ch in word if ch.isalnum()) for word in name.split()]
        label = "".join(w if w.isdigit() else w[0].upper() for w in words if w)[:4]
        suffix = number
        while not label or label in labels or label in names:
            label, suffix = f"P{suffix}", suffix + len(names)
        labels.append(label)
    return labels


def summary_paragraph(context: dict[str, Any]) -> str:
    """One paragraph for a board: the joint index and its change, the points to discuss first, the
    sponsor-meeting verdict, exit triggers hit, open and overdue actions. Plain text, from `context`."""
    health = context["health"]
    sentences = []
    if health["joint"] is None:
        sentences.append("No point has a score yet, so there is no joint health index.")
    else:
        index = f"The joint health index is {health['joint_display']} out of 100"
        trend = context.get("trend")
        if trend and trend["indexes"]:
            joint = trend["indexes"][0]
            delta = formatting.index_change(joint["before"], joint["after"])
            since = f"the {trend['since_kind_label'].lower()} of {trend['since']}"
            if delta is None:
                index += f" (no joint index at {since} to compare with)"
            elif delta == 0:
                index += f", unchanged since {since}"
            else:
                way = "up" if delta > 0 else "down"
                index += f", {way} {abs(delta)} from {joint['before_display']} at {since}"
        sentences.append(index + ".")
    first = context["discuss_first"]
    if first:
        named = [f"{p['number']}. {p['title']} ({p['flag']})" for p in first[:3]]
        more = f", and {len(first) - 3} more" if len(first) > 3 else ""
        sentences.append("Discuss first: " + "; ".join(named) + more + ".")
    else:
        sentences.append("No point shows a perception gap or a weak score.")
    cadence = context.get("cadence")
    if cadence:
        verdict = "met" if cadence["met"] else "not met"
        sentences.append(f"Sponsor meetings (point 6): {verdict}; {cadence['short']}.")
    triggers = context.get("exit_triggers_hit") or []
    if triggers:
        # The criteria only: the list under the summary gives each one's reason and consequence.
        criteria = [t["criterion"] for t in (context.get("terms") or {}).get("triggers", []) if t["hit"]]
        hit = (
            "; ".join(c[0].upper() + c[1:] for c in criteria)
            if criteria
            else "; ".join(t.rstrip(".") for t in triggers)
        )
        sentences.append(f"Exit or renegotiation triggers hit: {hit}.")
    elif context.get("exit_triggers_checked"):
        sentences.append("No exit or renegotiation trigger is hit.")
    actions = context["actions"]
    open_count, overdue = len(actions["open"]), len(actions["overdue"])
    if not actions["all"]:
        sentences.append("No actions were recorded.")
    else:
        text = f"{_count(open_count, 'action')} open"
        if overdue:
            text += f", {overdue} of them overdue as of {context['as_of']}"
        done = len(actions["done"])
        sentences.append(f"{text}; {done or 'none'} done.")
    return " ".join(sentences)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _history_context(
    session: Session, timeline: history_module.Timeline | None, with_changes: bool = True
) -> dict[str, Any]:
    """`previous`, `trend`, `changes`, `cadence` and `history` for the templates."""
    from facilitator.domain import history as history_module

    looked_up = timeline is not None and bool(timeline.sessions)
    if timeline is not None and looked_up:
        timeline = timeline.with_session(session)
    else:
        timeline = history_module.Timeline.single(session)
    index = timeline.index_of(session.id)
    assert index is not None
    seen = history_module.history_at(timeline, index, with_changes=with_changes)
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
            "short": cadence.short(),
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
            "joint_series": _joint_series(seen.trends, index),
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
    if not with_changes:
        return result
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


def _joint_series(trends: history_module.Trends, index: int) -> list[dict[str, Any]]:
    """The joint index at each session up to this one, oldest first (the trend chart's points)."""
    return [
        {"date": date, "index": value, "display": formatting.format_index(value)}
        for date, value in zip(trends.dates[: index + 1], trends.joint.values[: index + 1])
    ]


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
        if not is_blank(vote.comment)
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
