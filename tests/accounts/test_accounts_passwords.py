"""Password rules and argon2id hashing; TOTP codes, drift and replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from argon2 import PasswordHasher

from csnet.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from csnet.accounts.totp import code_at, match_step, new_secret, provisioning_uri, time_step
from csnet.errors import BadInput
from csnet.password_hashing import production_hasher


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("", False),
        ("x" * (MIN_LENGTH - 1), False),
        ("x" * MIN_LENGTH, True),
        ("pässwörd ünïcode ✓", True),
        ("x" * MAX_LENGTH, True),
        ("x" * (MAX_LENGTH + 1), False),
    ],
)
def test_password_length_rules(hasher: PasswordHasher, password: str, ok: bool) -> None:
    if ok:
        stored = hash_password(password, hasher)
        assert stored.startswith("$argon2id$")
        assert password not in stored
        assert verify_password(stored, password, hasher)
    else:
        with pytest.raises(BadInput, match="password must be"):
            hash_password(password, hasher)


@pytest.mark.parametrize(
    ("stored", "given", "ok"),
    [
        ("GOOD", "correct horse battery staple", True),
        ("GOOD", "correct horse battery stapl", False),
        ("GOOD", "x" * (MAX_LENGTH + 1), False),
        ("$argon2id$garbage", "correct horse battery staple", False),
        ("not a hash at all", "correct horse battery staple", False),
    ],
)
def test_verify_password_never_raises(
    hasher: PasswordHasher, stored: str, given: str, ok: bool
) -> None:
    if stored == "GOOD":
        stored = hash_password("correct horse battery staple", hasher)
    assert verify_password(stored, given, hasher) is ok


def test_hashes_made_with_other_parameters_need_rehash(hasher: PasswordHasher) -> None:
    stored = hash_password("correct horse battery staple", hasher)
    assert not needs_rehash(stored, hasher)
    assert needs_rehash(stored, production_hasher())
    assert production_hasher().type.name == "ID"  # argon2id


def test_new_secret_is_160_bit_base32() -> None:
    secret = new_secret()
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert secret != new_secret()


def test_provisioning_uri() -> None:
    secret = new_secret()
    uri = provisioning_uri(secret, "alice", "PK-FIA csnet")
    parsed = urlparse(uri)
    query = parse_qs(parsed.query)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert "alice" in parsed.path
    assert query["secret"] == [secret] and query["issuer"] == ["PK-FIA csnet"]


def test_rfc6238_vector() -> None:
    # RFC 6238 Appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → last 6 digits 287082.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    at = datetime.fromtimestamp(59, tz=UTC)
    assert code_at(secret, at) == "287082"


@pytest.mark.parametrize(
    ("offset_s", "accepted"),
    [(0, True), (-30, True), (30, True), (-60, False), (60, False), (-3600, False)],
)
def test_totp_accepts_one_step_of_drift(now: datetime, offset_s: int, accepted: bool) -> None:
    secret = new_secret()
    code = code_at(secret, now + timedelta(seconds=offset_s))
    step = match_step(secret, code, now, None)
    assert (step is not None) is accepted
    if accepted:
        assert step == time_step(now + timedelta(seconds=offset_s))


def test_totp_rejects_replay_and_older_codes(now: datetime) -> None:
    secret = new_secret()
    current = code_at(secret, now)
    step = match_step(secret, current, now, None)
    assert step == time_step(now)
    assert match_step(secret, current, now, step) is None  # replay
    earlier = code_at(secret, now - timedelta(seconds=30))
    assert match_step(secret, earlier, now, step) is None  # older than the last one used
    later = code_at(secret, now + timedelta(seconds=30))
    assert match_step(secret, later, now, step) == step + 1


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６", None, 123456])
def test_malformed_codes_are_refused(now: datetime, code: object) -> None:
    assert match_step(new_secret(), code, now, None) is None  # type: ignore[arg-type]


def test_code_with_a_space_is_accepted(now: datetime) -> None:
    secret = new_secret()
    code = code_at(secret, now)
    assert match_step(secret, f"{code[:3]} {code[3:]}", now, None) == time_step(now)
