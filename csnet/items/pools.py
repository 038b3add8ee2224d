"""Worker processes for CPU-bound work (signature checks, PSI): one long-lived pool per Node,
owned by it (`Node.workers`) and passed down to the code that spreads work over it.

Worker start-up (a fresh interpreter importing csnet) is paid once per pool, not per batch.

Each worker ends when the process that started the pool ends, however it ends (SIGKILL
included): a worker is the forkserver's child, and it holds the pipes that keep the forkserver
and the resource tracker alive, so a worker left waiting for work would keep all three running.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

_POLL_SECONDS = 1.0  # where a process cannot be waited on through a pidfd
DEFAULT_WORKERS = 2
_T = TypeVar("_T")


class WorkerPool:
    """The worker processes of one Node: started on first use, ended by `close` (the node's
    close) and, whatever happens to the owner, by its end (see `end_with`)."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        self.workers = workers
        self._executor: Executor | None = None
        self._closed = False
        self._lock = threading.Lock()

    def executor(self) -> Executor | None:
        """The running pool, started now if need be; None once closed (work then stays in
        the calling process)."""
        with self._lock:
            if self._closed:
                return None
            if self._executor is None:
                self._executor = _start(self.workers)
            return self._executor

    def run_each(
        self, work: Callable[..., _T], calls: Sequence[tuple[Any, ...]]
    ) -> list[_T] | None:
        """`work(*args)` for each of `calls` in the workers, results in order; None when the
        caller must do the work itself: the pool is closed, or a worker died (the pool is
        then replaced on next use: a dead worker must not lose the work)."""
        executor = self.executor()
        if executor is None:
            return None
        try:
            futures = [executor.submit(work, *args) for args in calls]
            return [future.result() for future in futures]
        except BrokenProcessPool:
            self._discard(executor)
            return None
        except RuntimeError:  # why: submit after a concurrent close
            if self._closed:
                return None
            raise

    def _discard(self, broken: Executor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=True, cancel_futures=True)

    def warm(self) -> threading.Thread:
        """Start the workers in the background (a server calls this at start-up), so the first
        large batch a peer sends does not wait for processes to start and import csnet."""

        def start() -> None:
            executor = self.executor()
            if executor is not None:
                with contextlib.suppress(BrokenProcessPool, RuntimeError):
                    executor.submit(int).result()

        thread = threading.Thread(target=start, name="csnet-worker-warm-up", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop the workers; later work runs in the calling process."""
        with self._lock:
            executor, self._executor, self._closed = self._executor, None, True
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def _start(workers: int) -> Executor:
    # why: forkserver, not fork: forking a threaded server process can deadlock
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=end_with, initargs=(os.getpid(),)
    )


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
