"""Request and response shapes of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from csnet.handling.grading import Grading
from csnet.handling.markings import Markings
from csnet.handling.roles import Role
from csnet.items.fields import GroupId, MemberId, NodeId
from csnet.safe_text import MultiLine, OneLine

USERNAME = r"^[a-z0-9._-]{3,64}$"
TOTP = r"^[0-9]{6}$"
Scope = Literal["read", "write", "admin"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]
    node_id: str
    name: str
    version: str


class NodeInfo(BaseModel):
    node_id: str
    name: str
    country: str
    agency: str
    public_key: str
    fingerprint: str


def _member_scopes() -> list[Scope]:
    return ["read", "write"]


class LoginIn(Strict):
    username: str = Field(pattern=USERNAME)
    password: str = Field(min_length=1, max_length=1024)
    totp: str = Field(pattern=TOTP)


class PasswordChangeIn(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)
    keep_tokens: bool = False  # by default every API token is revoked with the old password


class RevokedOut(BaseModel):
    tokens_revoked: int
    sessions_ended: int


class DisableIn(Strict):
    revoke_tokens: bool = True


class TokenLoginIn(LoginIn):
    token_name: OneLine = Field(default="cli", min_length=1, max_length=100)
    scopes: list[Scope] = Field(default_factory=_member_scopes, min_length=1, max_length=3)
    days: int | None = Field(default=None, ge=1, le=365, description="default: token_days")


class MemberOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: Role
    disabled: bool


class DisabledMemberOut(MemberOut):
    tokens_revoked: int


class SessionOut(BaseModel):
    member: MemberOut
    csrf_token: str


class MemberIn(Strict):
    username: str = Field(pattern=USERNAME)
    display_name: OneLine = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=12, max_length=1024)


class NewMemberOut(BaseModel):
    member: MemberOut
    totp_secret: str
    totp_uri: str


class TokenIn(Strict):
    name: OneLine = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=3)
    days: int | None = Field(default=None, ge=1, le=365, description="default: token_days")


class TokenOut(BaseModel):
    id: str
    name: str
    scopes: list[str]
    created: datetime
    expires: datetime
    revoked: datetime | None


class NewTokenOut(BaseModel):
    token: TokenOut
    secret: str


class AudienceIn(Strict):
    nodes: list[NodeId] = Field(default_factory=list, max_length=200)
    groups: list[GroupId] = Field(default_factory=list, max_length=50)
    members: list[MemberId] = Field(default_factory=list, max_length=50)  # TLP:RED, this node


class ItemIn(Strict):
    """Common fields of everything a member publishes."""

    markings: Markings = Field(default_factory=Markings)
    grading: Grading | None = None
    audience: AudienceIn = Field(default_factory=AudienceIn)


class ReplyIn(Strict):
    text: MultiLine = Field(min_length=1, max_length=20000)


class AckIn(Strict):
    state: Literal["seen", "actioned"]
    comment: MultiLine | None = Field(default=None, max_length=2000)


class EraseIn(Strict):
    reason: MultiLine = Field(min_length=1, max_length=2000)
    legal_basis: OneLine | None = Field(default=None, max_length=200)


class ItemOut(BaseModel):
    """A stored item: the signed envelope verbatim, plus this node's view of its status."""

    id: str
    kind: str
    origin: str
    created: datetime
    tlp: str
    restricted: bool = Field(description="personal data: resend with X-Justification to see it")
    superseded_by: str | None
    envelope: dict[str, Any] | None


class AckSummary(BaseModel):
    node: str
    member: str
    state: str
    at: datetime
    comment: str | None


class ItemDetail(BaseModel):
    item: ItemOut
    replies: list[ItemOut]
    acks: list[AckSummary]


class ItemPage(BaseModel):
    items: list[ItemOut]
    next_before: str | None = Field(description="pass as ?before= for the next page")


class AuditRowOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    item_id: str | None
    justification: str | None
    recipients: list[str]
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    rows: list[AuditRowOut]


class ProblemOut(BaseModel):
    seq: int
    kind: str
    message: str


class AuditVerifyOut(BaseModel):
    ok: bool
    rows: int
    problems: list[ProblemOut]


class HitOut(BaseModel):
    """Two items share one canonical indicator value: why, which items, since when."""

    value_type: str = Field(description="indicator type, e.g. phone, wallet, iban")
    display: str | None = Field(description="the value as people write it; null when restricted")
    item_id: str = Field(description="the newer item, whose arrival made the hit")
    origin: str
    other_id: str = Field(description="the item that held the value before it")
    other_origin: str
    first_seen: datetime = Field(description="when this node first saw the value")
    created: datetime = Field(description="when the newer item was created")
    purpose: Literal["suspect", "protection"] = Field(
        description="protection: a protected person's data, shown to protection officers only"
    )
    restricted: bool = Field(description="personal data: resend with X-Justification to see it")
    reason: str


class HitPage(BaseModel):
    hits: list[HitOut]
    next_before: str | None = Field(description="pass as ?before= for the next page")


class IndicatorHolding(BaseModel):
    item: ItemOut
    protected: bool = Field(description="a victim's or smuggled migrant's data: never a suspect")


class IndicatorMatch(BaseModel):
    type: str
    value: str = Field(description="the canonical value the query was read as")
    display: str
    first_seen: datetime | None = Field(description="null: never seen on this node")
    noisy: bool = Field(description="seen in too many items: only the first ones are listed")
    items: list[IndicatorHolding]


class IndicatorSearch(BaseModel):
    matches: list[IndicatorMatch]
