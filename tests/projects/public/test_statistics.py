"""Yearly statistics from a known data set, in the page and in the exact JSON shape."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects import statistics
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
        "year_to_date": False,
        "as_of": "2023-12-31",
        "projects_launched": 2,
        "themes": {"ai": 2, "boas": 0, "covid-19": 0, "health-environment": 0, "prevention": 1},
        "programmes": {"unibase": 1},
        "submitted": 3,
        "authorised": 2,
        "catalog": {"contract": 5, "documentation": 7, "preparation": 6, "transfer": 5},
        "results_published": 0,
        "results_overdue": 0,
    }
    # 91 days (2022-11-01 → 2023-01-31) and 120 days (2023-01-10 → 2023-05-10)
    assert statistics.median_days_to_authorisation(2023) == 105.5


def test_json_has_exactly_the_published_shape(client, known):
    data = client.get(reverse("stats-json", kwargs={"year": 2023})).json()

    assert list(data) == [
        "year",
        "year_to_date",
        "as_of",
        "projects_launched",
        "themes",
        "programmes",
        "submitted",
        "authorised",
        "catalog",
        "results_published",
        "results_overdue",
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


# The median days from submission to authorisation, on data sets where the median, the
# mean and the middle values all differ, so that computing any of them instead fails.


def authorised(reference, *, submitted_on, authorised_on, status="approved"):
    project = add(reference, reference, status=status, submitted_on=submitted_on)
    project.authorised_on = authorised_on
    project.save(update_fields=["authorised_on"])
    return project


@pytest.fixture
def delays(db):
    # Authorised in 2023 after 10, 20 and 90 days: median 20, mean 40.
    authorised("HDH-2023-0010", submitted_on=date(2023, 1, 1), authorised_on=date(2023, 1, 11))
    authorised("HDH-2023-0020", submitted_on=date(2023, 2, 1), authorised_on=date(2023, 2, 21))
    authorised("HDH-2023-0090", submitted_on=date(2023, 1, 1), authorised_on=date(2023, 4, 1))
    # Authorised in 2022 (213 days), though counted nowhere in 2023.
    authorised("HDH-2022-0213", submitted_on=date(2022, 6, 1), authorised_on=date(2022, 12, 31))
    # Submitted in 2023, authorised in 2024 after 31 days: a 2024 figure, not a 2023 one.
    authorised("HDH-2023-0031", submitted_on=date(2023, 12, 1), authorised_on=date(2024, 1, 1))
    # Submitted in 2023 and never authorised: no delay to count.
    add("HDH-2023-0500", "En instruction", status="under_review", submitted_on=date(2023, 3, 1))
    add("HDH-2023-0501", "Refusé", status="rejected", submitted_on=date(2023, 3, 1))
    # Authorised in 2024 after 50, 10 and 200 days, with the one above (31): an even
    # set whose median is 40.5, its mean 72.75, its middle values 31 and 50.
    authorised("HDH-2024-0050", submitted_on=date(2024, 1, 1), authorised_on=date(2024, 2, 20))
    authorised("HDH-2024-0010", submitted_on=date(2024, 3, 1), authorised_on=date(2024, 3, 11))
    authorised(
        "HDH-2023-0200",
        submitted_on=date(2023, 6, 15),
        authorised_on=date(2024, 1, 1),
        status="in_progress",
    )


def test_the_median_delay_of_an_odd_set_is_its_middle_value_not_its_mean(delays):
    assert statistics.median_days_to_authorisation(2023) == 20


def test_the_median_delay_of_an_even_set_is_the_mean_of_its_two_middle_values(delays):
    # 10, 31, 50, 200 days: (31 + 50) / 2.
    assert statistics.median_days_to_authorisation(2024) == 40.5


def test_a_year_without_authorisation_has_no_median_delay(delays):
    assert statistics.median_days_to_authorisation(2021) is None


def test_the_statistics_page_shows_the_median_delay(client, delays):
    response = client.get(reverse("stats-year", kwargs={"year": 2023}))

    assert response.context["median_days"] == 20
    assert '<span class="figure-number d-block mb-1">20</span>' in response.content.decode()
    assert response.context["figures"]["authorised"] == 3
