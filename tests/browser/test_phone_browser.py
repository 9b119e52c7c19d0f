"""On a phone: every public and sponsor page in Chromium at 360 × 740 CSS pixels, with
the demo's data (`manage.py load_demo`: bases, a directory of projects, the demo
sponsor's applications in every state, results and algorithms).

Each page fits the screen's width (no horizontal scrolling of the page; a table may
scroll inside its own box), passes axe (WCAG 2.1 A and AA) and, as every page the
browser tests see, the W3C Nu HTML checker. The browser speaks French, the portal's
default language, whose labels are the longer ones.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import Base
from portal.demo.accounts import DEMO_PASSWORD
from projects.models import Algorithm, Project, Status

pytestmark = pytest.mark.browser

WIDTH = 360
SPONSOR = "sponsor@chu-exemple.fr"

# The elements that stick out of the screen, named for the failure's message.
OVERFLOWING = """(width) => Array.from(document.body.querySelectorAll('*'))
  .filter((element) => element.getBoundingClientRect().right > width + 0.5)
  .filter((element) => !element.parentElement.closest('.table-responsive'))
  .slice(0, 8)
  .map((element) => `${element.tagName.toLowerCase()}.${element.className}`
    + ` (right edge at ${Math.round(element.getBoundingClientRect().right)} px)`)"""

# The smallest text of the page's charts, in CSS pixels as drawn: an SVG's font size
# is in the units of its viewBox, which shrink with the drawing.
SMALLEST_CHART_TEXT = """() => Math.min(...Array.from(document.querySelectorAll('main svg text'))
  .map((text) => parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a))"""


@pytest.fixture
def viewport():
    return {"width": WIDTH, "height": 740}


@pytest.fixture
def locale():
    return "fr-FR"


@pytest.fixture
def demo(transactional_db):
    """Everything `make run` shows."""
    call_command("load_demo", stdout=io.StringIO())


def fits_the_screen(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{url} is {width} px wide: {page.evaluate(OVERFLOWING, WIDTH)}"


def test_every_public_page_fits_a_phone(page, demo, assert_accessible):
    public = Project.objects.public().exclude(reference="")
    shown = public.filter(results_published_on__isnull=False).first() or public.first()
    algorithm = Algorithm.objects.exclude(current=None).first()
    year = max(public.exclude(launched_on=None).values_list("launched_on__year", flat=True))
    pages = [
        "/",
        "/catalog/",
        f"/catalog/{Base.objects.get(acronym='ESME').slug}/",
        "/projects/",
        "/projects/?q=donnees&theme=ai&theme=prevention",
        "/projects/?kind=request",
        "/en/projects/",
        f"/projects/{shown.reference}/",
        "/stats/",
        f"/stats/{year}/",
        "/stats/processing/",
        "/algorithms/",
        algorithm.get_absolute_url(),
        "/privacy/",
        "/terms/",
        "/legal/",
        "/accessibility/",
        "/api/v1/docs/",
        "/accounts/login/",
        "/accounts/signup/",
    ]
    for url in pages:
        fits_the_screen(page, url)
        if url.startswith("/stats/"):
            smallest = page.evaluate(SMALLEST_CHART_TEXT)
            assert smallest >= 12, f"{url}: chart text of {smallest:.1f} px"
        if url != "/api/v1/docs/":  # Swagger UI's own markup, checked by its own test
            assert_accessible(page)


def test_the_directory_folds_its_filters_behind_a_button_on_a_phone(page, demo, assert_accessible):
    page.goto("/projects/")
    filters = page.get_by_role("search", name="Filtrer les projets")
    expect(filters).to_be_hidden()
    button = page.get_by_role("button", name="Filtres")
    expect(button).to_have_attribute("aria-expanded", "false")

    button.click()
    expect(filters).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)

    # A filter ticked: htmx brings the results, and the filters stay open.
    with page.expect_response(re.compile(r"/projects/\?")):
        filters.get_by_role("checkbox").first.check()
    expect(filters).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def sign_in(page) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(SPONSOR)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_every_sponsor_page_fits_a_phone(page, demo, assert_accessible):
    sign_in(page)
    mine = Project.objects.filter(team__user__email=SPONSOR)
    draft = mine.filter(status=Status.DRAFT).first()
    returned = mine.get(status=Status.CHANGES_REQUESTED)
    running = mine.filter(status=Status.IN_PROGRESS).exclude(outputs=None).first()
    requests = mine.filter(kind=Project.Kind.REQUEST)
    request_draft = requests.get(status=Status.DRAFT)
    delivered = requests.get(status=Status.COMPLETED)
    pages = [
        "/my/",
        "/my/projects/new/",
        "/my/projects/new/?kind=request",
        f"/my/projects/{request_draft.pk}/edit/",
        f"/my/projects/{delivered.pk}/",
        f"/my/projects/{draft.pk}/edit/",
        f"/my/projects/{returned.pk}/",
        f"/my/projects/{returned.pk}/edit/",
        f"/my/projects/{returned.pk}/compare/",
        f"/my/projects/{returned.pk}/withdraw/",
        f"/my/projects/{running.pk}/",
        f"/my/projects/{running.pk}/versions/1/",
        f"/my/projects/{running.pk}/results/new/",
        f"/my/projects/{running.pk}/algorithms/new/",
        "/my/organisations/",
        "/en/my/",
    ]
    for url in pages:
        fits_the_screen(page, url)
        assert_accessible(page)

    # "My projects" keeps its "what happens next" column on the screen.
    page.goto("/my/")
    next_step = page.get_by_role("columnheader", name="Prochaine étape")
    expect(next_step).to_be_in_viewport()
    box = next_step.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
