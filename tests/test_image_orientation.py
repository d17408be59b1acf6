"""A phone's scan of a signature is stored sideways, with an EXIF orientation that says how to
turn it: both formats draw it upright, at the proportions it is seen in."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image, ImageChops, ImageDraw, ImageOps

from tests.conftest import make_workspace, run

# As the signature is seen: 600 by 160 pixels, inked in its top left corner only.
SEEN = (600, 160)
INKED = (0, 0, 200, 80)
EXIF_ORIENTATION = 0x0112


def upright_signature() -> Image.Image:
    picture = Image.new("RGB", SEEN, "white")
    ImageDraw.Draw(picture).rectangle(INKED, fill=(20, 30, 90))
    return picture


def phone_scan() -> bytes:
    """The signature as a phone stores it: turned a quarter turn to the left, 160 by 600
    pixels, with EXIF orientation 6 ("turn a quarter turn to the right to view")."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    data = io.BytesIO()
    upright_signature().transpose(Image.Transpose.ROTATE_90).save(
        data, format="JPEG", exif=exif, quality=95
    )
    stored = Image.open(io.BytesIO(data.getvalue()))
    assert stored.size == (160, 600)
    assert ImageOps.exif_transpose(stored).size == SEEN  # what a viewer shows
    return data.getvalue()


def ink_is_top_left(picture: Image.Image) -> bool:
    """Whether the dark ink of ``picture`` (upright, any size) is in its top-left sixth only."""
    gray = picture.convert("L").resize((60, 16))
    inked = [gray.getpixel((x, y)) for x in range(60) for y in range(16) if x < 18 and y < 6]
    blank = [gray.getpixel((x, y)) for x in range(60) for y in range(16) if x > 22 or y > 10]
    return max(inked) < 100 and min(blank) > 200


def signed_workspace(root: Path, name: str, data: bytes) -> Path:
    """A small workspace whose signatory, Sam Lee, signs with ``data``, saved as assets/NAME."""
    workspace = make_workspace(root, {})
    (workspace / "assets").mkdir()
    (workspace / "assets" / name).write_bytes(data)
    roster = workspace / "recipients/people.yaml"
    text = roster.read_text(encoding="utf-8")
    signature = f"    title: Director\n    signature: assets/{name}\n"
    roster.write_text(text.replace("    title: Director\n", signature), encoding="utf-8")
    return workspace


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = signed_workspace(tmp_path_factory.mktemp("scan"), "sam.jpg", phone_scan())
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    return workspace / "build/note/en/ana.docx"


def test_the_pdf_draws_a_turned_scan_upright(signed: Path) -> None:
    import pypdfium2

    document = pypdfium2.PdfDocument(signed.with_suffix(".pdf"))
    try:
        page = document[0]
        (image,) = page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,))
        left, bottom, right, top = image.get_bounds()
        # Placed 36pt high (the theme's signature height), as wide as the picture is seen,
        # scaled and moved only, neither turned nor mirrored.
        assert top - bottom == pytest.approx(36, abs=0.1)
        assert (right - left) / (top - bottom) == pytest.approx(600 / 160, abs=0.01)
        a, b, c, d, _, _ = image.get_matrix().get()
        assert (b, c) == (0, 0) and a > 0 and d > 0
        # The picture the PDF holds is upright, and so is the page drawn from it.
        assert image.get_px_size() == SEEN
        assert ink_is_top_left(image.get_bitmap(render=False).to_pil())
        scale = 4
        drawn = page.render(scale=scale).to_pil()
        height = page.get_height()
        box = (left * scale, (height - top) * scale, right * scale, (height - bottom) * scale)
        assert ink_is_top_left(drawn.crop(tuple(round(side) for side in box)))
    finally:
        document.close()


def test_the_docx_holds_a_turned_scan_upright(signed: Path) -> None:
    word = docx.Document(str(signed))
    (signature,) = (p for p in word.paragraphs if p.style.name == "Letter Signature")
    (shape,) = signature._p.iter(qn("wp:inline"))
    extent = shape.find(qn("wp:extent"))
    width, height = (int(extent.get(side)) / 12700 for side in ("cx", "cy"))
    assert height == pytest.approx(36, abs=0.01)
    assert width / height == pytest.approx(600 / 160, abs=0.01)
    relation = shape.xpath(".//a:blip/@r:embed")[0]
    part = word.part.related_parts[relation]
    assert part.content_type == "image/jpeg"
    picture = Image.open(io.BytesIO(part.blob))
    assert picture.size == SEEN
    assert picture.getexif().get(EXIF_ORIENTATION, 1) == 1  # nothing left for Word to turn
    assert ink_is_top_left(picture)


def test_a_turned_png_is_drawn_upright_and_stays_lossless(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 8  # turn a quarter turn to the left to view
    data = io.BytesIO()
    upright_signature().transpose(Image.Transpose.ROTATE_270).save(data, format="PNG", exif=exif)
    workspace = signed_workspace(tmp_path, "sam.png", data.getvalue())
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    word = docx.Document(str(workspace / "build/note/en/ana.docx"))
    (part,) = (
        part for part in word.part.related_parts.values() if part.content_type == "image/png"
    )
    picture = Image.open(io.BytesIO(part.blob))
    assert picture.size == SEEN
    assert ImageChops.difference(picture.convert("RGB"), upright_signature()).getbbox() is None


def test_a_jpeg_that_cannot_be_read_is_an_error_at_its_line(tmp_path: Path) -> None:
    workspace = signed_workspace(tmp_path, "sam.jpg", b"\xff\xd8\xff" + b"not a picture" * 10)
    result = run(workspace, "check")
    assert result.exit_code == 1
    assert (
        "recipients/people.yaml:9:16: error: people[1].signature: assets/sam.jpg is a broken "
        "JPEG image" in result.output
    )
