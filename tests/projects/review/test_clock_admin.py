"""The clocks in the review admin: days left per file in the change list (from the
stored dates, overdue ones highlighted), the clock panel and the extension button on
the change page, and the hub's deadlines, which only hub administrators change."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from projects import services
from projects.models import DeadlineExtension, Event, Project, ReviewDeadlines, Status
from projects.review.admin import ProjectAdmin
from tests.factories import make_project

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2027, 3, 10)
CHANGELIST = reverse("admin:projects_project_changelist")


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2027, 3, 10, 9, tzinfo=PARIS), tick=False):
        yield


def filed(owner, organisation, reference, *, stage=None, decision=None, paused=None, **fields):
    """A file with its stored clock, as the services would have left it."""
    project = make_project(owner=owner, title=reference, sponsor=organisation)
    Project.objects.filter(pk=project.pk).update(
        reference=reference,
        status=fields.pop("status", Status.SUBMITTED),
        stage_due_on=stage,
        decision_due_on=decision,
        clock_paused_on=paused,
    )
    return project


def row_of(content: str, reference: str) -> str:
    match = re.search(rf"<tr>(?:(?!</tr>).)*{reference}(?:(?!</tr>).)*</tr>", content, re.S)
    assert match, reference
    return match.group(0)


def test_the_change_list_shows_days_left_and_highlights_overdue_files(
    client, reviewer, owner, organisation, frozen
):
    in_days = TODAY.__add__
    filed(
        owner,
        organisation,
        "HDH-LATE",
        stage=in_days(timedelta(-5)),
        decision=in_days(timedelta(40)),
    )
    filed(
        owner,
        organisation,
        "HDH-SOON",
        stage=in_days(timedelta(2)),
        decision=in_days(timedelta(50)),
    )
    filed(owner, organisation, "HDH-TODAY", stage=TODAY, decision=in_days(timedelta(50)))
    filed(
        owner,
        organisation,
        "HDH-CALM",
        stage=in_days(timedelta(12)),
        decision=in_days(timedelta(9)),
    )
    filed(
        owner, organisation, "HDH-WAIT", paused=in_days(timedelta(-4)), status="changes_requested"
    )
    filed(owner, organisation, "HDH-DONE", status="approved")
    client.force_login(reviewer)

    content = client.get(CHANGELIST).content.decode()

    assert "days in this state" not in content
    assert 'class="clock clock-overdue"' in row_of(content, "HDH-LATE")
    assert "5 jours de retard" in row_of(content, "HDH-LATE")
    assert 'class="clock clock-due-soon"' in row_of(content, "HDH-SOON")
    assert "2 jours restants" in row_of(content, "HDH-SOON")
    assert "échéance aujourd&#x27;hui" in row_of(content, "HDH-TODAY")
    assert "9 jours restants" in row_of(content, "HDH-CALM")  # the nearer date: the decision's
    assert 'class="clock clock-on-time"' in row_of(content, "HDH-CALM")
    assert 'class="clock clock-paused"' in row_of(content, "HDH-WAIT")
    assert "clock" not in row_of(content, "HDH-DONE")


def test_the_change_list_sorts_by_the_nearer_due_date(
    client, reviewer, owner, organisation, frozen
):
    filed(owner, organisation, "HDH-B", stage=date(2027, 3, 20), decision=date(2027, 3, 30))
    filed(owner, organisation, "HDH-A", stage=date(2027, 4, 20), decision=date(2027, 3, 12))
    filed(owner, organisation, "HDH-C", status="approved")
    filed(owner, organisation, "HDH-D", decision=date(2027, 3, 15))
    client.force_login(reviewer)
    column = ProjectAdmin.list_display.index("days_left")

    ascending = client.get(CHANGELIST, {"o": str(column)}).context["cl"].result_list
    descending = client.get(CHANGELIST, {"o": f"-{column}"}).context["cl"].result_list

    assert [p.reference for p in ascending] == ["HDH-A", "HDH-D", "HDH-B", "HDH-C"]
    assert [p.reference for p in descending][:3] == ["HDH-C", "HDH-B", "HDH-D"]


def test_the_change_list_with_clocks_makes_no_query_per_row(
    client, administrator, owner, organisation, frozen, django_assert_max_num_queries
):
    client.force_login(administrator)

    def add(count):
        for number in range(count):
            filed(
                owner,
                organisation,
                f"HDH-{count}-{number}",
                stage=TODAY + timedelta(number - 3) if number % 3 else None,
                decision=TODAY + timedelta(number) if number % 3 else None,
                paused=TODAY if not number % 3 else None,
                status=Status.SUBMITTED if number % 3 else Status.CHANGES_REQUESTED,
            )

    add(5)
    with django_assert_max_num_queries(20) as few:
        client.get(CHANGELIST)
    add(40)
    with django_assert_max_num_queries(20) as many:
        response = client.get(CHANGELIST)

    assert response.context["cl"].result_count == 45
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.fixture
def submitted(complete_draft, owner):
    with time_machine.travel(datetime(2027, 1, 10, 10, tzinfo=PARIS), tick=False):
        return services.project_submit(project=complete_draft, actor=owner)


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def extend_url(project):
    return reverse("admin:projects_project_extend", args=[project.pk])


def test_the_change_page_shows_the_clock_from_the_audit_trail(client, reviewer, submitted):
    with time_machine.travel(datetime(2027, 1, 27, 10, tzinfo=PARIS), tick=False):
        client.force_login(reviewer)
        page = client.get(change_url(submitted))

    content = page.content.decode()
    clock = page.context["clock"]
    assert (clock.stage_due_on, clock.decision_due_on) == (date(2027, 1, 25), date(2027, 4, 10))
    assert 'id="clock"' in content
    assert "25 janvier 2027" in content and "10 avril 2027" in content
    assert 'class="clock clock-overdue"' in content
    assert [choice["value"] for choice in page.context["clock_extendable"]] == ["decision"]
    assert f'action="{extend_url(submitted)}"' in content


def test_a_reviewer_extends_a_deadline_from_the_change_page(client, reviewer, submitted):
    client.force_login(reviewer)

    response = client.post(extend_url(submitted), {"clock": "decision", "reason": "Complexe."})

    assert response.status_code == 302 and response["Location"] == change_url(submitted)
    extension = DeadlineExtension.objects.get(project=submitted)
    assert (extension.clock, extension.reason, extension.granted_by) == (
        "decision",
        "Complexe.",
        reviewer,
    )
    assert Project.objects.get(pk=submitted.pk).decision_due_on == date(2027, 7, 10)
    page = client.get(change_url(submitted))
    assert [m.level_tag for m in page.context["messages"]] == ["success"]
    assert page.context["clock_extendable"] == []  # once only
    assert "Complexe." in page.content.decode()


def test_an_extension_without_a_reason_is_an_error_message_and_changes_nothing(
    client, reviewer, submitted
):
    client.force_login(reviewer)

    response = client.post(extend_url(submitted), {"clock": "decision", "reason": " "})

    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert not DeadlineExtension.objects.exists()
    assert Project.objects.get(pk=submitted.pk).decision_due_on == date(2027, 4, 10)


def test_staff_outside_the_review_groups_cannot_extend(client, staff_without_group, submitted):
    client.force_login(staff_without_group)

    response = client.post(extend_url(submitted), {"clock": "decision", "reason": "x"})

    assert response.status_code == 403
    assert not DeadlineExtension.objects.exists()
    assert not Event.objects.filter(action__endswith="_extended").exists()


def test_the_extension_url_answers_a_get_and_an_unknown_id_without_an_error(
    client, reviewer, submitted
):
    client.force_login(reviewer)

    assert client.get(extend_url(submitted))["Location"] == change_url(submitted)
    response = client.post(
        reverse("admin:projects_project_extend", args=["abc"]), {"clock": "decision"}
    )
    assert response.status_code == 302 and response["Location"] == CHANGELIST


DEADLINES = reverse("admin:projects_reviewdeadlines_change", args=[1])
FORM = {
    "admissibility_days": "20",
    "opinion_months": "1",
    "authorisation_months": "2",
    "authorisation_extension_months": "2",
    "decision_months": "3",
    "decision_extension_months": "3",
}


def test_hub_administrators_change_the_deadlines_and_open_files_follow(
    client, administrator, submitted
):
    client.force_login(administrator)
    assert client.get(reverse("admin:projects_reviewdeadlines_changelist"))["Location"] == (
        DEADLINES
    )

    response = client.post(DEADLINES, FORM)

    assert response.status_code == 302
    assert ReviewDeadlines.load().admissibility_days == 20
    assert Project.objects.get(pk=submitted.pk).stage_due_on == date(2027, 1, 30)


@pytest.mark.parametrize(
    ("persona", "view", "change"),
    [
        ("administrator", 200, True),
        ("staff", 200, True),
        ("reviewer", 200, False),
        ("staff_without_group", 403, False),
    ],
)
def test_only_hub_administrators_may_change_the_deadlines(
    request, client, submitted, persona, view, change
):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(DEADLINES).status_code == view
    client.post(DEADLINES, {**FORM, "admissibility_days": "30"})

    assert (ReviewDeadlines.load().admissibility_days == 30) is change


@pytest.mark.parametrize("days", ["0", "-1", "abc", "100000"])
def test_impossible_deadlines_are_refused_with_a_message(client, administrator, days):
    client.force_login(administrator)

    response = client.post(DEADLINES, {**FORM, "admissibility_days": days})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert ReviewDeadlines.load().admissibility_days == 15


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:projects_deadlineextension_changelist"),
        reverse("admin:projects_reviewreminder_changelist"),
    ],
)
def test_extensions_and_reminders_are_read_only_in_the_admin(client, staff, submitted, url):
    services.deadline_extend(project=submitted, actor=staff, clock="decision", reason="x")
    client.force_login(staff)

    assert client.get(url).status_code == 200
    extension = DeadlineExtension.objects.get()
    change = reverse("admin:projects_deadlineextension_change", args=[extension.pk])
    client.post(change, {"reason": "rewritten", "months": "12"})
    assert client.post(reverse("admin:projects_deadlineextension_add"), {}).status_code == 403
    assert (DeadlineExtension.objects.get().reason, DeadlineExtension.objects.get().months) == (
        "x",
        3,
    )
