"""The public side of projects: the directory, each project's public page, the
yearly statistics and the review's processing times."""

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from catalog.models import Milestone
from projects import clocks, results, statistics
from projects.filters import PUBLIC_STATES, ProjectFilter
from projects.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Project,
    Result,
    ReviewState,
)
from projects.public import directory
from projects.public.directory import data_version

PAGE_SIZE = 20


# The same URL gives the whole page or, to htmx, the fragment (hx-push-url puts the
# fragment's URL in the history): without Vary, going back to it from another page
# could show the fragment from the browser's cache, bare, without the layout.
@vary_on_headers("HX-Request")
def project_directory(request):
    version = directory.data_version()
    filterset = ProjectFilter(request.GET, queryset=Project.objects.public())
    if filterset.form.errors:
        messages.warning(request, _("Some filters were not understood and are ignored."))
    filtered = filterset.qs
    counts, counted_at = directory.facets(filtered, params=request.GET, version=version)
    known = {name: {slug: slug for slug, *_rest in counts[name]} for name in SLUG_FACETS}
    tell_unknown(request, filterset.form, known)
    _label_choices(filterset.form, counts)

    page = paginate(
        request, directory.page_rows(filterset.ordered(filtered)), count=counts["total"]
    )
    context = {
        "version": version,
        "counted_at": counted_at,
        "filter": filterset,
        "page": page,
        "total": counts["total"],
        "sponsors": counts["sponsor"],
        "query_without_page": without(request.GET, "page"),
    }
    template = "projects/directory.html"
    if request.htmx:
        template += "#directory"
    return render(request, template, context)


# The facets whose values are slugs of the database: every one comes with its count.
SLUG_FACETS = ["theme", "base", "programme"]


def _label_choices(form, counts: dict) -> None:
    """Each facet's values, with how many projects each would give."""

    chosen_bases = form.data.getlist("base")
    form.fields["theme"].choices = [
        (slug, counted(name, n)) for slug, name, n in directory.named(counts["theme"])
    ]
    form.fields["base"].choices = [
        (slug, counted(acronym, n))
        for slug, acronym, n in counts["base"]
        if n or slug in chosen_bases
    ]
    form.fields["programme"].widget.choices = [("", _("Any programme"))] + [
        (slug, counted(name, n)) for slug, name, n in directory.named(counts["programme"])
    ]
    form.fields["status"].choices = [("", _("Any status"))] + [
        (value, counted(name, counts["status"].get(value, 0))) for value, name in PUBLIC_STATES
    ]
    # Counts kept from before a facet existed have none: zeros until recounted.
    by_kind = counts.get("kind", {})
    form.fields["kind"].choices = [("", _("Any kind"))] + [
        (value, counted(name, by_kind.get(value, 0))) for value, name in Project.Kind.choices
    ]
    # Counts kept from before the results facet existed have none: zeros until recounted.
    by_results = counts.get("results", {})
    form.fields["results"].choices = [("", _("Any results state"))] + [
        (value, counted(name, by_results.get(value, 0)))
        for value, name in results.ResultsState.choices
    ]
    form.fields["year"].widget.choices = [("", _("Any year"))] + [
        (year, counted(year, n)) for year, n in counts["year"].items() if year
    ]


def counted(name, n: int) -> str:
    """A filter value with how many projects it would give: « Cancer (1 204) »."""
    return f"{name} ({formats.number_format(n, force_grouping=True)})"


def tell_unknown(request, form, known: dict[str, dict[str, str]]) -> None:
    """A value that nothing can have (a mistyped or stale link) matches nothing: the
    page says so rather than showing an empty list without a word. `known` gives, per
    filter, the values it may take."""
    for name, values in known.items():
        if name in form.errors:  # not understood at all: the form's own message says so
            continue
        for value in form.data.getlist(name):
            if value and value not in values:
                messages.warning(
                    request,
                    _("“%(value)s” is not a value of the filter “%(filter)s”: nothing matches it.")
                    % {"value": value, "filter": form.fields[name].label},
                )


def paginate(request, rows, *, count: int):
    """The page asked for (`?page=`) of `rows`, whose number is already known (no second
    COUNT(*)); a page that does not exist gives the nearest one, with a message."""
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = count
    page_number = request.GET.get("page") or 1
    page = paginator.get_page(page_number)
    if str(page.number) != str(page_number):
        messages.info(
            request,
            _("There is no page %(asked)s: here is page %(page)s of %(pages)s.")
            % {"asked": page_number, "page": page.number, "pages": paginator.num_pages},
        )
    return page


def without(params, key: str) -> str:
    """The query string without one parameter (the page, for the pagination's links)."""
    copy = params.copy()
    copy.pop(key, None)
    return copy.urlencode()


def project_public(request, reference: str):
    project = get_object_or_404(
        directory.page_rows(Project.objects.public()).select_related("opinion"),
        reference=reference,
    )
    events = project.events.filter(visibility="public").order_by("at", "pk")
    return render(
        request,
        "projects/project_public.html",
        {
            "project": project,
            "events": events,
            "outputs": project.outputs.filter(state=ReviewState.PUBLISHED),
            "results_due_on": results.due_on(project.completed_on),
            "results_due_months": settings.RESULTS_DUE_MONTHS,
            "results_state": results.state_of(project, today=clocks.hub_today()),
        },
    )


def result_file(request, reference: str, result_id: int):
    """A published report's PDF: nothing else of a result is ever served here."""
    result = get_object_or_404(
        Result.objects.select_related("project").filter(
            project__in=Project.objects.public(), state=ReviewState.PUBLISHED
        ),
        project__reference=reference,
        pk=result_id,
    )
    return results.report_response(result)


def stats(request, year: int | None = None):
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    # The figures change only when the public data do, or the day (the results
    # overdue of the year running, the year `/stats/` opens on): kept until then
    # (catalog milestones, edited more rarely, show within STATS_TIMEOUT).
    today = clocks.hub_today()
    version = data_version()
    key = f"stats-page:{year}:{directory.counts_version(version, today)}:{get_language()}"
    context = cache.get(key)
    if context is None:
        context = _stats_context(year, version=version, today=today)
        cache.set(key, context, STATS_TIMEOUT)
    return render(request, "portal/stats.html", context)


STATS_TIMEOUT = 300


def _stats_context(year: int | None, *, version: str, today: date) -> dict[str, Any]:
    trend = statistics.published_trend(version)
    years = statistics.years_to_show(trend)
    if year is None:
        year = statistics.default_year(years, today=today)
    figures = statistics.year_figures(year, today=today) if year else None
    context: dict[str, Any] = {
        "year": year,
        "figures": figures,
        "years": years,
        "today": today,
        "trend": statistics.trend_chart(trend, today=today),
    }
    if figures:
        names = statistics.names()
        context |= {
            "theme_bars": statistics.bars(figures["themes"], names["themes"]),
            "programme_bars": statistics.bars(figures["programmes"], names["programmes"]),
            "catalog": [
                {"kind": kind, "label": str(label), "count": figures["catalog"][kind]}
                for kind, label in Milestone.Kind.choices
            ],
            "median_days": statistics.median_days_to_authorisation(figures["year"]),
            "as_of": date.fromisoformat(figures["as_of"]),
            # The year still running counts its results overdue as of today.
            "results_as_of_today": figures["year"] >= today.year,
            "results_due_months": settings.RESULTS_DUE_MONTHS,
        }
    return context


def stats_json(request, year: int):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    return JsonResponse(statistics.year_figures(year), json_dumps_params={"ensure_ascii": False})


def stats_processing(request):
    published = _processing_times()
    context = {
        "published": published,
        "stages": statistics.processing_stages(published),
        "time_zone": settings.TIME_ZONE,
    }
    return render(request, "portal/stats_processing.html", context)


def stats_processing_json(request):
    return JsonResponse(_processing_times(), json_dumps_params={"ensure_ascii": False})


def _processing_times() -> dict:
    """The published figures (`statistics.published_processing_times`): one entry
    serves the page, in any language, and the JSON."""
    return statistics.published_processing_times()
