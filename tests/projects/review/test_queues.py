"""The reviewers' queues in the admin change list, its order, and its cost."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from projects import services
from projects.clocks import hub_today
from projects.models import Decision, Project
from tests.conftest import verified, with_totp
from tests.factories import UserFactory
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:projects_project_changelist")


@pytest.fixture
def colleague(db):
    user = with_totp(verified(UserFactory(email="remi@hub.example", is_staff=True)))
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


@pytest.fixture
def files(demo_catalog, reviewer, colleague, owner):
    """One project per situation a queue tells apart, by reference."""

    def project(reference, status, *, reviewer=None, decisions=()):
        created = add(reference, reference, status=status)
        if reviewer is not None:
            Project.objects.filter(pk=created.pk).update(reviewer=reviewer)
        for slug, decision in decisions:
            created.requested_bases.create(base_id=_base(slug), decision=decision)
        return created

    made = {
        "mine-submitted": project("HDH-2026-0001", "submitted", reviewer=reviewer),
        "mine-approved": project("HDH-2026-0002", "approved", reviewer=reviewer),
        "mine-launched": project("HDH-2026-0003", "in_progress", reviewer=reviewer),
        "colleagues": project("HDH-2026-0004", "under_review", reviewer=colleague),
        "unassigned": project("HDH-2026-0005", "awaiting_authorisation"),
        "unassigned-waiting": project("HDH-2026-0006", "changes_requested"),
        "unassigned-launched": project("HDH-2026-0007", "in_progress"),
        "unassigned-rejected": project("HDH-2026-0008", "rejected"),
        "holders-pending": project(
            "HDH-2026-0009",
            "approved",
            decisions=[("esme", Decision.AGREED), ("oscour", Decision.PENDING)],
        ),
        "holders-refused": project(
            "HDH-2026-0010", "approved", decisions=[("esme", Decision.REFUSED)]
        ),
        "holders-done": project(
            "HDH-2026-0011",
            "approved",
            decisions=[("esme", Decision.AGREED), ("oscour", Decision.DELIVERED)],
        ),
        "launched-pending": project(
            "HDH-2026-0012", "in_progress", decisions=[("esme", Decision.PENDING)]
        ),
    }
    add("", "Brouillon", status="draft", submitted_on=None)
    # The sponsor team answered on two files; the reviewer has read one of them since.
    services.message_post(project=made["colleagues"], author=owner, body="Réponse.")
    services.message_post(project=made["unassigned-waiting"], author=owner, body="Réponse.")
    services.thread_mark_read(project=made["colleagues"], reader=colleague)
    return made


def _base(slug):
    from catalog.models import Base

    return Base.objects.get(slug=slug).pk


def references(response) -> set[str]:
    return {project.reference for project in response.context["cl"].result_list}


def expected(files, *names) -> set[str]:
    return {files[name].reference for name in names}


@pytest.mark.parametrize(
    ("queue", "names"),
    [
        ("mine", ["mine-submitted", "mine-approved"]),
        ("unassigned", ["unassigned", "unassigned-waiting", "holders-pending", "holders-refused",
                        "holders-done"]),
        ("answered", ["colleagues", "unassigned-waiting"]),
        ("holders", ["holders-pending", "holders-refused"]),
    ],
)  # fmt: skip
def test_each_queue_holds_its_files_for_the_reviewer(client, reviewer, files, queue, names):
    client.force_login(reviewer)

    response = client.get(CHANGELIST, {"queue": queue})

    assert response.status_code == 200
    assert references(response) == expected(files, *names)


def test_the_queues_are_each_reviewers_own(client, colleague, files):
    client.force_login(colleague)

    assert references(client.get(CHANGELIST, {"queue": "mine"})) == expected(files, "colleagues")
    # The colleague read their file's answer; not the other one.
    assert references(client.get(CHANGELIST, {"queue": "answered"})) == expected(
        files, "unassigned-waiting"
    )


def test_the_queue_filter_counts_each_queue(client, reviewer, files, english):
    client.force_login(reviewer)

    response = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="en")

    [queue_filter] = [spec for spec in response.context["cl"].filter_specs if spec.title == "queue"]
    assert [label for _value, label in queue_filter.lookup_choices] == [
        "Mine (2)",
        "Unassigned (5)",
        "Sponsor answered, unread (2)",
        "Waiting for data holders (2)",
        "Overdue (0)",
    ]


def test_an_unknown_queue_is_ignored_with_a_message(client, reviewer, files):
    client.force_login(reviewer)

    response = client.get(CHANGELIST, {"queue": "overdue'--"})

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert len(references(response)) == len(files)


def test_files_in_review_come_first(client, reviewer, files):
    client.force_login(reviewer)

    rows = list(client.get(CHANGELIST).context["cl"].result_list)

    in_review = [row.status in {"submitted", "changes_requested", "under_review",
                                "awaiting_authorisation", "approved"} for row in rows]  # fmt: skip
    assert in_review == sorted(in_review, reverse=True)
    assert in_review.count(True) == 8


@pytest.mark.parametrize("queue", [None, "mine", "unassigned", "answered", "holders"])
def test_the_change_list_costs_the_same_whatever_the_number_of_rows(
    client, reviewer, owner, demo_catalog, django_assert_max_num_queries, queue
):
    """Every row is in the queue tried, so that each queue's page grows with the rows."""
    client.force_login(reviewer)
    params = {"queue": queue} if queue else {}

    def add_projects(count, start):
        for number in range(start, start + count):
            project = add(f"HDH-2025-{number:04d}", f"Projet {number}", status="approved")
            if queue != "unassigned":
                Project.objects.filter(pk=project.pk).update(reviewer=reviewer)
            project.requested_bases.create(base_id=_base("esme"), decision=Decision.PENDING)
            services.message_post(project=project, author=owner, body="Réponse.")

    add_projects(3, 0)
    with django_assert_max_num_queries(25) as few:
        client.get(CHANGELIST, params)
    add_projects(40, 100)
    with django_assert_max_num_queries(25) as many:
        response = client.get(CHANGELIST, params)

    assert response.context["cl"].result_count == 43
    assert all(row.unread for row in response.context["cl"].result_list)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.fixture
def due_dates(files):
    """Stored due dates as the clocks leave them: two files in review past due, one due
    in five days, a launched file whose old date no longer counts."""
    today = hub_today()
    due = {
        "mine-submitted": {"stage_due_on": today - timedelta(days=1)},
        "colleagues": {"decision_due_on": today - timedelta(days=3)},
        "unassigned": {"stage_due_on": today + timedelta(days=5)},
        "unassigned-launched": {"stage_due_on": today - timedelta(days=10)},
    }
    for name, fields in due.items():
        Project.objects.filter(pk=files[name].pk).update(**fields)
    return files


def test_the_overdue_queue_holds_the_files_in_review_past_a_due_date(client, reviewer, due_dates):
    client.force_login(reviewer)

    response = client.get(CHANGELIST, {"queue": "overdue"})

    assert references(response) == expected(due_dates, "mine-submitted", "colleagues")


def test_the_file_due_soonest_comes_first(client, reviewer, due_dates):
    client.force_login(reviewer)

    rows = [row.reference for row in client.get(CHANGELIST).context["cl"].result_list]

    assert rows[:3] == [
        due_dates["colleagues"].reference,
        due_dates["mine-submitted"].reference,
        due_dates["unassigned"].reference,
    ]
