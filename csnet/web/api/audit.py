"""The audit log for supervisors and node administrators (LED Art 25)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from csnet import audit as log
from csnet.audit import reading
from csnet.web.deps import NodeDep, OverseerDep
from csnet.web.schemas import AuditPage, AuditRowOut, AuditVerifyOut, ProblemOut

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=AuditPage)
def list_audit(
    node: NodeDep,
    _auth: OverseerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    actor: Annotated[str | None, Query(max_length=120)] = None,
    item_id: Annotated[str | None, Query(max_length=64)] = None,
) -> AuditPage:
    flt = log.AuditFilter(actor=actor, item_id=item_id)
    rows = reading.entries(node, flt, limit=limit, offset=offset)
    return AuditPage(rows=[AuditRowOut.model_validate(r) for r in rows])


@router.get("/verify", response_model=AuditVerifyOut)
def verify_audit(node: NodeDep, _auth: OverseerDep) -> AuditVerifyOut:
    report = reading.check_chain(node)
    return AuditVerifyOut(
        ok=report.ok,
        rows=report.rows,
        problems=[ProblemOut(seq=p.seq, kind=p.kind, message=p.message) for p in report.problems],
    )
