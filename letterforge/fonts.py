"""The fonts on this machine, as fontconfig finds them for WeasyPrint's Pango: which of a
theme's fonts are installed, which characters no installed font can draw, and how wide a word
is set in the theme's font.

Pango draws a character missing from the theme's fonts with any installed font that has it,
so a character is drawn as an empty box ("tofu") only when no installed font has it; this
module asks fontconfig exactly that (what ``fc-list ':charset=XXXX'`` prints). It talks to
libfontconfig through ctypes rather than through WeasyPrint, whose import takes half a second
that ``check`` should not spend; answers are cached per process, per font and per character.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Font families that stand for "whatever the system has"; they are always there.
GENERIC_FAMILIES = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy"})

# The Debian package whose fonts draw a script, by code point range; fonts-noto-core has the
# other living scripts (Devanagari and the other Indic scripts, Thai, Hebrew, Ethiopic ...).
CORE_PACKAGE = "fonts-noto-core"
_PACKAGES: tuple[tuple[int, int, str], ...] = (
    (0x1100, 0x11FF, "fonts-noto-cjk"),  # Hangul Jamo
    (0x2E80, 0x33FF, "fonts-noto-cjk"),  # CJK radicals, punctuation, kana, Bopomofo ...
    (0x3400, 0x4DBF, "fonts-noto-cjk"),  # CJK Extension A
    (0x4E00, 0x9FFF, "fonts-noto-cjk"),  # CJK Unified Ideographs
    (0xA960, 0xA97F, "fonts-noto-cjk"),
    (0xAC00, 0xD7FF, "fonts-noto-cjk"),  # Hangul syllables
    (0xF900, 0xFAFF, "fonts-noto-cjk"),
    (0xFE30, 0xFE4F, "fonts-noto-cjk"),
    (0xFF00, 0xFFEF, "fonts-noto-cjk"),  # full-width forms
    (0x20000, 0x3FFFF, "fonts-noto-cjk"),
    (0x2300, 0x23FF, "fonts-noto-color-emoji"),  # ⌚ ⏰ ...
    (0x2600, 0x27BF, "fonts-noto-color-emoji"),  # ☀ ✅ ...
    (0x2B00, 0x2BFF, "fonts-noto-color-emoji"),
    (0x1F000, 0x1FAFF, "fonts-noto-color-emoji"),  # emoji, flags
)
# Characters that are never drawn themselves: joiners, direction marks, variation selectors.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

_MATCH = 0  # FcResultMatch
_MATCH_PATTERN = 0  # FcMatchPattern


class _FontSet(ctypes.Structure):
    _fields_ = (
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.POINTER(ctypes.c_void_p)),
    )


@dataclass(frozen=True)
class Face:
    """An installed font file, as fontconfig names it."""

    family: str
    path: Path
    index: int


@functools.cache
def _fontconfig() -> ctypes.CDLL | None:
    """libfontconfig, loaded by the names WeasyPrint tries; None where there is none."""
    names = ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll")
    found = ctypes.util.find_library("fontconfig")
    library = None
    for name in (*names, *([found] if found else [])):
        try:
            library = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if library is None:
        return None
    pointer, text, number = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    signatures: dict[str, tuple[type | None, list[type]]] = {
        "FcNameParse": (pointer, [text]),
        "FcConfigSubstitute": (number, [pointer, pointer, number]),
        "FcDefaultSubstitute": (None, [pointer]),
        "FcFontMatch": (pointer, [pointer, pointer, ctypes.POINTER(number)]),
        "FcPatternGetString": (number, [pointer, text, number, ctypes.POINTER(text)]),
        "FcPatternGetInteger": (number, [pointer, text, number, ctypes.POINTER(number)]),
        "FcPatternCreate": (pointer, []),
        "FcPatternDestroy": (None, [pointer]),
        "FcPatternAddCharSet": (number, [pointer, text, pointer]),
        "FcCharSetCreate": (pointer, []),
        "FcCharSetAddChar": (number, [pointer, ctypes.c_uint32]),
        "FcCharSetDestroy": (None, [pointer]),
        "FcObjectSetCreate": (pointer, []),
        "FcObjectSetAdd": (number, [pointer, text]),
        "FcObjectSetDestroy": (None, [pointer]),
        "FcFontList": (ctypes.POINTER(_FontSet), [pointer, pointer, pointer]),
        "FcFontSetDestroy": (None, [ctypes.POINTER(_FontSet)]),
    }
    for function, (result, arguments) in signatures.items():
        getattr(library, function).restype = result
        getattr(library, function).argtypes = arguments
    return library


def _families(library: ctypes.CDLL, pattern: int) -> list[str]:
    """Every family name of a font: Caladea; DejaVu Sans and DejaVu Sans Condensed."""
    names: list[str] = []
    value = ctypes.c_char_p()
    while library.FcPatternGetString(pattern, b"family", len(names), ctypes.byref(value)) == _MATCH:
        names.append((value.value or b"").decode("utf-8", "replace"))
    return names


@functools.cache
def installed_face(family: str) -> Face | None:
    """The regular face of ``family`` when it is installed, else None (fontconfig would give
    another font instead); a generic family (serif) is whatever font the system gives it."""
    library = _fontconfig()
    if library is None:
        return None
    pattern = library.FcNameParse(family.replace("-", "\\-").encode("utf-8"))
    if not pattern:
        return None
    try:
        library.FcConfigSubstitute(None, pattern, _MATCH_PATTERN)
        library.FcDefaultSubstitute(pattern)
        result = ctypes.c_int()
        match = library.FcFontMatch(None, pattern, ctypes.byref(result))
    finally:
        library.FcPatternDestroy(pattern)
    if not match:
        return None
    try:
        names = _families(library, match)
        generic = family.lower() in GENERIC_FAMILIES
        if not names or not (generic or family.lower() in {name.lower() for name in names}):
            return None
        file, index = ctypes.c_char_p(), ctypes.c_int()
        if library.FcPatternGetString(match, b"file", 0, ctypes.byref(file)) != _MATCH:
            return None
        library.FcPatternGetInteger(match, b"index", 0, ctypes.byref(index))
        return Face(names[0], Path((file.value or b"").decode("utf-8")), index.value)
    finally:
        library.FcPatternDestroy(match)


def text_face(fonts: Iterable[str]) -> Face | None:
    """The face Pango sets text in for a theme's list of fonts: the first one installed."""
    return next((face for font in fonts if (face := installed_face(font)) is not None), None)


@functools.cache
def families_with(character: str) -> tuple[str, ...]:
    """The installed font families that can draw ``character``, as ``fc-list ':charset=...'``
    lists them; empty when it would be drawn as an empty box. Without fontconfig, nothing is
    known and every character is taken as drawable."""
    library = _fontconfig()
    if library is None:
        return ("?",)
    pattern = library.FcPatternCreate()
    charset = library.FcCharSetCreate()
    objects = library.FcObjectSetCreate()
    try:
        library.FcCharSetAddChar(charset, ord(character))
        library.FcPatternAddCharSet(pattern, b"charset", charset)
        library.FcObjectSetAdd(objects, b"family")
        fonts = library.FcFontList(None, pattern, objects)
        if not fonts:
            return ()
        try:
            found = fonts.contents
            return tuple(
                sorted(
                    {
                        name
                        for index in range(found.nfont)
                        for name in _families(library, found.fonts[index])[:1]
                    }
                )
            )
        finally:
            library.FcFontSetDestroy(fonts)
    finally:
        library.FcObjectSetDestroy(objects)
        library.FcCharSetDestroy(charset)
        library.FcPatternDestroy(pattern)


def undrawable(text: str) -> list[str]:
    """The characters of ``text`` that no installed font has, each once, in order."""
    missing: dict[str, None] = {}
    for character in text:
        if character in missing or character.isascii():
            continue  # every font draws ASCII; asking for it would only cost time
        if unicodedata.category(character) in _INVISIBLE_CATEGORIES:
            continue
        if 0xFE00 <= ord(character) <= 0xFE0F or 0xE0100 <= ord(character) <= 0xE01EF:
            continue  # variation selectors choose a glyph; they have none of their own
        if not families_with(character):
            missing[character] = None
    return list(missing)


def package_for(characters: Iterable[str]) -> list[str]:
    """The Debian packages whose fonts draw ``characters``: fonts-noto-cjk for Chinese,
    Japanese and Korean, fonts-noto-color-emoji for emoji, fonts-noto-core for the rest."""
    packages: dict[str, None] = {}
    for character in characters:
        point = ord(character)
        package = next(
            (name for first, last, name in _PACKAGES if first <= point <= last), CORE_PACKAGE
        )
        packages[package] = None
    return list(packages)


@functools.cache
def _metrics(face: Face) -> tuple[dict[int, int], int]:
    """Each character's advance width in font units, and the font's units per em."""
    from fontTools.ttLib import TTFont  # only for a long word: most checks never need it

    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        advances = font["hmtx"].metrics
        widths = {
            point: advances[glyph][0]
            for point, glyph in font.getBestCmap().items()
            if glyph in advances
        }
        return widths, int(font["head"].unitsPerEm)


def text_width(face: Face, text: str, size: float) -> float:
    """How wide ``text`` is set in ``face`` at ``size`` points, without kerning. A character
    the face lacks (drawn in another font) counts as half an em, a narrow letter's width,
    so that a word is never said to be too wide when it is not."""
    widths, units = _metrics(face)
    half = units / 2
    return sum(widths.get(ord(character), half) for character in text) * size / units
