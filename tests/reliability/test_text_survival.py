"""Issue 4, part 3: text that must survive. Emoji, CJK, right-to-left, combining marks, control
characters and 100 KB notes come back exactly, through save and load in the store and through the
command line's dump and load, also under LANG=C and LC_ALL=C. Lone surrogates (from a broken paste)
are refused with a message and the file is left unchanged."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_support import DEMO_DATE, cli_env, run_facilitator

from facilitator.base.errors import InvalidInput
from facilitator.domain.demo import build_demo_session
from facilitator.storage.store import SessionStore

TEXTS = {
    "emoji": "Trust 🤝 up 📈, family 👩‍👩‍👧‍👦, flags 🇵🇹🇯🇵, skin tones 👍🏽, keycap 1️⃣",
    "CJK": "信頼関係を測定する 信任 신뢰 — 半角ｶﾀｶﾅ and 𠮷 (outside the BMP)",
    "right to left": "שותפות בריאה ‏(Hebrew)‏ و الشراكة الصحية، ١٢٣ \u202bembedded\u202c \u2067isolate\u2069",
    "combining marks": "e\u0301 vs \u00e9, a\u0308\u0304, Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇, Hangul \u1100\u1161 vs \uac00",
    "control characters": "tab\there, CR\rLF\r\n, NUL \x00, bell \x07, escape \x1b[31m red, DEL \x7f, "
    "\u2028line sep\u2029para sep, BOM \ufeff, noncharacter \uffff, last \U0010ffff",
    "quotes and escapes": "\"quoted\" 'single' \\backslash\\ {json: [1, 2]} </script> %s {0} ${HOME}",
    "100 KB note": ("Sponsors met in Lisbon; 信頼 rose to 4/5 🎉. " * 2_500)[:100_000],
}
NFD_AND_NFC = (unicodedata.normalize("NFD", "Café Ünited"), unicodedata.normalize("NFC", "Café Ünited"))


def _fill(session, texts: dict[str, str]) -> None:
    points = [
        "joint-framework",
        "needs-shared",
        "mutual-benefit",
        "relational-expectations",
        "agreement-beyond-contract",
        "sponsors-meet",
        "relational-measures",
        "trust-indicator",
    ]
    for (_name, text), point in zip(texts.items(), points):
        session.point(point).notes = text
        session.section(point).text = text[::-1]
    session.decisions[0].text = TEXTS["right to left"]
    session.actions[0].owner = NFD_AND_NFC[0]  # NFD must stay NFD: nothing is normalised
    session.actions[1].owner = NFD_AND_NFC[1]
    session.partners[0].sponsors = ["李雷", "Zoë Brandt", "محمد"]


@pytest.fixture
def texty(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    session = build_demo_session(DEMO_DATE)
    _fill(session, TEXTS)
    with store.create(session) as opened:
        return store, opened.id, session.to_dict()


def test_store_round_trip_is_exact(texty, record_figure):
    store, session_id, expected = texty
    assert store.load(session_id).to_dict() == expected
    assert store.load(session_id).actions[0].owner != store.load(session_id).actions[1].owner
    record_figure("hand-picked texts round-tripped exactly through save and load", f"{len(TEXTS)} of {len(TEXTS)}")


@pytest.mark.parametrize(
    "locale",
    [
        {},
        {"LANG": "C"},
        {"LC_ALL": "C"},
        {"LC_ALL": "C", "PYTHONUTF8": "0"},
        {"LC_ALL": "POSIX", "PYTHONIOENCODING": "ascii"},
    ],
    ids=["default", "LANG=C", "LC_ALL=C", "LC_ALL=C without UTF-8 mode", "ASCII stdout"],
)
def test_cli_dump_and_load_round_trip_under_any_locale(texty, tmp_path, locale, record_figure):
    store, session_id, expected = texty
    env = cli_env(store.data_dir, **locale)
    for key in ("LANG", "LC_ALL", "LC_CTYPE"):
        if key not in locale:
            env.pop(key, None)
    dumped = run_facilitator(store.data_dir, "dump", session_id, env=env)
    assert dumped.returncode == 0, dumped.stderr
    dump_file = tmp_path / "dump.json"
    dump_file.write_text(dumped.stdout, encoding="utf-8")
    assert json.loads(dumped.stdout) == expected

    loaded = run_facilitator(store.data_dir, "load", "--replace", str(dump_file), env=env)
    assert loaded.returncode == 0, loaded.stderr
    again = store.load(session_id).to_dict()
    assert {**again, "saved_at": ""} == {**expected, "saved_at": ""}

    out = tmp_path / "again.json"
    assert run_facilitator(store.data_dir, "dump", session_id, "-o", str(out), env=env).returncode == 0
    assert {**json.loads(out.read_text(encoding="utf-8")), "saved_at": ""} == {**expected, "saved_at": ""}
    listed = run_facilitator(store.data_dir, "list", env=env)
    assert listed.returncode == 0 and session_id in listed.stdout
    shown = run_facilitator(store.data_dir, "show", session_id, env=env)
    assert shown.returncode == 0
    record_figure(
        f"CLI dump/load/dump round trip, {' '.join(f'{k}={v}' for k, v in locale.items()) or 'default locale'}", "exact"
    )


@pytest.mark.parametrize("surrogate", ["\ud800", "\udfff", "half an emoji \ud83d", "\udc80 from surrogateescape"])
def test_lone_surrogates_are_refused_and_the_file_unchanged(texty, tmp_path, surrogate, record_figure):
    store, session_id, expected = texty
    path = store.path_for(session_id)
    before = path.read_bytes()
    with store.open(session_id) as opened:
        opened.session.point("joint-framework").notes = surrogate
        with pytest.raises(InvalidInput, match="cannot be saved"):
            opened.save()
        snapshot = opened.session.to_dict()
        with pytest.raises(InvalidInput, match="cannot be saved"):
            opened.save(snapshot)
    assert path.read_bytes() == before

    # The same text arriving in a dump (JSON escapes can carry a lone surrogate) is refused too.
    doc = dict(expected, facilitator=f"Alex {surrogate}")
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(doc, ensure_ascii=True), encoding="ascii")
    refused = run_facilitator(store.data_dir, "load", "--replace", str(dump))
    assert refused.returncode == 1
    assert "facilitator contains a character that cannot be saved" in refused.error_line
    assert path.read_bytes() == before
    record_figure(
        f"lone surrogate {surrogate.encode('utf-8', 'backslashreplace').decode()[:20]!s} refused, file unchanged", "yes"
    )


valid_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


EXAMPLES = 60


def test_any_valid_text_round_trips(texty, record_figure):
    store, session_id, _expected = texty
    tried = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(notes=valid_text, section=valid_text, owner=valid_text, decision=valid_text)
    def round_trip(notes, section, owner, decision):
        with store.open(session_id) as opened:
            opened.session.point("needs-shared").notes = notes
            opened.session.section("purpose").text = section
            opened.session.actions[0].owner = owner
            opened.session.decisions[0].text = decision
            opened.save()
            expected = opened.session.to_dict()
        again = store.load(session_id)
        assert again.to_dict() == expected
        assert (
            again.point("needs-shared").notes,
            again.section("purpose").text,
            again.actions[0].owner,
            again.decisions[0].text,
        ) == (notes, section, owner, decision)
        tried.append(len(notes) + len(section) + len(owner) + len(decision))

    round_trip()
    assert len(tried) >= EXAMPLES // 2
    record_figure(
        "hypothesis examples of arbitrary valid text (no surrogates) round-tripped",
        f"{len(tried)}, up to {max(tried)} characters each",
    )
