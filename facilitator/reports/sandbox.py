"""The sandbox a customised template runs in: Jinja2's own, with every operator, filter and
method call that could build something huge checked first (strings, lists, numbers, format
widths), so that a template cannot stall or starve the process that renders it."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.runtime import Macro, markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from markupsafe import Markup

from facilitator.reports import markdown

MAX_SIZE = 1_000_000  # characters or items one operator (* ** + % ~) may produce
MAX_VALUE = 5_000_000  # characters or items one filter or method call may produce
MAX_INT_BITS = 10_000  # bits in a number built by * or ** (about 3,000 digits)
MAX_OUTPUT = 20_000_000  # characters in a rendered document


# --------------------------------------------------------------------------------------------
# The sandbox


# A width or precision of a million or more: "%9999999s", "%(key)9999999s", "{:9999999}".
_FORMAT_SPEC_HUGE = re.compile(r"(?:%(?:\([^)]*\))?[^a-zA-Z%]*|\{[^{}]*:[^{}]*?)\d{7,}")
_HUGE_NUMBER = re.compile(r"\d{7,}")
_STR_TYPES = (str, bytes, bytearray)
_SEQUENCE_TYPES = (str, bytes, bytearray, list, tuple)


def _refuse(what: str, size: int, limit: int = MAX_VALUE) -> None:
    raise SecurityError(f"{what} would be too large ({size:,}); reports refuse values over {limit:,}")


def _len(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_result(value: Any, limit: int = MAX_VALUE) -> Any:
    if isinstance(value, (str, bytes, bytearray, list, tuple, dict, set, frozenset)) and len(value) > limit:
        _refuse("the result", len(value), limit)
    return value


def _check_ints(values: Iterable[Any], what: str) -> None:
    for value in values:
        if _is_int(value) and abs(value) > MAX_VALUE:
            _refuse(what, abs(value))


def _check_format_string(value: Any) -> None:
    if isinstance(value, str) and _FORMAT_SPEC_HUGE.search(value):
        raise SecurityError("a format width or precision that large is refused in reports")


def _estimate_join(items: list[Any], separator: Any) -> int:
    return sum(_len(item) if isinstance(item, _STR_TYPES) else len(str(item)) for item in items) + max(
        0, len(items) - 1
    ) * _len(separator)


def _estimate_replace(s: Any, old: Any, new: Any, count: Any = None) -> int:
    s, old, new = str(s), str(old), str(new)
    hits = len(s) + 1 if old == "" else s.count(old)
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    return len(s) + hits * max(0, len(new) - len(old))


class _Generator(CodeGenerator):
    """Routes `~` (string concatenation) through a size check, like the intercepted binops."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class ReportEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox, plus limits on the size of what a template can build."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            if _is_int(left) and isinstance(right, _SEQUENCE_TYPES):
                left, right = right, left
            if isinstance(left, _SEQUENCE_TYPES) and _is_int(right):
                if len(left) * max(right, 0) > MAX_SIZE:
                    _refuse(f"'{type(left).__name__} * {right}'", len(left) * right, MAX_SIZE)
            elif _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                _refuse("the product (in bits)", left.bit_length() + right.bit_length(), MAX_INT_BITS)
        elif operator == "**":
            if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
                if left.bit_length() * right > MAX_INT_BITS:
                    raise SecurityError(f"the power {left} ** {right} is too large for a report")
        elif operator == "+":
            if isinstance(left, _SEQUENCE_TYPES) and isinstance(right, _SEQUENCE_TYPES):
                if len(left) + len(right) > MAX_SIZE:
                    _refuse("the sum", len(left) + len(right), MAX_SIZE)
        elif operator == "%":
            if isinstance(left, str):
                _check_format_string(left)
                if "*" in left:  # widths taken from the arguments
                    _check_ints(right if isinstance(right, tuple) else (right,), "a format width")
        return _check_result(super().call_binop(context, operator, left, right), MAX_SIZE)

    def checked_concat(self, context: Any, values: tuple[Any, ...]) -> str:
        parts = [v if isinstance(v, str) else str(v) for v in values]
        total = sum(len(p) for p in parts)
        if total > MAX_SIZE:
            _refuse("the joined text", total, MAX_SIZE)
        return markup_join(parts) if context.eval_ctx.autoescape else str_join(parts)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # str.translate can grow a string a million-fold in one C call that no deadline stops.
        if isinstance(obj, _STR_TYPES) and attr in ("translate", "maketrans"):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja2's own wrapper, with a formatter that also checks widths taken from the arguments.
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        pattern = value.__self__
        is_format_map = value.__name__ == "format_map"
        formatter = (
            _CheckedEscapeFormatter(self, escape=pattern.escape)
            if isinstance(pattern, Markup)
            else _CheckedFormatter(self)
        )

        @functools.wraps(wrapper)
        def checked(*args: Any, **kwargs: Any) -> str:
            _check_format_string(pattern)
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError(f"format_map() takes exactly one argument ({len(args) + len(kwargs)} given)")
                mapping = args[0]
                args, kwargs = (), mapping
            result: str = _check_result(type(pattern)(formatter.vformat(pattern, args, kwargs)))
            return result

        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner = getattr(__obj, "__self__", None)
        if owner is not None and not isinstance(owner, type(functools)):
            # A method of a built-in value: no width, count or size argument beyond the limit.
            _check_ints(list(args) + list(kwargs.values()), "an argument")
            name = getattr(__obj, "__name__", "")
            if isinstance(owner, _STR_TYPES):
                if name == "join" and args:
                    items = list(args[0])
                    total = _estimate_join(items, owner)
                    if total > MAX_VALUE:
                        _refuse("the joined text", total)
                    args = (items,) + args[1:]
                elif name == "replace" and len(args) >= 2:
                    total = _estimate_replace(owner, *args[:3])
                    if total > MAX_VALUE:
                        _refuse("the replaced text", total)
                elif name == "expandtabs":
                    size = args[0] if args else kwargs.get("tabsize", 8)
                    tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")  # bytes count bytes
                    total = len(owner) + tabs * (size if _is_int(size) else 8)
                    if total > MAX_VALUE:
                        _refuse("the expanded text", total)
        result = _check_result(super().call(__context, __obj, *args, **kwargs))
        if isinstance(owner, (list, dict, set, bytearray)):
            _check_result(owner)  # grown in place: l.extend(l) doubles a list in one call
        if isinstance(__obj, Macro) and type(result) is str:
            # A macro's output is template text plus values it already escaped when printing them.
            result = markdown.MarkdownSafe(result)
        return result


class _CheckedFormatter(SandboxedFormatter):
    """str.format in a template: every width and precision is checked before anything is built,
    also one filled in from the arguments ('{:{w}}'), which the format string alone does not show."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if _HUGE_NUMBER.search(format_spec):
            raise SecurityError("a format width or precision that large is refused in reports")
        return super().format_field(value, format_spec)


class _CheckedEscapeFormatter(_CheckedFormatter, SandboxedEscapeFormatter):
    pass


def guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a built-in filter with size checks on what it is asked to build."""
    skip = 1 if hasattr(func, "jinja_pass_arg") else 0

    @functools.wraps(func)
    def guarded(*given: Any, **kwargs: Any) -> Any:
        args = list(given)  # a filter's value may be replaced by the list it was read into
        value_args = args[skip:]
        if value_args:
            value, extra = value_args[0], value_args[1:]
            if name in ("center", "indent", "batch", "slice", "tojson", "truncate", "wordwrap"):
                _check_ints(list(extra) + list(kwargs.values()), f"the '{name}' width")
            if name == "indent":
                width = extra[0] if extra else kwargs.get("width", 4)
                width = width if _is_int(width) else _len(width)
                total = len(str(value)) + (str(value).count("\n") + 1) * width
                if total > MAX_VALUE:
                    _refuse("the indented text", total)
            elif name == "join":
                items = list(value)
                separator = extra[0] if extra else kwargs.get("d", "")
                attribute = extra[1] if len(extra) > 1 else kwargs.get("attribute")
                measured = (
                    items if attribute is None else [make_attrgetter(args[0].environment, attribute)(i) for i in items]
                )
                total = _estimate_join(measured, separator)
                if total > MAX_VALUE:
                    _refuse("the joined text", total)
                args[skip] = items
            elif name == "replace" and len(extra) >= 2:
                total = _estimate_replace(
                    value, *extra[:3], **({"count": kwargs["count"]} if "count" in kwargs else {})
                )
                if total > MAX_VALUE:
                    _refuse("the replaced text", total)
            elif name == "wordwrap":
                wrap = kwargs.get("wrapstring") if len(extra) < 3 else extra[2]
                text = str(value)
                lines = min(len(text), text.count(" ") + text.count("\n") + len(text) // 2 + 1)
                total = len(text) + lines * _len(wrap or "\n")
                if total > MAX_VALUE:
                    _refuse("the wrapped text", total)
            elif name == "format":
                _check_format_string(value)
                if isinstance(value, str) and "*" in value:
                    _check_ints(list(extra), "a format width")
            elif name == "sum":
                start = kwargs.get("start", extra[1] if len(extra) > 1 else 0)
                if isinstance(start, _SEQUENCE_TYPES):
                    items = list(value)
                    total = len(start) + sum(_len(i) for i in items)
                    if total > MAX_VALUE:
                        _refuse("the sum", total)
                    args[skip] = items
        return _check_result(func(*args, **kwargs))

    return guarded
