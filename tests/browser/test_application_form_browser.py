"""The application form in a browser: the section menu and its states, and requested
bases added and removed without saving the draft first (htmx), saved at once.

The browser speaks English (the suite's default); axe and the HTML checker run on
every page visited.
"""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Project
from tests.browser.test_review_flow import sign_in_as_sponsor
from tests.factories import make_project


@pytest.fixture
def draft(owner, member, organisation) -> Project:
    return make_project(
        owner=owner, members=[member], title="Parcours après un infarctus", sponsor=organisation
    )


def menu_entry(page, title: str):
    return page.locator("nav.application-sections li").filter(has_text=title)


@pytest.mark.browser
def test_the_section_menu_links_to_each_section_and_its_states_follow_the_saves(
    page, assert_accessible, draft, owner
):
    sign_in_as_sponsor(page, owner)
    page.goto(f"/my/projects/{draft.pk}/edit/")
    menu = page.locator("nav.application-sections")
    expect(menu.locator("li")).to_have_count(8)
    expect(menu.locator("li.section-incomplete")).to_have_count(8)
    expect(menu_entry(page, "Legal route")).to_contain_text("incomplete")
    expect(page.locator(".required-legend")).to_contain_text("Needed to submit")
    assert_accessible(page)

    # Each entry leads to its section.
    menu.get_by_role("link", name="Legal route").click()
    expect(page).to_have_url(re.compile(r"#section-legal$"))
    expect(page.locator("#section-legal")).to_be_in_viewport()

    # A reference methodology needs its declaration of conformity: incomplete still.
    page.locator("#id_legal_route").select_option("MR-004")
    page.locator("#id_accepts_no_reidentification").check()
    page.locator("#id_accepts_no_harm").check()
    page.locator("button[name=save]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(menu_entry(page, "Declarations")).to_contain_text("complete")
    expect(menu_entry(page, "Declarations")).not_to_contain_text("incomplete")
    expect(menu_entry(page, "Legal route")).to_contain_text("incomplete")

    page.locator("#id_conformity_declared").check()
    page.locator("#id_data_users").fill("Dr Martin (CHU Nord), épidémiologiste.")
    page.locator("#id_environment_0").check()
    page.locator("#id_planned_outputs").fill("Tableaux agrégés.")
    page.locator("button[name=save]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    for title in ("Legal route", "Access to the data", "Declarations"):
        expect(menu_entry(page, title).locator(".section-state")).to_have_text(
            re.compile(r"^\W*complete$")
        )
    expect(menu_entry(page, "The project")).to_contain_text("incomplete")
    assert_accessible(page)
    draft.refresh_from_db()
    assert (draft.legal_route, draft.conformity_declared) == ("MR-004", True)
    assert (draft.environment, draft.planned_outputs) == ("hub", "Tableaux agrégés.")


def fill_row(page, index: int, base: str, justification: str) -> None:
    page.locator(f"select[name=bases-{index}-base]").select_option(label=base)
    page.locator(f"[name=bases-{index}-justification]").fill(justification)
    page.locator(f"[name=bases-{index}-period_start]").fill("2018-01-01")
    page.locator(f"[name=bases-{index}-period_end]").fill("2023-12-31")


@pytest.mark.browser
def test_bases_are_added_and_removed_without_saving_then_saved_at_once(
    page, assert_accessible, demo_catalog, draft, owner
):
    sign_in_as_sponsor(page, owner)
    page.goto(f"/my/projects/{draft.pk}/edit/")
    rows = page.locator("#base-rows .base-row")
    expect(rows).to_have_count(1)
    fill_row(page, 0, "ESME", "Données de vie réelle en oncologie.")

    # "Add a base" brings a new line in place, which takes the focus.
    add = page.get_by_role("button", name="Add a base")
    add.click()
    expect(rows).to_have_count(2)
    expect(page.locator("select[name=bases-1-base]")).to_be_focused()
    fill_row(page, 1, "OSCOUR", "Passages aux urgences.")
    add.click()
    expect(rows).to_have_count(3)
    fill_row(page, 2, "BNDMR", "Maladies rares.")
    expect(page.locator("#id_bases-TOTAL_FORMS")).to_have_value("3")

    # Second thoughts on OSCOUR: its line is marked to be removed.
    rows.nth(1).locator("label[for=id_bases-1-DELETE]").click()
    expect(page.locator("#id_bases-1-DELETE")).to_be_checked()
    expect(rows.nth(1).locator(".base-removed-note")).to_be_visible()
    assert_accessible(page)

    page.locator("button[name=save]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    assert sorted(draft.requested_bases.values_list("base__acronym", flat=True)) == [
        "BNDMR",
        "ESME",
    ]
    # Saved: both lines, and one empty line for another.
    expect(rows).to_have_count(3)
    expect(menu_entry(page, "Data requested")).to_contain_text("complete")
    assert_accessible(page)
