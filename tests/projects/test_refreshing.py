"""`projects.refreshing`, read against the real Redis: how long an entry and a
refresh's lock are kept, and where fresh ends."""

from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from projects import refreshing, statistics

pytestmark = pytest.mark.django_db

KEY = "refreshing-test"


@pytest.fixture
def queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def ttl(key: str) -> int:
    """Seconds Redis keeps `key` (the cache's own name for it)."""
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    return client.ttl(cache.make_and_validate_key(key))


def read(version: str, value: str = "figures", **more):
    return refreshing.read(
        KEY,
        version=version,
        compute=lambda: value,
        refresh=statistics.refresh_processing_times,
        fresh_for=more.get("fresh_for", 300),
        stale_limit=600,
        keep=more.get("keep", 3600),
    )


def test_an_entry_is_kept_as_long_as_asked(queued_tasks):
    assert read("1", keep=1234) == ("figures", "1")

    assert 1230 <= ttl(KEY) <= 1234


def test_a_refresh_lock_lasts_a_minute_so_a_lost_refresh_is_queued_again(queued_tasks):
    read("1")
    read("2")

    assert DBTaskResult.objects.count() == 1
    assert 55 <= ttl(f"{KEY}:refreshing") <= refreshing.LOCK_TIMEOUT


def test_figures_are_fresh_for_less_than_fresh_for(queued_tasks, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    read("1")
    time_machine.shift(timedelta(seconds=299))
    read("1")
    assert not DBTaskResult.objects.exists()

    time_machine.shift(timedelta(seconds=1))  # exactly 300 seconds old: stale
    assert read("1", value="new") == ("figures", "1")
    assert DBTaskResult.objects.count() == 1
