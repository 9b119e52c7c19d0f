"""The reviewers' daily reminder (`manage.py send_review_reminders`), on a frozen clock:
files due within three days and overdue ones, to the reviewer in charge or, for files
nobody is in charge of, to every reviewer; at most once a day per file."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command

from projects.models import Project, ReviewReminder, Status
from projects.review.reminders import reminders_send
from tests.conftest import verified
from tests.factories import UserFactory, make_public_project

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2027, 3, 10)


def on(day: date, hour: int = 7):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=PARIS), tick=False
    )


@pytest.fixture
def second_reviewer(db):
    user = verified(UserFactory(email="remi@hub.example", first_name="Rémi", is_staff=True))
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


def file(reference, *, reviewer=None, stage=None, decision=None, paused=None, status="submitted"):
    project = make_public_project(reference, f"Projet {reference}", status=status)
    Project.objects.filter(pk=project.pk).update(
        reviewer=reviewer, stage_due_on=stage, decision_due_on=decision, clock_paused_on=paused
    )
    return project


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def files(reviewer, administrator):
    return {
        "mine-late": file("HDH-2027-0001", reviewer=reviewer, stage=days(-2), decision=days(60)),
        "mine-soon": file("HDH-2027-0002", reviewer=reviewer, stage=days(3), decision=days(60)),
        "mine-later": file("HDH-2027-0003", reviewer=reviewer, stage=days(4), decision=days(60)),
        "mine-decision": file("HDH-2027-0004", reviewer=reviewer, stage=days(20), decision=days(1)),
        "nobodys": file("HDH-2027-0005", stage=days(0), decision=days(60)),
        "admins": file("HDH-2027-0006", reviewer=administrator, stage=days(-9), decision=days(5)),
        "paused": file(
            "HDH-2027-0007", reviewer=reviewer, paused=days(-30), status="changes_requested"
        ),
        "decided": file("HDH-2027-0008", reviewer=reviewer, status=Status.APPROVED),
    }


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Runs the daily command on `day` (Paris time); its emails leave once its records
    are committed, as they would outside a test's transaction."""

    def run_on(day: date, hour: int = 7) -> None:
        with on(day, hour), django_capture_on_commit_callbacks(execute=True):
            call_command("send_review_reminders")

    return run_on


def sent_to(mailoutbox) -> dict[str, str]:
    return {message.to[0]: message.body for message in mailoutbox}


def test_each_reviewer_gets_their_files_due_soon_and_overdue(
    run, files, reviewer, second_reviewer, administrator, mailoutbox, capsys
):
    run(TODAY)

    bodies = sent_to(mailoutbox)
    assert set(bodies) == {reviewer.email, second_reviewer.email, administrator.email}
    mine = bodies[reviewer.email]
    for reference in ["HDH-2027-0001", "HDH-2027-0002", "HDH-2027-0004", "HDH-2027-0005"]:
        assert reference in mine
    for reference in ["HDH-2027-0003", "HDH-2027-0006", "HDH-2027-0007", "HDH-2027-0008"]:
        assert reference not in mine
    assert mine.index("HDH-2027-0001") < mine.index("HDH-2027-0005")  # overdue first
    assert "2 jours de retard" in mine and "3 jours restants" in mine
    # Nobody's file goes to every reviewer; an administrator in charge gets their own.
    assert "HDH-2027-0005" in bodies[second_reviewer.email]
    assert "HDH-2027-0001" not in bodies[second_reviewer.email]
    assert "HDH-2027-0006" in bodies[administrator.email]
    assert "HDH-2027-0005" not in bodies[administrator.email]
    assert "/admin/projects/project/" in mine
    assert "5 file(s)" in capsys.readouterr().out
    assert ReviewReminder.objects.get(project=files["nobodys"]).recipients == (
        f"{second_reviewer.email}, {reviewer.email}"
    )


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(
    run, files, reviewer, mailoutbox
):
    run(TODAY, hour=7)
    first = len(mailoutbox)
    assert first == 2  # the reviewer in charge, the administrator in charge

    run(TODAY, hour=18)
    assert len(mailoutbox) == first
    assert ReviewReminder.objects.filter(sent_on=TODAY).count() == 5

    run(days(1))
    assert len(mailoutbox) == 2 * first
    # A day later, the file due in four days is due in three.
    assert "HDH-2027-0003" in sent_to(mailoutbox[first:])[reviewer.email]


def test_the_day_is_the_hubs_not_the_servers(files, reviewer):
    """At 00:30 in Paris it is still the day before in UTC: the reminder is for Paris's day."""
    with time_machine.travel(datetime(2027, 3, 9, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        call_command("send_review_reminders")

    assert set(ReviewReminder.objects.values_list("sent_on", flat=True)) == {TODAY}


def test_a_reviewer_who_left_is_replaced_by_the_reviewers_on_duty(
    reviewer, second_reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    gone = verified(UserFactory(email="gone@hub.example", is_staff=True, is_active=False))
    file("HDH-2027-0010", reviewer=gone, stage=days(1))

    with django_capture_on_commit_callbacks(execute=True):
        report = reminders_send(today=TODAY)

    assert (report.files, report.emails) == (1, 2)
    assert set(sent_to(mailoutbox)) == {reviewer.email, second_reviewer.email}


def test_without_any_reviewer_nothing_is_recorded_so_tomorrow_tries_again(mailoutbox):
    file("HDH-2027-0011", stage=days(-1))

    report = reminders_send(today=TODAY)

    assert (report.files, report.emails) == (0, 0)
    assert not ReviewReminder.objects.exists()
    assert mailoutbox == []
