"""Alerts, notes, replies, acknowledgements, corrections and erasure: the day-one kinds."""
