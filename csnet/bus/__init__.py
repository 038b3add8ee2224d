"""Live events: one bus interface (publish, subscribe from a sequence number), two implementations.

`MemoryBus` (in-process) is the default. A NATS JetStream bus (CSNET_BUS_URL=nats://...) fits the
same interface: stream sequence numbers are the event seqs and a subscription is an ordered
consumer started at `after_seq + 1`.
"""

from csnet.bus.interface import Event, EventBus, Gap, Subscription
from csnet.bus.memory import MemoryBus

__all__ = ["Event", "EventBus", "Gap", "MemoryBus", "Subscription"]
