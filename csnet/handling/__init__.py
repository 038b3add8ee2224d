"""Markings, grading, data-subject categories and the one policy decision (pure, no I/O)."""
