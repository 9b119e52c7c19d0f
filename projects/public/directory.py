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

The results facet's due and overdue move with the day alone (a due date passes
overnight): the counts are kept at the data version and the hub's day
(`counts_version`), so the first visitor of a new day is served yesterday's counts
while they are counted again, as after a change of the data.
"""

import hashlib
from collections import Counter
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.tasks import task
from django.utils.translation import get_language

from catalog.models import Base
from projects import clocks, refreshing
from projects.filters import ProjectFilter
from projects.models import (
    Programme,
    Project,
    PublicVersion,
    RequestedBase,
    Theme,
    in_reader_language,
)
from projects.results import HAS_RESULTS_STATE, ResultsState, state_q

FACET_TIMEOUT = 600
# Counts are kept this long, stale or not, so that a visitor is served them while
# they are counted again.
FACET_KEEP = 24 * 3600
# Counts this old are never served, fresh or not: the visitor counts. With a task
# worker running they never get there; without one, counts lag by this at most.
STALE_LIMIT = 2 * FACET_TIMEOUT
# The parameters that change which projects are counted (not the order, not the page).
FILTERS = [name for name in ProjectFilter.base_filters if name != "sort"]
TOP_SPONSORS = 10


def data_version() -> str:
    """The key part that every cached public page and count shares."""
    return PublicVersion.current()


def counts_version(version: str, today: date) -> str:
    """What the counts are kept at: the public data's version and the hub's day."""
    return f"{version}|{today.isoformat()}"


def cache_key(params: QueryDict, *, names=FILTERS, prefix: str = "directory-facets") -> str:
    """The cache key of counts under these filters: the same whatever their order."""
    relevant = sorted((key, sorted(params.getlist(key))) for key in names if params.getlist(key))
    digest = hashlib.sha256(repr(relevant).encode()).hexdigest()[:32]
    return f"{prefix}:{digest}"


def facets(filtered: QuerySet[Project], *, params: QueryDict, version: str) -> tuple[dict, str]:
    """How many projects each filter value would give within the current results,
    and the total; with the data version they were counted at.

    Counted now only when these filters have no counts yet; otherwise the cached
    counts, queued for a recount if the data or the day have changed since (see the
    module)."""
    today = clocks.hub_today()
    return refreshing.read(
        cache_key(params),
        version=counts_version(version, today),
        compute=lambda: _compute_facets(filtered, today=today),
        refresh=refresh_facets,
        args=(_relevant_params(params),),
        fresh_for=FACET_TIMEOUT,
        stale_limit=STALE_LIMIT,
        keep=FACET_KEEP,
    )


def _relevant_params(params: QueryDict) -> list[list[str]]:
    return [[key, value] for key in FILTERS for value in params.getlist(key)]


@task()
def refresh_facets(pairs: list[list[str]]) -> None:
    """Counts the facets of one set of filters again, at the current data version."""
    params = QueryDict(mutable=True)
    for key, value in pairs:
        params.appendlist(key, value)
    filtered = ProjectFilter(params, queryset=Project.objects.public()).qs
    today = clocks.hub_today()
    refreshing.store(
        cache_key(params),
        version=counts_version(data_version(), today),
        compute=lambda: _in_background(lambda: _compute_facets(filtered, today=today)),
        keep=FACET_KEEP,
    )


def _in_background[T](compute: Callable[[], T]) -> T:
    """Runs `compute` on one core: the others are for the visitors."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return compute()


def _compute_facets(filtered: QuerySet[Project], *, today: date) -> dict:
    ids = filtered.order_by().values("pk")
    # One grouped query gives the total and the status, kind and year facets.
    by_status: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_year: Counter[int] = Counter()
    total = 0
    for row in (
        filtered.order_by()
        .values("status", "kind", "submitted_on__year")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        total += row["n"]
        by_status[row["status"]] += row["n"]
        by_kind[row["kind"]] += row["n"]
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
    results = (
        filtered.order_by()
        .filter(HAS_RESULTS_STATE)
        .aggregate(
            **{
                state: Count("pk", filter=state_q(state, today=today))
                for state in ResultsState.labels
            }
        )
    )
    return {
        "total": total,
        "status": dict(by_status),
        "kind": dict(by_kind),
        "results": results,
        "year": dict(sorted(by_year.items(), reverse=True)),
        # The English name after the count: rows kept from before it have none.
        "theme": list(themes.order_by("name").values_list("slug", "name", "n", "name_en")),
        "base": list(bases.order_by("acronym").values_list("slug", "acronym", "n")),
        "programme": list(programmes.order_by("name").values_list("slug", "name", "n", "name_en")),
        "sponsor": [(name, n) for name, n in sponsors if name],
    }


def named(rows: list[tuple]) -> list[tuple[str, str, int]]:
    """A theme or programme facet as (slug, name, count), its name in the reader's
    language: the counts hold both names, and are the same in every language."""
    facet = [
        (slug, in_reader_language(name, english[0] if english else ""), n)
        for slug, name, n, *english in rows
    ]
    if not (get_language() or "").startswith(settings.LANGUAGE_CODE):
        facet.sort(key=lambda row: row[1].casefold())  # counted in the French names' order
    return facet


def page_rows(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """The rows as the public sees them; with the authorisation, without which no
    row calls a project authorised (`Project.public_status_label`)."""
    return queryset.select_related("sponsor", "programme", "authorisation").prefetch_related(
        "themes",
        Prefetch("requested_bases", queryset=RequestedBase.objects.select_related("base")),
    )
