"""A plain-text summary of a session for `facilitator show` (no Textual, no Jinja2)."""

from __future__ import annotations

from facilitator.domain.content import load_checklist
from facilitator.domain.formatting import format_agreed, format_index, format_mean, format_score, format_spread
from facilitator.domain.model import Session
from facilitator.domain.scoring import (
    all_point_stats,
    joint_index,
    partner_indexes,
    point_flags,
    section_status,
    sections_to_address,
)


def session_summary_text(session: Session) -> str:
    checklist = load_checklist(session.checklist_version)
    lines = [
        f"{session.alliance} - {session.kind} on {session.date}",
        f"Session {session.id}"
        + (f", follows {session.follows}" if session.follows else "")
        + (f", facilitated by {session.facilitator}" if session.facilitator else ""),
        "",
        "Partners",
    ]
    indexes = partner_indexes(session, checklist)
    for partner in session.partners:
        sponsors = ", ".join(partner.sponsors) or "no sponsor named"
        lines.append(f"  {partner.name} (sponsors: {sponsors}) - own health index {format_index(indexes[partner.key])}")
    lines += ["", f"Joint health index: {format_index(joint_index(session, checklist))} / 100", ""]

    header = ["#", "Point"] + [p.name[:12] for p in session.partners] + ["Mean", "Spread", "Agreed", "Flag"]
    rows = [header]
    for point, stats in zip(checklist.points, all_point_stats(session, checklist)):
        cells = [format_score(stats.scores.get(p.key, "-")) for p in session.partners]
        rows.append(
            [
                str(point.number),
                point.title[:34],
                *cells,
                format_mean(stats.mean),
                format_spread(stats.spread),
                format_agreed(stats.agreed),
                ", ".join(point_flags(stats)).replace("gap", "GAP"),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines += ["  " + "  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]

    to_address = sections_to_address(session, checklist)
    lines += ["", "Agreement"]
    for section in checklist.sections:
        status = section_status(session, checklist, section.key, to_address)
        lines.append(f"  {section.number:>2}. {section.title:<40} {status}")

    open_actions = [a for a in session.actions if a.status == "open"]
    lines += ["", f"Open actions ({len(open_actions)})"]
    for action in open_actions:
        owner = action.owner or "no owner"
        due = f", due {action.due}" if action.due else ""
        lines.append(f"  - {action.text} ({owner}{due})")
    if session.next_meeting:
        lines += ["", f"Next meeting: {session.next_meeting}"]
    return "\n".join(lines)
