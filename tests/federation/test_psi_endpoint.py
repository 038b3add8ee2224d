"""Hit/no-hit between two nodes: `POST /api/v1/federation/psi` and `hitcheck`, with their
limits and audit entries on both sides."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import insert, select

from csnet.access import Caller
from csnet.correlation import psi, psi_federation, psi_wire
from csnet.correlation.psi_limits import PsiLimiter
from csnet.correlation.psi_store import held_values
from csnet.errors import BadInput, CsnetError
from csnet.federation import peers
from csnet.federation.client import call_peer
from csnet.federation.peers import PeerStatus
from csnet.handling.markings import TLP, Markings
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.store.tables import indicator_values, sightings
from csnet.transport import PeerError
from tests.factories import add_member, alert_body
from tests.federation.conftest import Pair
from tests.federation.test_handshake import actions, peer_up

HELD = ["+302101234567", "+306912345678", "+923001234567"]
_writers = itertools.count()
ASKED = ["+306912345678", "+923001234567", "+447700900123", "+33612345678"]


def hold(node: Node, type_name: str, value: str, *, protected: bool = False) -> None:
    """A sighting of `value` in a fresh item of `node` (rows written as the correlator does)."""
    member, _ = add_member(node, f"writer{next(_writers)}", "officer")
    env = publish(node, Caller(member), NewItem("alert", alert_body(), Markings(tlp=TLP.AMBER)))
    now = node.now()
    with node.store.write() as conn:
        found = conn.execute(
            select(indicator_values.c.id).where(
                indicator_values.c.type == type_name, indicator_values.c.value == value
            )
        ).scalar_one_or_none()
        if found is None:
            row = {"type": type_name, "value": value, "first_seen": now, "items": 1, "noisy": False}
            found = conn.execute(insert(indicator_values).values(row)).inserted_primary_key[0]
        sighting = {"value_id": found, "item_id": env.id, "origin": node.node_id}
        conn.execute(insert(sightings).values(**sighting, created=now, protected=protected))


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    psi_federation._limiters.clear()  # limits are per process: start each test afresh
    for value in HELD:
        hold(pair.b, "phone", value)
    return pair


def ask_b(pair: Pair, values: list[str], justification: str = "case 2026/114") -> list[str]:
    result = psi_federation.hitcheck(
        pair.a, pair.b.node_id, "phone", values, justification, "host:test"
    )
    return list(result.hits)


def test_held_values_skip_protected_persons(pair: Pair) -> None:
    hold(pair.b, "phone", "+306900000001")
    hold(pair.b, "phone", "+306900000002", protected=True)
    hold(pair.b, "whatsapp", "+306900000003")
    with pair.b.store.read() as conn:
        assert set(held_values(conn, "phone")) >= {"+306900000001"}
        assert "+306900000002" not in held_values(conn, "phone")
        assert "+306900000003" not in held_values(conn, "phone")


def test_hitcheck_finds_what_the_peer_holds(peered: Pair) -> None:
    assert ask_b(peered, ASKED) == ["+306912345678", "+923001234567"]


def test_both_sides_audit_counts_and_justification_never_values(peered: Pair) -> None:
    ask_b(peered, ASKED)
    actor, action, details = actions(peered.b)[-1]
    assert (actor, action) == (f"peer:{peered.a.node_id}", "consultation")
    assert details == {"what": "psi", "type": "phone", "asked": 4, "held": 3}
    actor, action, details = actions(peered.a)[-1]
    assert (actor, action) == ("host:test", "consultation")
    assert details["hits"] == 2 and details["asked"] == 4 and details["peer"] == peered.b.node_id
    for node in (peered.a, peered.b):
        logged = json.dumps(actions(node))
        assert not any(v in logged for v in ASKED + HELD)


def test_the_holder_sees_only_blinded_points(peered: Pair) -> None:
    ask_b(peered, ASKED)
    _method, _url, _headers, body = peered.transport.sent[-1]
    sent = json.loads(body)
    assert set(sent) == {"type", "points", "justification"}
    assert len(sent["points"]) == len(ASKED)
    own = {psi.hash_to_group(b"phone", v) for v in ASKED}
    assert not own & set(psi_wire.decode_points(sent["points"], "asked", 100))
    assert not any(v in body.decode() for v in ASKED)


def send_raw(pair: Pair, payload: object) -> PeerError:
    with pair.a.store.read() as conn:
        b_at_a = peers.require_peer(conn, pair.b.node_id)
    with pytest.raises(PeerError) as caught:
        call_peer(pair.a, b_at_a, "POST", psi_federation.PATH, payload)
    _actor, action, details = actions(pair.b)[-1]
    assert action == "peer_refused" and details["code"] == caught.value.error_code
    return caught.value


def _points(n: int) -> list[str]:
    return psi_wire.encode_points(psi.ask("phone", [f"+3069{i:08d}" for i in range(n)]).points)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"type": "phone", "points": []}, "psi_bad_message"),
        ({"type": "phone", "points": [], "justification": " "}, "justification_required"),
        ({"type": "shoe", "points": [], "justification": "x"}, "invalid_input"),
        ({"type": "phone", "points": ["A" * 43], "justification": "x"}, "psi_invalid_point"),
        ({"type": "phone", "points": ["A" * 10], "justification": "x"}, "psi_invalid_point"),
    ],
)
def test_bad_queries_are_refused_and_audited(
    peered: Pair, payload: dict[str, object], code: str
) -> None:
    assert send_raw(peered, payload).error_code == code


def test_duplicate_points_refused(peered: Pair) -> None:
    point = _points(1)[0]
    payload = {"type": "phone", "points": [point, point], "justification": "x"}
    assert send_raw(peered, payload).error_code == "psi_duplicate_points"


def test_oversized_query_refused(peered: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psi_federation, "max_points", lambda _node: 3)
    payload = {"type": "phone", "points": _points(4), "justification": "x"}
    assert send_raw(peered, payload).error_code == "psi_too_many_points"


def test_queries_are_rate_limited_per_peer(peered: Pair) -> None:
    psi_federation._limiters[peered.b.node_id] = PsiLimiter(max_queries=2, max_points=100)
    ask_b(peered, ASKED[:1])
    ask_b(peered, ASKED[:1])
    with pytest.raises(PeerError) as caught:
        ask_b(peered, ASKED[:1])
    assert caught.value.error_code == "psi_rate_limited"
    peered.clock.advance(hours=1, seconds=1)
    assert ask_b(peered, ASKED[1:3]) == ["+923001234567"]


def test_large_asks_are_split_to_fit_the_body_limit(
    peered: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(psi_federation, "max_points", lambda _node: 3)
    result = psi_federation.hitcheck(
        peered.a, peered.b.node_id, "phone", ASKED + HELD, "case 7", "host:test"
    )
    assert result.queries == 2 and result.asked == 5
    assert sorted(result.hits) == sorted(HELD)


def test_asker_needs_justification_and_an_active_peer(peered: Pair) -> None:
    with pytest.raises(BadInput):
        ask_b(peered, ASKED, justification="  ")
    with peered.a.store.write() as conn:
        peers.set_status(conn, peered.b.node_id, PeerStatus.SUSPENDED, peered.clock())
    with pytest.raises(CsnetError) as caught:
        ask_b(peered, ASKED)
    assert caught.value.error_code == "peer_not_active"


def test_an_empty_query_is_refused_not_answered_with_the_whole_set(peered: Pair) -> None:
    payload = {"type": "phone", "points": [], "justification": "x"}
    assert send_raw(peered, payload).error_code == "psi_empty_query"


def test_points_in_standard_base64_are_refused(peered: Pair) -> None:
    points = _points(40)
    standard = next(p for p in points if "-" in p or "_" in p)
    respelled = standard.replace("-", "+").replace("_", "/")
    payload = {"type": "phone", "points": [respelled], "justification": "x"}
    assert send_raw(peered, payload).error_code == "psi_invalid_point"


def test_the_asker_refuses_more_holder_points_than_it_accepts(
    peered: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    fewer = peered.a.settings.replace(psi_max_holder_points=2)
    monkeypatch.setattr(peered.a, "settings", fewer)
    with pytest.raises(psi.TooManyPoints):
        ask_b(peered, ASKED[:1])  # the holder answers with its 3 held values
