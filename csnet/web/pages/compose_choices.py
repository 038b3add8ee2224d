"""What the compose pickers offer, each choice with a line in plain words saying what it means."""

from __future__ import annotations

from dataclasses import dataclass

from csnet.federation import peer_ops
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, HandlingCode
from csnet.items.bodies import FRONTEX_ROUTES, Topic, Urgency
from csnet.node import Node
from csnet.web.pages.compose_build import Offered
from csnet.web.pages.i18n import gettext as _

Choice = tuple[str, str]  # value, what it means


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    detail: str


def audience_options(node: Node) -> tuple[list[Option], list[Option], list[Option]]:
    """The sharing groups this node belongs to, its active peer nodes, and its members."""
    found = peer_ops.addressees(node)
    groups = [Option(g.id, g.name, _("%(n)s nodes") % {"n": len(g.members)}) for g in found.groups]
    nodes = [
        Option(p.node_id, p.identity.name, f"{p.identity.agency} · {p.identity.country}")
        for p in found.peers
    ]
    members = [Option(m.id, m.display_name, m.username) for m in found.members]
    return groups, nodes, members


def offered(groups: list[Option], nodes: list[Option], members: list[Option]) -> Offered:
    return Offered(
        frozenset(g.value for g in groups),
        frozenset(n.value for n in nodes),
        frozenset(m.value for m in members),
    )


def urgencies() -> list[Choice]:
    meaning = {
        Urgency.FLASH: _("Lives at risk now: every recipient is alerted at once, with a sound."),
        Urgency.IMMEDIATE: _("Needs action within the hour."),
        Urgency.PRIORITY: _("Needs action today."),
        Urgency.ROUTINE: _("For information; read when convenient."),
    }
    return [(u.value, meaning[u]) for u in Urgency]


def topics() -> list[Choice]:
    label = {
        Topic.MODUS_OPERANDI: _("Modus operandi"),
        Topic.CONCEALMENT: _("Concealment"),
        Topic.DOCUMENTS: _("Documents"),
        Topic.DIGITAL: _("Digital"),
        Topic.FINANCIAL: _("Financial"),
        Topic.ROUTES: _("Routes"),
        Topic.PROTECTION: _("Protection"),
        Topic.LEGAL: _("Legal"),
        Topic.OTHER: _("Other"),
    }
    return [(t.value, label[t]) for t in Topic]


def europol_sources() -> list[Choice]:
    return [
        (
            "A",
            _(
                "No doubt about authenticity, trustworthiness and competence, "
                "or proved reliable in all instances."
            ),
        ),
        ("B", _("Mostly reliable: proved reliable in most instances.")),
        ("C", _("Mostly unreliable: proved unreliable in most instances.")),
        ("X", _("Reliability cannot be assessed.")),
    ]


def europol_information() -> list[Choice]:
    return [
        ("1", _("Accuracy not in doubt.")),
        ("2", _("Known personally to the source but not to the official passing it on.")),
        (
            "3",
            _(
                "Not known personally to the source, "
                "but corroborated by information already recorded."
            ),
        ),
        ("4", _("Not known personally to the source and cannot be corroborated.")),
    ]


def admiralty_sources() -> list[Choice]:
    return [
        ("A", _("Completely reliable.")),
        ("B", _("Usually reliable.")),
        ("C", _("Fairly reliable.")),
        ("D", _("Not usually reliable.")),
        ("E", _("Unreliable.")),
        ("F", _("Reliability cannot be judged.")),
    ]


def admiralty_information() -> list[Choice]:
    return [
        ("1", _("Confirmed by other sources.")),
        ("2", _("Probably true.")),
        ("3", _("Possibly true.")),
        ("4", _("Doubtful.")),
        ("5", _("Improbable.")),
        ("6", _("Truth cannot be judged.")),
    ]


def pickers(node: Node) -> dict[str, object]:
    """Everything the compose template offers, in one context dict."""
    groups, nodes, members = audience_options(node)
    return {
        "group_options": groups,
        "node_options": nodes,
        "member_options": members,
        "urgencies": urgencies(),
        "topics": topics(),
        "tlps": [t.value for t in (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)],
        "handling_codes": [c.value for c in HandlingCode],
        "categories": [c.value for c in DataSubjectCategory],
        "routes": FRONTEX_ROUTES,
        "europol_sources": europol_sources(),
        "europol_information": europol_information(),
        "admiralty_sources": admiralty_sources(),
        "admiralty_information": admiralty_information(),
    }
