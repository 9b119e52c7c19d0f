"""The review dashboard: projects in each state and, for each of the last twelve months,
the files in, the decisions out, the median and 90th-percentile days of each stage and
the share decided within the deadline; linked from the admin index, for reviewers only.

Every file is moved by the services (`project_transition`) with the clock frozen at
the moment of each move, so the audit trail is the one the portal writes. The expected
figures are worked out by hand, on sets whose median is not their mean.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import ReviewDeadlines, Status
from projects.processing import MEASURED
from projects.review import dashboard
from tests.factories import make_project, make_public_project, record_evidence

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
S, C, U, A, OK = (
    Status.SUBMITTED,
    Status.CHANGES_REQUESTED,
    Status.UNDER_REVIEW,
    Status.AWAITING_AUTHORISATION,
    Status.APPROVED,
)
# The day the dashboard is read: its window runs from April 2026 to March 2027.
TODAY = date(2027, 3, 15)
DASHBOARD = reverse("admin:projects_project_dashboard")
# The columns of each row's stages.
ADMISSIBILITY, OPINION, AUTHORISATION, DECISION = MEASURED
# The approval that ends the files of some tests.
DECIDED = ("2027-02-18 11:00", OK)
# All decided within the deadline, as French reads it.
IN_TIME = "100\N{NO-BREAK SPACE}%"
CELL = r"<t[hd][^>]*>(.*?)</t[hd]>"
# The months in which the opinions of the decided files ended.
OPINIONS = ["2027-02-01", "2027-01-01", "2026-11-01"]


def at(moment: str) -> time_machine.travel:
    """Travels to that moment, Paris time ("2027-01-31 23:30"), the clock frozen."""
    return time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=PARIS), tick=False)


@pytest.fixture
def file(owner, reviewer):
    """Makes a file and moves it through `steps`, (moment, state), each move by the
    service at its moment: the sponsor submits, the reviewer does the rest."""

    def make(*steps: tuple[str, str]):
        with at(steps[0][0]):  # created that day: the trail starts with the draft
            project = make_project(owner=owner, title="Étude")
        record_evidence(project)  # the gates ask for it; the figures ignore it
        for moment, to in steps:
            with at(moment):
                services.project_transition(
                    project=project,
                    actor=owner if to == S else reviewer,
                    to=to,
                    reason="Précisez la période." if to == C else "",
                )
        return project

    return make


def read(**kwargs) -> dict:
    with at(f"{TODAY} 12:00"):
        return dashboard.processing_by_month(**kwargs)


def month(figures: dict, first_day: str) -> dict:
    return next(row for row in figures["months"] if row["month"] == date.fromisoformat(first_day))


def stage(row: dict, name: str):
    return row["stages"][MEASURED.index(name)]


def test_a_stage_median_is_the_middle_value_not_the_mean_and_p90_the_nearest_rank(file):
    # Admissibility checks ended in February 2027 after 2, 4 and 30 days.
    file(("2027-02-01 09:00", S), ("2027-02-03 10:00", U))
    file(("2027-02-01 09:00", S), ("2027-02-05 10:00", U))
    file(("2027-01-20 09:00", S), ("2027-02-19 10:00", U))

    february = month(read(), "2027-02-01")

    figures = stage(february, ADMISSIBILITY)
    # The mean would be 12; the 90th percentile of three files is the third one.
    assert (figures.count, figures.median, figures.p90, figures.within) == (3, 4, 30, 2)
    assert february["files_in"] == 2  # the third came in January
    assert stage(february, OPINION).count == 0


def test_decisions_out_their_days_and_the_share_within_the_deadline(file):
    # Approved on 18 February 2027 after 20, 30 and 100 days; the last one had three
    # months from 10 November, 92 days: late.
    file(("2027-01-29 09:00", S), ("2027-01-30 09:00", U), ("2027-02-01 09:00", A), DECIDED)
    file(("2027-01-19 09:00", S), ("2027-01-20 09:00", U), ("2027-01-25 09:00", A), DECIDED)
    file(("2026-11-10 09:00", S), ("2026-11-12 09:00", U), ("2026-11-20 09:00", A), DECIDED)

    figures = read()

    february = month(figures, "2027-02-01")
    decision = stage(february, DECISION)
    assert (february["files_in"], february["decisions_out"]) == (0, 3)
    assert (decision.count, decision.median, decision.p90, decision.within) == (3, 30, 100, 2)
    assert february["percent_within"] == 67
    # The authorisation took 17, 24 and 90 days (two months from 20 November: late).
    authorisation = stage(february, AUTHORISATION)
    assert (authorisation.median, authorisation.p90, authorisation.within) == (24, 90, 2)
    # Each stage counts in the month it ended: the opinions in February, January and
    # November, after 2, 5 and 8 days.
    assert [stage(month(figures, day), OPINION).median for day in OPINIONS] == [2, 5, 8]
    assert month(figures, "2027-01-01")["decisions_out"] == 0
    assert month(figures, "2027-01-01")["percent_within"] is None


def test_the_days_with_the_sponsor_are_not_the_hubs_and_a_resubmission_is_no_file_in(file):
    # Checked 2 days, with the sponsor 20 days, checked 2 more days.
    file(
        ("2027-01-05 09:00", S),
        ("2027-01-07 09:00", C),
        ("2027-01-27 09:00", S),
        ("2027-01-29 09:00", U),
    )

    january = month(read(), "2027-01-01")

    assert (stage(january, ADMISSIBILITY).count, stage(january, ADMISSIBILITY).median) == (1, 4)
    assert january["files_in"] == 1


def test_a_stage_ended_late_on_the_last_day_of_a_month_counts_in_that_month_in_paris(file):
    # 23:30 in Paris on 31 January is 22:30 UTC: January either way.
    file(("2027-01-20 09:00", S), ("2027-01-31 23:30", U))
    # 00:30 in Paris on 1 February is still 31 January in UTC: February in Paris.
    file(("2027-01-20 09:00", S), ("2027-02-01 00:30", U))

    figures = read()

    january, february = month(figures, "2027-01-01"), month(figures, "2027-02-01")
    assert (stage(january, ADMISSIBILITY).count, stage(january, ADMISSIBILITY).median) == (1, 11)
    assert (stage(february, ADMISSIBILITY).count, stage(february, ADMISSIBILITY).median) == (1, 12)
    assert january["files_in"] == 2


def test_the_window_is_the_twelve_months_up_to_the_current_one_latest_first(file):
    # Its check ended on 31 March 2026, the month before the window: left out.
    file(("2026-03-20 09:00", S), ("2026-03-31 23:30", U))
    # Came in during March 2026 (left out), checked on 1 April (counted).
    file(("2026-03-25 09:00", S), ("2026-04-01 00:30", U))
    # Came in at 00:30 on 1 April in Paris, 22:30 UTC on 31 March: counted.
    file(("2026-04-01 00:30", S))
    # Came in this month.
    file(("2027-03-14 09:00", S))

    figures = read()

    assert [row["month"] for row in figures["months"]] == [
        date(2027, 3, 1),
        *(date(2027, number, 1) for number in (2, 1)),
        *(date(2026, number, 1) for number in range(12, 3, -1)),
    ]
    april = month(figures, "2026-04-01")
    assert (april["files_in"], stage(april, ADMISSIBILITY).median) == (1, 7)
    assert month(figures, "2027-03-01")["files_in"] == 1
    total = figures["total"]
    assert (total["files_in"], stage(total, ADMISSIBILITY).count) == (2, 1)


def test_the_total_takes_every_file_of_the_twelve_months_together(file):
    file(("2027-01-05 09:00", S), ("2027-01-07 09:00", U))
    file(("2027-01-05 09:00", S), ("2027-01-09 09:00", U))
    file(("2027-01-10 09:00", S), ("2027-02-09 09:00", U))

    figures = read()

    assert stage(month(figures, "2027-01-01"), ADMISSIBILITY).median == 3
    total = stage(figures["total"], ADMISSIBILITY)
    # Of 2, 4 and 30 days: neither the mean of the months' medians (16.5) nor the mean (12).
    assert (total.count, total.median, total.p90, total.within) == (3, 4, 30, 2)
    assert (figures["total"]["files_in"], figures["total"]["decisions_out"]) == (3, 0)


def test_the_months_shown_can_be_fewer(file):
    file(("2027-01-05 09:00", S), ("2027-01-07 09:00", U))

    figures = read(months=2)

    assert [row["month"] for row in figures["months"]] == [date(2027, 3, 1), date(2027, 2, 1)]
    assert figures["total"]["files_in"] == 0


def test_the_page_shows_a_row_per_month_current_first_and_the_total(client, reviewer, file):
    file(("2027-01-29 09:00", S), ("2027-01-30 09:00", U), ("2027-02-01 09:00", A), DECIDED)
    file(("2027-01-19 09:00", S), ("2027-01-20 09:00", U), ("2027-01-25 09:00", A), DECIDED)
    file(("2027-01-20 09:00", S), ("2027-01-23 09:00", U))
    with at(f"{TODAY} 12:00"):
        client.force_login(reviewer)
        response = client.get(DASHBOARD)

    assert response.status_code == 200
    content = response.content.decode()
    body = cells(section(content, "tbody"))
    assert len(body) == 12
    assert body[0][0] == "Mars 2027"
    assert body[-1][0] == "Avril 2026"
    # Month, files in, decisions out, then median and 90th percentile of the
    # admissibility check, the opinion, the authorisation and the decision, and the
    # share decided in time.
    assert body[1] == [
        *("Février 2027", "0", "2"),
        *("—", "—", "2", "2", "20,5", "24", "25", "30"),
        IN_TIME,
    ]
    assert body[2][:7] == ["Janvier 2027", "3", "0", "1", "3", "5", "5"]
    assert body[2][-1] == "—"  # no decision in January
    assert cells(section(content, "tfoot")) == [
        [
            *("12 derniers mois", "3", "2"),
            *("1", "3", "3,5", "5", "20,5", "24", "25", "30"),
            IN_TIME,
        ]
    ]
    assert {row["state"]: row["count"] for row in response.context["states"]}[U] == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (None, 302),
        ("owner", 302),
        ("staff_without_group", 403),
        ("reviewer", 200),
        ("administrator", 200),
    ],
)
def test_only_the_staff_who_review_see_the_dashboard(client, request, persona, expected):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get(DASHBOARD)

    assert response.status_code == expected
    if expected == 302:  # to sign in; a sponsor signed in is then told they have no access
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("persona", "linked"),
    [("staff_without_group", False), ("reviewer", True), ("administrator", True)],
)
def test_the_admin_index_links_to_the_dashboard_for_reviewers(client, request, persona, linked):
    client.force_login(request.getfixturevalue(persona))

    content = client.get(reverse("admin:index")).content.decode()

    assert (f'href="{DASHBOARD}"' in content) is linked


def test_counts_by_state_list_every_state_in_order_drafts_and_zeros_included(db):
    for n in range(2):
        make_public_project("", f"Brouillon {n}", status="draft", submitted_on=None)
    make_public_project("HDH-2026-0001", "Déposé", status="submitted")
    for n in range(3):
        make_public_project(f"HDH-2026-001{n}", f"En instruction {n}", status="under_review")
    make_public_project("HDH-2026-0020", "Abandonné", status="withdrawn")

    counts = [(row["state"], row["count"]) for row in dashboard.count_by_state()]

    assert counts == [
        ("draft", 2),
        ("submitted", 1),
        ("changes_requested", 0),
        ("under_review", 3),
        ("awaiting_authorisation", 0),
        ("approved", 0),
        ("in_progress", 0),
        ("completed", 0),
        ("rejected", 0),
        ("withdrawn", 1),
    ]


def section(content: str, tag: str) -> str:
    table = content[content.index('<table id="processing">') :]
    return table[table.index(f"<{tag}>") : table.index(f"</{tag}>")]


def cells(html: str) -> list[list[str]]:
    """The text of each cell, row by row (no-break spaces kept)."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    return [
        [re.sub(r"[ \n]+", " ", cell).strip() for cell in re.findall(CELL, row, re.S)]
        for row in rows
    ]


def test_the_page_reads_the_trail_once_until_a_file_moves_or_the_deadlines_change(
    client, reviewer, administrator, file
):
    file(("2027-01-20 09:00", S), ("2027-01-23 09:00", U))
    waiting = file(("2027-02-20 09:00", S))

    def march_admissibility() -> list[str]:
        """The median and 90th percentile of March's admissibility checks, as shown."""
        with at(f"{TODAY} 12:00"):
            client.force_login(reviewer)
            response = client.get(DASHBOARD)
        march = cells(section(response.content.decode(), "tbody"))[0]
        assert march[0] == "Mars 2027"
        return march[3:5]

    assert march_admissibility() == ["—", "—"]
    # Seen again: the figures come from the cache, the audit trail is not read.
    with CaptureQueriesContext(connection) as queries:
        march_admissibility()
    assert queries.captured_queries
    assert not [query for query in queries if "projects_event" in query["sql"]]

    # A file moves: the figures are read again.
    with at("2027-03-02 09:00"):
        services.project_transition(project=waiting, actor=reviewer, to=U)
    assert march_admissibility() == ["10", "10"]

    def checks_within() -> int:
        with at(f"{TODAY} 12:00"):
            return stage(dashboard.cached_processing_by_month()["months"][0], ADMISSIBILITY).within

    # The deadlines change: the share within them is counted again.
    assert checks_within() == 1
    deadlines = ReviewDeadlines.load()
    deadlines.admissibility_days = 5
    services.review_deadlines_save(deadlines=deadlines, actor=administrator)
    assert checks_within() == 0
