"""Migration 0015 backfills the projection as the pipeline writes it, and goes down and up."""

from __future__ import annotations

from alembic import command

from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.alerts import actions
from csnet.node import Node
from csnet.publishing import NewItem, publish, publish_many
from csnet.store.migrate import alembic_config, upgrade
from tests.factories import alert_body
from tests.feed.test_projection import feed_of


def _downgrade(node: Node, revision: str) -> None:
    config = alembic_config(node.store.url)
    with node.store.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_backfill_matches_the_projection(node: Node, officer: Member) -> None:
    caller = Caller(officer)
    bodies = [
        alert_body(tags=["Boat", "SAR"], route="Western Balkan"),
        alert_body(urgency="ROUTINE", tags=[], place=None),
        {
            "title": "Concealment",
            "text": "Under the deck",
            "topic": "concealment",
            "tags": ["Deck"],
        },
    ]
    news = [NewItem("note" if "topic" in b else "alert", b) for b in bodies]
    first, second, note = publish_many(node, caller, news)
    publish(node, caller, NewItem("reply", {"text": "seen"}, replies_to=note.id))
    actions.correct(node, caller, first.id, NewItem("alert", alert_body(tags=["fixed"])))
    actions.erase(node, caller, second.id, "mistake", None)
    projected = feed_of(node)
    assert len(projected[0]) == 3  # the correction, the note and the reply
    _downgrade(node, "0014")
    upgrade(node.store)
    assert feed_of(node) == projected
