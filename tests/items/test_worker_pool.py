"""The worker processes belong to the pool a Node owns: started on first use, ended by close."""

from __future__ import annotations

import os

from csnet.items.pools import WorkerPool
from csnet.node import Node


def test_a_pool_starts_its_workers_on_first_use_and_ends_them_on_close() -> None:
    pool = WorkerPool(2)
    try:
        assert pool._executor is None  # why: a node that never verifies a batch starts nothing
        pids = pool.run_each(os.getpid, [()] * 4)
        assert pids is not None and os.getpid() not in pids
    finally:
        pool.close()
    assert pool.executor() is None
    assert pool.run_each(os.getpid, [()]) is None  # the caller does the work itself


def test_warm_starts_the_workers() -> None:
    pool = WorkerPool(2)
    try:
        pool.warm().join(timeout=60)
        assert pool._executor is not None
    finally:
        pool.close()


def test_closing_a_node_closes_its_workers(node: Node) -> None:
    node.workers.warm().join(timeout=60)
    node.close()
    assert node.workers.executor() is None
