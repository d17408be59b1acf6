"""The sandbox letters are rendered in: what a template can reach, and how much it can spend.

Templates arrive through pull requests, sometimes from outside the organization. Jinja's
immutable sandbox already refuses Python internals (``''.__class__``, ``str.format`` tricks);
on top of it:

- templates load only from their folder, never through a symbolic link that leads out of it;
- no value a template makes may exceed :data:`MAX_TEXT` characters, checked *before* the value
  is made where that is possible (``'x' * 10**9``, ``'x'|center(10**9)``, ``'%999999999d'``);
- integers stay small enough to print (``10 ** 100000`` is refused, not computed);
- rendering one template takes at most :data:`RENDER_SECONDS` (a loop of loops that never ends);
- ``lipsum``, which makes text of any size, is not offered.
"""

from __future__ import annotations

import math
import re
import signal
import string
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# A letter is some ten thousand characters; a hundred times that is no letter.
MAX_TEXT = 1_000_000
# A padding, width or precision in a format: ``{:>10}``, ``%.2f``.
MAX_WIDTH = 10_000
# Bits in an integer a template computes; Python refuses to print beyond ~14,000 bits anyway.
MAX_INTEGER_BITS = 65_536
RENDER_SECONDS = 10.0

_PERCENT_SPEC = re.compile(r"%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?")
_FORMAT_NUMBERS = re.compile(r"\d+")


class LimitExceeded(SecurityError):
    """A template asked for more than a letter can need."""


class RenderTimeout(Exception):
    """Rendering one template took longer than :data:`RENDER_SECONDS`."""


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates from one folder and refuses any path that leads outside it.

    Jinja's FileSystemLoader refuses ``..`` but follows symbolic links, and a repository can
    commit a link to ``/etc``. Here the real path must stay inside the real folder, and it must
    be a regular file (not ``/dev/zero`` behind a link).
    """

    def __init__(self, folder: Path, *, outside_error: Callable[[str], Exception]) -> None:
        self.folder = folder
        self.real_folder = folder.resolve()
        self.outside_error = outside_error

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        real = path.resolve()
        if not real.is_relative_to(self.real_folder):
            # Not TemplateNotFound: ChoiceLoader would try the next loader and lose the reason.
            raise self.outside_error(f"template {template!r} leads outside {self.folder.name}/")
        if not real.is_file():
            raise jinja2.TemplateNotFound(template)
        if real.stat().st_size > MAX_TEXT:
            raise self.outside_error(f"template {template!r} is larger than {MAX_TEXT:,} bytes")
        return real.read_text(encoding="utf-8"), str(path), lambda: True


class _LimitedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to a size-checked join; Jinja offers no hook for that operator."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class LetterSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with limits on size and numbers (see the module's docstring).

    The checks run before the operation: a string operation in C cannot be interrupted, so a
    time limit alone would let ``s ~ s`` doubling in a loop take all the machine's memory.
    """

    # The optimizer does not fold intercepted operators at compile time, so `'x' * 10**9`
    # in a template reaches call_binop instead of being computed while compiling.
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _LimitedCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)
        for name, check in _FILTER_CHECKS.items():
            self.filters[name] = _checked_filter(self.filters[name], check)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
            _check_product(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "+" and _is_sized(left) and _is_sized(right):
            _check_size(len(left) + len(right))
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left)
            values = right if isinstance(right, tuple) else (right,)
            _check_fields(left, len(_PERCENT_SPEC.findall(left)), values)
        return super().call_binop(context, operator, left, right)

    def checked_concat(self, values: tuple[Any, ...]) -> str:
        """``a ~ b ~ c``, refused when the result would exceed the limit."""
        parts = [str(value) for value in values]
        _check_size(sum(len(part) for part in parts))
        return "".join(parts)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _check_str_method(owner, __obj.__name__, args)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text = value.__self__
        fields = _check_brace_format(text)

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_fields(text, fields, (*args, *kwargs.values()))
            return wrapped(*args, **kwargs)

        return checked


def render_limited(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render ``template`` within the time limit, refusing output beyond :data:`MAX_TEXT`."""
    parts: list[str] = []
    size = 0
    with _time_limit(RENDER_SECONDS):
        for part in template.generate(context):
            size += len(part)
            if size > MAX_TEXT:
                raise LimitExceeded(f"the letter's text would exceed {MAX_TEXT:,} characters")
            parts.append(part)
    return "".join(parts)


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise RenderTimeout in the code running after ``seconds``.

    A signal timer is the one way to stop a Python loop from outside; it works in the main
    thread only, which is where letterforge renders (each build worker is a process).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RenderTimeout(f"rendering took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _is_sized(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


def _check_size(size: int) -> None:
    if size > MAX_TEXT:
        raise LimitExceeded(f"a value of {size:,} characters or items (the limit is {MAX_TEXT:,})")


def _check_repeat(sequence: Any, count: Any) -> None:
    if _is_sized(sequence) and isinstance(count, int) and not isinstance(count, bool):
        _check_size(len(sequence) * max(count, 0))


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


def _check_percent_format(text: str) -> None:
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number and number.isdigit():
                _check_width(int(number))


def _check_brace_format(text: str) -> int:
    """Check widths and precisions in ``{:>10.2f}`` specs; return how many fields there are."""
    try:
        fields = [field for field in string.Formatter().parse(text) if field[1] is not None]
    except ValueError:
        return 0  # str.format will raise its own error
    for _, _, spec, _ in fields:
        for number in _FORMAT_NUMBERS.findall(spec or ""):
            _check_width(int(number))
    return len(fields)


def _check_fields(text: str, fields: int, values: tuple[Any, ...]) -> None:
    """A format with ``fields`` fields, each of which may print the longest of ``values``."""
    longest = max((len(str(value)) for value in values), default=0)
    _check_size(len(text) + fields * (longest + MAX_WIDTH))


def _check_str_method(text: str, name: str, args: tuple[Any, ...]) -> None:
    """Refuse str methods whose result would exceed the limits, before they run."""
    numbers = [arg for arg in args if isinstance(arg, int) and not isinstance(arg, bool)]
    if name in {"center", "ljust", "rjust", "zfill"} and numbers:
        _check_size(numbers[0])
    elif name == "expandtabs" and numbers:
        _check_size(len(text) + text.count("\t") * numbers[0])
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str):
        new = args[1] if isinstance(args[1], str) else ""
        occurrences = text.count(args[0]) if args[0] else len(text) + 1
        _check_size(len(text) + occurrences * len(new))
    elif name == "join" and args and isinstance(args[0], list | tuple):
        items = args[0]
        _check_size(len(text) * len(items) + sum(len(str(item)) for item in items))


def _checked_filter(original: Callable[..., Any], check: Callable[..., None]) -> Any:
    """``original`` with ``check`` run on its arguments first, keeping Jinja's pass_* marks."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return original(*args, **kwargs)

    for mark in ("jinja_pass_arg",):
        if hasattr(original, mark):
            setattr(checked, mark, getattr(original, mark))
    return checked


def _center_check(value: Any, width: int = 80, *args: Any, **kwargs: Any) -> None:
    _check_size(int(width))


def _indent_check(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> None:
    pad = len(width) if isinstance(width, str) else int(width)
    _check_size(len(str(value)) + str(value).count("\n") * pad + pad)


def _format_check(value: Any, *args: Any, **kwargs: Any) -> None:
    if isinstance(value, str):
        _check_percent_format(value)


def _replace_check(
    eval_ctx: Any, value: Any, old: Any = "", new: Any = "", count: Any = None
) -> None:
    text = str(value)
    occurrences = text.count(str(old)) if old else len(text) + 1
    _check_size(len(text) + occurrences * len(str(new)))


def _join_check(eval_ctx: Any, value: Any, d: Any = "", attribute: Any = None) -> None:
    items = list(value) if _is_sized(value) else []
    _check_size(len(items) * len(str(d)) + sum(len(str(item)) for item in items))


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": _center_check,
    "indent": _indent_check,
    "format": _format_check,
    "replace": _replace_check,
    "join": _join_check,
}
