"""The statistics' small reads, each pinned by hand-made data: which years have data,
the latest one, the median delay's inputs, and the rows of a bar chart."""

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
    """Submissions in 2019, 2021 (twice) and 2024; a milestone alone in 2017; a draft-like
    row with no submission date."""
    add("HDH-2019-0001", "A", submitted_on=date(2019, 12, 31))
    add("HDH-2021-0002", "B", submitted_on=date(2021, 1, 1))
    add("HDH-2021-0003", "C", submitted_on=date(2021, 7, 14))
    add("HDH-2024-0004", "D", submitted_on=date(2024, 2, 29))
    Project.objects.create(title="Sans date")
    Milestone.objects.all().delete()
    MilestoneFactory(reached_on=date(2017, 5, 1))


def test_the_years_with_data_are_submissions_and_milestones_latest_first(years):
    assert statistics.years_with_data() == [2024, 2021, 2019, 2017]


def test_the_index_scan_finds_the_same_years_as_the_plain_query(years):
    assert statistics.submission_years_by_index() == {2019, 2021, 2024}
    assert statistics.submission_years() == {2019, 2021, 2024}
    assert statistics.milestone_years() == {2017}


def test_no_data_no_years(db):
    Milestone.objects.all().delete()

    assert statistics.years_with_data() == []
    assert statistics.latest_year() is None


@pytest.mark.parametrize(
    ("submitted", "launched", "milestone", "latest"),
    [
        (date(2022, 1, 1), date(2023, 1, 1), date(2021, 1, 1), 2023),
        (date(2024, 1, 1), date(2023, 1, 1), date(2021, 1, 1), 2024),
        (date(2022, 1, 1), None, date(2025, 6, 1), 2025),
        (None, None, date(2020, 6, 1), 2020),
    ],
    ids=["launch", "submission", "milestone", "milestone-only"],
)
def test_the_latest_year_is_the_latest_launch_submission_or_milestone(
    db, submitted, launched, milestone, latest
):
    Milestone.objects.all().delete()
    MilestoneFactory(reached_on=milestone)
    if submitted:
        add("HDH-2022-0001", "A", submitted_on=submitted, launched_on=launched)

    assert statistics.latest_year() == latest


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
