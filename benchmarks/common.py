"""What every benchmark script shares: the machine's description and recording to the docs."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from nacl.signing import SigningKey

from csnet.access import Caller
from csnet.accounts import tokens
from csnet.accounts.members import add_member
from csnet.handling.roles import Role
from csnet.node import Node

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def record(script: str, machine_text: str, figures: Iterable[tuple[str, Any]]) -> None:
    """Append one run to docs/benchmarks.md with the machine and the date."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"\n### {script}, {when}\n",
        f"Machine: {machine_text}\n",
        "| figure | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in figures]
    with DOCS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def alert_body(tag: str) -> dict[str, Any]:
    """A realistic alert of about 1.1 KB, told apart by `tag`."""
    return {
        "title": f"Overloaded fishing vessel south of Crete {tag}",
        "text": "Fishing vessel with an estimated 300 persons on board reported 40 nm south of "
        "Gavdos, heading north-west. Departure reportedly Tobruk. Search and rescue assets "
        "tasked; life at risk. Check arrivals at Kaloi Limenes and Agia Galini.",
        "urgency": "FLASH",
        "place": {"name": "South of Gavdos", "lat": 34.2, "lon": 24.1},
        "tags": ["sar", "boat", "libya"],
        "route": "Central Mediterranean",
    }


# why: benchmarks time the work, not the password hashing of set-up
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def officer(node: Node) -> Caller:
    """An officer of `node` to publish as (benchmarks time the work, not the login)."""
    return officer_with_token(node)[0]


def officer_with_token(node: Node, token_days: int = 30) -> tuple[Caller, str]:
    """An officer of `node` and an API token of theirs (read and write)."""
    with node.store.write() as conn:
        member, _ = add_member(
            conn,
            username="officer",
            display_name="Officer",
            role=Role.OFFICER,
            password="benchmark password",
            now=node.now(),
            hasher=FAST_HASHER,
        )
        _info, secret = tokens.create_token(
            conn, member.id, "bench", ["read", "write"], node.now(), token_days
        )
    return Caller(member), secret


class Progress:
    """A line every 5% of a long phase, with the rate so far."""

    def __init__(self, what: str, total: int) -> None:
        self.what, self.total, self.next = what, total, total / 20

    def show(self, done: int, rate: float) -> None:
        if done >= self.next or done == self.total:
            print(f"  {self.what}: {done:,}/{self.total:,} ({rate:,.0f}/s)", flush=True)
            self.next += self.total / 20


def _calls_per_s(call: Callable[[], object], seconds: float) -> float:
    """How many times `call` runs per second on this thread, over about `seconds`."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            call()
        count += 200
    return count / (time.perf_counter() - start)


def libsodium_rates(size: int, seconds: float = 2.0) -> dict[str, float]:
    """PyNaCl's Ed25519 (libsodium) on one core, single thread, for a message of `size` bytes:
    the references a benchmark divides the node's own rates by, measured in the same run."""
    key = SigningKey.generate()
    message = os.urandom(size)
    signed = key.sign(message)
    verify = key.verify_key.verify
    return {
        "libsodium_sign_per_s_1core": _calls_per_s(lambda: key.sign(message), seconds),
        "libsodium_verify_per_s_1core": _calls_per_s(lambda: verify(signed), seconds),
    }
