"""Document model → DOCX through python-docx, with one named paragraph style per role.

Every role becomes a style such as ``Letter Salutation``, so a Word user restyles all
salutations at once. Each language version of a bundle starts a new section on a new page.
This module imports python-docx, so only code that writes DOCX imports it.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from docx import Document as new_word_document
from docx.document import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.styles import styleId_from_name
from docx.section import Section
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from letterforge.document import (
    NO_BREAK_HYPHEN,
    Block,
    Document,
    Image,
    LineBreak,
    Role,
    SideBySide,
    Text,
    arrange,
)
from letterforge.theme import SIGNATURE_GUTTER, Theme
from letterforge.workspace.assets import ImageFile

_ALIGNMENT = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
LIST_INDENT = 18.0
SVG_BLIP_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NAMESPACE = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
_STYLE_IDS = {role: styleId_from_name(role.style_name) for role in Role}  # type: ignore[no-untyped-call]


class DocxWriter:
    """Writes Word files in one theme.

    Defining the letter styles takes longer than writing a letter, so the writer defines them
    once per language in an empty document, and starts every letter from a copy of it.
    """

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._starts: dict[str, bytes] = {}

    def write(self, document: Document, path: Path) -> None:
        """Write ``document`` as a Word file at ``path``."""
        word = new_word_document(io.BytesIO(self._start(document.lang)))
        images = _Images(word, self.theme)
        for index, letter in enumerate(document.letters):
            if index:
                _start_new_section(word)
            previous: Role | None = None
            for item in arrange(letter.flow):
                if isinstance(item, SideBySide):
                    _add_side_by_side(word, item, letter.lang, images)
                    continue
                paragraph = word.add_paragraph()
                _set_style(paragraph, item.role)
                if previous is Role.LIST_ITEM and item.role is not Role.LIST_ITEM:
                    space = Pt(self.theme.space_after_list(item.role))
                    paragraph.paragraph_format.space_before = space
                _fill(paragraph, item, letter.lang, images, self.theme.text_width)
                previous = item.role
        for section, letter in zip(word.sections, document.letters, strict=True):
            _set_running_head(section, letter.running_head, letter.lang)
        _set_properties(word, document)
        _save_reproducibly(word, path, document.created)

    def _start(self, lang: str) -> bytes:
        """An empty document with the theme's page and styles, in ``lang``."""
        if lang not in self._starts:
            word = new_word_document()
            _trim_template(word)
            _define_styles(word, self.theme, lang)
            _set_page(word.sections[0], self.theme)
            buffer = io.BytesIO()
            word.save(buffer)
            self._starts[lang] = buffer.getvalue()
        return self._starts[lang]


# python-docx's template brings 100 table styles and a copy of all styles for Word 2010
# (stylesWithEffects.xml): 800 kB of XML in every letter, parsed and compressed each time.
# Letters use none of them; Word offers its built-in styles whether the file lists them or not.
_KEPT_TABLE_STYLES = frozenset({"TableNormal", "TableGrid"})
_DROPPED_RELATIONSHIPS = frozenset(
    {
        "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
        RELATIONSHIP_TYPE.THUMBNAIL,  # a picture of python-docx's empty template page
    }
)


def _trim_template(word: WordDocument) -> None:
    """Remove from a new document what letters never use (see ``_KEPT_TABLE_STYLES``)."""
    styles = word.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in (
            _KEPT_TABLE_STYLES
        ):
            styles.remove(style)
    for relationships in (word.part.rels, word.part.package.rels):
        for relation_id, relation in list(relationships.items()):
            if relation.reltype in _DROPPED_RELATIONSHIPS:
                del relationships[relation_id]


def write_docx(document: Document, path: Path, theme: Theme) -> None:
    """Write ``document`` as a Word file at ``path`` (a one-letter :class:`DocxWriter`)."""
    DocxWriter(theme).write(document, path)


def _set_style(paragraph: Paragraph, role: Role) -> None:
    """Give ``paragraph`` the style of ``role`` by its id. python-docx's ``style = name``
    searches the document's 160 styles by name, which took most of the time of a letter."""
    paragraph._p.get_or_add_pPr().style = _STYLE_IDS[role]


def _save_reproducibly(word: WordDocument, path: Path, created: datetime.date) -> None:
    """Save with every zip entry dated the campaign's date, so the same inputs give the same
    bytes: python-docx stamps each entry with the clock (the XML inside is already stable), so
    the zip it saves is written again, entry by entry in its order, with that date."""
    saved = io.BytesIO()
    word.save(saved)
    stamp = (max(created.year, 1980), created.month, created.day, 0, 0, 0)  # zip starts in 1980
    with (
        zipfile.ZipFile(saved) as clocked,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for entry in clocked.infolist():
            dated = zipfile.ZipInfo(entry.filename, date_time=stamp)
            dated.compress_type = zipfile.ZIP_DEFLATED
            dated.external_attr = 0o644 << 16
            archive.writestr(dated, clocked.read(entry))


def _set_running_head(section: Section, block: Block | None, lang: str) -> None:
    """Pages after a letter's first carry its running head, with a real PAGE field, and page
    numbers start at 1 in every letter's section (each letter of a bundle is one)."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    section.header.is_linked_to_previous = False
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    properties = section._sectPr
    # w:pgNumType comes after w:pgMar and before w:cols in a section's properties.
    anchor = properties.find(qn("w:cols"))
    if anchor is not None:
        anchor.addprevious(numbering)
    else:
        properties.append(numbering)
    if block is None:
        return
    paragraph = section.header.paragraphs[0]
    _set_style(paragraph, Role.RUNNING_HEAD)
    before, after = block.around_page_number()
    for run in before:
        _add_run(paragraph, run, lang)
    if after is None:
        return
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    shown = paragraph.add_run("2")  # what Word shows until it updates the field
    _set_language(shown._r.get_or_add_rPr(), lang)
    field.append(shown._r)
    paragraph._p.append(field)
    for run in after:
        _add_run(paragraph, run, lang)


def _start_new_section(word: WordDocument) -> None:
    """End the section in the last paragraph written, and start the next on a new page.

    python-docx's ``add_section`` puts the break in an extra empty paragraph, which can spill
    onto a blank page when the letter before fills its last page.
    """
    body = word.element.body
    body.xpath("./w:p")[-1].set_sectPr(body.get_or_add_sectPr().clone())
    word.sections[-1].start_type = WD_SECTION.NEW_PAGE


def _set_page(section: Section, theme: Theme) -> None:
    section.page_width = Pt(theme.page_width)
    section.page_height = Pt(theme.page_height)
    top, right, bottom, left = theme.margins
    section.top_margin, section.right_margin = Pt(top), Pt(right)
    section.bottom_margin, section.left_margin = Pt(bottom), Pt(left)


def _define_styles(word: WordDocument, theme: Theme, lang: str) -> None:
    normal = word.styles["Normal"]
    normal.font.name = theme.word_font
    normal.font.size = Pt(theme.size)
    normal.font.color.rgb = RGBColor.from_string(theme.color)
    _set_language(normal.element.get_or_add_rPr(), lang)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    # Exact line heights, as CSS gives them (line-height times the font size): Word's
    # "multiple" spacing scales the font's own line metrics instead, and would set the DOCX
    # looser than the PDF, breaking pages elsewhere.
    normal.paragraph_format.line_spacing = Pt(theme.size * theme.line_height)
    for role in Role:
        style = word.styles.add_style(role.style_name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        _apply_role_style(style, role, theme)


def _apply_role_style(style: object, role: Role, theme: Theme) -> None:
    look = theme.style(role)
    font = style.font  # type: ignore[attr-defined]
    paragraph = style.paragraph_format  # type: ignore[attr-defined]
    if look.size:
        font.size = Pt(look.size)
        paragraph.line_spacing = Pt(theme.line_pitch(role))
    font.bold = look.bold or None
    font.italic = look.italic or None
    if look.color:
        font.color.rgb = RGBColor.from_string(look.color)
    paragraph.space_before = Pt(look.space_before)
    paragraph.space_after = Pt(look.space_after)
    paragraph.alignment = _ALIGNMENT[look.align]
    if look.indent:
        paragraph.left_indent = Pt(look.indent)
    paragraph.keep_with_next = look.keep_with_next or None
    paragraph.keep_together = look.keep_together or None


def _fill(paragraph: Paragraph, block: Block, lang: str, images: _Images, room: float) -> None:
    """Write ``block`` into ``paragraph``; its images are at most ``room`` points wide."""
    if block.role is Role.LIST_ITEM:
        indent = LIST_INDENT * (block.depth + 1)
        paragraph.paragraph_format.left_indent = Pt(indent)
        paragraph.paragraph_format.first_line_indent = Pt(-LIST_INDENT)
        paragraph.paragraph_format.tab_stops.add_tab_stop(Pt(indent))
        _add_run(paragraph, Text(f"{block.list_marker}\t"), lang)
    for index, inline in enumerate(block.inlines):
        if isinstance(inline, LineBreak):
            paragraph.add_run().add_break(WD_BREAK.LINE)
        elif isinstance(inline, Image):
            images.add(paragraph, inline, block.role, room)
            # Exact line heights would crop the picture to one line of text; "at least" the
            # same height keeps the text lines as they are and lets the picture's line grow.
            paragraph.paragraph_format.line_spacing = Pt(images.theme.line_pitch(block.role))
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
            if index + 1 < len(block.inlines):  # an image ends its line
                paragraph.runs[-1].add_break(WD_BREAK.LINE)
        elif inline.link:
            _add_link(paragraph, inline, lang)
        else:
            _add_run(paragraph, inline, lang)


def _add_side_by_side(
    word: WordDocument, signatures: SideBySide, lang: str, images: _Images
) -> None:
    """Signatories (or a joint letterhead's associations) side by side in a borderless table
    whose rows never split across pages; the closing before keeps with its first row, and
    each row with the next."""
    columns = signatures.columns
    rows = signatures.rows
    table = word.add_table(rows=len(rows), cols=columns)
    table.autofit = False
    width = images.theme.text_width / columns
    properties = table._tbl.tblPr
    # No padding on the left, so the first signatory lines up with the text above.
    margins = OxmlElement("w:tblCellMar")
    for side, points in (("left", 0.0), ("right", SIGNATURE_GUTTER)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(points * 20)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)
    for row_index, (row, blocks) in enumerate(zip(table.rows, rows, strict=True)):
        row_properties = row._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:cantSplit"))
        for cell_index, cell in enumerate(row.cells):
            cell.width = Pt(width)
            paragraph = cell.paragraphs[0]
            _set_style(paragraph, signatures.role)
            if cell_index < len(blocks):  # a last row may have fewer signatories
                _fill(paragraph, blocks[cell_index], lang, images, width - SIGNATURE_GUTTER)
                if row_index + 1 < len(rows):
                    paragraph.paragraph_format.keep_with_next = True


class _Images:
    """Puts images into the document, each file stored once however often it appears."""

    def __init__(self, word: WordDocument, theme: Theme) -> None:
        self.word = word
        self.theme = theme
        self.svg_parts: dict[ImageFile, str] = {}

    def add(self, paragraph: Paragraph, image: Image, role: Role, room: float) -> None:
        width, height = image.file.size_at(self.theme.image_height(role), room)
        run = paragraph.add_run()
        if image.file.kind == "svg":
            # Word shows the SVG itself; older readers, and LibreOffice, a PNG drawn from it.
            from letterforge.writers.pdf import svg_to_png

            png = svg_to_png(image.file, width, height, self.theme.asset_root)
            shape = run.add_picture(io.BytesIO(png), width=Pt(width), height=Pt(height))
            blip = shape._inline.graphic.graphicData.pic.blipFill.blip
            blip.append(_svg_extension(self._svg_relation(image)))
        else:
            picture = io.BytesIO(image.file.data)  # the bytes checked (and fingerprinted)
            shape = run.add_picture(picture, width=Pt(width), height=Pt(height))
        shape._inline.docPr.set("descr", image.alt)

    def _svg_relation(self, image: Image) -> str:
        file = image.file
        if file not in self.svg_parts:
            package = self.word.part.package
            part = Part(
                package.next_partname("/word/media/image%d.svg"),
                "image/svg+xml",
                file.data,
                package,
            )
            self.svg_parts[file] = self.word.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE)
        return self.svg_parts[file]


def _svg_extension(relation: str) -> etree._Element:
    """The blip extension by which Word 2016 and later show an SVG over its PNG fallback."""
    extensions = OxmlElement("a:extLst")
    extension = OxmlElement("a:ext")
    extension.set("uri", SVG_BLIP_EXTENSION)
    svg = etree.SubElement(extension, f"{{{SVG_NAMESPACE}}}svgBlip", nsmap={"asvg": SVG_NAMESPACE})
    svg.set(qn("r:embed"), relation)
    extensions.append(extension)
    return extensions


def _add_run(paragraph: Paragraph, text: Text, lang: str) -> None:
    first, *rest = text.text.split(NO_BREAK_HYPHEN)
    run = _run_of(paragraph, first)
    for piece in rest:  # Word's own no-break hyphen, which its readers copy as a hyphen
        run._r.append(OxmlElement("w:noBreakHyphen"))
        if piece:
            run._r.add_t(piece)
    if text.bold:
        run.bold = True
    if text.italic:
        run.italic = True
    if text.superscript:
        run.font.superscript = True
    _set_language(run._r.get_or_add_rPr(), lang)


# What python-docx's text setter writes as elements of their own rather than text.
RUN_BREAKS = frozenset("\t\r\n")


def _run_of(paragraph: Paragraph, text: str) -> Run:
    """A new run of ``text`` in ``paragraph``: the same XML as ``add_run(text)``, whose setter
    looks at each character for a tab or a line break; one ``w:t`` for text with neither
    (nearly all of it) made a DOCX about a tenth quicker."""
    if RUN_BREAKS.intersection(text):
        return paragraph.add_run(text)
    run = paragraph.add_run()
    if text:
        run._r.add_t(text)
    return run


def _add_link(paragraph: Paragraph, text: Text, lang: str) -> None:
    """python-docx has no hyperlink API; build ``w:hyperlink`` around a run."""
    assert text.link is not None
    relation = paragraph.part.relate_to(text.link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = _run_of(paragraph, text.text)
    run.bold = text.bold or None
    run.italic = text.italic or None
    run.font.superscript = text.superscript or None
    run.underline = True
    _set_language(run._r.get_or_add_rPr(), lang)
    link.append(run._r)
    paragraph._p.append(link)


def _set_language(run_properties: object, lang: str) -> None:
    element = run_properties.find(qn("w:lang"))  # type: ignore[attr-defined]
    if element is None:
        element = OxmlElement("w:lang")
        run_properties.append(element)  # type: ignore[attr-defined]
    element.set(qn("w:val"), lang)


def _fit(text: str) -> str:
    """Word's core properties hold at most 255 characters (python-docx enforces it)."""
    return text if len(text) <= 255 else text[:254] + "…"


def _set_properties(word: WordDocument, document: Document) -> None:
    properties = word.core_properties
    moment = datetime.datetime.combine(document.created, datetime.time(), datetime.UTC)
    properties.title = _fit(document.title)
    properties.author = _fit(document.author)
    properties.subject = _fit(document.subject)
    properties.language = document.lang
    properties.created = moment
    properties.modified = moment
    properties.last_modified_by = _fit(document.author)
    properties.revision = 1
    properties.comments = ""
    properties.keywords = ""
