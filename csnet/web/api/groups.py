"""Sharing groups: members see the groups their node belongs to; node administrators change them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from csnet.federation import group_ops
from csnet.safe_text import OneLine
from csnet.web.deps import AdminDep, AuthDep, NodeDep

router = APIRouter(prefix="/groups", tags=["groups"])


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: OneLine = Field(min_length=1, max_length=200)


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    node: str = Field(min_length=1, max_length=40)


@router.get("")
def list_groups(node: NodeDep, _auth: AuthDep) -> list[dict[str, Any]]:
    """The groups this node belongs to (owned or joined), with their members."""
    return [g.to_json() for g in group_ops.joined(node)]


@router.post("", status_code=201)
def create_group(body: GroupIn, node: NodeDep, auth: AdminDep) -> dict[str, Any]:
    return group_ops.create(node, body.name, f"member:{auth.member.id}").to_json()


@router.post("/{group_id}/members")
def add_member(group_id: str, body: MemberIn, node: NodeDep, auth: AdminDep) -> dict[str, Any]:
    """Invite a peered node (owner node only); the change is signed and sent to every member."""
    return group_ops.add(node, group_id, body.node, f"member:{auth.member.id}").to_json()


@router.delete("/{group_id}/members/{member}")
def remove_member(group_id: str, member: str, node: NodeDep, auth: AdminDep) -> dict[str, Any]:
    return group_ops.remove(node, group_id, member, f"member:{auth.member.id}").to_json()
