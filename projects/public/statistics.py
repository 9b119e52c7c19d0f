"""Figures the hub publishes each year. Reads only; every figure comes from a query,
so the statistics of any year can be reproduced from the projects the portal holds."""

import statistics as stats

from django.db import connection
from django.db.models import Count, F, FilteredRelation, Max, Q, Value
from django.db.models.functions import ExtractYear

from catalog.models import Milestone
from projects.models import Programme, Project, Theme


def latest_year() -> int | None:
    """The latest year in which a project was launched, submitted, or a milestone reached."""
    projects = Project.objects.aggregate(launched=Max("launched_on"), submitted=Max("submitted_on"))
    milestone = Milestone.objects.aggregate(reached=Max("reached_on"))["reached"]
    days = [day for day in (*projects.values(), milestone) if day]
    return max(days).year if days else None


# A loose index scan: one probe of the submission-date index per year, instead of
# reading the submission date of every project to find the ten distinct years.
SUBMISSION_YEARS = """
WITH RECURSIVE submitted(day) AS (
  SELECT min(submitted_on) FROM projects_project
  UNION ALL
  SELECT (SELECT min(submitted_on) FROM projects_project
          WHERE submitted_on >= make_date(extract(year FROM day)::int + 1, 1, 1))
  FROM submitted WHERE day IS NOT NULL
)
SELECT extract(year FROM day)::int FROM submitted WHERE day IS NOT NULL
"""


def years_with_data() -> list[int]:
    """Every year with a submission or a milestone, latest first."""
    if connection.vendor == "postgresql":
        submitted = submission_years_by_index()
    else:  # the embedded SQLite of `make run`
        submitted = submission_years()
    return sorted(submitted | milestone_years(), reverse=True)


def submission_years_by_index() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(SUBMISSION_YEARS)
        return {year for (year,) in cursor.fetchall()}


def submission_years() -> set[int]:
    """The same years as `submission_years_by_index`, on any database."""
    return set(
        Project.objects.filter(submitted_on__isnull=False)
        .annotate(y=ExtractYear("submitted_on"))
        .values_list("y", flat=True)
        .order_by()
        .distinct()
    )


def milestone_years() -> set[int]:
    return set(
        Milestone.objects.annotate(y=ExtractYear("reached_on"))
        .values_list("y", flat=True)
        .order_by()
        .distinct()
    )


def year_figures(year: int) -> dict:
    """The year's figures in the published JSON shape: every theme and programme slug
    present, zero included."""
    # Every theme and programme, zero included, each counted in one query: the
    # year's condition is on the join, so only that year's projects are joined.
    launched = FilteredRelation("projects", condition=Q(projects__launched_on__year=year))
    themes = dict(
        Theme.objects.annotate(launched=launched)
        .annotate(n=Count("launched"))
        .order_by("slug")
        .values_list("slug", "n")
    )
    programmes = dict(
        Programme.objects.annotate(launched=launched)
        .annotate(n=Count("launched"))
        .order_by("slug")
        .values_list("slug", "n")
    )
    # Three counts in one query, each an index-only COUNT(*) over its own date index.
    totals = dict(
        _count("launched", launched_on__year=year)
        .union(
            _count("submitted", submitted_on__year=year),
            _count("authorised", authorised_on__year=year),
            all=True,
        )
        .order_by()
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


def _count(key: str, **lookups):
    return (
        Project.objects.filter(**lookups)
        .annotate(key=Value(key))
        .values("key")
        .annotate(n=Count("*"))
        .values_list("key", "n")
        .order_by()
    )


def median_days_to_authorisation(year: int) -> float | None:
    """Median days from first submission to authorisation, for projects authorised in the year."""
    delays = (
        Project.objects.filter(authorised_on__year=year, submitted_on__isnull=False)
        .annotate(delay=F("authorised_on") - F("submitted_on"))
        .values_list("delay", flat=True)
        .order_by()
    )
    days = [delay.days for delay in delays]
    return stats.median(days) if days else None


def bars(counts: dict, labels: dict) -> list[dict]:
    """Rows for a bar chart: label, value and width as a share of the largest value."""
    largest = max(counts.values(), default=0) or 1
    rows = [
        {"key": key, "label": labels.get(key, key), "value": value, "share": value / largest}
        for key, value in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row["value"], str(row["label"])))
