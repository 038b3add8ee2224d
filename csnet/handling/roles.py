"""Member roles and the actions the policy decides on; what each role may attempt at all.

The role table is only the first gate: markings, audience and consent are checked by `decide`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Role(StrEnum):
    OFFICER = "officer"
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    PROTECTION_OFFICER = "protection_officer"
    ADMIN = "admin"  # node administrator: accounts and peers, not casework


class Action(StrEnum):
    READ = "read"
    SEARCH = "search"
    FORWARD = "forward"  # send the item to another node
    EXPORT = "export"  # take it out of the system (file, report)
    DISCLOSE = "disclose"  # hit/no-hit follow-up: the provider releases data to a requester
    ACT_ON = "act_on"  # use as evidence in judicial proceedings


_CASEWORK = frozenset({Action.READ, Action.SEARCH, Action.FORWARD, Action.ACT_ON})

ROLE_ACTIONS: Mapping[Role, frozenset[Action]] = MappingProxyType(
    {
        Role.OFFICER: _CASEWORK,
        Role.ANALYST: _CASEWORK | {Action.EXPORT},
        # Disclosure is the provider's decision (Europol Reg Art 20(2)): a supervisor takes it.
        Role.SUPERVISOR: frozenset(Action),
        # Protection officers see what their node sees, but do not build prosecutions.
        Role.PROTECTION_OFFICER: frozenset({Action.READ, Action.SEARCH, Action.FORWARD}),
        # Administrators may look at non-personal items only; `decide` enforces the rest.
        Role.ADMIN: frozenset({Action.READ, Action.SEARCH}),
    }
)
