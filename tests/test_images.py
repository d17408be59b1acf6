"""Letterhead logos and signature images, in both formats: where they stand, how large, with
what alternative text, and side by side for a joint letter."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from PIL import Image as PillowImage
from PIL import ImageDraw
from pypdf import PdfReader

from tests.conftest import copy_example, replace_in, run

SIGNATORIES = ("perez-gasque", "oxman", "mondou")
LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 80">
  <rect width="80" height="80" rx="12" fill="#1F3A5F"/>
  <circle cx="190" cy="40" r="30" fill="#7A1F1F"/>
</svg>
"""
SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"


def signature_image(kind: str, seed: int = 0) -> bytes:
    """A scribble 600 by 160 pixels, as a PNG or a JPEG; each seed scribbles differently."""
    mode, background = ("RGBA", (255, 255, 255, 0)) if kind == "PNG" else ("RGB", "white")
    picture = PillowImage.new(mode, (600, 160), background)
    points = [(20 + step * 9, 80 + (-30, 10, 35)[(step + seed) % 3]) for step in range(60)]
    ImageDraw.Draw(picture).line(points, fill=(20, 30, 90), width=5)
    data = io.BytesIO()
    picture.save(data, format=kind)
    return data.getvalue()


def add_images(workspace: Path) -> None:
    """Give the sender an SVG logo and each signatory a signature: PNG, except a JPEG for
    Angela Mondou."""
    folder = workspace / "assets" / "signatures"
    folder.mkdir(parents=True)
    (workspace / "assets" / "logo.svg").write_text(LOGO, encoding="utf-8")
    roster = workspace / "recipients" / "signatories.yaml"
    for seed, person in enumerate(SIGNATORIES):
        suffix = "jpg" if person == "mondou" else "png"
        picture = signature_image("JPEG" if suffix == "jpg" else "PNG", seed)
        (folder / f"{person}.{suffix}").write_bytes(picture)
        replace_in(
            roster,
            f"  - id: {person}\n",
            f"  - id: {person}\n    signature: assets/signatures/{person}.{suffix}\n",
        )
    replace_in(
        workspace / "letterforge.yaml",
        "  website: www.itic.org",
        "  website: www.itic.org\n  logo: assets/logo.svg",
    )
    # In the joint letter's letterhead, ITI's column takes the same logo.
    replace_in(
        workspace / "campaigns" / "usmca-review-2025.yaml",
        "  - name: ITI\n",
        "  - name: ITI\n    logo: assets/logo.svg\n",
    )


@pytest.fixture(scope="module")
def with_images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = copy_example(tmp_path_factory.mktemp("images"))
    add_images(workspace)
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    return workspace / "build"


def _figures(reader: PdfReader) -> list[str]:
    """The alternative text of every figure in a tagged PDF's structure tree."""
    found: list[str] = []

    def walk(node: object) -> None:
        node = getattr(node, "get_object", lambda: node)()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt")))
            walk(node.get("/K"))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_pdf_shows_the_logo_and_each_signature_with_alternative_text(with_images: Path) -> None:
    reader = PdfReader(with_images / "usmca-review-2025" / "en-US" / "greer.pdf")
    assert _figures(reader) == [
        "ITI",
        "Sofía Pérez Gasque",
        "Jason Oxman",
        "Angela Mondou",
    ]
    # The PDF's raster images are the three signatures, at full resolution (each image is
    # stored once, however many letters show it); the SVG logo stays vector, so it is none.
    last = reader.pages[-1]
    assert [image.image.size for image in last.images] == [(600, 160)] * 3


def test_docx_shows_the_logo_as_svg_with_a_png_fallback(with_images: Path) -> None:
    word = docx.Document(str(with_images / "essential-services-2020" / "en" / "romo.docx"))
    letterhead = word.paragraphs[0]
    assert letterhead.style.name == "Letter Letterhead"
    shapes = word.inline_shapes
    logo = shapes[0]
    # 42pt high by default, with the SVG's proportions (300 by 80).
    assert (round(logo.height.pt, 1), round(logo.width.pt, 1)) == (42.0, 157.5)
    assert logo._inline.docPr.get("descr") == "Information Technology Industry Council"
    blip = logo._inline.graphic.graphicData.pic.blipFill.blip
    fallback = word.part.related_parts[blip.embed]
    assert fallback.content_type == "image/png"
    # Drawn at print resolution: 157.5pt at 300 dpi.
    assert PillowImage.open(io.BytesIO(fallback.blob)).size == (657, 175)
    extension = blip.find(qn("a:extLst")).find(qn("a:ext"))
    assert extension.get("uri") == SVG_EXTENSION
    svg = extension[0]
    assert svg.tag.endswith("}svgBlip")
    svg_part = word.part.related_parts[svg.get(qn("r:embed"))]
    assert svg_part.content_type == "image/svg+xml"
    assert svg_part.blob.decode() == LOGO
    # The letterhead's text still follows the logo, and the image does not add text.
    assert letterhead.text.split("\n")[1] == "Information Technology Industry Council"


def test_docx_places_joint_signatures_side_by_side_on_one_unsplittable_row(
    with_images: Path,
) -> None:
    word = docx.Document(str(with_images / "usmca-review-2025" / "en-US" / "greer.docx"))
    letterhead, table = word.tables  # the associations side by side, then the signatories
    assert len(letterhead.rows[0].cells) == 3
    (row,) = table.rows
    assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    names = [cell.paragraphs[0].text.split("\n")[1] for cell in row.cells]
    assert names == ["Sofía Pérez Gasque", "Jason Oxman", "Angela Mondou"]
    for cell in row.cells:
        (shape,) = cell.paragraphs[0]._p.iter(qn("wp:inline"))
        extent = shape.find(qn("wp:extent"))
        # 36pt tall, a 600-by-160 scribble is 135pt wide: more than the 114pt of a third of
        # the measure less the gutter, so it is narrowed to fit its column, in proportion.
        size = [round(int(extent.get(side)) / 12700, 1) for side in ("cx", "cy")]
        assert size == [114.0, 30.4]
        assert cell.paragraphs[0].style.name == "Letter Signature"
    # Each column is a third of the text width (5.25in, the built-in measure).
    assert [cell.width for cell in row.cells] == [Pt(378 / 3)] * 3
    jpeg = word.part.related_parts[row.cells[2]._tc.xpath(".//a:blip")[0].get(qn("r:embed"))]
    assert jpeg.content_type == "image/jpeg"
    # The closing before the table keeps with it.
    closing = next(p for p in word.paragraphs if p.style.name == "Letter Closing")
    assert closing.style.paragraph_format.keep_with_next


def test_one_signatory_signs_in_a_paragraph_not_a_table(with_images: Path) -> None:
    word = docx.Document(str(with_images / "essential-services-2020" / "en" / "romo.docx"))
    assert not word.tables
    signature = next(p for p in word.paragraphs if p.style.name == "Letter Signature")
    assert signature.text.split("\n")[1] == "Jason Oxman"
    (shape,) = signature._p.iter(qn("wp:inline"))
    assert shape.find(qn("wp:docPr")).get("descr") == "Jason Oxman"


def test_four_signatories_make_two_rows_of_two(tmp_path: Path) -> None:
    workspace = copy_example(tmp_path / "workspace")
    replace_in(
        workspace / "campaigns" / "usmca-review-2025.yaml",
        "from: [perez-gasque, oxman, mondou]",
        "from: [perez-gasque, oxman, mondou, oxman-2]",
    )
    roster = workspace / "recipients" / "signatories.yaml"
    text = roster.read_text(encoding="utf-8")
    start = text.index("  - id: oxman\n")
    end = text.index("\n\n", start)
    roster.write_text(text + "\n" + text[start:end].replace("id: oxman", "id: oxman-2") + "\n")
    result = run(workspace, "build", "usmca-review-2025", "--only", "greer")
    assert result.exit_code == 0, result.output
    built = workspace / "build" / "usmca-review-2025" / "en-US" / "greer"
    _, table = docx.Document(str(built.with_suffix(".docx"))).tables  # letterhead, signatures
    assert [len(row.cells) for row in table.rows] == [2, 2]
    first_row = table.rows[0].cells
    assert all(cell.paragraphs[0].paragraph_format.keep_with_next for cell in first_row)
    text = "\n".join(page.extract_text() for page in PdfReader(built.with_suffix(".pdf")).pages)
    assert text.count("Jason Oxman") == 2
