"""The one MetaData. Item bodies are stored as canonical JSON; projections hold what is queried."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

node_meta = Table(
    "node_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("totp_secret", String(64), nullable=False),
    Column("language", String(8), nullable=False, default="en"),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("last_totp_step", BigInteger),
    Column("created", DateTime(timezone=True), nullable=False),
)

# Failed-login counters, keyed by a hash of what is counted (a username at an address, a
# username, an address): unknown usernames are counted like known ones, and no name is kept.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False, index=True),
    Column("locked_until", DateTime(timezone=True)),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("member_id", String(40), ForeignKey("members.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", JSON, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("expires", DateTime(timezone=True), nullable=False),
    Column("revoked", DateTime(timezone=True)),
    Column("last_used", DateTime(timezone=True)),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("member_id", String(40), ForeignKey("members.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("expires", DateTime(timezone=True), nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("origin", String(40), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("author", String(128), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("tlp", String(20), nullable=False),
    Column("supersedes", String(64)),
    Column("replies_to", String(64)),
    Column("refers_to", String(64)),
    Column("envelope", LargeBinary, nullable=False),  # canonical signed bytes, verbatim
    Column("superseded_by", String(64)),
    Column("tombstoned", Boolean, nullable=False, default=False),
    Column("received", DateTime(timezone=True), nullable=False),
    UniqueConstraint("origin", "seq", name="uq_items_origin_seq"),
)
Index("ix_items_kind_created", items.c.kind, items.c.created)
Index("ix_items_replies_to", items.c.replies_to)
Index("ix_items_refers_to", items.c.refers_to)
Index("ix_items_supersedes", items.c.supersedes)  # 0012: corrections found by target

item_audience = Table(
    "item_audience",
    metadata,
    Column("item_id", String(64), ForeignKey("items.id"), primary_key=True),
    Column("target", String(140), primary_key=True),  # "node:<id>" or "group:<name>"
)
Index("ix_item_audience_target", item_audience.c.target)

origin_sequence = Table(
    "origin_sequence",
    metadata,
    Column("origin", String(40), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),  # RFC 3339 text, exactly as hashed
    Column("actor", String(120), nullable=False),
    Column("action", String(32), nullable=False),
    Column("item_id", String(64)),
    Column("justification", Text),
    Column("recipients", Text, nullable=False),  # canonical JSON list, exactly as hashed
    Column("details", Text, nullable=False),  # canonical JSON object, exactly as hashed
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_log_item_id", audit_log.c.item_id)

# Federation (0002): peers keyed by the node id learned at the handshake, which stays stable
# across key rotations; peer_keys keeps every key a peer has held, for verifying old items.
peers = Table(
    "peers",
    metadata,
    Column("node_id", String(40), primary_key=True),
    Column("name", String(32), nullable=False),
    Column("country", String(2), nullable=False),
    Column("agency", String(200), nullable=False),
    Column("url", String(500), nullable=False),
    Column("public_key", String(64), nullable=False),  # current key, unpadded base64url
    Column("status", String(16), nullable=False),  # active | suspended | revoked
    Column("added", DateTime(timezone=True), nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
)

peer_keys = Table(
    "peer_keys",
    metadata,
    Column("node_id", String(40), ForeignKey("peers.node_id"), primary_key=True),
    Column("public_key", String(64), primary_key=True),
    Column("added", DateTime(timezone=True), nullable=False),
    Column("retired", DateTime(timezone=True)),
    # the last seq the peer sealed under this key, as its rotation announced (0013)
    Column("last_seq", BigInteger),
)

invitations = Table(
    "invitations",
    metadata,
    Column("secret_hash", String(64), primary_key=True),  # sha256 hex; the secret is not kept
    Column("created", DateTime(timezone=True), nullable=False),
    Column("expires", DateTime(timezone=True), nullable=False),
    Column("used", DateTime(timezone=True)),
    Column("used_by", String(40)),
)

request_nonces = Table(
    "request_nonces",
    metadata,
    Column("origin", String(40), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("at", BigInteger, nullable=False),  # the request's signed time, unix seconds
)
Index("ix_request_nonces_at", request_nonces.c.at)

# Delivery (0003): a durable per-peer outbox, written in the same transaction that stores the
# items, and pull cursors (the last origin seq fetched from a peer, per origin).
outbox = Table(
    "outbox",
    metadata,
    Column("peer", String(40), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("origin", String(40), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("enqueued", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt", DateTime(timezone=True), nullable=False),
)
Index("ix_outbox_next_attempt", outbox.c.next_attempt)
Index("ix_outbox_peer_order", outbox.c.peer, outbox.c.origin, outbox.c.seq)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("peer", String(40), primary_key=True),
    Column("origin", String(40), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

# Sharing groups (0004): this node's view of every group it owns or belongs to, as set by the
# newest membership item from the group's owner (`version` is that item's seq at the owner).
sharing_groups = Table(
    "sharing_groups",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("owner", String(40), nullable=False),
    Column("created", String(40), nullable=False),  # RFC 3339 text, exactly as in the group id
    Column("version", BigInteger, nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", String(40), ForeignKey("sharing_groups.id"), primary_key=True),
    Column("node_id", String(40), primary_key=True),
)
Index("ix_group_members_node_id", group_members.c.node_id)

# H2 consents (0005): per item, the newest consent its origin issued (kind "consent"); `origin`
# is the consent's signer, and a consent only ever applies to an item of that same origin.
consents = Table(
    "consents",
    metadata,
    Column("item_id", String(64), primary_key=True),
    Column("origin", String(40), primary_key=True),
    Column("consent_id", String(64), nullable=False),  # the consent (or withdrawing) item
    Column("seq", BigInteger, nullable=False),  # its seq at the origin: the newest one wins
    Column("nodes", JSON, nullable=False),  # node ids that may receive the item onward
    Column("groups", JSON, nullable=False),  # sharing groups whose members may receive it
    Column("expires", DateTime(timezone=True)),
    Column("purpose", Text, nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
)
Index("ix_consents_consent_id", consents.c.consent_id)

# Correlation (0007): one row per canonical indicator value, and one sighting per value per item
# (never one row per pair of items: hits are found through the value's sightings). `items` counts
# every item that held the value; past the noisy cap no more sightings are written for it.
indicator_values = Table(
    "indicator_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("type", String(32), nullable=False),
    Column("value", String(600), nullable=False),  # the canonical value (indicators registry)
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("items", Integer, nullable=False, default=0),
    Column("noisy", Boolean, nullable=False, default=False),
    UniqueConstraint("type", "value", name="uq_indicator_values_type_value"),
)

# The primary key's first column serves lookups by value; the item index serves erasure.
sightings = Table(
    "sightings",
    metadata,
    Column("value_id", Integer, ForeignKey("indicator_values.id"), primary_key=True),
    Column("item_id", String(64), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("origin", String(40), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),  # the item's creation time
    Column("protected", Boolean, nullable=False, default=False),  # victim / smuggled migrant
    sqlite_with_rowid=False,  # why: the primary key is the table, one B-tree insert (0011)
)
Index("ix_sightings_item_id", sightings.c.item_id)

# Disclosure requests (0008): the state of each request, kept at both ends. The request and its
# answer are signed items (kinds disclosure_request and disclosure); `asker`/`holder` are node
# ids, so the direction is derived from this node's id. Authors are item author ids.
disclosure_requests = Table(
    "disclosure_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),  # the disclosure_request item id
    Column("asker", String(40), nullable=False),
    Column("holder", String(40), nullable=False),
    Column("value_type", String(32), nullable=False),  # indicators registry name
    Column("value", String(600), nullable=False),  # canonical value
    Column("justification", Text, nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | declined
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", String(128)),
    Column("reason", Text),
    Column("disclosure_id", String(64)),  # the disclosure item that answered it
)
Index("ix_disclosure_requests_requested_at", disclosure_requests.c.requested_at)

# Feed marks (0009): when each member last marked the feed read; newer items count as unread.
feed_marks = Table(
    "feed_marks",
    metadata,
    Column("member_id", String(40), ForeignKey("members.id"), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# Item text (0010): the searchable words of each item (title, text, tags, place …), one row per
# item, written with the item and erased with it (cascade). The full-text index lives beside it
# in the migration, per dialect: an FTS5 table `item_text_fts` (external content, kept by
# triggers) on SQLite, a GIN index on to_tsvector('simple', text) on PostgreSQL.
item_text = Table(
    "item_text",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # FTS5 rowid: stable on VACUUM
    Column(
        "item_id",
        String(64),
        ForeignKey("items.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("kind", String(32), nullable=False),
    Column("origin", String(40), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
)
Index("ix_item_text_created", item_text.c.created, item_text.c.item_id)

# Feed projection (0015): the feed facts of each current feed item (csnet/feed/projection.py),
# written with the item, dropped when a correction supersedes it and erased with it (cascade),
# so that a filtered feed is one walk of an index, newest first. Text facts are casefolded.
feed_items = Table(
    "feed_items",
    metadata,
    Column("item_id", String(64), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("origin", String(40), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("urgency", String(16)),  # alerts only
    Column("route", Text),
    Column("place", Text),
)
Index("ix_feed_items_created", feed_items.c.created, feed_items.c.item_id)
Index("ix_feed_items_kind", feed_items.c.kind, feed_items.c.created, feed_items.c.item_id)
Index("ix_feed_items_urgency", feed_items.c.urgency, feed_items.c.created, feed_items.c.item_id)
Index("ix_feed_items_route", feed_items.c.route, feed_items.c.created, feed_items.c.item_id)
Index("ix_feed_items_origin", feed_items.c.origin, feed_items.c.created, feed_items.c.item_id)

# One row per tag of a feed item, with the item's time: the tag filter walks its own index.
feed_tags = Table(
    "feed_tags",
    metadata,
    Column(
        "item_id",
        String(64),
        ForeignKey("feed_items.item_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tag", Text, primary_key=True),
    Column("created", DateTime(timezone=True), nullable=False),
)
Index("ix_feed_tags_tag", feed_tags.c.tag, feed_tags.c.created, feed_tags.c.item_id)

# View stamps (0016): one row per cached view (csnet/store/views.py), whose stamp database
# triggers change in the transaction of every write to the tables behind the view, so a process
# holding the view sees another process's change by reading one value.
view_stamps = Table(
    "view_stamps",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("stamp", BigInteger, nullable=False),
)

# Document register (0017): this node's stolen, lost and revoked travel documents, in the manner
# of INTERPOL's SLTD (csnet/documents/register.py). `value` is the canonical `document`
# identifier (STATE:TYPE:NUMBER); its unique index serves the exact look-up.
document_register = Table(
    "document_register",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("value", String(40), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # stolen | lost | revoked | stolen_blank
    Column("reported", Date),  # the day it was reported lost or stolen, when known
    Column("authority", Text, nullable=False),  # the reporting authority
    Column("note", Text, nullable=False),
    Column("added_by", String(128), nullable=False),  # audit actor: member:… or host:…
    Column("added_at", DateTime(timezone=True), nullable=False),
)
