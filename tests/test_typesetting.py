"""Typesetting rules, read back from both formats: the measure, where lines may not break, the
raised ordinal of a running head, and the space around lists."""

from __future__ import annotations

import statistics
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from tests.conftest import (
    docx_paragraphs,
    libreoffice_pdfs,
    make_workspace,
    needs_libreoffice,
    pdf_pages,
    replace_in,
    run,
)

EXAMPLE_LETTERS = [
    "essential-services-2020/en/romo",
    "essential-services-2020/es-MX/romo",
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


# Words of every length before each T-MEC, so that line ends fall at every place in it.
COMPOUNDS = " ".join(f"{'x' * length} T-MEC" for length in range(1, 41))


@pytest.fixture(scope="module")
def compounds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A letter whose body is 40 T-MECs, and one health-care, as DOCX and PDF."""
    workspace = make_workspace(
        tmp_path_factory.mktemp("compounds"),
        {"templates/note/letter.en.md.j2": f"{COMPOUNDS}\n\nOur health-care workers.\n"},
    )
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    return workspace / "build/note/en/ana.docx"


def assert_no_line_ends_at_a_short_hyphen(pages: list[str]) -> None:
    text = "\n".join(pages)
    assert text.count("T-MEC") == 40  # read back with a plain hyphen, every one whole
    assert "\u2011" not in text
    assert not [line for line in text.splitlines() if line.rstrip().endswith("T-")]


def test_a_short_compound_never_breaks_at_its_hyphen_in_the_pdf(compounds: Path) -> None:
    assert_no_line_ends_at_a_short_hyphen(pdf_pages(compounds.with_suffix(".pdf")))


def test_a_short_compound_takes_words_no_break_hyphen_in_the_docx(compounds: Path) -> None:
    body = next(p for p in docx.Document(str(compounds)).paragraphs if "T-MEC" in p.text)
    assert body.text == COMPOUNDS  # Word's no-break hyphen reads back as a hyphen
    assert len(body._p.xpath(".//w:noBreakHyphen")) == 40
    assert "T-MEC" not in "".join(body._p.xpath(".//w:t/text()"))
    # A compound with long parts may still break at its hyphen.
    ordinary = next(p for p in docx.Document(str(compounds)).paragraphs if "health" in p.text)
    assert ordinary.text == "Our health-care workers."
    assert not ordinary._p.xpath(".//w:noBreakHyphen")


@needs_libreoffice
def test_a_short_compound_never_breaks_at_its_hyphen_in_word(
    compounds: Path, tmp_path: Path
) -> None:
    laid_out = libreoffice_pdfs([compounds], tmp_path)[compounds]
    assert_no_line_ends_at_a_short_hyphen(pdf_pages(laid_out))


@pytest.mark.parametrize(
    ("text", "typeset"),
    [
        ("COVID-19, e-commerce, USMCA-JR-2025-07", "COVID=19, e=commerce, USMCA=JR=2025=07"),
        ("États-Unis, López-Gatell, cross-border", "États-Unis, López-Gatell, cross-border"),
        ("p. j. and J. F. Kennedy", "p.\u00a0j. and J.\u00a0F. Kennedy"),
        ("write to a-b@x-y.org", "write to a-b@x-y.org"),
    ],
)
def test_where_lines_may_not_break(tmp_path: Path, text: str, typeset: str) -> None:
    """What the DOCX holds, read character by character: U+2011 for Word's no-break hyphen."""
    workspace = make_workspace(tmp_path, {"templates/note/letter.en.md.j2": f"{text}\n"})
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    word = docx.Document(str(workspace / "build/note/en/ana.docx"))
    (body,) = (p for p in word.paragraphs if p.style.name == "Letter Body")
    characters = {qn("w:t"): None, qn("w:noBreakHyphen"): "\u2011"}
    written = "".join(
        element.text if characters[element.tag] is None else characters[element.tag]
        for element in body._p.iter(*characters)
    )
    assert written == typeset.replace("=", "\u2011")  # = stands for U+2011 here


def test_french_abbreviations_of_one_letter_are_held_together(built_example: Path) -> None:
    word = dict(docx_paragraphs(built_example / "build/usmca-review-2025/fr-CA/sidhu.docx"))
    assert word["Letter Enclosures"].startswith("p.\u00a0j.\nDéclaration commune")
    pages = pdf_pages(built_example / "build/usmca-review-2025/fr-CA/sidhu.pdf")
    assert "\np.\u00a0j.\nDéclaration commune" in pages[-1]


def raised(pdf: Path, page: int, text: str, ending: str) -> bool:
    """Whether, in the first ``text`` on ``page`` of ``pdf``, ``ending`` stands raised and
    smaller: its letters' feet above the baseline of the letter after the space after it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        letters = document[page].get_textpage()
        start = letters.get_text_range().index(text) + text.index(ending)
        after = start + len(ending) + 2  # past the space: a letter on the baseline
        boxes = [letters.get_charbox(index) for index in range(start, start + len(ending))]
        baseline, height = letters.get_charbox(after)[1], letters.get_charbox(after)[3]
    finally:
        document.close()
    return all(box[1] > baseline + 1.5 and box[3] - box[1] < height - baseline for box in boxes)


def test_the_french_running_head_raises_1er_as_the_date_does(built_example: Path) -> None:
    word = docx.Document(str(built_example / "build/usmca-review-2025/fr-CA/sidhu.docx"))
    head = word.sections[0].header.paragraphs[0]
    assert [(run.text, run.font.superscript) for run in head.runs] == [
        ("Maninder Sidhu · 1", None),
        ("er", True),
        (" juillet 2025 · Page ", None),
    ]
    assert head._p.xpath("./w:fldSimple/@w:instr") == ["PAGE"]
    pdf = built_example / "build/usmca-review-2025/fr-CA/sidhu.pdf"
    assert "\nManinder Sidhu · 1er juillet 2025 · Page 2" in pdf_pages(pdf)[1]
    assert raised(pdf, 0, "Ottawa, le 1er juillet", "er")  # the date, raised before
    assert raised(pdf, 1, "Sidhu · 1er juillet", "er")
    assert not raised(pdf, 1, "Sidhu · 1er juillet", "Sidhu")


LIST_LETTER = (
    "We ask three things:\n\n1. one;\n2. two;\n3. three.\n\nAfter the list, a paragraph.\n"
)


def line_tops(pdf: Path, *words: str) -> list[float]:
    """How far below the top of the first page each word's line stands, in points."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        letters = page.get_textpage()
        text = letters.get_text_range()
        boxes = [letters.get_charbox(text.index(word), loose=True) for word in words]
        return [page.get_height() - box[3] for box in boxes]
    finally:
        document.close()


@pytest.fixture(scope="module")
def list_letter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = make_workspace(
        tmp_path_factory.mktemp("list"), {"templates/note/letter.en.md.j2": LIST_LETTER}
    )
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    return workspace / "build/note/en/ana.docx"


def assert_list_set_off_alike(pdf: Path) -> None:
    before, first, last, after = line_tops(pdf, "We ask", "one;", "three.", "After the")
    line = 11 * 1.2
    # A line and a body paragraph's space below, on either side of the list (LibreOffice
    # sets the lines of list items some 0.7pt lower in the same line boxes); 4pt, the space
    # between the items, would make 17.2.
    assert first - before == pytest.approx(line + 10, abs=1)
    assert after - last == pytest.approx(line + 10, abs=1)
    assert after - before == pytest.approx(4 * line + 2 * 10 + 2 * 4, abs=0.2)


def test_a_paragraph_after_a_list_has_its_space_above_it_in_the_pdf(list_letter: Path) -> None:
    assert_list_set_off_alike(list_letter.with_suffix(".pdf"))


def test_a_paragraph_after_a_list_has_its_space_above_it_in_the_docx(list_letter: Path) -> None:
    paragraphs = docx.Document(str(list_letter)).paragraphs
    after = next(p for p in paragraphs if p.text == "After the list, a paragraph.")
    assert after.paragraph_format.space_before == Pt(10)
    items = [p for p in paragraphs if p.style.name == "Letter List Item"]
    assert [p.paragraph_format.space_before for p in items] == [None] * 3


@needs_libreoffice
def test_a_paragraph_after_a_list_has_its_space_above_it_in_word(
    list_letter: Path, tmp_path: Path
) -> None:
    assert_list_set_off_alike(libreoffice_pdfs([list_letter], tmp_path)[list_letter])
