"""The year's results figures on /stats/<year>/, its JSON and the API: projects whose
first results were published in the year, and projects with results overdue at its
end (as of today for the year running), on data where the years, and the day, differ."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from projects import statistics
from tests.projects.results_data import PARIS, on, with_results

pytestmark = pytest.mark.django_db

TODAY = date(2027, 6, 1)


@pytest.fixture
def clock(db):
    with on(TODAY) as traveller:
        yield traveller


@pytest.fixture
def projects(clock):
    # Due on 15 July 2025, published on 1 March 2026: overdue at the end of 2025 only.
    with_results("HDH-2023-0001", completed_on=date(2024, 1, 15), published_on=date(2026, 3, 1))
    # Due on 30 December 2025, never published: overdue ever since.
    with_results("HDH-2023-0002", completed_on=date(2024, 6, 30))
    # Due on 10 September 2026, published on 1 February 2027.
    with_results("HDH-2024-0003", completed_on=date(2025, 3, 10), published_on=date(2027, 2, 1))
    # Published while in progress, in 2026.
    with_results("HDH-2024-0004", status="in_progress", published_on=date(2026, 5, 5))
    # Due on 10 July 2027.
    with_results("HDH-2025-0005", completed_on=date(2026, 1, 10))


def results_figures(year: int, today: date = TODAY) -> tuple[int, int]:
    figures = statistics.year_figures(year, today=today)
    return figures["results_published"], figures["results_overdue"]


@pytest.mark.parametrize(
    ("year", "published", "overdue"),
    [(2024, 0, 0), (2025, 0, 2), (2026, 2, 2), (2027, 1, 1), (2028, 0, 1)],
)
def test_results_published_and_overdue_of_each_year(projects, year, published, overdue):
    assert results_figures(year) == (published, overdue)


def test_the_year_running_counts_what_is_overdue_today(projects):
    assert results_figures(2027, today=date(2027, 7, 10)) == (1, 1)  # due that day
    assert results_figures(2027, today=date(2027, 7, 11)) == (1, 2)
    assert results_figures(2026, today=date(2027, 7, 11)) == (2, 2)  # a year past stays


def test_the_json_and_the_api_give_the_same_figures(client, projects):
    published = client.get(reverse("stats-json", kwargs={"year": 2026})).json()
    api = client.get(reverse("api:stats-year", kwargs={"year": 2026})).json()

    assert (published["results_published"], published["results_overdue"]) == (2, 2)
    assert api == published


def test_the_page_shows_the_figures_and_says_what_they_count(client, projects):
    past = client.get(reverse("stats-year", kwargs={"year": 2026})).content.decode()
    running = client.get(reverse("stats-year", kwargs={"year": 2027})).content.decode()

    assert "Résultats des projets en 2026" in past
    assert "le premier résultat ou algorithme" in past
    assert "sans rien de publié à la fin de 2026" in past and "18 mois" in past
    assert "sans rien de publié à ce jour" in running
    # Only the year running's overdue are those of the directory's filter today.
    assert "?results=overdue" in running and "?results=overdue" not in past


def test_the_cached_page_moves_with_the_day(client, projects, clock):
    url = reverse("stats-year", kwargs={"year": 2027})
    assert client.get(url).context["figures"]["results_overdue"] == 1

    clock.move_to(datetime(2027, 7, 11, 9, tzinfo=PARIS))

    assert client.get(url).context["figures"]["results_overdue"] == 2


def test_a_publication_shows_in_the_cached_page(client, projects):
    url = reverse("stats-year", kwargs={"year": 2027})
    assert client.get(url).context["figures"]["results_published"] == 1

    with_results("HDH-2025-0006", completed_on=date(2026, 1, 1), published_on=date(2027, 5, 2))

    assert client.get(url).context["figures"]["results_published"] == 2
