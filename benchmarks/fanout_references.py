"""The references bench_fanout.py measures itself against in the same invocation: the floor of
the stack (shared/peers/floor: two bare nodes of the same parts) and Matrix Synapse
(shared/peers/synapse), both next to the repository. Each harness's last line is its JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from fanout_nodes import ROOT

PEERS = ROOT.parent / "shared" / "peers"
FLOOR_DIR = PEERS / "floor"
SYNAPSE_DIR = PEERS / "synapse"
HARNESS_TIMEOUT_S = 600


def run_harness(name: str, directory: Path, env: dict[str, str]) -> dict[str, Any]:
    """`run.sh` of the harness in `directory`, from the repository's root; its last line read
    as JSON, its other lines printed. {"skipped": why} where it is missing or failed."""
    if not (directory / "run.sh").is_file():
        print(f"  {name} harness not found in {directory}: comparison skipped")
        return {"skipped": f"no harness in {directory.name}"}
    try:
        run = subprocess.run(
            ["bash", str(directory / "run.sh")],
            capture_output=True,
            text=True,
            timeout=HARNESS_TIMEOUT_S,
            env={**os.environ, **env},
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        print(f"  {name} harness ran past {HARNESS_TIMEOUT_S} s: comparison skipped")
        return {"skipped": f"harness ran past {HARNESS_TIMEOUT_S} s"}
    lines = run.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1] if lines else "")
    except json.JSONDecodeError:
        print(f"  {name} harness failed (rc {run.returncode}): {run.stderr[-800:]}")
        return {"skipped": f"harness failed, rc {run.returncode}"}
    for line in lines[:-1]:
        if line.strip():
            print("  " + line.strip())
    return dict(result)


def bench_floor(directory: Path, n: int) -> dict[str, Any]:
    """The floor with this interpreter (it has the floor's parts: FastAPI, uvicorn, httpx,
    PyNaCl), `n` alerts after its own warm-up."""
    return run_harness("floor", directory, {"N": str(n), "PYTHON": sys.executable})


def bench_synapse(directory: Path, n: int, venv: str | None) -> dict[str, Any]:
    env = {"N": str(n)} | ({"VENV": venv} if venv else {})
    return run_harness("Synapse", directory, env)
