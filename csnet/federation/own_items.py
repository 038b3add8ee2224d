"""Items a node issues in its own name (membership changes, group keys, consents): checked
(content and links), sealed with the node's key under its next sequence number, and stored, in
the caller's transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from csnet.federation import link_facts
from csnet.items import links
from csnet.items.envelope import Envelope
from csnet.items.kinds import validate_draft
from csnet.items.signing import ItemDraft, seal
from csnet.node import Node
from csnet.store import item_store

NODE_AUTHOR = "node"  # the node's own act, not a member's


def seal_own(node: Node, conn: Connection, draft: ItemDraft) -> Envelope:
    valid = validate_draft(draft)
    seq = item_store.reserve_seqs(conn, node.node_id, 1)
    key = node.signing_key(conn)  # the key of this seq (csnet/node_keys.py)
    env = seal(draft, key, origin=node.node_id, seq=seq, created=node.now(), body=valid)
    # why: the one link rule, as receivers apply it; the node itself acts, as a supervisor would
    view = link_facts.View(conn, node.node_id, {node.node_id: node.identity.country})
    links.check(env, view.facts(env, links.Publisher(draft.author, supervisor=True)))
    item_store.insert_items(conn, [(env, env.to_bytes())], node.now())
    return env
