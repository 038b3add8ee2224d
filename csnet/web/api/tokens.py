"""A member's own API tokens: create, list, revoke."""

from __future__ import annotations

from fastapi import APIRouter

from csnet.accounts import token_ops
from csnet.accounts.member_ops import member_actor
from csnet.web.deps import NodeDep, ScopedDep
from csnet.web.schemas import NewTokenOut, TokenIn, TokenOut

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenOut])
def list_tokens(node: NodeDep, auth: ScopedDep) -> list[TokenOut]:
    found = token_ops.list_of(node, auth.member.id)
    return [TokenOut.model_validate(t, from_attributes=True) for t in found]


@router.post("", response_model=NewTokenOut, status_code=201)
def create_token(body: TokenIn, node: NodeDep, auth: ScopedDep) -> NewTokenOut:
    """The secret is shown once; only its hash is kept."""
    info, secret = token_ops.create(
        node,
        member_actor(auth.member.id),
        auth.member.id,
        name=body.name,
        scopes=body.scopes,
        days=body.days,
        within=auth.scopes,
    )
    return NewTokenOut(token=TokenOut.model_validate(info, from_attributes=True), secret=secret)


@router.delete("/{token_id}", status_code=204)
def revoke_token(token_id: str, node: NodeDep, auth: ScopedDep) -> None:
    token_ops.revoke(node, member_actor(auth.member.id), token_id, owner=auth.member.id)
