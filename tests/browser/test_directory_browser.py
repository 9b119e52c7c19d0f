"""End to end: searching and filtering the public directory of projects in Chromium.

With JavaScript, htmx swaps the results in place and pushes the filters into the
address bar; without it, the same form is an ordinary GET form. Either way the URL
is the state. Axe (WCAG 2.1 A and AA) checks every distinct state of the page.
The browser speaks French, the portal's default language.
"""

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from projects.models import Status, Theme
from tests.browser.conftest import watch
from tests.factories import make_public_project as add

pytestmark = pytest.mark.browser

THEMES = {
    "ai": "Intelligence artificielle",
    "prevention": "Prévention",
    "health-environment": "Santé-environnement",
}
HEAT_WAVE = "Données des urgences pendant la canicule"
AI_CANCER = "Intelligence artificielle sur les données du cancer"
WAREHOUSE = "Entrepôt de données hospitalières"
BREAST_CANCER = "Cancer du sein métastatique : parcours"
# "donnees" (no accents) finds every project with "données"; the AI theme keeps two.
FOUND = {HEAT_WAVE, AI_CANCER, WAREHOUSE}
FILTERED = {AI_CANCER, WAREHOUSE}


@pytest.fixture
def locale():
    """French, the portal's default language."""
    return "fr-FR"


@pytest.fixture
def projects(demo_catalog):
    """Four public projects and a draft. The themes come from a data migration; an
    earlier transactional test may have flushed them."""
    if not all(Theme.objects.filter(slug=slug).exists() for slug in THEMES):
        for slug, name in THEMES.items():
            Theme.objects.get_or_create(slug=slug, defaults={"name": name})
    return {
        "heat": add(
            "HDH-2024-0101",
            HEAT_WAVE,
            summary="Étude des passages aux urgences.",
            themes=["health-environment"],
            bases=["oscour"],
            submitted_on=date(2024, 7, 1),
        ),
        "ai": add(
            "HDH-2024-0102",
            AI_CANCER,
            sponsor="Unicancer",
            themes=["ai"],
            bases=["esme"],
            submitted_on=date(2024, 5, 1),
        ),
        "warehouse": add(
            "HDH-2023-0103",
            WAREHOUSE,
            summary="Les données des hôpitaux au service de la prévention.",
            themes=["ai", "prevention"],
            bases=["esme", "bndmr"],
            status=Status.UNDER_REVIEW,
            submitted_on=date(2023, 2, 1),
        ),
        "cancer": add(
            "HDH-2023-0104",
            BREAST_CANCER,
            sponsor="Unicancer",
            themes=["ai"],
            bases=["esme"],
            status=Status.IN_PROGRESS,
            submitted_on=date(2023, 5, 1),
        ),
        "draft": add(
            "", "Brouillon secret sur des données", status=Status.DRAFT, submitted_on=None
        ),
    }


def search_form(page):
    return page.get_by_role("search", name="Filtrer les projets")


def theme_box(page, name):
    """A theme's checkbox, whose label carries its count: "Intelligence artificielle (2)"."""
    return search_form(page).get_by_role("checkbox", name=re.compile(rf"^{re.escape(name)} \("))


def result_titles(page):
    return page.locator("#directory article h2 a")


def listed(page) -> set[str]:
    return set(result_titles(page).all_inner_texts())


def assert_query(url, **expected):
    query = parse_qs(urlsplit(url).query)
    for key, values in expected.items():
        assert query.get(key) == values, f"{key} in {url}"


def is_htmx(request):
    return request.headers.get("hx-request") == "true"


def wait_for_htmx(page):
    """Until htmx has no request in flight (it marks the requesting element)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_search_then_filter_with_htmx_and_the_url_is_the_state(page, projects, assert_accessible):
    page.goto("/projects/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Répertoire public des projets")
    expect(result_titles(page)).to_have_count(4)
    expect(page.get_by_text("4 projets", exact=True)).to_be_visible()
    assert BREAST_CANCER in listed(page)
    assert "Brouillon secret sur des données" not in listed(page)
    assert_accessible(page)
    page.evaluate("window.__marker = 1")

    # The search, accents left out: htmx swaps the results in.
    with page.expect_request(lambda request: is_htmx(request) and "q=donnees" in request.url):
        search_form(page).get_by_label("Recherche").fill("donnees")
        search_form(page).get_by_label("Recherche").press("Enter")
    expect(result_titles(page)).to_have_count(len(FOUND))
    wait_for_htmx(page)
    assert listed(page) == FOUND
    expect(page.get_by_text("3 projets", exact=True)).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "the search reloaded the whole page"
    assert_query(page.url, q=["donnees"])
    expect(search_form(page).get_by_label("Recherche")).to_have_value("donnees")
    # The facets count what each theme would give within these results.
    expect(theme_box(page, "Intelligence artificielle")).to_have_accessible_name(
        "Intelligence artificielle (2)"
    )
    expect(theme_box(page, "Santé-environnement")).to_have_accessible_name(
        "Santé-environnement (1)"
    )
    assert_accessible(page)

    # Ticking a theme is enough: the change event sends the form.
    with page.expect_response(
        lambda response: is_htmx(response.request) and "theme=ai" in response.url
    ) as htmx_response:
        theme_box(page, "Intelligence artificielle").check()
    assert htmx_response.value.status == 200
    expect(result_titles(page)).to_have_count(len(FILTERED))
    wait_for_htmx(page)
    assert listed(page) == FILTERED
    assert page.evaluate("window.__marker") == 1, "the filter reloaded the whole page"
    # hx-push-url: the address bar carries every filter.
    expect(page).to_have_url(re.compile(r"/projects/\?.*theme=ai"))
    assert_query(page.url, q=["donnees"], theme=["ai"])
    expect(page.get_by_text("2 projets", exact=True)).to_be_visible()
    expect(theme_box(page, "Intelligence artificielle")).to_be_checked()
    expect(theme_box(page, "Intelligence artificielle")).to_have_accessible_name(
        "Intelligence artificielle (2)"
    )
    expect(theme_box(page, "Prévention")).to_have_accessible_name("Prévention (1)")
    expect(theme_box(page, "Santé-environnement")).to_have_accessible_name(
        "Santé-environnement (0)"
    )
    # Still one whole page, with its layout around the swapped results.
    expect(page.locator("#directory")).to_have_count(1)
    expect(page.locator("main h1")).to_have_count(1)
    assert_accessible(page)
    titles_in_order = result_titles(page).all_inner_texts()

    # The URL is the state: loading it again gives the same page, rendered whole.
    filtered_url = page.url
    response = page.reload()
    assert response.status == 200
    assert page.evaluate("window.__marker") is None, "expected a full reload"
    assert page.url == filtered_url
    expect(page.get_by_role("heading", level=1)).to_have_text("Répertoire public des projets")
    expect(result_titles(page)).to_have_text(titles_in_order)
    expect(search_form(page).get_by_label("Recherche")).to_have_value("donnees")
    expect(theme_box(page, "Intelligence artificielle")).to_be_checked()
    expect(page.get_by_text("2 projets", exact=True)).to_be_visible()


def new_page(browser, live_server, locale, csp_errors, served_documents, **options):
    """A page in a context of its own, its CSP errors and documents recorded as the
    `page` fixture does."""
    context = browser.new_context(locale=locale, base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    watch(page, csp_errors, served_documents)
    return page


def test_search_and_filter_without_javascript(
    browser,
    live_server,
    projects,
    locale,
    csp_errors,
    served_documents,
    assert_accessible,
    assert_valid_html,
):
    page = new_page(
        browser, live_server, locale, csp_errors, served_documents, java_script_enabled=False
    )
    htmx_requests = []
    page.on("request", lambda request: is_htmx(request) and htmx_requests.append(request.url))
    try:
        page.goto("/projects/")
        expect(result_titles(page)).to_have_count(4)

        search_form(page).get_by_label("Recherche").fill("donnees")
        theme_box(page, "Intelligence artificielle").check()
        with page.expect_navigation():
            search_form(page).get_by_role("button", name="Filtrer").click()

        assert_query(page.url, q=["donnees"], theme=["ai"])
        expect(result_titles(page)).to_have_count(len(FILTERED))
        assert listed(page) == FILTERED
        expect(page.get_by_text("2 projets", exact=True)).to_be_visible()
        expect(search_form(page).get_by_label("Recherche")).to_have_value("donnees")
        expect(theme_box(page, "Intelligence artificielle")).to_be_checked()
        expect(theme_box(page, "Prévention")).to_have_accessible_name("Prévention (1)")
        assert htmx_requests == []
        result_url, titles_in_order = page.url, result_titles(page).all_inner_texts()
    finally:
        page.context.close()

    # Axe waits on timers, which never fire where JavaScript is off. It checks the
    # same result in a page whose own scripts are all refused: what a visitor
    # without JavaScript gets (the pages have no inline script and no <noscript>).
    page = new_page(browser, live_server, locale, csp_errors, served_documents)
    blocked = []

    def without_scripts(route):
        if route.request.resource_type == "script":
            blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", without_scripts)
    try:
        page.goto(result_url)
        expect(result_titles(page)).to_have_text(titles_in_order)
        assert blocked, "the page's scripts should have been refused"
        assert page.evaluate("typeof window.htmx") == "undefined"
        assert_accessible(page)
    finally:
        page.context.close()
    assert not csp_errors, "\n".join(csp_errors)
    assert_valid_html()


def test_bad_parameters_give_a_page_with_a_message_never_an_error(
    page, projects, assert_accessible
):
    response = page.goto("/projects/?year=abc&page=999999&theme=nope")

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Répertoire public des projets")
    expect(page.get_by_role("status")).to_contain_text(
        "Certains filtres n'ont pas été compris et sont ignorés."
    )
    expect(result_titles(page)).to_have_count(0)
    expect(page.get_by_text("Aucun projet ne correspond à ces filtres.")).to_be_visible()
    assert_accessible(page)


def test_a_result_leads_to_the_public_page_and_back_and_an_unknown_reference_is_a_404(
    page, projects, assert_accessible
):
    page.goto("/projects/")
    with page.expect_request(lambda request: is_htmx(request) and "q=entrepot" in request.url):
        search_form(page).get_by_label("Recherche").fill("entrepot")
        search_form(page).get_by_label("Recherche").press("Enter")
    expect(result_titles(page)).to_have_text([WAREHOUSE])
    wait_for_htmx(page)
    results_url = page.url
    assert_query(results_url, q=["entrepot"])

    result_titles(page).first.click()

    expect(page).to_have_url(re.compile(r"/projects/HDH-2023-0103/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(WAREHOUSE)
    expect(
        page.get_by_text("Les données des hôpitaux au service de la prévention.")
    ).to_be_visible()
    breadcrumb = page.get_by_role("navigation", name="Fil d'Ariane")
    expect(breadcrumb.get_by_role("link", name="Répertoire public des projets")).to_be_visible()
    assert_accessible(page)

    # Back to the URL htmx pushed: the whole page again, never the bare fragment
    # the browser fetched for htmx at that same URL.
    page.go_back()
    assert page.url == results_url
    expect(page.get_by_role("heading", level=1)).to_have_text("Répertoire public des projets")
    expect(page.get_by_role("navigation", name="Navigation principale")).to_be_visible()
    expect(result_titles(page)).to_have_text([WAREHOUSE])

    response = page.goto("/projects/HDH-0000-0000/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Page introuvable")
