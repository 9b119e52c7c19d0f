"""The stored measures of each file (`StageMeasure`): kept by the services in the
transaction of each change, they always equal what replaying the audit trail gives,
so the processing times read one row per finished stage instead of the trail."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import clocks, processing, services
from projects.models import Event, ReviewDeadlines, StageMeasure, Status
from tests.factories import make_project, record_evidence

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
S, U, A, OK = Status.SUBMITTED, Status.UNDER_REVIEW, Status.AWAITING_AUTHORISATION, Status.APPROVED


def at(moment: str) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=PARIS), tick=False)


def stored(project) -> list[tuple]:
    return sorted(
        StageMeasure.objects.filter(project=project).values_list(
            "stage", "ended_on", "days", "allowed_days"
        )
    )


def replayed(project) -> list[tuple]:
    trail = processing.replay_trail([project.pk]).get(project.pk)
    if trail is None:
        return []
    return sorted(
        [(m.stage, m.ended_on, m.days, m.allowed_days) for m in trail.measures]
        + [(StageMeasure.FIRST_SUBMISSION, day, 0, 0) for day in trail.first_submissions]
    )


@pytest.fixture
def decided(owner, reviewer):
    """A file submitted on 4 January 2027, admissible on the 14th, opinion on 10
    February, approved on 1 March; its decision deadline extended."""
    with at("2027-01-02 10:00"):
        project = make_project(owner=owner, title="Étude")
    record_evidence(project)
    for moment, to, actor in [
        ("2027-01-04 10:00", S, owner),
        ("2027-01-14 10:00", U, reviewer),
        ("2027-02-10 10:00", A, reviewer),
    ]:
        with at(moment):
            services.project_transition(project=project, actor=actor, to=to)
    with at("2027-02-11 10:00"):
        services.deadline_extend(
            project=project, actor=reviewer, clock=clocks.DECISION_CLOCK, reason="Avis complexe."
        )
    with at("2027-03-01 10:00"):
        services.project_transition(project=project, actor=reviewer, to=OK)
    return project


def test_each_change_stores_what_the_trail_replayed_gives(decided):
    assert stored(decided) == replayed(decided)
    assert stored(decided) == sorted(
        [
            (StageMeasure.FIRST_SUBMISSION, datetime(2027, 1, 4).date(), 0, 0),
            (clocks.Stage.ADMISSIBILITY, datetime(2027, 1, 14).date(), 10, 15),
            (clocks.Stage.OPINION, datetime(2027, 2, 10).date(), 27, 31),
            (clocks.Stage.AUTHORISATION, datetime(2027, 3, 1).date(), 19, 59),
            # Three months from 4 January and the three of the extension: 4 July.
            (clocks.DECISION, datetime(2027, 3, 1).date(), 56, 181),
        ]
    )


def test_a_file_in_draft_has_no_measure(owner):
    project = make_project(owner=owner, title="Brouillon")

    assert stored(project) == []


def test_a_change_of_the_deadlines_stores_every_files_measures_again(decided, administrator):
    deadlines = ReviewDeadlines.load()
    deadlines.admissibility_days = 5
    services.review_deadlines_save(deadlines=deadlines, actor=administrator)

    assert (clocks.Stage.ADMISSIBILITY, datetime(2027, 1, 14).date(), 10, 5) in stored(decided)
    assert stored(decided) == replayed(decided)


def test_loaders_that_write_events_directly_store_the_measures_with_the_clocks(owner):
    project = make_project(owner=owner, title="Ancien dossier")
    project.status = U
    project.save()
    for moment, to in [("2026-03-02 12:00", S), ("2026-03-09 12:00", U)]:
        Event.objects.create(
            project=project,
            action="imported",
            to_status=to,
            at=datetime.fromisoformat(moment).replace(tzinfo=PARIS),
            visibility=Event.Visibility.STAFF,
        )
    assert stored(project) == []

    services.clocks_refresh(projects=type(project).objects.filter(pk=project.pk))

    assert stored(project) == replayed(project)
    assert (clocks.Stage.ADMISSIBILITY, datetime(2026, 3, 9).date(), 7, 15) in stored(project)


def test_the_migration_fills_the_measures_of_the_files_already_there(decided):
    migration = importlib.import_module("projects.migrations.0017_stage_measures")
    StageMeasure.objects.all().delete()

    for _run in range(2):  # a second run adds nothing
        migration.fill(apps, None)

    assert stored(decided) == replayed(decided)


def test_the_processing_times_read_one_query_of_stored_rows(decided):
    with CaptureQueriesContext(connection) as queries:
        trail = processing.read_trail()

    assert len(queries) == 1
    assert "projects_event" not in queries[0]["sql"]
    assert sorted(m.days for m in trail.measures) == [10, 19, 27, 56]
    assert trail.first_submissions == [datetime(2027, 1, 4).date()]
