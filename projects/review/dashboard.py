"""Figures for the staff dashboard: where projects are, and how long each stage takes."""

import statistics
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from projects.models import Event, Project, Status

# The stages of a review whose duration the hub follows, in order.
STAGES = [
    Status.SUBMITTED,
    Status.CHANGES_REQUESTED,
    Status.UNDER_REVIEW,
    Status.AWAITING_AUTHORISATION,
    Status.APPROVED,
    Status.IN_PROGRESS,
]


def count_by_state() -> list[dict]:
    """Every state with its number of projects, zero included, drafts included."""
    counts = dict(Project.objects.values_list("status").annotate(total=Count("pk")))
    return [
        {"state": state, "label": label, "count": counts.get(state, 0)}
        for state, label in Status.choices
    ]


def median_days_per_stage(*, months: int = 12) -> list[dict]:
    """Median days spent in each stage, for stays that ended in the last `months` months.

    A stay starts with the event that entered the state and ends with the next
    event that left it; both are in the audit trail.
    """
    since = timezone.now() - timedelta(days=30 * months)
    durations: dict[str, list[float]] = {stage: [] for stage in STAGES}
    entered: dict[int, tuple[str, datetime]] = {}
    transitions = (
        Event.objects.exclude(to_status="")
        .exclude(from_status="")
        .order_by("project_id", "at", "pk")
        .values_list("project_id", "from_status", "to_status", "at")
    )
    for project_id, from_status, to_status, at in transitions.iterator():
        previous = entered.get(project_id)
        if previous and previous[0] == from_status and at >= since and from_status in durations:
            durations[from_status].append((at - previous[1]).total_seconds() / 86400)
        entered[project_id] = (to_status, at)
    return [
        {
            "state": stage,
            "label": Status(stage).label,
            "median": round(statistics.median(durations[stage]), 1) if durations[stage] else None,
            "count": len(durations[stage]),
        }
        for stage in STAGES
    ]
