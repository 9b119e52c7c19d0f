"""The results due date in the public directory, its exports and the open data API: the
`results` filter and its counts, the `results` and `results_due_on` fields, and a day
passing that turns a project due into overdue through every cache."""

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from tests.projects.public.test_directory import facet, refs, shown
from tests.projects.results_data import PARIS, on, with_results

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 10)
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture
def clock(db):
    with on(TODAY) as traveller:
        yield traveller


def next_day(clock) -> None:
    clock.move_to(datetime(TOMORROW.year, TOMORROW.month, TOMORROW.day, 9, tzinfo=PARIS))


@pytest.fixture
def projects(clock):
    return {
        # Completed on 10 September 2025: due today.
        "due": with_results("HDH-2024-0001", completed_on=date(2025, 9, 10)),
        # Completed a day earlier: due yesterday.
        "overdue": with_results("HDH-2024-0002", completed_on=date(2025, 9, 9)),
        "published": with_results(
            "HDH-2024-0003", completed_on=date(2024, 1, 1), published_on=date(2025, 6, 1)
        ),
        "published-running": with_results(
            "HDH-2024-0004", status="in_progress", published_on=date(2026, 1, 5)
        ),
        "running": with_results("HDH-2024-0005", status="in_progress"),
    }


def directory(client, **params):
    return client.get(reverse("projects:directory"), params)


def listed(response) -> set[str]:
    """What the page shows (read from its HTML: a cached page never evaluates its list)."""
    return {reference for reference, _title, _status in shown(response)}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("published", {"HDH-2024-0003", "HDH-2024-0004"}),
        ("due", {"HDH-2024-0001"}),
        ("overdue", {"HDH-2024-0002"}),
    ],
)
def test_the_results_filter_lists_each_state(client, projects, state, expected):
    response = directory(client, results=state)

    assert set(refs(response)) == expected
    assert listed(response) == expected


def counts(response) -> dict[str, int]:
    """The results facet's count of each state: "Résultats attendus (2)" gives 2."""
    return {
        state: int(facet(response, "results", state).rsplit("(", 1)[1].rstrip(")"))
        for state in ["published", "due", "overdue"]
    }


def test_each_results_state_shows_its_count_within_the_results(client, projects):
    assert counts(directory(client)) == {"published": 2, "due": 1, "overdue": 1}
    assert counts(directory(client, status="in_progress")) == {
        "published": 1,
        "due": 0,
        "overdue": 0,
    }
    assert facet(directory(client, results="due"), "status", "completed").endswith("(1)")


def test_an_unknown_results_state_says_so(client, projects):
    response = directory(client, results="late")

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1 and "pas été compris" in messages[0]


def test_a_day_passing_turns_due_into_overdue_in_the_counts_and_the_list(client, projects, clock):
    assert counts(directory(client)) == {"published": 2, "due": 1, "overdue": 1}
    assert listed(directory(client, results="overdue")) == {"HDH-2024-0002"}

    next_day(clock)  # nothing else changes: the public data version stays

    assert counts(directory(client)) == {"published": 2, "due": 0, "overdue": 2}
    assert listed(directory(client, results="overdue")) == {"HDH-2024-0001", "HDH-2024-0002"}
    assert listed(directory(client, results="due")) == set()


def test_the_counts_of_a_day_are_served_from_the_cache(client, projects, django_assert_num_queries):
    directory(client, results="due")

    with django_assert_num_queries(1):  # the data version, as any page seen again
        assert counts(directory(client, results="due"))["due"] == 1


# --- Exports


def exported(client, name: str, params=None) -> dict[str, dict]:
    text = b"".join(client.get(reverse(name), params or {}).streaming_content).decode()
    if name.endswith("json"):
        rows = json.loads(text)
    else:
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    return {row["reference"]: row for row in rows}


@pytest.mark.parametrize("name", ["projects:export-csv", "projects:export-json"])
def test_exports_give_the_results_state_and_due_date(client, projects, name):
    rows = exported(client, name)

    assert {
        reference: (row["results"], row["results_due_on"]) for reference, row in rows.items()
    } == {
        "HDH-2024-0001": ("due", "2027-03-10"),
        "HDH-2024-0002": ("overdue", "2027-03-09"),
        "HDH-2024-0003": ("published", "2025-07-01"),
        "HDH-2024-0004": ("published", ""),
        "HDH-2024-0005": ("", ""),
    }
    assert set(exported(client, name, {"results": "overdue"})) == {"HDH-2024-0002"}


@pytest.mark.parametrize("name", ["projects:export-csv", "projects:export-json"])
def test_exports_give_the_state_of_the_day_and_refuse_an_unknown_one(client, projects, clock, name):
    next_day(clock)

    assert exported(client, name)["HDH-2024-0001"]["results"] == "overdue"
    assert client.get(reverse(name), {"results": "late"}).status_code == 400


# --- The open data API


def api(client, name: str, params=None, headers=None, **kwargs):
    return client.get(reverse(f"api:{name}", kwargs=kwargs), params or {}, headers=headers)


def test_the_api_gives_each_projects_results_as_the_exports(client, projects):
    records = {
        record["reference"]: record for record in api(client, "project-list").json()["results"]
    }

    assert {
        reference: (record["results"], record["results_due_on"])
        for reference, record in records.items()
    } == {
        "HDH-2024-0001": ("due", "2027-03-10"),
        "HDH-2024-0002": ("overdue", "2027-03-09"),
        "HDH-2024-0003": ("published", "2025-07-01"),
        "HDH-2024-0004": ("published", None),
        "HDH-2024-0005": (None, None),
    }


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("published", ["HDH-2024-0004", "HDH-2024-0003"]),
        ("due", ["HDH-2024-0001"]),
        ("overdue", ["HDH-2024-0002"]),
    ],
)
def test_the_api_filters_by_results_state(client, projects, state, expected):
    found = api(client, "project-list", {"results": state}).json()["results"]

    assert [record["reference"] for record in found] == expected


def test_a_day_passing_moves_the_api_etag_and_its_answer(client, projects, clock):
    detail = api(client, "project-detail", reference="HDH-2024-0001")
    listing = api(client, "project-list", {"results": "overdue"})
    stats = api(client, "stats-year", year=TODAY.year)
    assert detail.json()["results"] == "due"
    assert (
        api(
            client,
            "project-detail",
            reference="HDH-2024-0001",
            headers={"if-none-match": detail["ETag"]},
        ).status_code
        == 304
    )

    next_day(clock)

    for response, name, kwargs, params in [
        (detail, "project-detail", {"reference": "HDH-2024-0001"}, None),
        (listing, "project-list", {}, {"results": "overdue"}),
        (stats, "stats-year", {"year": TODAY.year}, None),
    ]:
        for header, value in [
            ("if-none-match", response["ETag"]),
            ("if-modified-since", response["Last-Modified"]),
        ]:
            again = api(client, name, params, headers={header: value}, **kwargs)
            assert again.status_code == 200, (name, header)
    assert api(client, "project-detail", reference="HDH-2024-0001").json()["results"] == "overdue"
    overdue = api(client, "project-list", {"results": "overdue"}).json()["results"]
    assert [record["reference"] for record in overdue] == ["HDH-2024-0002", "HDH-2024-0001"]
    assert api(client, "stats-year", year=TODAY.year).json()["results_overdue"] == 2


def test_the_api_schema_names_the_results_states(client):
    schema = client.get(reverse("api:schema")).json()

    fields = schema["components"]["schemas"]["Project"]["properties"]
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]
    }
    assert fields["results_due_on"]["format"] == "date"
    assert fields["results_due_on"]["nullable"] is True
    assert set(parameters["results"]["schema"]["enum"]) == {"published", "due", "overdue"}
    assert "results" in schema["components"]["schemas"]["Project"]["required"]
