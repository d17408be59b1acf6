"""The typed workspace model: people, rosters, senders and campaigns.

Models reject unknown keys; a value that differs by language is a :class:`Localized` mapping
``{lang: text}``; a plain string is the same in every language. Validation errors are turned
into ``file:line:col`` errors by
:func:`letterforge.workspace.validation.validate_document`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from letterforge.errors import ConfigError
from letterforge.workspace.languages import (
    LANGUAGES_SCHEMA,
    Localized,
    base_language,
    check_language_tags,
)
from letterforge.workspace.yamlio import YamlDocument, YamlPath, format_field_path

# Ids become file names: keep them to characters that are safe on every file system.
PERSON_ID = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")

# Names Windows keeps for devices, with or without an extension: a file `con.pdf` cannot exist.
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)


def is_device_name(name: str) -> bool:
    """Whether ``name`` cannot be a file name on Windows (``con``, ``LPT1.yaml`` ...)."""
    return name.split(".")[0].lower() in WINDOWS_DEVICE_NAMES


# The forms _parse_ids and _parse_selectors accept, for editors: one value or a list.
_ID_SCHEMA = {"type": "string", "pattern": PERSON_ID.pattern}
_IDS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "null"},
        _ID_SCHEMA,
        {"type": "array", "items": _ID_SCHEMA, "uniqueItems": True},
    ]
}
_SIGNATORIES_SCHEMA: dict[str, Any] = {
    "anyOf": [
        _ID_SCHEMA,
        {"type": "array", "items": _ID_SCHEMA, "minItems": 1, "uniqueItems": True},
    ]
}
_TAG_QUERY_SCHEMA = {
    "type": "object",
    "properties": {
        "tags": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
            ]
        }
    },
    "required": ["tags"],
    "additionalProperties": False,
}
_SELECTORS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        _ID_SCHEMA,
        _TAG_QUERY_SCHEMA,
        {"type": "array", "items": {"anyOf": [_ID_SCHEMA, _TAG_QUERY_SCHEMA]}, "minItems": 1},
    ]
}


# Template, layout and campaign names become file and folder names.
FILE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?")


def _check_file_name(value: str, what: str) -> str:
    if not FILE_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not {what}")
    return value


def check_layout_name(value: str | None) -> str | None:
    if value is None:
        return None
    return _check_file_name(value, "a layout name: name a file in templates/_layouts/")


# White space that can break a line. No-break spaces are typography (a name kept on one line,
# French 1 377), not layout, and are kept.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def tidy_text(value: Any, *, keep_lines: bool = False) -> Any:
    """Every text in ``value`` without white space at its ends, and one-line text with each
    run of white space inside made one space: ``"Romo "`` would print ``Dear Mr. Romo :``.

    With ``keep_lines``, text of several lines keeps its line breaks and indentation (a
    campaign variable may be Markdown that the ``markdown`` filter passes through).
    """
    if isinstance(value, str):
        text = value.strip()
        return text if keep_lines and "\n" in text else _BREAKING_SPACE.sub(" ", text)
    if isinstance(value, dict):
        return {key: tidy_text(item, keep_lines=keep_lines) for key, item in value.items()}
    if isinstance(value, list):
        return [tidy_text(item, keep_lines=keep_lines) for item in value]
    return value


class StrictModel(BaseModel):
    """Base for every file model: unknown keys are errors, values are immutable."""

    # Field docstrings become descriptions in `letterforge schema`, which editors show on hover.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    # Fields are documented by the string under each (an attribute docstring); the JSON
    # Schema shows them (see schema.py). pydantic's use_attribute_docstrings would read
    # every model's source when this module is imported: 80 ms of every command.


class Name(StrictModel):
    """A person's name in parts, so salutations and sorting can use the right one."""

    given: str = Field(min_length=1)
    """Given name(s), as the person writes them."""
    family: str = Field(min_length=1)
    """Family name(s), accents kept: López-Gatell Ramírez."""
    surname: str | None = Field(default=None, min_length=1)
    """The family name as salutations use it, when shorter than family: Márquez for Márquez
    Colín (Spanish speakers go by their first surname). Default: family."""


class Address(StrictModel):
    """Postal address lines after the person's name and title."""

    lines: list[Localized] = []
    """Street lines, printed first."""
    locality: Localized | None = None
    """City, localized: {en: Mexico City, es: Ciudad de México}."""
    country: Localized | None = None
    """Country, localized; leave it out for letters within the country."""


class Person(StrictModel):
    """One person in a roster: an official, a CC recipient, or a signatory."""

    id: str
    """How campaigns name this person; lowercase letters, digits, - and _ (a file name)."""
    name: Name
    """Given and family names."""
    gender: Literal["m", "f", "x"] | None = None
    """Grammatical gender, for languages whose salutation agrees with it."""
    honorific: Localized | None = None
    """Mr., Dr., Sr., Dra. ... per language."""
    title: Localized | None = None
    """The office, per language."""
    office: Localized | None = None
    """The office as a salutation names it, per language: French Ministre (Monsieur le
    Ministre,)."""
    organization: Localized | None = None
    """Printed under the title (for signatories)."""
    address: Address | None = None
    """Printed under the title in the inside address."""
    email: str | None = None
    """Contact address."""
    tags: list[str] = []
    """Words campaigns select people by: to: {tags: [governor]}."""
    languages: Annotated[list[str] | None, WithJsonSchema(LANGUAGES_SCHEMA)] = Field(
        default=None, min_length=1
    )
    """The languages this person receives letters in, in order (default: the campaign's)."""
    salutation: dict[str, str] = {}
    """Per-language salutation used as written: {es: 'Muy estimado Alfonso:'}."""
    closing: dict[str, str] = {}
    """Per-language closing used as written, for letters to this person: {fr: 'Amitiés,'}."""
    signature: str | None = None
    """A signatory's signature, a PNG, JPEG or SVG image in assets/:
    assets/signatures/oxman.png."""

    @field_validator("languages")
    @classmethod
    def _one_of_each_language(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        check_language_tags(value)
        seen: dict[str, str] = {}
        for tag in value:
            first = seen.setdefault(base_language(tag), tag)
            if first != tag:  # fr-CA and fr would make two French letters
                raise ValueError(
                    f"{first} and {tag} are the same language: list the one this person reads"
                )
        return value

    @field_validator("id")
    @classmethod
    def _id_is_safe(cls, value: str) -> str:
        if not PERSON_ID.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a valid id: use lowercase letters, digits, '-' and '_' "
                "(it becomes a file name)"
            )
        if is_device_name(value):
            raise ValueError(
                f"{value!r} cannot be an id: Windows keeps it for a device, so no file can "
                "have that name"
            )
        return value

    @field_validator("salutation", "closing")
    @classmethod
    def _override_languages(cls, value: dict[str, str]) -> dict[str, str]:
        check_language_tags(list(value))
        return value

    @property
    def full_name(self) -> str:
        return f"{self.name.given} {self.name.family}"

    @property
    def surname(self) -> str:
        """The family name as salutations use it."""
        return self.name.surname or self.name.family


class Roster(StrictModel):
    """A file in ``recipients/``."""

    people: list[Person] = Field(min_length=1)
    """The people of this roster."""

    _tidy = model_validator(mode="before")(tidy_text)


class Sender(StrictModel):
    """The organization whose letterhead the letters carry."""

    name: Localized
    """The organization's full name."""
    short_name: str | None = None
    """Its acronym or short name: ITI."""
    address: list[Localized] = []
    """Letterhead address lines."""
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    place: Localized | None = None
    """Where letters are written from, for the date line: {es: Ciudad de México}."""
    logo: str | None = None
    """The letterhead's logo, a PNG, JPEG or SVG image in assets/: assets/logo.svg."""

    _tidy = model_validator(mode="before")(tidy_text)  # in letterforge.yaml, or a campaign


@dataclass(frozen=True)
class TagQuery:
    """Select every person who has all of these tags, in roster order."""

    tags: tuple[str, ...]

    def matches(self, person: Person) -> bool:
        return all(tag in person.tags for tag in self.tags)


Selector = str | TagQuery


def _parse_selector(value: Any) -> Selector:
    if isinstance(value, str) and PERSON_ID.fullmatch(value):
        return value
    if isinstance(value, dict) and set(value) == {"tags"}:
        tags = value["tags"]
        if isinstance(tags, str):
            tags = [tags]
        if isinstance(tags, list) and tags and all(isinstance(tag, str) for tag in tags):
            return TagQuery(tuple(tags))
    raise ValueError(
        f"expected a person id or a tag query such as {{tags: [governor]}}, not {value!r}"
    )


def _parse_selectors(value: Any) -> list[Selector]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("name at least one person")
    return [_parse_selector(item) for item in items]


def _parse_ids(value: Any) -> list[str]:
    if value is None:  # `cc:` left empty means nobody
        return []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not (isinstance(item, str) and PERSON_ID.fullmatch(item)):
            raise ValueError(f"expected a person id, not {item!r}")
    return items


def _parse_signatories(value: Any) -> list[str]:
    ids = _parse_ids(value)
    if not ids:
        raise ValueError("name at least one signatory")
    return ids


def resolve_scalars(value: Any, document: YamlDocument, path: YamlPath) -> Any:
    """Give campaign variables YAML 1.2 core types: integers, true/false, and ISO dates.

    Roster and campaign fields are typed by the model; ``vars`` are free-form, so their plain
    strings are typed here, without YAML 1.1's surprises (``no`` stays text, ``06066`` too).
    """
    if isinstance(value, dict):
        return {key: resolve_scalars(item, document, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_scalars(item, document, (*path, i)) for i, item in enumerate(value)]
    if not isinstance(value, str):
        return value
    if value in {"true", "false"}:
        return value == "true"
    # Longer digit strings are identifiers (a phone or account number), not numbers.
    if re.fullmatch(r"-?(0|[1-9][0-9]{0,17})", value):
        return int(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as err:
            raise ConfigError(
                f"{format_field_path(path)}: {value!r} is not a valid date ({err})",
                document.location(path),
            ) from None
    return value


class Campaign(StrictModel):
    """A file in ``campaigns/``: who gets which letter, in which languages, from whom."""

    title: Localized
    """The documents' title, per language."""
    date: datetime.date
    """The letter date, YYYY-MM-DD."""
    template: Annotated[
        str, WithJsonSchema({"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"})
    ]
    """The folder in templates/ with one letter.<lang>.md.j2 per language."""
    languages: Annotated[list[str] | None, WithJsonSchema(LANGUAGES_SCHEMA)] = Field(
        default=None, min_length=1
    )
    """Languages of this campaign (default: the settings' languages)."""
    layout: Annotated[str | None, AfterValidator(check_layout_name)] = None
    """Layout in templates/_layouts/ (default: the settings' layout)."""
    subject: Localized | None = None
    """Optional subject line, per language."""
    reference: Localized | None = None
    """Optional reference line, the sender's file number: ITI-2020-045, or per language."""
    place: Localized | None = None
    """Where the letter is written from, before the date (default: the sender's place);
    languages without a value get the date alone."""
    sender: Sender | None = None
    """The letterhead's organization for this campaign (default: the settings' sender)."""
    enclosures: list[Localized] = []
    """What the letter encloses, one line each, per language."""
    to: Annotated[
        list[Selector], PlainValidator(_parse_selectors), WithJsonSchema(_SELECTORS_SCHEMA)
    ]
    """Who gets a letter, one each: person ids and tag queries such as {tags: [governor]}."""
    cc: Annotated[list[str], PlainValidator(_parse_ids), WithJsonSchema(_IDS_SCHEMA)] = []
    """Ids of the people in copy, in order."""
    signatories: Annotated[
        list[str], PlainValidator(_parse_signatories), WithJsonSchema(_SIGNATORIES_SCHEMA)
    ] = Field(alias="from")
    """Ids of the signatories, one or more."""
    bundle: bool = False
    """Also write one document per recipient with every language, each on a new page."""
    vars: dict[str, Any] = {}
    """Facts the templates use: numbers, dates (YYYY-MM-DD), text, {lang: text}."""

    _languages = field_validator("languages")(check_language_tags)

    @model_validator(mode="before")
    @classmethod
    def _tidy(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {key: tidy_text(item, keep_lines=key == "vars") for key, item in value.items()}

    @field_validator("template")
    @classmethod
    def _template_is_a_folder_name(cls, value: str) -> str:
        return _check_file_name(value, "a template name: name a folder in templates/")

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD")
        return value
