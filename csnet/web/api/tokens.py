"""A member's own API tokens: create, list, revoke."""

from __future__ import annotations

from fastapi import APIRouter

from csnet.accounts import tokens
from csnet.errors import Forbidden, NotFound
from csnet.web.deps import NodeDep, ScopedDep
from csnet.web.schemas import NewTokenOut, TokenIn, TokenOut

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenOut])
def list_tokens(node: NodeDep, auth: ScopedDep) -> list[TokenOut]:
    with node.store.read() as conn:
        found = tokens.list_tokens(conn, auth.member.id)
    return [TokenOut.model_validate(t, from_attributes=True) for t in found]


@router.post("", response_model=NewTokenOut, status_code=201)
def create_token(body: TokenIn, node: NodeDep, auth: ScopedDep) -> NewTokenOut:
    """The secret is shown once; only its hash is kept."""
    tokens.check_role_may_hold(auth.member.role, body.scopes)
    if not set(body.scopes) <= auth.scopes:
        raise Forbidden("a token cannot grant more than its creator holds", code="scope_denied")
    with node.store.write() as conn:
        days = body.days or int(node.settings.token_days)
        info, secret = tokens.create_token(
            conn, auth.member.id, body.name, list(body.scopes), node.now(), days
        )
    return NewTokenOut(token=TokenOut.model_validate(info, from_attributes=True), secret=secret)


@router.delete("/{token_id}", status_code=204)
def revoke_token(token_id: str, node: NodeDep, auth: ScopedDep) -> None:
    with node.store.write() as conn:
        if token_id not in {t.id for t in tokens.list_tokens(conn, auth.member.id)}:
            raise NotFound(f"no token {token_id} of yours")
        tokens.revoke_token(conn, token_id, node.now())
