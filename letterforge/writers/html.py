"""Document model → HTML with CSS from the theme; the PDF writer feeds this to WeasyPrint."""

from __future__ import annotations

import base64
import functools
import itertools
import re
from html import escape

from letterforge.document import (
    NO_BREAK_HYPHEN,
    Block,
    Document,
    Image,
    Inline,
    LineBreak,
    Role,
    SideBySide,
    Text,
    arrange,
)
from letterforge.theme import SIGNATURE_GUTTER, RoleStyle, Theme
from letterforge.workspace.assets import ImageFile


def letter_pages_html(
    document: Document, theme: Theme, *, with_theme_css: bool = True
) -> list[str]:
    """One complete HTML page per letter of ``document``, self-contained unless
    ``with_theme_css`` is false (the PDF writer then passes the theme's stylesheet, parsed once
    for every letter).

    Each letter is its own page so that the PDF writer can render them apart and page numbers
    start again at 1 for every letter of a bundle; every page carries the document's title,
    author and dates, for the PDF's metadata.
    """
    created = document.created.isoformat()
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(document.title)}</title>",
        f'<meta name="author" content="{escape(document.author)}">',
        f'<meta name="description" content="{escape(document.subject)}">',
        '<meta name="generator" content="letterforge">',
        f'<meta name="dcterms.created" content="{created}">',
        f'<meta name="dcterms.modified" content="{created}">',
    ]
    pages = []
    for index, letter in enumerate(document.letters):
        ids = BlockIds(index)
        blocks = "\n".join(
            _block_html(item, theme, ids)
            if isinstance(item, Block)
            else _side_by_side_html(item, theme, ids)
            for item in arrange(letter.flow)
        )
        style = running_head_css(letter.running_head, theme)
        if with_theme_css:
            style = theme_css(theme) + "\n" + style
        pages.append(
            f'<!DOCTYPE html>\n<html lang="{escape(letter.lang)}">\n<head>\n'
            + "\n".join([*head, f"<style>{style}</style>"])
            + f"\n</head>\n<body>\n{running_head_html(letter.running_head, theme)}"
            f'<article class="letter">\n{blocks}\n</article>\n'
            "</body>\n</html>\n"
        )
    return pages


def running_head_html(block: Block | None, theme: Theme) -> str:
    """The header of pages after the first, as a running element that the top margin box of
    those pages shows: unlike a string in a margin box, it keeps its formatting (the raised
    ending of a French 1er), and its page number is the page counter."""
    if block is None:
        return ""
    before, after = block.around_page_number()
    inner = "".join(_inline_html(run, block.role, theme, theme.text_width) for run in before)
    if after is not None:
        inner += '<span class="page-number"></span>'
        inner += "".join(_inline_html(run, block.role, theme, theme.text_width) for run in after)
    breakable = " breakable" if _has_long_word(block.plain_text) else ""
    return f'<p class="running-head{breakable}">{inner}</p>\n'


def running_head_css(block: Block | None, theme: Theme) -> str:
    """The top margin box of pages after the first, which shows the running head."""
    if block is None:
        return ""
    declarations = [
        "content: element(running-head)",
        "vertical-align: bottom",
        "padding-bottom: 12pt",
    ]
    if _has_long_word(block.plain_text):
        # A margin box takes its width from its content: given the page's width, it breaks a
        # word longer than a line inside it.
        declarations.append("width: 100%")
    return (
        f"@page {{ @top-left {{ {'; '.join(declarations)}; }} }}\n"
        "@page :first { @top-left { content: none; } }"
    )


class BlockIds:
    """The ids of one letter's block elements, in the order they are written: ``l0-1``,
    ``l0-2`` ... for the first letter of a document.

    Nothing links to them: WeasyPrint reports on which pages each id has a box, which is how the
    PDF writer knows that a paragraph or list goes on from one page to the next (see
    :mod:`letterforge.writers.pdf_tags`). So every p, h1-h6, div, ul and li in a letter's flow
    takes one, and nothing else does (no table, no element moved to the page's margins): one
    too few or too many on a page leaves the parts of that page's blocks apart.
    """

    def __init__(self, letter: int) -> None:
        self.prefix = f"l{letter}-"
        self.numbers = itertools.count(1)

    def __call__(self) -> str:
        return f'id="{self.prefix}{next(self.numbers)}"'


# Roles whose lines after the first are the items of a list: the label (cc:, Enclosures:) and
# then one person or enclosure per line.
LIST_ROLES = frozenset({Role.CC, Role.ENCLOSURES})


def _block_html(
    block: Block, theme: Theme, ids: BlockIds, *, width: float | None = None, style: str = ""
) -> str:
    """One paragraph; ``width`` is the room its images have (default: the text width)."""
    room = theme.text_width if width is None else width
    lines = _lines(block)
    # Only a line break writes <br>: text is escaped.
    inner = "".join(_inline_html(inline, block.role, theme, room) for inline in lines)
    attributes = f' style="{style}"' if style else ""
    breakable = " breakable" if _has_long_word(block.plain_text) else ""
    if block.role is Role.LIST_ITEM:
        marker = f'<span class="marker">{escape(block.list_marker or "")}</span>'
        indent = f' style="margin-left: {block.depth * 18}pt"' if block.depth else ""
        return f'<p {ids()} class="list-item{breakable}"{indent}>{marker}{inner}</p>'
    if block.role is Role.HEADING:
        level = min(max(block.level, 1), 6)
        return f'<h{level} {ids()} class="heading{breakable}">{inner}</h{level}>'
    if block.role is Role.SUBJECT:
        # The subject is the heading of what follows; the theme's rule keeps its look.
        return f'<h1 {ids()} class="subject{breakable}">{inner}</h1>'
    if block.role in LIST_ROLES and LineBreak() in lines:
        return _list_html(block.role, inner.split("<br>"), ids, breakable)
    return f'<p {ids()} class="{block.role.value}{breakable}"{attributes}>{inner}</p>'


def _list_html(role: Role, lines: list[str], ids: BlockIds, breakable: str) -> str:
    """A copy list or enclosures: the first line, the label, as a paragraph, and the others as
    the items of a list without bullets, set as the lines of one paragraph would be (a line
    left empty keeps its height with a line break of its own)."""
    label, *items = [line or "<br>" for line in lines]
    html = f'<div {ids()} class="{role.value}{breakable}"><p {ids()} class="label">{label}</p>'
    html += f'<ul {ids()} class="lines">'
    return html + "".join(f"<li {ids()}>{item}</li>" for item in items) + "</ul></div>"


# Words longer than this may not fit the narrowest column a paragraph is set in (a signature
# beside two others): only their paragraphs may break inside a word. WeasyPrint lays out every
# line of a paragraph that may do so with an extra attribute list, which costs a PDF about 3%.
LONG_WORD = 20


def _has_long_word(text: str) -> bool:
    return any(len(word) > LONG_WORD for word in text.split())


def _lines(block: Block) -> list[Inline]:
    """The block's inlines with a line break after each image that has more after it."""
    inlines: list[Inline] = []
    for index, inline in enumerate(block.inlines):
        inlines.append(inline)
        if isinstance(inline, Image) and index + 1 < len(block.inlines):
            inlines.append(LineBreak())
    return inlines


def _side_by_side_html(signatures: SideBySide, theme: Theme, ids: BlockIds) -> str:
    """A joint letter's signatories (or its letterhead's associations) in columns, kept on one
    page, signatories with the closing before."""
    columns = signatures.columns
    width = theme.text_width / columns
    share = f"width: {100 / columns:.3f}%"  # rounded down, so a row never overflows into two
    html = f'<div {ids()} class="side-by-side {signatures.role.value}s">'
    for row in signatures.rows:
        html += f'<div {ids()} class="side-by-side-row">'
        html += "".join(
            _block_html(block, theme, ids, width=width - SIGNATURE_GUTTER, style=share)
            for block in row
        )
        html += "</div>"
    return html + "</div>"


def _inline_html(inline: Inline, role: Role, theme: Theme, room: float) -> str:
    if isinstance(inline, LineBreak):
        return "<br>"
    if isinstance(inline, Image):
        width, height = inline.file.size_at(theme.image_height(role), room)
        return (
            f'<img src="{data_url(inline.file)}" alt="{escape(inline.alt)}" '
            f'style="width: {width}pt; height: {height}pt">'
        )
    return formatted(_NO_BREAK_WORD.sub(_no_break_word, escape(inline.text, quote=False)), inline)


def formatted(markup: str, run: Text) -> str:
    """``markup``, the HTML of ``run``'s text, in the run's bold, italic, superscript and
    link."""
    if run.bold:
        markup = f"<strong>{markup}</strong>"
    if run.italic:
        markup = f"<em>{markup}</em>"
    if run.superscript:
        markup = f"<sup>{markup}</sup>"
    if run.link:
        markup = f'<a href="{escape(run.link)}">{markup}</a>'
    return markup


_NO_BREAK_WORD = re.compile(f"\\S*{NO_BREAK_HYPHEN}\\S*")


def _no_break_word(match: re.Match[str]) -> str:
    """A word with a no-break hyphen, as a word that does not wrap, with a plain hyphen: the
    letter font has no glyph for U+2011, which would be drawn in another font."""
    return f'<span class="nobreak">{match.group().replace(NO_BREAK_HYPHEN, "-")}</span>'


_MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}


def data_url(image: ImageFile) -> str:
    """The image as a ``data:`` URL. WeasyPrint names each image in the PDF after a hash of
    its URL, so a file URL, which holds the workspace's folder, would make two clones of a
    workspace write different bytes; the data is the same wherever the workspace is.

    Every letter shows the same few images: each is encoded once. The bytes are those read
    when the image was checked (during a build, those it fingerprinted), never the file
    again."""
    return _encoded(image)


@functools.lru_cache(maxsize=64)
def _encoded(image: ImageFile) -> str:
    encoded = base64.b64encode(image.data).decode("ascii")
    return f"data:{_MEDIA_TYPES[image.kind]};base64,{encoded}"


def theme_css(theme: Theme) -> str:
    """CSS for the theme: page setup, base font and one rule per role."""
    fonts = ", ".join(f'"{font}"' if font != "serif" else font for font in theme.fonts)
    rules = [
        f"@page {{ size: {theme.page_width}pt {theme.page_height}pt; "
        f"margin: {' '.join(f'{side}pt' for side in theme.margins)}; }}",
        f"html {{ font-family: {fonts}; font-size: {theme.size}pt; "
        f"line-height: {theme.line_height}; color: #{theme.color}; }}",
        "body { margin: 0; }",
        # A word longer than a line (a 124-letter name, a long link) breaks where it must
        # rather than running off the page; words that fit are never broken.
        ".breakable { overflow-wrap: break-word; }",
        ".nobreak { white-space: nowrap; }",
        "p, h1, h2, h3, h4, h5, h6 { margin: 0; font-size: 1em; font-weight: normal; }",
        "a { color: inherit; }",
        # A raised ordinal ending (1er) must not push its line away from the others.
        "sup { font-size: 0.7em; vertical-align: super; line-height: 0; }",
        # Images sit on a line of their own, on the baseline of nothing.
        "img { vertical-align: bottom; }",
        # Signatories, or a joint letterhead's associations, side by side: each a column of
        # the row, the rows never split apart.
        ".side-by-side { break-inside: avoid; }",
        ".side-by-side-row { break-inside: avoid; }",
        ".side-by-side-row:not(:last-child) { break-after: avoid; }",
        f".side-by-side-row > p {{ display: inline-block; vertical-align: top; "
        f"box-sizing: border-box; padding-right: {SIGNATURE_GUTTER}pt; }}",
        ".list-item .marker { display: inline-block; width: 18pt; margin-left: -18pt; }",
        # The subject is an h1 for screen readers, set as a paragraph: no bookmark, no keeping
        # with the next block or hyphenation rule but the theme's.
        ".subject { bookmark-level: none; break-after: auto; break-inside: auto; "
        "hyphens: inherit; }",
        # A copy list or enclosures: a label and a list, set as one paragraph's lines, which
        # break across pages as those would, keeping two lines on each side (orphans, widows).
        ".label { font-weight: inherit; }",
        "ul.lines { margin: 0; padding: 0; list-style: none; }",
        "ul.lines > li:nth-last-child(2) { break-after: avoid; }",
        # The running head stands in the top margin of pages after the first; a browser,
        # which has no pages, does not show it.
        "p.running-head { position: running(running-head); }",
        ".page-number::before { content: counter(page); }",
        "@media screen { p.running-head { display: none; } }",
    ]
    for role, style in theme.roles.items():
        rules.append(f".{role.value} {{ {_role_css(style)} }}")
    rules += [
        f".list-item + .{role.value} {{ margin-top: {theme.space_after_list(role)}pt; }}"
        for role in theme.roles
        if role is not Role.LIST_ITEM
    ]
    return "\n".join(rules)


def _role_css(style: RoleStyle) -> str:
    declarations = [
        f"margin-top: {style.space_before}pt",
        f"margin-bottom: {style.space_after}pt",
        f"text-align: {style.align}",
    ]
    if style.size:
        declarations.append(f"font-size: {style.size}pt")
    if style.bold:
        declarations.append("font-weight: bold")
    if style.italic:
        declarations.append("font-style: italic")
    if style.color:
        declarations.append(f"color: #{style.color}")
    if style.indent:
        declarations.append(f"padding-left: {style.indent}pt")
    if style.keep_with_next:
        declarations.append("break-after: avoid")
    if style.keep_together:
        declarations.append("break-inside: avoid")
    return "; ".join(declarations) + ";"
