"""Worker processes for CPU-bound work (signature checks, PSI), one long-lived pool per size.

Worker start-up (a fresh interpreter importing csnet) is paid once per process, not per batch.

Each worker ends when the process that started the pool ends, however it ends (SIGKILL
included): a worker is the forkserver's child, and it holds the pipes that keep the forkserver
and the resource tracker alive, so a worker left waiting for work would keep all three running.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor

_POLL_SECONDS = 1.0  # where a process cannot be waited on through a pidfd

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
            pool = _pools[workers] = ProcessPoolExecutor(
                workers, mp_context=context, initializer=end_with, initargs=(os.getpid(),)
            )
        return pool


def end_with(owner: int) -> None:
    """Worker initializer: exit as soon as the process `owner` has ended."""
    threading.Thread(target=_exit_after, args=(owner,), name="csnet-end-with", daemon=True).start()


def _exit_after(owner: int) -> None:
    _wait_for_end(owner)
    os._exit(0)  # why: nothing of the owner's work is left to finish; no cleanup to run


def _wait_for_end(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return  # ended already
    except (AttributeError, OSError):
        while _alive(pid):  # no pidfd (not Linux, old kernel): poll
            time.sleep(_POLL_SECONDS)
        return
    try:
        select.select([handle], [], [])  # a pidfd turns readable when its process ends
    finally:
        os.close(handle)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def close_pools() -> None:
    """Stop the worker processes (at shutdown, in tests and benchmarks)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)
