"""Property-based run over the published OpenAPI schema: no 5xx, no response outside the schema.

Each operation of the schema gets generated requests (valid and invalid) sent through the app with
a supervisor's token; every response must be a documented status with a body matching the schema.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from csnet.handling.roles import Role
from csnet.node import Node
from csnet.web.app import create_app
from tests.conftest import examples
from tests.factories import add_member, alert_body, api, token_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 30
STREAM_SECONDS = 0.05


def _prepare(node: Node) -> str:
    member, _ = add_member(node, "supervisor", Role.SUPERVISOR)
    token = token_for(node, member)
    # Something to read, reply to and acknowledge.
    api(node, token).post("/api/v1/alerts", json={"body": alert_body()})
    return token


def _run_operation(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples(EXAMPLES_PER_OPERATION),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: Any) -> None:
        if case.path.endswith("/stream"):
            # The live stream stays open for max_seconds (its documented bound): keep each short.
            case.query = {**(case.query or {}), "max_seconds": STREAM_SECONDS}
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_api_conforms_to_its_schema(node: Node) -> None:
    token = _prepare(node)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(node))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        if operation.path.endswith("/auth/logout"):
            continue  # would end the session the other operations use; tested on its own
        _run_operation(operation, {"Authorization": f"Bearer {token}"})
