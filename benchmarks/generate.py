"""Synthetic session stores for the benchmarks: 10, 1,000 or 10,000 sessions of realistic size.

Every session has three partners with sponsors and participants, all ten checklist points scored by
every partner (with a few "?" and "n/a"), notes, the twelve agreement sections at 300-2,000 words
each, the default measures, roles, a work plan, 50 action items, decisions and sponsor meetings.
Alliances recur over the years (a kick-off, then reviews that follow it), as in a consultancy's
folder. Sessions are built with the model and `session_factory`; files are written with exactly the
bytes the store writes (`store.encode_database`), without the per-file fsync a live save does, and
the index is written by the store itself, so the first listing finds every summary cached.

One session is special: TARGET_ALLIANCE, dated after all the others (so it is the first row of the
session list) and with every section at the full 2,000 words (so it is the largest file). It is a
review of three earlier sessions of its alliance (a kick-off and two reviews: its documents read
them). They are built from their own seeds, so they are byte-identical in stores of every size:
the autosave figure compares the same document in a 10- and a 10,000-session folder.

    python -m benchmarks.generate --sessions 1000 [--out DIR]

Stores are cached under benchmarks/.cache/ (git-ignored) and reused while GENERATOR_VERSION and the
parameters match.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from facilitator.domain.content import load_checklist
from facilitator.domain.model import ActionItem, Decision, Role, Session, SponsorMeeting
from facilitator.domain.session_factory import create_session
from facilitator.storage.index_file import RACY_NS
from facilitator.storage.index_table import write_index
from facilitator.storage.layout import SESSION_SUFFIX
from facilitator.storage.session_file import encode_database
from facilitator.storage.store import SessionStore
from facilitator.storage.summaries import SessionSummary, summarise

GENERATOR_VERSION = 6  # 6: the target follows three sessions of its alliance
CACHE = Path(__file__).resolve().parent / ".cache"
MARKER = ".benchmark-store.json"

TARGET_ALLIANCE = "Zenith Harbour Alliance"
TARGET_DATE = date(2026, 11, 26)
LAST_DATE = date(2026, 11, 20)  # the other sessions are spread over the ten years before this
SPAN_DAYS = 3650
ACTIONS = 50
WORDS = (300, 2000)

VOCABULARY = """
partner partners alliance joint shared value customers market pilot launch review quarter sponsor
sponsors team teams agreement trust benefit benefits measure measures target targets governance
meeting meetings decision decisions escalation risk risks budget revenue cost costs savings service
services platform data integration logistics freight warehouse port ports rail route routes contract
contracts schedule milestone milestones roadmap offer offers region regions growth capacity volume
volumes delivery quality training workshop communication communications channel channels report
reports dashboard monthly weekly annual plan plans owner owners responsibility responsibilities role
roles expectation expectations relationship relationships feedback survey issue issues resolution
priority priorities resource resources investment investments outcome outcomes scope principle
principles commitment commitments leadership executive executives operations operational strategic
strategy the the the the of of of and and and to to to a a in in for for with on by we our each both
all will should must can agree agreed propose proposed review reviewed track tracked share shared
align aligned support supported deliver delivered improve improved reduce reduced increase increased
define defined meet meets measure measured raise raised confirm confirmed discuss discussed clear
clearly early regular regularly fair fairly open openly together between across within before after
during every next first second third new current common mutual practical realistic simple visible
""".split()
FIRST = (
    "Amara Jonas Lena Tomas Priya Hannah Ken Sofia Alex Maria Omar Chen Aiko Lucas Ingrid Rafael "
    "Noor Pavel Elena Kwame Mei Daniel Fatima Henrik Olga Sanjay Clara Diego Yusuf Greta"
).split()
LAST = (
    "Okafor Berg Fischer Ribeiro Natarajan Kowalski Watanabe Marin Morgan Silva Haddad Wei Tanaka "
    "Moreau Larsen Costa Rahman Novak Petrova Mensah Lin Cohen Aziz Nilsson Ivanova Mehta Dubois "
    "Herrera Demir Schmidt"
).split()
ORG_A = (
    "Northwind Harbourline Meridian Cobalt Granite Silverline Bluewater Evergreen Summit Keystone "
    "Redwood Ironbridge Lakeside Highland Oakridge Brightpath Clearwater Stonegate Westbrook Eastfield "
    "Riverside Sunrise Polar Crescent Atlas Beacon Pioneer Horizon Vertex Quantum"
).split()
ORG_B = (
    "Logistics Freight Data Systems Energy Health Foods Labs Networks Capital Analytics Robotics "
    "Materials Pharma Retail Software Ventures Engineering Telecom Mobility"
).split()
PLACE = (
    "Coastal Northern Southern Alpine Baltic Atlantic Pacific Central Eastern Western Delta Valley "
    "Harbour Corridor Metro Island Highland River Canyon Prairie"
).split()
THEME = (
    "Corridor Freight Health Energy Data Retail Care Mobility Water Food Digital Green Supply Research Learning"
).split()
FORM = ("Alliance Partnership Consortium Network").split()


@dataclass
class Corpus:
    """A long run of generated prose; a section of n words is a slice of it."""

    text: str
    starts: list[int]  # character offset of each word

    @classmethod
    def build(cls, rng: random.Random, words: int = 60_000) -> Corpus:
        parts, starts, position, in_sentence = [], [], 0, 0
        sentence_length = rng.randint(8, 22)
        for _ in range(words):
            word = rng.choice(VOCABULARY)
            if in_sentence == 0:
                word = word.capitalize()
            in_sentence += 1
            if in_sentence >= sentence_length:
                word += "."
                in_sentence, sentence_length = 0, rng.randint(8, 22)
                if rng.random() < 0.15:
                    word += "\n"
            piece = word if word.endswith("\n") else word + " "
            starts.append(position)
            parts.append(piece)
            position += len(piece)
        starts.append(position)
        return cls("".join(parts), starts)

    def words(self, rng: random.Random, n: int) -> str:
        n = min(n, len(self.starts) - 2)
        first = rng.randrange(0, len(self.starts) - 1 - n)
        text = self.text[self.starts[first] : self.starts[first + n]].strip()
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")

    def line(self, rng: random.Random, n: int) -> str:
        """One line of n words: an action, a role, a decision."""
        return self.words(rng, n).replace("\n", " ")


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def build_session(
    rng: random.Random,
    corpus: Corpus,
    alliance: str,
    partners: list[str],
    day: date,
    kind: str = "kickoff",
    follows: str = "",
    words: tuple[int, int] = WORDS,
    actions: int = ACTIONS,
) -> Session:
    """One session as a long meeting leaves it: everything scored, drafted and recorded."""
    checklist = load_checklist()
    session = create_session(
        alliance,
        partners,
        date=day.isoformat(),
        kind=kind,
        facilitator=person(rng),
        follows=follows,
        sponsors={name: [person(rng)] for name in partners},
        participants={name: [person(rng) for _ in range(rng.randint(1, 3))] for name in partners},
    )
    keys = [p.key for p in session.partners]
    for point in checklist.points:
        record = session.point(point.key)
        record.scores = {
            key: rng.choice(
                (0, 1, 2, 2, 3, 3, 3, 4, 4, "?", "n/a") if rng.random() < 0.1 else (0, 1, 2, 2, 3, 3, 3, 4, 4)
            )
            for key in keys
        }
        record.revealed = True
        record.agreed = rng.choice((None, None, None, 1, 2, 3))
        record.notes = corpus.words(rng, rng.randint(20, 80))
    for section in checklist.sections:
        draft = session.section(section.key)
        draft.text = corpus.words(rng, rng.randint(*words))
        draft.agreed = rng.random() < 0.5
        draft.endorsed_by = list(keys) if draft.agreed else keys[: rng.randint(0, 2)]
    for measure in session.measures:
        measure.owner = person(rng)
    session.roles = [
        Role(partner=rng.choice(keys + [""]), person=person(rng), responsibility=corpus.line(rng, rng.randint(6, 14)))
        for _ in range(rng.randint(3, 6))
    ]
    session.tasks = [
        ActionItem(
            corpus.line(rng, rng.randint(6, 16)),
            owner=person(rng),
            partner=rng.choice(keys),
            due=(day + timedelta(days=rng.randint(14, 200))).isoformat(),
        )
        for _ in range(rng.randint(5, 10))
    ]
    session.actions = [
        ActionItem(
            corpus.line(rng, rng.randint(8, 20)),
            owner=person(rng),
            partner=rng.choice(keys + [""]),
            due=(day + timedelta(days=rng.randint(7, 120))).isoformat(),
            status=rng.choice(("open", "open", "done")),
            point=rng.choice([p.key for p in checklist.points] + [""]),
        )
        for _ in range(actions)
    ]
    session.sponsor_meetings = [
        SponsorMeeting(
            date=(day + timedelta(days=rng.randint(-300, 300))).isoformat(),
            mode=rng.choice(("in person", "remote")),
            notes=corpus.line(rng, rng.randint(5, 20)),
        )
        for _ in range(rng.randint(3, 6))
    ]
    session.decisions = [
        Decision(corpus.line(rng, rng.randint(8, 20)), day.isoformat()) for _ in range(rng.randint(5, 10))
    ]
    session.next_meeting = (day + timedelta(days=rng.randint(60, 180))).isoformat()
    session.agenda.step = "close"
    session.agenda.elapsed = {step.key: float(rng.randint(300, 3000)) for step in checklist.agenda}
    session.created_at = f"{day.isoformat()}T09:00:00+00:00"
    session.saved_at = f"{day.isoformat()}T{rng.randint(10, 17):02d}:{rng.randint(0, 59):02d}:00+00:00"
    return session


TARGET_PARTNERS = ["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems"]
# The target is a review: its alliance's kick-off and two reviews come before it, each following the
# one before (what its documents read: the version, the trend, the cadence, the exit triggers).
TARGET_LINE_DAYS = (540, 360, 180)


def target_line(words: tuple[int, int] = WORDS, actions: int = ACTIONS) -> list[Session]:
    """The sessions the target follows, oldest first, identical in every store."""
    rng = random.Random(20250530)
    corpus = Corpus.build(random.Random(7))
    line: list[Session] = []
    for n, days in enumerate(TARGET_LINE_DAYS):
        day = TARGET_DATE - timedelta(days=days)
        session = build_session(
            rng,
            corpus,
            TARGET_ALLIANCE,
            TARGET_PARTNERS,
            day,
            kind="review" if n else "kickoff",
            follows=line[-1].id if line else "",
            words=words,
            actions=actions,
        )
        session.id = f"zenith-harbour-alliance-{day.isoformat()}"
        line.append(session)
    return line


def target_session(words: tuple[int, int] = WORDS, actions: int = ACTIONS) -> Session:
    """The largest session, identical in every store: every section at the top of the word range,
    a review of the last of `target_line`."""
    rng = random.Random(20261126)
    corpus = Corpus.build(random.Random(7))
    earlier = TARGET_DATE - timedelta(days=TARGET_LINE_DAYS[-1])
    session = build_session(
        rng,
        corpus,
        TARGET_ALLIANCE,
        TARGET_PARTNERS,
        TARGET_DATE,
        kind="review",
        follows=f"zenith-harbour-alliance-{earlier.isoformat()}",
        words=(words[1], words[1]),
        actions=actions,
    )
    session.id = f"zenith-harbour-alliance-{TARGET_DATE.isoformat()}"
    return session


def write_session(store: SessionStore, session: Session) -> SessionSummary:
    """Write one session file with the store's bytes (no fsync: this is a fixture) and summarise it."""
    path = store.path_for(session.id)
    path.write_bytes(encode_database({"session": {"1": session.to_dict()}}))
    st = os.stat(path)
    return SessionSummary(
        id=session.id,
        file=path.name,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        inode=st.st_ino,
        ctime_ns=st.st_ctime_ns,
        **summarise(session),
    )


def generate(
    folder: Path,
    sessions: int,
    seed: int = 1,
    words: tuple[int, int] = WORDS,
    actions: int = ACTIONS,
    progress: bool = False,
) -> Path:
    """Fill `folder` (emptied first) with `sessions` sessions, the target among them, and the index."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    store = SessionStore(folder)
    rng = random.Random(seed)
    corpus = Corpus.build(random.Random(seed + 7))
    line = [*target_line(words, actions), target_session(words, actions)] if sessions >= 4 else []
    summaries = [write_session(store, session) for session in line]
    others = sessions - len(summaries)
    alliances = max(1, others // 4)  # each alliance meets about four times over the years
    history: dict[int, str] = {}  # alliance number -> id of its latest session
    taken = {summary.id for summary in summaries}
    started = time.monotonic()
    for n in range(others):
        day = LAST_DATE - timedelta(days=SPAN_DAYS * (others - 1 - n) // max(1, others))
        number = rng.randrange(alliances)
        alliance_rng = random.Random(seed * 1_000_003 + number)
        name = f"{alliance_rng.choice(PLACE)} {alliance_rng.choice(THEME)} {alliance_rng.choice(FORM)} {number + 1}"
        partners = []
        while len(partners) < 3:
            org = f"{alliance_rng.choice(ORG_A)} {alliance_rng.choice(ORG_B)}"
            if org not in partners:
                partners.append(org)
        previous = history.get(number, "")
        session = build_session(
            rng,
            corpus,
            name,
            partners,
            day,
            kind="review" if previous else "kickoff",
            follows=previous,
            words=words,
            actions=actions,
        )
        base = f"{_slug(name)}-{day.isoformat()}"
        session.id, k = base, 2
        while session.id in taken:
            session.id, k = f"{base}-{k}", k + 1
        taken.add(session.id)
        history[number] = session.id
        summaries.append(write_session(store, session))
        if progress and (n + 1) % 1000 == 0:
            print(f"  {n + 2:,} of {sessions:,} sessions ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    summaries.sort(key=SessionSummary.sort_key, reverse=True)
    # The store trusts an index row only for a file unchanged for RACY_NS before the row was taken
    # (a coarse file clock could hide a later change): let the newest files age that long first.
    time.sleep(RACY_NS / 1e9)
    write_index(store.data_dir, summaries)
    listed = store.summaries()  # through the store's own code: every summary must come from the index
    assert len(listed) == sessions, (len(listed), sessions)
    return folder


def _slug(text: str) -> str:
    from facilitator.domain.validation import slugify

    return slugify(text, "alliance")


def cached_store(
    sessions: int, words: tuple[int, int] = WORDS, actions: int = ACTIONS, cache: Path = CACHE, progress: bool = True
) -> Path:
    """The store of `sessions` sessions under the cache folder, generated on first use."""
    folder = (
        cache / f"store-{sessions}"
        if (words, actions) == (WORDS, ACTIONS)
        else cache / f"store-{sessions}-{words[0]}-{words[1]}-{actions}"
    )
    wanted = {
        "generator": GENERATOR_VERSION,
        "sessions": sessions,
        "words": list(words),
        "actions": actions,
        "storage": encode_database({"a": [1]}).decode(),
    }
    marker = folder / MARKER
    clean_leftovers(folder)
    if marker.exists() and _read_json(marker) == wanted and _complete(folder, sessions):
        return folder
    if progress:
        print(f"Generating {sessions:,} sessions in {folder} (once; reused afterwards) ...", file=sys.stderr)
    started = time.monotonic()
    generate(folder, sessions, words=words, actions=actions, progress=progress)
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    if progress:
        print(f"  done in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return folder


def clean_leftovers(folder: Path) -> None:
    """Remove what an interrupted benchmark may have left: the autosave copy and the floor's file."""
    if folder.is_dir():
        for leftover in [*folder.glob(".benchmark-floor*"), *folder.glob(f"{target_id()}-*")]:
            leftover.unlink(missing_ok=True)


def target_id() -> str:
    return f"zenith-harbour-alliance-{TARGET_DATE.isoformat()}"


def _complete(folder: Path, sessions: int) -> bool:
    """Every session file present and the index still valid for all of them (a save would change it)."""
    try:
        count = sum(
            1
            for e in os.scandir(folder)
            if e.name.endswith(SESSION_SUFFIX) and e.name != "index.json" and not e.name.startswith(".")
        )
    except OSError:
        return False
    return count == sessions


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--out", type=Path, help="folder to fill (default: the cache, reused when up to date)")
    args = parser.parse_args(argv)
    if args.out:
        started = time.monotonic()
        generate(args.out, args.sessions, progress=True)
        print(f"{args.sessions:,} sessions in {args.out} ({time.monotonic() - started:.1f} s)")
    else:
        print(cached_store(args.sessions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
