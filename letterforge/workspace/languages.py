"""Language tags and text given per language.

A language is a tag such as ``en``, ``es-MX`` or ``es-419``; a value for a region falls back to
its language's (``es-MX`` → ``es``). A :class:`Localized` value is the same in every language or
given per language, ``{lang: text}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import core_schema

# A language, optionally with a region: en, es-MX, fr-CA, or es-419 (Latin America).
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-(?:[A-Z]{2}|[0-9]{3}))?$")


def base_language(lang: str) -> str:
    """``es-MX`` → ``es``."""
    return lang.split("-")[0]


def narrowed(letter_languages: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The languages ``--lang`` keeps: all without it; ``--lang fr`` keeps fr and fr-CA."""
    wanted = list(wanted)
    return [
        lang
        for lang in letter_languages
        if not wanted or lang in wanted or base_language(lang) in wanted
    ]


def language_fallbacks(lang: str) -> list[str]:
    """The tags to try for ``lang``, most specific first: ``es-MX`` → ``es-MX``, ``es``."""
    base = base_language(lang)
    return [lang] if base == lang else [lang, base]


def in_language(values: Mapping[str, str], lang: str) -> str | None:
    """The value given for ``lang``, or for its language when none is given for its region."""
    return next((values[tag] for tag in language_fallbacks(lang) if tag in values), None)


def language_tag_problem(tag: str) -> str:
    """Why ``tag`` is not a language tag, with the tag it was probably meant to be."""
    language, _, region = tag.replace("_", "-").partition("-")
    guess = language.lower() + (f"-{region.upper()}" if region else "")
    hint = f" (did you mean {guess!r}?)" if LANGUAGE_TAG.fullmatch(guess) else ""
    return f"{tag!r} is not a language tag such as en, es or es-MX{hint}"


# The form a list of languages takes, for editors.
LANGUAGES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "pattern": LANGUAGE_TAG.pattern},
    "minItems": 1,
    "uniqueItems": True,
}


def check_language_tags(tags: list[str]) -> list[str]:
    """``tags`` when each is a language tag and none is listed twice."""
    for tag in tags:
        if not LANGUAGE_TAG.fullmatch(tag):
            raise ValueError(language_tag_problem(tag))
    if len(set(tags)) != len(tags):
        raise ValueError("a language is listed twice")
    return tags


@dataclass(frozen=True)
class Localized:
    """Text that is either the same in every language or given per language."""

    same: str | None = None
    per_language: tuple[tuple[str, str], ...] = ()

    def get(self, lang: str) -> str | None:
        """The text for ``lang`` (falling back from region to base language), or None."""
        if self.same is not None:
            return self.same
        return in_language(dict(self.per_language), lang)

    @classmethod
    def _validate(cls, value: Any) -> Localized:
        if isinstance(value, Localized):
            return value
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("is empty: leave the key out instead")
            return cls(same=value)
        if isinstance(value, dict) and value:
            for lang, text in value.items():
                if not LANGUAGE_TAG.fullmatch(lang):
                    raise ValueError(language_tag_problem(lang))
                if not isinstance(text, str) or not text.strip():
                    raise ValueError(f"the {lang} value must be text")
            return cls(per_language=tuple(value.items()))
        raise ValueError(
            "expected text, or a mapping of language to text such as {en: ..., es: ...}"
        )

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(cls._validate)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "propertyNames": {"pattern": LANGUAGE_TAG.pattern},
                    "additionalProperties": {"type": "string"},
                    "minProperties": 1,
                },
            ]
        }
