"""Correlation: indicator sightings per item and the hits they make (docs/policy.md "Hits")."""
