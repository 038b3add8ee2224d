"""A real node process on 127.0.0.1: log in with password + TOTP and post through API and CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from csnet.handling.roles import Role
from tests.databases import Databases
from tests.factories import PASSWORD, add_member, make_node, totp_now

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def csnet(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "csnet.cli.main", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def served(tmp_path: Path, databases: Databases) -> Iterator[tuple[str, str, str]]:
    node = make_node(
        tmp_path / "gr",
        databases,
        name="GR-HCG",
        country="GR",
        agency="Hellenic Coast Guard",
    )
    _member, secret = add_member(node, "eleni", Role.OFFICER)
    _other, cli_secret = add_member(node, "nikos", Role.OFFICER)
    node.close()
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "csnet.cli.main",
            "serve",
            "--data-dir",
            str(tmp_path / "gr"),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process)
        yield url, secret, cli_secret
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "died")
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("node did not start")


def test_login_and_post_through_api_and_cli(served: tuple[str, str, str]) -> None:
    url, secret, cli_secret = served
    with httpx.Client(base_url=url) as client:
        login = client.post(
            "/api/v1/auth/login",
            json={"username": "eleni", "password": PASSWORD, "totp": totp_now(secret)},
        )
        assert login.status_code == 200, login.text
        posted = client.post(
            "/api/v1/alerts",
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
            json={
                "body": {
                    "title": "Vessel sighted off Pylos",
                    "text": "Drifting, no engine.",
                    "urgency": "FLASH",
                }
            },
        )
        assert posted.status_code == 201, posted.text

    logged = csnet(
        "login",
        "--url",
        url,
        "--username",
        "nikos",
        "--json",
        input=f"{PASSWORD}\n{totp_now(cli_secret)}\n",
    )
    assert logged.returncode == 0, logged.stderr
    token = json.loads(logged.stdout[logged.stdout.index("{") :])["secret"]
    env = {"CSNET_URL": url, "CSNET_TOKEN": token}
    post = csnet(
        "alert",
        "post",
        "--title",
        "Second vessel",
        "--text",
        "Sighted at dawn.",
        "--urgency",
        "IMMEDIATE",
        "--place",
        "Pylos",
        "--lat",
        "36.9",
        "--lon",
        "21.7",
        "--json",
        env=env,
    )
    assert post.returncode == 0, post.stderr
    listed = csnet("alert", "list", "--json", env=env)
    titles = [i["envelope"]["body"]["title"] for i in json.loads(listed.stdout)["items"]]
    assert titles == ["Second vessel", "Vessel sighted off Pylos"]


def test_cli_errors_are_one_line_with_exit_codes(served: tuple[str, str, str]) -> None:
    url, _secret, _cli = served
    bad = csnet("alert", "list", env={"CSNET_URL": url, "CSNET_TOKEN": "csn_wrong"})
    assert bad.returncode == 3
    assert bad.stderr.strip().count("\n") == 0 and "error" in bad.stderr
    down = csnet("alert", "list", env={"CSNET_URL": "http://127.0.0.1:1", "CSNET_TOKEN": "x"})
    assert down.returncode == 7
