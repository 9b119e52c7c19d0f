"""End to end: a data holder decides, then the hub launches.

A member of Unicancer signs in, follows the header's "Data holder" link to the
request for ESME in an approved application, agrees with conditions, and sees the
decision in its history; the hub's reviewer then launches the project from the
admin, which the holder's agreement now allows. Axe (WCAG 2.1 A and AA) checks
every page of the holder's side, in French and in English, a form with its errors
included.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from catalog.models import DataHolder
from projects import holders, services
from projects.models import Decision, HolderDecision, HolderInvitation, Project, Status
from tests.browser.test_review_flow import sign_in_as_sponsor, sign_in_to_admin, transition
from tests.factories import record_evidence
from tests.projects.conftest import complete

CONDITIONS = "Données restituées sans les codes des centres ; relecture avant publication."


@pytest.fixture
def approved(owner, member, organisation, reviewer) -> Project:
    """Approved, asking for ESME (Unicancer's): only the holder's agreement is missing."""
    project = complete(owner=owner, member=member, organisation=organisation)
    services.project_submit(project=project, actor=owner)
    record_evidence(project)
    for to in [Status.UNDER_REVIEW, Status.AWAITING_AUTHORISATION, Status.APPROVED]:
        services.project_transition(project=project, actor=reviewer, to=to)
    return Project.objects.get(pk=project.pk)


@pytest.fixture
def admin_page(browser, live_server):
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def locale():
    return "en-GB"


@pytest.mark.browser
def test_a_holder_agrees_with_conditions_and_the_reviewer_launches_the_project(
    page, admin_page, assert_accessible, approved, holder_member, reviewer, owner
):
    requested = approved.requested_bases.get()
    mail.outbox.clear()

    # The holder signs in and finds the request through the header.
    sign_in_as_sponsor(page, holder_member)
    page.locator("header").get_by_role("link", name="Data holder").click()
    expect(page).to_have_url(re.compile(r"/holder/$"))
    assert_accessible(page)
    page.locator("main table").get_by_role("link", name=approved.title).click()
    expect(page).to_have_url(re.compile(rf"/holder/requests/{requested.pk}/$"))
    expect(page.locator("main")).to_contain_text("Données de vie réelle.")  # its justification
    assert_accessible(page)

    # Agreeing with conditions without writing them is refused, the choice kept.
    page.get_by_label("Agree, with conditions").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("main")).to_contain_text("Write the conditions of the agreement.")
    expect(page.get_by_label("Agree, with conditions")).to_be_checked()
    assert_accessible(page)

    page.get_by_label("Conditions, or the reason for a refusal").fill(CONDITIONS)
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(re.compile(rf"/holder/requests/{requested.pk}/$"))
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("#history-heading + ol")).to_contain_text("Agreed with conditions")
    assert_accessible(page)
    decision = HolderDecision.objects.get()
    assert (decision.decision, decision.note, decision.recorded_by) == (
        Decision.AGREED_WITH_CONDITIONS,
        CONDITIONS,
        holder_member,
    )
    assert owner.email in {address for email in mail.outbox for address in email.to}

    # The reviewer launches the project: the holder's agreement lets it through.
    sign_in_to_admin(admin_page, reviewer)
    admin_page.goto(f"/admin/projects/project/{approved.pk}/change/")
    expect(admin_page.locator("#summary-holders")).to_contain_text("agreed with conditions")
    transition(admin_page, approved, Status.IN_PROGRESS)
    assert list(approved.events.values_list("action", flat=True))[-2:] == [
        "holder_agreed_with_conditions",
        "launched",
    ]

    # Launched, the holder's decision no longer changes; the delivery may be recorded.
    page.reload()
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    expect(page.get_by_role("button", name="Record the delivery")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_every_holder_page_passes_axe(page, assert_accessible, approved, holder_member, locale):
    requested = approved.requested_bases.get()
    holders.requested_base_decide(
        requested=requested, actor=holder_member, decision=Decision.AGREED
    )
    invitation = HolderInvitation.objects.create(
        holder=DataHolder.objects.get(acronym="Unicancer"),
        email=holder_member.email,
        invited_by=holder_member,
    )
    token = services.signing.dumps(invitation.pk, salt=holders.HOLDER_INVITATION_SALT)
    sign_in_as_sponsor(page, holder_member)

    for path in [
        "/holder/",
        "/holder/?queue=to_deliver",
        f"/holder/requests/{requested.pk}/",
        "/holder/members/",
        "/holder/bases/esme/",
        f"/holder/join/{token}/",
    ]:
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        assert_accessible(page)

    # Forms with their errors: a bad invitation, a bad proposal, a bad delivery date.
    page.goto("/holder/members/")
    page.locator("main form input[name=email]").fill("not an address")
    page.locator("main form [type=submit]").click()
    expect(page.locator("main .invalid-feedback")).to_be_visible()
    assert_accessible(page)
    page.goto("/holder/bases/esme/")
    page.locator("input[name=milestone_transfer]").fill("2999-01-01")
    page.locator("main form [type=submit]").click()
    expect(
        page.locator("main form .invalid-feedback, main form .text-danger").first
    ).to_be_visible()
    assert_accessible(page)
    page.goto(f"/holder/requests/{requested.pk}/")
    page.locator("input[name=delivered_on]").fill("2999-01-01")
    page.locator("form[action$='/deliver/'] [type=submit]").click()
    expect(page.locator("main form .text-danger")).to_be_visible()
    assert_accessible(page)
