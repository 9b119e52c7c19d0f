"""Reads on projects, shaped for the pages that show them."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from projects import services
from projects.models import Event, Project, Status, TeamMember


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
