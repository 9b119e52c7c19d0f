"""End to end: the sponsor team declares a result and an algorithm, a reviewer publishes
both in the admin, and the public sees them on the project's page and in the open
library of algorithms. Axe (WCAG 2.1 A and AA) checks the sponsor's and the public's
pages; the Django admin is Django's own UI and is not audited here."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from projects.models import AlgorithmVersion, Result, ReviewState
from tests.browser.conftest import watch
from tests.browser.test_review_flow import sign_in_as_sponsor, sign_in_to_admin

TITLE = "Délais de coloscopie après un test positif"
DOI = "10.1016/j.gie.2026.04.012"
ALGORITHM = "Score de risque de non-participation au dépistage"


@pytest.fixture
def locale():
    return "en-US"


def publish(admin_page, model: str, label: str) -> None:
    """Opens the item awaiting review in the admin's list, and publishes it."""
    admin_page.goto(f"/admin/projects/{model}/?state__exact=pending")
    admin_page.locator("#result_list tbody tr").get_by_role("link").first.click()
    expect(admin_page.locator("#content")).to_contain_text(label)
    with admin_page.expect_navigation():
        admin_page.locator("input[name=_publish]").click()
    expect(admin_page.locator(".messagelist .success")).to_be_visible()


@pytest.mark.browser
def test_a_declared_result_and_algorithm_become_public_after_review(
    page,
    admin_page,
    assert_accessible,
    csp_errors,
    served_documents,
    django_db_serialized_rollback,
    running,
    owner,
    reviewer,
):
    mail.outbox.clear()
    sign_in_as_sponsor(page, owner)
    page.goto(running.get_absolute_url())
    results = page.locator("section[aria-labelledby=results]")
    expect(results).to_be_visible()

    # A publication, its DOI given as a link.
    results.get_by_role("link", name="Declare a result").click()
    assert_accessible(page)
    page.get_by_label("Publication").check()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("DOI").fill(f"https://doi.org/{DOI}")
    page.get_by_label("Journal or conference").fill("Gastrointestinal Endoscopy")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Declare the result").click()
    expect(page.locator(".alert-success")).to_contain_text("the hub reviews it")
    expect(results).to_contain_text(TITLE)
    expect(results.locator(".badge.review-pending").first).to_have_text("Awaiting the hub's review")
    assert_accessible(page)

    # An algorithm card, its licence given in lower case.
    results.get_by_role("link", name="Declare an algorithm").click()
    assert_accessible(page)
    fields = {
        "name": ALGORITHM,
        "version": "1.0",
        "purpose": "Repérer les personnes peu susceptibles de faire le test.",
        "intended_use": "Cibler les relances, jamais exclure.",
        "population": "Personnes de 50 à 74 ans, Occitanie, 2019–2024.",
        "inputs": "Âge, commune, participations passées.",
        "outputs": "Une probabilité de non-participation.",
        "performance": "AUC 0,71 sur la validation.",
        "metric": "AUC",
        "validation_data": "Campagne 2024, tenue à l'écart.",
        "limitations": "Moins fiable dans les communes de moins de 500 habitants.",
        "licence": "eupl-1.2",
        "repository_url": "https://gitlab.example/boas/depistage",
    }
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_label("ESME").check()
    page.get_by_role("button", name="Declare the algorithm").click()
    expect(page.locator(".alert-success")).to_contain_text("the hub reviews it")
    expect(results).to_contain_text(ALGORITHM)
    version = AlgorithmVersion.objects.get()
    assert version.licence == "EUPL-1.2"

    # Nothing is public before the review.
    public = page.context.browser.new_page(base_url=page.url.split("/my/")[0])
    watch(public, csp_errors, served_documents)
    public.goto(f"/projects/{running.reference}/")
    expect(public.locator("main")).not_to_contain_text(TITLE)
    response = public.goto(version.algorithm.get_absolute_url())
    assert response is not None and response.status == 404

    # The reviewer publishes both; the author is told of each.
    sign_in_to_admin(admin_page, reviewer)
    publish(admin_page, "result", TITLE)
    publish(admin_page, "algorithmversion", ALGORITHM)
    assert Result.objects.get().state == ReviewState.PUBLISHED
    told = [email for email in mail.outbox if email.to == [owner.email]]
    assert len(told) == 2 and all(running.reference in email.subject for email in told)

    # The public sees the publication on the project's page, the card in the library.
    public.goto(f"/projects/{running.reference}/")
    section = public.locator("#results")
    expect(section).to_contain_text(TITLE)
    expect(section.get_by_role("link", name=TITLE)).to_have_attribute(
        "href", f"https://doi.org/{DOI}"
    )
    assert_accessible(public)
    public.goto("/algorithms/")
    public.get_by_role("link", name=ALGORITHM).click()
    expect(public).to_have_url(re.compile(rf"/algorithms/{version.algorithm.slug}/$"))
    expect(public.locator("main")).to_contain_text("EUPL-1.2")
    expect(public.locator("main")).to_contain_text("AUC 0,71 sur la validation.")
    assert_accessible(public)
    public.close()
