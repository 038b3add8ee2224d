"""Body of kind "prescreen_key": a sharing group's secret key for pre-screen Bloom filters.

Issued only by the group's owner node, addressed to the group's members; a new epoch replaces the
key whenever membership changes (csnet/federation/prescreen_keys.py). Receivers use only keys
whose origin is the owner of `group_id`.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from csnet.errors import BadInput
from csnet.items.bodies import GROUP_ID_PATTERN, Body
from csnet.items.keys import b64url_decode

MAX_EPOCH = 2**53 - 1  # JSON numbers are doubles
KEY_BYTES = 32  # a group key for the Bloom pre-screens (csnet/correlation/prescreen.py)


class PrescreenKey(Body):
    group_id: str = Field(pattern=GROUP_ID_PATTERN)
    epoch: int = Field(ge=1, le=MAX_EPOCH)
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, unpadded base64url

    @model_validator(mode="after")
    def _canonical_key(self) -> Self:
        try:
            b64url_decode(self.key)
        except BadInput:
            raise ValueError("key is the canonical base64url of 32 bytes") from None
        return self

    def secret(self) -> bytes:
        return b64url_decode(self.key)
