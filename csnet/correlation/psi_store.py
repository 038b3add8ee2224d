"""The holder's side of a PSI query, read from the store: which canonical values of one type
this node holds (docs/indicators.md, "Hit/no-hit (PSI)"), or the documents of its register
(`document_register`, docs/documents.md)."""

from __future__ import annotations

from sqlalchemy import Connection, exists, select

from csnet.correlation.psi import DOCUMENT_REGISTER
from csnet.store.tables import document_register, indicator_values, sightings


def held_values(conn: Connection, type_name: str) -> list[str]:
    """Values of `type_name` seen in at least one item still held, outside a protected
    person's details: a victim's or smuggled migrant's number is never offered to a match.
    `document_register` offers every document of this node's register."""
    if type_name == DOCUMENT_REGISTER:
        return list(conn.execute(select(document_register.c.value)).scalars())
    seen_openly = exists().where(
        sightings.c.value_id == indicator_values.c.id,
        sightings.c.protected.is_(False),
    )
    query = select(indicator_values.c.value).where(
        indicator_values.c.type == type_name, seen_openly
    )
    return list(conn.execute(query).scalars())
