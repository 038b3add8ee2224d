"""Build a node's bus and outbox work from its settings: in-process, or NATS JetStream."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csnet.bus.interface import EventBus
from csnet.bus.memory import MemoryBus
from csnet.bus.work import LocalWork, OutboxWork

if TYPE_CHECKING:
    from csnet.bus.nats import NatsBus
    from csnet.bus.nats_work import NatsWork


def connect_bus(bus_url: str, node_id: str) -> tuple[EventBus, OutboxWork]:
    """In-process when `bus_url` is empty; otherwise one NATS connection shared by both, with
    names derived from `node_id` (raises BusUnreachable if NATS or JetStream is not there)."""
    if not bus_url:
        return MemoryBus(), LocalWork()
    return connect_nats(bus_url, node_id)


def connect_nats(bus_url: str, node_id: str) -> tuple[NatsBus, NatsWork]:
    # Imported here: a node without NATS never loads the client.
    import nats.errors

    from csnet.bus.nats import NatsBus, NatsNames
    from csnet.bus.nats_work import NatsWork
    from csnet.bus.natslink import BusUnreachable, NatsLink, redacted

    names = NatsNames.for_node(node_id)
    link = NatsLink(bus_url)
    bus: NatsBus | None = None
    try:
        bus = NatsBus(link, names)
        return bus, NatsWork(link, names)
    except BaseException as exc:
        if bus is not None:
            bus.close()  # releases its hold on the link
        link.close()
        if isinstance(exc, TimeoutError | nats.errors.Error):
            raise BusUnreachable(
                f"the event bus at {redacted(bus_url)} answered, but not as JetStream ({exc}); "
                "start nats-server with -js"
            ) from None
        raise
