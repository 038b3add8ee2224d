"""The facts the link rule (csnet/items/links.py) needs, read from this node's store.

One `View` serves a publish (inside its write transaction) or a received batch (read as it is
judged); items accepted earlier in the same batch count as held, so a batch cannot slip a link
past the rule by carrying its target along.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Select, select

from csnet.indicators.base import NO_HINT, Hint
from csnet.items import links, relay
from csnet.items.envelope import Envelope
from csnet.items.item_indicators import indicators_of
from csnet.items.kinds import stated_indicators
from csnet.store.engine import Store
from csnet.store.tables import disclosure_requests, group_members, items, peers, sharing_groups


def target_of(env: Envelope, superseded_by: str | None = None) -> links.Target:
    return links.Target(env.id, env.origin, env.author, env.kind, superseded_by)


class View:
    """Targets, group owners and disclosure requests as this node holds them.

    `source` is the caller's connection (inside its transaction) or the store (each lookup
    then reads on its own); `countries` gives the country of node ids already known (the hint
    for reading numbers written without a prefix).
    """

    def __init__(
        self, source: Connection | Store, receiver: str, countries: Mapping[str, str]
    ) -> None:
        self._source = source
        self._receiver = receiver
        self._countries = dict(countries)
        self._batch: dict[str, links.Target] = {}
        self._batch_items: dict[str, Envelope] = {}
        self._owners: dict[str, str] = {}

    def _rows(self, query: Select[Any]) -> list[Any]:
        if isinstance(self._source, Connection):
            return list(self._source.execute(query))
        with self._source.read() as conn:
            return list(conn.execute(query))

    def add(self, env: Envelope) -> None:
        """An item accepted earlier in this batch: later items may link to it."""
        self._batch[env.id] = target_of(env)
        self._batch_items[env.id] = env
        if env.kind == links.GROUP:
            self._owners[str(env.body["group_id"])] = env.origin

    def facts(self, env: Envelope, publisher: links.Publisher | None = None) -> links.Facts:
        wanted = links.target_ids(env)
        targets = {t.id: t for t in (self._target(i) for i in sorted(wanted)) if t is not None}
        owners = {g: o for g in links.group_ids(env) if (o := self._owner(g)) is not None}
        answer = env.kind == links.ANSWER and env.refers_to is not None
        return links.Facts(
            receiver=self._receiver,
            targets=targets,
            group_owners=owners,
            request=self._request(str(env.refers_to)) if answer else None,
            values=self._values(env) if answer else frozenset(),
            publisher=publisher,
            origin_reads_target=self._reads(env),
        )

    def _reads(self, env: Envelope) -> bool | None:
        """Whether a reply's or ack's origin may read the item it answers, by the policy a
        node applies to what it receives (audience, TLP, releasability, its groups)."""
        target_id = links.answered(env)
        target = None if target_id is None else self._item(target_id)
        if target is None:
            return None
        if target.origin == env.origin:
            return True
        groups = self._rows(
            select(group_members.c.group_id).where(group_members.c.node_id == env.origin)
        )
        country = self._country(env.origin) or None
        mine = frozenset(str(row[0]) for row in groups)
        return relay.may_receive(env.origin, country, target, mine).allowed

    def _item(self, item_id: str) -> Envelope | None:
        if item_id in self._batch_items:
            return self._batch_items[item_id]
        rows = self._rows(select(items.c.envelope).where(items.c.id == item_id))
        return Envelope.model_validate_json(bytes(rows[0][0])) if rows else None

    def _target(self, item_id: str) -> links.Target | None:
        if item_id in self._batch:
            return self._batch[item_id]
        columns = (items.c.origin, items.c.author, items.c.kind, items.c.superseded_by)
        rows = self._rows(select(*columns).where(items.c.id == item_id))
        if not rows:
            return None
        origin, author, kind, superseded_by = rows[0]
        return links.Target(item_id, origin, author, kind, superseded_by)

    def _owner(self, gid: str) -> str | None:
        if gid not in self._owners:
            rows = self._rows(select(sharing_groups.c.owner).where(sharing_groups.c.id == gid))
            if not rows:
                return None
            self._owners[gid] = str(rows[0][0])
        return self._owners[gid]

    def _request(self, request_id: str) -> links.Asked | None:
        t = disclosure_requests
        query = select(t.c.asker, t.c.holder, t.c.value_type, t.c.value, t.c.status).where(
            t.c.request_id == request_id
        )
        rows = self._rows(query)
        if not rows:
            return None
        asker, holder, value_type, value, status = rows[0]
        return links.Asked(request_id, asker, holder, value_type, value, status == "pending")

    def _values(self, env: Envelope) -> frozenset[tuple[str, str]]:
        """The (type, value) pairs an answer holds, read as its origin's country writes them."""
        hint = self._hint(env.origin)
        found = indicators_of(env, hint)
        # why: an indicator item's value is stated, not written in its text (indicator_body.py)
        found += stated_indicators(str(env.body.get("item_kind")), env.body)
        return frozenset((i.type, i.value) for i in found)

    def _hint(self, origin: str) -> Hint:
        country = self._country(origin)
        return Hint(country=country) if country else NO_HINT

    def _country(self, node_id: str) -> str:
        """A node's country as this node knows it ("" when unknown)."""
        if node_id not in self._countries:
            rows = self._rows(select(peers.c.country).where(peers.c.node_id == node_id))
            self._countries[node_id] = str(rows[0][0] or "") if rows else ""
        return self._countries[node_id]
