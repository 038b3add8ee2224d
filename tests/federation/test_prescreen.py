"""Pre-screens between two nodes: group keys from the owner, `POST /federation/prescreen/…` to
members only, and `hitcheck` giving the same hits with fewer values sent to PSI."""

from __future__ import annotations

import json

import pytest

from csnet.correlation import prescreen, prescreen_ops, psi_federation
from csnet.correlation.psi_limits import PsiLimiter
from csnet.errors import BadInput, Conflict, Forbidden
from csnet.federation import group_ops, groups, peers, prescreen_keys
from csnet.federation.client import call_peer
from csnet.federation.delivery import Delivery
from csnet.federation.prescreen_keys import GroupKey
from csnet.handling.markings import TLP, Markings
from csnet.items.envelope import Audience
from csnet.items.keys import b64url
from csnet.items.kinds import validate_body
from csnet.items.signing import ItemDraft
from csnet.node import Node
from csnet.pipeline.seal import NODE_AUTHOR, issue, issuing
from csnet.pipeline.source import Source
from csnet.transport import PeerError
from tests.federation.conftest import Pair
from tests.federation.test_handshake import actions, peer_up
from tests.federation.test_psi_endpoint import hold

HELD = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
]
ASKED = [*HELD[1:], *(f"0x{n:040x}" for n in range(1, 41))]
REASON = "case 2026/114"


def key_of(node: Node, gid: str) -> GroupKey | None:
    with node.store.read() as conn:
        group = groups.get_group(conn, gid)
        assert group is not None
        return prescreen_keys.current(conn, group)


@pytest.fixture
def screening(pair: Pair) -> Pair:
    """A and B peered, both with pre-screens on; B holds HELD as wallets."""
    peer_up(pair)
    psi_federation._limiters.clear()
    for node in (pair.a, pair.b):
        node.settings = node.settings.replace(prescreen_bloom=True)
    for value in HELD:
        hold(pair.b, "wallet", value)
    return pair


def shared_group(pair: Pair) -> str:
    """A owns a group with B; the membership and key items reach B."""
    gid = group_ops.create(pair.a, "Document experts", "host:test").id
    group_ops.add(pair.a, gid, pair.b.node_id, "host:test")
    Delivery(pair.a).flush_all()
    return gid


def test_the_owner_issues_a_key_per_membership_change(screening: Pair) -> None:
    gid = shared_group(screening)
    at_a, at_b = key_of(screening.a, gid), key_of(screening.b, gid)
    assert at_a is not None and at_b is not None
    assert (at_a.epoch, at_a.secret) == (at_b.epoch, at_b.secret) and at_a.epoch == 2
    assert "secret" in repr(at_a) and at_a.secret.hex() not in repr(at_a)
    group_ops.remove(screening.a, gid, screening.b.node_id, "host:test")
    Delivery(screening.a).flush_all()
    rotated = key_of(screening.a, gid)
    assert rotated is not None and rotated.epoch == 3 and rotated.secret != at_a.secret
    assert key_of(screening.b, gid) == at_b  # a removed member keeps the old key, not the new


def test_no_keys_while_the_owner_has_pre_screens_off_until_rekeyed(screening: Pair) -> None:
    screening.a.settings = screening.a.settings.replace(prescreen_bloom=False)
    gid = shared_group(screening)
    assert key_of(screening.a, gid) is None and key_of(screening.b, gid) is None
    with pytest.raises(Conflict) as caught:
        group_ops.rekey(screening.a, gid, "host:test")
    assert caught.value.error_code == "prescreen_disabled"
    screening.a.settings = screening.a.settings.replace(prescreen_bloom=True)
    group_ops.rekey(screening.a, gid, "host:test")
    Delivery(screening.a).flush_all()
    at_b = key_of(screening.b, gid)
    assert at_b is not None and at_b.epoch == 1 and at_b == key_of(screening.a, gid)
    changes = [d["change"] for _a, action, d in actions(screening.a) if action == "peer_change"]
    assert changes[-1] == "pre-screen key, epoch 1"
    with pytest.raises(Forbidden):
        group_ops.rekey(screening.b, gid, "host:test")  # only the owner issues keys


def test_keys_not_from_the_owner_are_ignored(screening: Pair) -> None:
    gid = shared_group(screening)
    real = key_of(screening.b, gid)
    body = {"group_id": gid, "epoch": 99, "key": b64url(bytes(32))}
    draft = ItemDraft(
        kind=prescreen_keys.KEY_KIND,
        author=NODE_AUTHOR,
        audience=Audience(nodes=(screening.a.node_id, screening.b.node_id)),
        markings=Markings(tlp=TLP.AMBER),
        body=body,
    )
    with pytest.raises(Forbidden) as caught, issuing(screening.b) as conn:
        issue(
            screening.b, conn, draft, Source.node(screening.b.node_id)
        )  # the link rule refuses it unstored
    assert caught.value.error_code == "not_owner"
    assert key_of(screening.b, gid) == real


@pytest.mark.parametrize(
    "change",
    [
        {"epoch": 0},
        {"epoch": 2**53},
        {"epoch": "1"},
        {"group_id": "grp-XYZ"},
        {"key": b64url(bytes(31))},
        {"key": "A" * 42 + "B"},  # 43 characters, but not the one spelling of 32 bytes
        {"extra": 1},
    ],
)
def test_key_bodies_are_checked(change: dict[str, object]) -> None:
    body = {"group_id": "grp-" + "0" * 20, "epoch": 1, "key": b64url(bytes(32)), **change}
    with pytest.raises(BadInput) as caught:
        validate_body(prescreen_keys.KEY_KIND, body)
    assert caught.value.error_code == "bad_body"


def ask_filter(pair: Pair, gid: str, type_name: str, payload: object) -> PeerError:
    """A asks B for a filter that B refuses; the refusal is audited at B."""
    with pair.a.store.read() as conn:
        b_at_a = peers.require_peer(conn, pair.b.node_id)
    with pytest.raises(PeerError) as caught:
        call_peer(pair.a, b_at_a, "POST", f"{prescreen_ops.PATH}/{gid}/{type_name}", payload)
    _actor, action, details = actions(pair.b)[-1]
    assert action == "peer_refused" and details["code"] == caught.value.error_code
    assert details["path"] == f"/api/v1{prescreen_ops.PATH}/{gid}/{type_name}"
    return caught.value


def test_a_member_gets_the_filter_and_the_holder_audits_a_disclosure(screening: Pair) -> None:
    gid = shared_group(screening)
    with screening.a.store.read() as conn:
        b_at_a = peers.require_peer(conn, screening.b.node_id)
    fetched = prescreen_ops.fetch(screening.a, b_at_a, "wallet", REASON)
    assert fetched is not None
    key, bloom = fetched
    assert key == key_of(screening.a, gid)
    assert prescreen.keep(bloom, key.secret, "wallet", ASKED)[:2] == HELD[1:]
    actor, action, details = actions(screening.b)[-1]
    assert (actor, action) == (f"peer:{screening.a.node_id}", "disclosure")
    assert details == {"what": "prescreen", "type": "wallet", "group": gid, "epoch": 2, "held": 3}
    assert not any(v in json.dumps(actions(screening.b)) for v in HELD)


@pytest.mark.parametrize(
    ("type_name", "payload", "status", "code"),
    [
        ("phone", {"justification": REASON}, 422, "prescreen_type_refused"),
        ("shoe", {"justification": REASON}, 422, "invalid_input"),
        ("wallet", {"justification": " "}, 422, "justification_required"),
        ("wallet", {"why": REASON}, 422, "prescreen_bad_message"),
        ("wallet", None, 422, "prescreen_bad_message"),
    ],
)
def test_bad_requests_are_refused(
    screening: Pair, type_name: str, payload: object, status: int, code: str
) -> None:
    gid = shared_group(screening)
    refused = ask_filter(screening, gid, type_name, payload)
    assert (refused.http_status, refused.error_code) == (status, code)


def test_only_members_of_a_shared_group_get_a_filter(screening: Pair) -> None:
    gid = shared_group(screening)
    own = group_ops.create(screening.b, "B alone", "host:test").id
    for group_id in (own, "grp-" + "0" * 20, "nonsense"):
        refused = ask_filter(screening, group_id, "wallet", {"justification": REASON})
        assert (refused.http_status, refused.error_code) == (403, "not_group_member")
    group_ops.remove(screening.a, gid, screening.b.node_id, "host:test")
    Delivery(screening.a).flush_all()
    refused = ask_filter(screening, gid, "wallet", {"justification": REASON})
    assert refused.error_code == "not_group_member"  # B knows it left, and so serves A no more


def test_no_filter_when_the_holder_has_pre_screens_off_or_no_key(screening: Pair) -> None:
    screening.a.settings = screening.a.settings.replace(prescreen_bloom=False)
    gid = shared_group(screening)
    refused = ask_filter(screening, gid, "wallet", {"justification": REASON})
    assert (refused.http_status, refused.error_code) == (409, "prescreen_no_key")
    screening.b.settings = screening.b.settings.replace(prescreen_bloom=False)
    refused = ask_filter(screening, gid, "wallet", {"justification": REASON})
    assert (refused.http_status, refused.error_code) == (409, "prescreen_disabled")


def test_filters_count_against_the_psi_rate(screening: Pair) -> None:
    gid = shared_group(screening)
    psi_federation._limiters[screening.b.node_id] = PsiLimiter(max_queries=0)
    refused = ask_filter(screening, gid, "wallet", {"justification": REASON})
    assert (refused.http_status, refused.error_code) == (429, "psi_rate_limited")


def check(pair: Pair, values: list[str], screen: bool) -> psi_federation.HitCheck:
    screener = prescreen_ops.screener(pair.a, "wallet", REASON) if screen else None
    return psi_federation.hitcheck(
        pair.a, pair.b.node_id, "wallet", values, REASON, "host:test", screener
    )


def psi_queries(pair: Pair) -> int:
    return sum(1 for _m, url, _h, _b in pair.transport.sent if url.endswith("/federation/psi"))


def test_hitcheck_with_a_pre_screen_finds_the_same_hits(screening: Pair) -> None:
    shared_group(screening)
    plain = check(screening, ASKED, screen=False)
    screened = check(screening, ASKED, screen=True)
    assert screened.hits == plain.hits == tuple(HELD[1:])
    assert plain.dropped is None and screened.asked == plain.asked == len(ASKED)
    assert screened.dropped is not None and screened.dropped >= len(ASKED) - 2 - 3
    _actor, _action, details = actions(screening.a)[-1]
    assert details["prescreen_dropped"] == screened.dropped


def test_psi_is_skipped_when_nothing_passes(screening: Pair) -> None:
    shared_group(screening)
    before = psi_queries(screening)
    unheld = [f"0x{n:040x}" for n in range(1000, 1010)]
    screened = check(screening, unheld, screen=True)
    assert (screened.hits, screened.queries, screened.dropped) == ((), 0, 10)
    assert psi_queries(screening) == before


def test_without_a_usable_filter_every_value_goes_to_psi(screening: Pair) -> None:
    assert prescreen_ops.screener(screening.a, "phone", REASON) is None
    assert check(screening, ASKED, screen=True).dropped is None  # no shared group yet
    shared_group(screening)
    screening.b.settings = screening.b.settings.replace(prescreen_bloom=False)
    result = check(screening, ASKED, screen=True)
    assert result.dropped is None and result.hits == tuple(HELD[1:])
