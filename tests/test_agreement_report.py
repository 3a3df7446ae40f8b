"""The agreement a sponsor signs, as exported Markdown parsed with markdown-it: version, dates,
parties, governance, escalation, deadlock rule, exit triggers with their state, signatures; terms
not agreed say so in one line; a draft says so at its top; hostile text shows as typed."""

from __future__ import annotations

from report_helpers import all_text, parse, section_tokens, table_with_header
from store_support import DEMO_DATE

from facilitator.domain.content import load_checklist
from facilitator.domain.demo import build_demo_session
from facilitator.domain.model import AgreementTerms, EscalationStep, ExitTrigger, GovernanceBody
from facilitator.domain.session_factory import create_session
from facilitator.reports.context import build_context
from facilitator.reports.render import render

GOVERNANCE = "7. Governance and sponsor meetings"
EXIT = "8. Disagreements, review and exit"
HOSTILE = "| *x* \\ <script>alert(1)</script> [l](javascript:alert(1)) # ![t](http://example.com/t.png)"


def test_the_demo_agreement_carries_version_dates_parties_governance_triggers_and_signatures():
    tokens = parse(render(build_demo_session(DEMO_DATE), "agreement"))
    texts = all_text(tokens)
    assert texts[1].startswith("DRAFT.")
    title = texts[2].splitlines()
    assert title[0] == "Version 1 (draft)"
    assert "Effective date: 2026-03-16" in title and "Next review: 2026-08-29" in title
    assert "Term: Two years, renewed at each review" in title
    parties = table_with_header(tokens, "Partner", "Legal name")
    assert parties[1][:3] == [
        "Northwind Logistics",
        "Northwind Logistics S.L.",
        "Amara Okafor, Chief Operating Officer",
    ]
    governance = table_with_header(tokens, "Layer", "Who")
    assert governance[0] == ["Layer", "Who", "How often", "What it decides"]
    assert [row[0] for row in governance[1:]] == ["Steering committee", "Alliance managers", "Operating teams"]
    ladder = table_with_header(tokens, "Level", "Who")
    assert ladder[1:] == [
        ["1", "Operating teams", "5 working days"],
        ["2", "Alliance managers", "10 working days"],
        ["3", "Steering committee", "30 days"],
    ]
    assert any(
        t.startswith("If the steering committee cannot agree") for t in all_text(section_tokens(tokens, GOVERNANCE))
    )
    triggers = table_with_header(tokens, "Trigger", "Consequence")
    assert triggers[2] == [
        "sponsors met in person fewer than twice in 12 months",
        "Renegotiate the agreement",
        "Hit: they met in person once in the 12 months to 2026-03-02",
    ]
    assert triggers[1][2] == "Not checkable yet: 1 health check scored so far"
    signatures = table_with_header(tokens, "Name", "Title")
    assert [row[:3] for row in signatures[1:]] == [
        ["Amara Okafor", "Chief Operating Officer", "Northwind Logistics S.L."],
        ["Tomás Ribeiro", "Managing Director", "Harbourline Freight Lda."],
        ["Hannah Kowalski", "VP Partnerships", "Meridian Data Systems GmbH"],
    ]


def test_terms_not_agreed_say_so_in_one_line_and_a_final_agreement_is_no_draft():
    session = create_session("Alliance", ["One Ltd", "Two Ltd"], date="2026-01-10")
    checklist = load_checklist(1)
    tokens = parse(render(session, "agreement"))
    title = all_text(tokens)[2].splitlines()
    assert "Effective date: not agreed yet" in title and "Next review: not set yet" in title
    governance = all_text(section_tokens(tokens, GOVERNANCE))
    for line in (
        "No governance bodies agreed yet.",
        "No escalation ladder agreed yet.",
        "Deadlock rule: not agreed yet.",
    ):
        assert line in governance
    assert "No exit or renegotiation triggers agreed yet." in all_text(section_tokens(tokens, EXIT))
    for section in checklist.sections:
        draft = session.section(section.key)
        draft.agreed, draft.endorsed_by = True, [p.key for p in session.partners]
    # Ticked agreed and endorsed with nothing written: still a draft, not a text to sign.
    assert any("DRAFT" in t for t in all_text(parse(render(session, "agreement"))))
    for section in checklist.sections:
        session.section(section.key).text = "Agreed text."
    final = all_text(parse(render(session, "agreement")))
    assert not any("DRAFT" in t for t in final) and final[1].startswith("Version 1\n")


def test_hostile_text_in_the_new_fields_shows_as_typed():
    session = build_demo_session(DEMO_DATE)
    session.partners[0].legal_name = HOSTILE
    session.partners[0].signatory, session.partners[0].signatory_title = HOSTILE, HOSTILE
    session.terms = AgreementTerms(
        effective_date="2026-04-01",
        term=HOSTILE,
        governance=[GovernanceBody(HOSTILE, HOSTILE, HOSTILE, HOSTILE)],
        escalation=[EscalationStep(HOSTILE, HOSTILE)],
        deadlock_rule=HOSTILE + "\n- not a list",
        triggers=[ExitTrigger("partner-index-below", 10, partner=session.partners[0].key)],
    )
    session.partners[0].name = "Northwind " + HOSTILE
    text = render(session, "agreement")
    tokens = parse(text)
    assert not [t for t in tokens if t.type == "html_block"]
    assert not [
        c for t in tokens if t.type == "inline" for c in t.children if c.type in ("html_inline", "link_open", "image")
    ]
    assert f"Term: {HOSTILE}" in all_text(tokens)[2].splitlines()
    assert table_with_header(tokens, "Partner", "Legal name")[1][1:3] == [HOSTILE, f"{HOSTILE}, {HOSTILE}"]
    assert table_with_header(tokens, "Layer", "Who")[1] == [HOSTILE] * 4
    assert table_with_header(tokens, "Level", "Who")[1] == ["1", HOSTILE, HOSTILE]
    assert f"{HOSTILE}\n- not a list" in all_text(section_tokens(tokens, GOVERNANCE))
    assert (
        table_with_header(tokens, "Trigger", "Consequence")[1][0]
        == f"Northwind {HOSTILE}'s own index below 10 at a health check"
    )
    assert table_with_header(tokens, "Name", "Title")[1][:2] == [HOSTILE, HOSTILE]


def test_both_documents_get_the_triggers_hit_in_their_context():
    session = build_demo_session(DEMO_DATE)
    context = build_context(session, load_checklist(1))
    assert context["exit_triggers_hit"] == [
        "Sponsors met in person fewer than twice in 12 months: they met in person once in the 12 months to 2026-03-02 "
        "(renegotiate the agreement)."
    ]
    assert context["terms"]["version_label"] == "Version 1" and context["terms"]["draft"]
