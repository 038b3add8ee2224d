"""A photo as tesseract reads it best: checked, upright, grey, a sensible size, and cropped to
where a machine-readable zone usually is (the bottom of a passport page or a card)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from csnet.errors import BadInput, TooLarge

MAX_BYTES = 15 * 1024 * 1024  # a phone photo, with room to spare
MAX_PIXELS = 40_000_000  # why: a small file can declare a huge canvas ("decompression bomb")
TARGET_WIDTH = 1600  # a zone's characters about 30 pixels high: what the model reads best
FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF"})


def load(data: bytes) -> Image.Image:
    """The photo, upright and grey; BadInput for anything that is not an image we read."""
    if len(data) > MAX_BYTES:
        raise TooLarge(
            f"a photo is at most {MAX_BYTES // (1024 * 1024)} MB", code="image_too_large"
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise BadInput(f"not a photo this node reads: {probe.format}", code="bad_image")
            if probe.width * probe.height > MAX_PIXELS:
                raise TooLarge("the photo has too many pixels", code="image_too_large")
            probe.load()
            image = ImageOps.exif_transpose(probe).convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise BadInput("not an image (JPEG, PNG, TIFF, WebP)", code="bad_image") from None
    return _scaled(image)


def _scaled(image: Image.Image) -> Image.Image:
    if image.width == 0 or image.height == 0:
        raise BadInput("the image is empty", code="bad_image")
    factor = TARGET_WIDTH / image.width
    if 0.8 < factor < 1.25:
        return image
    size = (TARGET_WIDTH, max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def views(image: Image.Image) -> Iterator[Image.Image]:
    """Where to look, most likely first: the bottom third (where a zone is printed), the bottom
    half, then the whole image (a zone photographed on its own, or a page upside down)."""
    height = image.height
    for top in (height * 2 // 3, height // 2):
        yield image.crop((0, top, image.width, height))
    yield image
    yield image.rotate(180)


def save(image: Image.Image, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    image.save(path, format="PNG")
    return path
