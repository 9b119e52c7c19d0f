"""The open data API: public fields only, the directory's filters, pagination, 404s,
conditional GETs, the rate limit, and a valid OpenAPI schema and local docs."""

import json
import re
from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Base
from projects import services
from projects.models import Authorisation, Event, InternalNote, Message, Project, Status
from tests.factories import make_project
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db

SECRETS = ["Titre secret du brouillon", "Note interne secrète", "Message privé au porteur"]


@pytest.fixture
def projects(demo_catalog, owner, reviewer):
    a = add(
        "HDH-2024-0001",
        "Données des urgences pendant la canicule",
        summary="Étude des passages aux urgences.",
        themes=["health-environment"],
        bases=["oscour"],
        submitted_on=date(2024, 7, 1),
    )
    b = add(
        "HDH-2023-0002",
        "Cancer du sein métastatique : parcours",
        sponsor="Unicancer",
        themes=["ai", "prevention"],
        bases=["esme"],
        programme="unibase",
        status=Status.IN_PROGRESS,
        submitted_on=date(2023, 2, 1),
        launched_on=date(2023, 9, 1),
    )
    Authorisation.objects.create(
        project=b,
        kind=Authorisation.Kind.CNIL,
        decision_number="DR-2023-104",
        decided_on=date(2023, 6, 1),
    )
    Project.objects.filter(pk=b.pk).update(authorised_on=date(2023, 6, 1))
    c = add(
        "HDH-2023-0003",
        "Cancers du poumon et intelligence artificielle",
        themes=["ai"],
        bases=["esme", "bndmr"],
        submitted_on=date(2023, 5, 1),
    )
    InternalNote.objects.create(project=b, author=reviewer, body=SECRETS[1])
    Message.objects.create(project=b, author=reviewer, body=SECRETS[2])
    Event.objects.create(project=b, action="assigned", visibility=Event.Visibility.STAFF)
    draft = make_project(owner=owner, title=SECRETS[0], summary="Résumé du brouillon")
    return {"a": a, "b": b, "c": c, "draft": draft}


def get(client, name, params=None, headers=None, **kwargs):
    return client.get(reverse(f"api:{name}", kwargs=kwargs), params or {}, headers=headers)


def references(response) -> list[str]:
    return [project["reference"] for project in response.json()["results"]]


def test_project_list_shows_public_records_and_never_a_draft(client, projects):
    response = get(client, "project-list")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert references(response) == ["HDH-2024-0001", "HDH-2023-0003", "HDH-2023-0002"]
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text


def test_project_detail_has_the_export_fields_only(client, projects):
    response = get(client, "project-detail", reference="HDH-2023-0002")

    assert response.status_code == 200
    assert response.json() == {
        "reference": "HDH-2023-0002",
        "title": "Cancer du sein métastatique : parcours",
        "summary": "",
        "sponsor": "Unicancer",
        "sponsor_verified": False,
        "themes": ["ai", "prevention"],
        "programme": "unibase",
        "bases": ["esme"],
        "status": "in_progress",
        "kind": "access",
        "submitted_on": "2023-02-01",
        "opinion_on": None,
        "authorised_on": "2023-06-01",
        "authorisation": "DR-2023-104",
        "launched_on": "2023-09-01",
        "completed_on": None,
        "results": None,
        "results_due_on": None,
        "url": "http://testserver/projects/HDH-2023-0002/",
    }
    for secret in SECRETS:
        assert secret not in response.content.decode()


def test_a_project_without_its_authorisation_on_record_is_not_said_authorised(client, projects):
    Project.objects.filter(pk=projects["a"].pk).update(authorised_on=date(2024, 9, 1))

    record = get(client, "project-detail", reference="HDH-2024-0001").json()

    assert record["authorised_on"] is None and record["authorisation"] is None


@pytest.mark.parametrize("reference", ["HDH-2099-9999", "brouillon"])
def test_unknown_project_and_draft_are_404(client, projects, reference):
    projects["draft"].reference = "brouillon"  # even a draft given a reference
    projects["draft"].save()

    assert get(client, "project-detail", reference=reference).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"q": "cancer"},
        {"q": "urgences"},
        {"theme": "ai"},
        {"theme": ["ai", "prevention"]},
        {"base": "esme"},
        {"programme": "unibase"},
        {"status": "in_progress"},
        {"year": "2023"},
        {"launched": "2023"},
        {"authorised": "2023"},
        {"sponsor": "unican"},
        {"sort": "title"},
        {"sort": "status"},
        {"theme": "ai", "year": "2023", "sort": "title"},
    ],
)
def test_filters_and_search_give_what_the_directory_and_export_give(client, projects, params):
    api = references(get(client, "project-list", params))
    export = client.get(reverse("projects:export-json"), params)
    exported = json.loads(b"".join(export.streaming_content))

    assert api == [record["reference"] for record in exported]
    assert api, "each filter of the table finds something"
    page = client.get(reverse("projects:directory"), params).content.decode()
    for reference in api:
        assert reference in page


@pytest.mark.parametrize(
    "params",
    [
        {"status": "draft"},
        {"year": "1800"},
        {"year": ""},
        {"year": ["2023", "2024"]},
        {"sort": "cost"},
        {"results": "late"},
        {"results": ""},
        {"results": ["due", "overdue"]},
        {"q": "x" * 500},
        {"page_size": "0"},
        {"page_size": "dix"},
        {"page": ""},
        {"page": "last"},
    ],
)
def test_bad_filters_are_a_400(client, projects, params):
    assert get(client, "project-list", params).status_code == 400


def test_pages_of_at_most_100(client, projects):
    first = get(client, "project-list", {"page_size": 2})
    second = get(client, "project-list", {"page_size": 2, "page": 2})

    assert references(first) == ["HDH-2024-0001", "HDH-2023-0003"]
    assert first.json()["next"].endswith("page=2&page_size=2")
    assert references(second) == ["HDH-2023-0002"] and second.json()["next"] is None
    assert get(client, "project-list", {"page": 3, "page_size": 2}).status_code == 404
    for n in range(100):
        add(f"HDH-2022-{n:04d}", f"Projet {n}", submitted_on=date(2022, 1, 1))
    assert len(references(get(client, "project-list", {"page_size": 500}))) == 100


def test_bases_list_and_detail(client, demo_catalog):
    listed = get(client, "base-list").json()
    esme = get(client, "base-detail", slug="esme")

    assert listed["count"] == Base.objects.count() == 7
    assert [base["acronym"] for base in listed["results"]][:2] == ["ATU CBPC", "BNDMR"]
    assert esme.status_code == 200
    assert esme.json()["data_holder"] == "Unicancer"
    assert {m["kind"] for m in esme.json()["milestones"]} == {
        "contract",
        "documentation",
        "preparation",
        "transfer",
    }
    assert get(client, "base-detail", slug="unknown").status_code == 404


def test_statistics_are_those_of_the_public_json(client, projects):
    api = get(client, "stats-year", year=2023)
    public = client.get(reverse("stats-json", kwargs={"year": 2023}))

    assert api.status_code == 200
    assert api.json() == public.json()
    assert api.json()["projects_launched"] == 1
    assert get(client, "stats-year", year=1999).status_code == 404
    add("HDH-2023-0009", "Lancé", submitted_on=date(2023, 1, 2), launched_on=date(2023, 3, 1))
    assert get(client, "stats-year", year=2023).json()["projects_launched"] == 2


def test_processing_times_are_those_of_the_public_json(client, projects):
    api = get(client, "processing-times")

    assert api.status_code == 200
    assert api.json() == client.get(reverse("stats-processing-json")).json()


CONDITIONAL = [
    ("project-list", {}),
    ("project-detail", {"reference": "HDH-2023-0002"}),
    ("base-list", {}),
    ("base-detail", {"slug": "esme"}),
    ("stats-year", {"year": 2023}),
    ("processing-times", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), CONDITIONAL)
def test_every_response_has_etag_and_last_modified_and_answers_304(client, projects, name, kwargs):
    url = reverse(f"api:{name}", kwargs=kwargs)
    response = client.get(url)

    assert response.status_code == 200
    assert response["ETag"] and response["Last-Modified"]
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304


def test_a_public_change_moves_the_etag_and_a_draft_save_does_not(client, projects):
    url = reverse("api:project-list")
    before = client.get(url)["ETag"]

    draft = projects["draft"]

    def write():
        draft.summary = "Un résumé qui change à chaque frappe."
        draft.save()

    services.project_save_content(project=draft, expected_version=draft.edit_version, save=write)
    assert client.get(url)["ETag"] == before
    assert client.get(url, headers={"if-none-match": before}).status_code == 304

    add("HDH-2025-0009", "Un nouveau projet public", submitted_on=date(2025, 1, 1))
    after = client.get(url, headers={"if-none-match": before})
    assert after.status_code == 200 and after["ETag"] != before
    assert "HDH-2025-0009" in references(after)


def test_a_catalog_change_moves_the_bases_etag(client, demo_catalog):
    url = reverse("api:base-detail", kwargs={"slug": "esme"})
    before = client.get(url)["ETag"]

    esme = Base.objects.get(slug="esme")
    esme.milestones.order_by("pk")[0].delete()

    assert client.get(url, headers={"if-none-match": before}).status_code == 200


def test_the_rate_limit_applies_per_client_address(client, projects, settings):
    settings.API_RATE_LIMIT = "3/minute"
    url = reverse("api:project-list")

    responses = [client.get(url) for _ in range(4)]
    other = client.get(url, REMOTE_ADDR="192.0.2.7")

    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert 0 < int(responses[-1]["Retry-After"]) <= 60
    assert other.status_code == 200
    # Forged forwarding headers change nothing without a trusted proxy.
    assert client.get(url, headers={"x-forwarded-for": "198.51.100.1"}).status_code == 429


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(tmp_path / "schema.json"),
    )


def test_the_schema_is_served_as_json(client, db):
    response = get(client, "schema")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/projects/",
        "/api/v1/projects/{reference}/",
        "/api/v1/bases/",
        "/api/v1/bases/{slug}/",
        "/api/v1/stats/{year}/",
        "/api/v1/processing-times/",
    } <= set(schema["paths"])
    again = get(client, "schema", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_the_docs_load_every_script_from_the_site_itself(client, db):
    response = get(client, "docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert not re.search(r"cdn|jsdelivr|unpkg|https?://", page)
    scripts = re.findall(r"<script\b([^>]*)>", page)
    assert len(scripts) == 3
    for attributes in scripts:
        assert re.search(r'src="/static/[^"]+\.js"', attributes)
    assert "<style" not in page and "style=" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', page):
        assert finders.find(path), path  # shipped with the site, collected by collectstatic


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v1/stats/deux-mille/", "/api/v1/"])
def test_other_api_urls_are_a_404_in_json(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_nul_byte_is_a_400_in_json(client, db):
    response = client.get(reverse("api:project-list"), {"theme": "a\x00"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_a_page_of_projects_costs_the_same_queries_for_2_or_40_projects(
    client, projects, django_assert_max_num_queries
):
    url = reverse("api:project-list")
    with django_assert_max_num_queries(8) as few:
        client.get(url, {"q": "cancer"})
    for n in range(40):
        add(f"HDH-2022-{n:04d}", f"Cancer {n}", themes=["ai"], bases=["esme"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"q": "cancer", "page_size": 40})
    assert len(references(response)) == 40


def test_head_answers_like_get_without_a_body(client, projects):
    url = reverse("api:project-detail", kwargs={"reference": "HDH-2023-0002"})

    response = client.head(url)

    assert response.status_code == 200 and response.content == b""
    assert response["ETag"] == client.get(url)["ETag"]


def test_a_page_seen_again_is_read_from_the_cache_until_the_public_data_change(
    client, projects, django_assert_max_num_queries
):
    url = reverse("api:project-list")
    first = client.get(url, {"q": "cancer"}).json()

    with django_assert_max_num_queries(1):  # the data version, by key
        assert client.get(url, {"q": "cancer"}).json() == first
    add("HDH-2025-0010", "Cancer et pollution", submitted_on=date(2025, 2, 1))
    assert client.get(url, {"q": "cancer"}).json()["count"] == first["count"] + 1
