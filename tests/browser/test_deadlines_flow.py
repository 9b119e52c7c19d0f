"""End to end: a file from its submission to its approval, with the review's deadlines
in view. The sponsor submits and reads by which date the hub must answer; the reviewer
takes the file through admissibility, the CESREES opinion and the authorisation, whose
deadline they extend with a reason, which the sponsor is emailed and reads with the new
date; the approval puts the CNIL decision on the public page. Then the reviewer's
overdue queue holds a late file and not an on-time one.

The sponsor's browser speaks French, the portal's default, so the dates read as the
sponsor reads them; the reviewer's speaks English, as in the other admin tests. A live
server cannot travel in time: the late file and the on-time one are made beforehand,
through the services, at past dates.
"""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import formats, translation
from playwright.sync_api import expect

from projects import clocks, services
from projects.models import DeadlineExtension, Project, Status
from tests.browser.test_clock_browser import extend_deadline
from tests.browser.test_review_flow import (
    record_cnil_decision,
    record_opinion,
    sign_in_as_sponsor,
    sign_in_to_admin,
    transition,
)
from tests.factories import make_project
from tests.projects.conftest import complete

REASON = "La CNIL a prolongé son instruction par une décision motivée."


@pytest.fixture
def locale():
    """The sponsor's browser: French, the portal's default language."""
    return "fr-FR"


@pytest.fixture
def draft(owner, member, organisation) -> Project:
    """A draft with everything a submission needs."""
    return complete(owner=owner, member=member, organisation=organisation)


def submitted_days_ago(days: int, *, owner, title: str) -> Project:
    """A file created and submitted `days` days ago by the services, the clock frozen
    then: its events and its stored due dates are the ones the portal would have."""
    moment = datetime.combine(
        clocks.hub_today() - timedelta(days=days), time(10), clocks.hub_timezone()
    )
    with time_machine.travel(moment, tick=False):
        project = make_project(owner=owner, title=title)
        return services.project_transition(project=project, actor=owner, to=Status.SUBMITTED)


@pytest.fixture
def late_and_on_time(owner) -> tuple[Project, Project]:
    """Submitted 30 days ago, its 15-day admissibility check is overdue; submitted 2 days
    ago, the other's is not."""
    return (
        submitted_days_ago(30, owner=owner, title="Dossier en retard"),
        submitted_days_ago(2, owner=owner, title="Dossier dans les temps"),
    )


def in_french(day) -> str:
    with translation.override("fr"):
        return formats.date_format(day, "DATE_FORMAT")


def answer_by(project: Project) -> str:
    """The sentence of the sponsor's page with the date the hub must answer by now."""
    return f"La plateforme doit répondre au plus tard le {in_french(project.due_on)}."


@pytest.mark.browser
def test_a_file_from_submission_to_approval_with_an_extension_then_the_overdue_queue(
    page,
    admin_page,
    assert_accessible,
    django_db_serialized_rollback,
    draft,
    late_and_on_time,
    owner,
    reviewer,
):
    late, on_time = late_and_on_time
    today = clocks.hub_today()

    # The sponsor submits the complete draft from its form.
    sign_in_as_sponsor(page, owner)
    page.goto(f"/my/projects/{draft.pk}/edit/")
    page.locator('button[name="submit"]').click()
    expect(page).to_have_url(re.compile(rf"/my/projects/{draft.pk}/$"))
    project = Project.objects.get(pk=draft.pk)
    assert project.status == Status.SUBMITTED
    # Fifteen days for the admissibility check, from today.
    assert project.due_on == today + timedelta(days=15)
    expect(page.locator("#clock")).to_contain_text(answer_by(project))
    assert_accessible(page)

    # The reviewer: admissible, the CESREES opinion on record, then awaiting the
    # authorisation, whose deadline (two months) comes before the decision's.
    sign_in_to_admin(admin_page, reviewer)
    admin_page.goto(f"/admin/projects/project/{project.pk}/change/")
    transition(admin_page, project, Status.UNDER_REVIEW)
    record_opinion(admin_page, given_on=today.isoformat())
    transition(admin_page, project, Status.AWAITING_AUTHORISATION)
    project.refresh_from_db()
    before = project.due_on
    assert before == project.stage_due_on

    # The authorisation deadline extended, with a reason: the team is emailed it.
    mail.outbox.clear()
    extend_deadline(admin_page, "authorisation", REASON)
    extension = DeadlineExtension.objects.get(project=project)
    assert (extension.clock, extension.granted_by) == (
        DeadlineExtension.Clock.AUTHORISATION,
        reviewer,
    )
    emails = [email for email in mail.outbox if owner.email in email.to]
    assert len(emails) == 1
    assert REASON in emails[0].body

    # The sponsor reads the new date (the decision's, now the nearer) and why it moved.
    project.refresh_from_db()
    assert project.due_on > before
    page.reload()
    expect(page.locator("#clock")).to_contain_text(answer_by(project))
    expect(page.locator("#clock")).not_to_contain_text(in_french(before))
    expect(page.get_by_text(REASON).first).to_be_visible()

    # The CNIL decision on record, the file approved: the public page shows both.
    number = f"DR-{today.year}-104"
    record_cnil_decision(admin_page, number=number, decided_on=today.isoformat())
    transition(admin_page, project, Status.APPROVED)
    page.goto(f"/projects/{project.reference}/")
    expect(page.locator(f".badge.status-{Status.APPROVED}")).to_be_visible()
    expect(page.locator("#authorisation")).to_contain_text(number)

    # The overdue queue: the late file, not the one on time (which the list has).
    admin_page.goto("/admin/projects/project/")
    rows = admin_page.locator("#result_list tbody tr")
    expect(rows.filter(has_text=on_time.reference)).to_have_count(1)
    admin_page.locator("#changelist-filter").get_by_role(
        "link", name=re.compile(r"^Overdue \(1\)$")
    ).click()
    expect(admin_page).to_have_url(re.compile(r"[?&]queue=overdue"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(late.reference)
    expect(rows.first.locator(".clock.clock-overdue")).to_have_text("15 days late")
