"""Translation drift: facts that one language version of a letter states and another does not.

This is what went wrong in the model letter: the Spanish version dated a directive 30 March,
the English 31 March. Templates are written by hand per language, so letterforge compares what
each version's prose says: the numbers in it, the months of the dates in it, and the people it
names. Only the body is compared; the letterhead, address and CC list come from one source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from letterforge.document import Block, Letter, Role
from letterforge.workspace.conventions import babel_locale

# The templates' prose; the subject comes from the campaign file, the rest from rosters.
_PROSE_ROLES = frozenset({Role.BODY, Role.HEADING, Role.LIST_ITEM, Role.QUOTE})
# Thousands separators differ by language (1,000 / 1.000 / 1 000): read the digits only.
_NUMBER = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?!\d)|\d+")
_WORD = re.compile(r"\w+")


class People:
    """The people a letter may name, found by the first word of their surname: a campaign to
    500 officials names 500 people, and each letter is read once, not once per person."""

    def __init__(self, surnames: dict[str, str]) -> None:
        """``surnames``: person id → the surname to look for."""
        self.by_first_word: dict[str, list[tuple[str, str]]] = {}
        for person_id, name in surnames.items():
            first = _WORD.search(name)
            self.by_first_word.setdefault(first.group() if first else "", []).append(
                (person_id, name)
            )


NOBODY = People({})


@dataclass(frozen=True)
class Fact:
    """Something a letter states: ``kind`` is number, month or person; ``shown`` is for messages."""

    kind: str
    key: str
    shown: str


def prose_text(blocks: Iterable[Block]) -> str:
    """The text of a letter's prose, without the parts generated from rosters."""
    return "\n".join(block.plain_text for block in blocks if block.role in _PROSE_ROLES)


def facts(letter: Letter, people: People) -> dict[Fact, None]:
    """The facts one language version states, in the order it states them.

    Args:
        letter: one language version.
        people: the people to look for.
    """
    return text_facts(prose_text(letter.blocks), letter.lang, people)


def text_facts(text: str, lang: str, people: People) -> dict[Fact, None]:
    """The facts ``text``, in ``lang``, states: numbers, months of dates, people named."""
    found: dict[Fact, None] = dict.fromkeys(_number_facts(text))
    lowered = text.lower()
    for number, name, pattern in _month_patterns(lang):
        if name not in lowered:  # most letters name a month or two: skip the other scans
            continue
        for match in pattern.finditer(text):
            if match.group("before") or match.group("after"):
                found[Fact("month", str(number), match.group("month"))] = None
    for word in dict.fromkeys([*_WORD.findall(text), ""]):  # "": surnames with no letters
        for person_id, surname in people.by_first_word.get(word, ()):
            if re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", text):
                found[Fact("person", person_id, surname)] = None
    return found


def _number_facts(text: str) -> list[Fact]:
    """The numbers ``text`` states, keyed by their digits (1,500 and 1 500 are one fact)."""
    return [
        Fact("number", re.sub(r"\D", "", match.group()), match.group())
        for match in _NUMBER.finditer(text)
    ]


def surname(family: str) -> str:
    """The word prose uses for a person: ``Ebrard`` for Ebrard Casaubón, ``Mazo`` for del Mazo
    Maza (particles such as "del" or "van" are common words, not names)."""
    words = family.split()
    return next((word for word in words if word[:1].isupper()), words[0])


def missing_facts(first: Iterable[Fact], second: Iterable[Fact]) -> list[Fact]:
    """Facts ``first`` states that ``second`` does not (each from :func:`facts`)."""
    theirs = {(fact.kind, fact.key) for fact in second}
    return [fact for fact in first if (fact.kind, fact.key) not in theirs]


@cache
def _month_patterns(lang: str) -> list[tuple[int, str, re.Pattern[str]]]:
    """A pattern per month for month names next to a day or year (``31 de marzo``, ``May 6``).

    The neighbouring number keeps words such as English "may" from counting as months.
    """
    from babel.dates import get_month_names

    return [
        (
            number,
            name.lower(),
            re.compile(
                r"(?P<before>\d{1,2}\w{0,3}\.?\s+(?:de\s+|of\s+)?)?(?<!\w)"
                rf"(?P<month>{re.escape(name)})(?!\w)(?P<after>,?\s+(?:de\s+|of\s+)?\d)?",
                re.IGNORECASE,
            ),
        )
        for number, name in get_month_names("wide", locale=babel_locale(lang)).items()
    ]
