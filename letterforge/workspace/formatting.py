"""Writing in a language by its conventions: dates and the date line, numbers, lists,
salutations and closings, and how the inside address and the CC list name a person.

Dates, numbers and list patterns come from Babel (CLDR) in the letter's full locale; the
patterns of salutations and closings, and the words that change with the sound after them,
come from the language's conventions.
"""

from __future__ import annotations

import datetime
import string
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal

from letterforge.workspace.conventions import (
    DATE_FORMAT_NAMES,
    Conventions,
    WordChange,
    babel_locale,
    language_name,
)

# --- dates -----------------------------------------------------------------------------------


def format_date(value: datetime.date, lang: str, conventions: Conventions) -> str:
    """A date as a letter in ``lang`` writes it: ``April 21, 2020``, ``1er juillet 2025``."""
    from babel.dates import format_date as babel_format_date
    from babel.dates import get_date_format

    locale = babel_locale(lang)
    rules = conventions.date
    pattern = rules.format
    if pattern in DATE_FORMAT_NAMES:
        pattern = get_date_format(pattern, locale=locale).pattern  # type: ignore[arg-type]
    if value.day == 1 and rules.first_day and _spells_out_month(pattern):
        pattern = _replace_day_field(pattern, rules.first_day)
    return str(babel_format_date(value, format=pattern, locale=locale))


def _unquoted(pattern: str) -> str:
    """A CLDR pattern's fields, without its quoted text: ``d 'de' MMMM`` → ``d  MMMM``."""
    return "".join(part for index, part in enumerate(pattern.split("'")) if index % 2 == 0)


def _spells_out_month(pattern: str) -> bool:
    """Whether the pattern writes the month as a word (1er juillet), not a number (1/07)."""
    fields = _unquoted(pattern)
    return "MMM" in fields or "LLL" in fields


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
    # No word changes here: they belong to salutations and lists (le avril is not l’avril).
    return fill(conventions.date.with_place, {"place": place, "date": date})


def format_number(value: int | float, lang: str) -> str:
    """A number with the language's separators: 1,500 / 1.500 / 1 500."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=babel_locale(lang)))


# --- patterns, word changes and lists --------------------------------------------------------


def _sound(word: str) -> str:
    """A word for comparing sounds: lowercase, accents and leading quotes or markup removed
    (Ítalo → italo, «Industria» → industria)."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.lstrip("\"'«“‘„*_([¿¡ ")


def _changed_word(before: str, following: str, changes: Sequence[WordChange]) -> str:
    """``before`` (a pattern's literal text) with its last word changed for ``following``."""
    if not before.endswith(" "):
        return before
    head, _, word = before[:-1].rpartition(" ")
    for change in changes:
        if word != change.word:
            continue
        sound = _sound(following[:24])  # a word's beginning is all that matters
        next_word = sound.split(" ", 1)[0]
        if next_word in change.before_words or (
            any(sound.startswith(_sound(start)) for start in change.before)
            and not any(sound.startswith(_sound(start)) for start in change.unless_before)
        ):
            joined = change.becomes.endswith(("\u2019", "'"))  # l’ joins the next word
            prefix = f"{head} " if head or before.startswith(" ") else ""
            return prefix + change.becomes + ("" if joined else " ")
    return before


def fill(pattern: str, values: Mapping[str, str], changes: Sequence[WordChange] = ()) -> str:
    """Fill ``pattern``'s placeholders, changing a word before one where ``changes`` say
    (``Monsieur le {office}`` with Ambassadeur → ``Monsieur l’Ambassadeur``)."""
    parts: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(pattern):
        if name is None:
            parts.append(literal)
            continue
        value = values[name]
        parts.append(_changed_word(literal, value, changes))
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


@cache
def _placeholders(pattern: str) -> tuple[str, ...]:
    """The names a (validated) pattern fills: ``Dear {honorific} {surname}:`` → both."""
    return tuple(name for _, name, _, _ in string.Formatter().parse(pattern) if name)


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
        if all(name in present for name in _placeholders(pattern)):
            return fill(pattern, present, conventions.word_changes)
    missing = next(name for name in _placeholders(patterns[0]) if name not in present)
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
    return fill(pattern, {"salutation": salutation_line.rstrip(" ,:;")}, conventions.word_changes)


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    """A person's field as text, or ``None`` where the person has none in this language."""
    value = fields.get(name)
    return value if isinstance(value, str) and value else None


def addressed_name(fields: Mapping[str, Any], *, honorific: bool) -> str:
    """A person's name as an address writes it: the courtesy style, the honorific where the
    language puts it there, the name, and the post-nominal letters: ``The Honourable Maninder
    Sidhu, P.C., M.P.``, ``Lic. Marcelo Ebrard Casaubón``."""
    parts = [_text(fields, "style"), _text(fields, "honorific") if honorific else None]
    name = " ".join([*(part for part in parts if part), str(fields["full_name"])])
    letters = _text(fields, "post_nominals")
    return f"{name}, {letters}" if letters else name


def inside_address(fields: Mapping[str, Any], conventions: Conventions) -> list[str]:
    """The lines of the inside address: the name, the title, the organization unless it only
    repeats the title (Secretario de Economía, Secretaría de Economía), the postal address,
    and the line that closes the block where the language has one (Presente)."""
    title, organization = _text(fields, "title"), _text(fields, "organization")
    lines = [addressed_name(fields, honorific=conventions.address.honorific)]
    if title:
        lines.append(title)
    if organization and not (title and repeats(organization, title)):
        lines.append(organization)
    lines += [line for line in fields.get("address", ()) if line]
    if conventions.address.closing:
        lines.append(conventions.address.closing)
    return lines


def cc_line(fields: Mapping[str, Any], conventions: Conventions) -> str:
    """A person in the CC list: ``Dr. Jorge Alcocer Varela, Secretario de Salud``."""
    name = addressed_name(fields, honorific=conventions.address.cc_honorific)
    title = _text(fields, "title")
    return f"{name}, {title}" if title else name


def repeats(organization: str, title: str) -> bool:
    """Whether an organization's name only repeats an office's title: the same words but for
    the ending of the first (Secretaría de Economía after Secretario de Economía)."""
    first, *rest = _folded(organization).split()
    title_first, *title_rest = _folded(title).split() or [""]
    common = next(
        (index for index, (a, b) in enumerate(zip(first, title_first, strict=False)) if a != b),
        min(len(first), len(title_first)),
    )
    return rest == title_rest and common >= min(6, len(first), len(title_first))


def _folded(text: str) -> str:
    """``text`` without case and accents, for comparing words."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
