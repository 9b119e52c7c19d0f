import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from catalog.models import Base, Milestone
from portal import statistics

logger = logging.getLogger(__name__)


def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "base_total": Base.objects.count(),
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


def stats(request):
    return render(
        request,
        "portal/stats.html",
        {"milestone_years": statistics.milestones_per_year()},
    )
