"""The agreement's terms and signatories through the store and through `dump`/`load`: every
value back exactly, and a session saved before them written as it was."""

from __future__ import annotations

import json

from store_support import DEMO_DATE

from facilitator.domain.demo import build_demo_session
from facilitator.domain.model import EscalationStep, ExitTrigger, GovernanceBody
from facilitator.storage.store import SessionStore

HOSTILE = "| *x* \\ <script>alert(1)</script> [l](javascript:alert(1)) ✓ Zoë"


def hostile_demo():
    session = build_demo_session(DEMO_DATE)
    session.partners[0].legal_name = "Northwind " + HOSTILE
    session.partners[1].signatory = HOSTILE
    session.partners[2].signatory_title = HOSTILE
    session.terms.term = HOSTILE
    session.terms.deadlock_rule = HOSTILE + "\n\n  second paragraph\r\nthird"
    session.terms.governance.append(GovernanceBody(HOSTILE, HOSTILE, HOSTILE, HOSTILE + "\nline two"))
    session.terms.escalation.append(EscalationStep(HOSTILE, HOSTILE))
    session.terms.triggers.append(ExitTrigger("partner-index-below", 30, 3, partner=session.partners[1].key))
    return session


def test_the_store_keeps_every_new_field_exactly(tmp_path):
    store = SessionStore(tmp_path)
    session = hostile_demo()
    with store.create(session) as opened:
        session_id = opened.session.id
    again = store.load(session_id)
    assert again.terms == session.terms
    assert [(p.legal_name, p.signatory, p.signatory_title) for p in again.partners] == [
        (p.legal_name, p.signatory, p.signatory_title) for p in session.partners
    ]


def test_dump_load_dump_carries_the_terms(cli, data_dir, tmp_path):
    store = SessionStore(data_dir)
    with store.create(hostile_demo()) as opened:
        session_id = opened.session.id
    first = cli("dump", session_id)
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    assert doc["terms"]["deadlock_rule"].endswith("\r\nthird")
    assert doc["partners"][1]["signatory"] == HOSTILE
    replaced = cli("load", "--replace", "-", input=first.stdout)
    assert replaced.returncode == 0, replaced.stderr
    again = json.loads(cli("dump", session_id).stdout)
    # Loading stamps the save's time: a second may have passed; everything the room wrote is the same.
    assert {k: v for k, v in again.items() if k != "saved_at"} == {k: v for k, v in doc.items() if k != "saved_at"}
