"""`machine_time`: what a `<time datetime>` attribute may hold."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from portal.templatetags.machine_time import machine_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # In the hub's time zone, without the microseconds Django's "c" would write.
        (datetime(2026, 11, 29, 22, 5, 12, 345678, tzinfo=UTC), "2026-11-29T23:05:12+01:00"),
        (datetime(2026, 7, 1, 8, 0, 0, 1, tzinfo=UTC), "2026-07-01T10:00:00+02:00"),
        (date(2026, 2, 28), "2026-02-28"),
        (None, ""),
        ("", ""),
    ],
)
def test_machine_time(value, expected, settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        assert machine_time(value) == expected
