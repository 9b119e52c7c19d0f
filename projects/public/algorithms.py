"""The open library of health algorithms (Bibliothèque Ouverte d'Algorithmes en Santé,
BOAS) under /algorithms/ (namespace "algorithms"): the algorithms whose card the hub
has published, searchable and filterable, and each card with its published versions.
A version awaiting the hub's review or refused is never shown; an algorithm without a
published version is a 404."""

from collections import Counter
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog.models import Base
from projects.filters import PUBLIC_STATES, AlgorithmFilter
from projects.models import Algorithm, AlgorithmVersion, Theme
from projects.public.directory import cache_key, data_version, named
from projects.public.views import counted, paginate, tell_unknown, without


def algorithm_list(request):
    filterset = AlgorithmFilter(request.GET, queryset=Algorithm.objects.published())
    for name, errors in filterset.form.errors.items():
        messages.warning(
            request,
            _("Filter “%(filter)s” not understood, ignored: %(error)s")
            % {"filter": filterset.form.fields[name].label, "error": " ".join(errors)},
        )
    version = data_version()
    known = _known_values(version)
    tell_unknown(request, filterset.form, known)
    filtered = filterset.qs
    counts = cached_facets(filtered, params=request.GET, version=version)
    _label_choices(filterset.form, known, counts)
    page = paginate(request, filterset.ordered(filtered).as_cards(), count=counts["total"])
    context = {
        "filter": filterset,
        "page": page,
        "total": counts["total"],
        "query_without_page": without(request.GET, "page"),
        "version": version,
    }
    return render(request, "projects/algorithms/library.html", context)


# The library changes only when the hub publishes (the public data version moves on):
# its counts and values are kept under that version, an hour at most.
CACHE_TIMEOUT = 3600
FILTERS = list(AlgorithmFilter.base_filters)


def _known_values(version: str) -> dict[str, dict[str, str]]:
    """The values each facet may take, with their names: every theme and base, and the
    licences of the published algorithms."""
    key = f"algorithm-values:{version}:{get_language()}"
    known = cache.get(key)
    if known is None:
        licences = (
            Algorithm.objects.published()
            .order_by("current__licence")
            .values_list("current__licence", flat=True)
            .distinct()
        )
        known = {
            # In the reader's language and order, as the directory's facet.
            "theme": {
                slug: name
                for slug, name, _n in named(
                    [
                        (slug, name, 0, english)
                        for slug, name, english in Theme.objects.values_list(
                            "slug", "name", "name_en"
                        ).order_by("name")
                    ]
                )
            },
            "base": dict(Base.objects.order_by("acronym").values_list("slug", "acronym")),
            "licence": {licence: licence for licence in licences},
        }
        cache.set(key, known, CACHE_TIMEOUT)
    return known


def cached_facets(filtered: QuerySet[Algorithm], *, params: QueryDict, version: str) -> dict:
    """`facets` of these filters, as counted at this version of the public data."""
    key = f"{cache_key(params, names=FILTERS, prefix='algorithm-facets')}:{version}"
    counts = cache.get(key)
    if counts is None:
        counts = facets(filtered)
        cache.set(key, counts, CACHE_TIMEOUT)
    return counts


def facets(filtered: QuerySet[Algorithm]) -> dict:
    """How many algorithms each filter value would give within the current results, and
    the total: three grouped queries whatever the number of algorithms."""
    within = Algorithm.objects.filter(pk__in=filtered.order_by().values("pk")).order_by()
    total = 0
    by_licence: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for row in within.values("current__licence", "project__status").annotate(n=Count("pk")):
        total += row["n"]
        by_licence[row["current__licence"]] += row["n"]
        by_status[row["project__status"]] += row["n"]
    return {
        "total": total,
        "licence": by_licence,
        "status": by_status,
        "theme": Counter(dict(within.values_list("project__themes__slug").annotate(Count("pk")))),
        "base": Counter(dict(within.values_list("current__bases__slug").annotate(Count("pk")))),
    }


def _label_choices(form, known: dict[str, dict[str, str]], counts: dict) -> None:
    """Each facet's values that give something within the results, or that are chosen,
    with how many algorithms each would give."""

    def offered(name: str, values) -> list[tuple[str, str]]:
        chosen = set(form.data.getlist(name))
        return [
            (value, counted(label, counts[name][value]))
            for value, label in values
            if counts[name][value] or value in chosen
        ]

    form.fields["theme"].choices = offered("theme", known["theme"].items())
    form.fields["base"].choices = offered("base", known["base"].items())
    form.fields["licence"].widget.choices = [("", _("Any licence"))] + offered(
        "licence", known["licence"].items()
    )
    form.fields["status"].choices = [("", _("Any status"))] + offered("status", PUBLIC_STATES)


def _published(slug: str) -> Algorithm:
    return get_object_or_404(
        Algorithm.objects.published().select_related(
            "project", "project__sponsor", "project__authorisation"
        ),
        slug=slug,
    )


def algorithm_detail(request, slug: str):
    return _card_page(request, slug, lambda version: version.pk == version.algorithm.current_id)


def algorithm_version(request, slug: str, version: str):
    """A published version, the current one or an earlier one, with the same history."""
    return _card_page(request, slug, lambda found: found.version == version)


def _card_page(request, slug: str, shows: Callable[[AlgorithmVersion], bool]):
    algorithm = _published(slug)
    # Read through the algorithm: each version knows it, no query to read it back.
    versions = list(algorithm.versions.published())
    card = next((version for version in versions if shows(version)), None)
    if card is None:
        raise Http404
    card.shown_bases = list(card.bases.order_by("acronym"))
    context = {"algorithm": algorithm, "card": card, "versions": versions}
    return render(request, "projects/algorithms/algorithm.html", context)
