"""End to end: the review's clocks. The reviewer sees the days left per file in the
change list, an overdue file highlighted, extends a file's decision deadline from its
change page; the sponsor reads by which date the hub must answer, and why it moved."""

import re
from datetime import timedelta

import pytest
from django.utils import formats, translation
from playwright.sync_api import expect

from projects import clocks
from projects.models import DeadlineExtension, Project
from projects.services import project_submit
from tests.conftest import STAFF_TOTP_SECRET, totp_code
from tests.factories import make_public_project
from tests.projects.conftest import complete

PASSWORD = "correct horse battery staple"
REASON = "Dossier complexe : avis complémentaire demandé au CESREES."


@pytest.fixture
def submitted(owner, member, organisation) -> Project:
    project = complete(owner=owner, member=member, organisation=organisation)
    return project_submit(project=project, actor=owner)


@pytest.fixture
def late(db) -> Project:
    """A file whose admissibility check ended five days ago, as its stored dates say."""
    project = make_public_project("HDH-2020-0001", "En retard")
    Project.objects.filter(pk=project.pk).update(
        stage_due_on=clocks.hub_today() - timedelta(days=5)
    )
    return project


def sign_in(page, user, *, staff: bool) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    if staff:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.locator("input[name=code]").fill(totp_code(STAFF_TOTP_SECRET))
        page.locator("input[name=code]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


def extend_deadline(page, clock: str, reason: str) -> None:
    """Extends a deadline from the change page's clock panel, with its reason."""
    page.locator(f"textarea#extend-reason-{clock}").fill(reason)
    with page.expect_navigation():
        page.locator(f'#clock button[value="{clock}"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#clock")).to_contain_text(reason)


def english_date(day) -> str:
    with translation.override("en"):
        return formats.date_format(day, "DATE_FORMAT")


@pytest.mark.browser
def test_reviewer_sees_days_left_extends_a_deadline_and_the_sponsor_reads_it(
    page, admin_page, assert_accessible, submitted, late, owner, reviewer
):
    sign_in(admin_page, reviewer, staff=True)
    admin_page.goto("/admin/projects/project/")
    row = admin_page.locator("#result_list tbody tr", has_text=submitted.reference)
    expect(row.locator(".clock.clock-on-time")).to_have_text("15 days left")
    late_row = admin_page.locator("#result_list tbody tr", has_text=late.reference)
    expect(late_row.locator(".clock.clock-overdue")).to_have_text("5 days late")

    row.get_by_role("link", name=submitted.reference).click()
    panel = admin_page.locator("#clock")
    expect(panel).to_contain_text("Overall decision")
    extend_deadline(admin_page, "decision", REASON)
    extension = DeadlineExtension.objects.get(project=submitted)
    assert extension.granted_by == reviewer
    project = Project.objects.get(pk=submitted.pk)

    sign_in(page, owner, staff=False)
    page.goto(project.get_absolute_url())
    box = page.locator("#clock")
    expect(box).to_contain_text(f"The hub must answer by {english_date(project.stage_due_on)}.")
    expect(box).to_contain_text(
        f"The decision on your application is due by {english_date(project.decision_due_on)}."
    )
    expect(page.get_by_text(REASON).first).to_be_visible()
    assert_accessible(page)
