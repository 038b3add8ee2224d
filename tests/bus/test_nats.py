"""What only the NATS bus does: several worker processes of one node share one stream."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from csnet.access import Caller
from csnet.bus import Event, Gap, MemoryBus
from csnet.bus.nats import NatsBus, NatsNames
from csnet.bus.nats_work import NatsWork
from csnet.bus.natslink import BusUnreachable, NatsLink, redacted
from csnet.cli.main import run as cli
from csnet.errors import BadInput
from csnet.node import open_node
from csnet.publishing import NewItem, publish
from csnet.settings import load_settings
from tests.bus.conftest import fresh_names
from tests.bus.test_bus_contract import WHEN, item, seqs, take
from tests.databases import Databases
from tests.factories import add_member, alert_body, make_node

Links = Callable[[], NatsLink]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the probe is closed


def test_two_workers_of_one_node_share_one_stream(links: Links) -> None:
    names = fresh_names()
    one = NatsBus(links(), names, first_seq=1)
    two = NatsBus(links(), names)  # the stream exists: its numbering stays

    async def body() -> None:
        sub = await two.subscribe()
        assert one.publish([item(1)]) == [1]
        assert two.publish([item(2)]) == [2]
        got = await take(sub, 2)
        assert [(e.seq, e.item_id) for e in got if isinstance(e, Event)] == [(1, "id1"), (2, "id2")]
        sub.close()
        # A feed reconnecting to the other worker resumes where it was.
        resumed = await one.subscribe(after_seq=1)
        assert seqs(await take(resumed, 1)) == [2]
        resumed.close()

    asyncio.run(body())
    assert one.latest_seq == two.latest_seq == 2
    one.close()
    two.close()


def test_subscribing_while_others_publish_loses_nothing(links: Links) -> None:
    bus = NatsBus(links(), fresh_names(), first_seq=1)
    results: list[list[int]] = []

    def publisher(t: int) -> None:
        for n in range(50):
            results.append(bus.publish([Event.item(f"t{t}-{n}", "node-a", "alert", WHEN)]))

    async def body() -> None:
        workers = [threading.Thread(target=publisher, args=(t,)) for t in range(4)]
        for worker in workers:
            worker.start()
        subs = [await bus.subscribe() for _ in range(20)]
        for worker in workers:
            await asyncio.to_thread(worker.join, 10)
        for sub in subs:
            sub.close()

    asyncio.run(body())
    assert len(results) == 200 and all(len(r) == 1 for r in results)  # none dropped
    assert sorted(r[0] for r in results) == list(range(1, 201))
    bus.close()


def test_gaps_are_the_same_seen_from_either_worker(links: Links) -> None:
    names = fresh_names()
    one = NatsBus(links(), names, max_msgs=2, first_seq=1)
    two = NatsBus(links(), names, max_msgs=2)
    one.publish([item(n) for n in range(4)])  # 1..4; the stream keeps 3 and 4

    async def body() -> None:
        behind = await two.subscribe(after_seq=1)
        got = await take(behind, 3)
        assert got[0] == Gap(after=1, resume_from=3, reason="behind") and seqs(got) == [3, 4]
        unknown = await two.subscribe(after_seq=10)
        assert await unknown.get(timeout=5) == Gap(after=10, resume_from=5, reason="unknown")
        behind.close()
        unknown.close()

    asyncio.run(body())
    one.close()
    two.close()


def test_a_new_stream_numbers_above_any_earlier_in_process_seq(links: Links) -> None:
    earlier = MemoryBus()
    earlier.publish([item(1)])
    bus = NatsBus(links(), fresh_names())
    assert bus.latest_seq >= earlier.latest_seq
    assert bus.publish([item(2)])[0] > earlier.latest_seq
    bus.close()


def test_events_carry_ids_only(links: Links) -> None:
    names = fresh_names()
    link = links()
    bus = NatsBus(link, names, first_seq=1)
    bus.publish([item(1)])
    stored = link.run(link.js.get_msg(names.stream, seq=1))
    assert stored.data is not None
    fields = set(json.loads(stored.data))
    assert fields == {"kind", "item_id", "origin", "item_kind", "created", "seq"}
    bus.close()


def test_names_follow_the_node_id() -> None:
    names = NatsNames.for_node("csnabc234")
    assert (names.stream, names.events) == ("csnet-csnabc234", "csnet.csnabc234.events")
    assert (names.wake, names.leases) == ("csnet.csnabc234.wake", "csnet-csnabc234-leases")
    assert NatsNames.for_node("csnother") != names
    with pytest.raises(ValueError, match="no NATS name"):
        NatsNames.for_node("...")


def test_unreachable_nats_is_one_clear_error() -> None:
    url = f"nats://user:secret@127.0.0.1:{closed_port()}"
    started = time.monotonic()
    with pytest.raises(BusUnreachable) as caught:
        NatsLink(url, connect_seconds=0.5)
    assert time.monotonic() - started < 5
    assert caught.value.error_code == "bus_unreachable"
    assert "secret" not in caught.value.message and redacted(url) in caught.value.message
    assert redacted(url) == f"nats://127.0.0.1:{url.rsplit(':', 1)[1]}"


def test_cli_says_so_in_one_line(
    tmp_path: Path,
    databases: Databases,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_node(tmp_path / "node", databases).close()
    monkeypatch.setattr("csnet.bus.natslink.CONNECT_SECONDS", 0.5)
    monkeypatch.setenv("CSNET_BUS_URL", f"nats://127.0.0.1:{closed_port()}")
    assert cli(["member", "list", "--data-dir", str(tmp_path / "node")]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot reach the event bus") and "\n" not in err


def test_bus_url_must_be_nats(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="CSNET_BUS_URL"):
        load_settings(tmp_path, environ={"CSNET_BUS_URL": "http://127.0.0.1:4222"})
    assert load_settings(tmp_path, environ={}).bus_url == ""


def test_a_node_on_nats_publishes_its_items_there(
    tmp_path: Path, databases: Databases, nats_url: str
) -> None:
    make_node(tmp_path / "node", databases).close()
    node = open_node(load_settings(tmp_path / "node", environ={"CSNET_BUS_URL": nats_url}))
    try:
        assert isinstance(node.bus, NatsBus) and isinstance(node.work, NatsWork)
        assert node.bus.names == NatsNames.for_node(node.node_id)
        officer, _ = add_member(node, "officer", "officer")
        before = node.bus.latest_seq
        env = publish(node, Caller(officer), NewItem("alert", alert_body()))
        assert node.bus.latest_seq == before + 1

        async def replay() -> Event | Gap | None:
            sub = await node.bus.subscribe(after_seq=before)
            try:
                return await sub.get(timeout=5)
            finally:
                sub.close()

        event = asyncio.run(replay())
        assert isinstance(event, Event) and event.item_id == env.id and event.created == env.created
    finally:
        node.close()


def test_publish_while_nats_is_down_drops_events_without_failing(
    links: Links, caplog: pytest.LogCaptureFixture
) -> None:
    link = links()
    bus = NatsBus(link, fresh_names(), first_seq=1)
    link.run(link.nc.close())  # as if the server went away for good
    assert bus.publish([Event.item("x", "node-a", "alert", WHEN)]) == []
    assert "dropped" in caplog.text
    assert bus.latest_seq == 0  # the last one seen

    async def subscribe() -> None:
        await bus.subscribe()

    with pytest.raises(BusUnreachable) as caught:
        asyncio.run(subscribe())
    assert caught.value.status == 503
    bus.close()
