"""Defect 8: when the mail server is down, sign-up, password reset and invitations
still answer normally; every email goes through the task queue and is retried."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from projects import mail, services
from tests.factories import make_project
from tests.portal.conftest import sign_up

SEND_EMAIL = "projects.mail.send_email"


def invite(client, project, email):
    return client.post(reverse("my:invite", kwargs={"pk": project.pk}), {"email": email})


@pytest.mark.django_db
def test_sign_up_answers_normally_and_creates_one_account_when_mail_is_down(client, smtp_down):
    response = sign_up(client, "new@labo.example")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert get_user_model().objects.filter(email="new@labo.example").count() == 1


@pytest.mark.django_db
def test_password_reset_answers_its_sent_page_when_mail_is_down(client, owner, smtp_down):
    response = client.post(reverse("account_reset_password"), {"email": owner.email})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_an_invitation_answers_normally_when_mail_is_down(
    client, owner, smtp_down, django_capture_on_commit_callbacks
):
    project = make_project(owner=owner, title="Étude des parcours")
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, project, "nadia@labo.example")

    assert response.status_code == 302
    assert project.invitations.filter(email="nadia@labo.example").exists()


@pytest.mark.django_db
def test_account_emails_arrive_through_the_task_queue(client, owner, mailoutbox, enqueued_tasks):
    sign_up(client, "new@labo.example")
    client.post(reverse("account_reset_password"), {"email": owner.email})

    assert [message.to for message in mailoutbox] == [["new@labo.example"], [owner.email]]
    assert re.search(r"/accounts/confirm-email/\S+/", mailoutbox[0].body)
    assert re.search(r"/accounts/password/reset/key/\S+/", mailoutbox[1].body)
    assert enqueued_tasks == [SEND_EMAIL, SEND_EMAIL]


@pytest.mark.django_db
def test_the_invitation_arrives_through_the_task_queue(
    client, owner, mailoutbox, enqueued_tasks, django_capture_on_commit_callbacks
):
    project = make_project(owner=owner, title="Étude des parcours")
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        invite(client, project, "nadia@labo.example")

    assert [message.to for message in mailoutbox] == [["nadia@labo.example"]]
    assert enqueued_tasks == [SEND_EMAIL]


@pytest.mark.django_db
def test_a_staff_message_reaches_each_member_through_their_own_email_task(
    owner, member, reviewer, mailoutbox, enqueued_tasks, django_capture_on_commit_callbacks
):
    project = make_project(owner=owner, members=[member], title="Étude des parcours")

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(project=project, author=reviewer, body="Pouvez-vous préciser ?")

    assert sorted(message.to[0] for message in mailoutbox) == [owner.email, member.email]
    assert enqueued_tasks == ["projects.notifications.notify_message", SEND_EMAIL, SEND_EMAIL]


@pytest.mark.django_db
def test_a_staff_message_is_kept_when_mail_is_down(
    owner, member, reviewer, smtp_down, django_capture_on_commit_callbacks
):
    project = make_project(owner=owner, members=[member], title="Étude des parcours")

    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_post(project=project, author=reviewer, body="Précisez.")

    assert project.messages.filter(pk=message.pk).exists()


def run_worker():
    """What `manage.py db_worker --batch` does: run every task that is due, then stop."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failed_email_is_retried_later_a_bounded_number_of_times(settings, smtp_down, caplog):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    mail.send_email.enqueue(subject="Bonjour", body="Texte", to=["nadia@labo.example"])
    for _attempt in range(mail.EMAIL_MAX_ATTEMPTS + 2):
        run_worker()
        # Each retry waits for its time: the test makes it due now.
        retry = DBTaskResult.objects.filter(status="READY").first()
        if retry is None:
            break
        expected_delay = mail.EMAIL_RETRY_DELAYS[retry.args_kwargs["kwargs"]["attempt"] - 2]
        assert retry.run_after >= retry.enqueued_at + timedelta(seconds=expected_delay - 1)
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=retry.enqueued_at)

    rows = DBTaskResult.objects.filter(task_path=SEND_EMAIL)
    assert rows.count() == mail.EMAIL_MAX_ATTEMPTS
    assert sorted(row.args_kwargs["kwargs"].get("attempt", 1) for row in rows) == list(
        range(1, mail.EMAIL_MAX_ATTEMPTS + 1)
    )
    assert set(rows.values_list("status", flat=True)) == {"FAILED"}
    failures = [r for r in caplog.records if r.name == "projects.mail"]
    assert len(failures) == mail.EMAIL_MAX_ATTEMPTS
    assert "giving up" in failures[-1].getMessage()
