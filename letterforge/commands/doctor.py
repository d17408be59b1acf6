"""``letterforge doctor``: what this machine renders letters with, and what it lacks.

Letters look right only when the fonts the theme names are installed, and PDFs are written
quickly only when HarfBuzz's subsetter is there; neither is a Python package, so pip cannot
promise them. This module asks the libraries WeasyPrint itself loads (fontconfig, HarfBuzz,
Pango), so what it reports is what a build will use.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from letterforge import __version__
from letterforge.fonts import GENERIC_FAMILIES, package_for, undrawable
from letterforge.theme import Theme

RENDERING_PACKAGES = ("weasyprint", "pydyf", "python-docx", "pypdfium2", "pillow", "fonttools")
SUBSETTER_PACKAGE = "libharfbuzz-subset0"


@dataclass
class Report:
    """Lines to print, and the problems among them (each with its fix)."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def examine(theme: Theme, theme_source: str, workspace: Path | None = None) -> Report:
    """Versions of the rendering stack, the font subsetter, the theme's fonts, and the
    fonts the names in ``workspace``'s rosters need."""
    from letterforge.writers.libraries import load_weasyprint
    from letterforge.writers.pdf_memo import memo_status

    load_weasyprint()
    from weasyprint.text.ffi import harfbuzz_subset, pango

    report = Report()
    report.lines.append(f"letterforge {__version__}, Python {platform.python_version()}")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in RENDERING_PACKAGES)
    report.lines.append(f"libraries: {versions}")
    pango_version = pango.pango_version()
    report.lines.append(
        f"system: Pango {pango_version // 10000}.{pango_version // 100 % 100}.{pango_version % 100}"
    )
    if harfbuzz_subset is not None:
        report.lines.append("font subsetter: HarfBuzz (fast)")
    else:
        report.lines.append("font subsetter: fontTools (about ten times slower)")
        report.problems.append(
            f"HarfBuzz's subsetter is missing: install {SUBSETTER_PACKAGE} "
            f"(apt-get install {SUBSETTER_PACKAGE}) for PDFs written about ten times faster"
        )
    memo = memo_status()
    report.lines.append(f"PDF line memo: {'on' if memo.active else 'off'} ({memo.reason})")
    installed = installed_families()
    report.lines.append(f"fonts of the theme ({theme_source}):")
    named = [font for font in theme.fonts if font.lower() not in GENERIC_FAMILIES]
    found = [font for font in named if font.lower() in installed]
    for font in named:
        report.lines.append(f"  {font}: {'installed' if font in found else 'not installed'}")
    if named and (not found or found[0] != named[0]):
        instead = f"{found[0]} is used instead" if found else "a system serif font is used"
        report.problems.append(
            f"the theme's first font, {named[0]}, is not installed, so {instead}: install it "
            "(fc-list lists the fonts there are), or name an installed font first in theme.fonts"
        )
    report.lines.append(
        f"  the DOCX asks Word for {theme.word_font}; Word substitutes a font it does not have"
    )
    if workspace is not None:
        _examine_rosters(report, workspace)
    return report


def _examine_rosters(report: Report, workspace: Path) -> None:
    """Name the font packages that draw the characters of the rosters no installed font has
    (Pango would draw them as empty boxes)."""
    from letterforge.errors import Collector
    from letterforge.workspace.loader import load_people

    missing: dict[str, dict[str, None]] = {}  # character → the rosters that have it
    for record in load_people(workspace, Collector()).values():  # check reports mistakes
        for _, text in record.printed_values():
            for character in undrawable(text):
                missing.setdefault(character, {})[record.document.path] = None
    if not missing:
        report.lines.append("characters of the rosters: every one has an installed font")
        return
    for package in package_for(missing):
        characters = [character for character in missing if package_for(character) == [package]]
        rosters = sorted({roster for character in characters for roster in missing[character]})
        report.lines.append(
            f"characters of the rosters no installed font has: {' '.join(characters)} "
            f"({', '.join(rosters)})"
        )
        report.problems.append(
            f"no installed font has {' '.join(characters)}, so PDFs show empty boxes for them: "
            f"install {package} (apt-get install {package})"
        )


def installed_families() -> set[str]:
    """Every font family fontconfig knows, lowercased, as WeasyPrint sees them."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    families: set[str] = set()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
        value = ffi.new("FcChar8 **")
        for index in range(fonts.nfont if fonts != ffi.NULL else 0):
            pattern = fonts.fonts[index]
            number = 0
            # A font has a family name per language: Caladea, or DejaVu Sans and its
            # Condensed face; each counts.
            while (
                fontconfig.FcPatternGetString(pattern, b"family", number, value)
                == fontconfig.FcResultMatch
            ):
                families.add(ffi.string(value[0]).decode("utf-8", "replace").lower())
                number += 1
    finally:
        fontconfig.FcConfigDestroy(config)
    return families
