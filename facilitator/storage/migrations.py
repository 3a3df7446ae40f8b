"""Schema migrations: one function per version step, each taking and returning a plain document.

Version 1 (the first prototype's format) named partners by their display name, kept scores, notes
and agreement text in separate maps, and marked actions done with a boolean. Version 2 gives each
partner a stable key and groups everything about a checklist point in one record.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from facilitator.base.errors import InvalidSession, NewerSchema
from facilitator.domain.model import SCHEMA_VERSION
from facilitator.domain.validation import slugify


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    names = doc.get("partners")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidSession("partners: a version 1 session lists partner names as text.")
    keys: dict[str, str] = {}
    partners = []
    for name in names:
        key = slugify(name, "partner")
        base, n = key, 2
        while key in keys.values():
            key, n = f"{base}-{n}", n + 1
        keys[name] = key
        sponsors = doc.get("sponsors", {}).get(name, []) if isinstance(doc.get("sponsors"), dict) else []
        partners.append({"key": key, "name": name, "sponsors": sponsors, "participants": []})

    points: dict[str, Any] = {}
    scores = doc.get("scores", {})
    notes = doc.get("notes", {})
    if not isinstance(scores, dict) or not isinstance(notes, dict):
        raise InvalidSession("scores and notes: a version 1 session keeps them as objects.")
    for point_key in sorted(set(scores) | set(notes)):
        by_name = scores.get(point_key, {})
        if not isinstance(by_name, dict):
            raise InvalidSession(f"scores.{point_key}: expected an object of partner scores.")
        points[point_key] = {
            # Version 1 wrote null for "not scored yet"; version 2 leaves the partner out.
            "scores": {keys.get(name, slugify(name)): value for name, value in by_name.items() if value is not None},
            "revealed": bool(doc.get("revealed", False)),
            "agreed": None,
            "notes": notes.get(point_key, ""),
        }

    agreement = doc.get("agreement", {})
    if not isinstance(agreement, dict):
        raise InvalidSession("agreement: a version 1 session keeps section texts as an object.")
    sections = {key: {"text": text, "agreed": False, "endorsed_by": []} for key, text in agreement.items()}

    actions = []
    for i, item in enumerate(doc.get("actions", [])):
        if not isinstance(item, dict):
            raise InvalidSession("actions: each version 1 action is an object.")
        actions.append(
            {
                # Ids fixed by position, so that migrating the same file twice gives the same document.
                "id": f"action-{i + 1}",
                "text": item.get("text", ""),
                "owner": item.get("owner", ""),
                "partner": "",
                "due": item.get("due", "") or "",
                "status": "done" if item.get("done") else "open",
                "point": "",
            }
        )
    measures = doc.get("measures", [])
    if isinstance(measures, list):
        measures = [
            {**m, "id": f"measure-{i + 1}"} if isinstance(m, dict) and not m.get("id") else m
            for i, m in enumerate(measures)
        ]

    return {
        "schema_version": 2,
        "id": doc.get("id"),
        "alliance": doc.get("alliance"),
        "kind": doc.get("kind", "kickoff"),
        "date": doc.get("date"),
        "facilitator": doc.get("facilitator", ""),
        "follows": doc.get("follows", ""),
        "checklist_version": doc.get("checklist_version", 1),
        "partners": partners,
        "points": points,
        "sections": sections,
        "measures": measures,
        "roles": [],
        "tasks": [],
        "actions": actions,
        "sponsor_meetings": [],
        "decisions": [],
        "next_meeting": doc.get("next_meeting", "") or "",
        "agenda": {},
        "created_at": doc.get("created_at", ""),
        "saved_at": doc.get("saved_at", ""),
    }


# MIGRATIONS[n] turns a version n document into a version n + 1 document.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def document_version(doc: Any) -> int:
    if not isinstance(doc, dict):
        raise InvalidSession("not a facilitator session: the document is not an object.")
    version = doc.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidSession("not a facilitator session: it has no valid schema_version.")
    return version


def migrate(doc: Any) -> tuple[dict[str, Any], bool]:
    """Bring a document up to the current schema. Returns (document, whether it changed).

    The input is never modified. A document from a newer facilitator raises NewerSchema.
    """
    version = document_version(doc)
    if version > SCHEMA_VERSION:
        raise NewerSchema(
            f"it was written by a newer facilitator (schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}). Update facilitator to open it; the file is left as it is."
        )
    if version == SCHEMA_VERSION:
        return doc, False
    try:
        doc = copy.deepcopy(doc)
    except RecursionError:
        # Only a hostile document nests hundreds of levels deep; a session never does.
        raise InvalidSession("the document is nested too deeply to be a session.") from None
    while version < SCHEMA_VERSION:
        try:
            doc = MIGRATIONS[version](doc)
        except InvalidSession:
            raise
        except (AttributeError, TypeError, ValueError, RecursionError) as error:
            raise InvalidSession(f"cannot migrate from schema {version}: {error}") from None
        version += 1
    return doc, True
