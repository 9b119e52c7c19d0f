import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from catalog.models import Base, Milestone
from portal import statistics
from projects.directory import data_version
from projects.models import Programme, Project, Theme

logger = logging.getLogger(__name__)


def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "base_total": Base.objects.count(),
            "project_total": Project.objects.public().count(),
            "milestone_counts": statistics.milestone_summary(Milestone.objects.all()),
        },
    )


@never_cache
def healthz(request):
    """Answers 200 only after a real round trip to the database, so a load balancer
    takes an instance that cannot reach PostgreSQL out of rotation."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database cannot be reached")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def stats(request, year: int | None = None):
    if year is not None and not 2000 <= year <= 2100:
        raise Http404
    # The figures change only when a project does: kept until then (catalog
    # milestones, edited more rarely, show within STATS_TIMEOUT).
    key = f"stats-page:{year}:{data_version()}:{get_language()}"
    context = cache.get(key)
    if context is None:
        context = _stats_context(year)
        cache.set(key, context, STATS_TIMEOUT)
    return render(request, "portal/stats.html", context)


STATS_TIMEOUT = 300


def _stats_context(year: int | None) -> dict:
    if year is None:
        year = statistics.latest_year()
    figures = statistics.year_figures(year) if year else None
    context = {"year": year, "figures": figures, "years": statistics.years_with_data()}
    if figures:
        theme_names = dict(Theme.objects.values_list("slug", "name"))
        programme_names = dict(Programme.objects.values_list("slug", "name"))
        context |= {
            "theme_bars": statistics.bars(figures["themes"], theme_names),
            "programme_bars": statistics.bars(figures["programmes"], programme_names),
            "catalog": [
                {"kind": kind, "label": str(label), "count": figures["catalog"][kind]}
                for kind, label in Milestone.Kind.choices
            ],
            "median_days": statistics.median_days_to_authorisation(year),
        }
    return context


def stats_json(request, year: int):
    if not 2000 <= year <= 2100:
        raise Http404
    return JsonResponse(statistics.year_figures(year), json_dumps_params={"ensure_ascii": False})


def privacy(request):
    """What the portal keeps about people, why, for how long, and whom to ask."""
    return render(request, "portal/privacy.html", {"dpo_email": settings.DPO_EMAIL})


def terms(request):
    return render(request, "portal/terms.html", {"dpo_email": settings.DPO_EMAIL})
