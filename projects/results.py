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

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
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
    ReviewState,
    Status,
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
