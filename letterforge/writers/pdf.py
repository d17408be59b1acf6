"""Document model → PDF, through the HTML writer and WeasyPrint.

WeasyPrint gets a URL fetcher that refuses every resource except inline ``data:`` URLs: letters
are rendered from templates that may come from outside the organization, and rendering must
never read local files or reach the network. This module imports WeasyPrint, so only code that
writes PDFs imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from letterforge.document import Document
from letterforge.theme import Theme
from letterforge.writers.html import document_html


class LockedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``data:`` URLs and fails the render on anything else."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise FatalURLFetchingError(f"letters may not load {url!r}")


def write_pdf(document: Document, path: Path, theme: Theme) -> None:
    """Render ``document`` to a PDF file at ``path``."""
    html = weasyprint.HTML(string=document_html(document, theme), url_fetcher=LockedFetcher())
    html.write_pdf(path)
