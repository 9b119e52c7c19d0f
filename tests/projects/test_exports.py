"""Exports and feed: they honour the directory's filters and leak no private field."""

import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse

from projects.models import Event, InternalNote
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db

PRIVATE = ["Méthode confidentielle", "Note secrète", "dpo@chu.example", "Financement privé"]


@pytest.fixture
def data(demo_catalog, reviewer):
    ai = add(
        "HDH-2023-0001", "Projet IA", themes=["ai"], bases=["esme"], submitted_on=date(2023, 1, 1)
    )
    ai.methodology, ai.funding, ai.data_processor = PRIVATE[0], PRIVATE[3], PRIVATE[2]
    ai.save()
    InternalNote.objects.create(project=ai, author=reviewer, body=PRIVATE[1])
    add("HDH-2023-0002", "Projet Covid", themes=["covid-19"], submitted_on=date(2023, 2, 1))
    add("", "Brouillon", status="draft", submitted_on=None)
    return ai


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_csv_export_honours_filters_and_has_public_columns_only(client, data):
    response = client.get(reverse("projects:export-csv"), {"theme": "ai"})

    rows = list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert response["Content-Type"].startswith("text/csv")
    assert [row["reference"] for row in rows] == ["HDH-2023-0001"]
    assert rows[0]["themes"] == "ai" and rows[0]["bases"] == "ESME"
    assert set(rows[0]) == {
        "reference",
        "title",
        "summary",
        "sponsor",
        "sponsor_verified",
        "themes",
        "programme",
        "bases",
        "status",
        "submitted_on",
        "opinion_on",
        "authorised_on",
        "launched_on",
        "completed_on",
        "url",
    }


def test_json_export_streams_every_public_project_and_no_private_field(client, data):
    text = body(client.get(reverse("projects:export-json")))

    records = json.loads(text)
    assert sorted(record["reference"] for record in records) == ["HDH-2023-0001", "HDH-2023-0002"]
    for secret in PRIVATE + ["Brouillon"]:
        assert secret not in text


def test_atom_feed_lists_submitted_and_authorised_projects(client, data):
    Event.objects.create(project=data, action="submitted", visibility=Event.Visibility.PUBLIC)
    Event.objects.create(project=data, action="assigned", visibility=Event.Visibility.STAFF)

    response = client.get(reverse("projects:feed"))

    content = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "HDH-2023-0001" in content
    assert content.count("<entry>") == 1
