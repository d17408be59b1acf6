"""Conventions of formal correspondence per language: dates, salutations, closings, labels,
lists and typography.

The conventions are data: ``letterforge/locales/<tag>.yaml`` holds the built-in ones, and a
workspace's ``locales/<tag>.yaml`` overrides any part of them, or teaches letterforge a new
language. For a letter in ``fr-CA`` the layers are read in this order, each overriding the one
before: built-in ``fr``, built-in ``fr-CA``, the workspace's ``fr``, the workspace's ``fr-CA``.
Dates, numbers and list patterns come from Babel (CLDR) in the letter's full locale.
"""

from __future__ import annotations

import datetime
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from letterforge.errors import ConfigError, LetterforgeError, Location, Problems
from letterforge.model import (
    LANGUAGE_TAG,
    StrictModel,
    base_language,
    language_fallbacks,
    validate_layers,
)
from letterforge.yamlio import YamlDocument, load_yaml_file

Gender = Literal["m", "f", "x"]
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


class DateConventions(StrictModel):
    """How the date line and the ``| date`` filter write a date."""

    format: str = "long"
    """A Babel format name (short, medium, long, full) or a CLDR pattern such as d MMMM y."""
    first_day: str | None = None
    """How the first day of a month is written, where it is not a plain 1: French 1er."""
    with_place: str = "{place}, {date}"
    """The date line when the campaign names a place: {place}, a {date} in Spanish."""

    @field_validator("with_place")
    @classmethod
    def _with_place_fields(cls, value: str) -> str:
        return _check_placeholders(value, ("place", "date"))


class Closing(StrictModel):
    """The closing formula; ``{salutation}`` repeats the salutation without its punctuation."""

    single: str
    """The closing of a letter one person signs: Sincerely,"""
    joint: str | None = None
    """The closing of a letter several people sign (default: single): French notre for ma."""

    @field_validator("single", "joint")
    @classmethod
    def _closing_fields(cls, value: str | None) -> str | None:
        return None if value is None else _check_placeholders(value, ("salutation",))


class Labels(StrictModel):
    """Fixed words of a letter in one language."""

    cc: str
    """Heads the list of people in copy: CC:, C.c.p., c. c."""
    subject: str
    """Precedes the subject line: Re:, Asunto:, Objet :"""
    enclosure: str
    """Heads the enclosures line when there is one: Enclosure:"""
    enclosures: str
    """Heads it when there are several: Enclosures:"""
    page: str
    """Numbers continuation pages; {page} is the number: Page {page}, Página {page}."""

    @field_validator("page")
    @classmethod
    def _page_field(cls, value: str) -> str:
        return _check_placeholders(value, ("page",))


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
    superscripts: list[Annotated[str, Field(pattern=r"^[^\W\d_]{1,3}$")]] = Field(
        default_factory=list
    )
    """Endings raised after a number, as ordinals are set: French [er, re, e] (1er, 2e)."""

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
    """Beginnings of the next word that cause the change, ignoring case and accents."""
    unless_before: list[str] = Field(default_factory=list)
    """Beginnings that do not, though they match before: Spanish hie (agua y hielo)."""


class Conventions(StrictModel):
    """One language's conventions for formal letters, as the locale files give them."""

    date: DateConventions = DateConventions()
    """How dates are written."""
    salutation: dict[Literal["m", "f", "x", "any"], list[str]]
    """Salutation patterns by grammatical gender (any: every gender); the first pattern whose
    placeholders the person has is used: [Monsieur le {office},, Monsieur,]."""
    closing: Closing
    """The closing formula."""
    labels: Labels
    """Fixed words: CC, subject, enclosures, page numbers."""
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
            for pattern in patterns:
                _check_placeholders(pattern, SALUTATION_FIELDS)
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
                for path in sorted(folder.glob("*.yaml")):
                    if path.name.startswith("."):
                        continue
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
        tags = list(reversed(language_fallbacks(lang)))  # base language first
        builtin, workspace = _builtin_documents(), self._workspace_documents()
        return [builtin[tag] for tag in tags if tag in builtin] + [
            workspace[tag] for tag in tags if tag in workspace
        ]

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
                self._conventions[lang] = err
        found = self._conventions[lang]
        if isinstance(found, LetterforgeError):
            raise Problems([found])  # a new error each time: tracebacks do not pile up
        return found

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


# --- dates -----------------------------------------------------------------------------------


def format_date(value: datetime.date, lang: str, conventions: Conventions) -> str:
    """A date as a letter in ``lang`` writes it: ``April 21, 2020``, ``1er juillet 2025``."""
    from babel.dates import format_date as babel_format_date
    from babel.dates import get_date_format

    locale = babel_locale(lang)
    rules = conventions.date
    pattern = rules.format
    if pattern in ("short", "medium", "long", "full"):
        pattern = get_date_format(pattern, locale=locale).pattern  # type: ignore[arg-type]
    if value.day == 1 and rules.first_day:
        pattern = _replace_day_field(pattern, rules.first_day)
    return str(babel_format_date(value, format=pattern, locale=locale))


def _replace_day_field(pattern: str, day: str) -> str:
    """Put ``day`` (quoted, so CLDR reads it as text) in place of the day-of-month field."""
    quoted = "'" + day.replace("'", "''") + "'"
    result: list[str] = []
    in_quotes = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":
            in_quotes = not in_quotes
            result.append(char)
            index += 1
            continue
        if char == "d" and not in_quotes:
            end = index
            while end < len(pattern) and pattern[end] == "d":
                end += 1
            result.append(quoted if end - index <= 2 else pattern[index:end])
            index = end
            continue
        result.append(char)
        index += 1
    return "".join(result)


def date_line(value: datetime.date, lang: str, conventions: Conventions, place: str | None) -> str:
    """The letter's date line: the date alone, or with the place it is written from."""
    date = format_date(value, lang, conventions)
    if not place:
        return date
    return fill(conventions.date.with_place, {"place": place, "date": date}, conventions)


def format_number(value: int | float, lang: str) -> str:
    """A number with the language's separators: 1,500 / 1.500 / 1 500."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=babel_locale(lang)))


# --- patterns, word changes and lists --------------------------------------------------------


def _sound(word: str) -> str:
    """A word's beginning for comparing sounds: lowercase, accents removed (Ítalo → italo)."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _changed_word(before: str, following: str, changes: Sequence[WordChange]) -> str:
    """``before`` (a pattern's literal text) with its last word changed for ``following``."""
    if not before.endswith(" "):
        return before
    head, _, word = before[:-1].rpartition(" ")
    for change in changes:
        if word != change.word:
            continue
        sound = _sound(following[:16])  # a word's beginning is all that matters
        if any(sound.startswith(_sound(start)) for start in change.before) and not any(
            sound.startswith(_sound(start)) for start in change.unless_before
        ):
            joined = change.becomes.endswith(("\u2019", "'"))  # l’ joins the next word
            prefix = f"{head} " if head or before.startswith(" ") else ""
            return prefix + change.becomes + ("" if joined else " ")
    return before


def fill(pattern: str, values: Mapping[str, str], conventions: Conventions) -> str:
    """Fill ``pattern``'s placeholders, changing a word before one where the language's
    grammar asks (``Monsieur le {office}`` with Ambassadeur → ``Monsieur l’Ambassadeur``)."""
    parts: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(pattern):
        if name is None:
            parts.append(literal)
            continue
        value = values[name]
        parts.append(_changed_word(literal, value, conventions.word_changes))
        parts.append(value)
    return "".join(parts)


def join_list(
    items: Sequence[str], lang: str, conventions: Conventions, style: Literal["and", "or"]
) -> str:
    """Join items as the language does: ``A, B, and C``, ``Economía e Industria``.

    CLDR's list patterns nest (``start`` holds the first item and the rest, ``middle`` the
    next and the rest, ``end`` the last two); the parts are laid out in one pass, so a long
    list costs time in proportion to its length.
    """
    from babel import Locale

    if len(items) < 2:
        return items[0] if items else ""
    patterns = Locale.parse(babel_locale(lang)).list_patterns[
        "standard" if style == "and" else "or"
    ]
    if len(items) == 2:
        chosen = [patterns["2"]]
    else:
        chosen = [patterns["start"], *[patterns["middle"]] * (len(items) - 3), patterns["end"]]
    pieces = [_pattern_pieces(pattern) for pattern in chosen]
    parts: list[str] = []
    for index, (before, between, _) in enumerate(pieces):
        last = index == len(pieces) - 1
        # What follows the infix: the last item, or the next pattern's text and item.
        following = items[-1] if last else pieces[index + 1][0] + items[index + 1]
        parts += [before, items[index], _changed_word(between, following, conventions.word_changes)]
    parts.append(items[-1])
    parts += [after for _, _, after in reversed(pieces)]
    return "".join(parts)


@cache
def _pattern_pieces(pattern: str) -> tuple[str, str, str]:
    """A list pattern's text before ``{0}``, between ``{0}`` and ``{1}``, and after ``{1}``."""
    before, _, rest = pattern.partition("{0}")
    between, _, after = rest.partition("{1}")
    return before, between, after


class SalutationGap(ValueError):
    """A salutation cannot be made: the person lacks ``field`` (gender, honorific ...)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def salutation(
    conventions: Conventions,
    *,
    lang: str,
    gender: str | None,
    fields: Mapping[str, str | None],
) -> str:
    """The salutation for one person in ``lang``: the first of the language's patterns for
    their gender whose placeholders they all have.

    Args:
        conventions: the language's conventions.
        lang: the letter's language, for messages.
        gender: the person's grammatical gender (m, f, x), if the roster gives it.
        fields: the person's name parts, honorific, title and office in ``lang``.

    Raises:
        SalutationGap: the language needs a gender or a field the person does not have.
    """
    forms = conventions.salutation
    patterns = forms.get(gender) if gender else None  # type: ignore[call-overload]
    if patterns is None:
        patterns = forms.get("any")
    if patterns is None:
        problem = (
            f"gender {gender} has no {language_name(lang)} salutation form"
            if gender
            else f"no gender given, and the {language_name(lang)} salutation agrees with it"
        )
        raise SalutationGap(f"{problem}: give gender m or f, or a salutation for {lang}", "gender")
    present = {name: value for name, value in fields.items() if value}
    for pattern in patterns:
        needed = [name for _, name, _, _ in string.Formatter().parse(pattern) if name]
        if all(name in present for name in needed):
            return fill(pattern, present, conventions)
    missing = next(
        name
        for _, name, _, _ in string.Formatter().parse(patterns[0])
        if name and name not in present
    )
    article = "an" if missing[0] in "aeiouh" else "a"
    raise SalutationGap(
        f"the {language_name(lang)} salutation needs {article} {missing}: give {missing} "
        f"a value for {lang}, or give a salutation for {lang}",
        missing,
    )


def closing(conventions: Conventions, *, salutation_line: str, signatories: int) -> str:
    """The closing formula; French repeats the salutation (``Veuillez agréer, Madame la
    Ministre, ...``), and a joint letter may say it in the plural."""
    rules = conventions.closing
    pattern = rules.joint if signatories > 1 and rules.joint else rules.single
    return fill(pattern, {"salutation": salutation_line.rstrip(" ,:;")}, conventions)


def conventions_schema() -> dict[str, Any]:
    """The JSON Schema of a workspace's ``locales/*.yaml``: every key optional, since a file
    overrides only what it names (a new language must still give them all)."""
    schema = Conventions.model_json_schema()

    def optional(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("required", None)
            for value in node.values():
                optional(value)
        elif isinstance(node, list):
            for value in node:
                optional(value)

    optional(schema)
    return schema
