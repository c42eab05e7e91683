"""Bounds on what a template may make: no single step, and no page, grows without limit.

Jinja's sandbox keeps templates away from Python's internals, but not from its memory:
``{{ 'x'|center(10**9) }}`` or ``{{ '{:>999999999}'.format('x') }}`` makes a gigabyte in
one call, long before any time limit is looked at. So every operation that can make text
or a list much larger than its inputs is checked *before* it runs, from the sizes of its
inputs and arguments: widths and counts of the padding and repeating filters and string
methods, format specifications, ``*``, ``+`` and ``~``, ``join`` and ``replace``.
Each may make at most ``MAX_TEXT`` characters (or items). The page as a whole is counted
as it is rendered and stopped once it passes the page limit (``max_page_kb``).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Concat

from vaultnet.errors import TemplateError

MAX_TEXT = 1_000_000  # characters (or items) one step of a template may make
MAX_COUNT = 100_000  # items of range(), rows of batch, parts of slice
MAX_INDENT = 1_000  # tojson's indent

# A replacement field of str.format, and a conversion of %-formatting: the numbers in
# them are widths and precisions.
_FORMAT_FIELD = re.compile(r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBER = re.compile(r"\d+")


def refuse(message: str) -> TemplateError:
    """The error for a step above a bound (the template and line are added later)."""
    return TemplateError(message)


def weight(value: Any, budget: int = MAX_TEXT) -> int:
    """Characters and items in ``value`` (strings, lists, tuples, dicts, nested), counted
    until ``budget`` is passed: what ``str(value)`` or a copy of it would cost at least."""
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, list | tuple | dict):
        return 1
    total = len(value)
    items = value.items() if isinstance(value, dict) else value
    for item in items:
        if total > budget:
            break
        if isinstance(item, str | list | tuple | dict):
            total += weight(item, budget - total)
    return total


def check_size(size: int, what: str) -> None:
    if size > MAX_TEXT:
        raise refuse(f"{what} would make {size:,} characters or items, above {MAX_TEXT:,}")


def check_repeat(left: Any, right: Any) -> None:
    """``left * right``: a string or list repeated."""
    for items, count in ((left, right), (right, left)):
        if isinstance(items, str | list | tuple) and isinstance(count, int) and count > 1:
            size = weight(items, MAX_TEXT // count + 1) * count
            if size > MAX_TEXT:
                raise refuse(
                    f"a repetition of {len(items)} x {count} is above {MAX_TEXT:,}"
                    if len(items) * count > MAX_TEXT
                    else f"a repetition of {len(items)} x {count} would make {size:,} "
                    f"characters or items, above {MAX_TEXT:,}"
                )


def check_sum(left: Any, right: Any) -> None:
    """``left + right`` of two strings or two lists."""
    if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
        check_size(weight(left) + weight(right), "joining these")


def check_percent(text: Any, values: Any) -> None:
    """``text % values``: each width or precision, and the values for a ``*``."""
    if not isinstance(text, str):
        return
    star = False
    for match in _PERCENT_FIELD.finditer(text):
        for number in match.groups():
            if number == "*":
                star = True
            elif number is not None and int(number) > MAX_TEXT:
                raise refuse(f"a width or precision of {int(number):,} is above {MAX_TEXT:,}")
    if star:
        _check_numbers(values if isinstance(values, tuple) else (values,))
    check_size(len(text) + weight(values), "this formatting")


def check_format(text: str, args: Iterable[Any], kwargs: dict[str, Any]) -> None:
    """``text.format(*args, **kwargs)``: widths and precisions in its fields, and the values
    a nested field (``{:>{}}``) takes them from."""
    nested = False
    for field in _FORMAT_FIELD.findall(text):
        nested = nested or field.count("{") > 1
        for number in _NUMBER.findall(field.partition(":")[2]):
            if int(number) > MAX_TEXT:
                raise refuse(f"a width or precision of {int(number):,} is above {MAX_TEXT:,}")
    args = tuple(args)
    if nested:
        _check_numbers((*args, *kwargs.values()))
    check_size(len(text) + weight(args) + weight(tuple(kwargs.values())), "this formatting")


def _check_numbers(values: Iterable[Any]) -> None:
    for value in values:
        if isinstance(value, int) and value > MAX_TEXT:
            raise refuse(f"a width or precision of {value:,} is above {MAX_TEXT:,}")


def check_width(text: Any, width: Any) -> None:
    """Padding ``text`` to ``width`` (center, ljust, rjust, zfill)."""
    if isinstance(width, int) and width > MAX_TEXT:
        raise refuse(f"a width of {width:,} is above {MAX_TEXT:,}")


def check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    if len(new) <= len(old):
        return
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    check_size(len(text) + times * (len(new) - len(old)), "this replace")


def check_join(separator: Any, items: Any) -> None:
    if isinstance(items, list | tuple):
        size = weight(items) + max(len(items) - 1, 0) * len(str(separator))
        check_size(size, "this join")


# String methods that can make much more than they are given, and how each is checked.
_STRING_METHODS: dict[str, Callable[..., None]] = {
    "center": check_width,
    "ljust": check_width,
    "rjust": check_width,
    "zfill": check_width,
    "expandtabs": lambda text, size=8: check_size(
        len(text) * max(size if isinstance(size, int) else 1, 1), "expandtabs"
    ),
    "replace": check_replace,
    "join": check_join,
    "format": lambda text, *args, **kwargs: check_format(text, args, kwargs),
    "format_map": lambda text, mapping: check_format(text, (), dict(mapping)),
}


def check_call(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Before a call from a template: a string method that could make too much."""
    method = getattr(function, "__wrapped__", function)  # the sandbox wraps str.format
    owner = getattr(method, "__self__", None)
    if isinstance(owner, str):
        check = _STRING_METHODS.get(getattr(method, "__name__", ""))
        if check is not None:
            check(owner, *args, **kwargs)


def bounded_filters(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Jinja's filters that can make much more than they are given, checked first."""

    def before(name: str, check: Callable[..., None]) -> Callable[..., Any]:
        original = filters[name]

        @functools.wraps(original)  # keeps Jinja's pass_eval_context marks
        def bounded(*args: Any, **kwargs: Any) -> Any:
            check(*args, **kwargs)
            return original(*args, **kwargs)

        return bounded

    def indent(text: Any, width: Any = 4, *_: Any, **__: Any) -> None:
        prefix = len(width) if isinstance(width, str) else width
        if isinstance(text, str) and isinstance(prefix, int):
            check_size(len(text) + prefix * (text.count("\n") + 1), "this indent")

    def wordwrap(text: Any, width: Any = 79, *args: Any, **kwargs: Any) -> None:
        wrap = kwargs.get("wrapstring", args[1] if len(args) > 1 else None) or "\n"
        if isinstance(text, str) and isinstance(width, int):
            lines = len(text) // max(width, 1) + text.count("\n") + 1
            check_size(len(text) + lines * len(str(wrap)), "this wordwrap")

    def counted(name: str) -> Callable[..., None]:
        def check(_value: Any, count: Any = 1, *_: Any, **__: Any) -> None:
            if isinstance(count, int) and count > MAX_COUNT:
                raise refuse(f"{name}({count:,}) is above {MAX_COUNT:,}")

        return check

    def tojson(_ctx: Any, _value: Any, indent: Any = None, *_: Any, **__: Any) -> None:
        if isinstance(indent, int) and indent > MAX_INDENT:
            raise refuse(f"tojson(indent={indent:,}) is above {MAX_INDENT:,}")
        if isinstance(indent, str) and len(indent) > MAX_INDENT:
            raise refuse(f"a tojson indent of {len(indent):,} characters is above {MAX_INDENT:,}")

    def join(_ctx: Any, items: Any, separator: Any = "", *_: Any, **__: Any) -> None:
        check_join(separator, items)

    def total(_env: Any, items: Any, *_: Any, **__: Any) -> None:
        if isinstance(items, list | tuple) and any(
            isinstance(item, str | list | tuple) for item in items
        ):
            check_size(weight(items), "this sum")  # lists added up: a copy at each step

    checks: dict[str, Callable[..., None]] = {
        "center": check_width,
        "indent": indent,
        "wordwrap": lambda _env, *args, **kwargs: wordwrap(*args, **kwargs),
        "replace": lambda _ctx, *args: check_replace(*args),
        "format": lambda text, *args, **kwargs: check_percent(text, kwargs or args),
        "batch": counted("batch"),
        "slice": lambda _ctx, *args, **kwargs: counted("slice")(*args, **kwargs),
        "tojson": tojson,
        "join": join,
        "sum": total,
    }
    return {name: before(name, check) for name, check in checks.items() if name in filters}


def joined(parts: Iterable[Any], escape: bool = False) -> str:
    """What ``~`` makes: its parts as text, joined, once their size is known to be fine
    (escaped as Jinja would inside ``{% autoescape true %}``)."""
    parts = tuple(parts)
    texts = list(map(str, parts))
    check_size(sum(map(len, texts)), "joining these with ~")
    if escape:
        from jinja2.runtime import markup_join

        return markup_join(parts)
    return "".join(texts)


class BoundedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to a checked join (``environment.joined``): Jinja's own join of
    a concatenation cannot be intercepted like the other operators."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.joined((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        escape = "context.eval_ctx.autoescape" if frame.eval_ctx.volatile else "False"
        self.write(f"), {escape if not frame.eval_ctx.autoescape else 'True'})")


def bounded_text(pieces: Iterator[str], head: str, limit: int, path: str) -> str:
    """``head`` and the rendered ``pieces`` joined, stopped once past ``limit`` characters
    (an error naming the template at ``path``).

    Pieces are taken a few hundred at a time and each batch is joined on its own (``islice``,
    ``len`` and ``join`` run in C): as fast as one join of them all, with the count kept.
    """
    parts = [head]
    size = len(head)
    while True:
        chunk = list(itertools.islice(pieces, 256))
        if not chunk:
            return "".join(parts)
        size += sum(map(len, chunk))
        if size > limit:
            raise TemplateError(
                f"makes a page of more than {limit:,} characters; stopped "
                "(raise max_page_kb if it is meant to)",
                path,
            )
        parts.append("".join(chunk))
