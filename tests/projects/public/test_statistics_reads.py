"""The statistics' small reads, each pinned by hand-made data: which years have data,
the year the page opens on, the median delay's inputs, and the rows of a bar chart."""

from datetime import date

import pytest

from catalog.models import Milestone
from projects import statistics
from projects.models import Project
from tests.factories import MilestoneFactory
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(demo_catalog):
    """Submissions in 2019, 2021 (twice) and 2024; a launch alone in 2022, an
    authorisation alone in 2023; a milestone alone in 2017; a draft-like row with no
    submission date."""
    add("HDH-2019-0001", "A", submitted_on=date(2019, 12, 31), launched_on=date(2022, 3, 1))
    add("HDH-2021-0002", "B", submitted_on=date(2021, 1, 1))
    add("HDH-2021-0003", "C", submitted_on=date(2021, 7, 14))
    add("HDH-2024-0004", "D", submitted_on=date(2024, 2, 29))
    Project.objects.filter(reference="HDH-2021-0002").update(authorised_on=date(2023, 6, 1))
    Project.objects.create(title="Sans date")
    Milestone.objects.all().delete()
    MilestoneFactory(reached_on=date(2017, 5, 1))


def test_the_years_shown_are_those_of_a_project_date_or_a_milestone_latest_first(years):
    assert statistics.years_to_show(statistics.trend()) == [2024, 2023, 2022, 2021, 2019, 2017]
    assert statistics.milestone_years() == {2017}


def test_no_data_no_years(db):
    Milestone.objects.all().delete()

    assert statistics.trend() == []
    assert statistics.years_to_show([]) == []
    assert statistics.default_year([], today=date(2026, 5, 14)) is None


@pytest.mark.parametrize(
    ("years", "today", "shown"),
    [
        ([2026, 2025, 2024], date(2026, 5, 14), 2025),
        ([2026, 2025, 2024], date(2026, 1, 1), 2025),
        ([2026, 2025, 2024], date(2025, 12, 31), 2024),
        ([2026, 2024], date(2026, 5, 14), 2026),
        ([2023, 2021], date(2026, 5, 14), 2023),
        ([2028, 2027], date(2026, 5, 14), 2028),
    ],
    ids=["last-year", "new-year's-day", "new-year's-eve", "last-year-empty", "old", "future"],
)
def test_the_statistics_open_on_the_last_complete_year_else_the_latest(years, today, shown):
    assert statistics.default_year(years, today=today) == shown


def test_the_median_delay_leaves_out_a_project_authorised_without_a_submission_date(db):
    add("HDH-2023-0001", "A", submitted_on=date(2023, 1, 1))
    add("HDH-2023-0002", "B", submitted_on=date(2023, 1, 1))
    Project.objects.filter(reference="HDH-2023-0001").update(authorised_on=date(2023, 1, 11))
    Project.objects.filter(reference="HDH-2023-0002").update(
        submitted_on=None, authorised_on=date(2023, 3, 1)
    )

    assert statistics.median_days_to_authorisation(2023) == 10


def test_a_bar_chart_orders_by_value_then_label_and_scales_to_the_largest():
    rows = statistics.bars({"b": 2, "a": 2, "c": 8, "z": 0}, {"a": "Alpha", "b": "Beta"})

    assert rows == [
        {"key": "c", "label": "c", "value": 8, "share": 1.0},
        {"key": "a", "label": "Alpha", "value": 2, "share": 0.25},
        {"key": "b", "label": "Beta", "value": 2, "share": 0.25},
        {"key": "z", "label": "z", "value": 0, "share": 0.0},
    ]


def test_a_bar_chart_of_nothing_or_of_zeros_divides_by_nothing():
    assert statistics.bars({}, {}) == []
    assert statistics.bars({"a": 0}, {}) == [{"key": "a", "label": "a", "value": 0, "share": 0.0}]
