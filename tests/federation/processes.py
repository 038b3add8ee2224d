"""Real node processes for end-to-end tests: `csnet serve` subprocesses on 127.0.0.1.

The `two_nodes` fixture (conftest.py) starts two of them, peered over HTTP, each on its own store
(SQLite, or a PostgreSQL database each when CSNET_TEST_DATABASE_URL is set); test_e2e_tls.py
starts them over HTTPS.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from csnet.cli.demo_network import Endpoint


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """One node directory, served by (re)started `csnet serve` processes."""

    endpoint: Endpoint
    port: int
    env: dict[str, str]
    log: Path
    ca_file: str = ""  # the CA that signed its TLS certificate, when it serves https
    process: subprocess.Popen[bytes] | None = None
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._log_file = self.log.open("ab")  # why: a file, not a pipe that could fill and block
        where = ["--data-dir", str(self.endpoint.directory), "--port", str(self.port)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "csnet.cli.main", "serve", "--host", "127.0.0.1", *where],
            stdout=subprocess.DEVNULL,
            stderr=self._log_file,
            env={**os.environ, **self.env},
        )
        verify = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else True
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.log.read_text("utf-8", "replace"))
            try:
                health = httpx.get(self.endpoint.url + "/api/v1/health", timeout=1, verify=verify)
                if health.status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("node did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def wait_for(check: Callable[[], bool], seconds: float) -> float:
    """Poll `check` until true; returns the seconds it took (fails after `seconds`)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"not reached within {seconds} s")
