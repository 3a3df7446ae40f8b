"""Sessions and Markdown-parsing helpers for the report tests."""

from __future__ import annotations

from markdown_it import MarkdownIt

from facilitator.domain.model import (
    ActionItem,
    Decision,
    Measure,
    Role,
    SectionDraft,
    Session,
    SponsorMeeting,
)
from facilitator.domain.roster import make_partners

# Every way typed text could try to become Markdown structure or HTML.
HOSTILE = [
    "pipe | in | text",
    "# Heading attempt",
    "===",
    "---",
    "use `code` here",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[link](javascript:x)",
    "* list",
    "1. item",
    "    code",
    "> quote",
    "**bold** _em_ ~~strike~~",
    "&amp; &lt;b&gt;",
    "ends with backslash \\",
    "Acme #",
    "![img](http://x/y.png)",
    "<http://example.com>",
    "[ref]: http://example.com",
    "```",
    "+ plus",
    "2026) numbered",
]
HOSTILE_MULTILINE = "\n".join(HOSTILE)
HOSTILE_NAME = "<b>Acme</b> | # [x](javascript:y) `c` *s* 1. \\"


def rich_session(*, partner_names: list[str] | None = None, hostile: str | None = None) -> Session:
    """A session with something in every part: scores of every kind, notes, drafts, tables.

    With `hostile`, that text goes in the first partner's name (when a one-line name), a note, a
    section text, a measure name and owner, a role, a task, an action and a meeting's notes.
    """
    names = partner_names or ["Acme", "Globex", "Initech"]
    partners = make_partners(names)
    acme, globex, initech = (partners + [None, None])[:3]
    acme.sponsors = ["Ada Lovelace", "Brian Kernighan"]
    acme.participants = ["Chris Date"]
    globex.sponsors = ["Grace Hopper"]
    globex.participants = ["Dennis Ritchie", "Edsger Dijkstra"]
    session = Session(
        id="acme-globex-2026-03-12",
        alliance="Northern Logistics Alliance",
        partners=partners,
        date="2026-03-12",
        kind="kickoff",
        facilitator="Frances Allen",
        created_at="2026-03-12T09:00:00+00:00",
    )
    scores = {
        "joint-framework": [3, 3, 2],
        "needs-shared": [1, 3, "?"],
        "mutual-benefit": [0, 4, 2],
        "relational-expectations": [2, 2, 2],
        "agreement-beyond-contract": ["n/a", 1, 1],
        "sponsors-meet": [4, 4, 3],
        "relational-measures": [1, 0, None],
        "trust-indicator": ["?", "?", "?"],
        "partnering-training": [2, None, None],
    }  # joint-communications: not scored
    for key, values in scores.items():
        for partner, value in zip(partners, values):
            if partner is not None and value is not None:
                session.set_score(key, partner.key, value)
        session.point(key).revealed = True
    session.point("joint-framework").agreed = 3
    session.point(
        "mutual-benefit"
    ).notes = "Globex sees clear gains; Acme does not yet.\n\nAgreed to list each partner's expected benefits."
    session.point("needs-shared").notes = "Initech has not written its profile yet."

    session.sections["purpose"] = SectionDraft(
        text="Move freight across the northern corridor faster and cheaper than any of us could alone.\n\n"
        "In scope: road and rail transfers.\nOut of scope: air freight.",
        agreed=True,
        endorsed_by=[p.key for p in partners],
    )
    session.sections["partner-profiles"] = SectionDraft(text="Acme brings warehouses; Globex brings routing software.")
    session.sections["mutual-benefits"] = SectionDraft(
        text="Benefits are tracked quarterly.", agreed=True, endorsed_by=[acme.key]
    )
    session.sections["governance"] = SectionDraft(text="Sponsors meet in person every six months.")
    session.measures = [
        Measure(
            id="m1",
            name="Trust between the partners",
            kind="relational",
            how_measured="Survey, 1-5",
            target="4 of 5",
            owner="Grace Hopper",
            review_frequency="Quarterly",
        ),
        Measure(
            id="m2",
            name="Revenue from the alliance",
            kind="economic",
            how_measured="Booked revenue",
            target="EUR 2m a year",
            owner="Ada Lovelace",
            review_frequency="Quarterly",
        ),
        Measure(
            id="m3",
            name="Conflict resolution",
            kind="relational",
            how_measured="Days to settle issues",
            target="",
            owner="",
            review_frequency="Twice a year",
        ),
    ]
    session.roles = [
        Role(id="r1", partner=globex.key, person="Grace Hopper", responsibility="Routing and IT"),
        Role(id="r2", partner=acme.key, person="Ada Lovelace", responsibility="Warehousing"),
        Role(id="r3", partner="", person="Chris Date", responsibility="Alliance manager"),
    ]
    session.tasks = [
        ActionItem(
            id="t1", text="Write the joint purpose statement", owner="Ada Lovelace", partner=acme.key, due="2026-04-30"
        ),
        ActionItem(
            id="t2", text="Set up the benefits tracker", owner="Grace Hopper", partner="", due="", status="done"
        ),
    ]
    session.actions = [
        ActionItem(
            id="a1",
            text="Draft Initech's partner profile",
            owner="Dennis Ritchie",
            partner=(initech or globex).key,
            due="2026-04-15",
            point="needs-shared",
        ),
        ActionItem(
            id="a2",
            text="Propose benefit measures",
            owner="Ada Lovelace",
            partner=acme.key,
            due="2026-05-01",
            point="mutual-benefit",
        ),
        ActionItem(
            id="a3", text="Book the autumn sponsor meeting", owner="Grace Hopper", status="done", point="sponsors-meet"
        ),
        ActionItem(id="a4", text="Circulate the minutes", owner="Frances Allen"),
    ]
    session.sponsor_meetings = [
        SponsorMeeting(id="s2", date="2025-10-02", mode="remote", notes="Reviewed Q3 figures."),
        SponsorMeeting(id="s1", date="2025-04-10", mode="in person", notes="Kick-off dinner.\nAgreed to formalise."),
    ]
    session.decisions = [Decision(id="d1", text="Adopt the default relational measures.", date="2026-03-12")]
    session.next_meeting = "2026-09-15"

    if hostile is not None:
        if "\n" not in hostile and hostile.strip() == hostile:
            acme.name = hostile
        session.point("mutual-benefit").notes = hostile
        session.sections["partner-profiles"].text = hostile
        session.measures[0].name = hostile
        session.measures[0].owner = hostile
        session.roles[0].responsibility = hostile
        session.tasks[0].text = hostile
        session.actions[1].text = hostile
        session.sponsor_meetings[0].notes = hostile
    return session


# --------------------------------------------------------------------------------------------
# Reading Markdown back


def md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def parse(text: str):
    return md().parse(text)


def inline_text(token) -> str:
    """The text an inline token shows: text and code content, line breaks as newlines."""
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type in ("html_inline",):
            out.append(f"<<html:{child.content}>>")
    return "".join(out)


def block_types(tokens) -> list[str]:
    return [t.type for t in tokens]


def headings(tokens, level: int | None = None) -> list[str]:
    result = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and (level is None or token.tag == f"h{level}"):
            result.append(inline_text(tokens[i + 1]))
    return result


def tables(tokens) -> list[list[list[str]]]:
    """Every table as rows of cell texts (header row first)."""
    result: list[list[list[str]]] = []
    row: list[str] | None = None
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            result.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            row.append(inline_text(tokens[i + 1]))
        elif token.type == "tr_close":
            result[-1].append(row)
    return result


def table_with_header(tokens, first_cell: str, second_cell: str | None = None) -> list[list[str]]:
    matches = [t for t in tables(tokens) if t[0][0] == first_cell and (second_cell is None or t[0][1] == second_cell)]
    assert len(matches) == 1, f"expected one table headed {first_cell!r}, found {len(matches)}"
    return matches[0]


def section_tokens(tokens, heading: str) -> list:
    """The tokens under a heading, up to the next heading of the same or a higher level."""
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and inline_text(tokens[i + 1]) == heading:
            level = int(token.tag[1])
            end = len(tokens)
            for j in range(i + 3, len(tokens)):
                if tokens[j].type == "heading_open" and int(tokens[j].tag[1]) <= level:
                    end = j
                    break
            return tokens[i + 3 : end]
    raise AssertionError(f"no heading {heading!r}")


def all_text(tokens) -> list[str]:
    return [inline_text(t) for t in tokens if t.type == "inline"]
