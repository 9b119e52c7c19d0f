"""The statistics on a phone 360 px wide: the trend chart and its table fit the screen,
the chart's text stays readable (12 css px at least), and axe finds nothing."""

from datetime import date

import pytest
from playwright.sync_api import expect

from projects import clocks, statistics
from projects.models import Project
from tests.factories import make_public_project as add

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def trend(demo_catalog):
    this_year = clocks.hub_today().year
    for offset in range(6):
        year = this_year - offset
        for number in range(1, offset + 2):
            reference = f"HDH-{year}-{number:04d}"
            add(reference, f"Projet {reference}", submitted_on=date(year, 1, number))
    # Authorised and launched the year after their submission, three years ago.
    Project.objects.filter(submitted_on__year=this_year - 4).update(
        authorised_on=date(this_year - 3, 2, 1), launched_on=date(this_year - 3, 6, 1)
    )
    return this_year


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_the_trend_chart_is_readable_on_a_phone(page, assert_accessible, trend):
    page.set_viewport_size(PHONE)
    page.goto(f"/stats/{trend}/")

    chart = page.locator("#trend-chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    table = page.locator("#trend-table").bounding_box()
    assert box and table
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert table["x"] + table["width"] <= PHONE["width"]
    # Every text of the chart, drawn 15 units high, at the chart's scale.
    smallest = chart.evaluate(
        """svg => Math.min(...[...svg.querySelectorAll('text')].map(
            text => parseFloat(text.getAttribute('font-size'))
        )) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width"""
    )
    assert smallest >= 12
    assert box["width"] <= statistics.TREND_WIDTH
    assert_accessible(page)
