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

The sponsor team declares results (publications, reports, datasets, code) and
algorithm cards for the open library (BOAS) once the project is in progress or
completed (`RESULTS_DECLARABLE`); the hub publishes or refuses each, and its author
is told. Only these services move their state.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from projects import clocks, notifications, services
from projects.models import (
    RESULTS_DECLARABLE,
    Algorithm,
    AlgorithmVersion,
    Event,
    Project,
    Result,
    ResultsReminder,
    ReviewState,
    Status,
    TeamMember,
)


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


class ResultsError(Exception):
    """A declaration or review the rules refuse, in words for the person who tried."""


SPONSOR = Event.Visibility.SPONSOR
PUBLIC = Event.Visibility.PUBLIC


def may_declare(*, project: Project, user) -> bool:
    return project.status in RESULTS_DECLARABLE and services.is_team_member(
        project=project, user=user
    )


def _check_may_declare(*, project: Project, actor) -> None:
    if not services.is_team_member(project=project, user=actor):
        raise ResultsError(_("Only the project's team declares its results."))
    if project.status not in RESULTS_DECLARABLE:
        raise ResultsError(_("Results are declared once the project is in progress or completed."))


def _declared(*, project: Project, actor, action: str, what: str) -> Event:
    event = Event.objects.create(
        project=project, actor=actor, action=action, reason=what, visibility=SPONSOR
    )
    transaction.on_commit(lambda: notifications.notify_staff_of_declaration.enqueue(event.pk))
    return event


@transaction.atomic
def result_declare(*, project: Project, actor, result: Result) -> Result:
    """Records a result the team declares (validated by its form: `Result.clean`, the
    DOI's syntax, a report's PDF by its content), for the hub to review."""
    _check_may_declare(project=project, actor=actor)
    result.project = project
    result.declared_by = actor
    result.state = ReviewState.PENDING
    if result.file:
        result.size = result.file.size
    result.save()
    _declared(project=project, actor=actor, action="result_declared", what=result.title)
    return result


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "algorithm"
    taken = set(Algorithm.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def algorithm_declare(
    *, project: Project, actor, name: str, version: AlgorithmVersion, bases=()
) -> AlgorithmVersion:
    """A new algorithm card for the library, with its first version."""
    _check_may_declare(project=project, actor=actor)
    algorithm = Algorithm.objects.create(project=project, name=name, slug=_unique_slug(name))
    return _version_save(algorithm=algorithm, actor=actor, version=version, bases=bases)


@transaction.atomic
def algorithm_version_declare(
    *, algorithm: Algorithm, actor, version: AlgorithmVersion, bases=()
) -> AlgorithmVersion:
    """A new version of a card: the earlier ones stay as they were published."""
    _check_may_declare(project=algorithm.project, actor=actor)
    if algorithm.versions.filter(version=version.version).exists():
        raise ResultsError(
            _("This algorithm already has a version %(version)s.") % {"version": version.version}
        )
    return _version_save(algorithm=algorithm, actor=actor, version=version, bases=bases)


def _version_save(
    *, algorithm: Algorithm, actor, version: AlgorithmVersion, bases
) -> AlgorithmVersion:
    version.algorithm = algorithm
    version.declared_by = actor
    version.state = ReviewState.PENDING
    version.save()
    version.bases.set(bases)
    _declared(
        project=algorithm.project,
        actor=actor,
        action="algorithm_declared",
        what=f"{algorithm.name} {version.version}",
    )
    return version


def report_response(result: Result) -> FileResponse:
    """A report's PDF, inline, under a name made of the project's reference."""
    if not result.file:
        raise Http404
    try:
        handle = result.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = f"{result.project.reference or 'report'}-{result.pk}.pdf"
    return FileResponse(handle, filename=name, content_type="application/pdf")


@transaction.atomic
def review(
    *, item: Result | AlgorithmVersion, actor, publish: bool, comment: str = ""
) -> Result | AlgorithmVersion:
    """Publishes or refuses a declared result or algorithm version, once: a refusal
    says why. Publishing makes it public (and the project's results published, the
    version the card's current one); the author is told either way."""
    if not services.may_review(actor):
        raise ResultsError(_("Only the hub's reviewers publish or refuse results."))
    comment = comment.strip()
    if not publish and not comment:
        raise ResultsError(_("Say why the result is refused: its author reads it."))
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    if locked.state != ReviewState.PENDING:
        raise ResultsError(
            _("This was already reviewed: it is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    locked.state = ReviewState.PUBLISHED if publish else ReviewState.REFUSED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_comment = comment
    locked.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
    if isinstance(locked, AlgorithmVersion):
        algorithm = locked.algorithm
        project = algorithm.project
        what, kind = f"{algorithm.name} {locked.version}", "algorithm"
        if publish:
            algorithm.current = locked
            algorithm.save(update_fields=["current"])
    else:
        project, what, kind = locked.project, locked.title, "result"
    outcome = "published" if publish else "refused"
    Event.objects.create(
        project=project,
        actor=actor,
        action=f"{kind}_{outcome}",
        reason=what if publish else f"{what}\n\n{comment}",
        visibility=PUBLIC if publish else SPONSOR,
    )
    if publish:
        if project.results_published_on is None:
            project.results_published_on = clocks.hub_today()
            project.save(update_fields=["results_published_on"])
        services.public_data_changed()
    transaction.on_commit(lambda: notifications.notify_author_of_review.enqueue(kind, locked.pk))
    return locked


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


# The only projects with a results state: completed, or with something published.
HAS_RESULTS_STATE = Q(status=Status.COMPLETED) | Q(results_published_on__isnull=False)


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


# --- The due date's consequences: reminders to the sponsor team and the year's
# figures (`send_results_reminders`, `statistics.year_figures`).

# The reminders' steps, in the order they come.
REMINDER_STEPS: list[str] = [
    ResultsReminder.Step.THREE_MONTHS,
    ResultsReminder.Step.ONE_MONTH,
    ResultsReminder.Step.DUE,
]
# How long before the due date each step starts (the due step: the day after it).
REMINDER_LEAD = {
    ResultsReminder.Step.THREE_MONTHS: relativedelta(months=3),
    ResultsReminder.Step.ONE_MONTH: relativedelta(months=1),
}


def reminder_step(due: date, *, today: date) -> str | None:
    """The latest step that applies on `today`, or None before the first: from three
    months before the due date, from one month before, and from the day after it."""
    if today > due:
        return ResultsReminder.Step.DUE
    for step in (ResultsReminder.Step.ONE_MONTH, ResultsReminder.Step.THREE_MONTHS):
        if today >= due - REMINDER_LEAD[step]:
            return step
    return None


@dataclass
class RemindersReport:
    projects: int = 0
    emails: int = 0


def reminders_send(*, today: date) -> RemindersReport:
    """Emails the team of each completed project with nothing published the step of
    its due date that applies `today`, in each member's language.

    Each step goes at most once per project (`ResultsReminder`, unique per project
    and step, so a second run the same day, or on another machine, sends nothing);
    a step missed (no run while it applied) is never sent once a later one applies:
    only the latest applicable step is sent, and none after a later one was."""
    report = RemindersReport()
    # Loose by a few days (month ends clamp); `reminder_step` decides exactly.
    first_lead = REMINDER_LEAD[ResultsReminder.Step.THREE_MONTHS]
    horizon = today + first_lead - due_months() + timedelta(days=4)
    projects = (
        Project.objects.public()
        .filter(
            status=Status.COMPLETED,
            results_published_on__isnull=True,
            completed_on__lte=horizon,
        )
        .exclude(results_reminders__step=ResultsReminder.Step.DUE)
        .prefetch_related(
            "results_reminders",
            Prefetch("team", queryset=TeamMember.objects.select_related("user")),
        )
        .order_by("completed_on", "pk")
    )
    with transaction.atomic():
        for project in projects:
            due = due_on(project.completed_on)
            assert due is not None  # completed_on is set: the filter compares it
            step = reminder_step(due, today=today)
            if step is None:
                continue
            sent = {reminder.step for reminder in project.results_reminders.all()}
            if sent.intersection(REMINDER_STEPS[REMINDER_STEPS.index(step) :]):
                continue
            members = list(project.team.all())
            recipients = [member.user.email for member in members]
            if not recipients:
                continue
            _reminder, created = ResultsReminder.objects.get_or_create(
                project=project,
                step=step,
                defaults={"sent_on": today, "recipients": ", ".join(recipients)},
            )
            if not created:  # another run got there first
                continue
            context = {
                "step": step,
                "due_on": due,
                "months": settings.RESULTS_DUE_MONTHS,
                "url": settings.SITE_URL + reverse("my:project", kwargs={"pk": project.pk}),
            }
            transaction.on_commit(
                partial(notifications.email_team, project, "results_reminder", context, members)
            )
            report.projects += 1
            report.emails += len(recipients)
    return report


def published_in(year: int) -> Q:
    """The projects whose first result or algorithm the hub published in `year`."""
    return Q(results_published_on__year=year)


def overdue_at_end_of(year: int, *, today: date) -> Q:
    """The completed projects whose results were due in `year` or before with nothing
    published by its end, or by `today` while the year runs: the results state on
    the year's last day once it is over (a due date on 31 December has passed by
    then), today's state before that."""
    year_end = date(year, 12, 31)
    if today <= year_end:
        cutoff, last_day = today, today
    else:
        cutoff, last_day = year_end + timedelta(days=1), year_end
    return Q(
        status=Status.COMPLETED,
        completed_on__lte=last_completion_overdue(cutoff),
    ) & (Q(results_published_on__isnull=True) | Q(results_published_on__gt=last_day))
