"""The campaign file: who gets which letter, in which languages, from whom, with the facts for
each letter.

An entry of ``to:`` names a person by id, a group by a tag query, or a person with facts for
their letter (``{id: ..., data: {...}, bundle: true}``); the loader resolves them to people.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from letterforge.errors import ConfigError
from letterforge.workspace.languages import LANGUAGES_SCHEMA, Localized, check_language_tags
from letterforge.workspace.model import (
    PERSON_ID,
    Person,
    Sender,
    StrictModel,
    check_file_name,
    check_layout_name,
    check_person_id,
    iso_date,
    tidy_fields,
)
from letterforge.workspace.yamlio import YamlDocument, YamlPath, format_field_path

# The forms _parse_ids and the entries of to: accept, for editors: one value or a list.
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
_ENTRY_FIELDS: dict[str, Any] = {
    "data": {
        "type": "object",
        "description": "Facts for these letters, over the person's own data, key by key: "
        "recipient.data.KEY",
    },
    "bundle": {
        "type": "boolean",
        "description": "Whether these recipients also get one document with every language "
        "(default: the campaign's bundle)",
    },
}
_TAG_QUERY_SCHEMA = {
    "type": "object",
    "properties": {
        "tags": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
            ]
        },
        **_ENTRY_FIELDS,
    },
    "required": ["tags"],
    "additionalProperties": False,
}
_PERSON_ENTRY_SCHEMA = {
    "type": "object",
    "properties": {"id": _ID_SCHEMA, **_ENTRY_FIELDS},
    "required": ["id"],
    "additionalProperties": False,
}
_ENTRY_SCHEMA = {"anyOf": [_ID_SCHEMA, _PERSON_ENTRY_SCHEMA, _TAG_QUERY_SCHEMA]}
_ENTRIES_SCHEMA: dict[str, Any] = {
    "anyOf": [_ENTRY_SCHEMA, {"type": "array", "items": _ENTRY_SCHEMA, "minItems": 1}]
}


class PersonEntry(StrictModel):
    """One person a campaign writes to, by id, with facts for their letter."""

    id: Annotated[str, AfterValidator(check_person_id)]
    data: dict[str, Any] = Field(default={})
    bundle: bool | None = None


def _tag_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class TagQuery(StrictModel):
    """Every person who has all of these tags, in roster order, with facts for their
    letters."""

    tags: Annotated[tuple[str, ...], BeforeValidator(_tag_list), Field(min_length=1)]
    data: dict[str, Any] = Field(default={})
    bundle: bool | None = None

    def matches(self, person: Person) -> bool:
        return all(tag in person.tags for tag in self.tags)


Entry = PersonEntry | TagQuery


def _entry_form(value: Any) -> Any:
    """An entry as a mapping: a bare id is ``{id: ...}``."""
    if isinstance(value, str):
        return {"id": value}
    if not isinstance(value, dict | PersonEntry | TagQuery):
        raise ValueError(
            "expected a person id, a tag query such as {tags: [governor]}, or a person with "
            f"facts such as {{id: romo, data: {{...}}}}, not {value!r}"
        )
    return value


def _entry_kind(value: Any) -> Literal["query", "person"]:
    # The tags name no key of the file, so that errors are located at the entry's own keys.
    if isinstance(value, TagQuery) or (isinstance(value, dict) and "tags" in value):
        return "query"
    return "person"


def _entry_list(value: Any) -> Any:
    return value if isinstance(value, list) else [value]


def _someone(value: list[Entry]) -> list[Entry]:
    if not value:
        raise ValueError("name at least one person")
    return value


def _one_or_many(value: Any) -> Literal["one", "many"]:
    return "many" if isinstance(value, list) else "one"


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
    """Give free-form facts (a campaign's ``vars``, ``data``) YAML 1.2 core types: integers,
    true/false, and ISO dates.

    Roster and campaign fields are typed by the model; facts are free-form, so their plain
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


class Enclosure(StrictModel):
    """An enclosure that is a file: its line in the letter, and the file an email attaches."""

    text: Localized
    """The enclosure's line in the letter, per language."""
    file: str = Field(min_length=1, pattern=r"^assets/")
    """The file in assets/ that emails attach: assets/usmca-annex.pdf."""


def _enclosure_kind(value: Any) -> Literal["file", "line"]:
    return "file" if isinstance(value, Enclosure | dict) and "file" in value else "line"


class EmailOptions(StrictModel):
    """What this campaign's emails carry, beyond the letters."""

    cc: bool = True
    """Copy the campaign's cc: people on each email (those with an email address)."""
    docx: bool = False
    """Attach the DOCX of each letter too, for a recipient's office to edit."""


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
    sender: (
        Annotated[
            Annotated[Sender, Tag("one")]
            | Annotated[list[Sender], Tag("many"), Field(min_length=1)],
            Discriminator(_one_or_many),
        ]
        | None
    ) = None
    """The letterhead's organization for this campaign (default: the settings' sender), or
    a list of organizations: a joint letter's associations, side by side on its letterhead."""
    enclosures: list[
        Annotated[
            Annotated[Localized, Tag("line")] | Annotated[Enclosure, Tag("file")],
            Discriminator(_enclosure_kind),
        ]
    ] = Field(default=[])
    """What the letter encloses, one line each, per language; {text: ..., file: assets/...}
    names the file that emails attach."""
    to: Annotated[
        list[
            Annotated[
                Annotated[PersonEntry, Tag("person")] | Annotated[TagQuery, Tag("query")],
                Discriminator(_entry_kind),
                BeforeValidator(_entry_form),
            ]
        ],
        BeforeValidator(_entry_list),
        AfterValidator(_someone),
        WithJsonSchema(_ENTRIES_SCHEMA),
    ]
    """Who gets a letter, one each: person ids, tag queries such as {tags: [governor]}, and
    people with facts for their letter: {id: romo, data: {state: Sonora}, bundle: true}."""
    cc: Annotated[list[str], PlainValidator(_parse_ids), WithJsonSchema(_IDS_SCHEMA)] = Field(
        default=[]
    )
    """Ids of the people in copy, in order."""
    signatories: Annotated[
        list[str], PlainValidator(_parse_signatories), WithJsonSchema(_SIGNATORIES_SCHEMA)
    ] = Field(alias="from")
    """Ids of the signatories, one or more."""
    bundle: bool = False
    """Also write one document per recipient with every language, each on a new page."""
    vars: dict[str, Any] = Field(default={})
    """Facts the templates use: numbers, dates (YYYY-MM-DD), text, {lang: text}."""
    email: EmailOptions = EmailOptions()
    """What the emails of letterforge outbox and send carry: {cc: true, docx: false}."""

    _languages = field_validator("languages")(check_language_tags)

    @property
    def senders(self) -> list[Sender]:
        """The organizations of the letterhead, when the campaign names its own."""
        if self.sender is None:
            return []
        return self.sender if isinstance(self.sender, list) else [self.sender]

    @model_validator(mode="before")
    @classmethod
    def _tidy(cls, value: Any) -> Any:
        return tidy_fields(value, facts={"vars", "to"})  # to: entries hold data

    @field_validator("template")
    @classmethod
    def _template_is_a_folder_name(cls, value: str) -> str:
        return check_file_name(value, "a template name: name a folder in templates/")

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        return iso_date(value)
