"""Tesseract, run as a program on one image with the MRZ model shipped in this package."""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

from csnet.errors import CsnetError

TIMEOUT_S = 20  # why: a pathological image must not hold a request thread for minutes


class OcrUnavailable(CsnetError):
    """This node cannot read photos now (no tesseract, or it failed): the officer types the
    zone instead."""

    status = 503
    code = "ocr_unavailable"


def model_dir() -> Path:
    return Path(str(resources.files("csnet.ocr") / "model"))


def available() -> bool:
    return shutil.which("tesseract") is not None


def read_text(image: Path, psm: int) -> str:
    """What tesseract reads in `image` with the MRZ model, page segmentation mode `psm`
    (6: a block of text, 7: one line, 11: sparse text)."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable(
            "reading photos needs tesseract-ocr installed on this node", code="ocr_unavailable"
        )
    command = [binary, str(image), "stdout", "--tessdata-dir", str(model_dir()), "-l", "mrz",
               "--psm", str(psm)]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise OcrUnavailable("reading the photo took too long", code="ocr_timeout") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        raise OcrUnavailable(f"tesseract could not read the image: {why[0]}", code="ocr_failed")
    return done.stdout.decode("utf-8", "replace")
