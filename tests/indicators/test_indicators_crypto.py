"""Bech32/Bech32m and wallet addresses: the BIP-173/BIP-350 vectors, the EIP-55 examples, and
well-known Bitcoin and TRON addresses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from csnet.indicators import registry
from csnet.indicators.base import Hint, InvalidIdentifier
from csnet.indicators.types import bech32
from csnet.indicators.types.wallets import eip55, keccak256

VECTORS: dict[str, list[dict[str, Any]]] = json.loads(
    (Path(__file__).parent / "vectors" / "bech32_bech32m_vectors.json").read_text("utf-8")
)


def _strings(key: str) -> list[str]:
    return [entry["string"] for entry in VECTORS[key]]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(s, bech32.Encoding.BECH32) for s in _strings("valid_bech32")]
    + [(s, bech32.Encoding.BECH32M) for s in _strings("valid_bech32m")],
)
def test_valid_bech32_strings_decode_with_their_checksum(
    text: str, encoding: bech32.Encoding
) -> None:
    decoded = bech32.decode(text)
    assert decoded.encoding is encoding
    assert bech32.encode(decoded.hrp, decoded.data, encoding) == text.lower()


@pytest.mark.parametrize(
    ("text", "variant"),
    [(s, bech32.Encoding.BECH32) for s in _strings("invalid_bech32")]
    + [(s, bech32.Encoding.BECH32M) for s in _strings("invalid_bech32m")],
)
def test_invalid_bech32_strings_are_refused(text: str, variant: bech32.Encoding) -> None:
    # As in the reference tests: a string invalid under one variant may be valid under the other.
    try:
        decoded = bech32.decode(text)
    except InvalidIdentifier:
        return
    assert decoded.encoding is not variant


@pytest.mark.parametrize("entry", VECTORS["valid_segwit_address"], ids=lambda e: e["address"])
def test_valid_segwit_addresses_give_their_script(entry: dict[str, Any]) -> None:
    address = bech32.decode_segwit(entry["hrp"], entry["address"])
    assert address.version == entry["witness_version"]
    assert address.script_pubkey.hex() == entry["scriptpubkey_hex"]
    assert bech32.encode_segwit(entry["hrp"], address.version, address.program) == (
        entry["address"].lower()
    )


@pytest.mark.parametrize("entry", VECTORS["invalid_segwit_address"], ids=lambda e: e["reason"])
@pytest.mark.parametrize("hrp", ["bc", "tb"])
def test_invalid_segwit_addresses_are_refused(entry: dict[str, str], hrp: str) -> None:
    with pytest.raises(InvalidIdentifier):
        bech32.decode_segwit(hrp, entry["address"])


@pytest.mark.parametrize(
    "entry", VECTORS["invalid_segwit_address_encode"], ids=lambda e: e["reason"] + str(e)
)
def test_impossible_witness_programs_do_not_encode(entry: dict[str, Any]) -> None:
    with pytest.raises(InvalidIdentifier):
        bech32.encode_segwit(entry["hrp"], entry["witness_version"], bytes(entry["program_length"]))


@pytest.mark.parametrize("entry", VECTORS["valid_segwit_address"], ids=lambda e: e["address"])
def test_mainnet_and_testnet_segwit_addresses_are_bitcoin_wallets(entry: dict[str, Any]) -> None:
    if entry["hrp"] not in {"bc", "tb"}:
        pytest.skip("not a Bitcoin network")
    indicator = registry.parse("wallet", entry["address"])
    assert indicator.value == entry["address"].lower()
    assert indicator.details["chain"] == "bitcoin"
    assert indicator.details["network"] == {"bc": "mainnet", "tb": "testnet"}[entry["hrp"]]


def test_a_bech32_checksum_on_a_taproot_address_is_refused_with_the_reason() -> None:
    bad = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"
    with pytest.raises(InvalidIdentifier, match=r"witness version 1 must use bech32m"):
        registry.parse("wallet", bad)


def test_keccak_is_not_sha3() -> None:
    # Keccak-256 of the empty string, as Ethereum computes it; SHA3-256 gives a7ffc6f8….
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


EIP55_EXAMPLES = [  # EIP-55 "Test Cases": all caps, all lower, mixed
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_EXAMPLES)
def test_eip55_examples_are_their_own_checksummed_form(address: str) -> None:
    assert eip55(address) == address
    indicator = registry.parse("wallet", address)
    assert indicator.value == address
    assert indicator.details == {"chain": "ethereum"}
    assert indicator.specificity == 1.0


@pytest.mark.parametrize("address", EIP55_EXAMPLES[4:])
def test_single_case_ethereum_addresses_are_given_their_checksummed_form(address: str) -> None:
    assert registry.parse("wallet", address.lower()).value == address
    assert registry.parse("wallet", "0x" + address[2:].upper()).value == address


@pytest.mark.parametrize("address", EIP55_EXAMPLES[4:])
def test_a_wrong_mixed_case_ethereum_address_is_refused(address: str) -> None:
    flipped = address[:2] + address[2:].swapcase()
    with pytest.raises(InvalidIdentifier, match=r"checksum does not match \(EIP-55\)"):
        registry.parse("wallet", flipped)


@pytest.mark.parametrize(
    ("text", "chain", "value", "details"),
    [
        # The genesis block's coinbase address (P2PKH) and the BIP-13/16 style P2SH example.
        (
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            None,
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            {"chain": "bitcoin", "network": "mainnet"},
        ),
        (
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            None,
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            {"chain": "bitcoin", "network": "mainnet"},
        ),
        (
            "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.1",
            None,
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            {"chain": "bitcoin", "network": "mainnet"},
        ),
        # USDT TRC-20 contract (DESIGN §8) and the all-zero TRON address.
        (
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            None,
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            {"chain": "tron"},
        ),
        (
            "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb",
            "tron",
            "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb",
            {"chain": "tron"},
        ),
        (
            "0xde709f2102306220921060314715629080e2fb77",
            "bsc",
            "0xde709f2102306220921060314715629080e2fb77",
            {"chain": "bsc"},
        ),
    ],
)
def test_known_addresses(text: str, chain: str | None, value: str, details: dict[str, str]) -> None:
    indicator = registry.parse("wallet", text, Hint(chain=chain))
    assert indicator.value == value
    assert dict(indicator.details) == details


@pytest.mark.parametrize(
    ("text", "chain", "reason"),
    [
        (
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
            None,
            "Bitcoin address checksum does not match (base58check)",
        ),
        (
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
            None,
            "TRON address checksum does not match (base58check)",
        ),
        (
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "tron",
            "TRON address version byte is 0x00, expected 0x41",
        ),
        (
            "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb",
            "bitcoin",
            "Bitcoin address version byte 0x41 is not P2PKH or P2SH",
        ),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7Div0Na", None, "characters outside base58"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", None, "0x followed by 40 hexadecimal"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "solana", "unsupported chain 'solana'"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", None, "bech32 checksum does not match"),
        ("hello", None, "not a Bitcoin, Ethereum or TRON address"),
    ],
)
def test_refusals_say_why(text: str, chain: str | None, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        registry.parse("wallet", text, Hint(chain=chain))
    assert reason in caught.value.message


def test_the_usdt_contract_links_nothing() -> None:
    wallet = registry.get("wallet")
    assert wallet.specificity("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t") == 0.05
    assert wallet.specificity("T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb") == 1.0
