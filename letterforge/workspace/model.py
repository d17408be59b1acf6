"""The typed workspace model: people and their offices over time, rosters, and senders.

Models reject unknown keys; a value that differs by language is a :class:`Localized` mapping
``{lang: text}``; a plain string is the same in every language. Validation errors are turned
into ``file:line:col`` errors by
:func:`letterforge.workspace.validation.validate_document`.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from letterforge.workspace.languages import (
    LANGUAGES_SCHEMA,
    Localized,
    base_language,
    check_language_tags,
)

# Ids become file names: keep them to characters that are safe on every file system.
PERSON_ID = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")

# Names Windows keeps for devices, with or without an extension: a file `con.pdf` cannot exist.
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)


def is_device_name(name: str) -> bool:
    """Whether ``name`` cannot be a file name on Windows (``con``, ``LPT1.yaml`` ...)."""
    return name.split(".")[0].lower() in WINDOWS_DEVICE_NAMES


# Template, layout and campaign names become file and folder names.
FILE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?")


def check_file_name(value: str, what: str) -> str:
    if not FILE_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not {what}")
    return value


def check_layout_name(value: str | None) -> str | None:
    if value is None:
        return None
    return check_file_name(value, "a layout name: name a file in templates/_layouts/")


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


def tidy_fields(value: Any, *, facts: set[str]) -> Any:
    """:func:`tidy_text` on each field of a file's mapping; the fields in ``facts`` keep their
    line breaks, since facts may be Markdown of several lines."""
    if not isinstance(value, dict):
        return value
    return {key: tidy_text(item, keep_lines=key in facts) for key, item in value.items()}


class StrictModel(BaseModel):
    """Base for every file model: unknown keys are errors, values are immutable."""

    # Field docstrings become descriptions in `letterforge schema`, which editors show on hover.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    # Fields are documented by the string under each (an attribute docstring); the JSON
    # Schema shows them (see schema.py). pydantic's use_attribute_docstrings would read
    # every model's source when this module is imported: 80 ms of every command.


def check_person_id(value: str) -> str:
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


def iso_date(value: Any) -> Any:
    """A date written as YYYY-MM-DD, before pydantic reads it (it would take a number of
    seconds, or 2020-4-1)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD")
    return value


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


# The fields that come with an office: a role gives them for its time, and the person's own
# are the default for what a role leaves out.
OFFICE_FIELDS = (
    "style",
    "honorific",
    "title",
    "office",
    "organization",
    "address",
    "email",
    "post_nominals",
)


class PersonRole(StrictModel):
    """An office a person holds from one date until another (either may be open)."""

    title: Localized | None = None
    """The office, per language."""
    office: Localized | None = None
    """The office as a salutation names it, per language: French Ministre."""
    organization: Localized | None = None
    """The organization of the office."""
    address: Address | None = None
    """The office's address."""
    email: str | None = None
    """The office's address for mail."""
    honorific: Localized | None = None
    """An honorific that comes with the office: Ambassador, Minister."""
    style: Localized | None = None
    """A courtesy style that comes with the office: The Honourable, L’honorable."""
    post_nominals: Localized | None = None
    """Letters after the name that come with the office: P.C., M.P. / C.P., député."""
    start: Annotated[datetime.date | None, BeforeValidator(iso_date)] = Field(
        default=None, alias="from"
    )
    """The first day in office, YYYY-MM-DD; leave it out when it does not matter."""
    until: Annotated[datetime.date | None, BeforeValidator(iso_date)] = None
    """The last day in office, YYYY-MM-DD; leave it out while the office is held."""

    @model_validator(mode="after")
    def _in_order(self) -> PersonRole:
        if self.start is not None and self.until is not None and self.until < self.start:
            raise ValueError(f"until: {self.until} is before from: {self.start}")
        return self

    def held_on(self, date: datetime.date) -> bool:
        """Whether the office is held on ``date`` (its first and last days included)."""
        return (self.start is None or self.start <= date) and (
            self.until is None or date <= self.until
        )


class Person(StrictModel):
    """One person in a roster: an official, a CC recipient, or a signatory."""

    id: str
    """How campaigns name this person; lowercase letters, digits, - and _ (a file name)."""
    name: Name
    """Given and family names."""
    gender: Literal["m", "f", "x"] | None = None
    """Grammatical gender, for languages whose salutation agrees with it."""
    honorific: Localized | None = None
    """Mr., Dr., Sr., Dra., Lic. ... per language; salutations use it, and in some languages
    the inside address and the CC list (Lic. Marcelo Ebrard Casaubón)."""
    style: Localized | None = None
    """The courtesy style before the name in the inside address, per language: The
    Honorable (en-US), The Honourable (en-CA), L’honorable (fr-CA)."""
    post_nominals: Localized | None = None
    """Letters after the name in the inside address, per language: P.C., M.P. (en-CA),
    C.P., député (fr-CA)."""
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
    data: dict[str, Any] = {}
    """Facts about this person for templates, as recipient.data.KEY: numbers, dates
    (YYYY-MM-DD), text, {lang: text}."""
    roles: list[PersonRole] = []
    """Offices over time, each with from/until dates: a letter uses the one held on its
    date, and this person's own title, office, organization, address, email, honorific, style
    and post-nominals
    are the default for what the role leaves out."""

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

    _id_is_safe = field_validator("id")(check_person_id)

    @model_validator(mode="before")
    @classmethod
    def _tidy(cls, value: Any) -> Any:
        return tidy_fields(value, facts={"data"})

    @field_validator("salutation", "closing")
    @classmethod
    def _override_languages(cls, value: dict[str, str]) -> dict[str, str]:
        check_language_tags(list(value))
        return value

    def role_on(self, date: datetime.date) -> int | None:
        """The index of the role held on ``date``: of several, the one begun last."""
        held = [index for index, role in enumerate(self.roles) if role.held_on(date)]
        return max(
            held, key=lambda index: self.roles[index].start or datetime.date.min, default=None
        )

    def in_role(self, index: int) -> Person:
        """This person as the role ``index`` makes them: its fields over their own."""
        role = self.roles[index]
        return self.model_copy(
            update={
                name: getattr(role, name)
                for name in OFFICE_FIELDS
                if getattr(role, name) is not None
            }
        )

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
