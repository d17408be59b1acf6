"""Word users see what PDF readers see: LibreOffice lays out every example DOCX on as many pages
as letterforge's own PDF of that letter, with the same text.

LibreOffice (Debian's libreoffice-writer-nogui, which ``make test`` installs) stands in for
Word. Without it this test fails; set LETTERFORGE_NO_LIBREOFFICE=1 to leave it out knowingly.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from tests.conftest import (
    RUNNING_HEAD,
    libreoffice_pdfs,
    needs_libreoffice,
    pdf_pages,
    without_running_heads,
)

pytestmark = needs_libreoffice


def characters(text: str) -> str:
    """The text without white space: the engines may wrap a line at another space or hyphen."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def converted(built_example: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """letterforge's PDF of every example document → LibreOffice's PDF of its DOCX."""
    documents = sorted((built_example / "build").rglob("*.docx"))
    theirs = libreoffice_pdfs(documents, tmp_path_factory.mktemp("libreoffice"))
    return {document.with_suffix(".pdf"): pdf for document, pdf in theirs.items()}


def test_every_example_docx_has_the_pages_and_text_of_its_pdf(
    converted: dict[Path, Path],
) -> None:
    assert len(converted) == 8  # six letters and two bundles
    for ours, theirs in converted.items():
        our_pages, their_pages = pdf_pages(ours), pdf_pages(theirs)
        assert len(their_pages) == len(our_pages), ours
        # Running heads are read out at the top of a page by one engine and at the bottom by
        # the other; both carry them (tests/test_example.py checks their text).
        assert characters(without_running_heads("\n".join(their_pages))) == characters(
            without_running_heads("\n".join(our_pages))
        ), ours


def test_word_numbers_each_letter_of_a_bundle_from_one(converted: dict[Path, Path]) -> None:
    bundle = next(
        theirs for ours, theirs in converted.items() if ours.parts[-2:] == ("bundle", "romo.pdf")
    )
    heads = [
        match.group().strip() for page in pdf_pages(bundle) for match in RUNNING_HEAD.finditer(page)
    ]
    assert heads == [
        "Alfonso Romo · April 21, 2020 · Page 2",
        "Alfonso Romo · 21 de abril de 2020 · Página 2",
    ]


def test_word_sets_lines_of_about_80_characters_as_the_pdf_does(
    converted: dict[Path, Path],
) -> None:
    from tests.test_typesetting import full_line_lengths

    lengths = [
        length for theirs in converted.values() for length in full_line_lengths(pdf_pages(theirs))
    ]
    assert 75 <= statistics.median(lengths) <= 85, statistics.median(lengths)
    assert max(lengths) <= 92
