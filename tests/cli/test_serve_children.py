"""A `csnet serve` killed with SIGKILL leaves no process behind: its worker pool (signature
checks, PSI), the forkserver and the resource tracker all end with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_e2e_serve import _wait, free_port
from tests.databases import Databases
from tests.factories import make_node
from tests.federation.processes import wait_for

pytestmark = pytest.mark.e2e


def _parents() -> dict[int, int]:
    """pid → parent pid of every live (not zombie) process, from /proc."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            found[int(entry.name)] = int(ppid)
    return found


def _descendants(root: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _grandchildren(root: int) -> set[int]:
    children = _descendants(root)
    parents = _parents()
    return {pid for pid in children if parents.get(pid) in children}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table")
def test_sigkill_of_serve_leaves_no_child_process(tmp_path: Path, databases: Databases) -> None:
    make_node(tmp_path / "gr", databases).close()
    port = free_port()
    where = ["--host", "127.0.0.1", "--port", str(port), "--data-dir", str(tmp_path / "gr")]
    process = subprocess.Popen(
        [sys.executable, "-m", "csnet.cli.main", "serve", *where],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(f"http://127.0.0.1:{port}", process)
        # the start-up warm-up runs a task in the pool: a worker, the forkserver's child, exists
        wait_for(lambda: bool(_grandchildren(process.pid)), 60)
        helpers = _descendants(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        wait_for(lambda: not helpers & set(_parents()), 30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
    assert not helpers & set(_parents()), "helper processes outlived the server"
