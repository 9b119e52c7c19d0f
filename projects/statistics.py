"""Figures the hub publishes each year. Reads only; every figure comes from a query,
so the statistics of any year can be reproduced from the projects the portal holds.
The processing times come from the audit trail (`projects.processing`)."""

import functools
import statistics as stats
from dataclasses import asdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Count, F, FilteredRelation, Max, Q, Value
from django.db.models.functions import ExtractYear
from django.tasks import task

from catalog.models import Milestone
from projects import clocks, processing, refreshing, results
from projects.models import (
    MEASURED_LABELS,
    Programme,
    Project,
    PublicVersion,
    ReviewDeadlines,
    Status,
    Theme,
)


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


def year_figures(year: int, *, today: date | None = None) -> dict:
    """The year's figures in the published JSON shape: every theme and programme slug
    present, zero included. The results overdue of the year still running are those
    of `today` (the hub's day by default): whoever keeps them keeps them for the day."""
    today = today or clocks.hub_today()
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
    # Five counts in one query, each over its own index: the first three index-only
    # over their date, the results' over the projects that have a results state.
    totals = dict(
        _count("launched", launched_on__year=year)
        .union(
            _count("submitted", submitted_on__year=year),
            _count("authorised", authorised_on__year=year),
            _count("results_published", PUBLIC, results.published_in(year)),
            _count("results_overdue", PUBLIC, results.overdue_at_end_of(year, today=today)),
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
        "results_published": totals["results_published"],
        "results_overdue": totals["results_overdue"],
    }


# Every project with results is public; said so, the results' counts read their index.
PUBLIC = ~Q(status=Status.DRAFT) & ~Q(reference="")


def _count(key: str, *conditions: Q, **lookups):
    return (
        Project.objects.filter(*conditions, **lookups)
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


# The processing times are kept until the public data or the deadlines change, five
# minutes at most; computing them again (a second or so at 100,000 files) is left to
# the task worker while the previous figures are served (`projects.refreshing`).
PROCESSING_KEY = "stats-processing"
PROCESSING_FRESH_FOR = 300
PROCESSING_STALE_LIMIT = 2 * PROCESSING_FRESH_FOR
PROCESSING_KEEP = 24 * 3600


def published_processing_times() -> dict:
    deadlines = ReviewDeadlines.load()
    figures, _version = refreshing.read(
        PROCESSING_KEY,
        version=_processing_version(deadlines),
        compute=lambda: processing_times(deadlines),
        refresh=refresh_processing_times,
        fresh_for=PROCESSING_FRESH_FOR,
        stale_limit=PROCESSING_STALE_LIMIT,
        keep=PROCESSING_KEEP,
    )
    return figures


def _processing_version(deadlines: ReviewDeadlines) -> str:
    """Every transition of a public project and every extension moves the public
    data version; the hub's deadlines change the shares within them."""
    return f"{PublicVersion.current()}|{deadlines.updated_at.isoformat()}"


@task()
def refresh_processing_times() -> None:
    deadlines = ReviewDeadlines.load()
    refreshing.store(
        PROCESSING_KEY,
        version=_processing_version(deadlines),
        compute=lambda: processing_times(deadlines),
        keep=PROCESSING_KEEP,
    )


def processing_times(deadlines: ReviewDeadlines) -> dict:
    """The processing times in the published JSON shape: the hub's deadlines, then each
    year in which a stage ended, latest first, with every stage and the overall
    decision present (0 files, and null figures, when none ended)."""
    return {
        "deadlines": asdict(deadlines.rules()),
        "years": [
            {
                "year": row["year"],
                "stages": {str(stage): _published(found) for stage, found in row["stages"].items()},
            }
            for row in processing.by_year(processing.read_trail())
        ],
    }


def _published(found: processing.Figures) -> dict:
    share = found.share_within
    median = found.median
    return {
        "files": found.count,
        # A whole number of days, or a half between two: 27, never 27.0.
        "median_days": int(median) if median is not None and median.is_integer() else median,
        "p90_days": found.p90,
        "share_within_deadline": None if share is None else round(share, 4),
    }


# The chart of each stage, in SVG user units: a column for the years, then the bars.
CHART_WIDTH, YEAR_COLUMN, BAR_SPACE = 480, 48, 360
LEGEND_HEIGHT, ROW_HEIGHT, BAR_HEIGHT = 30, 40, 14


def processing_stages(published: dict) -> list[dict]:
    """What the page shows of each stage, from the published figures: its label and
    deadline, a row per year for the table, and the chart's geometry."""
    rules = clocks.Deadlines(**published["deadlines"])
    deadlines: dict[str, dict] = {
        clocks.Stage.ADMISSIBILITY: {"days": rules.admissibility_days},
        clocks.Stage.OPINION: {"months": rules.opinion_months},
        clocks.Stage.AUTHORISATION: {
            "months": rules.authorisation_months,
            "extension_months": rules.authorisation_extension_months,
        },
        clocks.DECISION: {
            "months": rules.decision_months,
            "extension_months": rules.decision_extension_months,
        },
    }
    stages = []
    for stage in processing.MEASURED:
        deadline = deadlines[stage]
        if "days" in deadline:
            deadline["shortest"] = deadline["longest"] = deadline["days"]
        else:
            deadline["shortest"], deadline["longest"] = month_span(deadline["months"])
        rows = [_table_row(year["year"], year["stages"][str(stage)]) for year in published["years"]]
        stages.append(
            {
                "key": str(stage),
                "label": MEASURED_LABELS[stage],
                "deadline": deadline,
                "rows": rows,
                "latest": next((row for row in rows if row["files"]), None),
                "chart": _chart(rows, deadline),
            }
        )
    return stages


def _table_row(year: int, figures: dict) -> dict:
    share = figures["share_within_deadline"]
    return {
        "year": year,
        "files": figures["files"],
        "median": figures["median_days"],
        "p90": figures["p90_days"],
        # Rounded half up: 62.5 % shows as 63 %.
        "percent": None if share is None else int(share * 100 + 0.5),
    }


def _chart(rows: list[dict], deadline: dict) -> dict:
    """Per year, the median and the 90th percentile as two bars on one scale, and the
    deadline (without extension) as a line, with a band from its shortest to its
    longest length when it counts in months. Whole units: a template would write a
    decimal number the French way, which SVG does not read."""
    longest = max([deadline["longest"], *(row["p90"] or 0 for row in rows)])
    scale = BAR_SPACE / longest

    def width(days: float) -> int:
        return round(days * scale)

    bars = []
    for index, row in enumerate(rows):
        top = LEGEND_HEIGHT + index * ROW_HEIGHT
        bar = {"year": row["year"], "y": top, "files": row["files"]}
        if row["files"]:
            bar |= {
                "median": row["median"],
                "median_width": width(row["median"]),
                "median_end": YEAR_COLUMN + width(row["median"]),
                "p90": row["p90"],
                "p90_width": width(row["p90"]),
                "p90_end": YEAR_COLUMN + width(row["p90"]),
                "p90_y": top + BAR_HEIGHT + 2,
            }
        bars.append(bar)
    shortest, longest = width(deadline["shortest"]), width(deadline["longest"])
    return {
        "width": CHART_WIDTH,
        "height": LEGEND_HEIGHT + len(rows) * ROW_HEIGHT,
        "origin": YEAR_COLUMN,
        "top": LEGEND_HEIGHT,
        "plot_height": len(rows) * ROW_HEIGHT,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
        "deadline_from": YEAR_COLUMN + shortest,
        "deadline_at": YEAR_COLUMN + longest,
        "band_width": longest - shortest,
    }


@functools.cache
def month_span(months: int) -> tuple[int, int]:
    """The fewest and the most days `months` calendar months last, by the clocks' rule
    (month ends clamped): 28 to 31 days for one month, 89 to 92 for three."""
    start = date(2024, 1, 1)  # four years: every month length, 29 February included
    lengths = {
        (day + relativedelta(months=months) - day).days
        for day in (start + timedelta(days=n) for n in range(4 * 365 + 1))
    }
    return min(lengths), max(lengths)
