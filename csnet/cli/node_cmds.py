"""`csnet init` and `csnet serve`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from csnet.cli.common import DataDir, console, foreign
from csnet.node import init_node, open_node
from csnet.settings import load_settings, resolve_data_dir


def init(
    name: Annotated[str, typer.Option(help="Short node name, e.g. PK-FIA.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country, e.g. PK.")],
    agency: Annotated[str, typer.Option(help="Agency running the node.")],
    data_dir: DataDir = None,
    database_url: Annotated[
        str, typer.Option(help="PostgreSQL URL instead of the embedded SQLite database.")
    ] = "",
) -> None:
    """Create a node: identity key (mode 0600), config and a migrated database."""
    directory = resolve_data_dir(data_dir, os.environ)
    node = init_node(
        Path(directory),
        name=name,
        country=country.upper(),
        agency=agency,
        database_url=database_url,
    )
    console.print(f"Node [bold]{foreign(name)}[/] created in {foreign(directory)}", highlight=False)
    console.print(f"  node id      {node.node_id}")
    console.print(f"  fingerprint  {node.identity.fingerprint}")
    console.print("Next: `csnet member add` for the first node administrator, then `csnet serve`.")
    node.close()


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (CSNET_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (CSNET_PORT).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the node's HTTP(S) API, and deliver items to peers in the background."""
    import uvicorn

    from csnet.federation.delivery import Delivery
    from csnet.web.app import create_app
    from csnet.web.peer_transport import HttpPeerTransport
    from csnet.web.server_tls import server_tls_options

    settings = load_settings(data_dir, host=host, port=port)
    tls = server_tls_options(settings)  # why: refuse a broken TLS set-up before touching the store
    transport = HttpPeerTransport.for_settings(settings)
    node = open_node(settings)
    node.transport = transport
    app = create_app(node)
    delivery = Delivery(node)
    node.workers.warm()
    delivery.start(float(settings.federation_pull_seconds))
    try:
        uvicorn.run(
            app,
            host=str(settings.host),
            port=int(settings.port),
            log_level=str(settings.log_level),
            access_log=False,  # URLs carry no personal data, but the audit log is the record
            # why: the client address is what lockouts count and the audit log records; a
            # header any local client can set must not choose it
            proxy_headers=False,
            ws="wsproto",
            timeout_graceful_shutdown=5,  # live streams must not hold a stopping node for minutes
            ssl_certfile=tls.certfile,
            ssl_keyfile=tls.keyfile,
        )
    finally:
        delivery.stop()  # why: join the runner before the store it writes to is closed
        transport.close()
        node.close()  # its worker processes (signature checks, PSI) too
