"""Federation endpoints: the handshake, key rotation, an authenticated ping, item delivery,
hit/no-hit (PSI) and its optional pre-screen filters.

`peer_request` authenticates signed requests from peers (see csnet/federation/inbound.py for the
order of checks); docs/federation.md describes the wire format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from csnet.correlation import prescreen_ops, psi_federation
from csnet.errors import CsnetError
from csnet.federation import handshake, inbound, inbox, ordering, pull, rotation
from csnet.federation.local import audit_refusal, federation_id, own_fingerprint, request_details
from csnet.federation.peers import Peer
from csnet.items import strict_json
from csnet.node import Node
from csnet.web.deps import NodeDep

router = APIRouter(prefix="/federation", tags=["federation"])


@dataclass(frozen=True)
class PeerCall:
    peer: Peer
    body: bytes


def request_target(scope: Scope) -> str:
    """Path and query exactly as the request line carried them (what the sender signed)."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
    query: bytes = scope.get("query_string", b"")
    return raw.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")


async def peer_request(request: Request, node: NodeDep) -> PeerCall:
    body = await request.body()
    target = request_target(request.scope)
    peer = await run_in_threadpool(
        inbound.authenticate, node, request.method, target, dict(request.headers), body
    )
    return PeerCall(peer, body)


PeerDep = Annotated[PeerCall, Depends(peer_request)]


class IdentityOut(BaseModel):
    node_id: str
    name: str
    country: str
    agency: str
    url: str
    public_key: str


class HandshakeOut(BaseModel):
    identity: IdentityOut
    signature: str


class PingOut(BaseModel):
    node_id: str
    name: str
    country: str
    agency: str
    fingerprint: str
    peer: str
    time: int


class KeyOut(BaseModel):
    node_id: str
    fingerprint: str


_IDENTITY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["node_id", "name", "country", "agency", "url", "public_key"],
    "properties": {
        k: {"type": "string"} for k in ("node_id", "name", "country", "agency", "url", "public_key")
    },
}
_HANDSHAKE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["identity", "secret", "signature"],
                    "properties": {
                        "identity": _IDENTITY_SCHEMA,
                        "secret": {"type": "string"},
                        "signature": {"type": "string"},
                    },
                }
            }
        },
    }
}


def _json(body: bytes) -> Any:
    try:
        return strict_json.loads(body, what="handshake")
    except CsnetError:
        return None  # the handshake refuses it (and audits the refusal)


@router.post("/handshake", response_model=HandshakeOut, openapi_extra=_HANDSHAKE_BODY)
async def post_handshake(request: Request, node: NodeDep) -> HandshakeOut:
    """Redeem an invitation: authenticated by the invitation secret and the acceptor's signature."""
    data = _json(await request.body())
    reply = await run_in_threadpool(handshake.answer, node, data)
    return HandshakeOut.model_validate(reply)


@router.post("/key", response_model=KeyOut)
def post_key(node: NodeDep, call: PeerDep) -> KeyOut:
    """A peer announces its new key (signed request under its old key; see docs/federation.md)."""
    peer = rotation.receive(node, call.peer, call.body)
    return KeyOut(node_id=peer.node_id, fingerprint=peer.identity.fingerprint)


@router.get("/ping", response_model=PingOut)
def ping(node: NodeDep, call: PeerDep) -> PingOut:
    """Authenticated probe: answers who we are to a peer whose signed request verified."""
    fingerprint = own_fingerprint(node)
    ident = node.identity
    return PingOut(
        node_id=federation_id(node),
        name=ident.name,
        country=ident.country,
        agency=ident.agency,
        fingerprint=fingerprint,
        peer=call.peer.node_id,
        time=int(node.now().timestamp()),
    )


async def _in_one_hop(request: Request, node: Node, work: Callable[[Peer, bytes], Any]) -> Response:
    """Authenticate the signed request, then `work`, then the JSON answer, in one worker thread
    (a hot path: a push or a pull page per batch), instead of a hop for each."""
    body = await request.body()
    target = request_target(request.scope)
    headers = dict(request.headers)

    def run() -> Response:
        peer = inbound.authenticate(node, request.method, target, headers, body)
        return JSONResponse(work(peer, body))

    return await run_in_threadpool(run)


@router.post("/items", response_model=dict[str, Any])
async def post_items(
    request: Request, node: NodeDep, stream: str | None = None, batch: str | None = None
) -> Response:
    """A pushed batch of signed items; each item is judged on its own (docs/federation.md §6).
    `stream` and `batch` (in the signed target) name its place in the sender's window."""

    body = await request.body()
    target = request_target(request.scope)
    headers = dict(request.headers)

    def run() -> Response:
        # why: the nonce is recorded with the items, in one write transaction
        peer, nonce = inbound.authenticate_deferred(node, request.method, target, headers, body)
        place = ordering.parse_place(stream, batch)
        return JSONResponse(inbox.receive_batch(node, peer, body, place, nonce).to_json())

    return await run_in_threadpool(run)


@router.get("/items", response_model=dict[str, Any])
async def get_items(
    request: Request,
    node: NodeDep,
    origin: str | None = None,
    after: str | None = None,
    limit: str | None = None,
) -> Response:
    """Pull: one origin's items after a sequence number that the calling peer may receive."""

    def serve(peer: Peer, _body: bytes) -> dict[str, Any]:
        try:
            query = pull.parse_query(origin, after, limit)
        except CsnetError as exc:
            target = request_target(request.scope)
            audit_refusal(node, peer.node_id, exc.error_code, request_details("GET", target))
            raise
        return pull.serve_page(node, peer, *query).to_json()

    return await _in_one_hop(request, node, serve)


@router.get("/origins")
def get_origins(node: NodeDep, call: PeerDep) -> dict[str, Any]:
    """Other origins whose items this node may pass to the calling peer, each with the highest
    seq of such an item, so that a puller learns of third nodes (docs/federation.md §6)."""
    return {"origins": pull.list_origins(node, call.peer)}


@router.post("/psi")
def post_psi(node: NodeDep, call: PeerDep) -> dict[str, list[str]]:
    """Hit/no-hit: a peer's private set intersection query over the values of one identifier
    type this node holds; justified, rate-limited and audited (docs/indicators.md)."""
    return psi_federation.serve(node, call.peer, call.body)


@router.post("/prescreen/{group_id}/{type_name}")
def post_prescreen(node: NodeDep, call: PeerDep, group_id: str, type_name: str) -> dict[str, Any]:
    """Pre-screen: this node's keyed Bloom filter of one high-entropy identifier type, for a
    member of a group both belong to, when pre-screens are on; justified, audited."""
    return prescreen_ops.serve(node, call.peer, group_id, type_name, call.body)
