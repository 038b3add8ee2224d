"""The practitioner feed: its projection (what each feed item is filtered by) and its one engine
(filtered, keyset-paged pages of the items a member may see)."""
