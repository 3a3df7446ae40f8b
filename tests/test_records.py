"""`record` behaves as the `dataclass` it stands in for: the same arguments, errors, equality,
repr, and the `dataclasses` functions, without compiling methods at import."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from facilitator.domain.model import Session
from facilitator.domain.records import field, record
from facilitator.domain.session_factory import create_session


def _pair(frozen: bool = False):
    """The same class made by `record` and by `dataclass`."""

    def body():
        class Item:
            """An item."""

            name: str
            tags: list[str] = field(default_factory=list)
            count: int = 0
            note: str | None = None

        return Item

    return record(frozen=frozen)(body()), dataclass(frozen=frozen)(body())


CALLS = [
    ((), {}),
    (("a",), {}),
    (("a", ["x"], 2, "n"), {}),
    (("a", ["x"], 2, "n", "extra"), {}),
    (("a",), {"count": 3}),
    ((), {"name": "a", "note": None}),
    (("a",), {"name": "b"}),
    (("a",), {"colour": "red"}),
    ((), {"count": 1}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_the_same_calls_make_the_same_objects_or_fail_alike(args, kwargs):
    made, reference = _pair()
    try:
        expected = reference(*args, **kwargs)
    except TypeError:
        with pytest.raises(TypeError):
            made(*args, **kwargs)
        return
    got = made(*args, **kwargs)
    assert dataclasses.asdict(got) == dataclasses.asdict(expected)
    assert repr(got).replace("test_records.", "") == repr(expected).replace("test_records.", "")


def test_equality_defaults_and_the_dataclass_functions():
    made, _reference = _pair()
    first, second = made("a"), made("a")
    assert first == second and first is not second
    assert first.tags is not second.tags  # a factory per object, never a shared list
    assert first != made("b") and first != ("a", [], 0, None)
    assert dataclasses.replace(first, count=5) == made("a", count=5)
    assert [f.name for f in dataclasses.fields(made)] == ["name", "tags", "count", "note"]
    assert made.__match_args__ == ("name", "tags", "count", "note")
    with pytest.raises(TypeError):
        hash(first)  # equal by value and mutable: not hashable, as a dataclass


def test_frozen_records_refuse_changes_and_hash_by_value():
    made, _reference = _pair(frozen=True)
    item = made("a", ("x",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.count = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del item.name
    assert hash(item) == hash(made("a", ("x",))) and {item, made("a", ("x",))} == {item}


def test_a_mutable_default_is_refused_as_dataclass_refuses_it():
    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Bad:
            """Bad."""

            tags: list[str] = []  # noqa: RUF012 - the point of the test


def test_the_model_is_made_of_records_that_round_trip():
    session = create_session("Alliance", ["North", "South"], date="2026-01-05")
    session.point("joint-framework").scores = {"north": 3, "south": 1}
    again = Session.from_dict(session.to_dict())
    assert again == session and again is not session
    assert dataclasses.is_dataclass(again) and repr(again.partners[0]).startswith("Partner(key='north', name='North'")
