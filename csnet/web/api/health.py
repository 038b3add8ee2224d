"""Unauthenticated liveness and the node's public identity."""

from __future__ import annotations

import base64

from fastapi import APIRouter

import csnet
from csnet.web.deps import AuthDep, NodeDep
from csnet.web.schemas import Health, NodeInfo

router = APIRouter(tags=["node"])


@router.get("/health", response_model=Health)
def health(node: NodeDep) -> Health:
    node.store.ping()
    return Health(
        status="ok", node_id=node.node_id, name=node.identity.name, version=csnet.__version__
    )


@router.get("/node", response_model=NodeInfo)
def node_info(node: NodeDep, _auth: AuthDep) -> NodeInfo:
    """The node's public identity: what peers pin in their handshake."""
    ident = node.identity
    return NodeInfo(
        node_id=ident.node_id,
        name=ident.name,
        country=ident.country,
        agency=ident.agency,
        public_key=base64.urlsafe_b64encode(ident.public_key).decode().rstrip("="),
        fingerprint=ident.fingerprint,
    )
