"""Administration pages: members and roles, peers (invite, accept, suspend, revoke), sharing
groups, and the audit log with its filters and chain verification."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from csnet.accounts import members
from csnet.audit import AuditAction, AuditEntry, append_many
from csnet.federation import invitations, peers
from csnet.federation.peers import PeerStatus
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import audit_log
from tests.databases import Databases
from tests.factories import PASSWORD, api, make_node, totp_now
from tests.federation.conftest import InProcessTransport
from tests.web.pages.conftest import Browser, log_in

URL_A, URL_B = "https://pk-fia.test", "https://gr-hcg.test"
INVITATION = re.compile(r'id="invitation-token"[^>]*>([^<]+)<')
QR_SECRET = re.compile(r'class="mono totp-secret" dir="ltr">([A-Z2-7 ]+)<')


def post(browser: Browser, path: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
    """A form post with the page's CSRF token, typed for the assertions."""
    return browser.client.post(path, data={"csrf_token": browser.csrf, **(data or {})}, **kw)


def found(pattern: re.Pattern[str] | str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"no {pattern!r} on the page"
    return match.group(1)


def test_an_officer_is_refused_administration(node: Node) -> None:
    officer = log_in(node)
    for path in ("/admin", "/admin/members", "/admin/peers", "/admin/groups", "/admin/audit"):
        assert officer.client.get(path).status_code == 403, path
    assert post(officer, "/admin/members", {"username": "x"}).status_code == 403
    assert "Administration" not in officer.client.get("/account").text


def test_a_supervisor_reads_the_audit_log_but_not_members(node: Node) -> None:
    supervisor = log_in(node, "sara", Role.SUPERVISOR)
    assert supervisor.client.get("/admin").status_code == 200
    assert supervisor.client.get("/admin/audit").status_code == 200
    assert supervisor.client.get("/admin/members").status_code == 403


def _add(admin: Browser, username: str, role: str = "officer") -> Any:
    data = {
        "username": username,
        "display_name": username.title(),
        "role": role,
        "password": PASSWORD,
    }
    return post(admin, "/admin/members", data)


def test_admin_adds_a_member_who_then_logs_in(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    page = _add(admin, "yusuf")
    assert page.status_code == 200
    text = page.text
    assert 'src="data:image/svg+xml' in text and "shown only once" in text
    secret = found(QR_SECRET, text).replace(" ", "")
    response = api(node).post(
        "/login",
        data={"username": "yusuf", "password": PASSWORD, "totp": totp_now(secret)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    listing = admin.client.get("/admin/members").text
    assert "yusuf" in listing and secret not in listing


def test_adding_a_member_with_bad_input_stores_nothing(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    bad = post(
        admin,
        "/admin/members",
        {"username": "No Spaces", "display_name": "X", "role": "officer", "password": PASSWORD},
    )
    assert bad.status_code == 422 and "User names have" in bad.text
    assert _add(admin, "root").status_code == 422
    with node.store.read() as conn:
        assert [m.username for m in members.list_members(conn)] == ["root"]


def test_role_change_and_the_last_admin_is_kept(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    officer = log_in(node, "amina")
    done = post(
        admin,
        f"/admin/members/{officer.member.id}/role",
        {"role": "analyst"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with node.store.read() as conn:
        assert members.get_member(conn, officer.member.id).role is Role.ANALYST
    refused = post(admin, f"/admin/members/{admin.member.id}/role", {"role": "officer"})
    assert refused.status_code == 409
    assert "at least one enabled administrator" in refused.text
    refused = post(admin, f"/admin/members/{admin.member.id}/disable")
    assert refused.status_code == 409
    assert "at least one enabled administrator" in refused.text
    with node.store.read() as conn:
        me = members.get_member(conn, admin.member.id)
    assert me.role is Role.ADMIN and not me.disabled


def test_disable_logs_the_member_out_and_enable_restores(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    officer = log_in(node, "amina")
    assert post(admin, f"/admin/members/{officer.member.id}/disable").status_code == 200
    assert officer.client.get("/account", follow_redirects=False).status_code == 303
    assert "disabled" in admin.client.get("/admin/members").text
    post(admin, f"/admin/members/{officer.member.id}/enable")
    with node.store.read() as conn:
        assert not members.get_member(conn, officer.member.id).disabled


def test_admin_posts_need_the_csrf_token(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    officer = log_in(node, "amina")
    response = admin.client.post(f"/admin/members/{officer.member.id}/disable")
    assert response.status_code == 403
    assert admin.client.post("/admin/audit/verify").status_code == 403
    assert admin.client.post("/admin/peers/invite", data={"hours": "24"}).status_code == 403
    with node.store.read() as conn:
        assert not members.get_member(conn, officer.member.id).disabled


def test_audit_page_lists_logins_filters_by_action_and_pages(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    page = admin.client.get("/admin/audit")
    assert page.status_code == 200 and 'audit-action">login<' in page.text and "root" in page.text
    _add(admin, "yusuf")
    only = admin.client.get("/admin/audit", params={"action": "member_change"})
    assert 'audit-action">member_change<' in only.text and 'audit-action">login<' not in only.text
    none = admin.client.get("/admin/audit", params={"action": "erasure"})
    assert "No entries match these filters." in none.text
    assert admin.client.get("/admin/audit", params={"action": "bogus"}).status_code == 422
    by_name = admin.client.get("/admin/audit", params={"actor": "root", "action": "login"})
    assert 'audit-action">login<' in by_name.text
    filler = AuditEntry(actor="system", action=AuditAction.PEER_REFUSED, details={"n": 1})
    with node.store.write() as conn:
        append_many(conn, [filler] * 60, node.now())
    first = admin.client.get("/admin/audit")
    assert 'rel="next"' in first.text
    next_url = html.unescape(found(r'href="([^"]+)" rel="next"', first.text))
    older = admin.client.get(next_url)
    assert older.status_code == 200 and 'audit-action">login<' in older.text
    assert 'audit-action">login<' not in first.text


def test_verify_says_the_chain_is_intact_and_names_a_broken_entry(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    page = post(admin, "/admin/audit/verify")
    assert page.status_code == 200
    assert "The chain is intact." in page.text
    with node.store.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 1).values(actor="system"))
    broken = post(admin, "/admin/audit/verify")
    assert "The chain is broken." in broken.text and "altered" in broken.text


@pytest.fixture
def node_b(tmp_path: Path, node: Node, databases: Databases) -> Iterator[Node]:
    other = make_node(
        tmp_path / "b", databases, name="GR-HCG", country="GR", agency="Hellenic Coast Guard"
    )
    node.settings = node.settings.replace(public_url=URL_A)
    other.settings = other.settings.replace(public_url=URL_B)
    transport = InProcessTransport()
    transport.add(URL_A, node)
    transport.add(URL_B, other)
    node.transport = other.transport = transport
    yield other
    transport.close()
    other.close()


def _peer(node: Node, node_b: Node) -> Browser:
    """Invite on `node` through its page, accept on `node_b` through its page; A's admin."""
    admin_a = log_in(node, "root", Role.ADMIN)
    assert "No peers yet." in admin_a.client.get("/admin/peers").text
    page = post(admin_a, "/admin/peers/invite", {"hours": "24"})
    assert page.status_code == 200 and "shown only this time" in page.text
    token = html.unescape(found(INVITATION, page.text)).strip()
    admin_b = log_in(node_b, "chief", Role.ADMIN)
    done = post(admin_b, "/admin/peers/accept", {"token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert "PK-FIA" in admin_b.client.get("/admin/peers").text
    return admin_a


def test_peers_invite_accept_suspend_resume_revoke(node: Node, node_b: Node) -> None:
    admin = _peer(node, node_b)
    listing = admin.client.get("/admin/peers").text
    assert "GR-HCG" in listing and node_b.identity.fingerprint in listing
    b_id = node_b.node_id
    post(admin, f"/admin/peers/{b_id}/suspend")
    with node.store.read() as conn:
        assert peers.require_peer(conn, b_id).status is PeerStatus.SUSPENDED
    post(admin, f"/admin/peers/{b_id}/resume")
    post(admin, f"/admin/peers/{b_id}/revoke")
    with node.store.read() as conn:
        assert peers.require_peer(conn, b_id).status is PeerStatus.REVOKED
    assert post(admin, f"/admin/peers/{b_id}/resume").status_code == 409  # revocation is final


def test_a_bad_invitation_is_refused_inline(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    response = post(admin, "/admin/peers/accept", {"token": "not-a-token"})
    assert response.status_code == 422
    assert "The handshake failed" in response.text and "not-a-token" in response.text


def test_groups_create_add_and_remove_a_peer(node: Node, node_b: Node) -> None:
    admin = _peer(node, node_b)
    assert "This node is in no sharing group." in admin.client.get("/admin/groups").text
    assert post(admin, "/admin/groups", {"name": " "}).status_code == 422
    created = post(admin, "/admin/groups", {"name": "Eastern Med"}, follow_redirects=False)
    assert created.status_code == 303
    page = admin.client.get("/admin/groups").text
    gid = found(r'id="g-(grp-[0-9a-f]+)"', page)
    assert "Eastern Med" in page and "owned by this node" in page
    added = post(admin, f"/admin/groups/{gid}/members", {"member": node_b.node_id})
    assert added.status_code == 200
    assert "GR-HCG" in admin.client.get("/admin/groups").text
    again = post(admin, f"/admin/groups/{gid}/members", {"member": node_b.node_id})
    assert again.status_code == 409 and "already a member" in again.text
    post(admin, f"/admin/groups/{gid}/members/{node_b.node_id}/remove")
    assert f"/members/{node_b.node_id}/remove" not in admin.client.get("/admin/groups").text


def test_overview_counts(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    page = admin.client.get("/admin")
    assert page.status_code == 200
    assert "1 members, 0 disabled." in page.text and "0 peer nodes" in page.text


def test_plain_http_peer_urls_are_refused_inline(node: Node) -> None:
    node.settings = node.settings.replace(public_url="http://10.0.0.1")  # off loopback, no TLS
    admin = log_in(node, "root", Role.ADMIN)
    page = post(admin, "/admin/peers/invite", {"hours": "24"})
    assert page.status_code == 422 and "invitation-token" not in page.text
    assert "must reach it over https" in page.text
    with node.store.write() as conn:
        token = invitations.create_invitation(
            conn, url="http://10.0.0.1", node_id="x", fingerprint="y", now=node.now(), hours=1
        ).token()
    refused = post(admin, "/admin/peers/accept", {"token": token})
    assert refused.status_code == 422 and "must be reached over https" in refused.text
