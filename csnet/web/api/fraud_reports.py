"""Document fraud reports: file one, list them (issue 15). Items of kind `document_fraud`,
published and read through the same services as alerts; only the body differs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from csnet.items.document_bodies import FRAUD_KIND, DocumentFraud
from csnet.publishing import publish
from csnet.web.api.items import Before, Limit, created_out, describe_fields, feed_page, new_item
from csnet.web.deps import NodeDep, PresentedDep
from csnet.web.one_hop import answer
from csnet.web.schemas import ItemIn, ItemOut, ItemPage

router = APIRouter(tags=["documents"])
PATH = "/documents/fraud-reports"


class FraudReportIn(ItemIn):
    body: dict[str, Any] = Field(description=describe_fields(DocumentFraud))


@router.post(PATH, response_model=ItemOut, status_code=201)
async def post_fraud_report(body: FraudReportIn, node: NodeDep, who: PresentedDep) -> Response:
    new = new_item(FRAUD_KIND, body, body.body)
    return await answer(node, who, lambda c: created_out(publish(node, c, new)), 201)


@router.get(PATH, response_model=ItemPage)
async def list_fraud_reports(
    node: NodeDep, who: PresentedDep, limit: Limit = 50, before: Before = None
) -> Response:
    return await answer(node, who, lambda c: feed_page(node, c, FRAUD_KIND, limit, before))
