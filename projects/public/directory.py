"""Reads for the public directory: the filtered page, and facet counts that stay cheap.

Counting 100,000 rows and six facets takes most of a second: no visitor should wait
for it while the hub works. The counts depend only on the filters and on the data,
so they are cached under the normalised filters, with the version of the public data
they were counted at (one row read by its key: `PublicVersion`). Every change the
public can see moves that version on in its own transaction; a change it cannot see
(a draft saved, a message, a note, a private file) keeps every entry.

When the version has moved on, the figures already counted are served while a task
counts them again (stale while revalidate, one task per set of filters at a time);
with the task worker running the new figures are in place within the time of one
count, about a second at 100,000 projects. Only filters never seen before, or whose
counts are older than STALE_LIMIT (no worker ran meanwhile), are counted while the
visitor waits.

A visitor's whole rendered page is kept under the URL, the data version and the
version its counts were made at (the view fills in its CSRF token and CSP nonce),
so a page seen again costs two reads by key. What a project's row shows of other
records (a sponsor's, theme's or base's name) can lag a rename by at most
FACET_TIMEOUT, as the facet names do: older counts are refreshed like stale ones.
"""

import hashlib
from collections import Counter

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.tasks import task
from django.utils import timezone

from catalog.models import Base
from projects.models import Programme, Project, PublicVersion, RequestedBase, Theme
from projects.public.filters import ProjectFilter

FACET_TIMEOUT = 600
# Counts are kept this long, stale or not, so that a visitor is served them while
# they are counted again; a count takes seconds at most, a lock lasts longer.
FACET_KEEP = 24 * 3600
# Counts this old are never served, fresh or not: the visitor counts. With a task
# worker running they never get there; without one, counts lag by this at most.
STALE_LIMIT = 2 * FACET_TIMEOUT
REFRESH_LOCK_TIMEOUT = 60
# The parameters that change which projects are counted (not the order, not the page).
FILTERS = [name for name in ProjectFilter.base_filters if name != "sort"]
TOP_SPONSORS = 10


def data_version() -> str:
    """The key part that every cached public page and count shares."""
    return PublicVersion.current()


def cache_key(params: QueryDict) -> str:
    relevant = sorted((key, sorted(params.getlist(key))) for key in FILTERS if params.getlist(key))
    digest = hashlib.sha256(repr(relevant).encode()).hexdigest()[:32]
    return f"directory-facets:{digest}"


def facets(filtered: QuerySet[Project], *, params: QueryDict, version: str) -> tuple[dict, str]:
    """How many projects each filter value would give within the current results,
    and the total; with the data version they were counted at.

    Counted now only when these filters have no counts yet; otherwise the cached
    counts, queued for a recount if the data have changed since (see the module)."""
    key = cache_key(params)
    found = cache.get(key)
    if found is None or _age(found) >= STALE_LIMIT:
        counts = _compute_facets(filtered)
        cache.set(key, _entry(version, counts), FACET_KEEP)
        return counts, version
    if _is_fresh(found, version):
        return found["counts"], found["version"]
    if cache.add(f"{key}:refreshing", 1, REFRESH_LOCK_TIMEOUT):
        refresh_facets.enqueue(_relevant_params(params))
        # With the immediate backend (development, tests) the recount has just run.
        found = cache.get(key) or found
    return found["counts"], found["version"]


def _entry(version: str, counts: dict) -> dict:
    return {"version": version, "counted_at": timezone.now().timestamp(), "counts": counts}


def _age(entry: dict) -> float:
    return timezone.now().timestamp() - entry["counted_at"]


def _is_fresh(entry: dict, version: str) -> bool:
    return entry["version"] == version and _age(entry) < FACET_TIMEOUT


def _relevant_params(params: QueryDict) -> list[list[str]]:
    return [[key, value] for key in FILTERS for value in params.getlist(key)]


@task()
def refresh_facets(pairs: list[list[str]]) -> None:
    """Counts the facets of one set of filters again, at the current data version.

    The version is read before counting: a change made during the count leaves the
    new entry stale, and the next visitor queues another count."""
    params = QueryDict(mutable=True)
    for key, value in pairs:
        params.appendlist(key, value)
    key = cache_key(params)
    try:
        version = data_version()
        filtered = ProjectFilter(params, queryset=Project.objects.public()).qs
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # In the background: one core for the count, the others for visitors.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            counts = _compute_facets(filtered)
        cache.set(key, _entry(version, counts), FACET_KEEP)
    finally:
        cache.delete(f"{key}:refreshing")


def _compute_facets(filtered: QuerySet[Project]) -> dict:
    ids = filtered.order_by().values("pk")
    # One grouped query gives the total and the status and year facets.
    by_status: Counter[str] = Counter()
    by_year: Counter[int] = Counter()
    total = 0
    for row in (
        filtered.order_by()
        .values("status", "submitted_on__year")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        total += row["n"]
        by_status[row["status"]] += row["n"]
        by_year[row["submitted_on__year"]] += row["n"]
    # Every theme, base and programme with its count, zero included, names with them.
    themes = Theme.objects.annotate(n=Count("projects", filter=Q(projects__in=ids)))
    bases = Base.objects.annotate(n=Count("requests", filter=Q(requests__project__in=ids)))
    programmes = Programme.objects.annotate(n=Count("projects", filter=Q(projects__in=ids)))
    sponsors = (
        filtered.order_by()
        .values_list("sponsor__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "sponsor__name")[:TOP_SPONSORS]
    )
    return {
        "total": total,
        "status": dict(by_status),
        "year": dict(sorted(by_year.items(), reverse=True)),
        "theme": list(themes.order_by("name").values_list("slug", "name", "n")),
        "base": list(bases.order_by("acronym").values_list("slug", "acronym", "n")),
        "programme": list(programmes.order_by("name").values_list("slug", "name", "n")),
        "sponsor": [(name, n) for name, n in sponsors if name],
    }


def page_rows(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """The rows as the public sees them; with the authorisation, without which no
    row calls a project authorised (`Project.public_status_label`)."""
    return queryset.select_related("sponsor", "programme", "authorisation").prefetch_related(
        "themes",
        Prefetch("requested_bases", queryset=RequestedBase.objects.select_related("base")),
    )
