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
    AGREED,
    DATA_GRANTED,
    HOLDER_DECIDES,
    HOLDER_DELIVERS,
    IN_REVIEW,
    Decision,
    Event,
    HolderDecision,
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
    return projects.select_related(
        "sponsor", "programme", "opinion", "authorisation"
    ).prefetch_related(
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
    return (
        project.events.filter(action="changes_requested")
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


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


def conversation(project: Project, events: list[Event]) -> list[Message | Event]:
    """The thread as the team reads it: the messages and the hub's requests for changes
    (each with its reason, date and reviewer), oldest first. `events`: the team's
    timeline (`events_for_team`), which holds the requests already."""
    requests = [event for event in events if event.action == "changes_requested"]
    items: list[Message | Event] = [*thread(project), *requests]
    return sorted(items, key=lambda item: item.sent_at if isinstance(item, Message) else item.at)


def queues(user) -> dict[str, Q]:
    """The reviewers' queues, as conditions on projects annotated by `with_unread`:

    - mine: the files in review (from submission to launch) `user` is in charge of;
    - unassigned: the files in review nobody is in charge of;
    - answered: the sponsor team wrote or resubmitted since `user` last opened them;
    - holders: approved, some requested base not yet agreed or delivered by its holder;
    - overdue: in review, past a stored due date (the hub's day, Europe/Paris).
    """
    today = hub_today()
    holder_pending = RequestedBase.objects.filter(project=OuterRef("pk"), set_aside=False).exclude(
        decision__in=DATA_GRANTED
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


# The data holders' side.


def holder_requests(user) -> QuerySet[RequestedBase]:
    """The requests for the bases of every data holder `user` is a member of, in the
    projects submitted at least once: never a draft, whoever else may read it, and
    never a data request's (the hub answers it with statistics; no holder decides)."""
    return (
        RequestedBase.objects.filter(base__data_holder__memberships__user=user)
        .exclude(project__status=Status.DRAFT)
        .exclude(project__kind=Project.Kind.REQUEST)
        .exclude(project__reference="")
        .select_related("project__sponsor", "base__data_holder")
    )


# The holder's queues, as conditions on requests; every request is in exactly one.
HOLDER_QUEUES: dict[str, Q] = {
    "to_decide": Q(decision=Decision.PENDING, project__status__in=HOLDER_DECIDES),
    "to_deliver": Q(decision__in=AGREED, project__status__in=HOLDER_DELIVERS),
    "delivered": Q(decision=Decision.DELIVERED),
    "refused": Q(decision=Decision.REFUSED),
    # Rejected, withdrawn or completed before the holder decided or delivered.
    "closed": (Q(decision=Decision.PENDING) & ~Q(project__status__in=HOLDER_DECIDES))
    | (Q(decision__in=AGREED) & ~Q(project__status__in=HOLDER_DELIVERS)),
}
# Waiting longest first; decided most recently first.
HOLDER_QUEUE_ORDER: dict[str, list[str]] = {
    "to_decide": ["project__submitted_on", "pk"],
    "to_deliver": ["decided_on", "pk"],
    "delivered": ["-delivered_on", "-pk"],
    "refused": ["-decided_on", "-pk"],
    "closed": ["-project__status_changed_at", "-pk"],
}


def holder_queue(requests: QuerySet[RequestedBase], name: str) -> QuerySet[RequestedBase]:
    return requests.filter(HOLDER_QUEUES[name]).order_by(*HOLDER_QUEUE_ORDER[name])


def holder_queue_counts(requests: QuerySet[RequestedBase]) -> dict[str, int]:
    """How many requests each queue holds, in one query."""
    return requests.order_by().aggregate(
        **{name: Count("pk", filter=condition) for name, condition in HOLDER_QUEUES.items()}
    )


def holder_history(requested: RequestedBase) -> QuerySet[HolderDecision]:
    """Every decision, revision and delivery on record for this base of this project."""
    return HolderDecision.objects.filter(
        project_id=requested.project_id, base_id=requested.base_id
    ).select_related("recorded_by")
