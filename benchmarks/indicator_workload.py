"""The workload of bench_correlation.py: canonical indicator values by number, and items.

Values are generated directly in the canonical form the indicators registry produces (the
benchmark parses a sample back before its run; tests/correlation/test_bench_correlation.py
checks more). Most values appear once; one occurrence in five repeats a value of a recurring
pool (a tenth of n) with 1/rank odds, so a few values recur in thousands of items.
"""

from __future__ import annotations

import hashlib
import math
import random
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate

import base58

from csnet.indicators import registry
from csnet.indicators.base import InvalidIdentifier
from csnet.indicators.types.bech32 import encode_segwit
from csnet.indicators.types.mid import MID_COUNTRY
from csnet.indicators.types.vessels import imo_check_digit
from csnet.indicators.types.wallets import eip55

REPEAT_SHARE = 0.2  # share of occurrences that repeat a value of the recurring pool
POOL_SHARE = 0.1  # size of the recurring pool, as a share of --n
ORIGINS = 40  # nodes the items come from
PROTECTED_SHARE = 0.05  # items about a victim or smuggled migrant
ITEM_SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
ITEM_SIZE_WEIGHTS = (20, 22, 18, 14, 10, 7, 5, 4)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------
# Values: value number i (an int) → one canonical value, injective per type, valid for its type.


def _digits(j: int, width: int) -> str:
    """j scrambled over `width` digits by an affine map mod 10**width: a bijection (the factor
    is coprime with 10), so distinct j < 10**width give distinct numbers that look random."""
    modulus = 10**width
    if j >= modulus:
        raise ValueError(f"value number {j} beyond {modulus}: too many values of one kind")
    return str((j * 7_919_113 + 1_234_567) % modulus).zfill(width)


def _base36(j: int) -> str:
    alphabet = string.digits + string.ascii_lowercase
    out = ""
    while True:
        j, r = divmod(j, 36)
        out = alphabet[r] + out
        if j == 0:
            return out


def _bytes20(i: int, kind: str) -> bytes:
    return hashlib.blake2b(f"{kind}:{i}".encode(), digest_size=20).digest()


# (prefix, free digits): mobile ranges of the countries on the routes, valid in libphonenumber
PHONE_RANGES = (
    ("+9230", 8),  # Pakistan
    ("+9234", 8),
    ("+21891", 7),  # Libya
    ("+21892", 7),
    ("+90532", 7),  # Turkey
    ("+90555", 7),
    ("+30694", 7),  # Greece
    ("+30697", 7),
    ("+39347", 7),  # Italy
    ("+39333", 7),
    ("+2010", 8),  # Egypt
    ("+2012", 8),
    ("+9370", 7),  # Afghanistan
    ("+88017", 8),  # Bangladesh
    ("+96279", 7),  # Jordan
)


def phone(i: int) -> str:
    prefix, width = PHONE_RANGES[i % len(PHONE_RANGES)]
    return prefix + _digits(i // len(PHONE_RANGES), width)


def whatsapp(i: int) -> str:
    return phone(i)  # the canonical WhatsApp value of a number is its E.164 form


def telegram(i: int) -> str:
    return f"id:-100{_digits(i, 10)}" if i % 5 == 0 else f"user_{_base36(i * 7_919 + 50_000)}"


SOCIAL_PLATFORMS = ("facebook", "tiktok", "instagram", "x")


def social(i: int) -> str:
    platform = SOCIAL_PLATFORMS[i % len(SOCIAL_PLATFORMS)]
    return f"{platform}:acct{_base36(i).zfill(4)}"  # fits every platform's rule (5-15 chars)


MAIL_PROVIDERS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "mail.ru", "proton.me")


def email(i: int) -> str:
    return f"agent.{_base36(i)}@{MAIL_PROVIDERS[i % len(MAIL_PROVIDERS)]}"


def domain(i: int) -> str:
    return f"travel-{_base36(i)}.com"


def url(i: int) -> str:
    return f"https://visa-{_base36(i // 4)}.net/offer/{i % 4}"


def wallet(i: int) -> str:
    chain = i % 4
    raw = _bytes20(i, "wallet")
    if chain == 0:
        return encode_segwit("bc", 0, raw)
    if chain == 1:
        return base58.b58encode_check(b"\x00" + raw).decode()
    if chain == 2:
        return eip55("0x" + raw.hex())
    return base58.b58encode_check(b"\x41" + raw).decode()  # TRON


def _iban(country: str, bban: str) -> str:
    # ISO 13616 check digits: 98 - (BBAN + country letters as numbers + "00") mod 97
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def iban(i: int) -> str:
    if i % 2:
        return _iban("TR", "00061" + "0" + _digits(i // 2, 16))
    return _iban("LT", "10000" + _digits(i // 2, 11))


DOCUMENT_STATES = ("PAK", "AFG", "SYR", "EGY", "BGD", "LBY", "TUR", "IRQ")


def document(i: int) -> str:
    state = DOCUMENT_STATES[i % len(DOCUMENT_STATES)]
    kind = "P" if i % 10 else "I"
    return f"{state}:{kind}:A{_digits(i // len(DOCUMENT_STATES), 8)}"


MIDS = sorted(k for k in MID_COUNTRY if k[0] in "234567")  # ship stations: MID first


def vessel(i: int) -> str:
    if i % 4 == 0 and i // 4 < 900_000:
        six = str(100_000 + (i // 4))
        return f"imo:{six}{imo_check_digit(six)}"
    return f"mmsi:{MIDS[i % len(MIDS)]}{_digits(i // len(MIDS), 6)}"


PLATE_COUNTRIES = ("GR", "IT", "TR", "BG", "MK", "RS", "HU", "AT")


def plate(i: int) -> str:
    country = PLATE_COUNTRIES[i % len(PLATE_COUNTRIES)]
    j = i // len(PLATE_COUNTRIES)
    letters = "".join(string.ascii_uppercase[(j // 26**k) % 26] for k in range(3))
    return f"{country}:{letters}{_digits(j // 26**3, 4)}"


@dataclass(frozen=True)
class Kind:
    type: str
    weight: float
    make: Callable[[int], str]


MIX = (
    Kind("phone", 40, phone),
    Kind("whatsapp", 8, whatsapp),
    Kind("telegram", 7, telegram),
    Kind("social", 5, social),
    Kind("email", 8, email),
    Kind("url", 4, url),
    Kind("domain", 3, domain),
    Kind("wallet", 8, wallet),
    Kind("iban", 5, iban),
    Kind("document", 6, document),
    Kind("vessel", 2, vessel),
    Kind("plate", 4, plate),
)
_CUMULATIVE = list(accumulate(k.weight for k in MIX))


def value_of(number: int) -> tuple[str, str]:
    """(type, canonical value) of value number `number`: its type by a hash of the number (so
    the mix holds for any range of numbers), its value from the number itself (injective)."""
    point = int.from_bytes(hashlib.blake2b(number.to_bytes(8), digest_size=4).digest())
    target = point / 2**32 * _CUMULATIVE[-1]
    for kind, bound in zip(MIX, _CUMULATIVE, strict=True):
        if target < bound:
            return kind.type, kind.make(number)
    return MIX[-1].type, MIX[-1].make(number)


def check_canonical_value(kind: str, value: str) -> str | None:
    """Why `value` is not what the registry stores for it as `kind`, or None."""
    try:
        parsed = registry.parse(kind, value)
    except InvalidIdentifier as exc:
        return f"{kind}:{value}: {exc}"
    if (parsed.type, parsed.value) != (kind, value):
        return f"{kind}:{value} → {parsed.type}:{parsed.value}"
    return None


def check_canonical(numbers: Iterable[int]) -> list[str]:
    """The problems of the values of these value numbers (none: all parse to themselves)."""
    problems = (check_canonical_value(*value_of(number)) for number in numbers)
    return [problem for problem in problems if problem]


# ---------------------------------------------------------------------------------------------
# Items: which value numbers each item carries.


@dataclass
class Workload:
    """The items of a load: fresh values appear once; pool values recur with 1/rank odds."""

    n: int
    seed: int = 7
    pool: int = 0
    counts: Counter[int] = field(default_factory=Counter)  # pool value number → occurrences

    def __post_init__(self) -> None:
        self.pool = max(10, int(self.n * POOL_SHARE))

    def items(self) -> Iterator[list[int]]:
        """Value numbers per item, distinct within an item, n occurrences in all."""
        rng = random.Random(self.seed)
        fresh, left = 0, self.n
        log_pool = math.log(self.pool + 1)
        while left > 0:
            size = min(left, rng.choices(ITEM_SIZES, ITEM_SIZE_WEIGHTS)[0])
            numbers: list[int] = []
            while len(numbers) < size:
                if rng.random() < REPEAT_SHARE:
                    rank = int(math.exp(rng.random() * log_pool))  # P(rank) ∝ 1/rank
                    number = self.n + min(rank, self.pool) - 1
                    if number in numbers:
                        continue
                    self.counts[number] += 1
                else:
                    number, fresh = fresh, fresh + 1
                numbers.append(number)
            left -= size
            yield numbers

    def pairs(self, cap: int | None = None) -> int:
        """Rows a pairwise design stores: pairs of items sharing a value (fresh values, seen
        once, share with nobody); with `cap`, only among the first `cap` items of a value."""
        return sum(math.comb(min(c, cap or c), 2) for c in self.counts.values())
