"""Reads on projects, shaped for the pages that show them."""

from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from projects import services
from projects.clocks import hub_today
from projects.models import (
    IN_REVIEW,
    Decision,
    Event,
    Message,
    Project,
    RequestedBase,
    Status,
    TeamMember,
    ThreadRead,
)


def projects_of(user) -> QuerySet[Project]:
    """The projects whose team the user is on, most recently changed first."""
    return Project.objects.filter(team__user=user).select_related("sponsor").order_by("-updated_at")


def projects_readable_by(user) -> QuerySet[Project]:
    """The projects whose private pages (/my/) the user may read.

    The team reads its own at every stage. The hub's reviewers and administrators
    (`services.may_review`) also read every application submitted at least once,
    as the review needs; a draft never submitted stays private to its team. Being
    staff alone opens nothing.
    """
    on_team = Exists(TeamMember.objects.filter(project=OuterRef("pk"), user=user))
    if not services.may_review(user):
        return Project.objects.filter(on_team)
    submitted = Exists(Project.objects.public().filter(pk=OuterRef("pk")))
    return Project.objects.filter(on_team | submitted)


def with_content(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Everything the private project page shows, in a fixed number of queries."""
    return projects.select_related("sponsor", "programme").prefetch_related(
        "themes",
        "attachments",
        "requested_bases__base",
        Prefetch("team", queryset=TeamMember.objects.select_related("user")),
    )


def events_for_team(project: Project) -> QuerySet[Event]:
    """The timeline the sponsor team sees: everything but the hub's internal events."""
    return project.events.exclude(visibility=Event.Visibility.STAFF).select_related("actor")


def events_for_staff(project: Project) -> QuerySet[Event]:
    return project.events.select_related("actor")


def pending_request_for_changes(project: Project | None) -> Event | None:
    """What the hub asked for, while the team has still to answer it."""
    if project is None or project.status != Status.CHANGES_REQUESTED:
        return None
    return project.events.filter(action="changes_requested").order_by("-at", "-pk").first()


def rejection_of(project: Project) -> Event | None:
    """The hub's rejection, with its ground and reason, once the project is rejected."""
    if project.status != Status.REJECTED:
        return None
    return project.events.filter(action="rejected").order_by("-at", "-pk").first()


def with_unread(projects: QuerySet[Project], user) -> QuerySet[Project]:
    """Annotates `unread`: the sponsor team wrote or resubmitted since `user` last
    opened the file (or they never did). Each staff member has their own marker
    (`ThreadRead`); computed in the same query, never one query per row."""
    last_read = ThreadRead.objects.filter(project=OuterRef("pk"), reader=user).values("read_at")
    return projects.annotate(last_read_at=Subquery(last_read[:1])).annotate(
        unread=ExpressionWrapper(
            Q(sponsor_answered_at__isnull=False)
            & (Q(last_read_at__isnull=True) | Q(sponsor_answered_at__gt=F("last_read_at"))),
            output_field=BooleanField(),
        )
    )


def last_read_at(project: Project, user) -> datetime | None:
    """When `user` last opened the file, before this visit."""
    return (
        ThreadRead.objects.filter(project=project, reader=user)
        .values_list("read_at", flat=True)
        .first()
    )


def thread(project: Project) -> QuerySet[Message]:
    return project.messages.select_related("author")


def queues(user) -> dict[str, Q]:
    """The reviewers' queues, as conditions on projects annotated by `with_unread`:

    - mine: the files in review (from submission to launch) `user` is in charge of;
    - unassigned: the files in review nobody is in charge of;
    - answered: the sponsor team wrote or resubmitted since `user` last opened them;
    - holders: approved, some requested base not yet agreed or delivered by its holder;
    - overdue: in review, past a stored due date (the hub's day, Europe/Paris).
    """
    today = hub_today()
    holder_pending = RequestedBase.objects.filter(project=OuterRef("pk")).exclude(
        decision__in=[Decision.AGREED, Decision.DELIVERED]
    )
    return {
        "mine": Q(status__in=IN_REVIEW, reviewer=user),
        "unassigned": Q(status__in=IN_REVIEW, reviewer__isnull=True),
        "answered": Q(unread=True),
        "holders": Q(status=Status.APPROVED) & Q(Exists(holder_pending)),
        # A due date before today, in the hub's time zone (paused files store none).
        "overdue": Q(status__in=IN_REVIEW)
        & (Q(stage_due_on__lt=today) | Q(decision_due_on__lt=today)),
    }


def queue_counts(projects: QuerySet[Project], user) -> dict[str, int]:
    """How many projects each queue holds, in one query."""
    return projects.order_by().aggregate(
        **{name: Count("pk", filter=condition) for name, condition in queues(user).items()}
    )
