"""The review dashboard: projects in each state, and the median days spent in each stage
over the last twelve months, read from the audit trail.

The audit trail is built with explicit times (`Event.at` takes a value on creation; an
event is never updated). The expected figures are worked out by hand from those times,
on sets where the median, the mean and the middle values differ.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Event
from projects.review import dashboard
from tests.factories import make_public_project

pytestmark = pytest.mark.django_db

STAGES = [
    "submitted",
    "changes_requested",
    "under_review",
    "awaiting_authorisation",
    "approved",
    "in_progress",
]


@pytest.fixture
def now():
    return timezone.now()


def trail(project, *steps):
    """Events moving `project` along `steps`: (time, from, to), or (time, None, action)
    for an event that is not a change of state."""
    for at, from_status, to_status in steps:
        if from_status is None:
            Event.objects.create(
                project=project, at=at, action=to_status, visibility=Event.Visibility.STAFF
            )
        else:
            Event.objects.create(
                project=project,
                at=at,
                from_status=from_status,
                to_status=to_status,
                action=to_status,
                visibility=Event.Visibility.PUBLIC,
            )


def days_ago(now, days):
    return now - timedelta(days=days)


def medians():
    rows = dashboard.median_days_per_stage()
    return {row["state"]: (row["median"], row["count"]) for row in rows}


def test_the_median_stay_per_stage_is_the_middle_value_not_the_mean(now):
    a = make_public_project("HDH-2026-0001", "A", status="awaiting_authorisation")
    b = make_public_project("HDH-2026-0002", "B", status="awaiting_authorisation")
    c = make_public_project("HDH-2026-0003", "C", status="awaiting_authorisation")
    d = make_public_project("HDH-2026-0004", "D", status="under_review")
    # Submitted: 2, 4, 30 and 100 days; under review: 10, 20 and 90 days.
    trail(
        a,
        (days_ago(now, 200), "draft", "submitted"),
        (days_ago(now, 199), None, "assigned"),  # not a change of state: the stay goes on
        (days_ago(now, 198), "submitted", "under_review"),
        (days_ago(now, 188), "under_review", "awaiting_authorisation"),
    )
    trail(
        b,
        (days_ago(now, 200), "draft", "submitted"),
        (days_ago(now, 196), "submitted", "under_review"),
        (days_ago(now, 176), "under_review", "awaiting_authorisation"),
    )
    # Written in reverse order: the stays follow the times, not the order of writing.
    trail(
        c,
        (days_ago(now, 80), "under_review", "awaiting_authorisation"),
        (days_ago(now, 170), "submitted", "under_review"),
        (days_ago(now, 200), "draft", "submitted"),
    )
    trail(
        d,
        (days_ago(now, 200), "draft", "submitted"),
        (days_ago(now, 100), "submitted", "under_review"),
    )

    figures = medians()

    # An even set: (4 + 30) / 2, where the mean is 34 and the middle values 4 and 30.
    assert figures["submitted"] == (17.0, 4)
    # An odd set: 20, where the mean is 40; d is still under review, its stay not over.
    assert figures["under_review"] == (20.0, 3)
    assert figures["awaiting_authorisation"] == (None, 0)
    assert figures["changes_requested"] == (None, 0)


def test_a_stay_ended_thirteen_months_ago_is_left_out_and_one_ended_eleven_months_ago_counts(
    now,
):
    old, recent, fresh = (
        make_public_project(f"HDH-2025-000{n}", f"Projet {n}", status="under_review")
        for n in (1, 2, 3)
    )
    # Ended about thirteen months ago, after 25 days: outside the window.
    trail(
        old,
        (days_ago(now, 420), "draft", "submitted"),
        (days_ago(now, 395), "submitted", "under_review"),
    )
    # Began more than a year ago, ended about eleven months ago, after 65 days: counts.
    trail(
        recent,
        (days_ago(now, 400), "draft", "submitted"),
        (days_ago(now, 335), "submitted", "under_review"),
    )
    trail(
        fresh,
        (days_ago(now, 20), "draft", "submitted"),
        (days_ago(now, 15), "submitted", "under_review"),
    )

    # 5 and 65 days: (5 + 65) / 2. With the old stay it would be 25 days over three.
    assert medians()["submitted"] == (35.0, 2)


def test_stays_are_counted_per_project_across_a_request_for_changes(now):
    project = make_public_project("HDH-2026-0042", "Projet", status="under_review")
    trail(
        project,
        (days_ago(now, 60), "draft", "submitted"),
        (days_ago(now, 57), "submitted", "changes_requested"),
        (days_ago(now, 50), "changes_requested", "submitted"),
        (days_ago(now, 49), "submitted", "under_review"),
    )

    figures = medians()

    # Two stays in `submitted` (3 days, then 1 day) and one of 7 days with the sponsor.
    assert figures["submitted"] == (2.0, 2)
    assert figures["changes_requested"] == (7.0, 1)


def test_a_stay_whose_start_is_missing_from_the_trail_is_not_counted(now):
    # Records older than the audit trail: the move to review was never logged, so
    # neither the stay in `submitted` nor the one in `under_review` has known ends.
    project = make_public_project("HDH-2026-0050", "Projet", status="awaiting_authorisation")
    trail(
        project,
        (days_ago(now, 100), "draft", "submitted"),
        (days_ago(now, 80), "under_review", "awaiting_authorisation"),
    )

    figures = medians()

    assert figures["submitted"] == (None, 0)
    assert figures["under_review"] == (None, 0)


def test_every_stage_is_listed_in_review_order_even_without_data(db):
    rows = dashboard.median_days_per_stage()

    assert [row["state"] for row in rows] == STAGES
    assert all(row["median"] is None and row["count"] == 0 for row in rows)


def test_counts_by_state_list_every_state_in_order_drafts_and_zeros_included(db):
    for n in range(2):
        make_public_project("", f"Brouillon {n}", status="draft", submitted_on=None)
    make_public_project("HDH-2026-0001", "Déposé", status="submitted")
    for n in range(3):
        make_public_project(f"HDH-2026-001{n}", f"En instruction {n}", status="under_review")
    make_public_project("HDH-2026-0020", "Abandonné", status="withdrawn")

    counts = [(row["state"], row["count"]) for row in dashboard.count_by_state()]

    assert counts == [
        ("draft", 2),
        ("submitted", 1),
        ("changes_requested", 0),
        ("under_review", 3),
        ("awaiting_authorisation", 0),
        ("approved", 0),
        ("in_progress", 0),
        ("completed", 0),
        ("rejected", 0),
        ("withdrawn", 1),
    ]


def test_the_dashboard_page_shows_the_counts_and_the_medians(client, reviewer, now):
    project = make_public_project("HDH-2026-0007", "Projet", status="under_review")
    trail(
        project,
        (days_ago(now, 30), "draft", "submitted"),
        (days_ago(now, 18), "submitted", "under_review"),
    )
    client.force_login(reviewer)

    response = client.get(reverse("admin:projects_project_dashboard"))

    assert response.status_code == 200
    states = {row["state"]: row["count"] for row in response.context["states"]}
    assert states["under_review"] == 1
    stages = {row["state"]: row for row in response.context["stages"]}
    assert (stages["submitted"]["median"], stages["submitted"]["count"]) == (12.0, 1)
    assert "<td>12.0</td><td>1</td>" in response.content.decode().replace(",", ".")
