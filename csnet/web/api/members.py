"""Member administration (node administrators)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from csnet.accounts import member_ops
from csnet.accounts.totp import provisioning_uri
from csnet.web.api.auth import member_out
from csnet.web.deps import AdminDep, NodeDep
from csnet.web.schemas import DisabledMemberOut, DisableIn, MemberIn, MemberOut, NewMemberOut

router = APIRouter(prefix="/members", tags=["members"])


@router.get("", response_model=list[MemberOut])
def list_members(
    node: NodeDep, _auth: AdminDep, include_disabled: bool = Query(default=False)
) -> list[MemberOut]:
    found = member_ops.listing(node, include_disabled=include_disabled)
    return [member_out(m) for m in found]


@router.post("", response_model=NewMemberOut, status_code=201)
def add_member(body: MemberIn, node: NodeDep, auth: AdminDep) -> NewMemberOut:
    """Create a member; the TOTP secret is shown once, for the member's authenticator app."""
    member, secret = member_ops.add(
        node,
        member_ops.member_actor(auth.member.id),
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
    )
    uri = provisioning_uri(secret, member.username, f"csnet {node.identity.name}")
    return NewMemberOut(member=member_out(member), totp_secret=secret, totp_uri=uri)


@router.post("/{member_id}/disable", response_model=DisabledMemberOut)
def disable_member(
    member_id: str, node: NodeDep, auth: AdminDep, body: DisableIn | None = None
) -> DisabledMemberOut:
    """Disable a member; their API tokens are revoked unless `revoke_tokens` is false."""
    revoke = body.revoke_tokens if body else True
    actor = member_ops.member_actor(auth.member.id)
    member, ended = member_ops.disable(node, actor, member_id, revoke_tokens=revoke)
    return DisabledMemberOut(**member_out(member).model_dump(), tokens_revoked=ended.tokens_revoked)
