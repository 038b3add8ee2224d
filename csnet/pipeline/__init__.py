"""The one item pipeline: every item, sealed here or received from a peer, is stored and
projected by `apply` in the caller's transaction, then announced by `announce` after the commit.

Publishing (publish.py) and receiving (csnet/federation/inbox.py) differ only in where the
envelopes come from and how they are judged; what storing an item means is said once, here, by
the registered projections (projections.py).
"""
