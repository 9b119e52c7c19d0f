"""End-to-end tests of the public pages in a real Chromium, with axe (WCAG 2.1 A and AA)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import expect

from catalog.models import Base, Milestone

pytestmark = pytest.mark.browser


def test_home_page_shows_heading_and_main_navigation(page, assert_accessible):
    page.goto("/")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Health data for research in the public interest"
    )
    navigation = page.get_by_role("navigation", name="Main navigation")
    for name in ["Catalog", "Projects", "Statistics", "Sign in"]:
        expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(page)


def test_catalog_lists_the_seven_bases_and_milestone_counts(page, assert_accessible):
    page.goto("/catalog/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Catalog of bases")
    expect(page.locator("article.base-card")).to_have_count(7)
    expect(page.get_by_text("7 bases found")).to_be_visible()
    counts = page.get_by_role("region", name="Milestones reached").get_by_role("listitem")
    expect(counts).to_have_text(
        [
            re.compile(r"^\s*5\s*/ 7\s+Contract signed\s*$"),
            re.compile(r"^\s*7\s*/ 7\s+Documentation\s*$"),
            re.compile(r"^\s*6\s*/ 7\s+Data preparation\s*$"),
            re.compile(r"^\s*5\s*/ 7\s+Transfer channel\s*$"),
        ]
    )
    assert_accessible(page)


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_catalog_filter_form_keeps_matching_bases(page, assert_accessible):
    expected = set(
        Base.objects.search("cancer")
        .having_reached(Milestone.Kind.TRANSFER)
        .values_list("acronym", flat=True)
    )
    assert expected, "the demo catalog should have a cancer base with a transfer channel"
    assert len(expected) < Base.objects.count()

    page.goto("/catalog/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    form = page.get_by_role("search", name="Filtrer le catalogue")
    form.get_by_label("Recherche").fill("cancer")
    form.get_by_label("Jalon atteint").select_option(label="Canal de transfert")
    form.get_by_role("button", name="Filtrer").click()

    page.wait_for_url(re.compile(r"/catalog/\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == ["cancer"]
    assert query["milestone"] == ["transfer"]
    titles = page.locator("article.base-card h2 a")
    expect(titles).to_have_count(len(expected))
    assert set(titles.all_inner_texts()) == expected
    # The form shows the entries it was submitted with.
    expect(form.get_by_label("Recherche")).to_have_value("cancer")
    expect(form.get_by_label("Jalon atteint")).to_have_value("transfer")
    assert_accessible(page)


def test_base_page_shows_the_milestone_timeline(page, assert_accessible):
    base = Base.objects.get(slug="esme")
    reached = list(base.milestones.order_by("reached_on"))
    with translation.override("en"):
        labels = {kind: str(label) for kind, label in Milestone.Kind.choices}

    page.goto("/catalog/esme/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("ESME")
    timeline = page.get_by_role("region", name="Onboarding milestones")
    steps = timeline.get_by_role("listitem")
    expect(steps).to_have_count(len(Milestone.Kind.choices))
    expect(timeline.locator("li.reached strong")).to_have_text(
        [labels[milestone.kind] for milestone in reached]
    )
    expect(timeline.locator("li.reached time")).to_have_count(len(reached))
    for milestone in reached:
        expect(
            timeline.locator(f'time[datetime="{milestone.reached_on.isoformat()}"]')
        ).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/stats/", "Statistics"),
        ("/projects/", None),
        ("/accounts/login/", None),
        ("/accounts/signup/", None),
        ("/privacy/", "Personal data notice"),
        ("/terms/", "Terms of use"),
        ("/catalog/does-not-exist/", "Page not found"),
    ],
    ids=["statistics", "projects", "sign-in", "sign-up", "privacy", "terms", "not-found"],
)
def test_other_pages_pass_axe(page, assert_accessible, path, heading):
    response = page.goto(path)

    assert response.status == (404 if heading == "Page not found" else 200)
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    else:
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_language_switcher_brings_the_page_in_english(page, assert_accessible):
    page.goto("/catalog/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des bases")

    page.get_by_role("link", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalog of bases")
    assert urlsplit(page.url).path == "/en/catalog/"
    assert_accessible(page)


def test_tab_first_focuses_the_skip_link_to_main(page):
    page.goto("/")

    page.keyboard.press("Tab")

    focused = page.locator(":focus")
    expect(focused).to_have_attribute("href", "#main")
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_be_visible()
    focused.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
