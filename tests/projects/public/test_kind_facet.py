"""The kind of application (data access or data request) in the public directory: a
facet with its counts, a filter, a badge, and a field of the exports and the API."""

import csv
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Status
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(demo_catalog):
    return {
        "access": add(
            "HDH-2024-0001",
            "Parcours après un infarctus",
            themes=["ai"],
            bases=["e-must"],
            status=Status.UNDER_REVIEW,
        ),
        "request": add(
            "HDH-2024-0002",
            "Effectifs des passages aux urgences pour asthme",
            themes=["prevention"],
            bases=["oscour"],
            status=Status.IN_PROGRESS,
            launched_on=date(2024, 6, 1),
            kind="request",
        ),
        "other_request": add(
            "HDH-2023-0003",
            "Participation au dépistage par département",
            themes=["prevention"],
            bases=["e-sis"],
            status=Status.SUBMITTED,
            submitted_on=date(2023, 4, 1),
            kind="request",
        ),
    }


def choices(response, name: str) -> dict[str, str]:
    return {
        str(value): str(label)
        for value, label in response.context["filter"].form.fields[name].choices
    }


def test_the_kind_facet_counts_each_kind(client, projects):
    response = client.get(reverse("projects:directory"))

    assert choices(response, "kind") == {
        "": "Tous les types",
        "access": "Demande d’accès aux données (1)",
        "request": "Demande de statistiques (2)",
    }


def test_the_kind_filter_keeps_the_requests_and_recounts_the_other_facets(client, projects):
    response = client.get(reverse("projects:directory"), {"kind": "request"})

    assert [project.reference for project in response.context["page"]] == [
        "HDH-2024-0002",
        "HDH-2023-0003",
    ]
    assert choices(response, "status")["under_review"] == "En instruction (0)"
    assert choices(response, "kind")["request"] == "Demande de statistiques (2)"
    html = response.content.decode()
    assert html.count('class="badge text-bg-info">Demande de statistiques<') == 2


def test_the_kind_costs_no_query_of_its_own(client, projects):
    client.get(reverse("projects:directory"))  # warms what is cached whatever the filters
    client.get(reverse("projects:directory"), {"kind": "access"})
    with CaptureQueriesContext(connection) as without_kind:
        client.get(reverse("projects:directory"), {"status": "submitted"})
    with CaptureQueriesContext(connection) as with_kind:
        client.get(reverse("projects:directory"), {"status": "submitted", "kind": "request"})

    assert len(with_kind) == len(without_kind)


def test_an_unknown_kind_is_said_not_understood(client, projects):
    response = client.get(reverse("projects:directory"), {"kind": "both"})

    messages = [str(message) for message in response.context["messages"]]
    assert "Certains filtres n'ont pas été compris et sont ignorés." in messages
    assert response.context["total"] == 3


def test_the_public_page_shows_the_kind(client, projects):
    page = client.get(reverse("projects:public", args=["HDH-2024-0002"])).content.decode()

    assert 'id="project-kind">Demande de statistiques<' in page
    # No authorisation is awaited for a data request.
    assert 'id="authorisation"' not in page


def test_the_exports_and_the_api_carry_the_kind(client, projects):
    text = b"".join(
        client.get(reverse("projects:export-csv"), {"kind": "request"}).streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {(row["reference"], row["kind"], row["kind_label"]) for row in rows} == {
        ("HDH-2024-0002", "request", "Demande de statistiques"),
        ("HDH-2023-0003", "request", "Demande de statistiques"),
    }

    records = json.loads(
        b"".join(client.get(reverse("projects:export-json")).streaming_content).decode()
    )
    assert {record["reference"]: record["kind"] for record in records} == {
        "HDH-2024-0001": "access",
        "HDH-2024-0002": "request",
        "HDH-2023-0003": "request",
    }

    api = client.get(reverse("api:project-list"), {"kind": "access"}).json()
    assert [(row["reference"], row["kind"]) for row in api["results"]] == [
        ("HDH-2024-0001", "access")
    ]
    assert client.get(reverse("api:project-list"), {"kind": "both"}).status_code == 400


def test_the_schema_documents_the_kind(client, db):
    schema = client.get(reverse("api:schema")).json()

    project = schema["components"]["schemas"]["Project"]
    assert "kind" in project["required"]
    kinds = project["properties"]["kind"]
    enum = (
        kinds.get("enum")
        or schema["components"]["schemas"][kinds["$ref"].rsplit("/", 1)[-1]]["enum"]
    )
    assert set(enum) == {"access", "request"}
    parameters = schema["paths"]["/api/v1/projects/"]["get"]["parameters"]
    assert "kind" in {parameter["name"] for parameter in parameters}
