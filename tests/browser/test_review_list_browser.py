"""The reviewers' change list fits a 1280 px screen: no horizontal scroll, neither of the
page nor of the table inside it, with long titles, long sponsor names and every column.
"""

import pytest
from playwright.sync_api import expect

from projects import services
from projects.models import Project
from tests.browser.test_review_flow import sign_in_to_admin
from tests.factories import make_public_project

LONG_TITLE = (
    "Évaluation médico-économique des parcours de soins des patientes atteintes d'un cancer "
    "du sein métastatique traitées par thérapies ciblées, à partir des données de vie réelle "
    "des centres de lutte contre le cancer et du Système national des données de santé"
)
LONG_SPONSOR = (
    "Assistance publique - Hôpitaux de Paris, Direction de la recherche clinique et de l'innovation"
)


@pytest.fixture
def locale():
    return "en-US"


@pytest.fixture
def many_files(demo_catalog, reviewer, owner):
    for number, status in enumerate(
        ["submitted", "under_review", "awaiting_authorisation", "approved", "in_progress"] * 6
    ):
        project = make_public_project(
            f"HDH-2026-{number:04d}",
            f"{LONG_TITLE} ({number})",
            sponsor=LONG_SPONSOR,
            status=status,
            bases=["esme", "oscour"],
        )
        if number % 2:
            Project.objects.filter(pk=project.pk).update(reviewer=reviewer)
        if number % 3 == 0:
            services.message_post(project=project, author=owner, body="Réponse.")


@pytest.mark.browser
def test_the_change_list_fits_1280_pixels_without_horizontal_scroll(
    page, django_db_serialized_rollback, many_files, reviewer
):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_to_admin(page, reviewer)

    for query in ["", "?queue=mine", "?queue=answered"]:
        page.goto(f"/admin/projects/project/{query}")
        expect(page.locator("#result_list")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= 1280"), query
        # The admin wraps the table in a scrolling box: it must not scroll either.
        assert page.evaluate(
            "[...document.querySelectorAll('#changelist .results')]"
            ".every(box => box.scrollWidth <= box.clientWidth)"
        ), query
    expect(page.locator("#result_list .unread").first).to_be_visible()
