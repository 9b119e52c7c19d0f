"""Figures for the staff dashboard: where the files are, and, month by month, how many
came in, how many the hub decided, how long each stage took and how often the hub
kept to its deadline. The durations come from the audit trail (`projects.processing`),
never from dates an import or a demo load set."""

from datetime import date

from django.db.models import Count
from django.tasks import task

from projects import clocks, processing, refreshing
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
    """`processing_by_month` for today, computed once per day and per change, the
    previous figures served while the task worker computes them again
    (`projects.refreshing`): the stored measures move only with changes the public
    sees (each transition and extension moves `PublicVersion`), and their shares
    with the hub's deadlines."""
    today = clocks.hub_today()
    figures, _version = refreshing.read(
        f"dashboard-processing:{today.isoformat()}",
        version=_version_now(),
        compute=lambda: processing_by_month(today=today),
        refresh=refresh_processing_by_month,
        args=(today.isoformat(),),
        fresh_for=CACHE_TIMEOUT,
        stale_limit=2 * CACHE_TIMEOUT,
        keep=CACHE_TIMEOUT,
    )
    return figures


def _version_now() -> str:
    return f"{PublicVersion.current()}|{ReviewDeadlines.load().updated_at.isoformat()}"


@task()
def refresh_processing_by_month(day: str) -> None:
    today = date.fromisoformat(day)
    refreshing.store(
        f"dashboard-processing:{day}",
        version=_version_now(),
        compute=lambda: processing_by_month(today=today),
        keep=CACHE_TIMEOUT,
    )


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
