"""Worker processes for CPU-bound work (signature checks, PSI), one long-lived pool per size.

Worker start-up (a fresh interpreter importing csnet) is paid once per process, not per batch.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Executor, ProcessPoolExecutor

_pools: dict[int, Executor] = {}
_pools_lock = threading.Lock()


def process_pool(workers: int) -> Executor:
    """The shared pool of `workers` processes, started on first use."""
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            # why: forkserver, not fork: forking a threaded server process can deadlock
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            pool = _pools[workers] = ProcessPoolExecutor(workers, mp_context=context)
        return pool


def close_pools() -> None:
    """Stop the worker processes (at shutdown, in tests and benchmarks)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)
