"""Page tests drive the app like a browser without JavaScript: forms, cookies, redirects."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import select

from csnet.accounts.members import Member
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import web_sessions
from tests.factories import PASSWORD, add_member, api, totp_now

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    client: TestClient
    member: Member
    secret: str
    csrf: str

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: object) -> object:
        form = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(path, data=form, **kwargs)  # type: ignore[arg-type]


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page carries no CSRF field"
    return found.group(1)


def log_in(node: Node, username: str = "amina", role: Role = Role.OFFICER) -> Browser:
    """A member logged in through the /login form, holding the session cookie and CSRF token."""
    member, secret = add_member(node, username, role)
    client = api(node)
    if node.settings.served_over_https:
        client.base_url = "https://testserver"  # why: Secure cookies come back over https only
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "totp": totp_now(secret), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with node.store.read() as conn:
        csrf = conn.execute(
            select(web_sessions.c.csrf_token).where(web_sessions.c.member_id == member.id)
        ).scalar_one()
    return Browser(client, member, secret, csrf)
