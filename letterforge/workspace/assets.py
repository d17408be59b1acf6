"""Images a letter may show: a letterhead logo and signatures, from the workspace's assets/.

Letters are rendered from templates that may come from outside the organization, so an image
is named by a path inside ``assets/`` and read only from there: never a file elsewhere in the
workspace, never a link out of it, never the network. Each image is checked once, when it is
named, so a wrong path or a broken file is an error that points at the YAML or template line,
not a blank space in a PDF.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from letterforge.workspace.paths import read_input

if TYPE_CHECKING:
    from PIL.Image import Image as PillowImage

ASSET_DIR = "assets"
# A logo or a scanned signature is a few hundred kilobytes.
MAX_ASSET_BYTES = 10 * 1024 * 1024
# Decoding more pixels than a 300 dpi A4 page holds is a mistake, or an attack.
MAX_PIXELS = 40_000_000
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_SVG_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px|pt|mm|cm|in)?\s*$")
# url(...) in a style that does not point inside the file itself (#gradient) or at data.
_OUTSIDE_URL = re.compile(r"url\(\s*['\"]?(?!#|data:)|@import", re.IGNORECASE)
_SVG_UNITS = {"px": 0.75, "pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}

ImageKind = Literal["png", "jpeg", "svg"]


class AssetProblem(ValueError):
    """Why an image cannot go into a letter; the caller adds the file and line."""


@dataclass(frozen=True, slots=True)
class ImageFile:
    """A checked image: where it is, what it is, and its proportions."""

    name: str  # as the workspace names it: assets/logo.svg
    path: Path  # absolute, inside the workspace's assets/
    kind: ImageKind
    width: float  # intrinsic size as the image is seen, in any unit: only the ratio matters
    height: float
    # The bytes writers draw: those read when it was checked, or, for a picture whose EXIF
    # data says to turn it, the picture turned upright.
    data: bytes = field(repr=False)

    def size_at(self, height: float, max_width: float) -> tuple[float, float]:
        """Width and height in points at ``height``, narrowed to fit ``max_width``."""
        width = height * self.width / self.height
        if width > max_width:
            width, height = max_width, max_width * self.height / self.width
        return round(width, 2), round(height, 2)


def asset_path(
    root: Path, name: str, *, thing: str = "image", example: str = "assets/logo.svg"
) -> Path:
    """The file ``name`` (``assets/...``) of the workspace at ``root``, where it really is.

    Raises:
        AssetProblem: the path leaves assets/ (by ``..``, or a link), or names no file.
    """
    parts = PurePosixPath(name).parts
    if (
        len(parts) < 2
        or parts[0] != ASSET_DIR
        or ".." in parts
        or "\\" in name
        or PurePosixPath(name).is_absolute()
    ):
        raise AssetProblem(
            f"{name!r} is not in assets/: {thing}s are read only from the workspace's assets/ "
            f"folder, so write a path such as {example}"
        )
    folder = (root / ASSET_DIR).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(folder):
        raise AssetProblem(f"{name} is a link out of assets/: copy the {thing} into assets/")
    if not path.is_file():
        raise AssetProblem(f"{name} does not exist")
    return path


def read_image(root: Path, name: str) -> ImageFile:
    """Check the image ``name`` (``assets/...``) of the workspace at ``root``.

    Raises:
        AssetProblem: the path leaves assets/, the file is missing, too large, or not a
            PNG, JPEG or SVG image whose size can be read.
    """
    path = asset_path(root, name)
    size = path.stat().st_size
    if size > MAX_ASSET_BYTES:
        raise AssetProblem(
            f"{name} is {size / 1024 / 1024:.0f} MB: an image for a letter must be under "
            f"{MAX_ASSET_BYTES // 1024 // 1024} MB"
        )
    data = read_input(root / name)  # during a build, the bytes it fingerprinted
    kind, width, height, drawn = _measure(name, data)
    return ImageFile(name, path, kind, width, height, drawn)


def _measure(name: str, data: bytes) -> tuple[ImageKind, float, float, bytes]:
    """The image's kind, its width and height as it is seen, and the bytes to draw."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", *_raster(name, "png", data)
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", *_raster(name, "jpeg", data)
    if b"<svg" in data[:4096]:
        return "svg", *_svg_size(name, data), data
    raise AssetProblem(f"{name} is not a PNG, JPEG or SVG image")


# The EXIF tag that says how a picture is turned: 1 is upright; 2 to 8 mirror it or turn it
# by a quarter or half turn, 5 to 8 swapping its width and height.
_ORIENTATION = 0x0112
_TURNED = range(2, 9)


def _raster(name: str, kind: ImageKind, data: bytes) -> tuple[float, float, bytes]:
    """Width and height of a PNG or JPEG as it is seen, and its bytes the right way up.

    A phone stores a scan as its camera saw it, sideways, with an EXIF orientation saying how
    to turn it. WeasyPrint turns it, and Word and LibreOffice do not all do so: a letter
    draws the picture turned upright once here, with no orientation left to apply.
    """
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        # Pillow warns of, then refuses, images of 89 and 179 million pixels and more.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = Image.open(io.BytesIO(data), formats=[kind.upper()])
            orientation = picture.getexif().get(_ORIENTATION, 1) if "exif" in picture.info else 1
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise AssetProblem(_too_many_pixels(name)) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise AssetProblem(f"{name} is a broken {kind.upper()} image") from None
    width, height = _pixels(name, *picture.size)
    if orientation not in _TURNED:
        return width, height, data
    try:
        upright = _upright(picture, kind)
    except (OSError, SyntaxError, ValueError):
        raise AssetProblem(f"{name} is a broken {kind.upper()} image") from None
    return (height, width, upright) if orientation >= 5 else (width, height, upright)


def _upright(picture: PillowImage, kind: ImageKind) -> bytes:
    """The picture turned as its EXIF orientation says, encoded again without EXIF data: a
    JPEG with its own quantization tables and chroma subsampling, so it loses next to
    nothing; a PNG losslessly."""
    from PIL import ImageOps, JpegImagePlugin

    upright = ImageOps.exif_transpose(picture)
    options: dict[str, object] = {}
    if "icc_profile" in picture.info:
        options["icc_profile"] = picture.info["icc_profile"]
    if kind == "jpeg":
        assert isinstance(picture, JpegImagePlugin.JpegImageFile)
        options["qtables"] = picture.quantization
        options["subsampling"] = JpegImagePlugin.get_sampling(picture)
    output = io.BytesIO()
    upright.save(output, format=kind.upper(), **options)
    return output.getvalue()


def _pixels(name: str, width: int, height: int) -> tuple[float, float]:
    if not width or not height:
        raise AssetProblem(f"{name} has no pixels")
    if width * height > MAX_PIXELS:
        raise AssetProblem(
            f"{name} is {width} by {height} pixels: scale it down to under "
            f"{MAX_PIXELS // 1_000_000} million pixels"
        )
    return float(width), float(height)


def _too_many_pixels(name: str) -> str:
    return f"{name} has too many pixels: scale it down to under {MAX_PIXELS // 1_000_000} million"


def _svg_size(name: str, data: bytes) -> tuple[float, float]:
    # Entities can expand a small file into gigabytes, and an SVG needs none.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise AssetProblem(
            f"{name} declares a DOCTYPE or entities, which an SVG image does not need"
        )
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as err:
        raise AssetProblem(f"{name} is not well-formed SVG ({err})") from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise AssetProblem(
            f"{name} is not an SVG image (its root is not <svg> in the SVG namespace)"
        )
    _refuse_references(name, root)
    width, height = _svg_length(root.get("width")), _svg_length(root.get("height"))
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    if (width is None or height is None) and len(view_box) == 4:
        try:
            box_width, box_height = float(view_box[2]), float(view_box[3])
        except ValueError:
            box_width = box_height = 0
        if box_width > 0 and box_height > 0:
            if width is None and height is None:
                width, height = box_width, box_height
            elif width is None:
                width = height * box_width / box_height  # type: ignore[operator]
            else:
                height = width * box_height / box_width
    if not width or not height:
        raise AssetProblem(
            f"{name} gives no size: add width and height, or a viewBox, to its <svg> element"
        )
    return width, height


def _refuse_references(name: str, root: ElementTree.Element) -> None:
    """An SVG in a letter draws only what it holds: a link to another file or a web address
    would be fetched when the letter is drawn, in Word as well as in the PDF."""
    for element in root.iter():
        values = [*element.attrib.items(), ("text", element.text or "")]
        for key, value in values:
            outside = (key.endswith("href") and not value.startswith(("#", "data:"))) or (
                _OUTSIDE_URL.search(value)
            )
            if outside:
                raise AssetProblem(
                    f"{name} refers to another file or address ({value.strip()[:60]!r}): "
                    "an image in a letter must hold everything it draws"
                )


def _svg_length(value: str | None) -> float | None:
    match = _SVG_LENGTH.fullmatch(value or "")
    return float(match[1]) * _SVG_UNITS[match[2] or "px"] if match else None
