"""The documents page says every finding of csnet.mrz in the member's language (no English
left over), and marks each finding's characters in place."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from csnet import mrz
from csnet.web.pages import documents_zone, i18n

VECTORS = Path(__file__).resolve().parents[2] / "mrz" / "vectors" / "mrz_vectors.json"
TODAY = date(2026, 12, 8)
REPLACEMENTS = "A<19OK"


def _zones() -> list[str]:
    return ["\n".join(v["lines"]) for v in json.loads(VECTORS.read_text(encoding="utf-8"))]


def _corrupted(zone: str) -> list[str]:
    """Every character of the zone replaced, in turn, by a few that make each kind of finding."""
    return [
        zone[:i] + new + zone[i + 1 :]
        for i, old in enumerate(zone)
        if old != "\n"
        for new in REPLACEMENTS
        if new != old
    ]


def test_every_finding_of_the_vectors_and_their_corruptions_is_said_in_words() -> None:
    i18n.activate("fr")
    unknown: set[str] = set()
    texts = [t for zone in _zones() for t in (zone, *_corrupted(zone))]
    texts += ["P<D<<X", "hello world " * 7, "I<UTOD23145890<<<<<<<<<<<<<<<\n" * 3]
    for text in texts:
        reading = mrz.read(text, TODAY)
        for finding in (*reading.errors, *reading.warnings):
            said = documents_zone.sentence(finding)
            if said.english:
                unknown.add(finding.message)
            else:
                assert said.text and "%(" not in said.text
    assert not unknown, sorted(unknown)[:10]


def test_each_failing_character_is_its_own_marked_run() -> None:
    zone = _zones()[0].replace("L898902C36", "L898902C35")
    reading = mrz.read(zone, TODAY)
    runs = documents_zone.zone_runs(reading)
    assert "".join(r.text for r in runs[1]) == reading.lines[1]
    errors = [r for r in runs[1] if r.mark == "error"]
    assert [r.text for r in errors] == ["5", "0"]  # the number's digit, then the composite
