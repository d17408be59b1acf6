"""The map file of ``letterforge import``: which column of a spreadsheet holds which field of a
person, and the values every imported person gets.

```yaml
columns:                      # person field: the header of its column
  name.given: Nombre
  name.family: Apellidos
  title.es: Cargo             # a field per language: FIELD.LANG
  email: Correo
  tags: Región                # words separated by commas
  data.state: Estado          # any other column: a fact about the person
constants:                    # what no column holds, the same for everyone
  gender: f
  tags: [governor]
```

A key is a field of a person (``id``, ``name.given``, ``title``, ``title.es``,
``address.locality.es`` ...) or ``data.KEY`` (``data.KEY.LANG``). Like every workspace file,
it is read safely and each mistake is reported at its line.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, WithJsonSchema

from letterforge.errors import Collector, ConfigError, Location, did_you_mean
from letterforge.workspace.campaign import resolve_scalars
from letterforge.workspace.languages import LANGUAGE_TAG, language_tag_problem
from letterforge.workspace.model import StrictModel
from letterforge.workspace.validation import validate_document
from letterforge.workspace.yamlio import YamlDocument, load_yaml_text

# Fields that hold one text: the id, the parts of the name, gender, email, signature.
TEXT_FIELDS = ("id", "name.given", "name.family", "name.surname", "gender", "email", "signature")
# Fields that are text in every language, or per language with .LANG.
LOCALIZED_FIELDS = (
    "honorific",
    "title",
    "office",
    "organization",
    "address.locality",
    "address.country",
)
PER_LANGUAGE_FIELDS = ("salutation", "closing")  # always with .LANG
# Fields that are lists; a column gives words separated by commas, or lines for address.lines.
LIST_FIELDS = ("tags", "languages", "address.lines")
ALL_FIELDS = (*TEXT_FIELDS, *LOCALIZED_FIELDS, *PER_LANGUAGE_FIELDS, *LIST_FIELDS)
# Templates read recipient.data.KEY, so a key is a name Jinja can read as an attribute.
DATA_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_PATTERN = (
    r"^(id|name\.(given|family|surname)|gender|email|signature|tags|languages|address\.lines"
    r"|(honorific|title|office|organization|address\.(locality|country))(\.[A-Za-z0-9-]+)?"
    r"|(salutation|closing)\.[A-Za-z0-9-]+|data\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9-]+)?)$"
)

Kind = Literal["text", "list", "data"]


@dataclass(frozen=True)
class FieldTarget:
    """Where a map key puts its value in a person."""

    key: str
    """As the map writes it: ``title.es``."""
    path: tuple[str, ...]
    """The keys in a person's mapping: ``("title", "es")``."""
    kind: Kind
    """text: one text; list: tags, languages, address lines; data: typed as campaign vars."""


def field_target(key: str) -> FieldTarget:
    """The target of a map key; ValueError says why a key is not one."""
    parts = tuple(key.split("."))
    if parts[0] == "data":
        if len(parts) not in (2, 3):
            raise ValueError(f"{key!r} is not data.KEY, or data.KEY.LANG for one language")
        if not DATA_KEY.fullmatch(parts[1]):
            raise ValueError(
                f"{parts[1]!r} is not a data key: use letters, digits and _ (templates read it "
                "as recipient.data.KEY)"
            )
        if len(parts) == 3 and not LANGUAGE_TAG.fullmatch(parts[2]):
            raise ValueError(language_tag_problem(parts[2]))
        return FieldTarget(key, parts, "data")
    if key in TEXT_FIELDS:
        return FieldTarget(key, parts, "text")
    if key in LIST_FIELDS:
        return FieldTarget(key, parts, "list")
    field, _, language = key.rpartition(".")
    if key in LOCALIZED_FIELDS or field in (*LOCALIZED_FIELDS, *PER_LANGUAGE_FIELDS):
        if language and field and not LANGUAGE_TAG.fullmatch(language):
            raise ValueError(language_tag_problem(language))
        return FieldTarget(key, parts, "text")
    if key in PER_LANGUAGE_FIELDS:
        raise ValueError(f"{key!r} is given per language: {key}.LANG, such as {key}.es")
    if key in ("name", "address"):
        inner = "given, name.family" if key == "name" else "locality, address.lines"
        raise ValueError(f"{key!r} is in parts: map {key}.{inner} ...")
    hint = ""
    if field and LANGUAGE_TAG.fullmatch(language):  # titel.es: did you mean 'title.es'?
        hint = did_you_mean(field, (*LOCALIZED_FIELDS, *PER_LANGUAGE_FIELDS))
        hint = hint.replace("'?)", f".{language}'?)")
    hint = hint or did_you_mean(key, ALL_FIELDS)
    raise ValueError(
        f"{key!r} is not a field of a person{hint}; a column that is no field can be "
        f"data.{key.replace('.', '_')}"
    )


def _check_key(key: str) -> str:
    field_target(key)
    return key


FieldKey = Annotated[
    str, AfterValidator(_check_key), WithJsonSchema({"type": "string", "pattern": _KEY_PATTERN})
]
Header = Annotated[str, Field(min_length=1)]
_ONLY_FIELDS: dict[str, Any] = {"additionalProperties": False}  # keys match the pattern


class ImportMap(StrictModel):
    """A map file for letterforge import: which column holds which field of a person."""

    columns: dict[FieldKey, Header | Annotated[list[Header], Field(min_length=1)]] = Field(
        min_length=1, json_schema_extra=_ONLY_FIELDS
    )
    """Person fields and the header of the column that holds each: {name.given: Nombre,
    title.es: Cargo, data.state: Estado}. tags and address.lines may name several columns."""
    constants: dict[FieldKey, Any] = Field(default_factory=dict, json_schema_extra=_ONLY_FIELDS)
    """Fields no column holds, the same for every person: {gender: f, languages: [es],
    tags: [governor]}. tags are added to a column's."""


@dataclass
class LoadedMap:
    """A checked map file: each column's target and header, each constant's target and
    value, and where each stands in the file."""

    document: YamlDocument
    columns: list[tuple[FieldTarget, list[str]]]
    constants: list[tuple[FieldTarget, Any]]

    def location(self, section: str, key: str | None = None) -> Location:
        """Where ``section`` (``columns`` or ``constants``) or one of its keys stands."""
        if key is None:
            return self.document.location((section,), key=True)
        return self.document.location((section, key))


def load_import_map(path: Path, shown: str) -> LoadedMap:
    """Read and check a map file; every mistake is reported at once, at its line."""
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise ConfigError(f"not UTF-8 text ({err.reason})", Location(shown)) from err
    except OSError as err:
        raise ConfigError(f"cannot read file: {err.strerror}", Location(shown)) from err
    document = load_yaml_text(text, shown)
    model = validate_document(ImportMap, document)
    loaded = LoadedMap(
        document,
        [
            (field_target(key), [headers] if isinstance(headers, str) else headers)
            for key, headers in model.columns.items()
        ],
        [],
    )
    problems = Collector()
    for key, value in model.constants.items():
        with problems.collect():
            target = field_target(key)
            loaded.constants.append((target, _constant(target, value, document)))
    with problems.collect():
        _check_targets(loaded)
    problems.raise_if_any()
    return loaded


def _constant(target: FieldTarget, value: Any, document: YamlDocument) -> Any:
    """A constant's value, in the form a column's would have, or an error at its line."""
    where = ("constants", target.key)
    if target.kind == "data":
        value = resolve_scalars(value, document, where)
        if isinstance(value, dict) and len(target.path) == 2:
            return value  # per language, which the person's check looks at
        if isinstance(value, str | int | bool | datetime.date):
            return value
        problem = "expected a number, a date, text, or text per language {en: ..., es: ...}"
    elif target.kind == "list":
        items = [value] if isinstance(value, str) else value
        if isinstance(items, list) and items and all(isinstance(item, str) for item in items):
            return items
        problem = "expected a list of words, such as [governor, north]"
    else:
        if isinstance(value, str):
            return value
        localized = target.key in LOCALIZED_FIELDS
        if localized and isinstance(value, dict):
            return value  # {en: ..., es: ...}, which the person's check looks at
        problem = "expected text" + (", or text per language {en: ..., es: ...}" * localized)
    raise ConfigError(f"constants.{target.key}: {problem}", document.location(where))


def _check_targets(loaded: LoadedMap) -> None:
    """Each field given once, lists only where a field takes several columns, and the name's
    two parts given, since every person needs them."""
    problems = Collector()
    seen: dict[tuple[str, ...], str] = {}
    sections: list[tuple[str, FieldTarget, list[str] | None]]
    sections = [("columns", target, headers) for target, headers in loaded.columns]
    sections += [("constants", target, None) for target, _ in loaded.constants]
    for section, target, headers in sections:
        where = loaded.location(section, target.key)
        if headers is not None and len(headers) > 1 and target.key not in ("tags", "address.lines"):
            with problems.collect():
                raise ConfigError(f"{section}.{target.key}: give one column, not a list", where)
        for path, other in seen.items():
            shorter, longer = sorted((path, target.path), key=len)
            if target.key != "tags" and longer[: len(shorter)] == shorter:
                with problems.collect():
                    raise ConfigError(
                        f"{section}.{target.key}: {other} is given too: map each field once "
                        "(a field for every language, or one per language)",
                        where,
                    )
        seen.setdefault(target.path, f"{section}.{target.key}")
    for part in ("given", "family"):
        if ("name", part) not in seen:
            with problems.collect():
                raise ConfigError(
                    f"columns: map name.{part}: every person needs a {part} name",
                    loaded.location("columns"),
                )
    problems.raise_if_any()
