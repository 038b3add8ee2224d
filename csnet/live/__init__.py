"""Members' live feeds: bus events filtered through the same policy as every read."""

from csnet.live.feed import LiveItem, updates, view

__all__ = ["LiveItem", "updates", "view"]
