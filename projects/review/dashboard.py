"""Figures for the staff dashboard: where the files are, and, month by month, how many
came in, how many the hub decided, how long each stage took and how often the hub
kept to its deadline. The durations come from the audit trail (`projects.processing`),
never from dates an import or a demo load set."""

from datetime import date

from django.core.cache import cache
from django.db.models import Count

from projects import clocks, processing
from projects.models import MEASURED_LABELS, Project, PublicVersion, ReviewDeadlines, Status

# The months the dashboard shows, the current one included.
MONTHS = 12


def count_by_state() -> list[dict]:
    """Every state with its number of projects, zero included, drafts included."""
    counts = dict(Project.objects.values_list("status").annotate(total=Count("pk")))
    return [
        {"state": state, "label": label, "count": counts.get(state, 0)}
        for state, label in Status.choices
    ]


def stage_headings() -> list[dict]:
    """The measured stages in the order of the review, then the overall decision."""
    return [{"stage": stage, "label": MEASURED_LABELS[stage]} for stage in processing.MEASURED]


def processing_by_month(*, today: date | None = None, months: int = MONTHS) -> dict:
    """The last `months` months, the current one first, and their total: one row each,
    its stages' figures listed in the order of `stage_headings`."""
    trail = processing.read_trail()
    today = today or clocks.hub_today()
    return {
        "months": [_row(row) for row in processing.by_month(trail, today=today, months=months)],
        "total": _row(processing.over_months(trail, today=today, months=months)),
    }


def cached_processing_by_month() -> dict:
    """`processing_by_month` for today, computed once per day and per change: the
    trail it reads moves only with changes the public sees (each transition and
    extension moves `PublicVersion`), and its shares with the hub's deadlines."""
    deadlines = ReviewDeadlines.load()
    today = clocks.hub_today()
    key = (
        f"dashboard-processing:{PublicVersion.current()}:"
        f"{deadlines.updated_at.isoformat()}:{today.isoformat()}"
    )
    found = cache.get(key)
    if found is None:
        found = processing_by_month(today=today)
        cache.set(key, found, CACHE_TIMEOUT)
    return found


# A day at most: the key moves with the day anyway.
CACHE_TIMEOUT = 24 * 3600


def _row(row: dict) -> dict:
    decisions: processing.Figures = row["stages"][clocks.DECISION]
    share = decisions.share_within
    return {
        "month": row.get("month"),
        "files_in": row["files_in"],
        "decisions_out": row["decisions_out"],
        "stages": [row["stages"][stage] for stage in processing.MEASURED],
        "percent_within": None if share is None else round(100 * share),
    }
