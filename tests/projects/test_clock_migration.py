"""Migration 0011: the records already there get the events their key dates imply and
their due dates; the hub administrators, and only they, change the deadlines."""

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from projects.models import Event, Project, ReviewDeadlines
from tests.factories import make_public_project

pytestmark = pytest.mark.django_db

migration = importlib.import_module("projects.migrations.0011_review_clocks")
PARIS = ZoneInfo("Europe/Paris")


def test_records_imported_before_get_their_events_and_due_dates():
    legacy = make_public_project(
        "HDH-2026-0042", "Importé", status="submitted", submitted_on=date(2026, 11, 20)
    )
    Event.objects.create(
        project=legacy,
        action="imported",
        to_status="submitted",
        reason="old.csv, line 2",
        visibility=Event.Visibility.STAFF,
    )
    launched = make_public_project(
        "HDH-2023-0042",
        "Lancé",
        status="in_progress",
        submitted_on=date(2023, 1, 10),
        launched_on=date(2023, 6, 1),
    )

    for _run in range(2):  # a second run adds nothing
        migration.write_implied_events(apps, PARIS)
        migration.compute_due_dates(apps, PARIS)

    submitted = Event.objects.get(project=legacy, action="submitted")
    assert submitted.at == datetime(2026, 11, 20, 12, tzinfo=PARIS)
    assert (submitted.from_status, submitted.to_status) == ("draft", "submitted")
    legacy.refresh_from_db()
    assert (legacy.stage_due_on, legacy.decision_due_on) == (date(2026, 12, 5), date(2027, 2, 20))
    assert list(
        Event.objects.filter(project=launched).order_by("at").values_list("action", flat=True)
    ) == ["submitted", "launched"]
    assert Project.objects.get(pk=launched.pk).decision_due_on is None


def test_the_deadlines_row_and_permissions_exist_after_migrating():
    assert ReviewDeadlines.objects.get().admissibility_days == 15
    administrators = set(
        Group.objects.get(name="hub administrators").permissions.values_list("codename", flat=True)
    )
    reviewers = set(
        Group.objects.get(name="reviewers").permissions.values_list("codename", flat=True)
    )

    assert {"view_reviewdeadlines", "change_reviewdeadlines"} <= administrators
    assert "view_reviewdeadlines" in reviewers
    assert "change_reviewdeadlines" not in reviewers
