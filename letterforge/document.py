"""The document model both writers read: letters made of blocks with a semantic role.

A role (date, address, salutation, body ...) maps to a named paragraph style in DOCX and a CSS
class in HTML, so one theme styles both formats and both say the same thing in the same order.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from letterforge.workspace.assets import ImageFile


class Role(StrEnum):
    """What a block is in a letter. The value is the CSS class and the layout's container name."""

    LETTERHEAD = "letterhead"
    # The header of continuation pages; {page} in it stands for the page number.
    RUNNING_HEAD = "running-head"
    DATE = "date"
    ADDRESS = "address"
    REFERENCE = "reference"
    SUBJECT = "subject"
    SALUTATION = "salutation"
    BODY = "body"
    HEADING = "heading"
    LIST_ITEM = "list-item"
    QUOTE = "quote"
    CLOSING = "closing"
    SIGNATURE = "signature"
    CC = "cc"
    ENCLOSURES = "enclosures"

    @property
    def style_name(self) -> str:
        """The DOCX paragraph style, e.g. ``Letter Salutation``."""
        return "Letter " + self.value.replace("-", " ").title()


# Roles whose source lines are kept as lines (an address is one item per line).
LINE_ROLES = frozenset(
    {
        Role.LETTERHEAD,
        Role.RUNNING_HEAD,
        Role.DATE,
        Role.ADDRESS,
        Role.REFERENCE,
        Role.SIGNATURE,
        Role.CC,
        Role.ENCLOSURES,
    }
)
# Where a running head puts the page number.
PAGE_NUMBER = "{page}"
# A hyphen a line never breaks at (typography puts it in short compounds: T-MEC). The DOCX
# writes Word's own no-break hyphen, and the PDF a hyphen in a word that does not wrap, since
# the letter font has no glyph for this character; both read back as a plain hyphen.
NO_BREAK_HYPHEN = "\u2011"


@dataclass(frozen=True, slots=True)
class Text:
    """A run of text with its inline formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None
    superscript: bool = False  # an ordinal's ending in French typography: the "er" of 1er


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A line break inside a block."""


@dataclass(frozen=True, slots=True)
class Image:
    """An image on a line of its own: a logo in the letterhead, a signature above a name."""

    file: ImageFile
    alt: str  # what a screen reader says instead


Inline = Text | LineBreak | Image


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph with a role. List items carry their marker and nesting depth."""

    role: Role
    inlines: tuple[Inline, ...]
    list_marker: str | None = None
    depth: int = 0
    level: int = 0  # heading level, 1 to 6

    @property
    def plain_text(self) -> str:
        """The text a reader sees and copies: a no-break hyphen is a hyphen."""
        return "".join(
            "\n" if isinstance(inline, LineBreak) else inline.text
            for inline in self.inlines
            if not isinstance(inline, Image)
        ).replace(NO_BREAK_HYPHEN, "-")

    def around_page_number(self) -> tuple[tuple[Text, ...], tuple[Text, ...] | None]:
        """A running head's runs on one line (a line break becomes a space), with their
        formatting (the raised ending of a French 1er): those before its page number and those
        after it, None when it has no page number."""
        runs: list[Text] = []
        for inline in self.inlines:
            if isinstance(inline, Text):
                runs.append(inline)
            elif isinstance(inline, LineBreak):
                runs.append(Text(" "))
        for index, run in enumerate(runs):
            before, number, after = run.text.partition(PAGE_NUMBER)
            if number:
                head = (*runs[:index], replace(run, text=before))
                tail = (replace(run, text=after), *runs[index + 1 :])
                return _nonempty(head), _nonempty(tail)
        return tuple(runs), None


def _nonempty(runs: tuple[Text, ...]) -> tuple[Text, ...]:
    return tuple(run for run in runs if run.text)


# Roles whose runs of blocks stand side by side: the signatories of a joint letter, and the
# associations of a joint letterhead.
SIDE_BY_SIDE_ROLES = frozenset({Role.SIGNATURE, Role.LETTERHEAD})


@dataclass(frozen=True, slots=True)
class SideBySide:
    """Blocks of one role side by side (a joint letter's signatories, or the associations of
    its letterhead): up to three to a row (four make two rows of two), never split across
    pages."""

    blocks: tuple[Block, ...]

    @property
    def role(self) -> Role:
        return self.blocks[0].role

    @property
    def columns(self) -> int:
        count = len(self.blocks)
        return count if count <= 3 else 2 if count == 4 else 3

    @property
    def rows(self) -> list[tuple[Block, ...]]:
        width = self.columns
        return [self.blocks[start : start + width] for start in range(0, len(self.blocks), width)]


def arrange(flow: tuple[Block, ...]) -> list[Block | SideBySide]:
    """The flow as writers lay it out: a run of two or more signature blocks, or of two or
    more letterhead blocks, becomes one :class:`SideBySide`; every other block stands alone."""
    arranged: list[Block | SideBySide] = []
    for block in flow:
        previous = arranged[-1] if arranged else None
        if block.role not in SIDE_BY_SIDE_ROLES:
            arranged.append(block)
        elif isinstance(previous, SideBySide) and previous.role is block.role:
            arranged[-1] = SideBySide((*previous.blocks, block))
        elif isinstance(previous, Block) and previous.role is block.role:
            arranged[-1] = SideBySide((previous, block))
        else:
            arranged.append(block)
    return arranged


@dataclass(frozen=True, slots=True)
class Letter:
    """One language version of one letter, with the metadata the files record."""

    lang: str
    blocks: tuple[Block, ...]
    title: str
    subject: str
    author: str

    @property
    def running_head(self) -> Block | None:
        """The header of the letter's continuation pages, if its layout gives one."""
        return next((block for block in self.blocks if block.role is Role.RUNNING_HEAD), None)

    @property
    def flow(self) -> tuple[Block, ...]:
        """The blocks that run down the pages: everything but the running head."""
        return tuple(block for block in self.blocks if block.role is not Role.RUNNING_HEAD)


@dataclass(frozen=True, slots=True)
class Document:
    """One output file: a letter, or a bundle of its language versions, each on a new page.

    Title, subject, author and language are those of the first letter; ``created`` is the
    campaign's date, so rebuilding a letter does not change its files.
    """

    letters: tuple[Letter, ...]
    created: datetime.date

    @property
    def lang(self) -> str:
        return self.letters[0].lang

    @property
    def title(self) -> str:
        return self.letters[0].title

    @property
    def subject(self) -> str:
        return self.letters[0].subject

    @property
    def author(self) -> str:
        return self.letters[0].author

    @property
    def plain_text(self) -> str:
        """The text a reader sees, one block per paragraph, list items with their numbers or
        bullets as the documents print them; used by previews, diffs and tests."""
        return plain_text_of(block for letter in self.letters for block in letter.flow)


def plain_text_of(blocks: Iterable[Block]) -> str:
    """Blocks as a reader sees them in plain text, a blank line between paragraphs."""
    return "\n\n".join(_as_read(block) for block in blocks)


def _as_read(block: Block) -> str:
    """A block's text; a list item's after its marker (or under the item's first line, for
    its second paragraph), indented by the depth of its list."""
    if block.role is not Role.LIST_ITEM:
        return block.plain_text
    marker = f"{block.list_marker} " if block.list_marker else "   "
    return "   " * block.depth + marker + block.plain_text
