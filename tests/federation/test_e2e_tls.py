"""Real TLS between `csnet serve` processes on 127.0.0.1, with certificates made here (trustme).

Two nodes serve HTTPS with certificates from the test's own CA, trust that CA for their peers
(CSNET_PEER_CA_FILE), peer by invitation and exchange an item. A node whose certificate comes
from another CA is refused at the TLS handshake. A broken TLS set-up stops `csnet serve` at
start with one line.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme

from csnet.cli.demo_network import Endpoint, invite, node_id_of, opened
from csnet.federation.peers import list_peers
from csnet.handling.roles import Role
from tests.databases import Databases
from tests.factories import PASSWORD, add_member, make_node, token_for, totp_now
from tests.federation.processes import Served, free_port, wait_for
from tests.federation.test_e2e_processes import _ids

pytestmark = pytest.mark.e2e

CONVERGE_SECONDS = 30.0


@dataclass
class TlsNode:
    served: Served
    token: str
    totp_secret: str
    env: dict[str, str]  # what its operator's shell holds: the CA its peers are checked against

    @property
    def url(self) -> str:
        return self.served.endpoint.url


def _files(ca: trustme.CA, directory: Path) -> dict[str, str]:
    """CA bundle, certificate chain and key (for 127.0.0.1) of one node, as files."""
    directory.mkdir(parents=True, exist_ok=True)
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    paths = {name: directory / f"{name}.pem" for name in ("ca", "cert", "key")}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    leaf.private_key_pem.write_to_path(str(paths["key"]))
    for blob in leaf.cert_chain_pems:
        blob.write_to_path(str(paths["cert"]), append=True)
    return {name: str(path) for name, path in paths.items()}


@pytest.fixture
def tls_node(
    tmp_path: Path, databases: Databases
) -> Iterator[Callable[[str, str, trustme.CA], TlsNode]]:
    started: list[Served] = []

    def make(slug: str, name: str, ca: trustme.CA) -> TlsNode:
        node = make_node(tmp_path / slug, databases, name=name, country="GR")
        member, secret = add_member(node, "officer", Role.OFFICER)
        token = token_for(node, member)
        node.close()
        files = _files(ca, tmp_path / f"{slug}-tls")
        port = free_port()
        env = {
            "CSNET_TLS_CERT_FILE": files["cert"],
            "CSNET_TLS_KEY_FILE": files["key"],
            "CSNET_PEER_CA_FILE": files["ca"],
        }
        endpoint = Endpoint(tmp_path / slug, f"https://127.0.0.1:{port}")
        served = Served(endpoint, port, env, tmp_path / f"{slug}.log", ca_file=files["ca"])
        started.append(served)
        served.start()
        return TlsNode(served, token, secret, {"CSNET_PEER_CA_FILE": files["ca"]})

    try:
        yield make
    finally:
        for served in started:
            served.stop()


def _csnet(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csnet.cli.main", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,  # why: a node that starts despite a broken set-up fails the test here
        check=False,
    )


def _accept(
    acceptor: TlsNode, inviter: TlsNode, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`csnet peer accept` on the acceptor's data directory, as its operator would run it."""
    token = invite(inviter.served.endpoint)
    where = ["--data-dir", str(acceptor.served.endpoint.directory)]
    return _csnet(["peer", "accept", token, *where], {"CSNET_PUBLIC_URL": acceptor.url, **env})


def _client(node: TlsNode, ca: trustme.CA) -> httpx.Client:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return httpx.Client(base_url=node.url, timeout=10, verify=context)


def test_two_nodes_peer_over_https_and_exchange_an_item(
    tls_node: Callable[[str, str, trustme.CA], TlsNode],
) -> None:
    ca = trustme.CA()
    a, b = tls_node("a", "PK-FIA", ca), tls_node("b", "GR-HCG", ca)
    accepted = _accept(b, a, b.env)
    assert accepted.returncode == 0, accepted.stderr
    a_id, b_id = node_id_of(a.served.endpoint), node_id_of(b.served.endpoint)
    with _client(a, ca) as client:
        client.headers["Authorization"] = f"Bearer {a.token}"
        body = {"title": "Vessel sighted", "text": "Crew of three.", "urgency": "PRIORITY"}
        markings = {"tlp": "TLP:AMBER"}
        sent = {"body": body, "markings": markings, "audience": {"nodes": [b_id]}}
        answer = client.post("/api/v1/alerts", json=sent)
        assert answer.status_code == 201, answer.text
    wait_for(lambda: _ids(b.served.endpoint, a_id) == _ids(a.served.endpoint, a_id), 30)
    assert len(_ids(b.served.endpoint, a_id)) == 1
    with pytest.raises(httpx.HTTPError):  # the port speaks TLS only
        httpx.get(f"http://127.0.0.1:{a.served.port}/api/v1/health", timeout=5)


def test_a_peer_with_a_certificate_from_an_unknown_ca_is_refused(
    tls_node: Callable[[str, str, trustme.CA], TlsNode],
) -> None:
    a = tls_node("a", "PK-FIA", trustme.CA())
    stranger = tls_node("b", "GR-HCG", trustme.CA())  # valid, but signed by a CA A does not trust
    for env in (a.env, {"CSNET_PEER_CA_FILE": ""}):  # A's CA bundle, then the system store
        refused = _accept(a, stranger, env)
        assert refused.returncode == 7, refused.stderr  # connection_failed
        assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert _peers(a) == []


def _peers(node: TlsNode) -> list[object]:
    with opened(node.served.endpoint) as opened_node, opened_node.store.read() as conn:
        return list(list_peers(conn))


def test_session_cookies_are_secure_over_tls(
    tls_node: Callable[[str, str, trustme.CA], TlsNode],
) -> None:
    ca = trustme.CA()
    a = tls_node("a", "PK-FIA", ca)
    with _client(a, ca) as client:
        login = {"username": "officer", "password": PASSWORD, "totp": totp_now(a.totp_secret)}
        answer = client.post("/api/v1/auth/login", json=login)
        assert answer.status_code == 200, answer.text
        cookie = answer.headers["set-cookie"].lower()
    assert "; secure" in cookie and "httponly" in cookie


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"CSNET_TLS_CERT_FILE": "{missing}"}, "tls_cert_file {missing}: cannot read it"),
        ({"CSNET_TLS_KEY_FILE": "{missing}"}, "tls_key_file {missing}: cannot read it"),
        ({"CSNET_TLS_CERT_FILE": ""}, "set both tls_cert_file and tls_key_file"),
        ({"CSNET_TLS_KEY_FILE": "{other_key}"}, "are not a PEM certificate chain and its"),
        ({"CSNET_TLS_CERT_FILE": "{ca}"}, "are not a PEM certificate chain and its"),
        ({"CSNET_PEER_CA_FILE": "{missing}"}, "peer_ca_file {missing}: cannot read"),
        ({"CSNET_PUBLIC_URL": "http://127.0.0.1:8443"}, "must be https:// when TLS is on"),
    ],
)
def test_a_broken_tls_set_up_stops_serve_with_one_line(
    tmp_path: Path, databases: Databases, change: dict[str, str], fragment: str
) -> None:
    make_node(tmp_path / "n", databases, name="PK-FIA", country="PK").close()
    ca = trustme.CA()
    files = _files(ca, tmp_path / "tls")
    names = {"missing": str(tmp_path / "absent.pem"), "ca": files["ca"]}
    names["other_key"] = _files(ca, tmp_path / "other")["key"]
    env = {"CSNET_TLS_CERT_FILE": files["cert"], "CSNET_TLS_KEY_FILE": files["key"]}
    env.update({key: value.format(**names) for key, value in change.items()})
    where = ["--data-dir", str(tmp_path / "n"), "--port", str(free_port())]
    # why: on a broken set-up the node must not start at all; a started one would run forever
    stopped = _csnet(["serve", "--host", "127.0.0.1", *where], env)
    assert stopped.returncode == 2, stopped.stderr
    assert len(stopped.stderr.strip().splitlines()) == 1 and "Traceback" not in stopped.stderr
    assert fragment.format(**names) in stopped.stderr
