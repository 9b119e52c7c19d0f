"""The audit trail is append-only in PostgreSQL itself (migration 0010): bulk updates,
bulk deletes and raw SQL are refused, not only the model's own save and delete."""

from datetime import date

import pytest
from django.db import ProgrammingError, connection, transaction

from projects import services
from projects.models import Event, Opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(complete_draft, owner, reviewer):
    project = services.project_submit(project=complete_draft, actor=owner)
    services.project_transition(project=project, actor=reviewer, to="under_review")
    return project


def rows(project) -> list[dict]:
    return list(Event.objects.filter(project=project).order_by("pk").values())


def refused(write) -> None:
    """Runs `write` in a savepoint and checks the database refused it (PostgreSQL's
    RAISE EXCEPTION, class P0, reaches Django as a ProgrammingError)."""
    with pytest.raises(ProgrammingError, match="audit trail is append-only"), transaction.atomic():
        write()


def test_a_bulk_update_is_refused(trail):
    before = rows(trail)

    refused(lambda: Event.objects.filter(project=trail).update(reason="rewritten"))
    refused(lambda: Event.objects.filter(action="admissible").update(visibility="staff"))

    assert rows(trail) == before


def test_a_bulk_delete_is_refused(trail):
    before = rows(trail)

    refused(lambda: Event.objects.filter(project=trail).delete())

    assert rows(trail) == before


def test_raw_sql_cannot_rewrite_or_erase_the_trail(trail):
    before = rows(trail)

    def sql(statement: str):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(statement, [trail.pk])

        return run

    refused(sql("UPDATE projects_event SET at = at - interval '30 days' WHERE project_id = %s"))
    refused(sql("UPDATE projects_event SET actor_id = NULL WHERE project_id = %s"))
    refused(sql("DELETE FROM projects_event WHERE project_id = %s"))

    assert rows(trail) == before


def test_the_trail_still_grows(trail, reviewer):
    count = Event.objects.filter(project=trail).count()
    Opinion.objects.create(project=trail, verdict=Opinion.Verdict.FAVOURABLE, given_on=date.today())

    services.project_transition(project=trail, actor=reviewer, to="awaiting_authorisation")

    assert Event.objects.filter(project=trail).count() == count + 1
