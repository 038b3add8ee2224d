"""Browser tests: Playwright driving Debian's Chromium (the system executable; no browser is ever
downloaded) against two real `csnet serve` processes on 127.0.0.1, peered over HTTP.

Screenshots of the main pages, at desktop and phone widths, are written under
`test-output/screenshots/` (ignored by git) for people to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from csnet.cli.demo_network import Endpoint, opened, peer_pair
from csnet.handling.roles import Role
from csnet.web.peer_transport import HttpPeerTransport
from tests.databases import Databases
from tests.factories import PASSWORD, add_member, make_node, totp_now
from tests.federation.processes import Served, free_port

CHROMIUM_VAR = "CSNET_CHROMIUM"
CHROMIUM_DEFAULT = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 740}
# why: the machine has no route out; without these Chromium keeps trying to reach its services
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    chosen = os.environ.get(CHROMIUM_VAR) or CHROMIUM_DEFAULT
    return chosen if Path(chosen).is_file() else shutil.which("chromium")


# why: module scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is started, and later tests (asyncio.run) must not find one
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(f"no Chromium: install Debian's chromium or set {CHROMIUM_VAR}")
    launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Account:
    username: str
    secret: str
    url: str


@dataclass
class Network:
    a: Served
    b: Served
    officer_a: Account
    officer_b: Account
    admin_a: Account


def _prepare(tmp_path: Path, slug: str, name: str, country: str, databases: Databases) -> Served:
    node = make_node(tmp_path / slug, databases, name=name, country=country)
    node.close()
    port = free_port()
    endpoint = Endpoint(tmp_path / slug, f"http://127.0.0.1:{port}")
    return Served(endpoint, port, {}, tmp_path / f"{slug}.log")


def _account(served: Served, username: str, role: Role) -> Account:
    with opened(served.endpoint) as node:
        _member, secret = add_member(node, username, role)
    return Account(username, secret, served.endpoint.url)


@pytest.fixture
def network(tmp_path: Path, databases: Databases) -> Iterator[Network]:
    """PK-FIA (a) and GR-HCG (b), served and peered, with an officer on each and an admin on a."""
    a = _prepare(tmp_path, "a", "PK-FIA", "PK", databases)
    b = _prepare(tmp_path, "b", "GR-HCG", "GR", databases)
    accounts = (
        _account(a, "officer.a", Role.OFFICER),
        _account(b, "officer.b", Role.OFFICER),
        _account(a, "admin.a", Role.ADMIN),
    )
    started: list[Served] = []
    try:
        for served in (a, b):
            served.start()
            started.append(served)
        transport = HttpPeerTransport()
        try:
            peer_pair(a.endpoint, b.endpoint, transport)
        finally:
            transport.close()
        yield Network(a, b, *accounts)
    finally:
        for served in started:
            served.stop()


def new_context(
    browser: Browser,
    viewport: dict[str, int] = DESKTOP,
    storage_state: Any = None,
    *,
    audit: bool = False,
) -> BrowserContext:
    """A fresh browser profile; `audit` lets the accessibility checker's script into the page
    (the pages' own CSP admits no script from elsewhere)."""
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="en-GB",
        storage_state=storage_state,
        bypass_csp=audit,
    )
    context.set_default_timeout(20_000)
    return context


def log_in(page: Page, account: Account) -> None:
    """Through the login page, as a person would: user name, password, then the TOTP code."""
    page.goto(account.url + "/login")
    page.get_by_label("User name").fill(account.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(totp_now(account.secret))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(account.url + "/")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page: Page) -> list[str]:
    """WCAG 2.1 A and AA rules (contrast, names, labels, landmarks …) checked by axe-core."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


WIDER_THAN_VIEWPORT = """() => Array.from(document.querySelectorAll('body *'))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
             || el.getBoundingClientRect().left < -1)
  .filter(el => !(el.parentElement
                  && el.parentElement.closest('.table-wrap, .mainnav, .leaflet-container')))
  .slice(0, 5)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
             + (typeof el.className === 'string' && el.className
                ? '.' + el.className.split(' ').join('.') : ''))"""


def overflowing(page: Page) -> list[str]:
    """What makes the page itself scroll sideways (tables scroll inside their own wrapper);
    empty when the page fits its width."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if int(overflow) <= 1:
        return []
    return [str(name) for name in page.evaluate(WIDER_THAN_VIEWPORT)] or ["(the page)"]


def fits_width(page: Page) -> bool:
    return not overflowing(page)
