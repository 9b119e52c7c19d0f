"""The statistics as a reader meets them: `/stats/` opens on the last complete year,
the year running is said "year to date" with the day its figures run to, each figure
says what it counts, and a trend chart gives the projects submitted, authorised and
launched in every year, on data where the three differ from year to year."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Milestone
from projects import services, statistics
from projects.models import Project
from projects.public.directory import data_version
from tests.factories import make_public_project as add
from tests.languages import in_language
from tests.projects.results_data import on

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 14)

# Per year: (submitted, authorised, launched). 2022 has none; 2025 no submission.
EXPECTED = {
    2021: (1, 0, 0),
    2022: (0, 0, 0),
    2023: (2, 0, 0),
    2024: (1, 2, 1),
    2025: (0, 1, 2),
    2026: (3, 0, 0),
}


def project(reference, *, submitted, authorised=None, launched=None, status="submitted"):
    add(reference, reference, status=status, submitted_on=submitted, launched_on=launched)
    Project.objects.filter(reference=reference).update(authorised_on=authorised)


# Reference, status, then the days of its submission, authorisation and launch.
PROJECTS = [
    ("HDH-2021-0001", "rejected", date(2021, 6, 1), None, None),
    ("HDH-2023-0001", "in_progress", date(2023, 3, 1), date(2024, 1, 10), date(2024, 5, 1)),
    ("HDH-2023-0002", "in_progress", date(2023, 9, 1), date(2024, 2, 10), date(2025, 1, 5)),
    ("HDH-2024-0003", "completed", date(2024, 2, 1), date(2025, 3, 1), date(2025, 6, 1)),
    *((f"HDH-2026-000{n}", "submitted", date(2026, 1, n), None, None) for n in (4, 5, 6)),
]


@pytest.fixture
def today(db):
    """The hub's day, without a milestone of the catalog: only projects make years."""
    with on(TODAY):
        Milestone.objects.all().delete()
        yield TODAY


@pytest.fixture
def years(today):
    for reference, status, submitted, authorised, launched in PROJECTS:
        project(
            reference,
            status=status,
            submitted=submitted,
            authorised=authorised,
            launched=launched,
        )
    services.public_data_changed()


def page(client, url: str, language: str = "") -> str:
    return client.get(in_language(url, language)).content.decode()


def test_the_trend_counts_each_year_as_the_year_figures_do(years):
    rows = statistics.trend()

    counted = {row["year"]: (row["submitted"], row["authorised"], row["launched"]) for row in rows}
    assert counted == EXPECTED
    assert [row["year"] for row in rows] == sorted(EXPECTED)
    for year, (submitted, authorised, launched) in EXPECTED.items():
        figures = statistics.year_figures(year, today=TODAY)
        assert (figures["submitted"], figures["authorised"], figures["projects_launched"]) == (
            submitted,
            authorised,
            launched,
        )


def test_the_trend_is_one_query_kept_until_the_public_data_change(years):
    version = data_version()
    with CaptureQueriesContext(connection) as computed:
        first = statistics.published_trend(version)
    with CaptureQueriesContext(connection) as kept:
        assert statistics.published_trend(version) == first
    assert (len(computed), len(kept)) == (1, 0)

    project("HDH-2026-0007", submitted=date(2026, 2, 1))
    services.public_data_changed()

    assert statistics.published_trend(data_version())[-1]["submitted"] == 4
    assert statistics.published_trend(version) == first  # an old version is not recomputed


def test_stats_opens_on_the_last_complete_year(client, years):
    response = client.get(reverse("stats"))

    assert response.context["year"] == 2025
    assert response.context["figures"]["year_to_date"] is False
    # The selector keeps every year with data, 2025's launches and the year running.
    assert response.context["years"] == [2026, 2025, 2024, 2023, 2021]
    assert 'aria-current="page" href="/stats/2025/"' in response.content.decode()


def test_stats_opens_on_the_latest_year_when_the_last_one_has_no_data(client, today):
    project("HDH-2023-0001", submitted=date(2023, 3, 1))
    project("HDH-2026-0002", submitted=date(2026, 3, 1))

    response = client.get(reverse("stats"))

    assert response.context["year"] == 2026
    assert response.context["figures"]["year_to_date"] is True


def test_stats_moves_on_to_the_year_just_ended_at_midnight(client, years):
    with on(date(2025, 12, 31), hour=23):
        assert client.get(reverse("stats")).context["year"] == 2024
    with on(date(2026, 1, 1), hour=0):
        assert client.get(reverse("stats")).context["year"] == 2025


def test_the_year_running_is_said_year_to_date_with_its_day(client, years):
    running = page(client, reverse("stats-year", kwargs={"year": 2026}))
    english = page(client, reverse("stats-year", kwargs={"year": 2026}), "en")
    past = page(client, reverse("stats-year", kwargs={"year": 2025}))

    assert "Année en cours : chiffres au 14 mai 2026" in running
    assert "Year to date: figures as of 14 May 2026" in english
    assert "<title>Statistiques 2026 (année en cours)" in running
    assert 'id="year-to-date"' not in past and "Année en cours :" not in past


def test_the_json_says_whether_the_year_runs_and_the_day_its_figures_run_to(client, years):
    running = client.get(reverse("stats-json", kwargs={"year": 2026})).json()
    past = client.get(reverse("stats-json", kwargs={"year": 2025})).json()
    api = client.get(reverse("api:stats-year", kwargs={"year": 2026})).json()

    assert (running["year_to_date"], running["as_of"]) == (True, "2026-05-14")
    assert (past["year_to_date"], past["as_of"]) == (False, "2025-12-31")
    assert api == running


@pytest.mark.parametrize(
    ("language", "definitions"),
    [
        (
            "",
            [
                "Demandes dont le premier dépôt a eu lieu dans l’année",
                "Projets approuvés par le hub dans l’année",
                "Projets dont les travaux ont commencé dans l’année",
                "la moitié a attendu moins de jours",
            ],
        ),
        (
            "en",
            [
                "Applications whose first submission fell in the year",
                "Projects the hub approved in the year",
                "Projects whose work began in the year",
                "half waited fewer days than this",
            ],
        ),
    ],
)
def test_each_figure_has_its_definition_beside_it(client, years, language, definitions):
    html = page(client, reverse("stats-year", kwargs={"year": 2024}), language)

    for definition in definitions:
        assert definition in html
    # Each figure's card is described by its definition.
    for key in ("launched", "submitted", "authorised"):
        assert f'aria-describedby="define-{key}"' in html
        assert f'id="define-{key}"' in html


def test_the_trend_chart_is_an_image_with_a_table_of_the_same_figures(client, years):
    html = page(client, reverse("stats-year", kwargs={"year": 2024}))

    svg = re.search(r'<svg[^>]*id="trend-chart"[^>]*>', html).group(0)
    assert 'role="img"' in svg and 'role="group"' not in svg
    assert 'aria-labelledby="trend-chart-title"' in svg
    table = html[html.index('id="trend-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<th scope="row">(?:<a [^>]*>)?(\d{4})(?:</a>)?.*?</th>\s*'
        r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>\s*'
        r'<td class="text-end">(\d+)</td>',
        table,
        re.S,
    )
    assert {int(year): tuple(map(int, counts)) for year, *counts in rows} == EXPECTED
    # The year running is said so in the table and in the chart.
    assert re.search(r"2026</a> <small[^>]*>\(à ce jour\)</small>", table)
    chart = html[html.index('id="trend-chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert chart.count(">à ce jour</text>") == 1


def test_the_trend_chart_scales_every_bar_to_the_largest_figure(years):
    chart = statistics.trend_chart(statistics.trend(), today=TODAY)

    bars = {(row["year"], bar["key"]): bar for row in chart["years"] for bar in row["bars"]}
    space = statistics.TREND_WIDTH - statistics.TREND_YEAR_COLUMN - statistics.TREND_VALUE_ROOM
    assert bars[2026, "submitted"]["width"] == space  # the largest: 3
    assert bars[2024, "authorised"]["width"] == round(space * 2 / 3)
    assert bars[2021, "submitted"]["width"] == round(space / 3)
    assert bars[2022, "launched"]["width"] == 0
    assert [row["year_to_date"] for row in chart["years"]] == [False] * 5 + [True]
    # Whole units only: the template writes them into SVG attributes as they are.
    assert all(isinstance(bar["width"], int) and isinstance(bar["y"], int) for bar in bars.values())
    assert chart["height"] > chart["years"][-1]["bars"][-1]["y"]


def test_without_any_project_there_is_no_trend_chart(client, today):
    html = page(client, reverse("stats-year", kwargs={"year": 2026}))

    assert 'id="trend-chart"' not in html
    assert statistics.trend_chart([], today=TODAY)["years"] == []
