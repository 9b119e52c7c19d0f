"""End to end: the hub reviews an application in the admin while its sponsor answers.

A reviewer asks for changes through the admin's transition buttons, the owner
reads the reason on the project page and resubmits, and the reviewer then takes
the project through the opinion, the authorisation (which must be on record
before the approval, and is then on the public page) and the data holders'
agreement to its launch. Axe (WCAG 2.1 A and AA) checks the sponsor's pages;
the Django admin is Django's own UI and is not audited here.
"""

import re

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from projects.models import Authorisation, Decision, Opinion, Project, Status
from projects.services import project_submit
from tests.conftest import STAFF_TOTP_SECRET, totp_code
from tests.projects.conftest import complete

PASSWORD = "correct horse battery staple"
REASON = "Please describe how the cohort is matched, and the statistical plan."
NEW_METHODOLOGY = "Cohorte rétrospective appariée sur l'âge et le sexe ; analyse de survie."
REJECTION = "The purpose serves a single company's product, not a public interest."


@pytest.fixture
def locale():
    """English, so that the admin's labels are predictable."""
    return "en-US"


@pytest.fixture
def submitted(owner, member, organisation) -> Project:
    project = complete(owner=owner, member=member, organisation=organisation)
    return project_submit(project=project, actor=owner)


def english(text) -> str:
    with translation.override("en"):
        return str(text)


def sign_in_to_admin(page, user) -> None:
    """Through the site's sign-in, then the authenticator app's code: the admin's own
    form hands over to it."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/$"))
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(totp_code(STAFF_TOTP_SECRET))
    page.locator("input[name=code]").press("Enter")
    expect(page.locator("#user-tools")).to_be_visible()


def sign_in_as_sponsor(page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def transition(page, project: Project, to: str, reason: str = "") -> None:
    """Clicks the admin's button towards `to` and waits for the confirmation."""
    label = english(Status(to).label)
    if reason:
        page.locator(f"textarea#reason-{to}").fill(reason)
    with page.expect_navigation():
        page.locator(f'#transitions button[value="{to}"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text(label)
    expect(page.locator(".field-status .readonly")).to_have_text(label)
    project.refresh_from_db()
    assert project.status == to


def record_opinion(page, *, given_on: str) -> None:
    """Records a favourable CESREES opinion in the change page's inline, and saves."""
    page.locator("#opinion-group .add-row a").click()
    page.locator("select[name=opinion-0-verdict]").select_option(Opinion.Verdict.FAVOURABLE)
    page.locator("input[name=opinion-0-given_on]").fill(given_on)
    save_and_continue(page)


def record_cnil_decision(page, *, number: str, decided_on: str) -> None:
    """Records the CNIL decision (DR-YYYY-NNN and its date) in the inline, and saves."""
    page.locator("#authorisation-group .add-row a").click()
    page.locator("select[name=authorisation-0-kind]").select_option(Authorisation.Kind.CNIL)
    page.locator("input[name=authorisation-0-decision_number]").fill(number)
    page.locator("input[name=authorisation-0-decided_on]").fill(decided_on)
    save_and_continue(page)


def save_and_continue(page) -> None:
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()


@pytest.mark.browser
def test_reviewer_requests_changes_sponsor_resubmits_and_project_is_launched(
    page,
    admin_page,
    assert_accessible,
    django_db_serialized_rollback,
    submitted,
    owner,
    member,
    reviewer,
):
    project = submitted
    mail.outbox.clear()

    # The reviewer finds the application in the change list by its reference.
    sign_in_to_admin(admin_page, reviewer)
    admin_page.goto("/admin/projects/project/")
    admin_page.locator("#searchbar").fill(project.reference)
    admin_page.locator("#searchbar").press("Enter")
    results = admin_page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    results.get_by_role("link", name=project.reference).click()
    expect(admin_page).to_have_url(re.compile(rf"/admin/projects/project/{project.pk}/change/"))
    change_url = admin_page.url

    # Changes requested, with a reason: the team gets it by email.
    transition(admin_page, project, Status.CHANGES_REQUESTED, reason=REASON)
    emails = [email for email in mail.outbox if project.reference in email.subject]
    assert {address for email in emails for address in email.to} == {owner.email, member.email}
    assert all(REASON in email.body for email in emails)

    # The owner reads the hub's reason on the project page.
    sign_in_as_sponsor(page, owner)
    page.goto(project.get_absolute_url())
    status = page.locator(f".badge.status-{Status.CHANGES_REQUESTED}")
    expect(status).to_have_text(english(Status.CHANGES_REQUESTED.label))
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    expect(timeline).to_contain_text(REASON)
    assert_accessible(page)

    # ... edits the methodology and resubmits.
    # The hub's request stands at the top of the page, with its way to the form.
    request = page.locator("#hub-request")
    expect(request).to_contain_text(REASON)
    request.locator(f'a[href$="/my/projects/{project.pk}/edit/"]').click()
    expect(page).to_have_url(re.compile(rf"/my/projects/{project.pk}/edit/$"))
    assert_accessible(page)
    page.locator("textarea#id_methodology").fill(NEW_METHODOLOGY)
    page.locator('button[name="submit"]').click()
    expect(page).to_have_url(re.compile(rf"/my/projects/{project.pk}/$"))
    expect(page.locator(f".badge.status-{Status.SUBMITTED}")).to_be_visible()
    versions = page.locator("section[aria-labelledby=versions-heading]")
    expect(versions.locator(f'a[href$="/my/projects/{project.pk}/versions/2/"]')).to_be_visible()
    assert_accessible(page)
    project.refresh_from_db()
    assert project.status == Status.SUBMITTED
    assert project.methodology == NEW_METHODOLOGY
    assert list(project.versions.values_list("number", flat=True)) == [1, 2]

    # Back in the admin: admissible, then the CESREES opinion is recorded.
    admin_page.goto(change_url)
    transition(admin_page, project, Status.UNDER_REVIEW)
    record_opinion(admin_page, given_on="2026-03-02")
    assert Opinion.objects.get(project=project).verdict == Opinion.Verdict.FAVOURABLE

    transition(admin_page, project, Status.AWAITING_AUTHORISATION)

    # No approval without the authorisation on record: the form says what is missing.
    approve = admin_page.locator(f'#transitions button[value="{Status.APPROVED}"]')
    expect(approve).to_be_disabled()
    expect(admin_page.locator(f"#missing-{Status.APPROVED}")).to_contain_text(
        "The authorisation is not recorded"
    )
    # The CNIL decision is recorded, its number typed loosely, then the project approved.
    record_cnil_decision(admin_page, number=" dr-2026-104", decided_on="2026-04-02")
    assert Authorisation.objects.get(project=project).decision_number == "DR-2026-104"
    transition(admin_page, project, Status.APPROVED)
    page.goto(f"/projects/{project.reference}/")
    expect(page.locator("#authorisation")).to_contain_text("DR-2026-104")
    assert_accessible(page)

    # Every data holder agrees, recorded in the inline.
    decisions = admin_page.locator("#requested_bases-group select[name$='-decision']")
    expect(decisions).to_have_count(project.requested_bases.count())
    for index in range(decisions.count()):
        decisions.nth(index).select_option(Decision.AGREED)
    save_and_continue(admin_page)
    assert set(project.requested_bases.values_list("decision", flat=True)) == {Decision.AGREED}

    transition(admin_page, project, Status.IN_PROGRESS)
    assert project.launched_on is not None


@pytest.mark.browser
def test_reviewer_rejects_on_a_ground_after_confirming_and_the_sponsor_reads_it(
    page, admin_page, assert_accessible, django_db_serialized_rollback, submitted, owner, reviewer
):
    project = submitted
    sign_in_to_admin(admin_page, reviewer)
    admin_page.goto(f"/admin/projects/project/{project.pk}/change/")
    transition(admin_page, project, Status.UNDER_REVIEW)

    form = admin_page.locator(f"#transition-{Status.REJECTED}")
    expect(form.locator("h3")).to_have_text("Reject the application")
    form.locator("textarea#reason-rejected").fill(REJECTION)
    form.locator("select#ground-rejected").select_option("no_public_interest")
    # Without the confirmation the browser does not send the form.
    form.locator(f'button[value="{Status.REJECTED}"]').click()
    expect(form.locator("input#confirm-rejected:invalid")).to_have_count(1)
    project.refresh_from_db()
    assert project.status == Status.UNDER_REVIEW

    form.locator("input#confirm-rejected").check()
    transition(admin_page, project, Status.REJECTED)

    sign_in_as_sponsor(page, owner)
    page.goto(project.get_absolute_url())
    rejection = page.locator("#rejection")
    expect(rejection).to_contain_text("No public interest shown")
    expect(rejection).to_contain_text("only for a purpose of public interest")
    expect(rejection).to_contain_text(REJECTION)
    assert_accessible(page)
