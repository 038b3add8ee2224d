"""Per-peer limits on PSI queries: how many queries and how many points in a sliding hour.

Why points as well as queries: every asked point is one guess, so the points a peer may ask per
hour bound how fast it could walk a dictionary of phone numbers through this node. Kept in the
memory of the serving process (a restart forgets; each worker of a scaled-out node counts apart).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from csnet.errors import RateLimited

WINDOW_S = 3600.0
MAX_QUERIES_PER_HOUR = 30
MAX_POINTS_PER_HOUR = 300_000


@dataclass
class PsiLimiter:
    """Admits a query of `points` from `peer` at time `now` (seconds), or raises RateLimited."""

    max_queries: int = MAX_QUERIES_PER_HOUR
    max_points: int = MAX_POINTS_PER_HOUR
    window_s: float = WINDOW_S
    _seen: dict[str, deque[tuple[float, int]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, peer: str, points: int, now: float) -> None:
        with self._lock:
            recent = self._recent(peer, now)
            if len(recent) >= self.max_queries:
                raise RateLimited(
                    f"at most {self.max_queries} PSI queries per hour", code="psi_rate_limited"
                )
            if sum(n for _, n in recent) + points > self.max_points:
                raise RateLimited(
                    f"at most {self.max_points} PSI points per hour", code="psi_rate_limited"
                )
            recent.append((now, points))

    def _recent(self, peer: str, now: float) -> deque[tuple[float, int]]:
        recent = self._seen.setdefault(peer, deque())
        while recent and recent[0][0] <= now - self.window_s:
            recent.popleft()
        return recent
