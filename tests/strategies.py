"""Hypothesis strategies shared by tests of several packages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
# Aware times in several zones, few distinct instants: a memo of processed values is exercised.
aware_times = st.builds(
    lambda seconds, micros, zone: (
        datetime(2024, 5, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micros)
    ).astimezone(zone),
    st.integers(0, 3),
    st.sampled_from([0, 500]),
    st.sampled_from(ZONES),
)
