"""Typesetting rules, read back from both formats: the measure, where lines may not break, the
raised ordinal of a running head, and the space around lists."""

from __future__ import annotations

import statistics
from pathlib import Path

import docx
import pytest
from docx.shared import Length

from tests.conftest import pdf_pages, replace_in, run

EXAMPLE_LETTERS = [
    "essential-services-2020/en/romo",
    "essential-services-2020/es/romo",
    "usmca-review-2025/en-US/greer",
    "usmca-review-2025/es-MX/ebrard",
    "usmca-review-2025/fr-CA/sidhu",
    "usmca-review-2025/en-CA/sidhu",
]


def full_line_lengths(pages: list[str]) -> list[int]:
    """The length of every line of prose a reader sees: lines of more than 60 characters
    (shorter ones end a paragraph, or are not prose), in characters."""
    return [len(line) for page in pages for line in page.splitlines() if len(line.strip()) > 60]


def test_pdf_lines_hold_about_80_characters(built_example: Path) -> None:
    lengths = [
        length
        for letter in EXAMPLE_LETTERS
        for length in full_line_lengths(pdf_pages(built_example / "build" / f"{letter}.pdf"))
    ]
    assert 75 <= statistics.median(lengths) <= 85, statistics.median(lengths)
    assert max(lengths) <= 92


@pytest.mark.parametrize(
    ("page_size", "margins"),
    [("letter", [72, 117, 72, 117]), ("a4", [70.87, 108.64, 70.87, 108.64])],
    ids=["letter", "a4"],
)
def test_docx_sets_the_measure_between_its_margins(
    example: Path, page_size: str, margins: list[float]
) -> None:
    replace_in(example / "letterforge.yaml", "page_size: letter", f"page_size: {page_size}")
    result = run(example, "build", "essential-services-2020", "--only", "romo", "--lang", "en")
    assert result.exit_code == 0, result.output
    section = docx.Document(str(example / "build/essential-services-2020/en/romo.docx")).sections[0]
    sides = [section.top_margin, section.right_margin, section.bottom_margin, section.left_margin]
    assert [side.pt for side in sides] == pytest.approx(margins, abs=0.05)
    measure = Length(section.page_width - section.left_margin - section.right_margin)
    assert measure.pt == pytest.approx(378, abs=0.1)  # 5.25 in, whatever the paper
