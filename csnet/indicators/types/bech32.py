"""Bech32 (BIP-173) and Bech32m (BIP-350) decoding, and segwit addresses on top of them.

Written here because the `bech32` package on PyPI (1.2.0) predates BIP-350 and knows no bech32m,
which every Taproot address (witness version 1) uses. Follows the reference implementation
(sipa/bech32, ref/python) and is checked against the BIPs' own test vectors. Errors carry the
reason a person can act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from csnet.indicators.base import InvalidIdentifier

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_MAX_LENGTH = 90  # BIP-173: a whole string is at most 90 characters


class Encoding(Enum):
    BECH32 = 1  # BIP-173 checksum constant
    BECH32M = 0x2BC830A3  # BIP-350 checksum constant


@dataclass(frozen=True)
class Decoded:
    hrp: str
    data: list[int]  # 5-bit groups, checksum removed
    encoding: Encoding


def _polymod(values: Iterable[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_GENERATOR):
            chk ^= gen if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _checksum(hrp: str, data: list[int], encoding: Encoding) -> list[int]:
    polymod = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ encoding.value
    return [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]


def encode(hrp: str, data: list[int], encoding: Encoding) -> str:
    return hrp + "1" + "".join(CHARSET[d] for d in data + _checksum(hrp, data, encoding))


def decode(text: str) -> Decoded:
    """Decode a Bech32 or Bech32m string (either case, never mixed); InvalidIdentifier if not."""
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise InvalidIdentifier("bech32 string has a character out of range")
    if text.lower() != text and text.upper() != text:
        raise InvalidIdentifier("bech32 string mixes upper and lower case")
    if len(text) > _MAX_LENGTH:
        raise InvalidIdentifier(f"bech32 string is longer than {_MAX_LENGTH} characters")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1:
        raise InvalidIdentifier("bech32 string has no human-readable part before the separator 1")
    if pos + 7 > len(text):
        raise InvalidIdentifier("bech32 checksum is too short")
    hrp, rest = text[:pos], text[pos + 1 :]
    bad = [c for c in rest if c not in CHARSET]
    if bad:
        raise InvalidIdentifier(f"bech32 data has an invalid character {bad[0]!r}")
    data = [CHARSET.find(c) for c in rest]
    const = _polymod(_hrp_expand(hrp) + data)
    for encoding in Encoding:
        if const == encoding.value:
            return Decoded(hrp, data[:-6], encoding)
    raise InvalidIdentifier("bech32 checksum does not match (BIP-173/BIP-350)")


def convertbits(data: Iterable[int], frombits: int, tobits: int, pad: bool) -> list[int] | None:
    """Regroup bits (5-bit groups ↔ bytes); None when the padding is not zero or too long."""
    acc, bits, out = 0, 0, []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & maxv):
        return None
    return out


@dataclass(frozen=True)
class SegwitAddress:
    hrp: str
    version: int
    program: bytes

    @property
    def script_pubkey(self) -> bytes:
        op = self.version + 0x50 if self.version else 0
        return bytes([op, len(self.program)]) + self.program


def decode_segwit(hrp: str, address: str) -> SegwitAddress:
    """A segwit address for network `hrp` ("bc", "tb", "bcrt"), checked per BIP-173 and BIP-350."""
    decoded = decode(address)
    if decoded.hrp != hrp:
        raise InvalidIdentifier(f"segwit address is for {decoded.hrp!r}, expected {hrp!r}")
    if not decoded.data:
        raise InvalidIdentifier("segwit address has no witness version")
    version = decoded.data[0]
    program = convertbits(decoded.data[1:], 5, 8, pad=False)
    _check_program(version, program)
    assert program is not None  # _check_program refuses None
    expected = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    if decoded.encoding != expected:
        raise InvalidIdentifier(
            f"witness version {version} must use {expected.name.lower()} (BIP-350), "
            f"not {decoded.encoding.name.lower()}"
        )
    return SegwitAddress(hrp, version, bytes(program))


def _check_program(version: int, program: list[int] | None) -> None:
    if version > 16:
        raise InvalidIdentifier(f"witness version {version} is above 16")
    if program is None:
        raise InvalidIdentifier("segwit program has non-zero or excess padding")
    if not 2 <= len(program) <= 40:
        raise InvalidIdentifier(f"segwit program is {len(program)} bytes, expected 2 to 40")
    if version == 0 and len(program) not in {20, 32}:
        raise InvalidIdentifier(f"witness v0 program is {len(program)} bytes, expected 20 or 32")


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    """The address for a witness program; InvalidIdentifier for an impossible one."""
    if hrp.lower() != hrp:
        raise InvalidIdentifier("segwit human-readable part must be lower case")
    _check_program(version, list(program))
    encoding = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    five = convertbits(program, 8, 5, pad=True)
    assert five is not None  # bytes always regroup
    address = encode(hrp, [version, *five], encoding)
    decode_segwit(hrp, address)
    return address
