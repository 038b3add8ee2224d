"""One NATS connection, driven by its own thread and event loop, shared by the bus and the work.

Publishers are request-handler threads and subscribers live in other threads' loops, so the client
gets a loop of its own: sync callers hand it coroutines (`run`, `spawn`), async callers await
`call`. The connection reconnects by itself; only the first connect is a hard failure.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

import nats.errors
from nats.aio.client import Client
from nats.js import JetStreamContext

from csnet.errors import CsnetError

log = logging.getLogger(__name__)
T = TypeVar("T")
CONNECT_SECONDS = 5.0  # how long `csnet serve` tries NATS before it gives up
CALL_SECONDS = 5.0  # one request to NATS (a stream lookup, a lease)


class BusUnreachable(CsnetError):
    status = 503
    code = "bus_unreachable"


def redacted(url: str) -> str:
    """The URL without credentials, for messages and logs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


class NatsLink:
    """A connected NATS client in a background thread; closed when its last user releases it."""

    def __init__(self, url: str, *, connect_seconds: float | None = None) -> None:
        connect_seconds = CONNECT_SECONDS if connect_seconds is None else connect_seconds
        self.url = url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="csnet-nats", daemon=True)
        self._guard = threading.Lock()
        self._users = 0
        self._closed = False
        self._closing = False  # a disconnect now is ours, not news
        self._first_error: Exception | None = None  # while connecting: told once, in the error
        self._connecting = True
        self._thread.start()
        try:
            self.nc = self.run(self._connect(connect_seconds), connect_seconds + CALL_SECONDS)
        except BaseException:
            self._stop()
            raise
        self.js: JetStreamContext = self.nc.jetstream(timeout=CALL_SECONDS)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        # Stopped: let what is left (the client's own tasks) finish cancelled, then close.
        left = asyncio.all_tasks(self._loop)
        for task in left:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    async def _connect(self, seconds: float) -> Client:
        nc = Client()
        try:
            async with asyncio.timeout(seconds):
                await nc.connect(
                    self.url,
                    connect_timeout=2,
                    reconnect_time_wait=1,
                    max_reconnect_attempts=-1,  # why: after the first connect, never give up
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnect,
                    reconnected_cb=_on_reconnect,
                )
        except (TimeoutError, OSError, nats.errors.Error) as exc:
            self._closing = True
            with contextlib.suppress(Exception):  # half-connected: close what there is
                await nc.close()
            reason = self._first_error or exc
            detail = f" ({reason})" if str(reason) else ""
            raise BusUnreachable(
                f"cannot reach the event bus at {redacted(self.url)}{detail}; "
                "start NATS (nats-server -js) or unset CSNET_BUS_URL"
            ) from None
        self._connecting = False
        return nc

    @property
    def connected(self) -> bool:
        return not self._closed and self.nc.is_connected

    def call(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start `coro` on the client's loop; await it with asyncio.wrap_future."""
        if self._closed or self._loop.is_closed():
            coro.close()  # never awaited on purpose: say so instead of warning
            raise RuntimeError("the NATS link is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = CALL_SECONDS) -> T:
        """Run `coro` on the client's loop and wait for it (never call this from that loop)."""
        future = self.call(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"NATS did not answer within {timeout:g} s") from None

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Start `coro` without waiting; a failure is logged, never raised."""
        try:
            self.call(coro).add_done_callback(_log_failure)
        except RuntimeError:
            log.debug("NATS link closed; dropped a background call")

    def hold(self) -> None:
        with self._guard:
            self._users += 1

    def release(self) -> None:
        with self._guard:
            self._users -= 1
            last = self._users <= 0
        if last:
            self.close()

    def close(self) -> None:
        with self._guard:
            if self._closed or self._closing:
                return
            self._closing = True
        try:
            self.run(self.nc.close())
        except (TimeoutError, RuntimeError, nats.errors.Error) as exc:
            log.warning("closing the NATS connection failed: %s", exc)
        self._stop()

    async def _on_error(self, exc: Exception) -> None:
        if self._connecting:
            self._first_error = self._first_error or exc
        elif self.nc.is_reconnecting:  # every failed attempt: the disconnect was logged once
            log.debug("event bus (NATS): %s", exc or type(exc).__name__)
        elif not self._closing:
            log.warning("event bus (NATS): %s", exc or type(exc).__name__)

    async def _on_disconnect(self) -> None:
        if not self._closing:
            log.warning("event bus (NATS) disconnected; reconnecting")

    def _stop(self) -> None:
        with self._guard:
            self._closed = True
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CALL_SECONDS)


def _log_failure(future: concurrent.futures.Future[None]) -> None:
    if not future.cancelled() and (exc := future.exception()) is not None:
        log.warning("NATS call failed: %s", exc)


async def _on_reconnect() -> None:
    log.info("event bus (NATS) reconnected")
