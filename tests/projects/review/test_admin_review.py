"""The review in the Django admin: buttons, records, permissions, audit trail, figures."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from catalog.models import Base
from projects import services
from projects.models import (
    Authorisation,
    Decision,
    Event,
    InternalNote,
    Message,
    Opinion,
    Project,
    Status,
)
from projects.review.admin import ProjectAdmin
from tests.conftest import with_totp
from tests.factories import UserFactory, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(complete_draft, owner):
    return services.project_submit(project=complete_draft, actor=owner)


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def transition(client, project, to, reason="", seen=None):
    return client.post(
        reverse("admin:projects_project_transition", args=[project.pk]),
        {"to": to, "reason": reason, "seen": seen or project.status},
    )


def test_the_change_page_offers_one_button_per_allowed_transition(client, reviewer, submitted):
    client.force_login(reviewer)

    page = client.get(change_url(submitted))

    assert page.status_code == 200
    assert [form.target for form in page.context["transitions"]] == [
        "under_review",
        "changes_requested",
    ]
    assert page.context["version"].number == 1
    assert 'name="seen" value="submitted"' in page.content.decode()


def test_a_reviewer_takes_a_project_from_submission_to_launch(client, reviewer, submitted):
    client.force_login(reviewer)
    Opinion.objects.create(
        project=submitted, verdict=Opinion.Verdict.FAVOURABLE, given_on=date(2026, 3, 2)
    )
    Authorisation.objects.create(
        project=submitted,
        kind=Authorisation.Kind.CNIL,
        decision_number="DR-2026-104",
        decided_on=date(2026, 4, 2),
    )
    for to in ["under_review", "awaiting_authorisation", "approved"]:
        transition(client, Project.objects.get(pk=submitted.pk), to)
    submitted.requested_bases.update(decision=Decision.AGREED)
    transition(client, Project.objects.get(pk=submitted.pk), "in_progress")

    project = Project.objects.get(pk=submitted.pk)
    assert project.status == Status.IN_PROGRESS
    assert list(project.events.values_list("action", flat=True)) == [
        "created",
        "submitted",
        "admissible",
        "opinion_given",
        "authorised",
        "launched",
    ]


def test_requesting_changes_without_a_reason_is_refused_with_a_message(client, reviewer, submitted):
    client.force_login(reviewer)

    response = transition(client, submitted, "changes_requested", reason="")

    assert response.status_code == 302
    assert Project.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]


def test_a_stale_button_is_refused(client, reviewer, submitted):
    client.force_login(reviewer)
    services.project_transition(project=submitted, actor=reviewer, to="under_review")

    transition(client, submitted, "changes_requested", reason="x", seen="submitted")

    assert Project.objects.get(pk=submitted.pk).status == Status.UNDER_REVIEW


def test_staff_outside_the_review_groups_cannot_act(client, submitted, staff_without_group):
    client.force_login(staff_without_group)

    assert client.get(reverse("admin:projects_project_changelist")).status_code == 403
    assert transition(client, submitted, "under_review").status_code == 403
    assert Project.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_the_state_cannot_be_changed_through_the_form(client, administrator, submitted):
    client.force_login(administrator)
    page = client.get(change_url(submitted))

    assert "status" not in page.context["adminform"].form.fields
    assert "title" not in page.context["adminform"].form.fields


def test_assigning_a_reviewer_is_logged_for_staff_only(client, administrator, reviewer, submitted):
    client.force_login(administrator)
    data = _change_form_data(client, submitted)
    data["reviewer"] = reviewer.pk

    response = client.post(change_url(submitted), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert Project.objects.get(pk=submitted.pk).reviewer == reviewer
    assigned = Event.objects.get(project=submitted, action="assigned")
    assert assigned.visibility == Event.Visibility.STAFF


def test_staff_add_a_message_and_an_internal_note_from_the_change_page(
    client, administrator, submitted, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    data = _change_form_data(client, submitted)
    data.update(
        {
            "messages-TOTAL_FORMS": "1",
            "messages-0-body": "Merci de joindre l'avis du DPO.",
            "notes-TOTAL_FORMS": "1",
            "notes-0-body": "Dossier prioritaire.",
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(submitted), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    message = Message.objects.get(project=submitted)
    assert (message.from_staff, message.author) == (True, administrator)
    assert InternalNote.objects.get(project=submitted).author == administrator


def test_internal_notes_never_reach_the_sponsor(client, owner, reviewer, submitted):
    InternalNote.objects.create(project=submitted, author=reviewer, body="Note secrète")
    client.force_login(owner)

    page = client.get(reverse("my:project", kwargs={"pk": submitted.pk}))

    assert "Note secrète" not in page.content.decode()


@pytest.mark.parametrize("action", ["add", "change", "delete"])
def test_events_cannot_be_written_in_the_admin_even_by_a_superuser(
    client, staff, submitted, action
):
    event = Event.objects.get(project=submitted, action="submitted")
    client.force_login(staff)

    if action == "add":
        response = client.post(reverse("admin:projects_event_add"), {"action": "forged"})
        assert response.status_code == 403
    elif action == "change":
        client.post(reverse("admin:projects_event_change", args=[event.pk]), {"reason": "x"})
    else:
        response = client.post(
            reverse("admin:projects_event_delete", args=[event.pk]), {"post": "yes"}
        )
        assert response.status_code == 403

    event.refresh_from_db()
    assert (event.action, event.reason) == ("submitted", "")
    assert Event.objects.filter(project=submitted).count() == 2


def test_the_change_list_makes_no_query_per_row(
    client, administrator, owner, organisation, django_assert_max_num_queries
):
    client.force_login(administrator)
    url = reverse("admin:projects_project_changelist")

    def add_projects(count):
        for number in range(count):
            project = make_project(owner=owner, title=f"Projet {number}", sponsor=organisation)
            Project.objects.filter(pk=project.pk).update(
                reference=f"HDH-2026-{number:04d}-{count}", status=Status.SUBMITTED
            )

    add_projects(5)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    add_projects(40)
    with django_assert_max_num_queries(20) as many:
        response = client.get(url)

    assert response.context["cl"].result_count == 45
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_change_list_filters(client, administrator, submitted):
    client.force_login(administrator)
    url = reverse("admin:projects_project_changelist")
    esme = Base.objects.get(slug="esme")
    year = submitted.submitted_on.year

    for params, count in [
        ({"status__exact": "submitted"}, 1),
        ({"status__exact": "approved"}, 0),
        ({"themes__id__exact": submitted.themes.get().pk}, 1),
        ({"requested_bases__base__id__exact": esme.pk}, 1),
        ({"year": str(year)}, 1),
        ({"year": str(year - 1)}, 0),
        ({"q": submitted.reference}, 1),
        ({"q": "CHU Nord"}, 1),
    ]:
        response = client.get(url, params)
        assert response.context["cl"].result_count == count, params


def test_drafts_are_not_in_the_review_list(client, administrator, draft):
    client.force_login(administrator)

    response = client.get(reverse("admin:projects_project_changelist"))

    assert response.context["cl"].result_count == 0


def test_hub_administrators_manage_the_catalog_and_reviewers_do_not(
    client, administrator, reviewer
):
    client.force_login(reviewer)
    assert client.get(reverse("admin:catalog_base_add")).status_code == 403
    assert client.get(reverse("admin:projects_theme_add")).status_code == 403

    client.force_login(administrator)
    assert client.get(reverse("admin:catalog_base_add")).status_code == 200
    assert client.get(reverse("admin:projects_theme_add")).status_code == 200
    assert client.get(reverse("admin:portal_user_changelist")).status_code == 200


def _change_form_data(client, project) -> dict:
    page = client.get(change_url(project))
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        for name in ["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"]:
            data[f"{prefix}-{name}"] = management.initial.get(name, 0)
        for index, inline_form in enumerate(formset.formset.initial_forms):
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                data[f"{prefix}-{index}-{name}"] = "" if value is None else value
            data[f"{prefix}-{index}-id"] = inline_form.instance.pk
            data[f"{prefix}-{index}-project"] = project.pk
    return data


@pytest.fixture
def change_only_staff(db):
    """Staff who may edit projects in the admin but belongs to neither review group."""
    user = with_totp(UserFactory(email="intern@hub.example", is_staff=True))
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="projects", codename__in=["view_project", "change_project"]
        )
    )
    return user


def test_staff_outside_the_review_groups_cannot_change_the_reviewer(
    client, change_only_staff, reviewer, submitted
):
    client.force_login(change_only_staff)
    page = client.get(change_url(submitted))
    assert page.status_code == 200
    assert "reviewer" not in page.context["adminform"].form.fields

    data = _change_form_data(client, submitted)
    data["reviewer"] = reviewer.pk
    response = client.post(change_url(submitted), data)

    assert response.status_code == 302
    assert Project.objects.get(pk=submitted.pk).reviewer is None
    assert not Event.objects.filter(project=submitted, action="assigned").exists()


def test_an_assignment_the_service_refuses_is_an_error_message_and_saves_nothing(
    rf, change_only_staff, reviewer, submitted
):
    """The safety net behind the read-only field: were the field ever editable again for
    someone the service refuses, the admin shows the refusal and saves nothing (an admin
    subclass stands for such a configuration; the service and the admin are real)."""

    class ReviewerEditableByAll(ProjectAdmin):
        def get_readonly_fields(self, request, obj=None):
            return [
                name for name in super().get_readonly_fields(request, obj) if name != "reviewer"
            ]

    request = rf.post(change_url(submitted), {"reviewer": reviewer.pk})
    request.user = change_only_staff
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True

    response = ReviewerEditableByAll(Project, admin.site).change_view(request, str(submitted.pk))

    assert response.status_code == 302
    assert response["Location"] == change_url(submitted)
    assert [m.level_tag for m in request._messages] == ["error"]
    assert Project.objects.get(pk=submitted.pk).reviewer is None
    assert not Event.objects.filter(project=submitted, action="assigned").exists()
    assert not LogEntry.objects.exists()
