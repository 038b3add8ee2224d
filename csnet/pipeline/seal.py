"""Items sealed by this node: sequence numbers, the node's key, the one link rule as receivers
apply it; and the node's own items (membership, group keys, consents) issued in one call."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from pydantic import BaseModel
from sqlalchemy import Connection

from csnet.items import links
from csnet.items.envelope import Envelope
from csnet.items.kinds import validate_draft
from csnet.items.signing import ItemDraft, seal
from csnet.node import Node
from csnet.pipeline import link_facts
from csnet.pipeline.apply import Applied, announce, apply
from csnet.pipeline.source import Source
from csnet.store import item_store

NODE_AUTHOR = "node"  # the author of the node's own items, not a member
_PENDING = "csnet.issued"  # what `issuing` announces after the commit


def seal_batch(
    node: Node, conn: Connection, drafts: Sequence[tuple[ItemDraft, BaseModel]]
) -> list[Envelope]:
    """Sealed under the next seqs of this node, reserved in `conn`'s transaction."""
    first = item_store.reserve_seqs(conn, node.node_id, len(drafts))
    key = node.signing_key(conn)  # why: the key of these seqs, even if another process rotated
    created = node.now()
    return [
        seal(draft, key, origin=node.node_id, seq=first + i, created=created, body=body)
        for i, (draft, body) in enumerate(drafts)
    ]


def judge_links(
    node: Node, conn: Connection, envelopes: Sequence[Envelope], publisher: links.Publisher
) -> None:
    """The one link rule (csnet/items/links.py), as receivers apply it, plus what only this
    node can check: who published (its author, a supervisor, the node itself)."""
    view = link_facts.View(conn, node.node_id, {node.node_id: node.identity.country})
    for env in envelopes:
        links.check(env, view.facts(env, publisher))
        view.add(env)


@contextmanager
def issuing(node: Node) -> Iterator[Connection]:
    """A write transaction in which the node issues its own items (`issue`): they are
    announced on the bus, and peers are pushed to, after the commit, as published items are."""
    pending = Applied()
    with node.store.write() as conn:
        conn.info[_PENDING] = pending
        try:
            yield conn
        finally:
            del conn.info[_PENDING]  # why: info outlives the checkout with the pooled connection
    announce(node, pending)


def issue(node: Node, conn: Connection, draft: ItemDraft, source: Source) -> Envelope:
    """The node's own item, checked, sealed, stored and projected (outbox included) in the
    transaction of `issuing`, which announces it after the commit."""
    pending = conn.info.get(_PENDING)
    if not isinstance(pending, Applied):
        raise RuntimeError("issue() runs inside `with issuing(node) as conn:`")
    [env] = seal_batch(node, conn, [(draft, validate_draft(draft))])
    # why: the node itself acts, as a supervisor would
    judge_links(node, conn, [env], links.Publisher(draft.author, supervisor=True))
    applied = apply(node, conn, [env], source)
    pending.stored += applied.stored
    pending.events += applied.events
    return env
