"""The checklist and agreement content, loaded from versioned TOML files shipped in the package.

Every session records the `checklist_version` it was scored with; old versions stay in this folder,
so an old session still opens and reports with the questions the room actually answered.
"""

# No `from __future__ import annotations` here: a NamedTuple compiles each field's annotation
# when it is a string (about 0.1 ms a class, paid by every command that imports this module).

import os
from functools import cache
from typing import Any, NamedTuple

from facilitator.base.errors import FacilitatorError

CURRENT_VERSION = 1
# The TOML files sit next to this module (importlib.resources would cost every export 2 ms to import).
_FOLDER = os.path.dirname(os.path.abspath(__file__))

# The records below never change once loaded: NamedTuples, which Python builds about eight times
# faster than frozen dataclasses, and every command imports this module.


class ScaleLevel(NamedTuple):
    """One level of the scoring scale (0-4), or a special answer."""

    value: int | str  # 0..4, or "?" / "n/a" for the special answers
    label: str
    anchor: str


class Point(NamedTuple):
    """One of the ten checklist points: its question, what 'in place' means, why it matters."""

    key: str
    number: int
    title: str
    question: str
    in_place: str
    why: str
    hint: str
    sections: tuple[str, ...]


class Section(NamedTuple):
    """One section of the partnership agreement: its prompts and the points it answers."""

    key: str
    number: int
    title: str
    summary: str
    prompts: tuple[str, ...]
    points: tuple[str, ...]
    structured: tuple[str, ...]


class Attribute(NamedTuple):
    """A quality of a healthy alliance the checklist looks for."""

    key: str
    title: str
    description: str


class AgendaStep(NamedTuple):
    """A step of the meeting's agenda, with its planned minutes."""

    key: str
    title: str
    minutes: int
    guidance: str


class DefaultMeasure(NamedTuple):
    """A measure a new agreement suggests, until the room keeps, edits or drops it."""

    name: str
    kind: str
    how_measured: str
    target: str
    review_frequency: str
    covers: tuple[str, ...] = ()  # words in a room's own measure name that mean the same ground


class Checklist(NamedTuple):
    """One version of the checklist: scale, points, agreement sections, agenda and measures."""

    version: int
    source: str
    scale: tuple[ScaleLevel, ...]
    special: tuple[ScaleLevel, ...]
    points: tuple[Point, ...]
    sections: tuple[Section, ...]
    attributes: tuple[Attribute, ...]
    agenda: tuple[AgendaStep, ...]
    default_measures: tuple[DefaultMeasure, ...]

    def point(self, key: str) -> Point | None:
        return next((p for p in self.points if p.key == key), None)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def step(self, key: str) -> AgendaStep | None:
        return next((s for s in self.agenda if s.key == key), None)

    def level(self, value: float | str) -> ScaleLevel | None:
        """The scale's level of a score (a mean of votes, such as 2.5, has none)."""
        return next((s for s in self.scale + self.special if s.value == value), None)


class UnknownChecklistVersion(FacilitatorError):
    pass


def available_versions() -> list[int]:
    names = os.listdir(_FOLDER)
    return sorted(
        int(name[len("checklist-") : -len(".toml")])
        for name in names
        if name.startswith("checklist-") and name.endswith(".toml")
    )


@cache
def load_checklist(version: int = CURRENT_VERSION) -> Checklist:
    try:
        if type(version) is not int:
            raise ValueError(version)
        with open(os.path.join(_FOLDER, f"checklist-{version}.toml"), "rb") as handle:
            raw = handle.read()
    except (OSError, ValueError):
        raise UnknownChecklistVersion(
            f"Checklist version {version} is not known to this facilitator; update facilitator to open it."
        ) from None
    data = _parsed(raw)
    special = tuple(ScaleLevel(s["code"], s["label"], s["anchor"]) for s in data["special"])
    return Checklist(
        version=data["version"],
        source=data["source"],
        scale=tuple(ScaleLevel(s["value"], s["label"], s["anchor"]) for s in data["scale"]),
        special=special,
        points=tuple(
            Point(
                p["key"],
                p["number"],
                p["title"],
                p["question"],
                p["in_place"],
                p["why"],
                p.get("hint", ""),
                tuple(p["sections"]),
            )
            for p in data["points"]
        ),
        sections=tuple(
            Section(
                s["key"],
                s["number"],
                s["title"],
                s["summary"],
                tuple(s["prompts"]),
                tuple(s["points"]),
                tuple(s.get("structured", ())),
            )
            for s in data["sections"]
        ),
        attributes=tuple(Attribute(a["key"], a["title"], a["description"]) for a in data["attributes"]),
        agenda=tuple(AgendaStep(a["key"], a["title"], a["minutes"], a["guidance"]) for a in data["agenda"]),
        default_measures=tuple(
            DefaultMeasure(
                m["name"], m["kind"], m["how_measured"], m["target"], m["review_frequency"], tuple(m.get("covers", ()))
            )
            for m in data["default_measures"]
        ),
    )


def _parsed(raw: bytes) -> dict[str, Any]:
    """The TOML text parsed, from a copy kept in the user's cache folder when there is one.

    Parsing the checklist costs every export about 8 ms. The copy (marshal, plain data only)
    holds the TOML bytes it was parsed from and is used only for the very same bytes, so an edited
    or another version's file is parsed again; it is named after their checksum (zlib: hashlib's
    import costs more than the parse saves). An unreadable or unwritable cache is ignored.
    """
    import marshal
    import zlib

    from facilitator.base.user_cache import private_cache_folder, write_quietly

    folder = private_cache_folder("checklists")
    path = None
    if folder is not None:
        path = os.path.join(folder, f"{zlib.crc32(raw):08x}-{len(raw)}")
        try:
            with open(path, "rb") as handle:
                source, data = marshal.loads(handle.read())
            if source == raw and type(data) is dict:
                return data
        except (OSError, EOFError, ValueError, TypeError):
            pass
    import tomllib

    # As read_text() read it: universal newlines.
    data = tomllib.loads(raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"))
    if path is not None:
        write_quietly(path, marshal.dumps((raw, data)))
    return data
