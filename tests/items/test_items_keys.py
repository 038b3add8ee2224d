"""Node keys: RFC 8032 vectors pin the library; node ids and fingerprints have fixed shapes."""

from __future__ import annotations

import re

import pytest

from csnet.errors import BadInput
from csnet.items.keys import (
    NodeKey,
    b64url,
    b64url_decode,
    key_fingerprint,
    node_id_for,
    verify_signature,
)

# RFC 8032 §7.1 TEST 1 and TEST 2 (Ed25519).
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555f"
        "b8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da08"
        "5ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032)
def test_rfc8032_vectors(seed: str, public: str, message: str, signature: str) -> None:
    key = NodeKey.from_seed(bytes.fromhex(seed))
    assert key.public_key.hex() == public
    assert key.sign(bytes.fromhex(message)).hex() == signature
    assert verify_signature(key.public_key, bytes.fromhex(message), bytes.fromhex(signature))


def test_fixed_seed_identity(key: NodeKey) -> None:
    assert key.public_key.hex() == (
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
    )
    assert key.node_id == "csnkzdvvj2umnduyauf35o36k6k"
    assert node_id_for(key.public_key) == key.node_id
    assert key_fingerprint(key.public_key) == "5647 5aa7 5463 474c 0285 df5d bf2b cab7"


def test_generated_keys_round_trip_through_their_seed() -> None:
    key = NodeKey.generate()
    again = NodeKey.from_seed(key.seed)
    assert again.public_key == key.public_key
    assert re.fullmatch(r"csn[a-z2-7]{24}", key.node_id)
    assert key.node_id != NodeKey.generate().node_id


def test_repr_hides_the_seed(key: NodeKey) -> None:
    assert key.seed.hex() not in repr(key)
    assert key.node_id in repr(key)


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_bad_seed_length(size: int) -> None:
    with pytest.raises(BadInput):
        NodeKey.from_seed(bytes(size))


def test_node_id_needs_a_32_byte_key() -> None:
    with pytest.raises(BadInput):
        node_id_for(b"short")


def test_verify_signature_refuses_wrong_inputs(key: NodeKey, other_key: NodeKey) -> None:
    sig = key.sign(b"m")
    assert verify_signature(key.public_key, b"m", sig)
    assert not verify_signature(other_key.public_key, b"m", sig)
    assert not verify_signature(key.public_key, b"n", sig)
    assert not verify_signature(key.public_key, b"m", sig[:-1])
    assert not verify_signature(b"\x00" * 31, b"m", sig)


def test_b64url_is_unpadded_and_has_one_spelling() -> None:
    assert b64url(b"\xff\xfe") == "__4"
    assert b64url_decode("__4") == b"\xff\xfe"
    with pytest.raises(BadInput):
        b64url_decode("__5")  # same bytes, non-zero trailing bits
    with pytest.raises(BadInput):
        b64url_decode("a")
