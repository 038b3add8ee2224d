"""/documents: a zone pasted or photographed, decoded and marked in place, what this node holds
on the document, the justification (LED Art 25), administrators refused, and the fraud report
form from a check to a published item."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from csnet.documents import network, register
from csnet.documents.entries import NewEntry
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.ocr import tesseract
from csnet.store import item_store
from tests.ocr.pages import page as passport_page
from tests.web.pages.conftest import log_in

SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
# the document number's check digit changed from 6 to 5: the zone fails at line 2, column 10
BAD_DIGIT = SPECIMEN.replace("L898902C36", "L898902C35")
WHY = "case 2026/114"


def check(browser: Any, **fields: Any) -> Any:
    files = fields.pop("files", None)
    data = {"zone": "", "justification": WHY, **fields}
    return browser.post("/documents", data, **({"files": files} if files else {}))


def test_the_form_is_shown_with_its_photo_field(node: Node) -> None:
    page = log_in(node).client.get("/documents")
    assert page.status_code == 200
    assert 'action="/documents"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert 'accept="image/*" capture="environment"' in page.text
    assert 'href="/documents" aria-current="page"' in page.text


def test_a_pasted_zone_is_decoded(node: Node) -> None:
    page = check(log_in(node), zone=SPECIMEN.lower().replace("\n", " "))
    assert page.status_code == 200, page.text
    for shown in ("ERIKSSON", "ANNA MARIA", "L898902C3", "1974-08-12", "2012-04-15", "female"):
        assert shown in page.text
    assert "Utopia (ICAO specimen)" in page.text
    assert "Sound: every check digit holds" in page.text
    assert "The document expired on 2012-04-15." in page.text
    zone = re.search(r'<pre class="mrz-zone" dir="ltr"[^>]*>(.*?)</pre>', page.text, re.S)
    assert zone and html.unescape(re.sub(r"<[^>]+>", "", zone.group(1))) == SPECIMEN


def test_a_failing_check_digit_is_marked_in_place(node: Node) -> None:
    page = check(log_in(node), zone=BAD_DIGIT)
    assert page.status_code == 200
    assert "Not sound" in page.text
    marked = re.search(r'L898902C3<mark class="mrz-error" title="([^"]+)">5</mark>UTO', page.text)
    assert marked, "the failing digit is not marked in place"
    assert "the check digit should be 6, the zone has 5" in marked.group(1)
    assert "line 2, column 10" in page.text
    # the fraud report is one click away, with the failed check digit ticked
    assert 'name="points" value="mrz_check_digit"' in page.text
    assert 'name="number" value="L898902C3"' in page.text


def test_a_repair_is_marked_and_said(node: Node) -> None:
    page = check(log_in(node), zone=SPECIMEN.replace("7408122", "74O8122"))
    assert page.status_code == 200
    assert '<mark class="mrz-repair"' in page.text
    assert "O taken as 0, confirmed by a check digit" in page.text


def test_bad_input_gives_the_form_again_in_html(node: Node) -> None:
    browser = log_in(node)
    page = check(browser, zone="hello world")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "This is not a zone or a document." in page.text and "hello world" in page.text
    empty = check(browser)
    assert empty.status_code == 422 and "Paste the machine-readable zone" in empty.text


def test_a_file_that_is_no_image_is_said_in_the_form(node: Node) -> None:
    # why no skip without tesseract: the file is refused before tesseract is needed
    page = check(log_in(node), files={"photo": ("zone.jpg", b"not an image", "image/jpeg")})
    assert page.status_code == 422
    assert "not a photo this page can read" in page.text


def test_without_tesseract_the_officer_is_told_to_type_the_zone(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tesseract.shutil, "which", lambda _name: None)
    photo = passport_page(SPECIMEN.splitlines())
    page = check(log_in(node), files={"photo": ("page.jpg", photo, "image/jpeg")})
    assert page.status_code == 503
    assert "This node cannot read photos now. Type the zone instead" in page.text


def test_the_justification_is_required(node: Node) -> None:
    page = check(log_in(node), zone=SPECIMEN, justification="  ")
    assert page.status_code == 422
    assert "State why you check this document" in page.text
    assert "ERIKSSON" not in page.text.split("</form>")[-1]


def test_a_node_administrator_is_refused(node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    assert 'href="/documents"' not in admin.client.get("/").text
    asked = (
        admin.client.get("/documents"),
        check(admin, zone=SPECIMEN),
        admin.client.get("/documents/fraud-reports/new"),
    )
    for answer in asked:
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("text/html")


def _report_fields(**overrides: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "state": "UTO",
        "doc_type": "P",
        "number": "L898902C3",
        "title": "Counterfeit passport at gate 4",
        "fraud_type": "counterfeit",
        "points": ["mrz_check_digit", "font_or_spacing"],
        "detected_at": "2026-05-01T18:00",
        "place_name": "Athens airport",
        "text": "Zone printed in the wrong font; check digit fails.",
        "tlp": "TLP:AMBER",
        "handling": "H0",
        "basis": "fact",
        "person-0-name": "R. K.",
        "person-0-category": "smuggled_migrant",
    }
    return fields | overrides


def test_the_report_form_opens_prefilled_from_a_check(node: Node) -> None:
    browser = log_in(node)
    document = {"state": "UTO", "doc_type": "P", "number": "L898902C3"}
    page = browser.post("/documents/fraud-reports/new", {**document, "points": "mrz_check_digit"})
    assert page.status_code == 200
    assert 'name="number" value="L898902C3"' in page.text
    assert re.search(
        r'id="point-mrz_check_digit" name="points" value="mrz_check_digit" checked', page.text
    )
    assert not re.search(r'id="point-font_or_spacing"[^>]*checked', page.text)
    # the holder's category is never preset, least of all to "suspect"
    assert not re.search(r'<option value="suspect"[^>]*selected', page.text)


def test_a_report_is_filed_with_the_holders_category(node: Node) -> None:
    browser = log_in(node)
    answer = browser.post("/documents/fraud-reports", _report_fields(), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    item_id = answer.headers["location"].removeprefix("/items/")
    with node.store.read() as conn:
        held = item_store.get_item(conn, item_id)
    assert held is not None
    env = held.envelope
    assert env.kind == "document_fraud"
    assert env.body["document"] == {"state": "UTO", "doc_type": "P", "number": "L898902C3"}
    assert env.body["detection_points"] == ["mrz_check_digit", "font_or_spacing"]
    assert env.body["detected_at"] == "2026-05-01T18:00:00Z"
    assert env.body["persons"] == [{"name": "R. K.", "category": "smuggled_migrant"}]
    assert [s.value for s in env.markings.subjects] == ["smuggled_migrant"]
    shown = browser.post(f"/items/{item_id}/open", {"justification": WHY})
    assert shown.status_code == 200, shown.text
    text = shown.text
    assert "Document fraud report" in text and "document_fraud" not in text.split("<main")[1]
    assert "Counterfeit: a complete reproduction" in text
    assert "Wrong font or spacing" in text
    feed = browser.client.get("/").text
    assert "Document fraud report" in feed and ">document_fraud<" not in feed


def test_a_report_without_fraud_type_or_category_is_refused_and_not_stored(node: Node) -> None:
    browser = log_in(node)
    answer = browser.post(
        "/documents/fraud-reports", _report_fields(fraud_type="", **{"person-0-category": ""})
    )
    assert answer.status_code == 422
    assert "Choose the fraud type." in answer.text
    assert "Choose the person&#39;s category." in answer.text
    with node.store.read() as conn:
        assert item_store.count_items(conn) == 0


def test_register_items_and_peers_are_shown_by_name(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    register.add(node, "host:test", NewEntry("UTO:P:L898902C3", "stolen", None, "FIA Lahore", ""))
    browser = log_in(node)
    filed = browser.post("/documents/fraud-reports", _report_fields(), follow_redirects=False)
    item_id = filed.headers["location"].removeprefix("/items/")
    answers = [
        network.PeerAnswer("b" * 64, "GR-HCG", register=True),
        network.PeerAnswer("c" * 64, "EU-FRONTEX"),
    ]
    monkeypatch.setattr(network, "ask_peers", lambda *_args: answers)
    page = check(browser, zone=SPECIMEN)
    assert page.status_code == 200, page.text
    assert "Stolen" in page.text and "FIA Lahore" in page.text
    assert f'href="/items/{item_id}"' in page.text and "Counterfeit passport at gate 4" in page.text
    assert "Nodes asked: 2. Nodes that know this document: 1." in page.text
    assert "GR-HCG" in page.text and "in its register: ask this node." in page.text
    assert "b" * 64 not in page.text
    # the report form opened from here ticks the register hit
    assert 'name="points" value="sltd_hit"' in page.text


def test_a_document_alone_is_checked_without_a_zone(node: Node) -> None:
    page = check(log_in(node), zone="passport L898902C3 UTO")
    assert page.status_code == 200, page.text
    assert "UTO:P:L898902C3" in page.text and "Not in this node" in page.text
    assert 'class="mrz-zone"' not in page.text
