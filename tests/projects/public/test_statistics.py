"""Yearly statistics from a known data set, in the page and in the exact JSON shape."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.public import statistics
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(demo_catalog):
    add(
        "HDH-2023-0001",
        "A",
        themes=["ai", "prevention"],
        programme="unibase",
        status="in_progress",
        submitted_on=date(2022, 11, 1),
        launched_on=date(2023, 3, 1),
    )
    add(
        "HDH-2023-0002",
        "B",
        themes=["ai"],
        status="completed",
        submitted_on=date(2023, 1, 10),
        launched_on=date(2023, 12, 31),
    )
    add(
        "HDH-2023-0003",
        "C",
        themes=["covid-19"],
        status="under_review",
        submitted_on=date(2023, 6, 1),
    )
    add(
        "HDH-2024-0004",
        "D",
        themes=["ai"],
        status="in_progress",
        submitted_on=date(2023, 12, 1),
        launched_on=date(2024, 1, 2),
    )
    from projects.models import Project

    Project.objects.filter(reference="HDH-2023-0001").update(authorised_on=date(2023, 1, 31))
    Project.objects.filter(reference="HDH-2023-0002").update(authorised_on=date(2023, 5, 10))


def test_year_figures_of_a_known_data_set(known):
    assert statistics.year_figures(2023) == {
        "year": 2023,
        "projects_launched": 2,
        "themes": {"ai": 2, "boas": 0, "covid-19": 0, "health-environment": 0, "prevention": 1},
        "programmes": {"unibase": 1},
        "submitted": 3,
        "authorised": 2,
        "catalog": {"contract": 5, "documentation": 7, "preparation": 6, "transfer": 5},
    }
    # 91 days (2022-11-01 → 2023-01-31) and 120 days (2023-01-10 → 2023-05-10)
    assert statistics.median_days_to_authorisation(2023) == 105.5


def test_json_has_exactly_the_published_shape(client, known):
    data = client.get(reverse("stats-json", kwargs={"year": 2023})).json()

    assert list(data) == [
        "year",
        "projects_launched",
        "themes",
        "programmes",
        "submitted",
        "authorised",
        "catalog",
    ]
    assert data["themes"]["ai"] == 2
    assert set(data["catalog"]) == {"contract", "documentation", "preparation", "transfer"}


def test_stats_page_shows_the_latest_year_with_charts_tables_and_links(client, known):
    response = client.get(reverse("stats"))

    content = response.content.decode()
    assert response.context["year"] == 2024
    assert "<svg" in content and "<table" in content
    assert "?launched=2024&amp;theme=ai" in content


def test_a_year_without_data_shows_zeros_and_an_absurd_year_is_a_404(client, known):
    assert client.get(reverse("stats-year", kwargs={"year": 2001})).status_code == 200
    assert client.get("/stats/1800/").status_code == 404
    assert client.get("/stats/abc/").status_code == 404


def test_the_demo_data_reproduces_the_2023_annual_report():
    call_command("load_demo")

    figures = statistics.year_figures(2023)

    assert figures["projects_launched"] == 100
    assert figures["themes"] == {
        "ai": 41,
        "prevention": 19,
        "covid-19": 10,
        "health-environment": 4,
        "boas": 15,
    }
    assert figures["programmes"] == {"unibase": 8}
    assert figures["catalog"] == {
        "contract": 5,
        "documentation": 7,
        "preparation": 6,
        "transfer": 5,
    }


def test_the_statistics_page_takes_at_most_ten_queries(
    client, known, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        assert client.get(reverse("stats-year", kwargs={"year": 2023})).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("stats-json", kwargs={"year": 2023})).status_code == 200
