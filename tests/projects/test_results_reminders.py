"""The sponsor team's reminders that its results are due (`send_results_reminders`), on
a frozen clock: three months before the due date, one month before, and the day after
it; each step once per project, a step missed never sent once a later one applies,
none once something is published or for a project not completed."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import ResultsReminder, Status
from projects.results import reminders_send
from tests.conftest import verified
from tests.factories import UserFactory
from tests.projects.results_data import on, with_results

pytestmark = pytest.mark.django_db

# Completed on 10 September 2025: results due on 10 March 2027.
COMPLETED = date(2025, 9, 10)
DUE = date(2027, 3, 10)
THREE_MONTHS = date(2026, 12, 10)
ONE_MONTH = date(2027, 2, 10)


@pytest.fixture
def english_member(db):
    user = verified(UserFactory(email="erin@chu-nord.example", first_name="Erin"))
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def project(owner, english_member):
    return with_results("HDH-2025-0042", completed_on=COMPLETED, team=[owner, english_member])


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Runs the daily command on `day` (Paris time); its emails leave once its records
    are committed, as they would outside a test's transaction."""

    def run_on(day: date) -> None:
        with on(day, 7), django_capture_on_commit_callbacks(execute=True):
            call_command("send_results_reminders")

    return run_on


def steps(project) -> list[tuple[str, date]]:
    return list(
        ResultsReminder.objects.filter(project=project)
        .order_by("sent_on")
        .values_list("step", "sent_on")
    )


def test_nothing_before_three_months_before_the_due_date(run, project, mailoutbox):
    run(THREE_MONTHS - timedelta(days=1))

    assert mailoutbox == [] and steps(project) == []


def test_each_step_is_sent_on_its_day_and_once(run, project, mailoutbox):
    for day in [
        THREE_MONTHS,
        THREE_MONTHS,  # a second run the same day
        THREE_MONTHS + timedelta(days=1),
        ONE_MONTH,
        DUE,  # the due day itself: still one month's step, already sent
        DUE + timedelta(days=1),
        DUE + timedelta(days=90),
    ]:
        run(day)

    assert steps(project) == [
        ("3_months", THREE_MONTHS),
        ("1_month", ONE_MONTH),
        ("due", DUE + timedelta(days=1)),
    ]
    assert len(mailoutbox) == 3 * 2  # each step to both members


def test_a_step_missed_is_not_sent_once_a_later_one_applies(run, project, mailoutbox):
    run(ONE_MONTH + timedelta(days=5))  # the command did not run while three months applied
    run(ONE_MONTH + timedelta(days=6))

    assert steps(project) == [("1_month", ONE_MONTH + timedelta(days=5))]

    late = with_results("HDH-2025-0043", completed_on=COMPLETED, team=[project.team.first().user])
    run(DUE + timedelta(days=200))

    assert steps(late) == [("due", DUE + timedelta(days=200))]


def test_no_earlier_step_after_a_later_one_even_if_the_due_date_moves(
    run, project, settings, mailoutbox
):
    run(DUE + timedelta(days=1))
    settings.RESULTS_DUE_MONTHS = 20  # now due on 10 May 2027: one month's step applies

    run(DUE + timedelta(days=35))

    assert steps(project) == [("due", DUE + timedelta(days=1))]
    assert len(mailoutbox) == 2


def test_the_email_names_the_project_the_due_date_and_the_link_in_each_language(
    run, project, owner, english_member, mailoutbox
):
    run(ONE_MONTH)

    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {owner.email, english_member.email}
    french, english = by_address[owner.email], by_address[english_member.email]
    link = f"http://127.0.0.1:8000/my/projects/{project.pk}/"
    assert french.subject == "[HDH-2025-0042] Vos résultats sont attendus le 10 mars 2027"
    assert "Bonjour Alice" in french.body
    assert "« Projet HDH-2025-0042 »" in french.body
    assert "10 septembre 2025" in french.body and "18 mois" in french.body
    assert link in french.body
    assert english.subject == "[HDH-2025-0042] Your results are due on 10 Mar 2027"
    assert "Hello Erin" in english.body and "18 months" in english.body
    assert link in english.body


def test_the_email_after_the_due_date_says_it_has_passed(run, project, owner, mailoutbox):
    run(DUE + timedelta(days=1))

    french = next(message for message in mailoutbox if message.to == [owner.email])
    assert french.subject == "[HDH-2025-0042] Vos résultats étaient attendus le 10 mars 2027"
    assert "en retard" in french.body


def test_the_reminder_records_its_recipients(run, project, owner, english_member):
    run(THREE_MONTHS)

    reminder = ResultsReminder.objects.get(project=project)
    assert set(reminder.recipients.split(", ")) == {owner.email, english_member.email}


@pytest.mark.parametrize(
    "fields",
    [
        {"published_on": date(2026, 6, 1)},
        {"status": Status.IN_PROGRESS},
        {"status": Status.WITHDRAWN},
        {"completed_on": None},
    ],
    ids=["published", "in-progress", "withdrawn", "completed-without-date"],
)
def test_no_reminder_once_published_or_not_completed(run, owner, mailoutbox, fields):
    others = {"completed_on": COMPLETED, **fields}
    project = with_results("HDH-2025-0050", team=[owner], **others)

    for day in [THREE_MONTHS, ONE_MONTH, DUE + timedelta(days=1)]:
        run(day)

    assert mailoutbox == [] and steps(project) == []


def test_a_publication_between_two_steps_stops_the_next(run, project, mailoutbox):
    run(THREE_MONTHS)
    type(project).objects.filter(pk=project.pk).update(results_published_on=ONE_MONTH)

    run(ONE_MONTH)
    run(DUE + timedelta(days=1))

    assert steps(project) == [("3_months", THREE_MONTHS)]


def test_the_report_counts_projects_and_emails(project, owner, django_capture_on_commit_callbacks):
    with_results("HDH-2025-0044", completed_on=COMPLETED + timedelta(days=1), team=[owner])
    with_results("HDH-2025-0045", completed_on=date(2030, 1, 1), team=[owner])

    with django_capture_on_commit_callbacks(execute=True):
        report = reminders_send(today=ONE_MONTH)

    assert (report.projects, report.emails) == (2, 3)


def test_the_command_says_what_it_sent_on_the_hubs_day(run, project, capsys):
    run(ONE_MONTH)

    assert "2027-02-10: 2 results reminder email(s) about 1 project(s)." in capsys.readouterr().out


def test_the_reminders_sent_are_read_only_in_the_admin(run, project, client, reviewer):
    run(ONE_MONTH)
    client.force_login(reviewer)

    listing = client.get(reverse("admin:projects_resultsreminder_changelist"))
    reminder = ResultsReminder.objects.get()
    change = reverse("admin:projects_resultsreminder_change", args=[reminder.pk])

    assert listing.status_code == 200 and "HDH-2025-0042" in listing.content.decode()
    assert client.post(reverse("admin:projects_resultsreminder_add"), {}).status_code == 403
    client.post(change, {"step": "due", "recipients": "x@example.org", "sent_on": "2027-01-01"})
    assert (ResultsReminder.objects.get().step, ResultsReminder.objects.get().recipients) == (
        "1_month",
        reminder.recipients,
    )
