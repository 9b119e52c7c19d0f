import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from catalog.models import Base, Milestone
from projects.models import Project

logger = logging.getLogger(__name__)


def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "base_total": Base.objects.count(),
            "project_total": Project.objects.public().count(),
            "milestone_counts": Milestone.objects.summary(),
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


def privacy(request):
    """What the portal keeps about people, why, for how long, and whom to ask."""
    return render(request, "portal/privacy.html", {"dpo_email": settings.DPO_EMAIL})


def terms(request):
    return render(request, "portal/terms.html", {"dpo_email": settings.DPO_EMAIL})


def legal(request):
    """The legal notice: who publishes the portal, who directs the publication, who
    hosts it (settings `LEGAL_*`)."""
    return render(
        request,
        "portal/legal.html",
        {
            "publisher": settings.LEGAL_PUBLISHER,
            "director": settings.LEGAL_DIRECTOR,
            "host": settings.LEGAL_HOST,
            "dpo_email": settings.DPO_EMAIL,
        },
    )


def accessibility(request):
    """The accessibility statement (RGAA): the level reached, how it was tested, what is
    not accessible yet, and how to report a barrier."""
    return render(
        request, "portal/accessibility.html", {"contact_email": settings.ACCESSIBILITY_EMAIL}
    )


def favicon(request):
    """Browsers and bots ask for /favicon.ico without reading the page's icon link. A
    permanent redirect is kept for good: to the icon's unhashed name, which stays (a
    hashed one goes with the next change of the icon)."""
    return redirect(settings.STATIC_URL + "favicon.svg", permanent=True)
