"""Conventions of formal correspondence per language: dates, labels, salutations.

The conventions are data (``letterforge/locales/<lang>.yaml``), so adding a language needs no
code. Dates are formatted by Babel in the letter's language.
"""

from __future__ import annotations

import datetime
import string
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from letterforge.errors import ConfigError, Location
from letterforge.model import StrictModel, language_fallbacks, language_name, validate_document
from letterforge.yamlio import load_yaml_file


class Labels(StrictModel):
    """Fixed words of a letter in one language."""

    cc: str
    closing: str
    subject: str


class LocaleData(StrictModel):
    """One language's conventions, as loaded from its locale file."""

    date_format: str = "long"
    labels: Labels
    salutation: dict[Literal["m", "f", "x"], str]


def _builtin_dir() -> Path:
    return Path(str(resources.files("letterforge") / "locales"))


def supported_languages() -> list[str]:
    """Languages with built-in conventions."""
    return sorted(path.stem for path in _builtin_dir().glob("*.yaml"))


def has_conventions(lang: str) -> bool:
    """Whether letters can be written in ``lang``: built-in conventions and Babel's CLDR data."""
    from babel import Locale, UnknownLocaleError

    if not any((_builtin_dir() / f"{tag}.yaml").is_file() for tag in language_fallbacks(lang)):
        return False
    try:
        Locale.parse(babel_locale(lang))
    except (UnknownLocaleError, ValueError):
        return False
    return True


@cache
def locale_data(lang: str) -> LocaleData:
    """The conventions for ``lang``, falling back from region to base language."""
    for tag in language_fallbacks(lang):
        path = _builtin_dir() / f"{tag}.yaml"
        if path.is_file():
            return validate_document(LocaleData, load_yaml_file(path, _builtin_dir()))
    supported = ", ".join(supported_languages())
    raise ConfigError(
        f"letterforge has no conventions for language {lang!r} (it knows {supported})"
    )


def format_date(value: datetime.date, lang: str) -> str:
    """A date as a letter in ``lang`` writes it: ``April 21, 2020``, ``21 de abril de 2020``."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=locale_data(lang).date_format, locale=babel_locale(lang))


def babel_locale(lang: str) -> str:
    """Babel spells locales with an underscore: ``es-MX`` → ``es_MX``."""
    return lang.replace("-", "_")


def salutation(
    *,
    lang: str,
    gender: str | None,
    fields: dict[str, str | None],
    override: str | None,
    location: Location,
    who: str,
) -> str:
    """The salutation line for one person in ``lang``.

    Args:
        lang: the letter's language.
        gender: the person's grammatical gender (m, f, x), if the roster gives it.
        fields: the person's name parts and titles in ``lang``, for the pattern's placeholders.
        override: the roster's own salutation for this language, used as written.
        location: where the person is defined, for errors.
        who: the person's id, for errors.
    """
    if override is not None:
        return override
    patterns = locale_data(lang).salutation
    pattern = patterns.get(gender) if gender else None  # type: ignore[call-overload]
    if pattern is None:
        if gender is None and len(set(patterns.values())) == 1:
            pattern = next(iter(patterns.values()))
        else:
            problem = (
                f"gender {gender} has no {language_name(lang)} salutation form"
                if gender
                else f"no gender given, and the {language_name(lang)} salutation agrees with it"
            )
            raise ConfigError(
                f"{who}: {problem}: give gender m or f, or a salutation for {lang}", location
            )
    needed = [name for _, name, _, _ in string.Formatter().parse(pattern) if name]
    for name in needed:
        if not fields.get(name):
            raise ConfigError(
                f"{who}: the {language_name(lang)} salutation needs a {name} in {lang}",
                location,
            )
    return pattern.format_map(fields)
