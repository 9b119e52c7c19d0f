"""The hub hears when the sponsor team answers: an email to the reviewer in charge (to
every reviewer when nobody is), and an "unread" marker in the admin, per staff member,
that clears when that staff member opens the file."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects import notifications, services
from projects.models import Project, ThreadRead
from tests.conftest import verified, with_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:projects_project_changelist")
ANSWER = "La période demandée est 2018-2023."


@pytest.fixture
def second_reviewer(db):
    user = with_totp(
        verified(UserFactory(email="remi@hub.example", first_name="Rémi", is_staff=True))
    )
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


@pytest.fixture
def submitted(complete_draft, owner):
    return services.project_submit(project=complete_draft, actor=owner)


@pytest.fixture
def changes_requested(submitted, reviewer):
    return services.project_transition(
        project=submitted, actor=reviewer, to="changes_requested", reason="Précisez la période."
    )


def staff_emails() -> dict[str, list]:
    by_recipient: dict[str, list] = {}
    for email in mail.outbox:
        if email.to[0].endswith("@hub.example"):
            by_recipient.setdefault(email.to[0], []).append(email)
    return by_recipient


def unread_in_list(client, project) -> bool:
    response = client.get(CHANGELIST)
    [row] = [row for row in response.context["cl"].result_list if row.pk == project.pk]
    return row.unread


# Emails.


def test_a_message_from_the_team_emails_the_reviewer_in_charge_only(
    submitted, owner, reviewer, second_reviewer, administrator, django_capture_on_commit_callbacks
):
    services.project_assign(project=submitted, reviewer=second_reviewer, actor=administrator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(project=submitted, author=owner, body=ANSWER)

    emails = staff_emails()
    assert list(emails) == [second_reviewer.email]
    [email] = emails[second_reviewer.email]
    assert submitted.reference in email.subject
    assert ANSWER in email.body
    assert f"/admin/projects/project/{submitted.pk}/change/#thread" in email.body
    # The team itself is not emailed its own message.
    assert [email.to[0] for email in mail.outbox] == [second_reviewer.email]


def test_with_nobody_in_charge_every_active_reviewer_is_emailed(
    submitted, owner, reviewer, second_reviewer, administrator, django_capture_on_commit_callbacks
):
    UserFactory(email="former@hub.example", is_staff=True, is_active=False).groups.add(
        Group.objects.get(name="reviewers")
    )
    reviewer.language = second_reviewer.language = "en"
    reviewer.save()
    second_reviewer.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(project=submitted, author=owner, body=ANSWER)

    # The `reviewers` group: not the administrators, not an inactive account.
    assert sorted(staff_emails()) == sorted([reviewer.email, second_reviewer.email])
    for [email] in staff_emails().values():
        assert "No reviewer is in charge of this file: every reviewer gets this email." in (
            email.body
        )


def test_a_reviewer_in_charge_who_left_the_review_passes_the_email_to_the_group(
    submitted, owner, reviewer, second_reviewer, administrator, django_capture_on_commit_callbacks
):
    services.project_assign(project=submitted, reviewer=second_reviewer, actor=administrator)
    second_reviewer.groups.clear()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(project=submitted, author=owner, body=ANSWER)

    assert list(staff_emails()) == [reviewer.email]


def test_a_resubmission_emails_the_reviewer_in_charge_in_their_language(
    changes_requested, owner, reviewer, administrator, django_capture_on_commit_callbacks
):
    reviewer.language = "en"
    reviewer.save()
    services.project_assign(project=changes_requested, reviewer=reviewer, actor=administrator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_submit(project=changes_requested, actor=owner)

    [email] = staff_emails()[reviewer.email]
    assert "Resubmitted by the sponsor team" in email.subject
    assert "resubmitted the application" in email.body
    assert f"/admin/projects/project/{changes_requested.pk}/change/" in email.body


def test_the_hubs_own_messages_and_moves_email_no_staff(
    submitted, reviewer, second_reviewer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(project=submitted, author=reviewer, body="Une question.")
        services.project_transition(project=submitted, actor=reviewer, to="under_review")

    assert staff_emails() == {}
    assert Project.objects.get(pk=submitted.pk).sponsor_answered_at is None


def test_a_message_on_a_draft_stays_with_the_team(
    complete_draft, owner, reviewer, django_capture_on_commit_callbacks
):
    """The hub never reads a draft never submitted: nobody there is told of it."""
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(project=complete_draft, author=owner, body="Brouillon.")

    assert staff_emails() == {}
    assert Project.objects.get(pk=complete_draft.pk).sponsor_answered_at is None


def test_who_is_told(submitted, reviewer, second_reviewer, administrator):
    assert notifications.staff_to_notify(submitted) == sorted(
        [reviewer, second_reviewer], key=lambda user: user.email
    )
    submitted.reviewer = administrator  # a hub administrator may be in charge too
    assert notifications.staff_to_notify(submitted) == [administrator]


# The unread marker.


def test_the_marker_shows_for_each_reviewer_until_they_open_the_file(
    client, submitted, owner, reviewer, second_reviewer
):
    client.force_login(reviewer)
    assert not unread_in_list(client, submitted)

    services.message_post(project=submitted, author=owner, body=ANSWER)
    assert unread_in_list(client, submitted)
    client.force_login(second_reviewer)
    assert unread_in_list(client, submitted)

    # The first reviewer opens the file: read for them, still unread for the other.
    client.force_login(reviewer)
    page = client.get(reverse("admin:projects_project_change", args=[submitted.pk]))
    assert page.context["unread"] is True  # shown on this visit, with what is new
    assert 'id="unread-note"' in page.content.decode()
    assert unread_in_list(client, submitted) is False
    again = client.get(reverse("admin:projects_project_change", args=[submitted.pk]))
    assert again.context["unread"] is False
    assert 'id="unread-note"' not in again.content.decode()
    client.force_login(second_reviewer)
    assert unread_in_list(client, submitted) is True


def test_a_new_answer_after_the_visit_makes_the_file_unread_again(
    client, changes_requested, owner, reviewer
):
    client.force_login(reviewer)
    client.get(reverse("admin:projects_project_change", args=[changes_requested.pk]))
    assert not unread_in_list(client, changes_requested)

    services.project_submit(project=changes_requested, actor=owner)

    assert unread_in_list(client, changes_requested)


def test_the_change_page_flags_what_is_new_since_the_last_visit(client, submitted, owner, reviewer):
    old = services.message_post(project=submitted, author=owner, body="Ancien message.")
    ThreadRead.objects.create(project=submitted, reader=reviewer, read_at=old.sent_at)
    services.message_post(project=submitted, author=owner, body=ANSWER)
    client.force_login(reviewer)

    page = client.get(reverse("admin:projects_project_change", args=[submitted.pk]))

    content = page.content.decode()
    new_marker = '<strong class="unread">'
    old_html = content[content.index("Ancien message.") - 400 : content.index("Ancien message.")]
    new_html = content[content.index(ANSWER) - 400 : content.index(ANSWER)]
    assert new_marker not in old_html
    assert new_marker in new_html
    read = ThreadRead.objects.get(project=submitted, reader=reviewer)
    assert read.read_at > timezone.now() - timedelta(minutes=1)


def test_a_post_to_the_change_page_does_not_mark_the_file_read(client, submitted, owner, reviewer):
    """Only opening the page (GET) reads the thread; the save then redirects to it."""
    services.message_post(project=submitted, author=owner, body=ANSWER)
    client.force_login(reviewer)

    client.post(reverse("admin:projects_project_change", args=[submitted.pk]), {})

    assert not ThreadRead.objects.filter(project=submitted, reader=reviewer).exists()
