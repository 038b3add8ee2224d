"""What a member narrows the feed to, and how an item is matched against it."""

from __future__ import annotations

from dataclasses import dataclass

from csnet.feed.facts import FeedFacts, feed_facts, fold
from csnet.items.envelope import Envelope


@dataclass(frozen=True)
class FeedFilters:
    """Empty strings count as no filter. Body filters (urgency, tag, route) never match an item
    shown as a header only: matching would reveal its content."""

    urgency: str = ""
    group: str = ""
    tag: str = ""
    route: str = ""
    origin: str = ""

    @property
    def active(self) -> bool:
        return any((self.urgency, self.group, self.tag, self.route, self.origin))

    @property
    def on_body(self) -> bool:
        return any((self.urgency, self.tag, self.route))

    def admits(self, env: Envelope, restricted: bool) -> bool:
        """The same rule as the projection's index read, for an item at hand (a live one)."""
        facts = feed_facts(env)
        if facts is None or (self.group and self.group not in env.audience.groups):
            return False
        return self.matches(facts) and not (restricted and self.on_body)

    def matches(self, facts: FeedFacts) -> bool:
        """The filters on feed facts (not the group, which is the item's audience)."""
        if self.origin and facts.origin != self.origin:
            return False
        if self.urgency and facts.urgency != self.urgency:
            return False
        if self.route and facts.route != fold(self.route):
            return False
        return not self.tag or fold(self.tag) in facts.tags

    def query(self) -> dict[str, str]:
        """The filters as query-string pairs (filters are not personal data)."""
        pairs = {
            "urgency": self.urgency,
            "group": self.group,
            "tag": self.tag,
            "route": self.route,
            "origin": self.origin,
        }
        return {k: v for k, v in pairs.items() if v}


NO_FILTERS = FeedFilters()
