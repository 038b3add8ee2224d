"""Cookies are Secure whenever the node is reached over https: its own TLS, or a proxy in front.

A session cookie sent over plain HTTP even once can be read on the path; the Secure attribute
keeps the browser from ever doing that, and Strict-Transport-Security from trying plain HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest

from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import PASSWORD, add_member, api, totp_now

OVER_HTTPS = [
    pytest.param({"tls_cert_file": "node.crt", "tls_key_file": "node.key"}, id="own-tls"),
    pytest.param({"public_url": "https://csnet.fia.gov.pk"}, id="behind-https-proxy"),
]


def _cookies(node: Node, username: str) -> dict[str, str]:
    """Set-Cookie of a page login, an API login and a language switch, lower-cased."""
    _member, secret = add_member(node, username, Role.OFFICER)
    client = api(node)
    form = {"username": username, "password": PASSWORD, "totp": totp_now(secret)}
    page = client.post("/login", data=form, follow_redirects=False)
    assert page.status_code == 303, page.text
    # why: a second login in the same TOTP step would be a replay; a new member has a new secret
    _member, other = add_member(node, username + "2", Role.OFFICER)
    body: dict[str, Any] = {"username": username + "2", "password": PASSWORD}
    login = client.post("/api/v1/auth/login", json={**body, "totp": totp_now(other)})
    assert login.status_code == 200, login.text
    language = client.get("/login?lang=ur")
    return {
        "page": page.headers["set-cookie"].lower(),
        "api": login.headers["set-cookie"].lower(),
        "language": language.headers["set-cookie"].lower(),
    }


@pytest.mark.parametrize("https", OVER_HTTPS)
def test_cookies_are_secure_when_served_over_https(node: Node, https: dict[str, str]) -> None:
    plain = _cookies(node, "amina")
    assert not any("secure" in cookie for cookie in plain.values())  # plain HTTP on loopback
    node.settings = node.settings.replace(**https)
    secure = _cookies(node, "bilal")
    for where, cookie in secure.items():
        assert "; secure" in cookie, where
        assert "httponly" in cookie, where


@pytest.mark.parametrize("https", OVER_HTTPS)
def test_browsers_are_told_to_stay_on_https(node: Node, https: dict[str, str]) -> None:
    assert "strict-transport-security" not in api(node).get("/login").headers
    node.settings = node.settings.replace(**https)
    hsts = api(node).get("/login").headers["strict-transport-security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1]) >= 180 * 86400
