"""The link rule on its own (csnet/items/links.py): the refusals the federation tests do not
reach through a peer (a local author, a kind changed, two different targets)."""

from __future__ import annotations

from typing import Any

import pytest

from csnet.errors import CsnetError, NotFound
from csnet.items import links
from csnet.items.envelope import Envelope
from csnet.items.keys import NodeKey, node_id_for
from csnet.items.signing import ItemDraft, seal
from tests.conftest import FIXED_NOW
from tests.factories import alert_body

KEY = NodeKey.generate()
ORIGIN = node_id_for(KEY.public_key)
TARGET = links.Target("a" * 64, ORIGIN, "m_author", "alert")
OTHER = "b" * 64


def item(kind: str, body: dict[str, Any], **fields: Any) -> Envelope:
    draft = ItemDraft(kind=kind, author="m_someone", body=body, **fields)
    return seal(draft, KEY, origin=ORIGIN, seq=1, created=FIXED_NOW)


def refused(env: Envelope, facts: links.Facts) -> str:
    with pytest.raises(CsnetError) as caught:
        links.check(env, facts)
    return caught.value.error_code


def facts(publisher: links.Publisher | None = None, **targets: links.Target) -> links.Facts:
    return links.Facts(ORIGIN, {t.id: t for t in targets.values()}, publisher=publisher)


TOMB = {"reason": "recorded in error"}


@pytest.mark.parametrize(
    ("supervisor", "code"), [(False, "not_author"), (True, None)], ids=["officer", "supervisor"]
)
def test_only_the_author_or_a_supervisor_corrects_locally(
    supervisor: bool, code: str | None
) -> None:
    env = item("tombstone", TOMB, refers_to=TARGET.id, supersedes=TARGET.id)
    local = facts(links.Publisher("m_someone", supervisor), t=TARGET)
    if code is None:
        links.check(env, local)
    else:
        assert refused(env, local) == code
    links.check(env, facts(t=TARGET))  # a receiver trusts the origin about its own members


def test_a_correction_keeps_its_kind() -> None:
    env = item("note", {"title": "t", "text": "x", "topic": "routes"}, supersedes=TARGET.id)
    assert refused(env, facts(t=TARGET)) == "wrong_kind"


def test_a_held_correction_applies_only_with_the_origin_and_kind_of_its_target() -> None:
    """Judged at the target's arrival, when the correction was held first (unjudged)."""
    assert links.corrects(ORIGIN, "alert", TARGET)
    assert not links.corrects(ORIGIN, "note", TARGET)
    assert not links.corrects("csn" + "z" * 24, "alert", TARGET)


def test_a_tombstone_supersedes_only_what_it_erases() -> None:
    env = item("tombstone", TOMB, refers_to=TARGET.id, supersedes=OTHER)
    assert refused(env, facts(t=TARGET)) == "link_mismatch"


def test_another_origins_target_is_never_corrected() -> None:
    theirs = links.Target(TARGET.id, "csn" + "z" * 24, "m_author", "alert")
    env = item("alert", alert_body(), supersedes=theirs.id)
    assert refused(env, facts(t=theirs)) == "not_origin"
    assert not links.takes_effect(ORIGIN, theirs)


def test_a_target_not_held_is_kept_when_received_and_unknown_when_local() -> None:
    env = item("tombstone", TOMB, refers_to=OTHER)
    links.check(env, facts())  # judged when the target arrives (links.takes_effect)
    with pytest.raises(NotFound):
        links.check(env, facts(links.Publisher("m_someone", True)))


def test_a_local_correction_of_a_corrected_version_is_refused() -> None:
    corrected = links.Target(TARGET.id, ORIGIN, "m_someone", "alert", superseded_by=OTHER)
    env = item("alert", alert_body(), supersedes=corrected.id)
    assert refused(env, facts(links.Publisher("m_someone", False), t=corrected)) == (
        "already_superseded"
    )
