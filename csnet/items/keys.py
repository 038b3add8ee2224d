"""Node identity: an Ed25519 key, the node id derived from it, and a fingerprint for humans."""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass

from nacl.bindings import crypto_sign
from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from csnet.errors import BadInput

SEED_BYTES = 32
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
NODE_ID_PREFIX = "csn"
NODE_ID_PATTERN = r"^csn[a-z2-7]{24}$"


class NodeKey:
    """A node's signing key. The seed is the whole secret; it is never printed."""

    __slots__ = ("_node_id", "_secret", "_signing")

    def __init__(self, signing: SigningKey) -> None:
        self._node_id = node_id_for(bytes(signing.verify_key))
        self._signing = signing
        self._secret = signing._signing_key  # libsodium's 64-byte secret key (seed + public)

    @classmethod
    def generate(cls) -> NodeKey:
        return cls(SigningKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> NodeKey:
        if len(seed) != SEED_BYTES:
            raise BadInput(
                f"a node key seed is {SEED_BYTES} bytes, got {len(seed)}", code="bad_key"
            )
        return cls(SigningKey(bytes(seed)))

    @property
    def seed(self) -> bytes:
        return bytes(self._signing)

    @property
    def public_key(self) -> bytes:
        return bytes(self._signing.verify_key)

    @property
    def node_id(self) -> str:
        return self._node_id

    def sign(self, message: bytes) -> bytes:
        """The detached 64-byte Ed25519 signature of `message`."""
        # why: the raw binding skips building a SignedMessage object (sealing is a hot path)
        return crypto_sign(message, self._secret)[:SIGNATURE_BYTES]

    def __repr__(self) -> str:  # why: keep the seed out of logs and tracebacks
        return f"NodeKey(node_id={self.node_id!r})"


@functools.lru_cache(maxsize=1024)  # why: checked for every verified item; peers are few
def node_id_for(public_key: bytes) -> str:
    """'csn' + lowercase unpadded base32 of the first 15 bytes of sha256(public key)."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise BadInput(f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes", code="bad_key")
    digest = hashlib.sha256(public_key).digest()[:15]  # 120 bits -> exactly 24 base32 chars
    return NODE_ID_PREFIX + base64.b32encode(digest).decode("ascii").lower()


def key_fingerprint(public_key: bytes) -> str:
    """First 16 bytes of sha256(public key) as hex in groups of four, for reading aloud."""
    hexed = hashlib.sha256(public_key).hexdigest()[:32]
    return " ".join(hexed[i : i + 4] for i in range(0, len(hexed), 4))


@dataclass(frozen=True)
class KeyHistory:
    """The keys an origin has held: its current key, and each key it retired with the last
    seq it sealed under that key (announced, signed, in the rotation: docs/federation.md §4).

    A retired key is what a thief may hold after the rotation; it verifies no item numbered
    after its last seq, so a stolen old key cannot add items to the origin's stream.
    """

    current: bytes
    retired: tuple[tuple[bytes, int], ...] = ()  # (key, last seq sealed under it)

    def keys_for(self, seq: int) -> list[bytes]:
        """The keys that may verify this origin's item numbered `seq`: the one rule."""
        return [self.current, *(key for key, last in self.retired if seq <= last)]

    def retired_before(self, seq: int) -> list[bytes]:
        """The retired keys that may not verify item `seq` (to say why a signature failed)."""
        return [key for key, last in self.retired if seq > last]


@functools.lru_cache(maxsize=1024)
def _verify_key(public_key: bytes) -> VerifyKey:
    # why: peers are few and items many; decoding the point once per key saves work per item
    return VerifyKey(public_key)


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` under `public_key`."""
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        _verify_key(bytes(public_key)).verify(message, signature)
    except (CryptoError, ValueError):
        return False
    return True


def b64url(data: bytes) -> str:
    """Unpadded base64url, as signatures travel."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing any other spelling of the same bytes."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise BadInput("not base64url", code="bad_base64") from None
    if b64url(data) != text:  # why: one byte string has one spelling; no malleable encodings
        raise BadInput("not canonical base64url", code="bad_base64")
    return data
