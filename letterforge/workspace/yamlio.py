"""Safe YAML loading that keeps line marks and avoids YAML 1.1's surprises.

Every scalar is loaded as a string (``no`` stays ``"no"``, ``06066`` stays ``"06066"``); the
typed model decides what a field means. Explicit tags, anchors and aliases are refused, duplicate
keys are an error naming both lines, and every string is NFC-normalized so that names typed on
different keyboards compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from letterforge.errors import ConfigError, Location, relative_path
from letterforge.workspace.paths import read_input

# Rosters are hand-written lists of people; anything this large is a mistake or an attack.
MAX_YAML_BYTES = 10 * 1024 * 1024
# A roster of 10,000 people holds some 200,000 values, nested five or six deep.
MAX_YAML_VALUES = 1_000_000
MAX_YAML_DEPTH = 64

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
# Characters a DOCX (XML 1.0) cannot hold; tab, newline and carriage return are fine.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UntypedLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader with no implicit resolvers: every plain scalar resolves to ``str``.

    With no implicit typing, a node whose tag is not str/map/seq carries an explicit tag such
    as ``!!python/object``, which we can then refuse.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, Any]] = {}


YamlPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Plain data (dicts, lists, strings, None) from one file, with where each value stood."""

    path: str
    data: Any
    # Marks are packed into one int each (see _mark): a roster of 5,000 people has 150,000
    # of them, and a tuple per mark took three times the memory.
    value_marks: dict[YamlPath, int] = field(default_factory=dict)
    key_marks: dict[YamlPath, int] = field(default_factory=dict)

    def location(self, path: YamlPath = (), *, key: bool = False) -> Location:
        """Where the value (or, with ``key``, the key) at ``path`` stands, or its nearest parent."""
        probe = tuple(path)
        while True:
            marks = self.key_marks if key else self.value_marks
            if probe in marks:
                return Location(self.path, *_unpack(marks[probe]))
            if key and probe in self.value_marks:
                return Location(self.path, *_unpack(self.value_marks[probe]))
            if not probe:
                return Location(self.path)
            probe = probe[:-1]


def format_field_path(loc: tuple[Any, ...]) -> str:
    """``("people", 3, "title")`` → ``people[3].title``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def forbidden_character_message(character: str) -> str:
    """Why ``character`` (one of FORBIDDEN_CHARACTERS) is refused."""
    message = f"the control character U+{ord(character):04X} cannot appear in a letter"
    if character == "\x0b":
        message += " (Word pastes a line break as this character: retype the break)"
    return message


def load_yaml_file(path: Path, root: Path) -> YamlDocument:
    """Load one YAML file of a workspace; errors name it relative to ``root``."""
    shown = relative_path(path, root)
    # A repository can commit a symbolic link to /etc/passwd or /dev/zero: read regular files
    # inside the workspace only.
    real = path.resolve()
    if not real.is_relative_to(root.resolve()) or not real.is_file():
        raise ConfigError(
            "is a link that leads outside the workspace, or not a regular file", Location(shown)
        )
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ConfigError(
                f"file is {size // (1024 * 1024)} MiB; YAML files are limited to "
                f"{MAX_YAML_BYTES // (1024 * 1024)} MiB",
                Location(shown),
            )
        text = read_input(path).decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"not UTF-8 text ({err.reason})", Location(shown)) from err
    except OSError as err:
        raise ConfigError(f"cannot read file: {err.strerror}", Location(shown)) from err
    return load_yaml_text(text, shown)


def load_yaml_text(text: str, shown_path: str) -> YamlDocument:
    """Load YAML text; ``shown_path`` is the name used in error messages."""
    document = YamlDocument(shown_path, None)
    try:
        document.data = _EventReader(document).read(yaml.parse(text, Loader=_UntypedLoader))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        location = (
            Location(shown_path, mark.line + 1, mark.column + 1) if mark else Location(shown_path)
        )
        raise ConfigError(f"invalid YAML: {problem}", location) from err
    except yaml.YAMLError as err:
        raise ConfigError(f"invalid YAML: {err}", Location(shown_path)) from err
    return document


@dataclass
class _Open:
    """A mapping or sequence being read: where it is and what it has so far."""

    path: YamlPath
    value: dict[str, Any] | list[Any]
    key: str | None = None  # in a mapping, the key whose value comes next
    key_path: YamlPath | None = None  # and its path
    key_lines: dict[str, int] = field(default_factory=dict)


class _EventReader:
    """Builds plain data from the parser's events, with an explicit stack.

    Reading events (not a composed node tree) keeps memory proportional to the data, lets the
    limits on nesting and size stop a hostile file early, and never recurses: libyaml's own
    composer recurses in C and crashes the process on 25,000 nested brackets.
    """

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.stack: list[_Open] = []
        self.values = 0
        self.result: Any = None
        self.documents = 0

    def _location(self, event: yaml.Event) -> Location:
        return Location(self.document.path, *_unpack(_mark(event)))

    def read(self, events: Iterator[yaml.Event]) -> Any:
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise ConfigError(
                        "invalid YAML: a file holds one YAML document: remove this '---' "
                        "and what follows",
                        self._location(event),
                    )
            elif isinstance(event, yaml.AliasEvent):
                raise ConfigError(
                    "YAML aliases (*name) are not supported: write the value out where it "
                    "is needed",
                    self._location(event),
                )
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                is_mapping = isinstance(event, yaml.MappingStartEvent)
                self._check_node(event, _MAP_TAG if is_mapping else _SEQ_TAG)
                if len(self.stack) >= MAX_YAML_DEPTH:
                    raise ConfigError(
                        f"invalid YAML: nested more than {MAX_YAML_DEPTH} levels deep",
                        self._location(event),
                    )
                path = self._next_path(event)
                container: dict[str, Any] | list[Any] = {} if is_mapping else []
                self.stack.append(_Open(path, container))
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                finished = self.stack.pop()
                self._store(finished.value)
            elif isinstance(event, yaml.ScalarEvent):
                self._scalar(event)
        return self.result

    def _check_node(self, event: yaml.NodeEvent, default_tag: str) -> None:
        if event.anchor is not None:
            raise ConfigError(
                f"YAML anchors (&{event.anchor}) are not supported: write the value out where "
                "it is needed",
                self._location(event),
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", default_tag):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise ConfigError(f"YAML tag {shown} is not allowed", self._location(event))
        self.values += 1
        if self.values > MAX_YAML_VALUES:
            raise ConfigError(
                f"invalid YAML: more than {MAX_YAML_VALUES:,} values in one file",
                self._location(event),
            )

    def _next_path(self, event: yaml.Event) -> YamlPath:
        """The path of the value ``event`` starts, recording where it stands."""
        if not self.stack:
            path: YamlPath = ()
        else:
            parent = self.stack[-1]
            if isinstance(parent.value, dict):
                if parent.key is None or parent.key_path is None:
                    raise ConfigError("a key must be plain text", self._location(event))
                path = parent.key_path  # one tuple for the key's mark and the value's
            else:
                path = (*parent.path, len(parent.value))
        self.document.value_marks[path] = _mark(event)
        return path

    def _store(self, value: Any) -> None:
        if not self.stack:
            self.result = value
            return
        parent = self.stack[-1]
        if isinstance(parent.value, dict):
            assert parent.key is not None
            parent.value[parent.key] = value
            parent.key = None
        else:
            parent.value.append(value)

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        self._check_node(event, _STR_TAG)
        parent = self.stack[-1] if self.stack else None
        text = self._text(event, parent)
        if isinstance(parent, _Open) and isinstance(parent.value, dict) and parent.key is None:
            self._key(event, parent, text)
            return
        self._next_path(event)
        if not event.style and event.value in _NULL_WORDS:
            self._store(None)
        else:
            self._store(text)

    def _text(self, event: yaml.ScalarEvent, parent: _Open | None) -> str:
        value: str = event.value
        forbidden = FORBIDDEN_CHARACTERS.search(value)
        if forbidden:
            where: YamlPath = parent.path if parent else ()
            if parent is not None and isinstance(parent.value, dict) and parent.key is not None:
                where = (*parent.path, parent.key)
            elif parent is not None and isinstance(parent.value, list):
                where = (*parent.path, len(parent.value))
            field_path = format_field_path(where)
            message = forbidden_character_message(forbidden.group())
            raise ConfigError(
                f"{field_path}: {message}" if field_path else message, self._location(event)
            )
        return unicodedata.normalize("NFC", value)

    def _key(self, event: yaml.ScalarEvent, parent: _Open, key: str) -> None:
        assert isinstance(parent.value, dict)
        mark = _mark(event)
        line = _unpack(mark)[0]
        if not event.style and key == "<<":
            raise ConfigError("YAML merge keys (<<) are not supported", self._location(event))
        if key in parent.key_lines:
            raise ConfigError(
                f"duplicate key {key!r} (first defined on line {parent.key_lines[key]})",
                self._location(event),
            )
        parent.key_lines[key] = line
        parent.key = key
        parent.key_path = (*parent.path, key)
        self.document.key_marks[parent.key_path] = mark


_COLUMN_BITS = 24


def _mark(event: yaml.Event) -> int:
    """Line and column, from 1, where ``event`` starts, packed into one int."""
    mark = event.start_mark
    assert mark is not None  # the parser marks every event
    return (mark.line + 1) << _COLUMN_BITS | min(mark.column + 1, (1 << _COLUMN_BITS) - 1)


def _unpack(mark: int) -> tuple[int, int]:
    """The line and column of a packed mark."""
    return mark >> _COLUMN_BITS, mark & ((1 << _COLUMN_BITS) - 1)
