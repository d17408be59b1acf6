"""Conventions of formal correspondence per language: dates, salutations, closings, labels,
lists and typography.

The conventions are data: ``letterforge/locales/<tag>.yaml`` holds the built-in ones, and a
workspace's ``locales/<tag>.yaml`` overrides any part of them, or teaches letterforge a new
language. For a letter in ``fr-CA`` the layers are read in this order, each overriding the one
before: built-in ``fr``, the workspace's ``fr``, built-in ``fr-CA``, the workspace's ``fr-CA``.
:mod:`letterforge.workspace.formatting` writes dates, numbers, lists, salutations and closings
by them.
"""

from __future__ import annotations

import datetime
import string
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from letterforge.errors import ConfigError, LetterforgeError, Location, Problems
from letterforge.workspace.languages import LANGUAGE_TAG, base_language, language_fallbacks
from letterforge.workspace.model import StrictModel
from letterforge.workspace.paths import yaml_files
from letterforge.workspace.validation import validate_layers
from letterforge.workspace.yamlio import YamlDocument, load_yaml_file

Space = Literal["none", "space", "nbsp", "narrow"]
# What each kind of space is: French sets a no-break space before a colon, a narrow one
# (U+202F) before ; ! ? and inside « », so the mark never starts a line.
SPACES: dict[str, str] = {"none": "", "space": " ", "nbsp": "\u00a0", "narrow": "\u202f"}
# The fields a salutation pattern can use, from the person, in the letter's language.
SALUTATION_FIELDS = ("honorific", "given", "family", "surname", "full_name", "title", "office")
WORKSPACE_LOCALES = "locales"


def _check_placeholders(pattern: str, allowed: Iterable[str]) -> str:
    """``pattern`` may use only ``{name}`` placeholders from ``allowed``."""
    allowed = tuple(allowed)
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(pattern)
            if name is not None
        ]
    except ValueError as err:
        raise ValueError(f"{err} (write a literal brace as {{{{ or }}}})") from None
    for name, spec, conversion in fields:
        if name not in allowed:
            known = ", ".join("{" + field + "}" for field in allowed)
            raise ValueError(f"unknown placeholder {{{name}}} (it can use {known})")
        if spec or conversion:  # {surname:>999999} would pad a salutation without end
            raise ValueError(f"write the placeholder as {{{name}}}, with no format after it")
    return pattern


def _pattern(*allowed: str, required: tuple[str, ...] = ()) -> AfterValidator:
    """Check a text with placeholders: only ``allowed`` ones, and every ``required`` one."""

    def check(value: str) -> str:
        _check_placeholders(value, allowed)
        for name in required:
            if "{" + name + "}" not in value:
                raise ValueError(f"write {{{name}}} in it, where the {name} goes")
        return value

    return AfterValidator(check)


SalutationPattern = Annotated[str, _pattern(*SALUTATION_FIELDS)]
ClosingPattern = Annotated[str, _pattern("salutation")]
DATE_FORMAT_NAMES = ("short", "medium", "long", "full")


class DateConventions(StrictModel):
    """How the date line and the ``| date`` filter write a date."""

    format: str = "long"
    """A Babel format name (short, medium, long, full) or a CLDR pattern such as d MMMM y."""
    first_day: str | None = Field(default=None, min_length=1, max_length=8)
    """How the first day of a month is written, where it is not a plain 1: French 1er (used
    only where the month is spelled out, never in 1/07/2025)."""
    with_place: Annotated[str, _pattern("place", "date", required=("place", "date"))] = (
        "{place}, {date}"
    )
    """The date line when the campaign names a place: {place}, a {date} in Spanish."""

    @field_validator("format")
    @classmethod
    def _babel_understands(cls, value: str) -> str:
        if value in DATE_FORMAT_NAMES:
            return value
        from babel.dates import format_date as babel_format_date

        try:  # a time field (HH) or an unknown letter fails on a date
            babel_format_date(datetime.date(2020, 1, 1), format=value, locale="en")
        except (KeyError, ValueError, AttributeError, TypeError, IndexError):
            raise ValueError(
                f"{value!r} is not a date format: use short, medium, long or full, or a CLDR "
                "date pattern such as d MMMM y"
            ) from None
        return value


class Closing(StrictModel):
    """The closing formula; ``{salutation}`` repeats the salutation without its punctuation."""

    single: ClosingPattern
    """The closing of a letter one person signs: Sincerely,"""
    joint: ClosingPattern | None = None
    """The closing of a letter several people sign (default: single): French notre for ma."""


class Labels(StrictModel):
    """Fixed words of a letter in one language."""

    cc: str
    """Heads the list of people in copy: CC:, C.c.p., c. c."""
    subject: str
    """Precedes the subject line: Re:, Asunto:, Objet :"""
    reference: str
    """Precedes the sender's reference: Our ref.:, Nuestra ref.:, N/Réf. :"""
    enclosure: str
    """Heads the enclosures line when there is one: Enclosure:"""
    enclosures: str
    """Heads it when there are several: Enclosures:"""
    page: Annotated[str, _pattern("page", required=("page",))]
    """Numbers continuation pages; {page} is the number: Page {page}, Página {page}."""


class AddressConventions(StrictModel):
    """How the inside address and the CC list name a person."""

    honorific: bool = False
    """Whether the honorific stands before the name in the inside address: Lic. Marcelo
    Ebrard Casaubón (Spanish), where English writes the courtesy style alone."""
    closing: str | None = Field(default=None, min_length=1, max_length=40)
    """A line that closes the inside address: Presente (Mexico)."""
    cc_honorific: bool = False
    """Whether the CC list names people with their honorific: Dr. Jorge Alcocer Varela."""


# A typographic mark is a character or two. Typography is applied after a letter's size is
# checked, so a locale file must not be able to turn each quote into a page of text.
Mark = Annotated[str, Field(min_length=1, max_length=3)]


class Typography(StrictModel):
    """Quotation marks and the spaces around punctuation, applied to every letter's text."""

    quotes: tuple[Mark, Mark, Mark, Mark] = ("\u201c", "\u201d", "\u2018", "\u2019")
    """Opening and closing quotes, then opening and closing quotes inside quotes."""
    apostrophe: Mark = "\u2019"
    """What a straight apostrophe becomes."""
    inside_quotes: Space = "none"
    """The space just inside the outer quotes: narrow for French « »."""
    before: dict[str, Space] = Field(default_factory=dict)
    """The space set before these marks when they end a word: French {":": nbsp, "?": narrow}."""
    superscripts: list[str] = Field(default_factory=list)
    """Endings raised after a number, as ordinals are set: French [er, re, e] (1er, 2e)."""

    @field_validator("quotes", mode="before")
    @classmethod
    def _four_marks(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) != 4:
            raise ValueError(
                f"give four marks, not {len(value)}: opening and closing quotes, then opening "
                "and closing quotes inside quotes"
            )
        return value

    @field_validator("superscripts")
    @classmethod
    def _endings(cls, value: list[str]) -> list[str]:
        for ending in value:
            if not (1 <= len(ending) <= 3 and ending.isalpha()):
                raise ValueError(f"{ending!r} is not an ending: one to three letters, as er")
        return value

    @field_validator("before")
    @classmethod
    def _marks(cls, value: dict[str, Space]) -> dict[str, Space]:
        for mark in value:
            if len(mark) != 1 or mark.isalnum() or mark.isspace():
                raise ValueError(f"{mark!r} is not a punctuation mark")
        return value


class WordChange(StrictModel):
    """A word of a pattern that changes with the sound after it: Spanish y becomes e before
    an i sound (Economía e Industria), French le becomes l’ before a vowel (l’Ambassadeur)."""

    word: str = Field(min_length=1)
    """The word as the pattern writes it."""
    becomes: str = Field(min_length=1)
    """What it becomes; a form ending in an apostrophe is joined to the next word."""
    before: list[str] = Field(min_length=1)
    """Beginnings of the next word that cause the change, ignoring case, accents and quotes;
    a number's digits count as its sound: Spanish 8 (ocho)."""
    unless_before: list[str] = Field(default_factory=list)
    """Beginnings that do not, though they match before: Spanish hie (agua y hielo)."""
    before_words: list[str] = Field(default_factory=list)
    """Whole next words that cause the change: Spanish 11 (once), but not 110."""


class Conventions(StrictModel):
    """One language's conventions for formal letters, as the locale files give them."""

    date: DateConventions = DateConventions()
    """How dates are written."""
    salutation: dict[Literal["m", "f", "x", "any"], list[SalutationPattern]]
    """Salutation patterns by grammatical gender (any: every gender); the first pattern whose
    placeholders the person has is used: [Monsieur le {office},, Monsieur,]."""
    closing: Closing
    """The closing formula."""
    labels: Labels
    """Fixed words: CC, subject, enclosures, page numbers."""
    address: AddressConventions = AddressConventions()
    """How the inside address and the CC list name a person."""
    typography: Typography = Typography()
    """Quotes and spaces around punctuation."""
    word_changes: list[WordChange] = Field(default_factory=list)
    """Words of salutations and lists that change with the next word's sound."""

    @field_validator("salutation")
    @classmethod
    def _salutation_patterns(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not value:
            raise ValueError("give at least one form: m, f, x or any")
        for patterns in value.values():
            if not patterns:
                raise ValueError("each form needs at least one pattern")
        return value


def _builtin_dir() -> Path:
    return Path(str(resources.files("letterforge") / "locales"))


@cache
def _builtin_documents() -> dict[str, YamlDocument]:
    folder = _builtin_dir()
    return {path.stem: load_yaml_file(path, folder) for path in sorted(folder.glob("*.yaml"))}


def babel_locale(lang: str) -> str:
    """Babel spells locales with an underscore: ``es-MX`` → ``es_MX``."""
    return lang.replace("-", "_")


@cache
def babel_knows(lang: str) -> bool:
    """Whether Babel has CLDR data (dates, numbers, lists) for ``lang``."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(babel_locale(lang))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _likely_region(base: str) -> str:
    """The regional form CLDR thinks most likely for a language: es → es-ES, en → en-US."""
    from babel.core import get_global

    likely = str(get_global("likely_subtags").get(base, base))
    region = likely.split("_")[-1]
    return f"{base}-{region}" if region != base else base


@cache
def english_name(lang: str) -> str | None:
    """The English name of ``lang``'s language: ``es-MX`` → ``Spanish``; None if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(base_language(lang)).english_name
    except (UnknownLocaleError, ValueError):
        return None


def language_name(lang: str) -> str:
    """``es-MX`` → ``Spanish (es-MX)``, for messages; the tag alone for unknown languages."""
    name = english_name(lang)
    return f"{name} ({lang})" if name else lang


class LocaleBook:
    """The conventions a workspace writes letters with: built in, overridden by ``locales/``.

    Args:
        root: the workspace folder; None for the built-in conventions alone.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._workspace: dict[str, YamlDocument] | None = None
        self._load_problems: list[LetterforgeError] = []
        # Per language: its conventions, or the errors in its locale files, so that a broken
        # file is validated once, not again for every letter in its language.
        self._conventions: dict[str, Conventions | LetterforgeError] = {}

    def _workspace_documents(self) -> dict[str, YamlDocument]:
        if self._workspace is None:
            self._workspace = {}
            folder = self.root / WORKSPACE_LOCALES if self.root is not None else None
            if folder is not None and folder.is_dir():
                for path in yaml_files(folder):
                    shown = f"{WORKSPACE_LOCALES}/{path.name}"
                    if not LANGUAGE_TAG.fullmatch(path.stem):
                        self._load_problems.append(
                            ConfigError(
                                f"{path.stem!r} is not a language tag such as en, es or "
                                "fr-CA: name the file after the language it describes",
                                Location(shown),
                            )
                        )
                        continue
                    try:
                        assert self.root is not None
                        self._workspace[path.stem] = load_yaml_file(path, self.root)
                    except LetterforgeError as err:
                        self._load_problems.append(err)
        return self._workspace

    def languages(self) -> list[str]:
        """Every language with conventions, built in or from the workspace, sorted."""
        return sorted({*_builtin_documents(), *self._workspace_documents()})

    def sources(self, lang: str) -> list[str]:
        """Where ``lang``'s own file comes from: ``built in`` and/or ``locales/<lang>.yaml``."""
        found = ["built in"] if lang in _builtin_documents() else []
        if lang in self._workspace_documents():
            found.append(f"{WORKSPACE_LOCALES}/{lang}.yaml")
        return found

    def _layers(self, lang: str) -> list[YamlDocument]:
        # The language before the region, and at each the workspace's file after letterforge's:
        # a locales/fr.yaml changes every French letter but what fr-CA says of its own.
        builtin, workspace = _builtin_documents(), self._workspace_documents()
        layers = []
        for tag in reversed(language_fallbacks(lang)):
            layers += [source[tag] for source in (builtin, workspace) if tag in source]
        return layers

    def unsupported(self, lang: str) -> str | None:
        """Why letters cannot be written in ``lang``, or None when they can."""
        cannot = f"letterforge cannot write letters in {lang!r}"
        if not babel_knows(lang):
            base = base_language(lang)
            if base != lang and babel_knows(base):
                return (
                    f"{cannot}: Babel has no locale data for that region; write {base}, or a "
                    f"region it knows such as {_likely_region(base)}"
                )
            return f"{cannot}: Babel has no locale data for that language"
        if not self._layers(lang):
            return (
                f"letterforge cannot write letters in {language_name(lang)}: it knows "
                f"{', '.join(self.languages())}; add {WORKSPACE_LOCALES}/"
                f"{base_language(lang)}.yaml to teach it"
            )
        return None

    def conventions(self, lang: str) -> Conventions:
        """The merged conventions for ``lang``; errors name the locale file and line."""
        if lang not in self._conventions:
            layers = self._layers(lang)
            try:
                if not layers:
                    raise ConfigError(self.unsupported(lang) or f"no conventions for {lang!r}")
                self._conventions[lang] = validate_layers(Conventions, layers)
            except LetterforgeError as err:
                self._conventions[lang] = self._without_base(lang, err) or err
        found = self._conventions[lang]
        if isinstance(found, LetterforgeError):
            raise Problems([found])  # a new error each time: tracebacks do not pile up
        return found

    def _without_base(self, lang: str, err: LetterforgeError) -> ConfigError | None:
        """One error for a regional file (de-AT) that leaves out keys with no file for its
        language (de) to supply them, instead of one per missing key."""
        base = base_language(lang)
        if base == lang or base in _builtin_documents() or base in self._workspace_documents():
            return None
        if not any("missing required key" in finding.message for finding in err.findings):
            return None
        return ConfigError(
            f"letterforge has no {english_name(base) or base} ({base}) conventions for this "
            f"file to change: give every key here, or put them in {WORKSPACE_LOCALES}/{base}.yaml "
            "(see the README, Adding a language)",
            Location(f"{WORKSPACE_LOCALES}/{lang}.yaml"),
        )

    def problems(self) -> list[LetterforgeError]:
        """Every mistake in the workspace's locale files, each checked merged with the
        conventions it overrides."""
        found: list[LetterforgeError] = []
        documents = self._workspace_documents()
        found.extend(self._load_problems)
        for tag in documents:
            if not babel_knows(tag):
                found.append(
                    ConfigError(
                        self.unsupported(tag) or "", Location(f"{WORKSPACE_LOCALES}/{tag}.yaml")
                    )
                )
                continue
            try:
                self.conventions(tag)
            except LetterforgeError as err:
                found.append(err)
        return found
