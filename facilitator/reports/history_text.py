"""The alliance history as plain text and as JSON, for `facilitator history` (no Textual, no Jinja2)."""

from __future__ import annotations

from typing import Any

from facilitator.domain.formatting import format_change, format_index, format_score, index_change
from facilitator.domain.history import CADENCE_BASIS, SessionHistory, Timeline, history_at


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[list[str]], indent: str = "") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def history_text(timeline: Timeline) -> str:
    seen = history_at(timeline)
    trends = seen.trends
    sessions = timeline.sessions
    lines = [
        f"{timeline.alliance}: {len(sessions)} session{'s' if len(sessions) != 1 else ''}, "
        f"{sessions[0].date} to {sessions[-1].date}",
        "",
    ]

    partners = list(trends.partners)
    rows = [["DATE", "KIND", "JOINT", "CHANGE", *[_clip(p.name, 20).upper() for p in partners], "SESSION"]]
    gap_rows: dict[int, list[str]] = {}
    for i, session in enumerate(sessions):
        change = trends.joint.change(i)
        delta = format_change(index_change(change.before, change.after)) if i else ""
        marker = "*" if i == seen.index and len(sessions) > 1 else ""
        rows.append(
            [
                session.date,
                session.kind,
                format_index(trends.joint.values[i]),
                delta,
                *[format_index(p.values[i]) for p in partners],
                session.id + marker,
            ]
        )
        gaps = timeline.gaps_before(session.id)
        if gaps:
            gap_rows[i + 1] = [f"  ! {g.describe()}" for g in gaps]
    table = _table(rows)
    for row_index, row in enumerate(table):
        lines += gap_rows.get(row_index, [])
        lines.append(row)
    if len(sessions) > 1:
        lines.append("(* the session the comparisons below are seen from)")
    lines += ["", "Joint index: " + " → ".join(format_index(v) for v in trends.joint.values)]

    previous = seen.previous
    if previous is not None:
        lines += ["", f"Since {previous.date} (the {seen.session.kind} of {seen.session.date}):"]
        callouts = seen.callouts
        for kind, label in (
            ("improved", "Improved"),
            ("regressed", "Regressed"),
            ("persistent gap", "Persistent gaps"),
            ("gap closed", "Gaps closed"),
        ):
            found = [c for c in callouts if c.kind == kind]
            if found:
                lines.append(f"  {label}:")
                lines += [f"    - {c.describe()}" for c in found]
        if not callouts:
            lines.append("  No score moved by 1 or more, and no perception gap persists.")
        earlier = [p for p in trends.points if p.persistent_gap and not p.persistent_at(seen.index)]
        for point in earlier:
            runs = ", ".join(f"{sessions[a].date} to {sessions[b].date}" for a, b in point.gap_runs)
            lines.append(f"  Earlier persistent gap: {point.number}. {point.title} ({runs})")
    elif seen.gaps:
        lines += ["", "No earlier session could be read to compare with."]

    lines += ["", "Trends per point: the score at each session (oldest first), then the change since the one before"]
    header = ["#", "POINT", *[_clip(p.name, 20).upper() for p in partners], "JOINT", "FLAG"]
    rows = [header]
    for point in trends.points:
        cells = []
        for series in point.partners:
            shown = " ".join(_raw(v) for v in series.scores)
            delta = format_change(series.change(seen.index).delta) if seen.index else ""
            cells.append(f"{shown}  {delta}".rstrip())
        values = " ".join(format_score(None if v is None else round(v, 1)) for v in point.values)
        joint_delta = format_change(point.change(seen.index).delta, 1) if seen.index else ""
        run = point.gap_run(seen.index)
        flag = f"persistent gap ({run} sessions)" if run >= 2 else ("gap" if point.gaps[seen.index] else "")
        rows.append([str(point.number), _clip(point.title, 34), *cells, f"{values}  {joint_delta}".rstrip(), flag])
    lines += _table(rows, "  ")

    cadence = seen.cadence
    lines += ["", f"Sponsor meetings (point 6): {cadence.verdict.upper()}. {cadence.summary()}"]
    if cadence.in_person:
        lines.append("  In person: " + ", ".join(m.date for m in cadence.in_person))
    if cadence.remote:
        lines.append("  Remote: " + ", ".join(m.date for m in cadence.remote))
    lines += [f"  Missed: {m.describe()}" for m in cadence.missed]
    if cadence.planned:
        lines.append("  Planned: " + ", ".join(f"{m.date} ({m.mode})" for m in cadence.planned))
    if cadence.sessions_without_record:
        lines.append(
            "  Sessions with no sponsor meeting recorded on their day: " + ", ".join(cadence.sessions_without_record)
        )
    lines.append(f"  ({CADENCE_BASIS})")

    if seen.changes is not None and previous is not None:
        changed = [c for c in seen.changes if c.changed]
        lines += ["", f"Agreement since {previous.date}: {len(changed)} of {len(seen.changes)} sections changed"]
        for section in changed:
            lines.append(f"  {section.number}. {section.title}: {section.status_label.lower()}")
            for line in section.lines:
                if line.kind == "changed":
                    lines += [f"     - {line.before}", f"     + {line.text}"]
                elif line.kind == "removed":
                    lines.append(f"     - {line.text}")
                elif line.kind == "added":
                    lines.append(f"     + {line.text}")
    return "\n".join(lines)


def _raw(value: Any) -> str:
    return "-" if value is None else str(value)


def history_json(timeline: Timeline) -> dict[str, Any]:
    seen: SessionHistory = history_at(timeline)
    trends = seen.trends
    cadence = seen.cadence
    return {
        "alliance": timeline.alliance,
        "focus": seen.session.id,
        "sessions": [
            {
                "id": s.id,
                "date": s.date,
                "kind": s.kind,
                "follows": s.follows,
                "facilitator": s.facilitator,
                "joint_index": trends.joint.values[i],
                "partner_indexes": {p.key: p.values[i] for p in trends.partners},
            }
            for i, s in enumerate(timeline.sessions)
        ],
        "gaps": [
            {"id": g.id, "referenced_by": g.referenced_by, "kind": g.kind, "reason": g.reason} for g in timeline.gaps
        ],
        "partners": [{"key": p.key, "name": p.name} for p in trends.partners],
        "trends": {
            "joint": list(trends.joint.values),
            "points": [
                {
                    "key": p.key,
                    "number": p.number,
                    "title": p.title,
                    "values": list(p.values),
                    "spreads": list(p.spreads),
                    "gaps": list(p.gaps),
                    "persistent_gap": p.persistent_gap,
                    "gap_runs": [list(run) for run in p.gap_runs],
                    "partners": {
                        s.key: {"scores": list(s.scores), "changes": [s.change(i).delta for i in range(len(trends))]}
                        for s in p.partners
                    },
                }
                for p in trends.points
            ],
        },
        "since": None
        if seen.previous is None
        else {
            "session": seen.session.id,
            "previous": seen.previous.id,
            "callouts": [
                {
                    "kind": c.kind,
                    "point": c.point_key,
                    "partner": c.partner_key,
                    "before": c.before,
                    "after": c.after,
                    "delta": c.delta,
                    "sessions": c.sessions,
                    "text": c.describe(),
                }
                for c in seen.callouts
            ],
        },
        "cadence": {
            "reference": cadence.reference,
            "window_start": cadence.window_start,
            "met": cadence.met,
            "count": cadence.count,
            "required": cadence.required,
            "summary": cadence.summary(),
            "in_person": [m.date for m in cadence.in_person],
            "remote": [m.date for m in cadence.remote],
            "planned": [{"date": m.date, "mode": m.mode} for m in cadence.planned],
            "missed": [{"date": m.date, "planned_in": m.planned_in, "reason": m.reason} for m in cadence.missed],
            "sessions_without_record": list(cadence.sessions_without_record),
            "basis": CADENCE_BASIS,
        },
        "agreement_changes": None
        if seen.changes is None or seen.previous is None
        else {
            "session": seen.session.id,
            "previous": seen.previous.id,
            "sections": [
                {
                    "key": c.key,
                    "number": c.number,
                    "title": c.title,
                    "status": c.status,
                    "lines": [
                        {"kind": line.kind, "text": line.text, "before": line.before}
                        for line in c.lines
                        if line.kind != "same"
                    ],
                }
                for c in seen.changes
            ],
        },
    }
