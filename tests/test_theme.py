"""A workspace's theme (``theme:`` in letterforge.yaml) reaches both formats alike: margins,
page size, fonts, sizes, colors and the spacing of each part of the letter."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.shared import Pt
from pypdf import PdfReader

from tests.conftest import REPO, run

# The README's example theme, on A4: what the README shows is what these tests build.
README_THEME = (REPO / "README.md").read_text(encoding="utf-8").split("```yaml\ntheme:\n", 1)[1]
THEME = "page_size: a4\ntheme:\n" + README_THEME.split("```", 1)[0]


def _with_theme(workspace: Path, theme: str) -> None:
    settings = workspace / "letterforge.yaml"
    text = settings.read_text(encoding="utf-8").replace("page_size: letter", theme.rstrip())
    settings.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def themed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import copy_example
    from tests.test_images import add_images

    workspace = copy_example(tmp_path_factory.mktemp("themed"))
    _with_theme(workspace, THEME)
    add_images(workspace)
    result = run(workspace, "build", "essential-services-2020", "--only", "romo", "--lang", "en")
    assert result.exit_code == 0, result.output
    return workspace / "build" / "essential-services-2020" / "en" / "romo"


def test_docx_takes_page_setup_and_styles_from_the_theme(themed: Path) -> None:
    word = docx.Document(str(themed.with_suffix(".docx")))
    section = word.sections[0]
    assert round(section.page_width.pt) == 595 and round(section.page_height.pt) == 842
    margins = [section.top_margin, section.right_margin, section.bottom_margin]
    assert [side.pt for side in margins] == pytest.approx([85.04, 56.69, 70.87], abs=0.05)
    assert section.left_margin.pt == 90
    normal = word.styles["Normal"]
    assert normal.font.name == "Verdana" and normal.font.size == Pt(10.5)
    assert str(normal.font.color.rgb) == "202020"
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(10.5 * 1.4, abs=0.05)
    salutation = word.styles["Letter Salutation"]
    assert salutation.paragraph_format.space_after == Pt(14) and salutation.font.bold
    # Changing one thing keeps the rest of the built-in look: the salutation stays with the body.
    assert salutation.paragraph_format.keep_with_next
    assert word.styles["Letter Date"].paragraph_format.space_after == Pt(18)
    letterhead = word.styles["Letter Letterhead"]
    assert letterhead.font.size == Pt(11) and str(letterhead.font.color.rgb) == "7A1F1F"
    assert letterhead.paragraph_format.alignment == 1  # centered
    assert str(word.styles["Letter Running Head"].font.color.rgb) == "7A1F1F"
    # The logo and the signature at the theme's heights.
    assert [round(shape.height.pt) for shape in word.inline_shapes] == [48, 40]


def test_pdf_takes_page_size_and_fonts_from_the_theme(themed: Path) -> None:
    reader = PdfReader(themed.with_suffix(".pdf"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu-Sans" in font for font in fonts), fonts
    assert "Dear Mr. Romo:" in reader.pages[0].extract_text()


def test_wider_margins_make_the_letter_longer(tmp_path: Path) -> None:
    from tests.conftest import copy_example

    def pages(margin: str) -> int:
        workspace = copy_example(tmp_path / margin)
        _with_theme(workspace, f"page_size: letter\ntheme:\n  margins: {margin}\n")
        result = run(workspace, "build", "essential-services-2020", "--only", "romo")
        assert result.exit_code == 0, result.output
        built = workspace / "build" / "essential-services-2020" / "en" / "romo.pdf"
        return len(PdfReader(built).pages)

    assert pages("3in") > pages("0.75in")
