"""Figures served while they are computed again (stale while revalidate), shared by
every web process through the cache.

An entry holds the figures, the version of the data they were computed at, and
when. `read` gives figures of the current version at once. Figures of an older
version, or older than `fresh_for`, are given too, and one refresh is queued for
the task worker (`refresh.enqueue(*args)`, under a lock in the cache, so a hundred
visitors queue one); the task calls `store`. Figures older than `stale_limit` (no
worker ran the refresh), or none at all, are computed while the caller waits.

With the immediate task backend (`make run`, the tests) the refresh runs inside
`read`, which then gives its result: the caller sees the change at once.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.tasks import Task
from django.utils import timezone

# How long a refresh may take before another may be queued, in seconds.
LOCK_TIMEOUT = 60


def read(
    key: str,
    *,
    version: str,
    compute: Callable[[], Any],
    refresh: Task,
    args: tuple = (),
    fresh_for: int,
    stale_limit: int,
    keep: int,
) -> tuple[Any, str]:
    """The figures under `key` and the version they were computed at."""
    found = cache.get(key)
    if found is None or _age(found) >= stale_limit:
        return store(key, version=version, compute=compute, keep=keep), version
    if found["version"] == version and _age(found) < fresh_for:
        return found["value"], found["version"]
    if cache.add(_lock(key), 1, LOCK_TIMEOUT):
        refresh.enqueue(*args)
        found = cache.get(key) or found
    return found["value"], found["version"]


def store(key: str, *, version: str, compute: Callable[[], Any], keep: int) -> Any:
    """Computes the figures, keeps them under `key` at `version`, and lets the next
    change queue a refresh again. `version` is read before computing: a change made
    meanwhile leaves the entry stale, and the next reader queues another refresh."""
    try:
        value = compute()
        cache.set(key, {"version": version, "at": timezone.now().timestamp(), "value": value}, keep)
        return value
    finally:
        cache.delete(_lock(key))


def _age(entry: dict) -> float:
    return timezone.now().timestamp() - entry["at"]


def _lock(key: str) -> str:
    return f"{key}:refreshing"
