"""End to end: a new sponsor signs up (accepting the terms), confirms their address,
which signs them in, and submits an application.

The browser speaks French, the portal's default language, so fields are found by
their name or id rather than by their translated labels. Axe (WCAG 2.1 A and AA)
checks every page on the way.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from projects.models import Project, Status, Theme
from tests.projects.files import PDF_BYTES

EMAIL = "dora@chu-est.example"
PASSWORD = "correct horse battery staple"
TITLE = "Parcours de soins des patients diabétiques"
SPONSOR = "CHU Est"
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


@pytest.fixture
def locale():
    """French, the portal's default language."""
    return "fr-FR"


@pytest.fixture
def theme(transactional_db):
    """A theme to tick. Migrations seed the themes, but an earlier transactional test
    may have flushed them."""
    theme, _created = Theme.objects.get_or_create(
        slug="ai", defaults={"name": "Intelligence artificielle"}
    )
    return theme


@pytest.fixture
def protocol_pdf(tmp_path):
    path = tmp_path / "protocole.pdf"
    path.write_bytes(PDF_BYTES)
    return path


@pytest.mark.browser
def test_new_sponsor_signs_up_confirms_email_and_submits_an_application(
    page, assert_accessible, theme, protocol_pdf
):
    # A visitor opens the portal and signs up.
    page.goto("/")
    page.goto("/accounts/signup/")
    assert_accessible(page)
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("input[name=accept_terms]").check()
    page.locator("form[action='/accounts/signup/'] [type=submit]").click()
    # "Check your inbox": the account works once the address is confirmed.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    assert_accessible(page)

    # The confirmation email carries the link; the page behind it asks to confirm,
    # and confirming signs the new sponsor in.
    emails = [email for email in mail.outbox if EMAIL in email.to]
    assert len(emails) == 1
    link = CONFIRMATION_LINK.search(emails[0].body)
    assert link, emails[0].body
    page.goto(link.group(0))
    assert_accessible(page)
    page.locator("main form [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/confirm-email/"))

    # My projects: none yet, and a button to start an application.
    page.goto("/my/")
    expect(page.locator("main table")).to_have_count(0)
    assert_accessible(page)
    page.locator("main a[href='/my/projects/new/']").click()
    expect(page).to_have_url(re.compile(r"/my/projects/new/$"))
    assert_accessible(page)

    # A first draft with a title and a new sponsor organisation.
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_new_sponsor").fill(SPONSOR)
    page.locator("#id_new_sponsor_identifier_kind").select_option("siren")
    page.locator("#id_new_sponsor_identifier").fill("180 092 025")
    page.locator("button[name=save]").click()
    expect(page).to_have_url(re.compile(r"/my/projects/\d+/edit/$"))
    expect(page.locator(".messages .alert-success")).to_be_visible()
    project = Project.objects.get(title=TITLE)
    assert project.status == Status.DRAFT
    assert project.sponsor.name == SPONSOR
    assert_accessible(page)

    # Every section the submission needs, and the protocol.
    page.locator("#id_summary").fill("Étude des parcours de soins de 2015 à 2022.")
    page.locator("#id_purpose").fill("Améliorer la prise en charge du diabète de type 2.")
    page.locator("#id_methodology").fill("Cohorte rétrospective appariée ; analyse de survie.")
    page.locator("#id_expected_results").fill("Deux publications et un rapport public.")
    page.locator(f"input[name=themes][value='{theme.pk}']").check()
    page.locator("#id_planned_start").fill("2027-01-01")
    page.locator("#id_duration_months").fill("24")
    page.locator("#id_funding").fill("Agence nationale de la recherche")
    page.locator("select[name=bases-0-base]").select_option(label="ESME")
    page.locator("[name=bases-0-justification]").fill("Données de vie réelle en oncologie.")
    page.locator("[name=bases-0-period_start]").fill("2015-01-01")
    page.locator("[name=bases-0-period_end]").fill("2022-12-31")
    page.locator("input[name=protocol]").set_input_files(protocol_pdf)
    # What the EHDS regulation asks of a data access application.
    page.locator("#id_data_users").fill("Dora Martin (CHU Est), épidémiologiste.")
    page.locator("#id_environment_0").check()
    page.locator("#id_planned_outputs").fill("Tableaux agrégés et figures.")
    page.locator("#id_legal_route").select_option("cnil")
    page.locator("#id_accepts_no_reidentification").check()
    page.locator("#id_accepts_no_harm").check()
    page.locator("button[name=submit]").click()

    # The project page shows the reference given at submission.
    expect(page).to_have_url(re.compile(rf"/my/projects/{project.pk}/$"))
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text(re.compile(r"HDH-\d{4}-\d{4}"))
    assert_accessible(page)

    project.refresh_from_db()
    assert project.status == Status.SUBMITTED
    assert re.fullmatch(r"HDH-\d{4}-\d{4}", project.reference)
    assert list(project.versions.values_list("number", flat=True)) == [1]
    assert project.attachments.count() == 1
    assert list(project.themes.all()) == [theme]
