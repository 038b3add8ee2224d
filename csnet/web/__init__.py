"""HTTP: the JSON API under /api/v1. Thin: it parses, authenticates and calls the domain."""
