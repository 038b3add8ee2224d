"""PSI messages on the wire: points as unpadded base64url strings (43 characters each)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from csnet.correlation import psi
from csnet.errors import BadInput
from csnet.items.keys import b64url_decode

_B64_POINT_CHARS = 43


def encode_points(points: Sequence[bytes]) -> list[str]:
    return [base64.urlsafe_b64encode(p).rstrip(b"=").decode("ascii") for p in points]


def decode_points(value: Any, what: str, limit: int) -> list[bytes]:
    """A JSON list of base64url points, checked for count, length and duplicates."""
    if not isinstance(value, list):
        raise psi.PsiError(f"{what}: a list of base64url points", code="psi_bad_message")
    if len(value) > limit:
        raise psi.TooManyPoints(f"{what}: {len(value)} points, at most {limit}")
    points = [_decode(text, what, i) for i, text in enumerate(value)]
    psi.check_points(points, limit, what)
    return points


def _decode(text: Any, what: str, index: int) -> bytes:
    if not isinstance(text, str) or len(text) != _B64_POINT_CHARS:
        raise psi.InvalidPoint(f"{what}: point {index} is not 43 base64url characters")
    try:
        # why: one point has one spelling (no "+/", no stray trailing bits), as keys and
        # signatures have: a malleable encoding would let one point pass as several
        return b64url_decode(text)
    except BadInput:
        raise psi.InvalidPoint(f"{what}: point {index} is not canonical base64url") from None


def answer_json(reply: psi.Answer) -> dict[str, list[str]]:
    return {"answered": encode_points(reply.answered), "holder": encode_points(reply.holder)}


def answer_from_json(data: Any, asked: int, holder_limit: int) -> psi.Answer:
    """The holder's reply as the asker reads it (count and shape checked; validity later):
    exactly one point per point asked, and at most `holder_limit` of the holder's own."""
    if not isinstance(data, dict):
        raise psi.PsiError("the answer is not a JSON object", code="psi_bad_message")
    answered_json = data.get("answered")
    if isinstance(answered_json, list) and len(answered_json) != asked:
        raise psi.PointCountMismatch(f"answered: {len(answered_json)} points for {asked} asked")
    answered = decode_points(answered_json, "answered", asked)
    holder = decode_points(data.get("holder"), "holder", holder_limit)
    return psi.Answer(tuple(answered), tuple(holder))
