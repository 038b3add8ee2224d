"""Invitations expire and work once; nonces are remembered for the window and purged after."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from csnet.errors import BadInput, Unauthenticated
from csnet.federation import invitations, replay
from csnet.items.keys import b64url
from csnet.store.engine import Store
from csnet.store.tables import invitations as invitations_table


def _invite(store: Store, now: datetime, hours: int = 2) -> invitations.Invitation:
    with store.write() as conn:
        return invitations.create_invitation(
            conn,
            url="https://a.example",
            node_id="csn" + "a" * 24,
            fingerprint="ab",
            now=now,
            hours=hours,
        )


def test_token_round_trip_and_only_the_hash_is_stored(store: Store, now: datetime) -> None:
    invitation = _invite(store, now)
    decoded = invitations.decode_token(invitation.token())
    assert decoded == invitation
    assert decoded.expires == (now + timedelta(hours=2)).replace(microsecond=0)
    with store.read() as conn:
        rows = conn.execute(invitations_table.select()).all()
    assert len(rows) == 1 and invitation.secret not in str(rows[0])
    assert rows[0].secret_hash == invitations.secret_hash(invitation.secret)


def test_used_once(store: Store, now: datetime) -> None:
    invitation = _invite(store, now)
    with store.write() as conn:
        invitations.redeem(conn, invitation.secret, "csn" + "b" * 24, now)
    with pytest.raises(Unauthenticated) as caught, store.write() as conn:
        invitations.redeem(conn, invitation.secret, "csn" + "c" * 24, now)
    assert caught.value.error_code == "invitation_used"


def test_expired(store: Store, now: datetime) -> None:
    invitation = _invite(store, now, hours=1)
    later = now + timedelta(hours=1)
    with pytest.raises(Unauthenticated) as caught, store.write() as conn:
        invitations.redeem(conn, invitation.secret, "csn" + "b" * 24, later)
    assert caught.value.error_code == "invitation_expired"
    with store.write() as conn:  # still usable just before it expires
        invitations.redeem(conn, invitation.secret, "csn" + "b" * 24, later - timedelta(seconds=1))


def test_unknown_secret(store: Store, now: datetime) -> None:
    with pytest.raises(Unauthenticated) as caught, store.read() as conn:
        invitations.check(conn, "guess", now)
    assert caught.value.error_code == "bad_invitation"


@pytest.mark.parametrize("hours", [0, -1, 24 * 15])
def test_lifetime_bounds(store: Store, now: datetime, hours: int) -> None:
    with pytest.raises(BadInput):
        _invite(store, now, hours)


@pytest.mark.parametrize("token", ["", "!!", b64url(b"[1]"), b64url(b'{"url":1}')])
def test_bad_tokens(token: str) -> None:
    with pytest.raises(BadInput) as caught:
        invitations.decode_token(token)
    assert caught.value.error_code == "bad_invitation"


def test_nonce_seen_once_then_purged(store: Store, now: datetime) -> None:
    at = int(now.timestamp())
    with store.write() as conn:
        assert replay.remember(conn, "csnx", "nonce-1", at, now)
        assert not replay.remember(conn, "csnx", "nonce-1", at, now)
        assert replay.remember(conn, "csny", "nonce-1", at, now)  # per origin
    with store.write() as conn:
        assert replay.purge(conn, now + timedelta(seconds=300)) == 0
        assert replay.purge(conn, now + timedelta(seconds=301)) == 2
