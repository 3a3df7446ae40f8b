"""The documents' history is the session's own line (`load_lineage`): the sessions it follows, read
link by link, never a namesake, never a look at the whole folder while the links hold."""

from __future__ import annotations

import copy

import pytest
from history_support import ALLIANCE, IDS, PARTNERS, SCORES, damage, save_sessions
from report_helpers import all_text, parse

from facilitator.domain.history.lineage import load_lineage
from facilitator.domain.session_factory import create_session
from facilitator.storage.store import SessionStore

NAMESAKE = "riverside-care-alliance-2025-12-01"


class FolderLookRefused(SessionStore):
    """A store that fails the test if anything looks at every file of the folder."""

    def links(self):
        raise AssertionError("the whole folder was looked at")

    def summaries(self, wanted=None):
        raise AssertionError("the whole folder was listed")


def _namesake(store: SessionStore) -> None:
    """A review of the same alliance's name, between S3 and S4, that follows nothing: a practice run
    scored 0 everywhere (were it counted, S4's trend would be up 58 from 0)."""
    practice = create_session(ALLIANCE, PARTNERS, date="2025-12-01", kind="review", facilitator="Someone Else")
    practice.id = NAMESAKE
    for key in SCORES:
        record = practice.point(key)
        record.scores = {partner.key: 0 for partner in practice.partners}
        record.revealed = True
    store.import_document(copy.deepcopy(practice).to_dict())


@pytest.fixture
def store(data_dir) -> SessionStore:
    store = SessionStore(data_dir)
    save_sessions(store)
    return store


def test_a_namesake_is_in_the_history_screen_but_not_in_the_documents(cli, store):
    _namesake(store)
    history = cli("history", "riverside care")
    assert history.returncode == 0, history.stderr
    assert history.stdout.splitlines()[0] == f"{ALLIANCE}: 5 sessions, 2024-09-10 to 2026-03-10"

    scorecard = cli("export", IDS[3], "--document", "scorecard")
    assert scorecard.returncode == 0, scorecard.stderr
    summary = all_text(parse(scorecard.stdout))
    assert any(
        "The joint health index is 58 out of 100, down 1 from 59 at the review meeting of 2025-09-16." in text
        for text in summary
    ), summary
    assert not any("2025-12-01" in text for text in summary)

    agreement = cli("export", IDS[3])
    assert agreement.returncode == 0, agreement.stderr
    assert any(text.startswith("Version 4 (draft)") for text in all_text(parse(agreement.stdout)))


def test_the_line_is_read_link_by_link_without_looking_at_the_folder(store, data_dir):
    refusing = FolderLookRefused(data_dir)
    line = load_lineage(refusing, refusing.load(IDS[3]))
    assert [s.id for s in line.sessions] == IDS
    assert line.gaps == [] and line.focus == IDS[3]
    # An earlier session seen on its own line: nothing after it.
    assert [s.id for s in load_lineage(refusing, refusing.load(IDS[1])).sessions] == IDS[:2]


def test_a_broken_link_is_a_gap_and_the_alliance_fills_in_behind_it(store, data_dir):
    damage(store, IDS[2])
    line = load_lineage(store, store.load(IDS[3]))
    # The sessions before the damaged one can only be found by the alliance's name.
    assert [s.id for s in line.sessions] == [IDS[0], IDS[1], IDS[3]]
    assert [(g.id, g.referenced_by, g.label) for g in line.gaps] == [(IDS[2], IDS[3], "damaged")]


def test_a_loop_ends_the_line_and_a_link_outside_the_folder_is_never_read(store, data_dir, tmp_path):
    kickoff = store.load(IDS[0])
    kickoff.follows = IDS[3]  # a file someone edited: S1 follows S4, which follows S3 ... S1
    store.import_document(kickoff.to_dict(), replace=True)
    line = load_lineage(FolderLookRefused(data_dir), store.load(IDS[3]))
    assert [s.id for s in line.sessions] == IDS and line.gaps == []

    outside = tmp_path / "outside.json"
    outside.write_bytes(store.path_for(IDS[0]).read_bytes())
    crafted = store.load(IDS[1])
    crafted.follows = f"../{outside.stem}"  # not an id the store gives: looked for nowhere
    line = load_lineage(store, crafted)
    assert [g.kind for g in line.gaps] == ["missing"]
    assert f"../{outside.stem}" not in {s.id for s in line.sessions}


def test_a_link_into_another_alliance_ends_the_line_and_nothing_of_it_is_shown(cli, store, data_dir):
    """Red team: a shared file whose `follows` named another client's session pulled that
    client's partners, scores and agreement text into this alliance's documents."""
    other = create_session("Other Deal", ["Acme", "Globex"], date="2026-04-01", kind="review")
    other.id = "other-deal-2026-04-01"
    other.follows = IDS[3]  # guessable: the alliance's name as a slug and the date
    store.import_document(copy.deepcopy(other).to_dict())
    line = load_lineage(FolderLookRefused(data_dir), store.load(other.id))
    assert [s.id for s in line.sessions] == [other.id]
    assert [(g.id, g.reason) for g in line.gaps] == [(IDS[3], "it belongs to another alliance")]
    for document in ("scorecard", "agreement"):
        result = cli("export", other.id, "--document", document, "--changes-since")
        assert result.returncode == 0, result.stderr
        assert not any(name in result.stdout for name in PARTNERS), document


def test_a_follows_that_is_a_path_or_too_long_is_missing_and_looked_for_nowhere(store, data_dir, tmp_path):
    (data_dir / "trash").mkdir(exist_ok=True)  # the look-up in the trash once raised on a long name
    (tmp_path / "present.json").write_text("{}", encoding="utf-8")
    for follows in ("../present", "x" * 300):
        crafted = store.load(IDS[1])
        crafted.follows = follows
        line = load_lineage(store, crafted)  # a broken link: the alliance's timeline is read too
        assert [(g.kind, g.reason) for g in line.gaps] == [("missing", "it is not in the data folder")], follows
