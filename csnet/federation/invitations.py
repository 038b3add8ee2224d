"""One-time, expiring invitations.

The token handed to the other agency (out of band) is the unpadded base64url of the canonical JSON
{"expires", "fingerprint", "node_id", "secret", "url"}. Only sha256(secret) is stored; redeeming
marks it used, so a token works once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from csnet.errors import BadInput, CsnetError, Unauthenticated
from csnet.items import strict_json
from csnet.items.canonical import canonical_json
from csnet.items.keys import b64url, b64url_decode
from csnet.store.tables import invitations

MAX_HOURS = 24 * 14
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Invitation:
    url: str
    node_id: str
    fingerprint: str
    secret: str
    expires: datetime

    def token(self) -> str:
        return b64url(canonical_json(self.to_json()))

    def to_json(self) -> dict[str, str]:
        return {
            "url": self.url,
            "node_id": self.node_id,
            "fingerprint": self.fingerprint,
            "secret": self.secret,
            "expires": self.expires.astimezone(UTC).strftime(TIME_FORMAT),
        }


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def decode_token(token: str) -> Invitation:
    """Parse a token; BadInput(bad_invitation) when it is not one."""
    try:
        data = strict_json.loads(b64url_decode(token.strip()), what="invitation")
        fields = {k: data[k] for k in ("url", "node_id", "fingerprint", "secret", "expires")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise TypeError
        expires = datetime.strptime(fields.pop("expires"), TIME_FORMAT).replace(tzinfo=UTC)
    except (CsnetError, ValueError, KeyError, TypeError):
        raise BadInput("not a csnet invitation token", code="bad_invitation") from None
    return Invitation(**fields, expires=expires)


def create_invitation(
    conn: Connection, *, url: str, node_id: str, fingerprint: str, now: datetime, hours: int
) -> Invitation:
    if not 1 <= hours <= MAX_HOURS:
        raise BadInput(f"an invitation lasts 1 to {MAX_HOURS} hours", code="bad_invitation")
    expires = (now + timedelta(hours=hours)).replace(microsecond=0)
    invitation = Invitation(url, node_id, fingerprint, secrets.token_urlsafe(32), expires)
    conn.execute(
        insert(invitations).values(
            secret_hash=secret_hash(invitation.secret), created=now, expires=expires
        )
    )
    return invitation


def check(conn: Connection, secret: str, now: datetime) -> None:
    """Refuse an unknown, used or expired secret (401, each with its own code)."""
    row = conn.execute(
        select(invitations).where(invitations.c.secret_hash == secret_hash(secret))
    ).first()
    if row is None:
        raise Unauthenticated("unknown invitation", code="bad_invitation")
    if row.used is not None:
        raise Unauthenticated("this invitation was already used", code="invitation_used")
    expires = row.expires if row.expires.tzinfo else row.expires.replace(tzinfo=UTC)
    if expires <= now:
        raise Unauthenticated("this invitation has expired", code="invitation_expired")


def redeem(conn: Connection, secret: str, node_id: str, now: datetime) -> None:
    """Check and mark used by `node_id`, in the caller's write transaction."""
    check(conn, secret, now)
    conn.execute(
        update(invitations)
        .where(invitations.c.secret_hash == secret_hash(secret), invitations.c.used.is_(None))
        .values(used=now, used_by=node_id)
    )
