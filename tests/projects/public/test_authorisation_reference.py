"""The public never reads "authorised" without the authorisation's reference: the CNIL
decision number or the reference methodology. The review cannot approve without it
(test_gates.py); a project imported or recorded before that rule may still lack it,
and then the project page, the directory, the exports and the feed say so."""

import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse

from projects.models import Authorisation, Event
from tests.factories import make_public_project as add
from tests.languages import english_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(demo_catalog):
    """Three approved projects: one with a CNIL decision, one with a reference
    methodology, and one from an earlier register with no reference on record."""

    def project(reference, authorisation):
        created = add(reference, f"Projet {reference}", status="approved", bases=["esme"])
        created.authorised_on = date(2025, 5, 20)
        created.save()
        Event.objects.create(
            project=created,
            action="authorised",
            from_status="awaiting_authorisation",
            to_status="approved",
            visibility=Event.Visibility.PUBLIC,
        )
        if authorisation:
            Authorisation.objects.create(
                project=created, decided_on=date(2025, 5, 19), **authorisation
            )
        return created

    return {
        "cnil": project("HDH-2025-0001", {"kind": "cnil", "decision_number": "DR-2025-104"}),
        "mr": project("HDH-2025-0002", {"kind": "methodology", "methodology": "MR-004"}),
        "none": project("HDH-2025-0003", None),
    }


def page(client, project) -> str:
    response = client.get(
        english_url(reverse("projects:public", kwargs={"reference": project.reference}))
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_of_an_authorised_project_gives_the_cnil_decision(client, approved):
    content = page(client, approved["cnil"])

    assert 'status-approved">Approved</span>' in content
    assert "CNIL decision DR-2025-104 of 19 May 2025" in content
    assert "<dt>Authorised</dt>" in content
    assert "Authorised (DR-2025-104)" in content


def test_the_page_of_a_project_under_a_reference_methodology_names_it(client, approved):
    content = page(client, approved["mr"])

    assert 'status-approved">Approved</span>' in content
    assert "Reference methodology MR-004, conformity declared on 19 May 2025" in content
    assert "Authorised (MR-004)" in content


def test_without_the_reference_the_page_never_says_authorised(client, approved):
    content = page(client, approved["none"])

    assert ">Approved<" not in content
    assert "Authorised" not in content
    assert 'status-approved">Authorisation reference pending</span>' in content
    assert "Reference not yet on record" in content
    assert "Authorisation stage (reference not yet on record)" in content


def test_a_launched_project_without_the_reference_says_it_is_missing(client, demo_catalog):
    project = add(
        "HDH-2023-0100", "Projet importé", status="in_progress", launched_on=date(2023, 5, 2)
    )

    content = page(client, project)

    assert "Reference not yet on record" in content
    assert "Authorised" not in content


def test_the_directory_row_of_a_project_without_the_reference_does_not_say_approved(
    client, approved
):
    content = client.get(english_url(reverse("projects:directory"))).content.decode()

    assert content.count('status-approved">Approved</span>') == 2
    assert content.count('status-approved">Authorisation reference pending</span>') == 1


def test_the_exports_give_the_reference_and_no_authorisation_date_without_it(client, approved):
    response = client.get(reverse("projects:export-csv"))
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}
    records = {
        record["reference"]: record
        for record in json.loads(
            b"".join(client.get(reverse("projects:export-json")).streaming_content)
        )
    }

    for export in (rows, records):
        assert (
            export["HDH-2025-0001"]["authorisation"],
            export["HDH-2025-0001"]["authorised_on"],
        ) == (
            "DR-2025-104",
            "2025-05-20",
        )
        assert export["HDH-2025-0002"]["authorisation"] == "MR-004"
        assert (
            export["HDH-2025-0003"]["authorisation"],
            export["HDH-2025-0003"]["authorised_on"],
        ) == (
            "",
            "",
        )


def test_the_feed_announces_an_authorisation_with_its_reference(client, approved):
    content = client.get(english_url(reverse("projects:feed"))).content.decode()

    assert "Authorised (DR-2025-104): Projet HDH-2025-0001" in content
    assert "Authorised (MR-004): Projet HDH-2025-0002" in content
    assert "Authorisation stage (reference not yet on record): Projet HDH-2025-0003" in content
