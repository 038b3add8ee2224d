"""Correlation's projections of stored items: sightings and the hits they make, disclosure
requests and answers, and the words that make items searchable."""

from __future__ import annotations

from collections.abc import Sequence

from csnet.bus import Event
from csnet.correlation import disclosures, item_text, sightings
from csnet.pipeline.projections import Applying, projection


@projection("sightings", 20)
def observe_sightings(applying: Applying) -> Sequence[Event]:
    hits = sightings.observe(applying.node, applying.conn, applying.stored)
    return sightings.events(hits)


@projection("disclosures", 30, every_kind=False)
def observe_disclosures(applying: Applying) -> Sequence[Event]:
    # a request and its state never part; this node's own answer to a request no longer
    # pending raises, and the whole batch rolls back
    disclosures.observe(applying.node, applying.conn, applying.stored)
    return ()


@projection("text", 40)
def index_text(applying: Applying) -> Sequence[Event]:
    item_text.index(applying.conn, applying.stored)
    return ()
