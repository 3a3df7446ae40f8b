"""`record`: a dataclass whose `__init__`, `__eq__` and `__repr__` are shared, not compiled.

`@dataclass` writes those methods of each class as Python source and compiles it as the module is
imported: about 0.4 ms a class on this kind of machine, 8 ms of every command for the twenty
classes of the session model and its history (a whole `facilitator export` is about 110 ms).
Python 3.13 compiles them in one go; 3.11 and 3.12, which we support, do not.

`record` is `dataclasses.dataclass` with `init=False, repr=False, eq=False`, and the three methods
below, which read the class's fields: nothing is compiled. Everything else is the dataclass's own
work (fields, defaults, the refusal of a mutable default), so `dataclasses.fields`, `replace` and
`asdict` work on records, and type checkers read a record as a dataclass (`dataclass_transform`).
What a record does differently: its `__init__` takes the same arguments but is a little slower
(about 2 µs more for ten fields), and `inspect.signature` shows `(*args, **kwargs)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["field", "record"]

T = TypeVar("T")


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field, Field))
def record(cls: type[T] | None = None, /, *, frozen: bool = False) -> type[T] | Callable[[type[T]], type[T]]:
    """`@record` or `@record(frozen=True)` on a class, as `@dataclass` would be."""

    def wrap(cls: type[T]) -> type[T]:
        made = dataclass(cls, init=False, repr=False, eq=False)
        _give_methods(made, frozen)
        return made

    return wrap if cls is None else wrap(cls)


def _give_methods(cls: type[Any], frozen: bool) -> None:
    own = fields(cls)
    if any(not f.init for f in own):
        raise TypeError(f"{cls.__name__}: a record's fields are all arguments of its __init__")
    names = tuple(f.name for f in own)
    # (name, default value or factory) of each field that has one; `factories`: which are factories.
    defaults: tuple[tuple[str, Any], ...] = tuple(
        (f.name, f.default if f.default is not MISSING else f.default_factory)
        for f in own
        if f.default is not MISSING or f.default_factory is not MISSING
    )
    factories = frozenset(f.name for f in own if f.default_factory is not MISSING)
    allowed = frozenset(names)
    post_init = getattr(cls, "__post_init__", None)
    # One value, or the tuple of them all: the same on both sides of a comparison either way.
    values_of = attrgetter(*names) if names else (lambda _self: ())

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        values = dict(zip(names, args))
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} positional arguments but {len(args)} were given")
        if kwargs:
            if not allowed.issuperset(kwargs):
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{min(kwargs.keys() - allowed)}'")
            if not values.keys().isdisjoint(kwargs):
                raise TypeError(f"{cls.__name__}() got multiple values for argument '{min(values.keys() & kwargs)}'")
            values.update(kwargs)
        if len(values) < len(names):  # the others from their defaults, in the fields' order
            for name, default in defaults:
                if name not in values:
                    values[name] = default() if name in factories else default
            if len(values) < len(names):
                missing = ", ".join(repr(name) for name in names if name not in values)
                raise TypeError(f"{cls.__name__}() missing required argument: {missing}")
        if frozen:
            for name, value in values.items():
                object.__setattr__(self, name, value)
        else:
            self.__dict__.update(values)
        if post_init is not None:
            post_init(self)

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(values_of(self) == values_of(other))

    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{cls.__qualname__}({shown})"

    def __hash__(self: Any) -> int:
        return hash(values_of(self))

    methods: dict[str, Any] = {"__init__": __init__, "__eq__": __eq__, "__repr__": __repr__}
    if frozen:
        methods.update(__setattr__=_refuse_change, __delattr__=_refuse_change, __hash__=__hash__)
    else:
        methods["__hash__"] = None  # as a dataclass: equal by value, so not hashable
    for name, method in methods.items():
        setattr(cls, name, method)


def _refuse_change(self: Any, name: str, *_value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field '{name}'")
