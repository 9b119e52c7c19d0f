"""End to end: the open library of algorithms in Chromium, in French and English:
search and filter, a card, an earlier version; axe (WCAG 2.1 A and AA) on each."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from projects.models import Status, Theme
from tests.factories import declare_version, make_published_algorithm, publish_version
from tests.factories import make_public_project as add

pytestmark = pytest.mark.browser


@pytest.fixture
def library(demo_catalog):
    # The themes come from a data migration; an earlier transactional test may have
    # flushed them.
    for slug, name in [("boas", "BOAS"), ("prevention", "Prévention")]:
        Theme.objects.get_or_create(slug=slug, defaults={"name": name})
    retina = add(
        "HDH-2024-0201",
        "Rétinopathie diabétique",
        themes=["boas"],
        bases=["esme"],
        status=Status.IN_PROGRESS,
    )
    falls = add(
        "HDH-2023-0202", "Chutes", themes=["prevention"], bases=["oscour"], status="completed"
    )
    purpose = "Repérer la rétinopathie chez les patients atteints de diabète."
    retinoscan = make_published_algorithm(
        retina, "RétinoScan", bases=["esme"], purpose=purpose, at=datetime(2024, 3, 1, tzinfo=UTC)
    )
    publish_version(
        declare_version(
            retinoscan, "1.1", bases=["esme", "bndmr"], purpose=purpose, licence="MIT OR Apache-2.0"
        ),
        at=datetime(2025, 2, 1, 10, tzinfo=UTC),
    )
    make_published_algorithm(
        falls, "PréviChute", bases=["oscour"], purpose="Prévenir les chutes.", licence="MIT"
    )


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_searching_and_filtering_the_library(page, assert_accessible, library):
    page.goto("/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Algorithmes", exact=True
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bibliothèque ouverte d'algorithmes en santé"
    )
    expect(page.locator("article h2 a")).to_have_text(["PréviChute", "RétinoScan"])
    assert_accessible(page)

    form = page.get_by_role("search", name="Filtrer les algorithmes")
    form.get_by_label("Recherche").fill("diabétique")
    form.get_by_label("Licence").select_option(label="MIT OR Apache-2.0 (1)")
    form.get_by_role("button", name="Filtrer").click()

    page.wait_for_url(re.compile(r"/algorithms/\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == ["diabétique"] and query["licence"] == ["MIT OR Apache-2.0"]
    expect(page.locator("article h2 a")).to_have_text(["RétinoScan"])
    expect(page.get_by_text("1 algorithme", exact=True)).to_be_visible()
    assert_accessible(page)


def test_a_card_and_its_earlier_version(page, assert_accessible, library):
    page.goto("/algorithms/retinoscan/")

    expect(page.get_by_role("heading", level=1)).to_have_text("RétinoScan")
    licence = page.locator("#licence")
    expect(licence.get_by_role("link", name="MIT", exact=True)).to_have_attribute(
        "href", "https://spdx.org/licenses/MIT.html"
    )
    expect(licence.get_by_role("link", name="Apache-2.0")).to_have_attribute(
        "href", "https://spdx.org/licenses/Apache-2.0.html"
    )
    expect(page.get_by_role("link", name="BNDMR")).to_have_attribute(
        "href", re.compile(r"^(/en)?/catalog/bndmr/$")
    )
    assert_accessible(page)

    page.get_by_role("region", name="Published versions").get_by_role(
        "link", name="Version 1.0"
    ).click()

    page.wait_for_url("**/algorithms/retinoscan/versions/1.0/")
    expect(page.locator("#earlier-version")).to_contain_text("Earlier version, published on")
    expect(page.get_by_role("link", name="BNDMR")).to_have_count(0)
    assert_accessible(page)
