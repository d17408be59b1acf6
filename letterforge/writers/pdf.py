"""Document model → PDF, through the HTML writer and WeasyPrint.

WeasyPrint gets a URL fetcher that serves ``data:`` URLs and regular files inside the workspace
(a logo, say) and fails the render on anything else: letters are rendered from templates that
may come from outside the organization, and rendering must never read other local files or reach
the network. This module imports WeasyPrint, so only code that writes PDFs imports it.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from letterforge.document import Document
from letterforge.errors import OutputError
from letterforge.theme import Theme
from letterforge.workspace.assets import MAX_ASSET_BYTES, ImageFile
from letterforge.workspace.paths import PdfStandard
from letterforge.writers import pdf_memo
from letterforge.writers.html import data_url, letter_pages_html, theme_css
from letterforge.writers.libraries import load_weasyprint
from letterforge.writers.pdf_tags import StructureTree

weasyprint = load_weasyprint()  # before any other import of WeasyPrint: see libraries.py
FontConfiguration = weasyprint.text.fonts.FontConfiguration
FatalURLFetchingError = weasyprint.urls.FatalURLFetchingError
URLFetcher = weasyprint.urls.URLFetcher


class LockedFetcher(URLFetcher):  # type: ignore[misc,valid-type]
    """Serves ``data:`` URLs and regular files inside ``root``; anything else fails the render.

    No network access is attempted at all, so there is no redirect to follow.
    """

    def __init__(self, root: Path | None) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.root = root.resolve() if root is not None else None

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file" and self.root is not None:
            path = Path(unquote(parts.path)).resolve()
            if (
                path.is_relative_to(self.root)
                and path.is_file()
                and path.stat().st_size <= MAX_ASSET_BYTES
            ):
                return super().fetch(path.as_uri(), headers)
        raise FatalURLFetchingError(
            f"letters may load only files inside the workspace, and {url!r} is not one"
        )


class PdfWriter:
    """Writes tagged PDFs in one theme: accessible (PDF/UA-1) by default, or for archives
    (PDF/A-3b, tagged as well, so archiving costs no accessibility).

    A batch writes hundreds of letters in the same theme, so the writer parses the theme's
    stylesheet once and keeps one font configuration, whose Pango font map caches the fonts'
    metrics, for all of them; WeasyPrint would otherwise redo both for every letter.
    """

    def __init__(
        self, theme: Theme, standard: PdfStandard = "pdf/ua-1", *, memo: bool = True
    ) -> None:
        self.theme = theme
        self.standard = standard
        self.font_config = FontConfiguration()
        # Lines broken and drawn once serve every letter after (writers/pdf_memo.py); the
        # benchmark and the tests switch it off to compare.
        self.memo = pdf_memo.enable(self.font_config) if memo else None
        self.stylesheet = weasyprint.CSS(string=theme_css(theme), font_config=self.font_config)
        self.fetcher = LockedFetcher(theme.asset_root)

    def write(self, document: Document, path: Path) -> None:
        """Render ``document`` to a PDF at ``path``.

        Each letter is rendered on its own and their pages joined, so every letter of a bundle
        numbers its pages from 1; the PDF's metadata and language are the first letter's.
        """
        try:
            rendered = [
                weasyprint.HTML(string=page, url_fetcher=self.fetcher).render(
                    stylesheets=[self.stylesheet], font_config=self.font_config
                )
                for page in letter_pages_html(document, self.theme, with_theme_css=False)
            ]
        except FatalURLFetchingError as err:
            raise OutputError(f"{document.title}: {err}") from err
        pages = [page for letter in rendered for page in letter.pages]
        letters = [
            (letter.lang, len(drawn.pages))
            for letter, drawn in zip(document.letters, rendered, strict=True)
        ]
        rendered[0].copy(pages).write_pdf(
            path, pdf_variant=self.standard, pdf_tags=True, finisher=StructureTree(letters)
        )


def write_pdf(
    document: Document, path: Path, theme: Theme, standard: PdfStandard = "pdf/ua-1"
) -> None:
    """Render ``document`` to a PDF at ``path`` (a one-letter :class:`PdfWriter`)."""
    PdfWriter(theme, standard).write(document, path)


# Dots per inch of the PNG drawn from an SVG for readers that cannot show SVG: print quality.
FALLBACK_DPI = 300


def svg_to_png(image: ImageFile, width: float, height: float, root: Path | None) -> bytes:
    """A PNG of the SVG ``image`` drawn ``width`` by ``height`` points, at print resolution.

    WeasyPrint draws the SVG (with the same locked fetcher as letters, so an SVG cannot load
    files either) into a one-page PDF, which PDFium rasterizes. Drawing takes a tenth of a
    second, and a campaign puts the same logo in every letter: each drawing is kept.
    """
    return _drawn_svg(image, width, height, root)


@functools.lru_cache(maxsize=32)
def _drawn_svg(image: ImageFile, width: float, height: float, root: Path | None) -> bytes:
    import pypdfium2

    page = (
        f"<style>@page {{ size: {width}pt {height}pt; margin: 0 }} body {{ margin: 0 }}</style>"
        f'<img src="{data_url(image)}" alt="" '
        f'style="display: block; width: {width}pt; height: {height}pt">'
    )
    try:
        pdf = weasyprint.HTML(string=page, url_fetcher=LockedFetcher(root)).write_pdf()
    except FatalURLFetchingError as err:
        raise OutputError(f"{image.name}: {err}") from err
    rendered = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = rendered[0].render(scale=FALLBACK_DPI / 72, fill_color=(255, 255, 255, 0))
        output = io.BytesIO()
        bitmap.to_pil().save(output, format="PNG", optimize=True)
    finally:
        rendered.close()
    return output.getvalue()
