"""The partner roster as people type it: organisations, their sponsors and their team members.

One set of checks for every place partners are named (the new-session form, the welcome step's
editor and `facilitator new`), and one way to apply an edited roster to a session. A partner is
known by its key, not its name: scores, votes, endorsements, roles, tasks and actions all point at
the key, so a renamed partner keeps every one of them. Pure Python.
"""

from __future__ import annotations

from facilitator.base.errors import InvalidInput
from facilitator.domain.model import ActionItem, Partner, Role, Session
from facilitator.domain.records import field, record
from facilitator.domain.validation import MAX_PARTNERS, clean_name, name_key, slugify

FIELDS = ("name", "sponsors", "participants")
EMPTY_NAME = "Name this partner organisation."  # the forms add how to remove the row instead


def split_names(text: str) -> list[str]:
    """People's names as typed in one field: separated by commas."""
    return [name.strip() for name in text.split(",") if name.strip()]


def join_names(names: list[str]) -> str:
    return ", ".join(names)


@record
class PartnerEntry:
    """One partner as typed: its name, sponsors and team members. `key` names the partner of the
    session this entry edits ("" for a new partner)."""

    name: str
    sponsors: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    key: str = ""

    @staticmethod
    def of(partner: Partner) -> PartnerEntry:
        return PartnerEntry(partner.name, list(partner.sponsors), list(partner.participants), partner.key)


@record
class RosterProblems:
    """What is wrong with a roster: per entry (index -> field, message), and overall."""

    rows: dict[int, tuple[str, str]] = field(default_factory=dict)
    overall: str = ""

    def __bool__(self) -> bool:
        return bool(self.rows or self.overall)

    def first(self) -> str:
        """The first problem as one sentence that says which partner it concerns."""
        if self.rows:
            index = min(self.rows)
            message = self.rows[index][1]
            return f"Partner {index + 1}: {message[:1].lower()}{message[1:]}"
        return self.overall


def check_roster(entries: list[PartnerEntry]) -> RosterProblems:
    """Every problem with the roster, each tied to its entry and field."""
    problems = RosterProblems()
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        name = entry.name.strip()
        if not name:
            problems.rows[index] = ("name", EMPTY_NAME)
            continue
        problem = _name_problem(name, "The partner's name")
        if problem:
            problems.rows[index] = ("name", problem)
            continue
        folded = name_key(name)
        if folded in seen:
            problems.rows[index] = (
                "name",
                f"“{name}” is already partner {seen[folded] + 1}: each partner is named once (capitals and "
                "look-alike letters do not count).",
            )
            continue
        seen[folded] = index
        for which, names, what in (
            ("sponsors", entry.sponsors, "A sponsor's name"),
            ("participants", entry.participants, "A team member's name"),
        ):
            problem = next((p for p in (_name_problem(n, what) for n in names if n.strip()) if p), "")
            if problem:
                problems.rows[index] = (which, problem)
                break
    if len(entries) < 2:
        problems.overall = "A session needs at least two partner organisations."
    elif len(entries) > MAX_PARTNERS:
        problems.overall = f"At most {MAX_PARTNERS} partner organisations."
    return problems


def build_partners(
    entries: list[PartnerEntry], keep_keys: bool = False, taken: set[str] | frozenset[str] = frozenset()
) -> list[Partner]:
    """Partners from a valid roster (InvalidInput with the first problem otherwise).

    A new partner's key is made from its name, unlike any key in `taken` or given here; with
    `keep_keys`, an entry that has a key keeps it.
    """
    problems = check_roster(entries)
    if problems:
        raise InvalidInput(problems.first())
    used = set(taken) | ({e.key for e in entries if e.key} if keep_keys else set())
    partners = []
    for entry in entries:
        key = entry.key if keep_keys and entry.key else _new_key(entry.name, used)
        used.add(key)
        partners.append(
            Partner(
                key=key,
                name=clean_name(entry.name, "The partner's name"),
                sponsors=_people(entry.sponsors),
                participants=_people(entry.participants),
            )
        )
    return partners


# -- editing the roster of a session ---------------------------------------------------------


@record
class PartnerHoldings:
    """What a partner has in a session: what removing it deletes, and what it leaves unlinked."""

    name: str
    scores: int = 0  # points it has a score (or remote votes) for
    endorsements: int = 0  # sections it endorsed
    linked: int = 0  # roles, tasks and actions that name it

    def __bool__(self) -> bool:
        return bool(self.scores or self.endorsements or self.linked)

    def describe(self) -> str:
        deleted = " and ".join(
            part
            for part in (
                _count(self.scores, "score", "scores"),
                _count(self.endorsements, "endorsement", "endorsements"),
            )
            if part
        )
        sentence = f"{self.name}: its {deleted} will be deleted" if deleted else self.name
        if self.linked:
            kept = _count(self.linked, "role, task or action", "roles, tasks or actions")
            sentence += f"{'; ' if deleted else ': '}{kept} naming it will stay, for no partner"
        return sentence + "."


def holdings(session: Session, key: str) -> PartnerHoldings:
    partner = session.partner(key)
    result = PartnerHoldings(partner.name if partner else key)
    result.scores = sum(1 for record in session.points.values() if key in record.scores or key in record.votes)
    result.endorsements = sum(1 for draft in session.sections.values() if key in draft.endorsed_by)
    result.linked = sum(1 for item in _partner_items(session) if item.partner == key)
    return result


def removed_partners(session: Session, entries: list[PartnerEntry]) -> list[PartnerHoldings]:
    """The session's partners that `entries` leaves out, with what each holds."""
    kept = {entry.key for entry in entries if entry.key}
    return [holdings(session, p.key) for p in session.partners if p.key not in kept]


def apply_roster(session: Session, entries: list[PartnerEntry]) -> None:
    """Make the session's partners those of `entries` (checked first: InvalidInput, nothing changed).

    An entry with the key of a partner renames it and sets its people, keeping all it holds. A
    partner left out is removed with its scores, votes and endorsements; roles, tasks and actions
    that named it stay, for no partner.
    """
    known = {p.key for p in session.partners}
    entries = [PartnerEntry(e.name, e.sponsors, e.participants, e.key if e.key in known else "") for e in entries]
    # A new partner never takes the key of one removed now, whose data is being cleared.
    partners = build_partners(entries, keep_keys=True, taken=known)
    removed = known - {p.key for p in partners}
    # The roster's dialog edits names and people; the agreement's legal names and signatories
    # (issue 16) stay with the partner they belong to, through a rename too.
    for partner in partners:
        before = session.partner(partner.key)
        if before is not None:
            partner.legal_name, partner.signatory = before.legal_name, before.signatory
            partner.signatory_title = before.signatory_title
    for point_record in session.points.values():
        for key in removed:
            point_record.scores.pop(key, None)
            point_record.votes.pop(key, None)
    for draft in session.sections.values():
        draft.endorsed_by = [key for key in draft.endorsed_by if key not in removed]
    for item in _partner_items(session):
        if item.partner in removed:
            item.partner = ""
    session.partners = partners


# -- helpers ---------------------------------------------------------------------------------


def _name_problem(value: str, what: str) -> str:
    try:
        clean_name(value, what)
    except InvalidInput as error:
        return str(error)
    return ""


def _people(names: list[str]) -> list[str]:
    """Names cleaned, blanks left out, each person once (capitals and look-alike letters do not count)."""
    result: list[str] = []
    for name in names:
        if name.strip() and name_key(name) not in {name_key(n) for n in result}:
            result.append(clean_name(name, "A name"))
    return result


def _new_key(name: str, used: set[str]) -> str:
    base = key = slugify(name, "partner")
    number = 2
    while key in used:
        key, number = f"{base}-{number}", number + 1
    return key


def _count(number: int, singular: str, plural: str) -> str:
    return "" if not number else f"{number} {singular if number == 1 else plural}"


def _partner_items(session: Session) -> list[Role | ActionItem]:
    """What names a partner: roles, the work plan's tasks and the meeting's action items."""
    return [*session.roles, *session.tasks, *session.actions]


def make_partners(names: list[str]) -> list[Partner]:
    """Partners from typed names: cleaned, at least two, no duplicates (ignoring case).

    The checks are the roster's, the same wherever partners are named.
    """
    return build_partners([PartnerEntry(name) for name in names])
