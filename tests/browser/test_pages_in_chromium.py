"""What an officer does in the browser, on two real nodes: log in with TOTP on PK-FIA, post an
alert and see it arrive on GR-HCG's feed without a reload; read it in Urdu, right to left; open
the item and see its markings banner; find it again by a phone number written differently.
Each step leaves a screenshot at desktop and phone widths."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    Network,
    accessibility_violations,
    fits_width,
    log_in,
    new_context,
    overflowing,
    screenshot,
)

TITLE = "Rubber boat leaving Zuwara tonight"
TEXT = "Organiser's phone +92 300 1234567, departure expected 02:00."
LIVE_SECONDS = 15_000  # ms: delivery A -> B plus the SSE push, on a busy machine


def _compose_alert(page: Page, url: str, peer_name: str) -> str:
    page.goto(url + "/compose")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Text").fill(TEXT)
    page.get_by_label(re.compile("^Immediate")).check()
    page.get_by_label(peer_name).check()
    page.get_by_role("button", name=re.compile("^Publish")).click()
    page.wait_for_url(re.compile(r"/items/[0-9a-f]{64}$"))
    return page.url


def test_alert_posted_on_a_appears_live_on_b(browser: Browser, network: Network) -> None:
    watcher_context = new_context(browser)
    watcher = watcher_context.new_page()
    log_in(watcher, network.officer_b)
    expect(watcher.locator("#live-status")).to_have_attribute("data-state", "live")
    screenshot(watcher, "feed-empty-desktop")

    poster_context = new_context(browser)
    poster = poster_context.new_page()
    log_in(poster, network.officer_a)
    poster.goto(network.a.endpoint.url + "/compose")
    screenshot(poster, "compose-desktop")
    item_url = _compose_alert(poster, network.a.endpoint.url, "GR-HCG")

    entry = watcher.locator("#feed .feed-entry", has_text=TITLE)
    expect(entry).to_be_visible(timeout=LIVE_SECONDS)
    expect(watcher.locator("#unread-count")).to_have_text("1")
    assert watcher.url == network.b.endpoint.url + "/"  # no reload, no navigation
    screenshot(watcher, "feed-live-desktop")

    poster.goto(item_url)
    banner = poster.locator(".markings-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("TLP:AMBER")
    expect(banner).to_have_class(re.compile("tlp-amber"))
    screenshot(poster, "item-desktop")
    watcher_context.close()
    poster_context.close()


def test_urdu_is_right_to_left_and_phone_search_finds_the_alert(
    browser: Browser, network: Network
) -> None:
    context = new_context(browser)
    page = context.new_page()
    log_in(page, network.officer_a)
    _compose_alert(page, network.a.endpoint.url, "GR-HCG")

    page.goto(network.a.endpoint.url + "/search")
    page.get_by_label(re.compile("^Search")).first.fill("0300-123 4567")
    justification = page.get_by_label(re.compile("^Justification"))
    if justification.count():
        justification.fill("Case 2026/114: organiser's network")
    page.get_by_role("button", name=re.compile("^Search")).click()
    expect(page.locator("main")).to_contain_text(TITLE)
    screenshot(page, "search-results-desktop")

    page.select_option("#lang-select", "ur")
    page.wait_for_url(re.compile(r"lang=ur"))
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ur")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.goto(network.a.endpoint.url + "/")  # the choice sticks without ?lang=
    expect(html).to_have_attribute("dir", "rtl")
    screenshot(page, "feed-urdu-desktop")
    context.close()


PAGES = ("/", "/compose", "/search", "/hits", "/disclosures", "/account")
ADMIN_PAGES = ("/admin", "/admin/peers", "/admin/members", "/admin/groups", "/admin/audit")


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "feed"


def test_main_pages_fit_a_phone_and_a_desktop(browser: Browser, network: Network) -> None:
    first = new_context(browser)
    log_in(first.new_page(), network.admin_a)
    session = first.storage_state()  # why: one TOTP code logs in once; both widths share it
    first.close()
    problems: list[str] = []
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = new_context(browser, viewport, storage_state=session, audit=True)
        page = context.new_page()
        for path in (*PAGES, *ADMIN_PAGES):
            response = page.goto(network.a.endpoint.url + path)
            assert response is not None and response.status == 200, path
            wide = overflowing(page)
            assert not wide, f"{path} overflows at {viewport['width']} px: {wide}"
            screenshot(page, f"{_name(path)}-{width_name}")
            problems += [f"{path} at {width_name}: {v}" for v in accessibility_violations(page)]
        for lang in ("ar", "ur", "fr", "el"):
            page.goto(f"{network.a.endpoint.url}/?lang={lang}")
            assert fits_width(page), f"feed in {lang} overflows at {viewport['width']} px"
            screenshot(page, f"feed-{lang}-{width_name}")
        page.goto(network.a.endpoint.url + "/?lang=en")
        context.close()
    login_context = new_context(browser, PHONE, audit=True)
    login_page = login_context.new_page()
    for lang in ("en", "ur"):
        login_page.goto(f"{network.a.endpoint.url}/login?lang={lang}")
        assert fits_width(login_page)
        screenshot(login_page, f"login-{lang}-phone")
        problems += [f"/login ({lang}): {v}" for v in accessibility_violations(login_page)]
    login_context.close()
    assert not problems, "\n".join(problems)


def test_keyboard_reaches_the_skip_link_and_the_navigation(
    browser: Browser, network: Network
) -> None:
    context = new_context(browser)
    page = context.new_page()
    log_in(page, network.officer_a)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()
