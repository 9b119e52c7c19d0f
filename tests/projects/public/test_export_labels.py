"""The CSV export gives, beside each code, its label in the reader's language: French
unless they ask for English, the codes kept in their columns, at any chunk size."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from projects.public import exports
from tests.factories import make_public_project as add
from tests.languages import in_language
from tests.projects.results_data import on, with_results

pytestmark = pytest.mark.django_db

TODAY = date(2027, 6, 1)


@pytest.fixture
def labelled(demo_catalog):
    with on(TODAY):
        add(
            "HDH-2024-0001",
            "Projet lancé",
            themes=["prevention", "ai"],
            programme="unibase",
            status="in_progress",
            submitted_on=date(2024, 1, 1),
        )
        add("HDH-2024-0002", "Projet déposé", submitted_on=date(2024, 1, 2))
        # Completed on 10 March 2025: its results were due on 10 September 2026.
        with_results("HDH-2024-0003", completed_on=date(2025, 3, 10), submitted_on=date(2024, 1, 3))
        yield


def rows(client, language: str = "") -> list[dict]:
    response = client.get(in_language(reverse("projects:export-csv"), language))
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def labels(row: dict) -> tuple:
    return tuple(
        row[column]
        for column in ("themes", "theme_names", "programme", "programme_name", "status")
        + ("status_label", "results", "results_label")
    )


def test_each_code_has_its_label_beside_it_in_french_by_default(client, labelled):
    with on(TODAY):
        exported = {row["reference"]: labels(row) for row in rows(client)}

    assert exported == {
        "HDH-2024-0001": (
            "ai|prevention",
            "Intelligence artificielle|Prévention",
            "unibase",
            "Unibase",
            "in_progress",
            "En cours",
            "",
            "",
        ),
        "HDH-2024-0002": ("", "", "", "", "submitted", "Déposé", "", ""),
        "HDH-2024-0003": ("", "", "", "", "completed", "Terminé", "overdue", "Résultats en retard"),
    }


def test_an_english_reader_gets_english_labels_and_the_same_codes(client, labelled):
    with on(TODAY):
        french = {row["reference"]: row for row in rows(client)}
        english = {row["reference"]: row for row in rows(client, "en")}

    assert english["HDH-2024-0001"]["status_label"] == "In progress"
    assert english["HDH-2024-0003"]["status_label"] == "Completed"
    assert english["HDH-2024-0003"]["results_label"] == "Results overdue"
    for reference, row in french.items():
        codes = {column: row[column] for column in exports.COLUMNS}
        assert codes == {column: english[reference][column] for column in exports.COLUMNS}


def test_each_label_column_stands_beside_its_code_and_every_column_stays(client, labelled):
    with on(TODAY):
        header = list(rows(client)[0])

    assert [column for column in header if column not in exports.LABELS.values()] == (
        exports.COLUMNS
    )
    for code, label in exports.LABELS.items():
        assert header.index(label) == header.index(code) + 1


@pytest.mark.parametrize("chunk", [1, 2])
def test_the_labels_are_those_of_each_project_whatever_the_chunk(
    client, labelled, monkeypatch, chunk
):
    with on(TODAY):
        whole = rows(client)
        monkeypatch.setattr(exports, "CHUNK_SIZE", chunk)
        chunked = rows(client)

    assert chunked == whole


def test_the_json_export_keeps_the_public_fields_only(client, labelled):
    with on(TODAY):
        response = client.get(reverse("projects:export-json"))
        text = b"".join(response.streaming_content).decode()

    assert "status_label" not in text and "Intelligence artificielle" not in text
