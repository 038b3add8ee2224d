"""Seed data for the demo network: three agencies, their members, realistic alerts and notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (demo only; printed by `make demo`)


@dataclass(frozen=True)
class DemoNode:
    slug: str
    name: str
    country: str
    agency: str
    city: str
    port: int


NODES = (
    DemoNode("pk-fia", "PK-FIA", "PK", "Federal Investigation Agency", "Islamabad", 8101),
    DemoNode("gr-hcg", "GR-HCG", "GR", "Hellenic Coast Guard", "Piraeus", 8102),
    DemoNode(
        "eu-frontex", "EU-FRONTEX", "EU", "European Border and Coast Guard Agency", "Warsaw", 8103
    ),
)

MEMBERS = (
    ("admin", "admin", "Node administrator"),
    ("officer", "officer", "Duty officer"),
    ("analyst", "analyst", "Risk analyst"),
    ("supervisor", "supervisor", "Shift supervisor"),
    ("protection", "protection_officer", "Protection officer"),
)

ALERTS: dict[str, list[dict[str, Any]]] = {
    "pk-fia": [
        {
            "title": "Group departure via Quetta–Taftan expected this week",
            "text": "Informant reports a group of about 25 young men recruited in Gujrat and "
            "Mandi Bahauddin, gathering in Quetta for the Taftan crossing. Payment in lakh PKR, "
            "'game' to Europe promised via Iran and Türkiye.",
            "urgency": "PRIORITY",
            "place": {"name": "Quetta", "lat": 30.18, "lon": 66.99},
            "tags": ["dunki", "overland", "recruitment"],
            "route": "Eastern Mediterranean",
        },
        {
            "title": "Forged Schengen visas offered on TikTok",
            "text": "Accounts advertising 'guaranteed' Schengen visas and work permits with "
            "payment after arrival. Samples show forged visa vignettes; check arrivals from "
            "Lahore and Sialkot.",
            "urgency": "ROUTINE",
            "tags": ["documents", "social-media"],
        },
    ],
    "gr-hcg": [
        {
            "title": "Overloaded fishing vessel south of Crete",
            "text": "Fishing vessel with an estimated 300+ persons on board reported 40 nm south "
            "of Gavdos, heading north-west. Departure reportedly Tobruk. Search and rescue "
            "assets tasked; life at risk.",
            "urgency": "FLASH",
            "place": {"name": "South of Gavdos", "lat": 34.2, "lon": 24.1},
            "tags": ["sar", "boat", "libya"],
            "route": "Central Mediterranean",
        },
    ],
    "eu-frontex": [
        {
            "title": "Shift of departures from eastern Libya towards Crete",
            "text": "Detections on the Libya–Crete corridor rose markedly over the last quarter. "
            "Facilitators advertise the route as 'direct to Europe' with departures from "
            "Tobruk and Benghazi.",
            "urgency": "IMMEDIATE",
            "place": {"name": "Tobruk", "lat": 32.08, "lon": 23.96},
            "tags": ["risk-analysis", "libya"],
            "route": "Central Mediterranean",
        },
    ],
}

NOTES: dict[str, list[dict[str, Any]]] = {
    "pk-fia": [
        {
            "title": "Hawala 'OK' release messages",
            "text": "Families deposit the fee with a hawaladar; the smuggler is paid only after "
            "the migrant sends an 'OK' voice note on arrival. Look for screenshots of such "
            "messages on seized phones.",
            "topic": "financial",
            "tags": ["hawala", "payments"],
        }
    ],
    "gr-hcg": [
        {
            "title": "Concealment of the skipper among passengers",
            "text": "Skippers often swap clothes and hide among the passengers before "
            "interception. Collect witness statements separately and early; treat passengers as "
            "protected persons.",
            "topic": "modus_operandi",
            "tags": ["boat", "skipper"],
        }
    ],
    "eu-frontex": [],
}

# Posted once the nodes are peered, each addressed to the nodes listed (its audience; "group" is
# the network's sharing group), so that they travel over the network: a node's first view of the
# others' alerts.
SHARED_ALERTS: dict[str, list[tuple[tuple[str, ...], dict[str, Any]]]] = {
    "pk-fia": [
        (
            ("gr-hcg", "eu-frontex"),
            {
                "title": "Facilitator network moving Pakistani nationals via Benghazi",
                "text": "Interviews of returnees point to a Gujrat-based facilitator who flies "
                "groups to Benghazi on visit visas before boat departures towards Crete and "
                "Italy. Passenger manifests being checked.",
                "urgency": "IMMEDIATE",
                "place": {"name": "Benghazi", "lat": 32.12, "lon": 20.07},
                "tags": ["libya", "air-route", "facilitator"],
                "route": "Central Mediterranean",
            },
        )
    ],
    "gr-hcg": [
        (
            ("eu-frontex",),
            {
                "title": "Request for aerial surveillance south of Crete",
                "text": "Three departures from Tobruk expected in the coming days given the "
                "forecast. Request aerial surveillance coverage of the corridor.",
                "urgency": "PRIORITY",
                "place": {"name": "South of Crete", "lat": 34.5, "lon": 24.8},
                "tags": ["sar", "surveillance"],
                "route": "Central Mediterranean",
            },
        )
    ],
    "eu-frontex": [
        (
            ("group",),  # the sharing group of all three nodes (see demo.py)
            {
                "title": "Forged Schengen vignettes detected at Athens airport",
                "text": "Several passengers from Lahore presented forged Schengen visa vignettes "
                "of the same series. Specimens shared with document experts; watch for "
                "further use.",
                "urgency": "ROUTINE",
                "tags": ["documents", "air-route"],
            },
        )
    ],
}
