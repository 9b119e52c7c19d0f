"""Reads for the public directory: the filtered page, and facet counts that stay cheap.

Counting 100,000 rows and six facets on every request is what makes such a page
slow. The counts depend only on the filters and on the data, so they are cached
under a key made of the normalised filters and the version of the public data (one
row read by its key: `PublicVersion`). Every change the public can see moves that
version on in its own transaction, so a cached figure is never stale; a change it
cannot see (a draft saved, a message, a note, a private file) keeps every entry.

A visitor's whole rendered page is kept the same way (the view fills in its
CSRF token and CSP nonce), so a page seen again costs that one query. What a
project's row shows of other records (a sponsor's, theme's or base's name) can
lag a rename by at most FACET_TIMEOUT, as the facet names already do.
"""

import hashlib
from collections import Counter

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import QueryDict

from catalog.models import Base
from projects.models import Programme, Project, PublicVersion, RequestedBase, Theme
from projects.public.filters import ProjectFilter

FACET_TIMEOUT = 600
# The parameters that change which projects are counted (not the order, not the page).
FILTERS = [name for name in ProjectFilter.base_filters if name != "sort"]
TOP_SPONSORS = 10


def data_version() -> str:
    """The key part that every cached public page and count shares."""
    found = PublicVersion.objects.filter(pk=1).values_list("number", "changed_at").first()
    if found is None:
        return "0"
    number, changed_at = found
    return f"{number}:{changed_at.isoformat()}"


def cache_key(params: QueryDict, version: str) -> str:
    relevant = sorted((key, sorted(params.getlist(key))) for key in FILTERS if params.getlist(key))
    digest = hashlib.sha256(repr((relevant, version)).encode()).hexdigest()[:32]
    return f"directory-facets:{digest}"


def facets(filtered: QuerySet[Project], *, params: QueryDict, version: str) -> dict:
    """How many projects each filter value would give within the current results,
    and the total; from the cache when nothing changed since it was computed."""
    key = cache_key(params, version)
    found = cache.get(key)
    if found is None:
        found = _compute_facets(filtered)
        cache.set(key, found, FACET_TIMEOUT)
    return found


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
