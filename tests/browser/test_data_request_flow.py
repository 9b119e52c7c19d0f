"""End to end: a data request (EHDS Art. 69) from its draft to its result.

The sponsor starts a data request from "My projects", fills the short form and
submits it; a reviewer declares it admissible, accepts it, delivers the statistics
file in the admin and completes it; the sponsor is emailed and downloads the file
from the project page; the public directory lists it under the kind "data request".
Axe (WCAG 2.1 A and AA) checks the sponsor's and the public's pages; the Django admin
is Django's own UI and is not audited here.
"""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from catalog.models import Base
from projects import snapshots
from projects.models import Delivery, Project, Status, Theme
from tests.browser.test_review_flow import sign_in_as_sponsor, sign_in_to_admin, transition

TITLE = "Passages aux urgences pour asthme chez l'enfant, par région"
WANTED = "Nombre de passages par année (2018 à 2023), région et classe d'âge."
NOTE = "Cellules de moins de 11 passages masquées."
# The sponsor's and the public's pages speak French at their unprefixed addresses once
# English has its own (/en/); either wording is the kind's label.
DATA_REQUEST = re.compile(r"^(Data request|Demande de statistiques)$")
CSV_TEXT = "année;région;passages\n2023;Occitanie;1 204\n2023;Bretagne;876\n"


@pytest.fixture
def locale():
    return "en-US"


@pytest.mark.browser
def test_a_data_request_from_draft_to_its_statistics(
    page,
    admin_page,
    assert_accessible,
    django_db_serialized_rollback,
    owner,
    member,
    organisation,
    reviewer,
    tmp_path,
):
    theme = Theme.objects.get(slug="prevention")
    oscour = Base.objects.get(slug="oscour")

    # The sponsor chooses a data request from "My projects".
    sign_in_as_sponsor(page, owner)
    page.goto("/my/")
    assert_accessible(page)
    page.locator("#new-request").click()
    expect(page).to_have_url(re.compile(r"/my/projects/new/\?kind=request$"))
    assert_accessible(page)

    # The short form: the question, its sponsor, themes and the base it is about.
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("Tableaux annuels pour une campagne de prévention.")
    page.locator("#id_purpose").fill("Cibler la prévention de l'asthme chez l'enfant.")
    page.locator("#id_sponsor").select_option(str(organisation.pk))
    page.locator(f"input[name=themes][value='{theme.pk}']").check()
    page.locator("select[name=bases-0-base]").select_option(str(oscour.pk))
    page.locator("[name=bases-0-justification]").fill("Seule source sur les urgences.")
    page.locator("[name=bases-0-period_start]").fill("2018-01-01")
    page.locator("[name=bases-0-period_end]").fill("2023-12-31")
    page.locator("#id_statistics_wanted").fill(WANTED)
    # Nothing of an access application is asked: no methodology, schedule, protocol.
    for absent in ("#id_methodology", "#id_planned_start", "#id_legal_route", "#id_data_users"):
        expect(page.locator(absent)).to_have_count(0)
    page.locator("button[name=save]").click()
    expect(page).to_have_url(re.compile(r"/my/projects/\d+/edit/$"))
    project = Project.objects.get(title=TITLE)
    assert project.kind == Project.Kind.REQUEST
    assert project.status == Status.DRAFT
    assert snapshots.submission_problems(project) == {}

    page.locator("button[name=submit]").click()
    expect(page).to_have_url(re.compile(rf"/my/projects/{project.pk}/$"))
    expect(page.locator("#project-kind")).to_have_text(DATA_REQUEST)
    assert_accessible(page)
    project.refresh_from_db()
    assert project.status == Status.SUBMITTED
    assert project.statistics_wanted == WANTED

    # The reviewer: admissible, then accepted; no opinion, no authorisation, no holder.
    sign_in_to_admin(admin_page, reviewer)
    change = f"/admin/projects/project/{project.pk}/change/"
    admin_page.goto(change)
    expect(admin_page.locator("#requested_bases-group")).to_have_count(0)
    transition(admin_page, project, Status.UNDER_REVIEW)
    assert (
        admin_page.locator(f'#transitions button[value="{Status.AWAITING_AUTHORISATION}"]').count()
        == 0
    )
    transition(admin_page, project, Status.IN_PROGRESS)

    # Completing waits for the statistics.
    complete = admin_page.locator(f'#transitions button[value="{Status.COMPLETED}"]')
    expect(complete).to_be_disabled()
    expect(admin_page.locator(f"#missing-{Status.COMPLETED}")).to_contain_text(
        "No statistics are delivered yet"
    )

    # A binary file is refused, with the reason, on the same page.
    admin_page.locator("#deliver-link").click()
    binary = tmp_path / "tableaux.csv"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64)
    admin_page.locator("input[name=file]").set_input_files(str(binary))
    with admin_page.expect_navigation():
        admin_page.locator("#delivery-form input[type=submit]").click()
    expect(admin_page.locator(".errorlist")).to_contain_text("is not a CSV file")
    assert Delivery.objects.count() == 0

    # The CSV file, with a note to the team.
    statistics = tmp_path / "passages-asthme.csv"
    statistics.write_text(CSV_TEXT, encoding="utf-8")
    mail.outbox.clear()
    admin_page.locator("input[name=file]").set_input_files(str(statistics))
    admin_page.locator("textarea[name=note]").fill(NOTE)
    with admin_page.expect_navigation():
        admin_page.locator("#delivery-form input[type=submit]").click()
    expect(admin_page.locator(".messagelist .success")).to_contain_text("passages-asthme.csv")
    delivery = Delivery.objects.get(project=project)
    assert delivery.note == NOTE

    # The team is emailed; the reviewer completes the request.
    # (The team is its owner: the organisation's other member is not on it.)
    assert [email.to for email in mail.outbox] == [[owner.email]]
    assert NOTE in mail.outbox[0].body
    transition(admin_page, project, Status.COMPLETED)

    # The sponsor reads the note and downloads the file from the project page.
    page.goto(project.get_absolute_url())
    block = page.locator("#statistics")
    expect(block).to_contain_text(NOTE)
    assert_accessible(page)
    with page.expect_download() as download:
        block.get_by_role("link", name="passages-asthme.csv").click()
    assert download.value.suggested_filename == "passages-asthme.csv"
    assert Path(download.value.path()).read_text(encoding="utf-8") == CSV_TEXT

    # The public directory lists it under the kind "data request", the file never.
    page.goto("/projects/?kind=request")
    row = page.locator("article", has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row.locator(".badge.text-bg-info")).to_have_text(DATA_REQUEST)
    assert_accessible(page)
    page.goto(f"/projects/{project.reference}/")
    expect(page.locator("#project-kind")).to_have_text(DATA_REQUEST)
    expect(page.locator("main")).not_to_contain_text(NOTE)
    assert_accessible(page)
