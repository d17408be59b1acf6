"""The sandbox letters are rendered in: what a template can reach, and how much it can spend.

Templates arrive through pull requests, sometimes from outside the organization. Jinja's
immutable sandbox already refuses Python internals (``''.__class__``, ``str.format`` tricks)
and changes to the data; on top of it:

- templates load only from their folder, never through a symbolic link that leads out of it;
- no value a template makes may weigh more than :data:`MAX_TEXT` (characters of text plus items
  of lists, counted through nested lists), checked *before* the value is made: ``'x' * 10**9``,
  ``['x' * 999999] * 2000``, ``|center(10**9)``, ``|replace``, ``|join``, ``|batch``, ``~``,
  ``{% set %}`` blocks, ``%`` and ``str.format`` widths and fields. A string operation in C
  cannot be interrupted, so a time limit alone would let a loop that doubles a string take all
  the machine's memory;
- integers stay small enough to print (``10 ** 100000`` is refused, not computed), and bytes,
  which no letter needs, cannot be made;
- a letter's text is at most :data:`MAX_LETTER_TEXT` characters;
- rendering and parsing one letter take at most :data:`RENDER_SECONDS` (a loop of loops);
- ``lipsum``, which makes text of any size, is not offered.
"""

from __future__ import annotations

import math
import re
import signal
import string
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from letterforge.workspace.paths import read_input

# A letter is some ten thousand characters; a hundred times that is no letter.
MAX_TEXT = 1_000_000
MAX_LETTER_TEXT = 200_000
# A padding, width or precision in a format: ``{:>10}``, ``%.2f``.
MAX_WIDTH = 10_000
# Bits in an integer a template computes; Python refuses to print beyond ~14,000 bits anyway.
MAX_INTEGER_BITS = 65_536
RENDER_SECONDS = 10.0

_PERCENT_SPEC = re.compile(r"%(?:\(([^)]*)\))?[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?[a-zA-Z%]")
_NUMBERS = re.compile(r"\d+")


class LimitExceeded(SecurityError):
    """A template asked for more than a letter can need."""


class RenderTimeout(Exception):
    """Rendering one letter took longer than :data:`RENDER_SECONDS`."""


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates from one folder and refuses any path that leads outside it.

    Jinja's FileSystemLoader refuses ``..`` but follows symbolic links, and a repository can
    commit a link to ``/etc``. Here the real path must stay inside ``boundary`` (the real
    workspace, or letterforge's own layouts), and it must be a regular file (not ``/dev/zero``
    behind a link).
    """

    def __init__(
        self, folder: Path, *, boundary: Path, outside_error: Callable[[str], Exception]
    ) -> None:
        self.folder = folder
        self.boundary = boundary.resolve()
        self.outside_error = outside_error

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
            real = path.resolve()
            inside = real.is_relative_to(self.boundary) and real.is_relative_to(
                self.folder.resolve()
            )
            if not real.exists() or (inside and not real.is_file()):
                raise jinja2.TemplateNotFound(template)
            size = real.stat().st_size if inside else 0
        except (OSError, ValueError) as err:  # a name too long, or with a NUL character
            raise jinja2.TemplateNotFound(template) from err
        if not inside:
            # Not TemplateNotFound: ChoiceLoader would try the next loader and lose the reason.
            raise self.outside_error(f"template {template!r} leads outside {self.folder.name}/")
        if size > MAX_TEXT:
            raise self.outside_error(f"template {template!r} is larger than {MAX_TEXT:,} bytes")
        # Windows editors start UTF-8 files with a byte-order mark; left in, it would be the
        # letter's first character and keep its first Markdown block (a list) from being read.
        source = read_input(path).decode("utf-8").removeprefix("\ufeff")
        return source, str(path), lambda: True


class _LimitedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to a checked join; Jinja offers no hook for that operator."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class Facts(dict[str, Any]):
    """A mapping whose keys are all a template reaches: a key it lacks is undefined, never
    one of a mapping's methods. Facts are named by their authors, and a fact called ``keys``
    or ``items`` that one person lacks must read as missing, not as ``dict.keys``."""

    __slots__ = ()


class LetterSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with limits on size and numbers (see the module's docstring)."""

    # The optimizer does not fold intercepted operators at compile time, so `'x' * 10**9`
    # in a template reaches call_binop instead of being computed while compiling.
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _LimitedCodeGenerator

    def __init__(self, **options: Any) -> None:
        self._finalize_value = options.pop("finalize", None)
        # Characters printed by {{ }} in this render, captured by {% set %} blocks and macros
        # too: each value is within the limit, so their sum is what bounds a loop of them.
        self.printed = 0
        super().__init__(finalize=self._print, **options)
        self.globals.pop("lipsum", None)
        # What checked filters made in this render: one call is within the limit, but |map
        # calls a filter once per item, so their sum is bounded too.
        self.made = 0
        for name, check in _FILTER_CHECKS.items():
            self.filters[name] = _checked_filter(self.filters[name], check, self)

    def _print(self, value: Any) -> Any:
        self.printed += weight(value)
        if self.printed > MAX_TEXT:
            raise LimitExceeded(f"the template printed more than {MAX_TEXT:,} characters")
        return self._finalize_value(value) if self._finalize_value is not None else value

    @staticmethod
    def concat(parts: Iterable[str]) -> str:
        """Join captured output (``{% set %}`` blocks, macros, ``caller()``) within the limit."""
        collected: list[str] = []
        size = 0
        for part in parts:
            size += len(part)
            _check_size(size)
            collected.append(part)
        return "".join(collected)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
            _check_product(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "+" and _is_sized(left) and _is_sized(right):
            _check_size(weight(left) + weight(right))
        elif operator == "%" and isinstance(left, str):
            _check_percent(left, right)
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A key of the letter's data wins over a mapping method of the same name: a campaign
        # variable called items or values is that variable, not dict.items.
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        if isinstance(obj, Facts):  # a fact one person lacks is undefined, never a method
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Facts):
            return obj[argument] if argument in obj else self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)

    def checked_concat(self, values: tuple[Any, ...]) -> str:
        """``a ~ b ~ c``, refused when the result would exceed the limit."""
        _check_size(sum(weight(value) for value in values))
        return "".join(str(value) for value in values)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str | bytes):
            args = _check_str_method(owner, __obj.__name__, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text = value.__self__
        fields = _check_brace_format(text)

        def checked(*args: Any, **kwargs: Any) -> str:
            values = [*args, *kwargs.values()]
            if value.__name__ == "format_map" and args and isinstance(args[0], dict):
                values = list(args[0].values())
            _check_fields(text, fields, values)
            return wrapped(*args, **kwargs)

        return checked


def render_limited(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render ``template``, refusing output beyond :data:`MAX_LETTER_TEXT`."""
    if isinstance(template.environment, LetterSandbox):
        template.environment.printed = 0
        template.environment.made = 0
    parts: list[str] = []
    size = 0
    for part in template.generate(context):
        size += len(part)
        if size > MAX_LETTER_TEXT:
            raise LimitExceeded(f"the letter's text would exceed {MAX_LETTER_TEXT:,} characters")
        parts.append(part)
    return "".join(parts)


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Raise RenderTimeout in the code running after ``seconds`` (default RENDER_SECONDS).

    A signal timer is the one way to stop a Python loop from outside; it works in the main
    thread only, which is where letterforge renders (each build worker is a process).
    """
    limit = RENDER_SECONDS if seconds is None else seconds
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RenderTimeout(f"rendering took longer than {limit:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def weight(value: Any, budget: int = MAX_TEXT) -> int:
    """Characters of text plus items of collections in ``value``, nested ones included.

    Counting stops once past ``budget``, so weighing a huge value costs no more than the limit.
    A list holding one long string a thousand times weighs a thousand long strings: that is
    what printing it makes.
    """
    total = 0
    pending = [value]
    while pending and total <= budget:
        item = pending.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            pending.extend(item)
        elif isinstance(item, dict):
            total += len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            total += 1
    return total


def _is_sized(value: Any) -> bool:
    return isinstance(value, str | bytes | list | tuple)


def _check_size(size: int) -> None:
    if size > MAX_TEXT:
        raise LimitExceeded(f"a value of {size:,} characters or items (the limit is {MAX_TEXT:,})")


def _check_repeat(sequence: Any, count: Any) -> None:
    if _is_sized(sequence) and isinstance(count, int) and not isinstance(count, bool):
        _check_size(max(weight(sequence), 1) * max(count, 0))


def _check_product(left: Any, right: Any) -> None:
    if (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() + right.bit_length() > MAX_INTEGER_BITS
    ):
        raise LimitExceeded("a product of numbers too large for a letter")


def _check_power(base: Any, exponent: Any) -> None:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and abs(base) > 1
        and exponent * math.log2(abs(base)) > MAX_INTEGER_BITS
    ):
        raise LimitExceeded(f"{base} ** {exponent} is too large a number for a letter")


def _check_width(width: int) -> None:
    if width > MAX_WIDTH:
        raise LimitExceeded(f"a width or precision of {width:,} (the limit is {MAX_WIDTH:,})")


def _check_fields(text: str, fields: int, values: Iterable[Any]) -> None:
    """A format with ``fields`` fields, each of which may print the heaviest of ``values``."""
    heaviest = max((weight(value) for value in values), default=0)
    _check_size(len(text) + fields * (heaviest + MAX_WIDTH))


def _check_percent(text: str, values: Any) -> None:
    """``'%5d' % value`` and ``'%(name)s' % mapping``: widths, then the result's size."""
    specs = _PERCENT_SPEC.findall(text)
    for _, width, precision in specs:
        for number in (width, precision):
            if number == "*":
                raise LimitExceeded("a width taken from the values ('%*d') is not allowed")
            if number:
                _check_width(int(number))
    if isinstance(values, dict):
        candidates: Iterable[Any] = values.values()
    elif isinstance(values, tuple):
        candidates = values
    else:
        candidates = (values,)
    _check_fields(text, len(specs), candidates)


def _check_brace_format(text: str) -> int:
    """Check widths and precisions in ``{:>10.2f}`` specs; return how many fields there are."""
    try:
        fields = [field for field in string.Formatter().parse(text) if field[1] is not None]
    except ValueError:
        return 0  # str.format will raise its own error
    for _, _, spec, _ in fields:
        if "{" in (spec or ""):
            raise LimitExceeded("a width taken from the values ('{:{}}') is not allowed")
        for number in _NUMBERS.findall(spec or ""):
            _check_width(int(number))
    return len(fields)


def _check_str_method(
    text: str | bytes, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """Refuse str methods whose result would exceed the limits, before they run.

    Returns the arguments to call with: an iterable given to ``join`` is read into a list
    first, to weigh it.
    """
    if isinstance(text, bytes) or name == "encode":
        raise LimitExceeded("bytes have no place in a letter")
    numbers = [arg for arg in (*args, *kwargs.values()) if isinstance(arg, int)]
    if name in {"center", "ljust", "rjust", "zfill"} and numbers:
        _check_size(numbers[0])
    elif name == "expandtabs" and numbers:
        _check_size(len(text) + text.count("\t") * numbers[0])
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str):
        new = args[1] if isinstance(args[1], str) else ""
        occurrences = text.count(args[0]) if args[0] else len(text) + 1
        _check_size(len(text) + occurrences * len(new))
    elif name == "join" and args:
        items = list(args[0])
        _check_size(len(text) * len(items) + sum(weight(item) for item in items))
        return (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((weight(value) for value in args[0].values()), default=1)
        _check_size(len(text) * longest)
    return args


def _checked_filter(
    original: Callable[..., Any], check: Callable[..., Any], sandbox: LetterSandbox
) -> Any:
    """``original`` with ``check`` run on its arguments first, keeping Jinja's pass_* marks.

    The check sees the filter's own arguments, without the context Jinja may pass first; it
    may return replacement arguments (a generator read into a list, to weigh it).
    """
    passes_context = hasattr(original, "jinja_pass_arg")

    def checked(*args: Any, **kwargs: Any) -> Any:
        context, own = (args[:1], args[1:]) if passes_context else ((), args)
        replaced = check(*own, **kwargs)
        result = original(*context, *(own if replaced is None else replaced), **kwargs)
        if isinstance(result, str):
            sandbox.made += len(result)
            if sandbox.made > 10 * MAX_TEXT:
                raise LimitExceeded(f"the template made more than {10 * MAX_TEXT:,} characters")
        return result

    if passes_context:
        checked.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return checked


def _center_check(value: Any, width: int = 80, *args: Any, **kwargs: Any) -> None:
    _check_size(int(width))


def _indent_check(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> None:
    pad = len(width) if isinstance(width, str) else int(width)
    _check_size(len(str(value)) + (str(value).count("\n") + 1) * pad)


def _format_check(value: Any, *args: Any, **kwargs: Any) -> None:
    if isinstance(value, str):
        _check_percent(value, kwargs if kwargs else tuple(args))


def _replace_check(value: Any, old: Any = "", new: Any = "", count: Any = None) -> None:
    text = str(value)
    occurrences = text.count(str(old)) if old else len(text) + 1
    _check_size(len(text) + occurrences * len(str(new)))


def _join_check(value: Any, d: Any = "", attribute: Any = None) -> tuple[Any, ...]:
    items = list(value)
    _check_size(len(items) * weight(d) + sum(weight(item) for item in items))
    return (items, d, attribute)


def _wordwrap_check(value: Any, width: int = 79, *args: Any, **kwargs: Any) -> None:
    wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else "\n")
    lines = len(str(value)) // max(int(width), 1) + 1
    _check_size(len(str(value)) + lines * weight(wrapstring))


def _batch_check(value: Any, linecount: int, fill_with: Any = None) -> None:
    _check_size(int(linecount) * max(weight(fill_with), 1))


def _slice_check(value: Any, slices: int, fill_with: Any = None) -> None:
    _check_size(int(slices))


def _sum_check(iterable: Any, attribute: Any = None, start: Any = 0) -> tuple[Any, ...]:
    items = list(iterable)
    if _is_sized(start):
        _check_size(weight(start) + sum(weight(item) for item in items))
    return (items, attribute, start)


_FILTER_CHECKS: dict[str, Callable[..., Any]] = {
    "center": _center_check,
    "indent": _indent_check,
    "format": _format_check,
    "replace": _replace_check,
    "join": _join_check,
    "wordwrap": _wordwrap_check,
    "batch": _batch_check,
    "slice": _slice_check,
    "sum": _sum_check,
}
