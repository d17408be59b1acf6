"""A memo of WeasyPrint's line breaking and line drawing, shared by the letters a process writes.

The letters of a campaign repeat the same paragraphs at the same width, and WeasyPrint starts
every document from nothing: it shapes each line about three times with Pango to find where it
breaks, then shapes it once more to draw it and turns its glyphs into PDF operators in a Python
loop. That is half the time of a PDF. This memo keeps both results, for the letters a process
writes with one font configuration:

- **line breaking**: ``split_first_line`` is a function of its text, its width, and the style
  properties in :data:`LINE_PROPERTIES`; its result (a Pango layout, already let go of, and
  five numbers) is kept and a copy given out again;
- **line drawing**: a line drawn once is kept as the calls it made on the page's content stream
  and the glyph widths and Unicode mappings it gave its fonts; for the same line in another
  document, the calls are made again and the fonts given the same, which writes the same bytes.
  A line whose fonts already hold another width for one of its glyphs (a font used at two sizes,
  rounding apart) is drawn by WeasyPrint instead; so are lines with emoji fonts, glyphs missing
  from every font, ellipses, and anything else the memo does not model.

Both are WeasyPrint's internal functions, so the memo is switched on only for the WeasyPrint
versions it was verified on (:data:`VERIFIED_WEASYPRINT`, checked by ``tests/test_pdf_memo.py``,
which compares PDFs byte for byte with and without it); anywhere else, and with
``LETTERFORGE_PDF_MEMO=off``, WeasyPrint runs as it is. ``letterforge doctor`` says which.
"""

from __future__ import annotations

import logging
import operator
import os
import sys
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

# The WeasyPrint versions whose ``split_first_line`` and ``draw_text`` the memo was checked
# against, line by line; a new version needs the same reading and the byte-for-byte tests.
VERIFIED_WEASYPRINT = frozenset({"70.0"})
SWITCH = "LETTERFORGE_PDF_MEMO"
OFF_VALUES = frozenset({"0", "off", "no", "false"})

# Every style property ``split_first_line`` and the Pango layout it makes read (the font
# description, OpenType features, language, spacing, wrapping and hyphenation). The layout's
# font configuration is the memo's own. ``tests/test_pdf_memo.py`` checks that no other
# property is read.
LINE_PROPERTIES = (
    "font_family",
    "font_style",
    "font_stretch",
    "font_weight",
    "font_size",
    "font_variant_caps",
    "font_variation_settings",
    "font_kerning",
    "font_variant_ligatures",
    "font_variant_position",
    "font_variant_numeric",
    "font_variant_alternates",
    "font_variant_east_asian",
    "font_feature_settings",
    "font_language_override",
    "lang",
    "direction",
    "text_decoration_line",
    "white_space",
    "word_spacing",
    "letter_spacing",
    "overflow_wrap",
    "word_break",
    "hyphens",
    "hyphenate_character",
    "hyphenate_limit_chars",
    "hyphenate_limit_zone",
    "tab_size",
)

# Lines kept per memo and kind, young and old generation each. A letter adds about ten lines
# that no other letter has (names, titles, the paragraphs around them), some 30 KB; the lines
# letters share are a few hundred per template and language, and each use keeps one young.
# Past this many, the lines unused since the last turnover are let go: a worker's memo stays
# about 20 MB larger than without it, over any number of letters.
GENERATION_SIZE = 1_000


@dataclass(frozen=True)
class MemoStatus:
    """Whether the memo is used, and why (or why not), in words for ``doctor``."""

    active: bool
    reason: str


def memo_status() -> MemoStatus:
    """Whether PDF writers in this process use the memo."""
    setting = os.environ.get(SWITCH, "").strip()
    if setting.lower() in OFF_VALUES:
        return MemoStatus(False, f"switched off by {SWITCH}={setting}")
    version = _weasyprint_version()
    if version not in VERIFIED_WEASYPRINT:
        verified = ", ".join(sorted(VERIFIED_WEASYPRINT))
        return MemoStatus(
            False, f"WeasyPrint {version} is not a version it was verified on ({verified})"
        )
    return MemoStatus(True, f"verified on WeasyPrint {version}")


def _weasyprint_version() -> str:
    module = sys.modules.get("weasyprint")  # imported: its own word, as the writers will see it
    if module is not None:
        return str(getattr(module, "__version__", "unknown"))
    return metadata.version("weasyprint")


class _Generations:
    """A bounded memo: entries live in the young generation; when it is full it becomes the
    old one, and the old one is dropped. An entry found in the old one moves back."""

    def __init__(self, size: int = GENERATION_SIZE) -> None:
        self.size = size
        self.young: dict[Hashable, Any] = {}
        self.old: dict[Hashable, Any] = {}

    def get(self, key: Hashable) -> Any:
        value = self.young.get(key)
        if value is None and self.old:
            value = self.old.pop(key, None)
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        if len(self.young) >= self.size:
            self.old, self.young = self.young, {}
        self.young[key] = value

    def __len__(self) -> int:
        return len(self.young) + len(self.old)


class Memo:
    """The lines of one font configuration: how they break, and how they are drawn."""

    def __init__(self) -> None:
        self.breaks = _Generations()
        self.drawings = _Generations()
        self.hits = 0
        self.misses = 0
        # The fonts of the document being drawn, by PangoFont: looked up once per document.
        self._fonts: dict[Any, Any] = {}
        self._fonts_of: Any = None

    def document_fonts(self, stream: Any) -> dict[Any, Any]:
        """The fonts already found in the document ``stream`` belongs to, by PangoFont."""
        if stream._fonts is not self._fonts_of:  # the next document
            self._fonts_of, self._fonts = stream._fonts, {}
        return self._fonts


_memos: weakref.WeakKeyDictionary[Any, Memo] = weakref.WeakKeyDictionary()
_originals: dict[str, Callable[..., Any]] = {}


def _memo_of(font_config: Any) -> Memo | None:
    """The memo of ``font_config``, if it has one and what it keeps still holds."""
    memo = _memos.get(font_config)
    # A font face added by a stylesheet (letterforge's never add any) changes which fonts
    # text resolves to: from then on, nothing kept is sure.
    if memo is None or font_config._folder is not None:
        return None
    return memo


def enable(font_config: Any) -> Memo | None:
    """Use the memo for documents laid out with ``font_config``, if :func:`memo_status` says
    so; return it (or None)."""
    if not memo_status().active:
        return None
    _install()
    memo = _memos.get(font_config)
    if memo is None:
        memo = _memos[font_config] = Memo()
    return memo


def _install() -> None:
    """Put the memo's wrappers where WeasyPrint looks its functions up, once per process.
    Documents of font configurations without a memo go straight to WeasyPrint's own."""
    if _originals:
        return
    import weasyprint.draw as draw
    import weasyprint.draw.text as draw_text
    import weasyprint.layout.inline as inline
    import weasyprint.layout.preferred as preferred
    import weasyprint.text.line_break as line_break

    _originals["split_first_line"] = line_break.split_first_line
    _originals["draw_text"] = draw.draw_text
    _originals["draw_first_line"] = draw_text.draw_first_line
    for module in (line_break, inline, preferred):
        module.split_first_line = _split_first_line
    draw.draw_text = _draw_text
    draw_text.draw_first_line = _draw_first_line


_style_key = operator.itemgetter(*LINE_PROPERTIES)


def _copy_layout(layout: Any) -> Any:
    """A copy of a let-go Layout (its ``__dict__`` holds numbers and text): copy.copy's work,
    without its dispatch, which a letter pays for a hundred times."""
    copied = object.__new__(type(layout))
    copied.__dict__.update(layout.__dict__)
    return copied


# --- line breaking ----------------------------------------------------------------------------


def _split_first_line(
    text: str,
    style: Any,
    context: Any,
    max_width: float | None,
    justification_spacing: float,
    is_line_start: bool = True,
    minimum: bool = False,
) -> tuple[Any, ...]:
    original = _originals["split_first_line"]
    arguments = (text, style, context, max_width, justification_spacing, is_line_start, minimum)
    memo = _memo_of(style.font_config)
    if memo is None:
        return tuple(original(*arguments))
    key = (text, _style_key(style), max_width, justification_spacing, is_line_start, minimum)
    try:
        found = memo.breaks.get(key)
    except TypeError:  # a style value that cannot be a key (a calc() expression, say)
        return tuple(original(*arguments))
    if found is None:
        memo.misses += 1
        result = tuple(original(*arguments))
        # The layout comes back let go of (its Pango objects freed) and is only read, or
        # given a justification spacing, later on: a copy is all of it.
        memo.breaks.put(key, (_copy_layout(result[0]), *result[1:]))
        return result
    memo.hits += 1
    return (_copy_layout(found[0]), *found[1:])


# --- line drawing -----------------------------------------------------------------------------


class _Unmodelled(Exception):
    """The line does something the memo does not keep: WeasyPrint draws it."""


@dataclass(frozen=True)
class _FontUse:
    """What drawing a line gave one of the document's fonts (a font, at every size it is used
    at): glyph widths and Unicode text, in the line's order."""

    widths: dict[int, int]
    to_unicode: dict[int, str]


@dataclass(frozen=True)
class _Drawing:
    """A drawn line: the calls it made on the content stream after placing its first glyph,
    and what it gave each font.

    ``add_font`` calls name their PangoFont by its place in ``pango_fonts`` (fonts the memo
    holds a reference to, see :func:`_hold`); ``uses[font_of[i]]`` is what the line gave the
    document's font for ``pango_fonts[i]``.
    """

    calls: tuple[tuple[str, tuple[Any, ...]], ...]
    pango_fonts: tuple[Any, ...]
    font_of: tuple[int, ...]
    uses: tuple[_FontUse, ...]

    def fonts_in(self, stream: Any, memo: Memo) -> list[Any] | None:
        """The document's font for each of ``pango_fonts`` (added to it if new, as drawing the
        line would), or None if one of them holds another width for a glyph of the line."""
        known = memo.document_fonts(stream)
        fonts = []
        for pango_font, index in zip(self.pango_fonts, self.font_of, strict=True):
            font = known.get(pango_font)
            if font is None:
                font = known[pango_font] = stream.add_font(pango_font)[0]
            widths = font.widths
            for glyph, width in self.uses[index].widths.items():
                if widths.get(glyph, width) != width:
                    return None
            fonts.append(font)
        return fonts

    def replay(self, stream: Any, matrix: Any, fonts: list[Any]) -> None:
        """Make the line's calls on ``stream``, whose document's fonts are ``fonts`` (from
        :meth:`fonts_in`), and give them what the line gave its fonts."""
        stream.set_text_matrix(*matrix.values)
        given: set[int] = set()
        for name, arguments in self.calls:
            if name != "add_font":
                getattr(stream, name)(*arguments)
                continue
            place = arguments[0]
            index = self.font_of[place]
            if index not in given:  # as WeasyPrint: what a font already holds stays
                given.add(index)
                font, use = fonts[place], self.uses[index]
                for glyph, width in use.widths.items():
                    font.widths.setdefault(glyph, width)
                for glyph, text in use.to_unicode.items():
                    font.to_unicode.setdefault(glyph, text)


class _ScratchFont:
    """Stands in for a document's font while a line is recorded: the same name and kind, but
    empty widths and Unicode mappings, so that what the line gives its font is all recorded,
    whatever the document had already."""

    def __init__(self, font: Any) -> None:
        if font.png or font.svg or font.colr:  # emoji glyphs are drawn as images
            raise _Unmodelled
        self.hash = font.hash
        self.bitmap = font.bitmap
        self.png = self.svg = self.colr = False
        self.widths: dict[int, int] = {}
        self.to_unicode: dict[int, str] = {}

    def get_unused_glyph_id(self, codepoint: int) -> int:
        raise _Unmodelled  # a glyph no font has: a .notdef, whose width depends on the document


class _Recorder:
    """Stands in for a content stream while a line is drawn, and keeps the calls made on it."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.ink_rect = stream.ink_rect
        self.logical_rect = stream.logical_rect
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.places: dict[Any, int] = {}  # PangoFont → its place in pango_fonts
        self.pango_fonts: list[Any] = []
        self.font_of: list[int] = []
        self.scratch: dict[int, tuple[int, _ScratchFont]] = {}  # id(font) → its index, scratch

    def set_text_matrix(self, *values: float) -> None:
        pass  # the line's position: the one call that differs from one drawing to the next

    def add_font(self, pango_font: Any) -> tuple[_ScratchFont, float]:
        font, font_size = self.stream.add_font(pango_font)
        if pango_font not in self.places:
            if id(font) not in self.scratch:
                self.scratch[id(font)] = (len(self.scratch), _ScratchFont(font))
            self.places[pango_font] = len(self.pango_fonts)
            self.pango_fonts.append(_hold(pango_font))
            self.font_of.append(self.scratch[id(font)][0])
        self.calls.append(("add_font", (self.places[pango_font],)))
        return self.scratch[id(font)][1], font_size

    def set_font_size(self, font: str, size: float) -> None:
        self.calls.append(("set_font_size", (font, size)))

    def show_text(self, text: str) -> None:
        self.calls.append(("show_text", (text,)))

    def set_text_rise(self, rise: float) -> None:
        self.calls.append(("set_text_rise", (rise,)))

    def drawing(self) -> _Drawing:
        uses = tuple(
            _FontUse(scratch.widths, scratch.to_unicode)
            for _, scratch in sorted(self.scratch.values(), key=lambda entry: entry[0])
        )
        return _Drawing(tuple(self.calls), tuple(self.pango_fonts), tuple(self.font_of), uses)


def _hold(pango_font: Any) -> Any:
    """A reference of the memo's own to ``pango_font``: Pango's font map may otherwise free a
    font no layout uses any more, and another take its address."""
    from weasyprint.text.ffi import ffi, gobject

    try:
        take = gobject.g_object_ref
    except AttributeError:  # WeasyPrint declares g_object_unref only
        ffi.cdef("gpointer g_object_ref (gpointer object);")
        take = gobject.g_object_ref
    return ffi.gc(ffi.cast("PangoFont *", take(pango_font)), gobject.g_object_unref)


class _Replayed:
    """Stands in for a text box's Pango layout when its line is in the memo: WeasyPrint's
    ``draw_text`` then sets up no Pango layout, and :func:`_draw_first_line` replays the line.
    The decoration metrics ``draw_text`` reads are the layout's own."""

    def __init__(self, layout: Any, drawing: _Drawing, fonts: list[Any]) -> None:
        self.__dict__.update(layout.__dict__)
        self.drawing = drawing
        self.fonts = fonts

    def reactivate(self, style: Any) -> None:
        pass

    def deactivate(self) -> None:
        pass


def _notdef_warnings(record: logging.LogRecord) -> bool:
    """Whether ``record`` is other than WeasyPrint's warning about a glyph no font has."""
    return not str(record.msg).startswith(".notdef glyph")


# The line _draw_text asked _draw_first_line to record: its memo, key and text box.
_recording: list[tuple[Memo, Hashable, Any]] = []


def _draw_text(stream: Any, textbox: Any, offset_x: float, text_overflow: str, *rest: Any) -> Any:
    original = _originals["draw_text"]
    arguments = (stream, textbox, offset_x, text_overflow, *rest)
    style = textbox.style
    memo = _memo_of(style.font_config)
    if (
        memo is None
        or rest != ("none",)
        or text_overflow == "ellipsis"
        or style["visibility"] != "visible"  # WeasyPrint draws nothing, and adds no font
    ):
        return original(*arguments)
    layout = textbox.pango_layout
    key = (layout.text, textbox.text.strip() == "", _style_key(style), layout.justification_spacing)
    try:
        drawing = memo.drawings.get(key)
    except TypeError:
        return original(*arguments)
    fonts = drawing.fonts_in(stream, memo) if drawing is not None else None
    if fonts is not None:
        memo.hits += 1
        textbox.pango_layout = _Replayed(layout, drawing, fonts)
        try:
            return original(*arguments)
        finally:
            textbox.pango_layout = layout
    memo.misses += 1
    _recording.append((memo, key, textbox))
    try:
        return original(*arguments)
    finally:
        _recording.pop()


def _draw_first_line(
    stream: Any, textbox: Any, text_overflow: str, block_ellipsis: str, matrix: Any
) -> Any:
    original = _originals["draw_first_line"]
    layout = textbox.pango_layout
    if isinstance(layout, _Replayed):
        layout.drawing.replay(stream, matrix, layout.fonts)
        return []
    if (
        not _recording
        or _recording[-1][2] is not textbox  # another line drawn meanwhile (an SVG's text)
        or not textbox.text.strip()
        or textbox.style["font_size"] < 1e-6
    ):
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)
    from weasyprint.logger import LOGGER

    memo, key, _ = _recording[-1]
    recorder = _Recorder(stream)
    # The warning about a glyph no font has comes again when WeasyPrint draws the line
    # itself, which it then does: once is enough. Other warnings are given as they come.
    LOGGER.addFilter(_notdef_warnings)
    try:
        emojis = original(recorder, textbox, text_overflow, block_ellipsis, matrix)
    except _Unmodelled:
        emojis = [None]
    finally:
        LOGGER.removeFilter(_notdef_warnings)
    if emojis:  # drawn with images, or not drawn at all: WeasyPrint draws it on the page
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)
    drawing = recorder.drawing()
    fonts = drawing.fonts_in(stream, memo)
    if fonts is None:
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)
    memo.drawings.put(key, drawing)
    drawing.replay(stream, matrix, fonts)
    return []
