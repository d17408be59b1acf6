"""A new person's roster entry as YAML text, in the house style of the example rosters:
``name: {given: Ana, family: Ruiz}``, lists and short mappings of texts on one line, the rest
as blocks.

Written here rather than by a YAML library because a roster's entries have one simple shape and
an import writes thousands of them: libyaml through PyYAML's representer took two seconds for
5,000 people, ruamel.yaml five. Every text that YAML 1.1 or 1.2 would read as something else
(``no``, ``08``, ``2020-03-31``, ``null``) or that holds a character with a meaning in YAML is
quoted, so the entry reads back as written, in letterforge and in any editor.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

FLOW_WIDTH = 80  # a mapping of texts no longer than this is written on one line

# Text that can stand unquoted, also inside [ ] and { }: no indicator first, no comma,
# bracket, colon or hash anywhere, no line break (YAML 1.1 counts NEL and U+2028 too), and
# no space at either end.
_PLAIN = re.compile(
    r"[^\s\-?:,\[\]{}#&*!|>'\"%@`<=~\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]"
    r"(?:[^,:\[\]{}#\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*[^\s,:\[\]{}#\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff])?"
)
# Plain words YAML 1.1 (libyaml, PyYAML) or 1.2 (editors, ruamel.yaml) would read as
# numbers, dates, true/false or null; more than those (12abc), never fewer.
_NOT_TEXT = re.compile(
    r"[-+.]?[0-9][0-9a-fA-FxXoO_.+-]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
    r"|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"
    r"|true|True|TRUE|false|False|FALSE|null|Null|NULL"
)
# What a single-quoted text cannot hold: line breaks and other characters to escape.
_ESCAPE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def scalar(value: Any) -> str:
    """A text, number, true/false or date as a YAML scalar that reads back as itself."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | datetime.date):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not _NOT_TEXT.fullmatch(text):
        return text
    if _ESCAPE.search(text):
        return json.dumps(text)  # a JSON string is a YAML double-quoted scalar
    return "'" + text.replace("'", "''") + "'"


def is_flow(value: dict[str, Any]) -> bool:
    """Whether a mapping is written on one line: texts only, and short."""
    if any(isinstance(item, dict | list) for item in value.values()):
        return False
    width = sum(len(str(key)) + len(scalar(item)) + 4 for key, item in value.items())
    return width <= FLOW_WIDTH


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    return scalar(value)


def _entry(key: str, value: Any, prefix: str, indent: int) -> list[str]:
    """The lines of ``key: value``, the first starting with ``prefix``, nested ones at
    ``indent`` + 2."""
    head = f"{prefix}{scalar(key)}:"
    if isinstance(value, dict) and value and not is_flow(value):
        inner = " " * (indent + 2)
        return [head] + [line for k, v in value.items() for line in _entry(k, v, inner, indent + 2)]
    return [f"{head} {_flow(value)}"]


def person_entry(person: dict[str, Any], dash: int) -> str:
    """A person as a roster's list entry, ``- id: ...``, its dash at column ``dash``."""
    lines: list[str] = []
    for number, (key, value) in enumerate(person.items()):
        prefix = " " * dash + ("- " if number == 0 else "  ")
        lines += _entry(key, value, prefix, dash + 2)
    return "".join(line + "\n" for line in lines)
