"""End to end in Chromium: the language switcher keeps the page and its filters. A
French reader of the directory, filtered by a theme, switches to English: the same
filters at /en/, the themes named in English; a project's page stays English; the
switcher leads back to the French page. Axe checks each page."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from projects.models import Theme
from tests.factories import make_public_project as add

pytestmark = pytest.mark.browser

TITLE = "Intelligence artificielle sur les données du cancer"


@pytest.fixture
def locale():
    """A French browser: the switcher, not the browser, chooses English."""
    return "fr-FR"


@pytest.fixture
def project(demo_catalog):
    Theme.objects.update_or_create(
        slug="ai",
        defaults={"name": "Intelligence artificielle", "name_en": "Artificial intelligence"},
    )
    return add("HDH-2024-0102", TITLE, themes=["ai"], bases=["esme"], submitted_on=date(2024, 5, 1))


def switcher(page):
    return page.locator("#language-switcher a")


def test_the_switcher_keeps_the_page_and_its_filters(page, live_server, project, assert_accessible):
    page.goto("/projects/?theme=ai")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("checkbox", name="Intelligence artificielle (1)")).to_be_checked()

    switcher(page).click()

    expect(page).to_have_url(f"{live_server.url}/en/projects/?theme=ai")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Public directory of projects")
    expect(page.get_by_role("checkbox", name="Artificial intelligence (1)")).to_be_checked()
    expect(
        page.locator("#directory article .badge", has_text="Artificial intelligence")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=TITLE).click()

    expect(page).to_have_url(f"{live_server.url}/en/projects/{project.reference}/")
    expect(page.get_by_role("link", name="Artificial intelligence")).to_be_visible()
    assert_accessible(page)

    switcher(page).click()

    expect(page).to_have_url(f"{live_server.url}/projects/{project.reference}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Intelligence artificielle")).to_be_visible()


def test_the_switcher_follows_the_filters_chosen_in_place(page, live_server, project):
    """htmx swaps the results and pushes the filters into the address: the switcher,
    sent again with them, leads to the same filters in English."""
    page.goto("/projects/")
    page.get_by_role("checkbox", name=re.compile(r"^Intelligence artificielle \(")).check()
    expect(page).to_have_url(re.compile(r"theme=ai"))
    expect(switcher(page)).to_have_attribute("href", re.compile(r"^/en/projects/\?.*theme=ai"))

    switcher(page).click()

    expect(page).to_have_url(re.compile(r"/en/projects/\?.*theme=ai"))
    expect(page.get_by_role("checkbox", name="Artificial intelligence (1)")).to_be_checked()
