"""Merging imported people into a roster file, keeping what people wrote by hand.

People are matched by id. A value the import changes is edited on the line that holds it when
it can be (checked by reading the entry back), and otherwise the person goes through
ruamel.yaml's round trip; either way their hand-added fields, comments and layout stay. A person
it does not change keeps their lines byte for byte, and new people are appended in the roster's
style. Only the people that need it go through ruamel, whose pure-Python round trip of a whole
5,000-person roster takes some fifteen seconds.
"""

from __future__ import annotations

import datetime
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from letterforge.commands.roster_text import is_flow, person_entry, scalar
from letterforge.errors import ConfigError, Location, relative_path
from letterforge.workspace.model import Address, Name, Person
from letterforge.workspace.yamlio import (
    YamlDocument,
    format_field_path,
    load_yaml_file,
    load_yaml_text,
)

# Key order of a new person's mapping, and where a new key goes in an old one.
FIELD_ORDER: dict[tuple[str, ...], list[str]] = {
    (): [*Person.model_fields, "data"],
    ("name",): list(Name.model_fields),
    ("address",): list(Address.model_fields),
}
Change = tuple[tuple[str, ...], Any, bool]  # the path, the new value, whether to add to a list


@dataclass
class Roster:
    """A roster file as it is: its text, and each person's plain data and first line."""

    path: Path
    shown: str
    text: str = ""
    people: list[dict[str, Any]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    """The line (from 0) each person's entry starts on, at its dash."""
    document: YamlDocument | None = None
    newline: str = "\n"  # how the file ends its lines: "\r\n" where Windows saved it

    def location(self, index: int) -> Location:
        """Where person ``index`` stands."""
        assert self.document is not None
        return self.document.location(("people", index))


def read_roster(path: Path, root: Path) -> Roster:
    """The roster at ``path``, or an empty one when there is no such file yet."""
    roster = Roster(path, relative_path(path, root))
    if not path.exists() and not path.is_symlink():
        return roster
    document = load_yaml_file(path, root)
    people = document.data.get("people") if isinstance(document.data, dict) else None
    if not isinstance(people, list | None) or not isinstance(document.data, dict | None):
        raise ConfigError("expected a roster: a mapping with a list of people", document.location())
    raw = path.read_bytes()
    roster.document, roster.people = document, people or []
    roster.text = raw.decode("utf-8").replace("\r\n", "\n")
    roster.newline = "\r\n" if b"\r\n" in raw else "\n"
    lines = roster.text.splitlines()
    for index, person in enumerate(roster.people):
        where = document.location(("people", index))
        if not (isinstance(person, dict) and isinstance(person.get("id"), str)):
            raise ConfigError(f"people[{index}]: expected a person with an id", where)
        assert where.line is not None and where.column is not None
        before = lines[where.line - 1][: where.column - 1]
        if not re.fullmatch(r" *- +", before):
            raise ConfigError(
                f"people[{index}]: import merges into rosters that write each person as a "
                "block entry, '- id: ...' on its own line; rewrite this one that way",
                where,
            )
        roster.starts.append(where.line - 1)
    return roster


@dataclass
class Merged:
    """A roster's new text and what changed in it."""

    text: str
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    missing: list[int]
    """Indexes of the roster's people that the import does not have."""


def merge_people(roster: Roster, imported: list[dict[str, Any]]) -> Merged:
    """The roster with ``imported`` people merged in: matched by id, changed fields updated,
    other fields kept, new people appended in order. Nobody is removed."""
    index = {person["id"]: i for i, person in enumerate(roster.people)}
    lines = roster.text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    bounds = [*roster.starts, len(lines)]
    chunks = [lines[start:end] for start, end in itertools.pairwise(bounds)]
    result = Merged("", [], [], [], [])
    new_people = []
    for person in imported:
        if person["id"] not in index:
            new_people.append(person)
            result.added.append(person["id"])
            continue
        position = index[person["id"]]
        changes = _changes(roster.people[position], person, ())
        if changes:
            chunk = chunks[position]
            old = roster.people[position]
            chunks[position] = _edited_in_place(chunk, changes, old) or _edited(chunk, changes)
            result.updated.append(person["id"])
        else:
            result.unchanged.append(person["id"])
    seen = {person["id"] for person in imported}
    result.missing = [i for i, person in enumerate(roster.people) if person["id"] not in seen]
    head = lines[: roster.starts[0]] if roster.starts else _head_of_empty(lines)
    dash = _dash_column(lines, roster.starts)
    spaced = len(roster.starts) < 2 or not lines[roster.starts[1] - 1].strip()
    text = "".join(head) + "".join("".join(chunk) for chunk in chunks)
    for person in new_people:
        text += ("\n" if spaced and not text.endswith("people:\n") else "") + person_entry(
            person, dash
        )
    result.text = text
    return result


def _head_of_empty(lines: list[str]) -> list[str]:
    """What comes before the people of a roster that has none yet: its leading comments."""
    head = []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        head.append(line)
    return [*head, "people:\n"]


def _dash_column(lines: list[str], starts: list[int]) -> int:
    if not starts:
        return 2
    return len(lines[starts[0]]) - len(lines[starts[0]].lstrip(" "))


def _scalar_text(value: Any) -> str:
    """A value as the YAML loader reads it back: text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _changes(old: Any, new: dict[str, Any], path: tuple[str, ...]) -> list[Change]:
    """What to change in ``old`` (a roster's plain data) so that it holds ``new``: keys it
    lacks are added, differing values replaced, tags added to; nothing is removed."""
    changes: list[Change] = []
    for key, value in new.items():
        inner = (*path, key)
        current = old.get(key) if isinstance(old, dict) else None
        if isinstance(value, dict) and isinstance(current, dict):
            changes += _changes(current, value, inner)
        elif inner == ("tags",) and isinstance(current, list):
            extra = [tag for tag in value if tag not in current]
            if extra:
                changes.append((inner, extra, True))
        elif _plain(value) != current:
            changes.append((inner, value, False))
    return changes


def _plain(value: Any) -> Any:
    """``value`` as the roster's loader would read it back."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return _scalar_text(value)


def _edited_in_place(
    chunk: list[str], changes: list[Change], old: dict[str, Any]
) -> list[str] | None:
    """A person's lines with ``changes`` made on the lines that hold the values, when each
    change is a text replaced or tags added where the entry already has them; ``None`` when
    a change needs the round trip (a new key, a value over several lines).

    Ruamel.yaml's round trip takes two milliseconds a person, which a sheet where every row
    changed turns into many seconds. The edit is kept only when the lines read back as the
    person with the changes made; anything else goes the round trip's way.
    """
    if not chunk:
        return None
    lines = list(chunk)
    dash = re.match(r" *- +", lines[0])  # the entry's first line: '  - id: ...'
    if dash is None:
        return None
    indent = " " * dash.end()  # where the entry's keys start
    for path, value, extend in changes:
        if isinstance(value, dict) or (isinstance(value, list) and not extend):
            return None
        if not _edit_line(lines, indent, path, value, extend):
            return None
    expected = _plain(old)
    for path, value, extend in changes:
        node = expected
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = node[path[-1]] + _plain(value) if extend else _plain(value)
    try:
        people = load_yaml_text("".join(lines), "edit").data
    except ConfigError:
        return None
    return lines if isinstance(people, list) and people[:1] == [expected] else None


def _edit_line(
    lines: list[str], indent: str, path: tuple[str, ...], value: Any, extend: bool
) -> bool:
    """Make one change on the line that holds it; whether there was such a line."""
    if len(path) == 1 or extend:
        key, mark = path[0], f"{indent}{path[0]}: "
        for number, line in enumerate(lines):
            if line.startswith(mark):
                head, _, rest = line.partition(f"{key}: ")
                if "#" in rest:  # a comment someone wrote stays: the round trip keeps it
                    return False
                if extend:
                    if not (rest.startswith("[") and rest.rstrip().endswith("]")):
                        return False
                    added = "".join(f", {scalar(tag)}" for tag in value)
                    lines[number] = f"{head}{key}: {rest.rstrip()[:-1]}{added}]\n"
                else:
                    lines[number] = f"{head}{key}: {scalar(value)}\n"
                return True
        return False
    if len(path) == 2:
        for number, line in enumerate(lines):
            if line.startswith(f"{indent}{path[0]}: {{") and line.rstrip().endswith("}"):
                after = r"(?:(?<=\{)|(?<=, ))"  # the mapping's first key, or one after a comma
                pattern = re.compile(rf"{after}{re.escape(path[1])}: [^,{{}}]*(?=[,}}])")
                replaced, count = pattern.subn(f"{path[1]}: {scalar(value)}", line)
                if count == 1:
                    lines[number] = replaced
                    return True
    return False


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: comments, order, quotes and flow styles are kept
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def _edited(chunk: list[str], changes: list[Change]) -> list[str]:
    """A person's lines with ``changes`` made, through ruamel.yaml's round trip."""
    from ruamel.yaml.comments import CommentedMap

    dash = len(chunk[0]) - len(chunk[0].lstrip(" "))
    yaml = _yaml()
    entries = yaml.load("".join(chunk))
    person = entries[0]
    for path, value, extend in changes:
        node = person
        for depth, key in enumerate(path[:-1]):
            if not isinstance(node.get(key), dict):
                _insert(node, key, CommentedMap(), path[:depth])
            node = node[key]
        if extend:
            node[path[-1]].extend(value)
        else:
            _insert(node, path[-1], styled(value), path[:-1])
    out = io.StringIO()
    yaml.dump(entries, out)
    # ruamel writes the dash two columns in; put it back where the file had it.
    shift = dash - 2
    edited = []
    for line in out.getvalue().splitlines(keepends=True):
        if shift >= 0:
            edited.append(" " * shift + line if line.strip() else line)
        else:
            edited.append(line[min(-shift, len(line) - len(line.lstrip(" "))) :])
    return edited


def _insert(node: Any, key: str, value: Any, path: tuple[str, ...]) -> None:
    """Set ``node[key]``; a new key goes where the field order puts it among the others."""
    if key in node:
        node[key] = value
        return
    order = FIELD_ORDER.get(path, [])
    position = len(node)
    if key in order:
        rank = order.index(key)
        before = [i for i, other in enumerate(node) if other in order and order.index(other) < rank]
        after = [i for i, other in enumerate(node) if other in order and order.index(other) > rank]
        position = before[-1] + 1 if before else (after[0] if after else len(node))
    node.insert(position, key, value)


def styled(value: Any) -> Any:
    """``value`` as ruamel.yaml structures in the style of a new entry
    (:func:`~letterforge.commands.roster_text.person_entry`): lists and short mappings of
    texts on one line, the rest as blocks."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        mapping = CommentedMap((key, styled(item)) for key, item in value.items())
        if is_flow(value):
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(styled(item) for item in value)
        sequence.fa.set_flow_style()
        return sequence
    return value


def missing_message(roster: Roster, index: int, source: str) -> tuple[Location, str]:
    """Where a person the import lacks stands, and what to say about them."""
    person_id = roster.people[index]["id"]
    where = format_field_path(("people", index))
    return roster.location(index), f"{where}: {person_id!r} is not in {source}; kept"
