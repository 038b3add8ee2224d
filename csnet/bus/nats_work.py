"""Outbox work across worker processes over NATS: a wake-up subject and a KV bucket of leases.

`notify` publishes on a core-NATS subject every worker of the node listens to. A send lease is a
key per peer in a JetStream KV bucket whose entries live `ttl` seconds: taken with create()
(only if absent), renewed with update(last revision) while held, given back with delete(last
revision). A worker that dies keeps its lease at most `ttl` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import nats.errors
import nats.js.errors
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import api
from nats.js.kv import KeyValue

from csnet.bus.nats import NatsNames
from csnet.bus.natslink import CALL_SECONDS, NatsLink

log = logging.getLogger(__name__)
LEASE_SECONDS = 30.0
NATS_FAILURES = (TimeoutError, RuntimeError, nats.errors.Error)
PLAIN_KEY = re.compile(r"[-_=A-Za-z0-9]+")


def lease_key(peer: str) -> str:
    """A KV key for a peer id (node ids already are one; anything else is hex-encoded)."""
    return peer if PLAIN_KEY.fullmatch(peer) else "x-" + peer.encode().hex()


@dataclass
class _Lease:
    key: str
    revision: int
    renewing: asyncio.Task[None] | None = field(default=None, repr=False)


class NatsWork:
    """OutboxWork for several processes; a lease held elsewhere is skipped, never waited for."""

    def __init__(self, link: NatsLink, names: NatsNames, *, ttl: float = LEASE_SECONDS) -> None:
        self._link, self._names, self._ttl = link, names, ttl
        self._ready = threading.Event()
        self.worker = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"
        self._kv, self._wake = link.run(self._setup())
        link.hold()

    async def _setup(self) -> tuple[KeyValue, Subscription]:
        js = self._link.js
        try:
            kv = await js.key_value(self._names.leases)
        except nats.js.errors.BucketNotFoundError:
            config = api.KeyValueConfig(
                bucket=self._names.leases,
                history=1,
                ttl=self._ttl,  # why: an entry not renewed within ttl is gone: the lease expired
                storage=api.StorageType.MEMORY,  # leases need not outlive the server
            )
            kv = await js.create_key_value(config)
        # why: renew in step with the bucket as it is (a worker may have made it with another ttl)
        self._ttl = (await kv.status()).ttl or self._ttl
        wake = await self._link.nc.subscribe(self._names.wake, cb=self._woken)
        return kv, wake

    async def _woken(self, _msg: Msg) -> None:
        self._ready.set()

    def notify(self) -> None:
        self._ready.set()  # this process at once, whatever NATS does
        self._link.spawn(self._link.nc.publish(self._names.wake, b""))

    def wait(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def clear(self) -> None:
        self._ready.clear()

    @contextlib.contextmanager
    def lease(self, peer: str) -> Iterator[bool]:
        held = self._take(peer)
        if held is None:
            yield False
            return
        try:
            yield True
        finally:
            self._give_back(held)

    def _take(self, peer: str) -> _Lease | None:
        if not self._link.connected:
            log.warning("send lease for %s unavailable (NATS unreachable); not sending now", peer)
            return None
        try:
            return self._link.run(self._create(lease_key(peer)))
        except NATS_FAILURES as exc:
            # why: without NATS no worker can know who sends; the rows wait in the outbox
            log.warning("send lease for %s unavailable (%s); not sending now", peer, exc)
            return None

    async def _create(self, key: str) -> _Lease | None:
        try:
            revision = await self._kv.create(key, self.worker.encode())
        except nats.js.errors.KeyWrongLastSequenceError:
            return None  # another worker holds it
        held = _Lease(key, revision)
        held.renewing = asyncio.create_task(self._renew(held))
        return held

    async def _renew(self, held: _Lease) -> None:
        """Keep the lease while a send lasts longer than its ttl."""
        while True:
            await asyncio.sleep(self._ttl / 3)
            try:
                held.revision = await self._kv.update(held.key, self.worker.encode(), held.revision)
            except nats.js.errors.KeyWrongLastSequenceError:
                log.warning("send lease for %s expired while held", held.key)
                return
            except nats.errors.Error as exc:
                log.warning("send lease for %s not renewed (%s)", held.key, exc)

    def _give_back(self, held: _Lease) -> None:
        try:
            self._link.run(self._delete(held))
        except NATS_FAILURES as exc:
            log.warning("send lease for %s not released (%s); it expires", held.key, exc)

    async def _delete(self, held: _Lease) -> None:
        if held.renewing is not None:
            held.renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await held.renewing
        try:
            await self._kv.delete(held.key, last=held.revision)
        except nats.js.errors.APIError as exc:  # taken over after it expired: not ours to delete
            log.debug("send lease for %s already gone (%s)", held.key, exc)

    def close(self) -> None:
        try:
            self._link.run(self._wake.unsubscribe(), CALL_SECONDS)
        except NATS_FAILURES as exc:
            log.debug("wake-up subscription not closed cleanly (%s)", exc)
        self._link.release()
