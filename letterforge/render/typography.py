"""The typography of a letter's language, applied to its text after Markdown is read.

Straight quotes become the language's quotation marks (“ ” in English and Spanish, « » in
French), straight apostrophes become ’, and French gets its no-break spaces before ``: ; ! ?``
and inside guillemets. Working on the document model, not the Markdown, means text from
rosters, templates and the layout is set alike, and a quote opened in plain text and closed in
bold is still one pair. Every text is also put in Unicode NFC, so an accent typed as a
combining mark prints, copies and searches like any other.

In every language, lines do not break where a reader would stumble: at the hyphen of a short
compound (T-MEC, COVID-19), or between one-letter abbreviations (p. j.).
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from letterforge.document import NO_BREAK_HYPHEN, Block, Image, Inline, LineBreak, Text
from letterforge.workspace.conventions import SPACES, Typography

# Marks after which one of French's spaced marks is not spaced again (?! and ?:).
_SPACED_MARKS = frozenset(":;!?")
# A spaced mark is spaced only where it ends a word group: followed by one of these, a space
# or the end. So https://, 10:30 and a ratio like 3:1 are left alone.
_CLOSERS = frozenset(")]}\"'\u00bb\u201d\u2019.,")
_LINE_BREAK = "\n"
# A hyphen with this many letters or digits or fewer on one side of it never ends a line: a
# lone T- or 19 at a line's end reads as a typo. So T-MEC, COVID-19, e-commerce and every word
# of up to seven letters stay whole, while États-Unis and López-Gatell may break at theirs.
SHORT_PART = 3
# A compound longer than this may still have to break, in a narrow column (a signature's).
LONGEST_UNBROKEN = 20
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
# One-letter abbreviations in a row, p. j. or J. F.: the space between them does not break.
_INITIALS = re.compile(r"(?<![\w.])[^\W\d_]\.( )(?=[^\W\d_]\.)")


def typeset_blocks(blocks: Iterable[Block], rules: Typography) -> tuple[Block, ...]:
    """The blocks with their text set in the language's typography."""
    return tuple(_typeset_block(block, rules) for block in blocks)


def typeset_text(text: str, rules: Typography) -> str:
    """One string set in the language's typography (a document title, say)."""
    return "".join(_typeset(unicodedata.normalize("NFC", text), rules))


def _typeset_block(block: Block, rules: Typography) -> Block:
    # Text is set as one string, so that quotes pair across runs; a line break or an image
    # stands in it as a line break.
    pieces = [
        unicodedata.normalize("NFC", inline.text) if isinstance(inline, Text) else _LINE_BREAK
        for inline in block.inlines
    ]
    text = "".join(pieces)
    output = _typeset(text, rules)
    links = _link_positions(block.inlines, pieces)
    for position, char in _unbreakable(text):
        if position not in links:
            output[position] = char
    inlines: list[Inline] = []
    start = 0
    for inline, piece in zip(block.inlines, pieces, strict=True):
        end = start + len(piece)
        if isinstance(inline, LineBreak):
            inlines.append(inline)
        elif isinstance(inline, Image):
            inlines.append(replace(inline, alt=typeset_text(inline.alt, rules)))
        else:
            inlines.append(replace(inline, text="".join(output[start:end])))
        start = end
    if rules.superscripts:
        inlines = _raise_ordinal_endings(inlines, tuple(rules.superscripts))
    return replace(block, inlines=tuple(inlines))


def _link_positions(inlines: tuple[Inline, ...], pieces: list[str]) -> set[int]:
    """Where the text of links is: a link is copied as it was written."""
    positions: set[int] = set()
    start = 0
    for inline, piece in zip(inlines, pieces, strict=True):
        if isinstance(inline, Text) and inline.link:
            positions.update(range(start, start + len(piece)))
        start += len(piece)
    return positions


def _unbreakable(text: str) -> list[tuple[int, str]]:
    """Where a line must not break in ``text``: each place, and what it becomes there (a
    no-break hyphen in a short compound, a no-break space between initials)."""
    found = [(match.start(1), "\u00a0") for match in _INITIALS.finditer(text)]
    if "-" not in text:  # no compound (most paragraphs of a letter): a letter renders sooner
        return found
    for token in re.finditer(r"\S+", text):
        word = token.group()
        if "-" not in word:
            continue
        if "@" in word or "/" in word:  # an address: copied as typed
            continue
        for compound in _COMPOUND.finditer(word):
            if len(compound.group()) > LONGEST_UNBROKEN:
                continue
            position = token.start() + compound.start()
            parts = compound.group().split("-")
            for before, after in itertools.pairwise(parts):
                position += len(before)
                if min(len(before), len(after)) <= SHORT_PART:
                    found.append((position, NO_BREAK_HYPHEN))
                position += 1
    return found


@cache
def _ordinal(endings: tuple[str, ...]) -> re.Pattern[str]:
    """A number followed by one of ``endings`` that ends the word: 1er, 2e, 21es."""
    longest_first = sorted(endings, key=len, reverse=True)
    alternatives = "|".join(re.escape(ending) for ending in longest_first)
    return re.compile(rf"(?<!\w)\d+(?P<ending>{alternatives})(?!\w)")


def _raise_ordinal_endings(inlines: list[Inline], endings: tuple[str, ...]) -> list[Inline]:
    """Split each run so an ordinal's ending is a superscript run of its own."""
    pattern = _ordinal(endings)
    raised: list[Inline] = []
    for inline in inlines:
        if not isinstance(inline, Text):
            raised.append(inline)
            continue
        start = 0
        for match in pattern.finditer(inline.text):
            ending = match.start("ending")
            raised.append(replace(inline, text=inline.text[start:ending]))
            raised.append(replace(inline, text=match.group("ending"), superscript=True))
            start = match.end()
        raised.append(replace(inline, text=inline.text[start:]))
    return [inline for inline in raised if not isinstance(inline, Text) or inline.text]


def _is_punctuation(char: str | None) -> bool:
    return char is not None and unicodedata.category(char)[0] in "PS"


def _flanks(before: str | None, after: str | None) -> tuple[bool, bool]:
    """Whether a quote between ``before`` and ``after`` can open and can close, by the rules
    CommonMark uses for emphasis (and markdown-it for its smart quotes): ``="a`` opens,
    ``a".`` closes, ``a"b`` can do both."""
    before_space = before is None or before.isspace()
    after_space = after is None or after.isspace()
    can_open = not after_space and (
        not _is_punctuation(after) or before_space or _is_punctuation(before)
    )
    can_close = not before_space and (
        not _is_punctuation(before) or after_space or _is_punctuation(after)
    )
    return can_open, can_close


def _at(text: str, index: int) -> str | None:
    return text[index] if 0 <= index < len(text) else None


def _inside_word(before: str | None, after: str | None) -> bool:
    return bool(before and before.isalnum() and after and after.isalpha())


def _single_quote_pairs(text: str) -> tuple[set[int], set[int]]:
    """Where single quotes open and close a quotation; every other one is an apostrophe.

    Each quote that can close pairs with the nearest one before it that can open, after the
    last pair: in "the '90s and 'the' word" only 'the' is quoted, and 'em, 'Tis or '90s
    with nothing to close them stay apostrophes.
    """
    can_open: list[int] = []
    can_close: list[int] = []
    for match in re.finditer("'", text):
        index = match.start()
        before, after = _at(text, index - 1), _at(text, index + 1)
        if _inside_word(before, after):
            continue
        opens, closes = _flanks(before, after)
        if opens:
            can_open.append(index)
        if closes:
            can_close.append(index)
    opening: set[int] = set()
    closing: set[int] = set()
    last = -1
    for end in can_close:
        nearest = bisect.bisect_left(can_open, end) - 1
        if nearest >= 0 and can_open[nearest] > last:
            opening.add(can_open[nearest])
            closing.add(end)
            last = end
    return opening, closing


def _opens(before: str | None, after: str | None, *, already_open: bool) -> bool:
    """Whether a straight double quote opens; where the text around it does not tell
    (a"b, or " Oui " typed with spaces), it closes an open quote and opens otherwise."""
    can_open, can_close = _flanks(before, after)
    if can_open != can_close:
        return can_open
    return not already_open


@cache
def _marks_pattern(marks: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(marks)}]")


def _typeset(text: str, rules: Typography) -> list[str]:
    """What each character of ``text`` becomes (one string per character, so the caller can
    cut the result back into the runs the text came from)."""
    output = list(text)
    open_quote, close_quote, open_inner, close_inner = rules.quotes
    inside = SPACES[rules.inside_quotes]
    outer_open = False
    # Only quotes and the marks that take a space before them change; a letter's paragraphs
    # are mostly other characters, so visit just these.
    marks = "\"'" + (open_quote + close_quote if inside else "") + "".join(rules.before)
    if not any(mark in text for mark in marks):
        return output
    opening, closing = _single_quote_pairs(text)
    for match in _marks_pattern(marks).finditer(text):
        index, char = match.start(), match.group()
        before = text[index - 1] if index else None
        after = text[index + 1] if index + 1 < len(text) else None
        if char == '"':
            opens = _opens(before, after, already_open=outer_open)
            output[index] = open_quote + inside if opens else inside + close_quote
            if inside and opens and after == " ":
                output[index + 1] = ""
            if inside and not opens and before == " ":
                output[index - 1] = ""
            outer_open = opens
        elif char == "'":
            if index in opening:
                output[index] = open_inner
            elif index in closing:
                output[index] = close_inner
            else:  # l'accord, don't, members', and elisions with no quote to close ('em)
                output[index] = rules.apostrophe
        elif inside and char == open_quote and after is not None:
            if after == " ":
                output[index + 1] = inside
            elif not after.isspace():
                output[index] = char + inside
        elif inside and char == close_quote and before is not None:
            if before == " ":
                output[index - 1] = inside
            elif not before.isspace():
                output[index] = inside + char
        elif char in rules.before:
            ends_group = (
                after is None or after.isspace() or after in _CLOSERS or after in _SPACED_MARKS
            )
            if not ends_group or before is None or before in _SPACED_MARKS:
                continue
            space = SPACES[rules.before[char]]
            if before in {" ", "\u00a0", "\u202f"}:
                output[index - 1] = space
            elif not before.isspace():
                output[index] = space + char
    return output
