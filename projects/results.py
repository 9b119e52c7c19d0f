"""A project's results: when they are due, and their state for the public.

EHDS regulation (EU) 2025/327, Art. 61(4): data users make their results public
within 18 months of the end of processing. The portal counts from completion:
`results_due_on` is `completed_on` plus `settings.RESULTS_DUE_MONTHS` months (18 by
default), and a project is

- ``published`` once the hub has published one of its results or algorithms
  (`Project.results_published_on`, whatever its status);
- ``due`` when it is completed, nothing is published yet and the due date is today or
  later;
- ``overdue`` when it is completed, nothing is published and the due date has passed.

Projects not yet completed, with nothing published, have no results state.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Project, Status


class ResultsState:
    PUBLISHED = "published"
    DUE = "due"
    OVERDUE = "overdue"

    choices = [
        (PUBLISHED, _("Results published")),
        (DUE, _("Results due")),
        (OVERDUE, _("Results overdue")),
    ]
    labels = dict(choices)


def due_months() -> relativedelta:
    return relativedelta(months=settings.RESULTS_DUE_MONTHS)


def due_on(completed_on: date | None) -> date | None:
    """The day the results are due: the completion plus the months the hub's setting
    gives (clamped to the month's end, 31 August + 18 months = 28 or 29 February)."""
    if completed_on is None:
        return None
    return completed_on + due_months()


def last_completion_overdue(today: date) -> date:
    """The last completion day whose results are overdue today: every project completed
    that day or earlier is past its due date. The first day whose due date is not
    before today, less one, found from today less the months (month ends clamp, so
    up to three days can share a due date)."""
    day = today - due_months()
    while due_on(day) < today:  # type: ignore[operator]
        day += timedelta(days=1)
    return day - timedelta(days=1)


def state_q(state: str, *, today: date) -> Q:
    """The projects in a results state, as a filter (see the module's docstring)."""
    if state == ResultsState.PUBLISHED:
        return Q(results_published_on__isnull=False)
    expected = Q(status=Status.COMPLETED, results_published_on__isnull=True)
    if state == ResultsState.OVERDUE:
        return expected & Q(completed_on__lte=last_completion_overdue(today))
    if state == ResultsState.DUE:
        return expected & (
            Q(completed_on__gt=last_completion_overdue(today)) | Q(completed_on__isnull=True)
        )
    raise ValueError(state)


def state_of(project: Project, *, today: date) -> str:
    """The results state of one project, or "" when it has none yet."""
    if project.results_published_on is not None:
        return ResultsState.PUBLISHED
    if project.status != Status.COMPLETED:
        return ""
    due = due_on(project.completed_on)
    if due is not None and due < today:
        return ResultsState.OVERDUE
    return ResultsState.DUE
