"""Crypto wallet addresses, per chain: Bitcoin (base58check P2PKH/P2SH, bech32/bech32m segwit),
Ethereum and EVM chains (EIP-55 mixed-case checksum, Keccak-256), TRON (base58check, version byte
0x41).

Canonical value: the address in its canonical case (EIP-55 form for Ethereum, lower case for
bech32, base58 as is); `details["chain"]` names the chain. Specificity 1.0 (an address is one
wallet), except well-known contracts every transfer mentions (the USDT TRC-20 and ERC-20
contracts), which link nothing: 0.05.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import base58
from Crypto.Hash import keccak

from csnet.indicators.base import NO_HINT, Hint
from csnet.indicators.registry import register
from csnet.indicators.types import bech32
from csnet.indicators.types._common import IdentifierKind, refuse

_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
# Base58check version bytes of Bitcoin addresses (Bitcoin Core chainparams.cpp).
_BITCOIN_VERSIONS = {0x00: "mainnet", 0x05: "mainnet", 0x6F: "testnet", 0xC4: "testnet"}
_SEGWIT_NETWORKS = {"bc": "mainnet", "tb": "testnet", "bcrt": "regtest"}
_TRON_VERSION = 0x41
_CONTRACTS = frozenset(
    {
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",  # USDT TRC-20
        "0xdAC17F958D2ee523a2206206994597C13D831ec7",  # USDT ERC-20
    }
)
# The chains whose addresses are EVM addresses: same format, same checksum.
EVM_CHAINS = frozenset({"ethereum", "bsc", "polygon", "arbitrum", "optimism", "base", "avalanche"})
CHAINS = frozenset({"bitcoin", "tron"}) | EVM_CHAINS


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (the pre-standard padding, not NIST SHA3-256)."""
    return keccak.new(data=data, digest_bits=256).digest()


def eip55(address: str) -> str:
    """The EIP-55 mixed-case form of a 0x-prefixed 40-hex-digit address."""
    hex_part = address[2:].lower()
    digest = keccak256(hex_part.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(hex_part, digest, strict=False)
    )


def ethereum(text: str) -> str:
    if not _HEX_ADDRESS.fullmatch(text):
        raise refuse("an Ethereum address is 0x followed by 40 hexadecimal digits")
    body = text[2:]
    checksummed = eip55(text)
    # All one case carries no checksum (EIP-55); mixed case must match it exactly.
    if body not in {body.lower(), body.upper()} and text != checksummed:
        raise refuse("Ethereum address checksum does not match (EIP-55)")
    return checksummed


def _base58check(text: str, what: str) -> bytes:
    if not _BASE58.fullmatch(text):
        raise refuse(f"{what} address has characters outside base58 (0, O, I and l are not used)")
    try:
        payload = base58.b58decode_check(text)
    except ValueError:
        raise refuse(f"{what} address checksum does not match (base58check)") from None
    if len(payload) != 21:
        raise refuse(f"{what} address decodes to {len(payload)} bytes, expected 21")
    return payload


def tron(text: str) -> str:
    payload = _base58check(text, "TRON")
    if payload[0] != _TRON_VERSION:
        raise refuse(f"TRON address version byte is 0x{payload[0]:02x}, expected 0x41")
    return text


def bitcoin(text: str) -> tuple[str, str]:
    """(canonical address, network)."""
    hrp = text.lower().rpartition("1")[0]
    if hrp in _SEGWIT_NETWORKS:
        address = bech32.decode_segwit(hrp, text)
        return text.lower(), _SEGWIT_NETWORKS[address.hrp]
    payload = _base58check(text, "Bitcoin")
    network = _BITCOIN_VERSIONS.get(payload[0])
    if network is None:
        raise refuse(f"Bitcoin address version byte 0x{payload[0]:02x} is not P2PKH or P2SH")
    return text, network


def guess_chain(text: str) -> str:
    """The chain an address's shape points to, for values given without a chain hint."""
    if text.lower().startswith("0x"):
        return "ethereum"
    if text.startswith("T") and len(text) == 34:
        return "tron"
    if text[:1] in {"1", "3", "m", "n", "2"} or text.lower().startswith(("bc1", "tb1", "bcrt1")):
        return "bitcoin"
    raise refuse("not a Bitcoin, Ethereum or TRON address; give the chain if it is another one")


class Wallet(IdentifierKind):
    name = "wallet"
    label = "Crypto wallet"

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        text = super().clean(text)
        # Payment URIs (BIP-21 "bitcoin:…?amount=", EIP-681 "ethereum:…@1") carry the address.
        text = re.sub(r"^(bitcoin|ethereum|tron):", "", text, flags=re.IGNORECASE)
        return re.split(r"[?@/]", text, maxsplit=1)[0].strip()

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        chain = (hint.chain or guess_chain(text)).lower()
        if chain not in CHAINS:
            raise refuse(f"unsupported chain {chain!r}; known: {', '.join(sorted(CHAINS))}")
        if chain in EVM_CHAINS:
            return ethereum(text), {"chain": chain}
        if chain == "tron":
            return tron(text), {"chain": "tron"}
        address, network = bitcoin(text)
        return address, {"chain": "bitcoin", "network": network}

    def specificity(self, value: str) -> float:
        return 0.05 if value in _CONTRACTS else 1.0


register(Wallet())
