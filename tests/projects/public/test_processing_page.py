"""The public processing times (/stats/processing/ and its JSON) from files moved
through the real services on known days, the time frozen: exact figures, the cache
kept until a project or the deadlines change, both languages, bad input."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import resolve, reverse
from pytest_django.asserts import assertInHTML

from projects import services
from projects.models import ReviewDeadlines, Status
from tests.factories import record_evidence
from tests.languages import english_url
from tests.projects.conftest import complete

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PAGE, JSON = "/stats/processing/", "/stats/processing.json"


def on(day: str, hour: int = 10):
    """Travels to that day (Paris time), the clock frozen."""
    moment = datetime.combine(date.fromisoformat(day), datetime.min.time().replace(hour=hour))
    return time_machine.travel(moment.replace(tzinfo=PARIS), tick=False)


@pytest.fixture
def trail(owner, member, organisation, reviewer):
    """Four files, each created the day before its submission:

    - A, 2026: checked in 10 days, opinion in 26 (of 31), authorised in 38 (of 59),
      approved 74 days after its submission (of 90);
    - B, 2026: checked in 10 + 7 = 17 days around 10 days with the sponsor (late),
      opinion in 45 days (of 31: late), rejected by the CNIL after 16 days (of 61),
      decided in 88 - 10 = 78 days (of 89);
    - C: submitted 10 December 2025, found admissible at 23:30 UTC on 31 December,
      that is on 1 January 2026 in Paris, after 22 days (late); then withdrawn: no
      opinion, no decision;
    - D, 2025: checked in 7 days, still under review.
    """
    move = services.project_transition
    files = {}

    def new(name: str, day: str):
        with on(day):
            files[name] = complete(owner=owner, member=member, organisation=organisation)
        record_evidence(files[name])

    def submit(name: str, day: str):
        with on(day):
            services.project_submit(project=files[name], actor=owner)

    def to(name: str, day: str, status: str, **more):
        with on(day):
            move(project=files[name], actor=more.pop("actor", reviewer), to=status, **more)

    new("A", "2026-01-04")
    submit("A", "2026-01-05")
    to("A", "2026-01-15", Status.UNDER_REVIEW)
    to("A", "2026-02-10", Status.AWAITING_AUTHORISATION)
    to("A", "2026-03-20", Status.APPROVED)

    new("B", "2026-02-01")
    submit("B", "2026-02-02")
    to("B", "2026-02-12", Status.CHANGES_REQUESTED, reason="Précisez la période.")
    to("B", "2026-02-22", Status.SUBMITTED, actor=owner)
    to("B", "2026-03-01", Status.UNDER_REVIEW)
    to("B", "2026-04-15", Status.AWAITING_AUTHORISATION)
    to("B", "2026-05-01", Status.REJECTED, reason="Refus.", ground="cnil_refusal")

    new("C", "2025-12-09")
    submit("C", "2025-12-10")
    with time_machine.travel(datetime(2025, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        move(project=files["C"], actor=reviewer, to=Status.UNDER_REVIEW)
    to("C", "2026-01-10", Status.WITHDRAWN, actor=owner, reason="Abandon.")

    new("D", "2025-03-02")
    submit("D", "2025-03-03")
    to("D", "2025-03-10", Status.UNDER_REVIEW)
    return files


NOTHING = {"files": 0, "median_days": None, "p90_days": None, "share_within_deadline": None}
DEADLINES = {
    "admissibility_days": 15,
    "opinion_months": 1,
    "authorisation_months": 2,
    "authorisation_extension_months": 2,
    "decision_months": 3,
    "decision_extension_months": 3,
}
EXPECTED = {
    "deadlines": DEADLINES,
    "years": [
        {
            "year": 2026,
            "stages": {
                "admissibility": {
                    "files": 3,
                    "median_days": 17,
                    "p90_days": 22,
                    "share_within_deadline": 0.3333,
                },
                "opinion": {
                    "files": 2,
                    "median_days": 35.5,
                    "p90_days": 45,
                    "share_within_deadline": 0.5,
                },
                "authorisation": {
                    "files": 2,
                    "median_days": 27,
                    "p90_days": 38,
                    "share_within_deadline": 1.0,
                },
                "decision": {
                    "files": 2,
                    "median_days": 76,
                    "p90_days": 78,
                    "share_within_deadline": 1.0,
                },
            },
        },
        {
            "year": 2025,
            "stages": {
                "admissibility": {
                    "files": 1,
                    "median_days": 7,
                    "p90_days": 7,
                    "share_within_deadline": 1.0,
                },
                "opinion": NOTHING,
                "authorisation": NOTHING,
                "decision": NOTHING,
            },
        },
    ],
}


def test_the_json_gives_the_exact_figures_in_the_published_shape(client, trail):
    response = client.get(JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data == EXPECTED
    # A whole median is written as one: 27, not 27.0 (the mean of 16 and 38 days).
    assert '"median_days": 27, ' in response.content.decode()
    assert list(data) == ["deadlines", "years"]
    assert list(data["deadlines"]) == list(DEADLINES)
    assert list(data["years"][0]["stages"]) == [
        "admissibility",
        "opinion",
        "authorisation",
        "decision",
    ]
    assert list(data["years"][0]["stages"]["opinion"]) == [
        "files",
        "median_days",
        "p90_days",
        "share_within_deadline",
    ]


def row(year, files, median, p90, percent) -> str:
    return (
        f'<tr><th scope="row">{year}</th><td class="text-end">{files}</td>'
        f'<td class="text-end">{median}</td><td class="text-end">{p90}</td>'
        f'<td class="text-end">{percent}</td></tr>'
    )


def test_the_page_in_french_shows_the_same_figures_per_stage_and_year(client, trail):
    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Délais de traitement de l'instruction</h1>" in html
    # French numbers: a decimal comma, a no-break space before the per cent sign.
    assertInHTML(row(2026, 3, 17, 22, "33\u00a0%"), html)
    assertInHTML(row(2025, 1, 7, 7, "100\u00a0%"), html)
    assertInHTML(row(2026, 2, "35,5", 45, "50\u00a0%"), html)
    assertInHTML(row(2025, 0, "—", "—", "—"), html, count=3)
    assertInHTML(row(2026, 2, 27, 38, "100\u00a0%"), html)
    assertInHTML(row(2026, 2, 76, 78, "100\u00a0%"), html)
    assert "En 2026, 9 dossiers sur 10 en 22 jours au plus ; 33\u00a0% dans le délai." in html
    assert "Délai : 1 mois (28 à 31 jours)." in html
    assert "Prolongeable une fois de 3 mois." in html
    assert f'href="{JSON}"' in html


def test_the_page_in_english(client, trail):
    html = client.get(english_url(PAGE)).content.decode()

    assert "<h1>Processing times of the review</h1>" in html
    assertInHTML(row(2026, 2, "35.5", 45, "50%"), html)
    assert "In 2026, 9 files out of 10 within 45 days; 50% within the deadline." in html
    assert "Deadline: 15 days." in html
    assert "Deadline: 2 months (59 to 62 days)." in html
    assert "Deadline: 3 months (89 to 92 days)." in html
    assert "within 15 days of its submission" in html
    assert "(Europe/Paris)" in html


def test_each_chart_is_an_image_with_a_name_drawn_from_the_same_figures(client, trail):
    html = client.get(english_url(PAGE)).content.decode()

    assert html.count('role="img"') == 4
    assert (
        '<title id="admissibility-chart-title">Admissibility check: median and 90th '
        "percentile in days, per year, against the deadline</title>"
    ) in html
    assert 'aria-labelledby="admissibility-chart-title"' in html
    # The admissibility scale: the longest of 22 days and the 15-day deadline is 360
    # units, from x=48: median 17 days → 278 units, p90 22 → 360, deadline at 48+245.
    assert 'width="278" height="14" fill="#12326e"' in html
    assert 'width="360" height="14" fill="#7d93c6"' in html
    assert 'x1="293" x2="293"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_nothing_finished_yet(client, owner, member, organisation, english):
    draft = complete(owner=owner, member=member, organisation=organisation)
    services.project_submit(project=draft, actor=owner)  # still being checked

    html = client.get(english_url(PAGE)).content.decode()
    data = client.get(JSON).json()

    assert "No file has finished a stage of the review yet." in html
    assert 'role="img"' not in html
    assert "How the deadlines run" in html
    assert data == {"deadlines": DEADLINES, "years": []}


def test_the_figures_are_kept_until_a_project_changes(
    client, trail, reviewer, django_assert_num_queries
):
    assert client.get(JSON).json() == EXPECTED
    # Served from the cache: the version of the data and of the deadlines, nothing more.
    with django_assert_num_queries(2):
        assert client.get(JSON).json() == EXPECTED

    with on("2029-06-01"):
        services.project_transition(
            project=trail["D"], actor=reviewer, to=Status.AWAITING_AUTHORISATION
        )

    years = client.get(JSON).json()["years"]
    assert [year["year"] for year in years] == [2029, 2026, 2025]
    # Under review from 10 March 2025 to 1 June 2029: 4 years (1,461 days, 29 February
    # 2028 included) and 83 days, against a month.
    assert years[0]["stages"]["opinion"] == {
        "files": 1,
        "median_days": 1544,
        "p90_days": 1544,
        "share_within_deadline": 0.0,
    }
    assert years[1:] == EXPECTED["years"]


def test_new_deadlines_are_published_at_once(client, trail, administrator):
    client.get(JSON)
    deadlines = ReviewDeadlines.load()
    deadlines.admissibility_days = 20
    services.review_deadlines_save(deadlines=deadlines, actor=administrator)

    data = client.get(JSON).json()

    assert data["deadlines"]["admissibility_days"] == 20
    # 10 and 17 days are now within 20 days; 22 still is not.
    assert data["years"][0]["stages"]["admissibility"]["share_within_deadline"] == 0.6667
    html = client.get(english_url(PAGE)).content.decode()
    assert "Deadline: 20 days." in html


@pytest.mark.parametrize("persona", ["anonymous", "owner", "outsider", "reviewer"])
def test_anyone_reads_them_signed_in_or_not(client, persona, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    assert client.get(PAGE).status_code == 200
    assert client.get(JSON).status_code == 200


def test_the_addresses_resolve_to_their_own_views():
    assert reverse("stats-processing") == PAGE
    assert reverse("stats-processing-json") == JSON
    assert resolve(PAGE).url_name == "stats-processing"
    assert resolve(JSON).url_name == "stats-processing-json"
    assert resolve("/stats/2026/").url_name == "stats-year"
    assert resolve("/stats/2026.json").url_name == "stats-json"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{JSON}?x=%00", 400),
        (f"{PAGE}?%00=1", 400),
        (f"{PAGE}?year=abc", 200),  # no parameter is read
        ("/stats/processing.xml", 404),
        ("/stats/processing/2026/", 404),
        ("/stats/processing.json/", 404),
        ("/stats/processingjson", 404),
        ("/stats/processing", 301),  # to the address with its slash
    ],
)
def test_bad_addresses_never_give_a_server_error(client, url, status):
    assert client.get(url).status_code == status


def test_the_statistics_page_links_to_the_processing_times(client, english):
    html = client.get("/en/stats/").content.decode()

    assert (
        "How long each stage of the review takes, and how often the hub keeps to its "
        f'deadlines: <a href="{english_url(PAGE)}">Processing times of the review</a>'
    ) in html


def test_each_stage_says_by_how_much_its_deadline_may_be_extended(client, trail):
    html = client.get(english_url(PAGE)).content.decode()

    def paragraph(stage: str) -> str:
        return html.split(f'id="{stage}-heading"', 1)[1].split("</p>", 1)[0]

    rules = ReviewDeadlines.load()
    extended = "Extendable once by {} months."
    assert extended.format(rules.authorisation_extension_months) in paragraph("authorisation")
    assert extended.format(rules.decision_extension_months) in paragraph("decision")
    assert "Extendable" not in paragraph("admissibility")
    assert "Extendable" not in paragraph("opinion")


def test_the_chart_geometry_puts_each_figure_on_one_scale():
    from projects.statistics import _chart

    rows = [
        {"year": 2026, "files": 2, "median": 35.5, "p90": 45},
        {"year": 2025, "files": 0, "median": None, "p90": None},
    ]
    # A one-month deadline: 28 to 31 days. The longest figure, 45 days, spans the
    # 360 units of the plot: 8 units a day, from x=48, under a 30-unit legend.
    chart = _chart(rows, {"shortest": 28, "longest": 31})

    assert chart == {
        "width": 480,
        "height": 30 + 2 * 40,
        "origin": 48,
        "top": 30,
        "plot_height": 80,
        "bar_height": 14,
        "bars": [
            {
                "year": 2026,
                "y": 30,
                "files": 2,
                "median": 35.5,
                "median_width": 284,
                "median_end": 48 + 284,
                "p90": 45,
                "p90_width": 360,
                "p90_end": 48 + 360,
                "p90_y": 30 + 14 + 2,
            },
            {"year": 2025, "y": 70, "files": 0},
        ],
        "deadline_from": 48 + 224,
        "deadline_at": 48 + 248,
        "band_width": 24,
    }


def test_a_deadline_longer_than_every_figure_sets_the_scale():
    from projects.statistics import _chart

    chart = _chart(
        [{"year": 2026, "files": 3, "median": 4, "p90": 10}], {"shortest": 15, "longest": 15}
    )

    # 15 days over 360 units: 24 a day.
    bar = chart["bars"][0]
    assert (bar["median_width"], bar["p90_width"]) == (96, 240)
    assert (chart["deadline_from"], chart["deadline_at"], chart["band_width"]) == (408, 408, 0)
