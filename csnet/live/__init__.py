"""Members' live feeds: bus events filtered through the same policy as every read."""

from csnet.live.feed import LiveHit, LiveItem, MemberView, updates, view

__all__ = ["LiveHit", "LiveItem", "MemberView", "updates", "view"]
