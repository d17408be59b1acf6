"""Rendered letter Markdown → the document model.

CommonMark through markdown-it-py, with raw HTML off (it is shown as text, never interpreted).
The layout marks the parts of a letter with fenced containers named after a role::

    ::: date
    April 21, 2020
    :::

Everything outside a container is body text: paragraphs, headings, lists and quotes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

from letterforge.document import LINE_ROLES, Block, Image, Inline, LineBreak, Role, Text
from letterforge.workspace.assets import AssetProblem, ImageFile

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

CONTAINER_ROLES = tuple(role for role in Role if role not in {Role.HEADING, Role.LIST_ITEM})
_SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")
_TEXT_TOKENS = frozenset({"text", "code_inline", "html_inline"})


class MarkdownProblem(ValueError):
    """Markdown that a letter cannot hold; ``line`` counts from 1 in the rendered text."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.container import container_plugin

    parser = MarkdownIt("commonmark", {"html": False, "typographer": False})
    for role in CONTAINER_ROLES:
        parser.use(container_plugin, name=role.value)
    return parser


# Where a letter may show an image: a logo, and signatures above the names.
IMAGE_ROLES = frozenset({Role.LETTERHEAD, Role.SIGNATURE})
ImageReader = Callable[[str], ImageFile]


def parse_letter(text: str, images: ImageReader | None = None) -> tuple[Block, ...]:
    """Parse one rendered letter into blocks; ``images`` checks and reads the images it
    names (none are allowed without it)."""
    return _BlockBuilder(images).build(_parser().parse(text))


class _BlockBuilder:
    def __init__(self, images: ImageReader | None) -> None:
        self.images = images
        self.blocks: list[Block] = []
        self.roles: list[Role] = []
        self.lists: list[list[int | None]] = []  # per open list: [next number] or [None]
        self.quote_depth = 0
        self.pending_marker: str | None = None
        self.heading_level = 0

    def build(self, tokens: Sequence[Token]) -> tuple[Block, ...]:
        for token in tokens:
            self._token(token)
        return tuple(self.blocks)

    def _role(self) -> Role:
        if self.heading_level:
            return Role.HEADING
        if self.pending_marker is not None:
            return Role.LIST_ITEM
        if self.quote_depth:
            return Role.QUOTE
        return self.roles[-1] if self.roles else Role.BODY

    def _token(self, token: Token) -> None:
        kind = token.type
        if kind.startswith("container_"):
            if kind.endswith("_open"):
                self.roles.append(Role(kind.removeprefix("container_").removesuffix("_open")))
            else:
                self.roles.pop()
        elif kind == "heading_open":
            self.heading_level = int(token.tag[1])
        elif kind == "heading_close":
            self.heading_level = 0
        elif kind == "bullet_list_open":
            self.lists.append([None])
        elif kind == "ordered_list_open":
            self.lists.append([int(token.attrGet("start") or 1)])
        elif kind in {"bullet_list_close", "ordered_list_close"}:
            self.lists.pop()
        elif kind == "list_item_open":
            counter = self.lists[-1]
            if counter[0] is None:
                self.pending_marker = "•"
            else:
                self.pending_marker = f"{counter[0]}."
                counter[0] += 1
        elif kind == "blockquote_open":
            self.quote_depth += 1
        elif kind == "blockquote_close":
            self.quote_depth -= 1
        elif kind == "inline":
            self._add_block(self._inlines(token.children or [], token))
        elif kind in {"fence", "code_block"}:
            lines = token.content.rstrip("\n").split("\n")
            inlines: list[Inline] = []
            for number, line in enumerate(lines):
                if number:
                    inlines.append(LineBreak())
                inlines.append(Text(line))
            self._add_block(inlines)
        elif kind == "hr":
            raise MarkdownProblem(
                "a horizontal rule (---, ***, ___) has no place in a letter: remove it",
                _line(token),
            )

    def _add_block(self, inlines: list[Inline]) -> None:
        role = self._role()
        marker, depth = None, 0
        if role is Role.LIST_ITEM:
            marker, depth = self.pending_marker, len(self.lists) - 1
            self.pending_marker = None  # a second paragraph in the same item has no marker
        if not inlines and role is not Role.LIST_ITEM:
            return
        self.blocks.append(
            Block(role, tuple(inlines), list_marker=marker, depth=depth, level=self.heading_level)
        )

    def _inlines(self, children: Sequence[Token], parent: Token) -> list[Inline]:
        keep_lines = self._role() in LINE_ROLES
        bold = italic = 0
        links: list[str | None] = []
        result: list[Inline] = []
        for child in children:
            kind = child.type
            if kind in _TEXT_TOKENS:
                result.append(
                    Text(child.content, bold=bold > 0, italic=italic > 0, link=_last(links))
                )
            elif kind == "softbreak":
                result.append(LineBreak() if keep_lines else Text(" "))
            elif kind == "hardbreak":
                result.append(LineBreak())
            elif kind == "strong_open":
                bold += 1
            elif kind == "strong_close":
                bold -= 1
            elif kind == "em_open":
                italic += 1
            elif kind == "em_close":
                italic -= 1
            elif kind == "link_open":
                href = str(child.attrGet("href") or "")
                links.append(href if href.lower().startswith(_SAFE_LINK_SCHEMES) else None)
            elif kind == "link_close":
                links.pop()
            elif kind == "image":
                result.append(self._image(child, parent))
        return _merge(result)

    def _image(self, token: Token, parent: Token) -> Image:
        if self._role() not in IMAGE_ROLES or self.images is None:
            raise MarkdownProblem(
                "an image can stand only in the letterhead (a logo) or in a signature",
                _line(parent),
            )
        source = unquote(str(token.attrGet("src") or ""))
        try:
            file = self.images(source)
        except AssetProblem as problem:
            raise MarkdownProblem(str(problem), _line(parent)) from None
        alt = "".join(child.content for child in token.children or [] if child.type in _TEXT_TOKENS)
        return Image(file, alt=alt)


def _last(links: list[str | None]) -> str | None:
    return links[-1] if links else None


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _merge(inlines: list[Inline]) -> list[Inline]:
    """Join neighbouring runs with the same formatting, so writers emit fewer runs."""
    merged: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, Text) and not inline.text:
            continue  # markdown-it emits empty text tokens around emphasis
        previous = merged[-1] if merged else None
        if isinstance(previous, Image) and (
            isinstance(inline, LineBreak) or (isinstance(inline, Text) and not inline.text.strip())
        ):
            continue  # an image ends its line: the writers break after it
        if (
            isinstance(inline, Text)
            and isinstance(previous, Text)
            and (previous.bold, previous.italic, previous.link)
            == (inline.bold, inline.italic, inline.link)
        ):
            merged[-1] = Text(
                previous.text + inline.text, previous.bold, previous.italic, previous.link
            )
        else:
            merged.append(inline)
    # Line roles end with a trailing break when the layout leaves a blank item out.
    while merged and isinstance(merged[-1], LineBreak):
        merged.pop()
    return merged
