"""Figures the hub publishes each year. Reads only; every figure comes from a query,
so the statistics of any year can be reproduced from the projects the portal holds."""

import statistics as stats

from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractYear

from catalog.models import Milestone, MilestoneQuerySet
from projects.models import Programme, Project, Theme


def milestone_summary(milestones: MilestoneQuerySet) -> list[dict]:
    """Each milestone kind in onboarding order with the number of bases that reached it."""
    counts = milestones.counts_by_kind()
    return [
        {"kind": kind, "label": label, "count": counts[kind]}
        for kind, label in Milestone.Kind.choices
    ]


def latest_year() -> int | None:
    """The latest year in which a project was launched, submitted, or a milestone reached."""
    projects = Project.objects.aggregate(launched=Max("launched_on"), submitted=Max("submitted_on"))
    milestone = Milestone.objects.aggregate(reached=Max("reached_on"))["reached"]
    days = [day for day in (*projects.values(), milestone) if day]
    return max(days).year if days else None


def years_with_data() -> list[int]:
    years = set(
        Project.objects.filter(submitted_on__isnull=False)
        .annotate(y=ExtractYear("submitted_on"))
        .values_list("y", flat=True)
        .distinct()
    )
    years |= set(
        Milestone.objects.annotate(y=ExtractYear("reached_on"))
        .values_list("y", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


def year_figures(year: int) -> dict:
    """The year's figures in the published JSON shape: every theme and programme slug
    present, zero included."""
    launched = Project.objects.filter(launched_on__year=year)
    themes = dict.fromkeys(Theme.objects.order_by("slug").values_list("slug", flat=True), 0)
    themes.update(
        Theme.objects.filter(projects__launched_on__year=year)
        .values_list("slug")
        .annotate(n=Count("projects"))
        .order_by()
    )
    programmes = dict.fromkeys(Programme.objects.order_by("slug").values_list("slug", flat=True), 0)
    programmes.update(
        launched.filter(programme__isnull=False)
        .values_list("programme__slug")
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals = Project.objects.aggregate(
        launched=Count("pk", filter=Q(launched_on__year=year)),
        submitted=Count("pk", filter=Q(submitted_on__year=year)),
        authorised=Count("pk", filter=Q(authorised_on__year=year)),
    )
    return {
        "year": year,
        "projects_launched": totals["launched"],
        "themes": themes,
        "programmes": programmes,
        "submitted": totals["submitted"],
        "authorised": totals["authorised"],
        "catalog": Milestone.objects.reached_in(year).counts_by_kind(),
    }


def median_days_to_authorisation(year: int) -> float | None:
    """Median days from first submission to authorisation, for projects authorised in the year."""
    pairs = Project.objects.filter(
        authorised_on__year=year, submitted_on__isnull=False
    ).values_list("submitted_on", "authorised_on")
    days = [(authorised - submitted).days for submitted, authorised in pairs]
    return stats.median(days) if days else None


def bars(counts: dict, labels: dict) -> list[dict]:
    """Rows for a bar chart: label, value and width as a share of the largest value."""
    largest = max(counts.values(), default=0) or 1
    rows = [
        {"key": key, "label": labels.get(key, key), "value": value, "share": value / largest}
        for key, value in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row["value"], str(row["label"])))
