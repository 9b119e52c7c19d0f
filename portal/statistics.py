"""Figures the hub publishes. Reads only; every figure comes from a query."""

from django.db.models import Count
from django.db.models.functions import ExtractYear

from catalog.models import Milestone, MilestoneQuerySet


def milestone_summary(milestones: MilestoneQuerySet) -> list[dict]:
    """Each milestone kind in onboarding order with the number of bases that reached it."""
    counts = milestones.counts_by_kind()
    return [
        {"kind": kind, "label": label, "count": counts[kind]}
        for kind, label in Milestone.Kind.choices
    ]


def milestones_per_year() -> list[dict]:
    """One row per year with a milestone: how many bases reached each kind that year."""
    rows = (
        Milestone.objects.annotate(year=ExtractYear("reached_on"))
        .values("year", "kind")
        .annotate(total=Count("id"))
        .order_by("-year")
    )
    years: dict[int, dict[str, int]] = {}
    for row in rows:
        years.setdefault(row["year"], dict.fromkeys(Milestone.Kind.values, 0))[row["kind"]] = row[
            "total"
        ]
    return [
        {"year": year, "counts": [counts[kind] for kind in Milestone.Kind.values]}
        for year, counts in years.items()
    ]
