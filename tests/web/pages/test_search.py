"""/search: identifiers in any writing, words of visible items, the justification prompt (LED
Art 25) and its audit, paging in POST bodies, CSRF."""

from __future__ import annotations

from itertools import count
from typing import Any

from csnet.access import Caller
from csnet.audit.query import AuditFilter, list_entries
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.publishing import NewItem, publish
from tests.factories import add_member, alert_body
from tests.web.pages.conftest import log_in

PERSONAL = Markings(tlp=TLP.AMBER, subjects=(DataSubjectCategory.SUSPECT,))
_POSTERS = count()


def post_alert(node: Node, title: str, text: str = "", markings: Markings | None = None) -> str:
    poster = Caller(add_member(node, f"poster{next(_POSTERS)}", Role.OFFICER)[0])
    body = alert_body(title=title, **({"text": text} if text else {}))
    return publish(node, poster, NewItem("alert", body, markings or Markings(tlp=TLP.AMBER))).id


def search(browser: Any, **fields: str) -> Any:
    return browser.post("/search", {"q": "", **fields})


def test_the_form_is_shown(node: Node) -> None:
    page = log_in(node).client.get("/search")
    assert page.status_code == 200
    assert 'action="/search"' in page.text and 'name="q"' in page.text
    assert 'aria-current="page"' in page.text and "Justification" in page.text


def test_a_phone_number_in_another_writing_finds_the_alert(node: Node) -> None:
    item = post_alert(node, "Broker phone", "Call +92 300 1234567 for the game")
    browser = log_in(node)
    for q in ("0300-123 4567", "+92 300 1234567", "٠٣٠٠ ١٢٣٤٥٦٧"):
        page = search(browser, q=q, type="phone")
        assert page.status_code == 200, page.text
        assert "+923001234567" in page.text
        assert f'href="/items/{item}"' in page.text
        assert "Phone number" in page.text
    untyped = search(browser, q="0300-123 4567")
    assert f'href="/items/{item}"' in untyped.text


def test_terms_never_go_in_the_url(node: Node) -> None:
    browser = log_in(node)
    page = search(browser, q="dinghy")
    assert page.status_code == 200 and page.url.path == "/search" and not page.url.query
    assert 'method="post" action="/search"' in page.text


def test_a_word_of_the_title_finds_only_items_the_member_may_see(node: Node) -> None:
    seen = post_alert(node, "Rubber dinghy off Zuwara")
    hidden = post_alert(node, "Dinghy with named suspect", markings=PERSONAL)
    post_alert(node, "Truck at the border")
    admin = log_in(node, "root", Role.ADMIN)  # may never consult personal data
    page = search(admin, q="dinghy")
    assert f'href="/items/{seen}"' in page.text
    assert hidden not in page.text and "Truck at the border" not in page.text
    assert "Rubber dinghy off Zuwara" in page.text


def test_empty_states(node: Node) -> None:
    page = search(log_in(node), q="nothingmatches")
    assert "No item you may see has these words." in page.text
    assert "No identifier" in page.text


def test_justification_prompt_then_audited_search(node: Node) -> None:
    item = post_alert(node, "Broker Haji Karim", markings=PERSONAL)
    browser = log_in(node, "analyst", Role.ANALYST)
    first = search(browser, q="karim")
    assert first.status_code == 200
    assert "withheld" in first.text and "Art 25" in first.text
    assert 'name="justification" rows="2" maxlength="2000" required' in first.text
    assert f'href="/items/{item}"' not in first.text
    second = search(browser, q="karim", justification="case 2026/114")
    assert f'href="/items/{item}"' in second.text and "Broker Haji Karim" in second.text
    with node.store.read() as conn:
        entries = list_entries(conn, AuditFilter(item_id=item, action="consultation"), limit=10)
    assert [(e["justification"], e["details"]["via"]) for e in entries] == [
        ("case 2026/114", "item search")
    ]


def test_items_are_paged_through_the_post_body(node: Node) -> None:
    ids = [post_alert(node, f"Convoy seen, report {i}") for i in range(27)]
    browser = log_in(node)
    first = search(browser, q="convoy")
    assert first.text.count('class="feed-entry search-entry"') == 25
    assert f'href="/items/{ids[-1]}"' in first.text and f'href="/items/{ids[0]}"' not in first.text
    cursor = first.text.split('name="before" value="')[1].split('"')[0]
    second = search(browser, q="convoy", before=cursor)
    assert f'href="/items/{ids[0]}"' in second.text and f'href="/items/{ids[1]}"' in second.text
    assert 'name="before"' not in second.text
    assert search(browser, q="convoy", before="garbage").status_code == 422


def test_bad_input_is_shown_with_the_values_kept(node: Node) -> None:
    page = search(log_in(node), q="boat", since="28/11/2026", kind="nonsense")
    assert page.status_code == 422
    assert "YYYY-MM-DD" in page.text and 'value="boat"' in page.text
    assert 'class="form-errors"' in page.text
    assert search(log_in(node, "other"), q="  ").status_code == 422


def test_post_without_csrf_is_refused(node: Node) -> None:
    browser = log_in(node)
    response = browser.client.post("/search", data={"q": "boat"})
    assert response.status_code == 403
