"""Safe YAML loading that keeps line marks and avoids YAML 1.1's surprises.

Every scalar is loaded as a string (``no`` stays ``"no"``, ``06066`` stays ``"06066"``); the
typed model decides what a field means. Explicit tags, anchors and aliases are refused, duplicate
keys are an error naming both lines, and every string is NFC-normalized so that names typed on
different keyboards compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from letterforge.errors import ConfigError, Location, relative_path

# Rosters are hand-written lists of people; anything this large is a mistake or an attack.
MAX_YAML_BYTES = 10 * 1024 * 1024

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
    value_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def location(self, path: YamlPath = (), *, key: bool = False) -> Location:
        """Where the value (or, with ``key``, the key) at ``path`` stands, or its nearest parent."""
        probe = tuple(path)
        while True:
            marks = self.key_marks if key else self.value_marks
            if probe in marks:
                line, column = marks[probe]
                return Location(self.path, line, column)
            if key and probe in self.value_marks:
                line, column = self.value_marks[probe]
                return Location(self.path, line, column)
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
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"not UTF-8 text ({err.reason})", Location(shown)) from err
    except OSError as err:
        raise ConfigError(f"cannot read file: {err.strerror}", Location(shown)) from err
    return load_yaml_text(text, shown)


def load_yaml_text(text: str, shown_path: str) -> YamlDocument:
    """Load YAML text; ``shown_path`` is the name used in error messages."""
    try:
        node = yaml.compose(text, Loader=_UntypedLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        if "single document" in (err.context or ""):
            problem = "a file holds one YAML document: remove this '---' and what follows"
        location = (
            Location(shown_path, mark.line + 1, mark.column + 1) if mark else Location(shown_path)
        )
        raise ConfigError(f"invalid YAML: {problem}", location) from err
    except yaml.YAMLError as err:  # for example a second document in the stream
        raise ConfigError(f"invalid YAML: {err}", Location(shown_path)) from err
    except RecursionError as err:
        raise ConfigError("invalid YAML: nested too deeply", Location(shown_path)) from err
    document = YamlDocument(shown_path, None)
    if node is not None:
        try:
            document.data = _Converter(document).convert(node, ())
        except RecursionError as err:
            raise ConfigError("invalid YAML: nested too deeply", Location(shown_path)) from err
    return document


class _Converter:
    """Turns a composed node tree into plain data while recording marks."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.seen: set[int] = set()

    def _location(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.document.path, mark.line + 1, mark.column + 1)

    def convert(self, node: yaml.Node, path: YamlPath) -> Any:
        # An alias makes the composer hand out the same node object twice.
        if id(node) in self.seen:
            raise ConfigError(
                "YAML anchors and aliases are not supported: this value is reused by an alias; "
                "write it out where it is needed",
                self._location(node),
            )
        self.seen.add(id(node))
        mark = node.start_mark
        self.document.value_marks[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ_TAG)
            return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        self._check_tag(node, _STR_TAG)
        value: str = node.value
        if not node.style and value in _NULL_WORDS:
            return None
        forbidden = FORBIDDEN_CHARACTERS.search(value)
        if forbidden:
            field = format_field_path(path)
            message = forbidden_character_message(forbidden.group())
            raise ConfigError(f"{field}: {message}" if field else message, self._location(node))
        return unicodedata.normalize("NFC", value)

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise ConfigError(f"YAML tag {tag} is not allowed", self._location(node))

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[str, Any]:
        self._check_tag(node, _MAP_TAG)
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, yaml.ScalarNode)
                and not key_node.style
                and key_node.value == "<<"
            ):
                raise ConfigError(
                    "YAML merge keys (<<) are not supported", self._location(key_node)
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError("a key must be plain text", self._location(key_node))
            self._check_tag(key_node, _STR_TAG)
            key = unicodedata.normalize("NFC", key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_seen:
                raise ConfigError(
                    f"duplicate key {key!r} (first defined on line {first_seen[key]})",
                    self._location(key_node),
                )
            first_seen[key] = line
            child = (*path, key)
            self.document.key_marks[child] = (line, key_node.start_mark.column + 1)
            result[key] = self.convert(value_node, child)
        return result
