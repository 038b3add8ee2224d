"""`csnet demo`: three nodes on 127.0.0.1, seeded, served side by side until Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import webbrowser
from pathlib import Path
from typing import Annotated, Any

import httpx
import pyotp
import typer

from csnet.access import Caller
from csnet.accounts import member_ops
from csnet.cli.common import console
from csnet.cli.demo_network import Endpoint, form_group, form_mesh, node_id_of, opened
from csnet.cli.demo_seed import (
    ALERTS,
    DEMO_PASSWORD,
    MEMBERS,
    NODES,
    NOTES,
    SHARED_ALERTS,
    DemoNode,
)
from csnet.errors import Conflict, CsnetError, NotFound
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.node import Node, init_node
from csnet.publishing import NewItem, publish

LOGINS_FILE = "logins.json"
NETWORK_FILE = "network.json"  # written once the nodes are peered and the shared alerts posted
GROUP_NAME = "Eastern Mediterranean"
GROUP_KEY = "group"  # network.json: the sharing group's id beside the nodes' ids
SEEDER = "system"  # the audit actor of the seeded members: the demo made them, no person


def _seed_node(spec: DemoNode, directory: Path) -> dict[str, str]:
    node = init_node(directory, name=spec.name, country=spec.country, agency=spec.agency)
    try:
        secrets = _seed_members(node)
        _seed_items(node, spec)
    finally:
        node.close()
    return secrets


def _seed_members(node: Node) -> dict[str, str]:
    secrets: dict[str, str] = {}
    for username, role, title in MEMBERS:
        _member, secret = member_ops.add(
            node,
            SEEDER,
            username=username,
            display_name=f"{title} ({node.identity.name})",
            role=Role(role),
            password=DEMO_PASSWORD,
        )
        secrets[username] = secret
    return secrets


def _seed_items(node: Node, spec: DemoNode) -> None:
    officer, analyst = member_ops.find(node, "officer"), member_ops.find(node, "analyst")
    for body in ALERTS[spec.slug]:
        publish(node, Caller(officer), NewItem("alert", body, Markings(tlp=TLP.AMBER)))
    for body in NOTES[spec.slug]:
        publish(node, Caller(analyst), NewItem("note", body, Markings(tlp=TLP.GREEN)))


def _prepare(root: Path) -> dict[str, dict[str, str]]:
    logins_path = root / LOGINS_FILE
    if logins_path.is_file():
        logins: dict[str, dict[str, str]] = json.loads(logins_path.read_text("utf-8"))
        return logins
    root.mkdir(parents=True, exist_ok=True)
    logins = {}
    for spec in NODES:
        console.print(f"Creating {spec.name} ({spec.agency}, {spec.city}) …")
        logins[spec.slug] = _seed_node(spec, root / spec.slug)
    logins_path.write_text(json.dumps(logins, indent=2), "utf-8")
    logins_path.chmod(0o600)
    return logins


def _start(root: Path, spec: DemoNode) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "csnet.cli.main",
        "serve",
        "--data-dir",
        str(root / spec.slug),
        "--host",
        "127.0.0.1",
        "--port",
        str(spec.port),
    ]
    return subprocess.Popen(command)


def _check_ports_free() -> None:
    """Refuse to start when another program holds a demo port: its answers would be taken for
    a demo node's (health, then peering) and the demo would fail far from the cause."""
    for spec in NODES:
        with socket.socket() as probe:
            # why: as uvicorn binds, so a port left in TIME_WAIT by an earlier demo is not "taken"
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", spec.port))
            except OSError:
                raise Conflict(
                    f"port {spec.port} on 127.0.0.1 (for {spec.name}) is taken by another "
                    "program; stop it and run the demo again",
                    code="port_taken",
                ) from None


def _wait_healthy(spec: DemoNode, deadline: float) -> None:
    url = f"http://127.0.0.1:{spec.port}/api/v1/health"
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise CsnetError(f"{spec.name} did not answer on port {spec.port}; is the port taken?")


def _endpoint(root: Path, spec: DemoNode) -> Endpoint:
    return Endpoint(root / spec.slug, f"http://127.0.0.1:{spec.port}")


def _network(root: Path) -> dict[str, str]:
    """Peer the nodes (full mesh) and post the shared alerts, once; returns slug -> node id."""
    path = root / NETWORK_FILE
    if path.is_file():
        ids: dict[str, str] = json.loads(path.read_text("utf-8"))
        return ids
    from csnet.web.peer_transport import HttpPeerTransport

    endpoints = [_endpoint(root, spec) for spec in NODES]
    transport = HttpPeerTransport()
    try:
        console.print(f"Peering the nodes: {form_mesh(endpoints, transport)} new peerings")
    finally:
        transport.close()
    ids = {spec.slug: node_id_of(e) for spec, e in zip(NODES, endpoints, strict=True)}
    # why: the whole network in one sharing group, owned by the EU agency that convenes it
    others = [ids[spec.slug] for spec in NODES[:-1]]
    ids[GROUP_KEY] = form_group(endpoints[-1], GROUP_NAME, others)
    for spec, endpoint in zip(NODES, endpoints, strict=True):
        _post_shared(endpoint, spec, ids)
    path.write_text(json.dumps(ids, indent=2), "utf-8")
    return ids


def _post_shared(endpoint: Endpoint, spec: DemoNode, ids: dict[str, str]) -> None:
    # why: posted after peering, so each is queued for its audience and the running node pushes it
    with opened(endpoint) as node:
        officer = member_ops.find(node, "officer")
        for to, body in SHARED_ALERTS[spec.slug]:
            nodes = tuple(ids[slug] for slug in to if slug != GROUP_KEY)
            groups = (ids[GROUP_KEY],) if GROUP_KEY in to else ()
            new = NewItem(
                "alert",
                body,
                Markings(tlp=TLP.AMBER),
                audience_nodes=nodes,
                audience_groups=groups,
            )
            publish(node, Caller(officer), new)


def _banner(logins: dict[str, dict[str, str]], root: Path, ids: dict[str, str]) -> None:
    console.rule("csnet demo network")
    for spec in NODES:
        console.print(
            f"[bold]{spec.name}[/] {spec.agency}, {spec.city}: web app "
            f"[bold]http://127.0.0.1:{spec.port}/[/]  API http://127.0.0.1:{spec.port}/api/v1/docs"
            f"  node id {ids[spec.slug]}",
            highlight=False,
        )
    console.print(
        "The three nodes are peered with each other and form the sharing group "
        f"'{GROUP_NAME}' ({ids[GROUP_KEY]}); alerts cross as they are posted.",
        highlight=False,
    )
    users = ", ".join(u for u, _r, _t in MEMBERS)
    console.print(f"Logins on every node: {users}; password [bold]{DEMO_PASSWORD}[/]")
    where = "" if root == Path("demo-data") else f" --dir {root}"
    console.print(
        f"TOTP code for a login: [bold].venv/bin/csnet demo-code officer@pk-fia{where}[/] "
        f"(or add the secret from {root / LOGINS_FILE} to an authenticator app)"
    )
    _live_hint(ids)
    console.print("Press Ctrl-C to stop all nodes.")


def _live_hint(ids: dict[str, str]) -> None:
    pk, gr = (f"http://127.0.0.1:{spec.port}" for spec in NODES[:2])
    lines = (
        f"See an alert cross live in the browser: log in as officer on {gr}/ and, in a second",
        f"window, on {pk}/ ; post an alert from Compose to GR-HCG and watch GR-HCG's feed.",
        "Or in two terminals (TOTP: csnet demo-code officer@<node>):",
        f"  1. csnet login --url {gr} --username officer   # GR-HCG; export CSNET_TOKEN=…",
        f"     csnet watch --url {gr}",
        f"  2. csnet login --url {pk} --username officer   # PK-FIA; export CSNET_TOKEN=…",
        f"     csnet alert post --url {pk} --title 'Boat sighted off Crete' "
        f"--text 'Heading north' --to {ids[NODES[1].slug]}",
        f"     (or --group {ids[GROUP_KEY]} for every node of '{GROUP_NAME}')",
    )
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)  # copy-pasteable


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo nodes keep data.")
    ] = Path("demo-data"),
    seed_only: Annotated[bool, typer.Option(help="Create and seed, then exit.")] = False,
    open_browser: Annotated[
        bool,
        typer.Option(
            "--open/--no-open", help="Open the web app in a browser, if there is a screen."
        ),
    ] = True,
) -> None:
    """Start three seeded nodes on 127.0.0.1 (PK-FIA, GR-HCG, EU-FRONTEX); Ctrl-C stops them."""
    if not seed_only:
        _check_ports_free()
    logins = _prepare(directory)
    if seed_only:
        console.print(f"Demo data ready in {directory}.")
        return
    processes = [_start(directory, spec) for spec in NODES]
    try:
        deadline = time.monotonic() + 60
        for spec in NODES:
            _wait_healthy(spec, deadline)
        ids = _network(directory)
        _banner(logins, directory, ids)
        if open_browser:
            _open_app(f"http://127.0.0.1:{NODES[0].port}/")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        raise CsnetError("a demo node stopped unexpectedly")
    except KeyboardInterrupt:
        console.print("Stopping …")
    finally:
        _stop(processes)


def _open_app(url: str) -> None:
    """Open the first node's web app, only where a graphical browser can show it: on a bare
    terminal `webbrowser` could start a text browser in the middle of the demo's output."""
    graphical = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if graphical and webbrowser.open(url):
        console.print(f"Opened {url} in your browser.", highlight=False)


def _stop(processes: list[subprocess.Popen[Any]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def demo_code(
    login: Annotated[str, typer.Argument(help="USERNAME@NODE, e.g. officer@pk-fia")],
    directory: Annotated[Path, typer.Option("--dir", help="Demo data directory.")] = Path(
        "demo-data"
    ),
) -> None:
    """Print the current TOTP code of a demo login."""
    username, _, slug = login.partition("@")
    path = directory / LOGINS_FILE
    if not path.is_file():
        raise NotFound(f"no demo data in {directory}; run `make demo` first")
    secret = json.loads(path.read_text("utf-8")).get(slug, {}).get(username)
    if not secret:
        raise NotFound(f"no demo login {login}")
    typer.echo(pyotp.TOTP(secret).now())
