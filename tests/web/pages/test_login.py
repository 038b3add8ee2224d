"""Login with password + TOTP, logout, expiry redirect, language choice and security headers."""

from __future__ import annotations

from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import PASSWORD, add_member, api, totp_now


def test_login_page_renders_and_carries_a_strict_csp(node: Node) -> None:
    response = api(node).get("/login")
    assert response.status_code == 200
    assert 'name="totp"' in response.text and 'dir="ltr"' in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_pages_redirect_to_login_without_a_session(node: Node) -> None:
    response = api(node).get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


def test_wrong_code_is_refused_with_one_message(node: Node) -> None:
    add_member(node, "amina", Role.OFFICER)
    response = api(node).post(
        "/login", data={"username": "amina", "password": PASSWORD, "totp": "000000"}
    )
    assert response.status_code == 401
    assert "not right" in response.text
    assert "csnet_session" not in response.headers.get("set-cookie", "")


def test_login_sets_a_strict_http_only_cookie_and_goes_to_next(node: Node) -> None:
    _member, secret = add_member(node, "amina", Role.OFFICER)
    response = api(node).post(
        "/login",
        data={
            "username": "amina",
            "password": PASSWORD,
            "totp": totp_now(secret),
            "next": "https://elsewhere.example/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"  # never an open redirect
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_lang_switch_is_right_to_left_for_urdu_and_remembered(node: Node) -> None:
    client = api(node)
    response = client.get("/login?lang=ur")
    assert '<html lang="ur" dir="rtl">' in response.text
    assert "csnet_lang=ur" in response.headers["set-cookie"]
    again = client.get("/login")
    assert '<html lang="ur" dir="rtl">' in again.text


def test_accept_language_picks_a_supported_language(node: Node) -> None:
    response = api(node).get("/login", headers={"Accept-Language": "de;q=0.9, fr;q=0.8, en;q=0.1"})
    assert '<html lang="fr" dir="ltr">' in response.text


def test_unknown_page_is_an_html_404(node: Node) -> None:
    response = api(node).get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
