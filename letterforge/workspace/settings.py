"""``letterforge.yaml``: the settings every campaign of a workspace shares, and its theme.

The theme changes the built-in look of every letter: fonts, sizes, colors, margins and the look of
each part of a letter. Lengths are points, or a number with a unit (12pt, 1in, 25mm, 2.5cm).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from letterforge.document import Role
from letterforge.workspace.languages import LANGUAGES_SCHEMA, check_language_tags
from letterforge.workspace.model import Sender, StrictModel, check_layout_name
from letterforge.workspace.paths import PdfStandard

# A length in a theme: points as a bare number, or a number with a unit.
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|in|mm|cm)?\s*$")
_POINTS_PER_UNIT = {"pt": 1.0, "in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54}
MAX_LENGTH = 400.0  # points; more than half a page is never a margin, a size or a gap


def _parse_length(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a length such as 12, 12pt, 1in, 25mm or 2.5cm")
    if isinstance(value, int | float):
        points = float(value)
    elif isinstance(value, str) and (match := _LENGTH.fullmatch(value)):
        points = float(match[1]) * _POINTS_PER_UNIT[match[2] or "pt"]
    else:
        raise ValueError(f"{value!r} is not a length such as 12, 12pt, 1in, 25mm or 2.5cm")
    if not 0 <= points <= MAX_LENGTH:
        raise ValueError(f"{value!r} is not between 0 and {MAX_LENGTH:g}pt")
    return round(points, 2)


def _parse_color(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return value[1:].upper()
    raise ValueError(f"{value!r} is not a color such as '#1F3A5F'")


Length = Annotated[
    float,
    PlainValidator(_parse_length),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _LENGTH.pattern},
            ]
        }
    ),
]
Color = Annotated[
    str,
    PlainValidator(_parse_color),
    WithJsonSchema({"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}),
]


def _font_size(value: float | None) -> float | None:
    if value is not None and not 4 <= value <= 72:
        raise ValueError(f"{value:g}pt is not a font size for a letter: use 4pt to 72pt")
    return value


def _no_empty_values(value: Any, info: ValidationInfo) -> Any:
    """A key written with no value is a mistake in a theme, not "the default": most often
    an unquoted color, since YAML reads `color: #1F3A5F` as a comment."""
    if value is None:
        if info.field_name in {"color", "accent"}:
            raise ValueError("has no value: quote colors, '#1F3A5F', as # starts a YAML comment")
        raise ValueError("has no value: give one, or leave the key out")
    return value


class RoleLook(StrictModel):
    """How one part of the letter looks; what is left out keeps the built-in look."""

    _no_empty_values = field_validator("*", mode="before")(_no_empty_values)
    _font_size = field_validator("size")(_font_size)

    size: Length | None = None
    """Font size: 11, 10.5pt."""
    bold: bool | None = None
    italic: bool | None = None
    color: Color | None = None
    """Text color, quoted: '#1F3A5F'."""
    space_before: Length | None = None
    """Space above the paragraph."""
    space_after: Length | None = None
    """Space below the paragraph."""
    align: Literal["left", "right", "center", "justify"] | None = None
    indent: Length | None = None
    """Left indent."""


class Margins(StrictModel):
    """Page margins, each side on its own."""

    top: Length
    right: Length
    bottom: Length
    left: Length


class ThemeSettings(StrictModel):
    """The look of every letter; what is left out keeps the built-in, classic theme."""

    _no_empty_values = field_validator("*", mode="before")(_no_empty_values)
    _font_size = field_validator("size")(_font_size)

    fonts: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, min_length=1
    )
    """Font families for the PDF, in order of preference, as the system knows them:
    [Caladea, Liberation Serif]."""
    word_font: str | None = Field(default=None, min_length=1, max_length=31)
    """The font the DOCX asks Word for: Cambria. Pick one metric-compatible with the first
    of fonts, so Word breaks lines where the PDF does."""
    size: Length | None = None
    """Body text size: 11 or 11pt."""
    line_height: float | None = Field(default=None, ge=1.0, le=3.0)
    """Line height as a multiple of the font size: 1.2."""
    color: Color | None = None
    """Body text color, quoted: '#1A1A1A'."""
    accent: Color | None = None
    """Color of the letterhead and the continuation-page header, quoted: '#1F3A5F'."""
    margins: (
        Annotated[
            Annotated[Length, Tag("length")] | Annotated[Margins, Tag("sides")],
            Discriminator(lambda value: "sides" if isinstance(value, dict) else "length"),
        ]
        | None
    ) = None
    """Page margins: one length for all four sides (1in, 25mm), or {top, right, bottom, left}."""
    logo_height: Length | None = None
    """Height of the letterhead logo: 48pt, 0.6in."""
    signature_height: Length | None = None
    """Height of signature images: 36pt."""
    # Field(): ruff cannot see from here that StrictModel is a pydantic model, which copies
    # a default for each instance (the same as `= {}`).
    styles: dict[Role, RoleLook] = Field(default={})
    """Per part of the letter: {salutation: {space_after: 12}, letterhead: {align: center}}."""


def _mailbox(value: str) -> str:
    """An address as mail headers write it, alone or with a name: ``Ana Ruiz <ana@iti.org>``."""
    from email.utils import formataddr, parseaddr

    from email_validator import EmailNotValidError, validate_email

    name, address = parseaddr(value)
    if not address or "@" not in address:
        raise ValueError(f"{value!r} is not an email address such as 'Ana Ruiz <ana@iti.org>'")
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as err:
        raise ValueError(f"{address!r} is not an email address: {err}") from None
    return formataddr((name, address)) if name else address


Mailbox = Annotated[str, AfterValidator(_mailbox)]


class SmtpSettings(StrictModel):
    """The mail server ``letterforge send`` sends through. The password is never written here:
    it comes from the environment variable LETTERFORGE_SMTP_PASSWORD or from password_command."""

    host: str = Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.-]+$")
    """The server's name, as its certificate names it: smtp.office365.com."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """Default: 587 with starttls, 465 with tls."""
    security: Literal["starttls", "tls"] = "starttls"
    """starttls: connect in plain text, then upgrade (port 587); tls: TLS from the start (465).
    Either way the server's certificate is verified; there is no unencrypted mode."""
    username: str | None = Field(default=None, min_length=1)
    """The account to log in as; none: send without logging in."""
    password_command: str | None = Field(default=None, min_length=1)
    """A command whose standard output is the password: pass show smtp/iti, or
    security find-generic-password -s smtp -w. Used when LETTERFORGE_SMTP_PASSWORD is unset."""
    cafile: str | None = Field(default=None, min_length=1)
    """A PEM file of the certificate authority of a private server, relative to the workspace;
    the system's authorities are trusted too."""
    per_minute: float | None = Field(default=None, gt=0, le=6000)
    """At most this many messages a minute (default: no limit)."""

    @property
    def port_number(self) -> int:
        return self.port or (465 if self.security == "tls" else 587)


class DeliverySettings(StrictModel):
    """How letters go out by email: drafts (letterforge outbox) and sending (letterforge send)."""

    sender_address: Mailbox = Field(alias="from")
    """Who the messages are from: 'Ana Ruiz <ana@iti.org>' or ana@iti.org."""
    reply_to: Mailbox | None = None
    """Where replies go, when not to the from address."""
    smtp: SmtpSettings | None = None
    """The mail server letterforge send uses; drafts need none."""


class Settings(StrictModel):
    """``letterforge.yaml``: settings shared by every campaign of a workspace."""

    sender: Sender
    """The organization on the letterhead."""
    languages: Annotated[list[str], WithJsonSchema(LANGUAGES_SCHEMA)] = Field(
        default=["en"], min_length=1
    )
    """Languages of every campaign that does not name its own."""
    page_size: Literal["letter", "a4"] = "letter"
    """Paper size of every letter."""
    formats: list[Literal["pdf", "docx"]] = Field(default=["pdf", "docx"], min_length=1)
    """What build writes unless --format says otherwise."""
    layout: Annotated[str, AfterValidator(check_layout_name)] = "letter"
    """Layout of every campaign that does not name its own."""
    theme: ThemeSettings = ThemeSettings()
    """Fonts, sizes, colors, margins and spacing, changing the built-in theme."""
    pdf_standard: PdfStandard = "pdf/ua-1"
    """pdf/ua-1: tagged and accessible (the default); pdf/a-3b: for archives, also tagged."""
    delivery: DeliverySettings | None = None
    """Email: the from address for drafts and sent letters, and the mail server."""

    _languages = field_validator("languages")(check_language_tags)

    @field_validator("formats")
    @classmethod
    def _formats_once(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))
