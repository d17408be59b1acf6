"""Document model → HTML with CSS from the theme; the PDF writer feeds this to WeasyPrint."""

from __future__ import annotations

from html import escape

from letterforge.document import Block, Document, LineBreak, Role, Text
from letterforge.theme import RoleStyle, Theme


def document_html(document: Document, theme: Theme) -> str:
    """A complete, self-contained HTML page for ``document``."""
    created = document.created.isoformat()
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(document.title)}</title>",
        f'<meta name="author" content="{escape(document.author)}">',
        f'<meta name="description" content="{escape(document.subject)}">',
        '<meta name="generator" content="letterforge">',
        f'<meta name="dcterms.created" content="{created}">',
        f'<meta name="dcterms.modified" content="{created}">',
        f"<style>{theme_css(theme)}</style>",
    ]
    sections = []
    for letter in document.letters:
        blocks = "\n".join(_block_html(block) for block in letter.blocks)
        sections.append(
            f'<section class="letter" lang="{escape(letter.lang)}">\n{blocks}\n</section>'
        )
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(document.lang)}">\n<head>\n'
        + "\n".join(head)
        + "\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def _block_html(block: Block) -> str:
    inner = "".join(_inline_html(inline) for inline in block.inlines)
    if block.role is Role.LIST_ITEM:
        marker = f'<span class="marker">{escape(block.list_marker or "")}</span>'
        style = f' style="margin-left: {block.depth * 18}pt"' if block.depth else ""
        return f'<p class="list-item"{style}>{marker}{inner}</p>'
    if block.role is Role.HEADING:
        level = min(max(block.level, 1), 6)
        return f'<h{level} class="heading">{inner}</h{level}>'
    return f'<p class="{block.role.value}">{inner}</p>'


def _inline_html(inline: Text | LineBreak) -> str:
    if isinstance(inline, LineBreak):
        return "<br>"
    text = escape(inline.text, quote=False)
    if inline.bold:
        text = f"<strong>{text}</strong>"
    if inline.italic:
        text = f"<em>{text}</em>"
    if inline.superscript:
        text = f"<sup>{text}</sup>"
    if inline.link:
        text = f'<a href="{escape(inline.link)}">{text}</a>'
    return text


def theme_css(theme: Theme) -> str:
    """CSS for the theme: page setup, base font and one rule per role."""
    fonts = ", ".join(f'"{font}"' if font != "serif" else font for font in theme.fonts)
    rules = [
        f"@page {{ size: {theme.page_width}pt {theme.page_height}pt; margin: {theme.margin}pt; }}",
        f"html {{ font-family: {fonts}; font-size: {theme.size}pt; "
        f"line-height: {theme.line_height}; color: #{theme.color}; }}",
        "body { margin: 0; }",
        "p, h1, h2, h3, h4, h5, h6 { margin: 0; font-size: 1em; font-weight: normal; }",
        "section.letter + section.letter { break-before: page; }",
        "a { color: inherit; }",
        # A raised ordinal ending (1er) must not push its line away from the others.
        "sup { font-size: 0.7em; vertical-align: super; line-height: 0; }",
        ".list-item .marker { display: inline-block; width: 18pt; margin-left: -18pt; }",
    ]
    for role, style in theme.roles.items():
        selector = "h1, h2, h3, h4, h5, h6" if role is Role.HEADING else f"p.{role.value}"
        rules.append(f"{selector} {{ {_role_css(style)} }}")
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
