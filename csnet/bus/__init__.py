"""Live events and outbox work: one interface each, in-process or over NATS JetStream.

`MemoryBus` and `LocalWork` (one process) are the default. With CSNET_BUS_URL=nats://... the
worker processes of one node share a JetStream stream of events (`NatsBus`: stream sequence
numbers are the event seqs, a subscription is an ordered consumer started at `after_seq + 1`) and
outbox work (`NatsWork`: wake-ups on a subject, per-peer send leases in a KV bucket).
`connect_bus` builds either pair; the NATS modules are imported only when used.
"""

from csnet.bus.connect import connect_bus
from csnet.bus.interface import Event, EventBus, Gap, Subscription
from csnet.bus.memory import MemoryBus
from csnet.bus.work import LocalWork, OutboxWork

__all__ = [
    "Event",
    "EventBus",
    "Gap",
    "LocalWork",
    "MemoryBus",
    "OutboxWork",
    "Subscription",
    "connect_bus",
]
