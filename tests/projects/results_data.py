"""Projects with a results state, for the tests of the due date: a public project
created in its final state, then given its completion and first publication dates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from projects import services
from projects.models import Project, TeamMember
from tests.factories import make_public_project

PARIS = ZoneInfo("Europe/Paris")


def on(day: date, hour: int = 9):
    """The clock stopped on `day`, in the hub's time zone."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=PARIS), tick=False
    )


def with_results(
    reference: str,
    *,
    completed_on: date | None = None,
    published_on: date | None = None,
    status: str = "completed",
    team=(),
    **fields,
) -> Project:
    project = make_public_project(reference, f"Projet {reference}", status=status, **fields)
    Project.objects.filter(pk=project.pk).update(
        completed_on=completed_on, results_published_on=published_on
    )
    for index, user in enumerate(team):
        role = TeamMember.Role.OWNER if index == 0 else TeamMember.Role.MEMBER
        TeamMember.objects.create(project=project, user=user, role=role)
    services.public_data_changed()
    project.refresh_from_db()
    return project
