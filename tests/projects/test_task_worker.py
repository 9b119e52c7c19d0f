"""The task worker: a notification queued while no worker runs is kept in the
database, sent by `manage.py db_worker` once it runs, and never sent twice."""

import pytest
from django_tasks_db.models import DBTaskResult

from projects import services
from tests.factories import make_project
from tests.processes import environment, manage

# transaction=True: the worker is another process, it sees only committed rows.
# serialized_rollback: the rows of the data migrations (groups, themes) come back after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORKER = ["db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0"]


def run_worker() -> str:
    """A worker process that runs every task due, then stops; what it printed (the
    console email backend prints each email it sends)."""
    env = environment(
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    return manage(*WORKER, env=env).stdout


def test_a_notification_queued_without_a_worker_is_sent_once_it_runs_and_never_twice(
    settings, owner, member, reviewer, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    project = make_project(owner=owner, members=[member], title="Étude des parcours")

    services.message_post(project=project, author=reviewer, body="Pouvez-vous préciser ?")

    # No worker runs: the notification waits in the database, nothing is sent.
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.status) == ("projects.notifications.notify_message", "READY")
    assert mailoutbox == []

    printed = run_worker()

    # The notification ran, and queued one email per member, which the same run sent.
    assert sorted(line for line in printed.splitlines() if line.startswith("To: ")) == sorted(
        [f"To: {owner.email}", f"To: {member.email}"]
    )
    assert set(DBTaskResult.objects.values_list("task_path", "status")) == {
        ("projects.notifications.notify_message", "SUCCESSFUL"),
        ("projects.mail.send_email", "SUCCESSFUL"),
    }
    assert DBTaskResult.objects.filter(task_path="projects.mail.send_email").count() == 2

    assert "To: " not in run_worker()
    assert DBTaskResult.objects.count() == 3
