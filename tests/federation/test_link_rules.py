"""The link rule (csnet/items/links.py, docs/federation.md "Links between items"), row by row:
each link is forged by a node that may not make it, signed with that node's own key (so the
signature is valid), and pushed through the real federation endpoint; the receiver refuses it
with the rule's code, audits `peer_refused` with the item id, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from csnet.access import Caller
from csnet.alerts import actions
from csnet.audit.query import AuditFilter, list_entries
from csnet.correlation import disclosure_ops
from csnet.errors import Forbidden
from csnet.federation import group_ops
from csnet.federation.delivery import Delivery
from csnet.federation.requests import sign_request
from csnet.handling.markings import TLP, Handling, HandlingCode, Markings
from csnet.handling.roles import Role
from csnet.items.canonical import canonical_json
from csnet.items.envelope import Audience, Envelope
from csnet.items.keys import b64url
from csnet.items.kinds import validate_draft
from csnet.items.signing import ItemDraft, seal
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.store import item_store
from csnet.store.tables import consents, disclosure_requests, group_members, items
from csnet.transport import PeerResponse
from tests.factories import add_member, alert_body, api, token_for
from tests.federation.conftest import URL_A, URL_B, Pair
from tests.federation.test_consent import AddNode, add_node  # noqa: F401  (a fixture)
from tests.federation.test_handshake import peer_up

URL_C = "https://it-gdf.test"
PHONE, OTHER_PHONE = "+923001234567", "+923009999999"
HOST = "host:test"
NOTE_TOPIC = "routes"


@dataclass
class Net:
    """A originates, B is the forger, C (peered with both) receives."""

    a: Node
    b: Node
    c: Node
    pair: Pair
    forged: int = 1000  # seqs for forged items, clear of the nodes' own

    def url(self, node: Node) -> str:
        return {self.a.node_id: URL_A, self.b.node_id: URL_B, self.c.node_id: URL_C}[node.node_id]


@pytest.fixture
def net(pair: Pair, add_node: AddNode) -> Net:  # noqa: F811
    peer_up(pair)
    c = add_node("IT-GDF", "IT", (pair.a, pair.b))
    return Net(pair.a, pair.b, c, pair)


def member(node: Node, role: Role = Role.OFFICER, name: str = "officer") -> Caller:
    """A member of `node` (made once per name and node)."""
    made: dict[str, Caller] = node.__dict__.setdefault("_test_members", {})
    if name not in made:
        found, _ = add_member(node, f"{name}{node.identity.name.lower()[:2]}", role)
        made[name] = Caller(found)
    return made[name]


def publish_to(node: Node, *to: Node, kind: str = "alert", **extra: Any) -> Envelope:
    """An item of `node` addressed to the nodes given, delivered to them."""
    note = {"title": "Route", "text": "Boats leave at night", "topic": NOTE_TOPIC}
    body = alert_body(text=f"Broker on {PHONE}") if kind == "alert" else note
    marks = extra.pop("markings", Markings(tlp=TLP.AMBER))
    new = NewItem(kind, body, marks, audience_nodes=tuple(n.node_id for n in to), **extra)
    env = publish(node, member(node), new)
    for other in to:
        Delivery(node).flush(other.node_id)
    return env


def forge(net: Net, signer: Node, kind: str, body: dict[str, Any], **links: Any) -> Envelope:
    """An item signed with `signer`'s own key (valid signature), addressed to every node."""
    draft = ItemDraft(
        kind=kind,
        author="mallory",
        audience=Audience(nodes=tuple(sorted((net.a.node_id, net.b.node_id, net.c.node_id)))),
        markings=links.pop("markings", Markings(tlp=TLP.AMBER)),
        body=body,
        **links,
    )
    net.forged += 1
    created = net.pair.clock()
    return seal(
        draft,
        signer.key,
        origin=signer.node_id,
        seq=net.forged,
        created=created,
        body=validate_draft(draft),
    )


def push(net: Net, sender: Node, receiver: Node, envelopes: list[Envelope]) -> PeerResponse:
    """A batch through the receiver's real endpoint, in a request signed by `sender`."""
    url = net.url(receiver) + "/api/v1/federation/items"
    data = canonical_json({"items": [e.to_wire() for e in envelopes]})
    headers = sign_request(
        sender.key,
        origin=sender.node_id,
        destination=receiver.node_id,
        method="POST",
        url=url,
        body=data,
        now=net.pair.clock(),
    )
    return net.pair.transport.send("POST", url, headers, data)


def state(node: Node) -> dict[str, list[Any]]:
    """What a link could change on a node: items and their corrections, groups, consents,
    disclosure requests."""
    with node.store.read() as conn:
        return {
            "items": sorted(conn.execute(select(items.c.id, items.c.superseded_by)).all()),
            "groups": sorted(conn.execute(select(group_members)).all()),
            "consents": sorted(
                conn.execute(select(consents.c.item_id, consents.c.origin, consents.c.consent_id))
            ),
            "requests": sorted(
                conn.execute(select(disclosure_requests.c.request_id, disclosure_requests.c.status))
            ),
        }


def readable(node: Node, item_id: str) -> bool:
    reader = member(node, Role.SUPERVISOR, "reader")
    client = api(node, token_for(node, reader.member), **{"X-Justification": "link rule test"})
    return client.get(f"/api/v1/items/{item_id}").status_code == 200


def refusals(node: Node, item_id: str) -> list[str]:
    with node.store.read() as conn:
        found = list_entries(conn, AuditFilter(item_id=item_id), limit=50)
    return [e["details"]["code"] for e in found if e["action"] == "peer_refused"]


@dataclass(frozen=True)
class Case:
    """One row of the table: the forged item, who pushes it, and the target that must stay."""

    forged: Envelope
    sender: Node
    code: str
    target: str | None = None  # an item that must stay readable on the receiver


def _erase_note_on_its_origin(net: Net) -> tuple[Node, Case]:
    """Finding 1: B erases A's note on A itself."""
    note = publish_to(net.a, net.b, kind="note")
    tomb = forge(net, net.b, "tombstone", {"reason": "x"}, refers_to=note.id, supersedes=note.id)
    return net.a, Case(tomb, net.b, "not_origin", note.id)


def _erase_on_a_third_node(net: Net) -> tuple[Node, Case]:
    """Finding 2: B erases A's alert on C."""
    alert = publish_to(net.a, net.b, net.c)
    tomb = forge(net, net.b, "tombstone", {"reason": "x"}, refers_to=alert.id, supersedes=alert.id)
    return net.c, Case(tomb, net.b, "not_origin", alert.id)


def _erase_by_refers_to_only(net: Net) -> tuple[Node, Case]:
    alert = publish_to(net.a, net.b, net.c)
    tomb = forge(net, net.b, "tombstone", {"reason": "x"}, refers_to=alert.id)
    return net.c, Case(tomb, net.b, "not_origin", alert.id)


def _replace_on_a_third_node(net: Net) -> tuple[Node, Case]:
    """Finding 3: B "corrects" A's alert on C."""
    alert = publish_to(net.a, net.b, net.c)
    fake = forge(net, net.b, "alert", alert_body(title="Corrected"), supersedes=alert.id)
    return net.c, Case(fake, net.b, "not_origin", alert.id)


def _ack_that_supersedes(net: Net) -> tuple[Node, Case]:
    """An ack may come from anyone in the audience, but never changes its target."""
    alert = publish_to(net.a, net.b, net.c)
    body = {"state": "seen", "at": "2026-01-01T00:00:00Z"}
    ack = forge(net, net.b, "ack", body, refers_to=alert.id, supersedes=alert.id)
    return net.c, Case(ack, net.b, "not_origin", alert.id)


def _reply_that_supersedes(net: Net) -> tuple[Node, Case]:
    alert = publish_to(net.a, net.b, net.c)
    reply = forge(
        net, net.b, "reply", {"text": "mine now"}, replies_to=alert.id, supersedes=alert.id
    )
    return net.c, Case(reply, net.b, "not_origin", alert.id)


def _ack_from_outside_the_audience(net: Net) -> tuple[Node, Case]:
    """B, which A's alert does not address, acknowledges it on C (it learnt the id)."""
    alert = publish_to(net.a, net.c)
    ack = forge(
        net, net.b, "ack", {"state": "seen", "at": "2026-01-01T00:00:00Z"}, refers_to=alert.id
    )
    return net.c, Case(ack, net.b, "not_a_reader", alert.id)


def _reply_from_outside_the_audience(net: Net) -> tuple[Node, Case]:
    """B, which A's alert does not address, replies to it on A itself."""
    alert = publish_to(net.a, net.c)
    reply = forge(net, net.b, "reply", {"text": "B was here"}, replies_to=alert.id)
    return net.a, Case(reply, net.b, "not_a_reader", alert.id)


def _a_group(net: Net) -> str:
    gid = group_ops.create(net.a, "ops", HOST).id
    group_ops.add(net.a, gid, net.c.node_id, HOST)
    Delivery(net.a).flush(net.c.node_id)
    return gid


def _group_change_by_a_member(net: Net) -> tuple[Node, Case]:
    gid = _a_group(net)
    with net.a.store.read() as conn:
        created = conn.execute(select(group_members.c.group_id).limit(1)).scalar()
    assert created == gid
    body = {
        "group_id": gid,
        "name": "ops",
        "created": "2026-01-01T00:00:00Z",
        "action": "add",
        "member": net.b.node_id,
        "members": sorted((net.a.node_id, net.b.node_id, net.c.node_id)),
    }
    return net.c, Case(forge(net, net.b, "group", body), net.b, "not_owner")


def _key_of_anothers_group(net: Net) -> tuple[Node, Case]:
    gid = _a_group(net)
    body = {"group_id": gid, "epoch": 7, "key": b64url(bytes(32))}
    return net.c, Case(forge(net, net.b, "prescreen_key", body), net.b, "not_owner")


def _consent_for_anothers_item(net: Net) -> tuple[Node, Case]:
    h2 = Markings(tlp=TLP.GREEN, handling=Handling(code=HandlingCode.H2))
    item = publish_to(net.a, net.c, markings=h2)
    body = {"item": item.id, "relay_to_nodes": [net.b.node_id], "purpose": "forged"}
    consent = forge(net, net.b, "consent", body, markings=Markings(tlp=TLP.GREEN))
    return net.c, Case(consent, net.b, "not_origin", item.id)


def _request_of_c_to_a(net: Net) -> Envelope:
    asker = member(net.c, Role.ANALYST, "asker")
    request = disclosure_ops.open_request(net.c, asker, net.a.node_id, "phone", PHONE, "PSI hit")
    Delivery(net.c).flush(net.a.node_id)
    return request


def _answer(text: str) -> dict[str, Any]:
    return {
        "decision": "approved",
        "reason": "agreed",
        "item": "f" * 64,
        "item_kind": "alert",
        "text": text,
    }


def _answer_from_another_node(net: Net) -> tuple[Node, Case]:
    request = _request_of_c_to_a(net)
    answer = forge(net, net.b, "disclosure", _answer(f"Broker on {PHONE}"), refers_to=request.id)
    return net.c, Case(answer, net.b, "not_holder")


def _answer_without_the_value(net: Net) -> tuple[Node, Case]:
    """Finding 13, received: the holder's approval holds another number than the one asked."""
    request = _request_of_c_to_a(net)
    text = f"Broker on {OTHER_PHONE}"
    answer = forge(net, net.a, "disclosure", _answer(text), refers_to=request.id)
    return net.c, Case(answer, net.a, "value_not_held")


ROWS: dict[str, Callable[[Net], tuple[Node, Case]]] = {
    "tombstone-on-origin": _erase_note_on_its_origin,
    "tombstone-on-third-node": _erase_on_a_third_node,
    "tombstone-refers-to-only": _erase_by_refers_to_only,
    "supersedes": _replace_on_a_third_node,
    "ack-supersedes": _ack_that_supersedes,
    "reply-supersedes": _reply_that_supersedes,
    "ack-outside-audience": _ack_from_outside_the_audience,
    "reply-outside-audience": _reply_from_outside_the_audience,
    "group-change": _group_change_by_a_member,
    "prescreen-key": _key_of_anothers_group,
    "consent": _consent_for_anothers_item,
    "disclosure-not-holder": _answer_from_another_node,
    "disclosure-value-not-held": _answer_without_the_value,
}


@pytest.mark.parametrize("row", sorted(ROWS))
def test_a_link_its_maker_may_not_make_is_refused_and_changes_nothing(net: Net, row: str) -> None:
    receiver, case = ROWS[row](net)
    before = state(receiver)
    answer = push(net, case.sender, receiver, [case.forged])
    assert answer.status == 200, answer.body
    data = answer.json()
    assert data["accepted"] == []
    assert [r["code"] for r in data["refused"]] == [case.code]
    assert state(receiver) == before
    with receiver.store.read() as conn:
        assert item_store.get_item(conn, case.forged.id) is None
    assert refusals(receiver, case.forged.id) == [case.code]
    if case.target is not None:
        assert readable(receiver, case.target)


def test_a_node_in_the_audience_still_replies_and_acknowledges(net: Net) -> None:
    alert = publish_to(net.a, net.b, net.c)
    reply = forge(net, net.b, "reply", {"text": "Seen at the port"}, replies_to=alert.id)
    ack = forge(
        net, net.b, "ack", {"state": "seen", "at": "2026-01-01T00:00:00Z"}, refers_to=alert.id
    )
    for receiver in (net.a, net.c):
        answer = push(net, net.b, receiver, [reply, ack])
        assert answer.json()["accepted"] == [reply.id, ack.id]


def test_the_origin_still_corrects_and_erases_its_own_items_over_federation(net: Net) -> None:
    alert = publish_to(net.a, net.c)
    caller = member(net.a)
    fixed = actions.correct(net.a, caller, alert.id, NewItem("alert", alert_body(title="Fixed")))
    Delivery(net.a).flush(net.c.node_id)
    with net.c.store.read() as conn:
        held = item_store.get_item(conn, alert.id)
    assert held is not None and held.superseded_by == fixed.id
    actions.erase(net.a, caller, fixed.id, "wrong person", None)
    Delivery(net.a).flush(net.c.node_id)
    with net.c.store.read() as conn:
        assert item_store.get_item(conn, alert.id) is None
        assert item_store.get_item(conn, fixed.id) is None


@pytest.mark.parametrize("batch", ["apart", "together"])
def test_a_tombstone_from_another_origin_before_its_target_never_erases_it(
    net: Net, batch: str
) -> None:
    green = Markings(tlp=TLP.GREEN)
    to = (net.b.node_id, net.c.node_id)
    alert = publish(net.a, member(net.a), NewItem("alert", alert_body(), green, audience_nodes=to))
    tomb = forge(net, net.b, "tombstone", {"reason": "x"}, refers_to=alert.id)
    if batch == "apart":
        assert push(net, net.b, net.c, [tomb]).json()["accepted"] == [tomb.id]
        answer = push(net, net.b, net.c, [alert])  # B relays A's GREEN item
    else:
        answer = push(net, net.b, net.c, [tomb, alert])
    assert alert.id in answer.json()["accepted"]
    assert readable(net.c, alert.id)


def test_a_tombstone_of_the_origin_before_its_target_erases_it_on_arrival(net: Net) -> None:
    caller = member(net.a)
    alert = publish(net.a, caller, NewItem("alert", alert_body(), audience_nodes=(net.c.node_id,)))
    tomb = actions.erase(net.a, caller, alert.id, "recorded in error", None)
    assert push(net, net.a, net.c, [tomb]).json()["accepted"] == [tomb.id]
    answer = push(net, net.a, net.c, [alert])
    assert answer.json()["accepted"] == [alert.id]
    with net.c.store.read() as conn:
        assert item_store.get_item(conn, alert.id) is None
    assert not readable(net.c, alert.id)
    with net.c.store.read() as conn:
        found = list_entries(conn, AuditFilter(item_id=alert.id), limit=10)
    assert [e["action"] for e in found] == ["erasure"]


def test_a_correction_of_the_origin_before_its_target_applies_on_arrival(net: Net) -> None:
    caller = member(net.a)
    alert = publish(net.a, caller, NewItem("alert", alert_body(), audience_nodes=(net.c.node_id,)))
    fixed = actions.correct(net.a, caller, alert.id, NewItem("alert", alert_body(title="Fixed")))
    assert push(net, net.a, net.c, [fixed]).json()["accepted"] == [fixed.id]
    push(net, net.a, net.c, [alert])
    with net.c.store.read() as conn:
        held = item_store.get_item(conn, alert.id)
    assert held is not None and held.superseded_by == fixed.id


def test_a_local_member_cannot_correct_or_erase_another_nodes_item(net: Net) -> None:
    alert = publish_to(net.a, net.c)
    boss = member(net.c, Role.SUPERVISOR, "boss")
    client = api(net.c, token_for(net.c, boss.member))
    fixed = {"body": alert_body(title="Mine"), "markings": {"tlp": "TLP:AMBER"}}
    answer = client.post(f"/api/v1/items/{alert.id}/corrections", json=fixed)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_origin"
    answer = client.post(f"/api/v1/items/{alert.id}/erase", json={"reason": "mine"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_origin"
    assert readable(net.c, alert.id)


def test_only_the_author_or_a_supervisor_erases_locally(net: Net) -> None:
    alert = publish_to(net.a)
    other = member(net.a, Role.OFFICER, "colleague")
    client = api(net.a, token_for(net.a, other.member))
    answer = client.post(f"/api/v1/items/{alert.id}/erase", json={"reason": "not mine"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_author"
    assert readable(net.a, alert.id)


def test_approval_with_an_item_not_holding_the_value_is_refused(net: Net) -> None:
    """Finding 13, local: the supervisor names an item holding another number."""
    request = _request_of_c_to_a(net)
    other = publish(
        net.a, member(net.a), NewItem("alert", alert_body(text=f"Broker on {OTHER_PHONE}"))
    )
    boss = member(net.a, Role.SUPERVISOR, "boss")
    with pytest.raises(Forbidden) as caught:
        disclosure_ops.approve(net.a, boss, request.id, "agreed", other.id)
    assert caught.value.error_code == "value_not_held"
    with net.a.store.read() as conn:
        row = conn.execute(
            select(disclosure_requests.c.status).where(
                disclosure_requests.c.request_id == request.id
            )
        ).scalar()
    assert row == "pending"


@pytest.mark.parametrize("batch", ["apart", "together"])
def test_a_correction_of_another_kind_before_its_target_never_supersedes_it(
    net: Net, batch: str
) -> None:
    """The origin's own "correction" of its alert by a note, held before the alert: the
    note is kept (a valid item of A), but the alert is not marked superseded by it."""
    alert = publish(
        net.a, member(net.a), NewItem("alert", alert_body(), audience_nodes=(net.c.node_id,))
    )
    note = {"title": "Route", "text": "Boats leave at night", "topic": NOTE_TOPIC}
    wrong = forge(net, net.a, "note", note, supersedes=alert.id)
    if batch == "apart":
        assert push(net, net.a, net.c, [wrong]).json()["accepted"] == [wrong.id]
        answer = push(net, net.a, net.c, [alert])
    else:
        answer = push(net, net.a, net.c, [wrong, alert])
    assert alert.id in answer.json()["accepted"]
    with net.c.store.read() as conn:
        held = item_store.get_item(conn, alert.id)
    assert held is not None and held.superseded_by is None
    assert readable(net.c, alert.id)


def test_erasing_a_correction_of_another_kind_leaves_the_item_it_named(net: Net) -> None:
    caller = member(net.a)
    alert = publish(net.a, caller, NewItem("alert", alert_body(), audience_nodes=(net.c.node_id,)))
    note = {"title": "Route", "text": "Boats leave at night", "topic": NOTE_TOPIC}
    wrong = forge(net, net.a, "note", note, supersedes=alert.id)
    push(net, net.a, net.c, [wrong, alert])
    tomb = forge(net, net.a, "tombstone", {"reason": "x"}, refers_to=wrong.id, supersedes=wrong.id)
    assert push(net, net.a, net.c, [tomb]).json()["accepted"] == [tomb.id]
    assert not readable(net.c, wrong.id)
    assert readable(net.c, alert.id)


def test_a_disclosure_request_not_naming_the_receiver_is_refused(net: Net) -> None:
    """B asks A, addressed also to a group of B's that C is in: C receives it (a member of
    the audience) but is not the node asked, and records no request."""
    gid = group_ops.create(net.b, "askers", HOST).id
    group_ops.add(net.b, gid, net.c.node_id, HOST)
    Delivery(net.b).flush(net.c.node_id)
    body = {"value_type": "phone", "value": PHONE, "justification": "PSI hit"}
    draft = ItemDraft(
        kind="disclosure_request",
        author="mallory",
        audience=Audience(nodes=(net.a.node_id,), groups=(gid,)),
        markings=Markings(tlp=TLP.AMBER),
        body=body,
    )
    net.forged += 1
    request = seal(
        draft, net.b.key, origin=net.b.node_id, seq=net.forged, created=net.pair.clock(),
        body=validate_draft(draft),
    )  # fmt: skip
    before = state(net.c)
    answer = push(net, net.b, net.c, [request])
    assert answer.status == 200, answer.body
    data = answer.json()
    assert data["accepted"] == []
    assert [r["code"] for r in data["refused"]] == ["disclosure_not_addressed"]
    assert state(net.c) == before
    with net.c.store.read() as conn:
        assert item_store.get_item(conn, request.id) is None
    assert refusals(net.c, request.id) == ["disclosure_not_addressed"]
