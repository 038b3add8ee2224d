"""The account page: language, password, re-enrolling the authenticator, API tokens."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pyotp
from sqlalchemy import select

from csnet.accounts import members
from csnet.audit import AuditAction, AuditFilter, list_entries
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import members as members_table
from tests.factories import PASSWORD, api, token_for
from tests.web.pages.conftest import Browser, csrf_of, log_in

NEW_PASSWORD = "a different, longer passphrase"
PENDING = re.compile(r'name="pending" value="([^"]+)"')
SECRET = re.compile(r'class="mono totp-secret" dir="ltr">([A-Z2-7 ]+)<')
TOKEN = re.compile(r"(csn_[A-Za-z0-9_-]+)")


def post(browser: Browser, path: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
    """A form post with the page's CSRF token, typed for the assertions."""
    return browser.client.post(path, data={"csrf_token": browser.csrf, **(data or {})}, **kw)


def found(pattern: re.Pattern[str] | str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"no {pattern!r} on the page"
    return match.group(1)


def _login(node: Node, username: str, password: str, code: str) -> int:
    response = api(node).post(
        "/login",
        data={"username": username, "password": password, "totp": code},
        follow_redirects=False,
    )
    return response.status_code


def _actions(node: Node, action: AuditAction) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        return list_entries(conn, AuditFilter(action=action))


def test_account_page_shows_profile_and_session_end(node: Node) -> None:
    browser = log_in(node)
    page = browser.client.get("/account")
    assert page.status_code == 200
    assert "Amina" in page.text and ">amina<" in page.text and "Officer" in page.text
    assert "PK-FIA" in page.text and "Session ends" in page.text
    assert 'aria-current="page"' in page.text
    assert "No API tokens yet." in page.text


def test_language_change_is_stored_and_switches_to_right_to_left(node: Node) -> None:
    browser = log_in(node)
    response = post(browser, "/account/language", {"language": "ur"}, follow_redirects=False)
    assert response.status_code == 303
    assert "csnet_lang=ur" in response.headers["set-cookie"]
    with node.store.read() as conn:
        assert members.get_member(conn, browser.member.id).language == "ur"
    page = browser.client.get("/account")
    assert '<html lang="ur" dir="rtl">' in page.text


def test_unknown_language_is_refused(node: Node) -> None:
    browser = log_in(node)
    response = post(browser, "/account/language", {"language": "xx"})
    assert response.status_code == 422
    with node.store.read() as conn:
        assert members.get_member(conn, browser.member.id).language == "en"


def test_post_without_csrf_is_refused(node: Node) -> None:
    browser = log_in(node)
    response = browser.client.post("/account/language", data={"language": "fr"})
    assert response.status_code == 403
    response = browser.client.post("/account/tokens", data={"name": "x", "scopes": "read"})
    assert response.status_code == 403
    with node.store.read() as conn:
        assert members.get_member(conn, browser.member.id).language == "en"


def _change(browser: Browser, current: str, new: str, repeat: str | None = None) -> Any:
    data = {
        "current_password": current,
        "new_password": new,
        "repeat_password": new if repeat is None else repeat,
    }
    return post(browser, "/account/password", data, follow_redirects=False)


def test_password_change_refuses_a_wrong_current_password(node: Node) -> None:
    browser = log_in(node)
    response = _change(browser, "not the password at all", NEW_PASSWORD)
    assert response.status_code == 422
    assert "The current password is not right." in response.text
    assert _change(browser, PASSWORD, NEW_PASSWORD, "typo").status_code == 422
    assert _change(browser, PASSWORD, "short").status_code == 422
    assert _login(node, "amina", PASSWORD, _next_code(node, browser.secret)) == 303


def _next_code(node: Node, secret: str) -> str:
    # a later time step than the one log_in used, so the code is not a replay
    return pyotp.TOTP(secret).at(node.now() + timedelta(seconds=30))


def test_password_change_ends_other_sessions_and_the_new_one_logs_in(node: Node) -> None:
    browser = log_in(node)
    other = api(node)
    other.cookies.update(browser.client.cookies)
    response = _change(browser, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert "csnet_session=" in response.headers["set-cookie"]
    assert browser.client.get("/account").status_code == 200  # this browser got a new session
    assert other.get("/account", follow_redirects=False).status_code == 303  # the old one ended
    assert _login(node, "amina", PASSWORD, _next_code(node, browser.secret)) == 401
    assert _login(node, "amina", NEW_PASSWORD, _next_code(node, browser.secret)) == 303
    changes = _actions(node, AuditAction.MEMBER_CHANGE)
    assert any(e["details"].get("change") == "password changed" for e in changes)


def _start(browser: Browser) -> tuple[str, str, str]:
    page = post(browser, "/account/totp/start")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    secret = SECRET.search(page.text)
    pending = PENDING.search(page.text)
    assert secret and pending
    return page.text, secret.group(1).replace(" ", ""), unquote(pending.group(1))


def test_totp_enrolment_replaces_the_secret_only_after_a_good_code(node: Node) -> None:
    browser = log_in(node)
    _html, new_secret, pending = _start(browser)
    with node.store.read() as conn:
        old = conn.execute(
            select(members_table.c.totp_secret).where(members_table.c.id == browser.member.id)
        ).scalar_one()
    assert old == browser.secret != new_secret  # still pending
    wrong = post(browser, "/account/totp/confirm", {"pending": pending, "code": "000000"})
    assert wrong.status_code == 422
    assert "does not match" in wrong.text and 'src="data:image/svg+xml' in wrong.text
    good = pyotp.TOTP(new_secret).now()
    done = post(
        browser, "/account/totp/confirm", {"pending": pending, "code": good}, follow_redirects=False
    )
    assert done.status_code == 303
    with node.store.read() as conn:
        row = conn.execute(
            select(members_table).where(members_table.c.id == browser.member.id)
        ).one()
    assert row.totp_secret == new_secret
    assert _login(node, "amina", PASSWORD, _next_code(node, browser.secret)) == 401
    later = pyotp.TOTP(new_secret).at(node.now() + timedelta(seconds=30))
    assert _login(node, "amina", PASSWORD, later) == 303
    [change] = _actions(node, AuditAction.MEMBER_CHANGE)
    assert change["actor"] == f"member:{browser.member.id}"
    assert change["details"] == {"member": browser.member.id, "change": "second factor re-enrolled"}


def test_a_pending_secret_of_another_member_is_refused(node: Node) -> None:
    amina = log_in(node)
    _html, secret, pending = _start(amina)
    other = log_in(node, "bilal")
    response = post(
        other, "/account/totp/confirm", {"pending": pending, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 422
    assert "expired" in response.text


def test_token_secret_is_shown_once_and_authenticates_the_api(node: Node) -> None:
    browser = log_in(node)
    page = post(browser, "/account/tokens", {"name": "laptop", "scopes": "read", "days": "30"})
    assert page.status_code == 200
    assert "shown only once" in page.text
    secret = found(TOKEN, page.text)
    assert api(node, secret).get("/api/v1/auth/me").json()["username"] == "amina"
    again = browser.client.get("/account")
    assert secret not in again.text and "laptop" in again.text
    assert _actions(node, AuditAction.TOKEN_CHANGE)


def test_token_form_refuses_bad_input_and_the_admin_scope_for_officers(node: Node) -> None:
    browser = log_in(node)
    page = browser.client.get("/account")
    assert 'value="admin"' not in page.text
    bad = post(browser, "/account/tokens", {"name": "x", "scopes": "admin", "days": "30"})
    assert bad.status_code == 422
    assert (
        post(browser, "/account/tokens", {"name": "", "scopes": "read", "days": "30"}).status_code
        == 422
    )
    assert (
        post(browser, "/account/tokens", {"name": "x", "scopes": "read", "days": "0"}).status_code
        == 422
    )
    assert "No API tokens yet." in browser.client.get("/account").text
    admin = log_in(node, "root", Role.ADMIN)
    assert 'value="admin"' in admin.client.get("/account").text


def test_revoke_only_own_tokens(node: Node) -> None:
    browser = log_in(node)
    page = post(browser, "/account/tokens", {"name": "laptop", "scopes": "read", "days": "30"})
    secret = found(TOKEN, page.text)
    token_id = found(r"/account/tokens/([^/]+)/revoke", page.text)
    other = log_in(node, "bilal")
    assert post(other, f"/account/tokens/{token_id}/revoke").status_code == 404
    assert api(node, secret).get("/api/v1/auth/me").status_code == 200
    done = post(browser, f"/account/tokens/{token_id}/revoke", follow_redirects=False)
    assert done.status_code == 303
    assert api(node, secret).get("/api/v1/auth/me").status_code == 401
    assert "revoked" in browser.client.get("/account").text
    assert csrf_of(browser.client.get("/account").text) == browser.csrf


def test_wrong_current_passwords_lock_the_account_and_end_its_sessions(node: Node) -> None:
    amina = log_in(node)
    wrong = {"current_password": "not the password", "new_password": "a new password 2026"}
    wrong["repeat_password"] = wrong["new_password"]
    threshold = int(node.settings.lockout_threshold)
    for _ in range(threshold - 1):
        refused = amina.post("/account/password", wrong)
        assert refused.status_code == 422  # type: ignore[attr-defined]
    locked = amina.post("/account/password", wrong, follow_redirects=False)
    assert locked.status_code == 303  # type: ignore[attr-defined]
    assert locked.headers["location"] == "/login?reason=locked"  # type: ignore[attr-defined]
    after = amina.client.get("/account", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    with node.store.read() as conn:
        query = select(members_table.c.locked_until).where(members_table.c.id == amina.member.id)
        row = conn.execute(query)
        assert row.scalar_one() is not None


def test_password_change_revokes_api_tokens_by_default(node: Node) -> None:
    browser = log_in(node)
    token = token_for(node, browser.member)
    assert api(node, token).get("/api/v1/auth/me").status_code == 200
    assert _change(browser, PASSWORD, NEW_PASSWORD).status_code == 303
    assert api(node, token).get("/api/v1/auth/me").status_code == 401
    changes = _actions(node, AuditAction.MEMBER_CHANGE)
    assert any(e["details"].get("tokens") == "1 revoked" for e in changes)


def test_password_change_keeps_api_tokens_when_asked(node: Node) -> None:
    browser = log_in(node)
    token = token_for(node, browser.member)
    data = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "repeat_password": NEW_PASSWORD,
        "keep_tokens": "on",
    }
    assert post(browser, "/account/password", data, follow_redirects=False).status_code == 303
    assert api(node, token).get("/api/v1/auth/me").status_code == 200
