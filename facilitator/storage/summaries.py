"""What the session list shows of each session file (`SessionSummary`), and `list --json`'s text."""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facilitator.domain.model import Session

INDEX_COLUMNS = (
    "id",
    "file",
    "status",
    "problem",
    "alliance",
    "kind",
    "date",
    "partners",
    "joint_index",
    "saved_at",
    "follows",
    "facilitator",
    "sponsors",
    "size",
    "mtime_ns",
    "inode",
    "ctime_ns",
)
_NO_PARTNERS: Any = object()


class SessionSummary:
    """What the session list shows, cached in the index (a row of INDEX_COLUMNS).

    Written out rather than a dataclass, whose import (with `inspect`) costs `facilitator list`
    5 ms; slotted, since 10,000 of them are kept in memory. Compares and prints like a dataclass.
    """

    __slots__ = INDEX_COLUMNS

    def __init__(
        self,
        id: str,
        file: str,
        status: str = "ok",
        problem: str = "",
        alliance: str = "",
        kind: str = "",
        date: str = "",
        partners: list[str] = _NO_PARTNERS,
        joint_index: float | None = None,
        saved_at: str = "",
        follows: str = "",
        facilitator: str = "",
        sponsors: list[str] = _NO_PARTNERS,
        size: int = 0,
        mtime_ns: int = 0,
        inode: int = 0,
        ctime_ns: int = 0,
    ) -> None:
        self.id = id
        self.file = file
        self.status = status  # ok | damaged | newer
        self.problem = problem  # why a damaged or newer file cannot be opened
        self.alliance = alliance
        self.kind = kind
        self.date = date
        self.partners = [] if partners is _NO_PARTNERS else partners
        self.joint_index = joint_index
        self.saved_at = saved_at
        self.follows = follows
        self.facilitator = facilitator
        self.sponsors = [] if sponsors is _NO_PARTNERS else sponsors  # every partner's, in order
        self.size = size  # size, mtime_ns, inode, ctime_ns: the file's stamp (see `_unchanged`)
        self.mtime_ns = mtime_ns
        self.inode = inode
        self.ctime_ns = ctime_ns

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return ROW_VALUES(self) == ROW_VALUES(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in zip(INDEX_COLUMNS, ROW_VALUES(self)))
        return f"{type(self).__name__}({values})"

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every value, 40 µs a summary.
        return {
            "id": self.id,
            "file": self.file,
            "status": self.status,
            "problem": self.problem,
            "alliance": self.alliance,
            "kind": self.kind,
            "date": self.date,
            "partners": list(self.partners),
            "joint_index": self.joint_index,
            "saved_at": self.saved_at,
            "follows": self.follows,
            "facilitator": self.facilitator,
            "sponsors": list(self.sponsors),
        }

    def __getitem__(self, column: str) -> Any:
        """A column by name: how TinyDB's queries read a document (see `session_query`)."""
        if column not in _COLUMN_NAMES:
            raise KeyError(column)
        return getattr(self, column)

    def to_document(self) -> dict[str, Any]:
        """The summary as a document of the index's TinyDB table (every column)."""
        return dict(zip(INDEX_COLUMNS, ROW_VALUES(self)))

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> SessionSummary:
        return cls(*DOCUMENT_VALUES(document))

    def sort_key(self) -> tuple[str, str, str]:
        return (self.date, self.saved_at, self.id)


ROW_VALUES = operator.attrgetter(*INDEX_COLUMNS)
SORT_KEY = operator.attrgetter("date", "saved_at", "id")  # = SessionSummary.sort_key, in C
DOCUMENT_VALUES = operator.itemgetter(*INDEX_COLUMNS)  # a document's row, in C
DOCUMENT_SORT_KEY = operator.itemgetter("date", "saved_at", "id")
_COLUMN_NAMES = frozenset(INDEX_COLUMNS)
_TEMPLATE_KEYS = INDEX_COLUMNS[: INDEX_COLUMNS.index("size")]  # what to_json() writes, in order


def summaries_json(summaries: list[SessionSummary]) -> str:
    """Exactly `json.dumps([s.to_json() for s in summaries], ensure_ascii=False, indent=2)`, 5x faster.

    The standard library only uses its C encoder without `indent`; with it, 10,000 summaries take
    about 100 ms in pure Python. Here each string is encoded by the C function json.dumps uses.
    """
    if not summaries:
        return "[]"
    return "[\n  " + ",\n  ".join(summary_entries(summaries)) + "\n]"


def summary_entries(summaries: list[SessionSummary]) -> list[str]:
    """Each summary's entry in `summaries_json`'s text (indented as there, without the separators)."""
    if summaries and tuple(summaries[0].to_json()) != _TEMPLATE_KEYS:
        return [json.dumps(s.to_json(), ensure_ascii=False, indent=2).replace("\n", "\n  ") for s in summaries]
    string = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False (C)
    value = json.JSONEncoder(ensure_ascii=False).encode
    entries: list[str] = []
    append = entries.append
    for s in summaries:
        try:
            partners = s.partners
            if type(partners) is not list:
                raise TypeError
            listed = "[\n      " + ",\n      ".join(map(string, partners)) + "\n    ]" if partners else "[]"
            names = s.sponsors
            if type(names) is not list:
                raise TypeError
            sponsors = "[\n      " + ",\n      ".join(map(string, names)) + "\n    ]" if names else "[]"
            joint = s.joint_index
            if joint is None:
                index = "null"
            elif type(joint) is float and -1e300 < joint < 1e300:  # finite: json writes float.__repr__
                index = float.__repr__(joint)
            else:
                index = value(joint)
            # string() raises TypeError on anything but text.
            append(
                f'{{\n    "id": {string(s.id)},\n    "file": {string(s.file)},\n    "status": {string(s.status)},'
                f'\n    "problem": {string(s.problem)},\n    "alliance": {string(s.alliance)},'
                f'\n    "kind": {string(s.kind)},\n    "date": {string(s.date)},\n    "partners": {listed},'
                f'\n    "joint_index": {index},'
                f'\n    "saved_at": {string(s.saved_at)},\n    "follows": {string(s.follows)},'
                f'\n    "facilitator": {string(s.facilitator)},\n    "sponsors": {sponsors}\n  }}'
            )
        except TypeError:
            # Not what the store writes (a hand-edited index, say): let json.dumps format it.
            append(json.dumps(s.to_json(), ensure_ascii=False, indent=2).replace("\n", "\n  "))
    return entries


def prepare_summarise() -> None:
    """Import what `summarise` needs (the model, the checklist, the scores), ahead of time."""
    from facilitator.domain import content, model, scoring  # noqa: F401


def summarise(session: Session) -> dict[str, Any]:
    from facilitator.domain.content import UnknownChecklistVersion, load_checklist
    from facilitator.domain.scoring import joint_index

    try:
        index = joint_index(session, load_checklist(session.checklist_version))
    except UnknownChecklistVersion:
        index = None
    return {
        "alliance": session.alliance,
        "kind": session.kind,
        "date": session.date,
        "partners": [p.name for p in session.partners],
        "joint_index": index,
        "saved_at": session.saved_at,
        "follows": session.follows,
        "facilitator": session.facilitator,
        "sponsors": [sponsor for partner in session.partners for sponsor in partner.sponsors],
    }
