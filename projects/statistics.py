"""Figures the hub publishes each year. Reads only; every figure comes from a query,
so the statistics of any year can be reproduced from the projects the portal holds.
The processing times come from the audit trail (`projects.processing`)."""

import functools
import statistics as stats
from dataclasses import asdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.db.models import Count, F, FilteredRelation, Q, Value
from django.db.models.functions import ExtractYear
from django.tasks import task

from catalog.models import Milestone
from projects import clocks, processing, refreshing, results
from projects.models import (
    MEASURED_LABELS,
    PUBLIC_PROJECT,
    Programme,
    Project,
    PublicVersion,
    ReviewDeadlines,
    Theme,
    in_reader_language,
)

# The trend over the years: kept under the public data version (the dates it counts
# move only with it), an hour at most.
TREND_KEY = "stats-trend"
TREND_KEEP = 3600
TREND_SERIES = ("submitted", "authorised", "launched")


def published_trend(version: str) -> list[dict]:
    """`trend`, as kept for the public data's `version` (`PublicVersion.current`)."""
    key = f"{TREND_KEY}:{version}"
    rows = cache.get(key)
    if rows is None:
        rows = trend()
        cache.set(key, rows, TREND_KEEP)
    return rows


def trend() -> list[dict]:
    """Projects submitted, authorised and launched in each year, counted as
    `year_figures` counts them, oldest first: every year from the first with one of
    them to the last, zeros included. One query: a count per year over each date's
    index, the three put together."""
    counts = (
        _by_year("submitted", "submitted_on")
        .union(
            _by_year("authorised", "authorised_on"),
            _by_year("launched", "launched_on"),
            all=True,
        )
        .order_by()
    )
    found: dict[int, dict[str, int]] = {}
    for key, year, n in counts:
        found.setdefault(year, dict.fromkeys(TREND_SERIES, 0))[key] = n
    if not found:
        return []
    empty = dict.fromkeys(TREND_SERIES, 0)
    return [{"year": year, **found.get(year, empty)} for year in range(min(found), max(found) + 1)]


def _by_year(key: str, field: str):
    return (
        Project.objects.filter(**{f"{field}__isnull": False})
        .annotate(key=Value(key), y=ExtractYear(field))
        .values("key", "y")
        .annotate(n=Count("*"))
        .values_list("key", "y", "n")
        .order_by()
    )


def milestone_years() -> set[int]:
    return set(
        Milestone.objects.annotate(y=ExtractYear("reached_on"))
        .values_list("y", flat=True)
        .order_by()
        .distinct()
    )


def years_to_show(trend_rows: list[dict]) -> list[int]:
    """Every year with a submission, an authorisation, a launch (the rows of `trend`)
    or a catalog milestone, latest first: the years the statistics page offers."""
    counted = {row["year"] for row in trend_rows if any(row[key] for key in TREND_SERIES)}
    return sorted(counted | milestone_years(), reverse=True)


def default_year(years: list[int], *, today: date) -> int | None:
    """The year `/stats/` opens on: the last complete one (the year before `today`) when
    it has data, else the latest year with data (`years`, latest first), if any."""
    if today.year - 1 in years:
        return today.year - 1
    return years[0] if years else None


def as_of(year: int, *, today: date) -> date:
    """The day a year's figures run to: its last day, or `today` while it runs."""
    return min(date(year, 12, 31), today)


def year_figures(year: int, *, today: date | None = None) -> dict:
    """The year's figures in the published JSON shape: every theme and programme slug
    present, zero included. The results overdue of the year still running are those
    of `today` (the hub's day by default): whoever keeps them keeps them for the day,
    and the year running is said so (`year_to_date`), with the day its figures run to
    (`as_of`: `today`, or the year's last day once it is over)."""
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
    # over their date, the results' over the projects that have a results state (all
    # public; said so, their counts read the partial index of public projects).
    totals = dict(
        _count("launched", launched_on__year=year)
        .union(
            _count("submitted", submitted_on__year=year),
            _count("authorised", authorised_on__year=year),
            _count("results_published", PUBLIC_PROJECT, results.published_in(year)),
            _count("results_overdue", PUBLIC_PROJECT, results.overdue_at_end_of(year, today=today)),
            all=True,
        )
        .order_by()
    )
    return {
        "year": year,
        "year_to_date": year == today.year,
        "as_of": as_of(year, today=today).isoformat(),
        "projects_launched": totals["launched"],
        "themes": themes,
        "programmes": programmes,
        "submitted": totals["submitted"],
        "authorised": totals["authorised"],
        "catalog": Milestone.objects.reached_in(year).counts_by_kind(),
        "results_published": totals["results_published"],
        "results_overdue": totals["results_overdue"],
    }


def _count(key: str, *conditions: Q, **lookups):
    return (
        Project.objects.filter(*conditions, **lookups)
        .annotate(key=Value(key))
        .values("key")
        .annotate(n=Count("*"))
        .values_list("key", "n")
        .order_by()
    )


# The trend chart, in SVG user units: a column for the years, then three bars per
# year. Drawn 400 units wide and never wider (a phone of 360 px shows it at about 336
# px), its text of 15 units stays above 12 px.
TREND_WIDTH, TREND_YEAR_COLUMN, TREND_VALUE_ROOM = 400, 76, 48
TREND_LEGEND, TREND_BAR, TREND_BAR_GAP, TREND_ROW_GAP = 32, 16, 2, 14
TREND_ROW = len(TREND_SERIES) * (TREND_BAR + TREND_BAR_GAP) - TREND_BAR_GAP + TREND_ROW_GAP
# Each at least 3:1 against the white page (WCAG 1.4.11), and each lighter or darker
# than the next: told apart without colour, in the legend's order.
TREND_FILLS = {"submitted": "#6a83c0", "authorised": "#12326e", "launched": "#b35900"}


def trend_chart(rows: list[dict], *, today: date) -> dict:
    """What the page shows of the trend (`trend`): a row per year for the table, the
    year running said so, and the chart's geometry in whole units (a template would
    write a decimal number the French way, which SVG does not read)."""
    bar_space = TREND_WIDTH - TREND_YEAR_COLUMN - TREND_VALUE_ROOM
    largest = max((row[key] for row in rows for key in TREND_SERIES), default=0) or 1
    years = []
    for index, row in enumerate(rows):
        top = TREND_LEGEND + index * TREND_ROW
        bars = []
        for rank, key in enumerate(TREND_SERIES):
            width = round(row[key] * bar_space / largest)
            bars.append(
                {
                    "key": key,
                    "fill": TREND_FILLS[key],
                    "value": row[key],
                    "y": top + rank * (TREND_BAR + TREND_BAR_GAP),
                    "width": width,
                    "end": TREND_YEAR_COLUMN + width,
                }
            )
        years.append({**row, "year_to_date": row["year"] == today.year, "y": top, "bars": bars})
    return {
        "width": TREND_WIDTH,
        "height": TREND_LEGEND + len(rows) * TREND_ROW - TREND_ROW_GAP,
        "origin": TREND_YEAR_COLUMN,
        "bar_height": TREND_BAR,
        "years": years,
        "first": rows[0]["year"] if rows else None,
        "last": rows[-1]["year"] if rows else None,
    }


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


def names() -> dict[str, dict[str, str]]:
    """The name of every theme and every programme by slug, in the reader's language,
    in one query."""
    found: dict[str, dict[str, str]] = {"themes": {}, "programmes": {}}
    named = (
        Theme.objects.annotate(kind=Value("themes"))
        .values_list("kind", "slug", "name", "name_en")
        .order_by()
        .union(
            Programme.objects.annotate(kind=Value("programmes"))
            .values_list("kind", "slug", "name", "name_en")
            .order_by(),
            all=True,
        )
    )
    for kind, slug, name, name_en in named:
        found[kind][slug] = in_reader_language(name, name_en)
    return found


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
