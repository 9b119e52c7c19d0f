"""The open data API of the library of algorithms: what the pages show and nothing
more, the same filters, 400s naming what is not understood, pages, conditional GETs,
and a fixed number of queries."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from projects.models import Status
from tests.factories import (
    declare_version,
    make_algorithm,
    make_published_algorithm,
    publish_version,
    refuse_version,
)
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db

SECRETS = ["Version en attente secrète", "Commentaire du hub sur le refus", "Refusé sans appel"]


@pytest.fixture
def library(demo_catalog, reviewer):
    retina = add(
        "HDH-2024-0001",
        "Rétinopathie et intelligence artificielle",
        themes=["ai", "boas"],
        status=Status.IN_PROGRESS,
    )
    falls = add("HDH-2023-0002", "Chutes", themes=["prevention"], status=Status.COMPLETED)
    retinoscan = make_published_algorithm(
        retina,
        "RétinoScan",
        bases=["esme"],
        purpose="Repérer la rétinopathie diabétique.",
        at=datetime(2024, 3, 1, 10, tzinfo=UTC),
    )
    publish_version(
        declare_version(
            retinoscan,
            "1.1",
            bases=["esme", "bndmr"],
            purpose="Repérer la rétinopathie chez les patients atteints de diabète.",
        ),
        reviewer=reviewer,
        at=datetime(2025, 2, 1, 10, tzinfo=UTC),
    )
    declare_version(retinoscan, "2.0", purpose=SECRETS[0])
    refuse_version(declare_version(retinoscan, "1.5"), comment=SECRETS[1])
    make_published_algorithm(
        falls,
        "PréviChute",
        bases=["oscour"],
        purpose="Prévenir les chutes.",
        licence="MIT",
        at=datetime(2023, 9, 1, 10, tzinfo=UTC),
    )
    refuse_version(declare_version(make_algorithm(falls, SECRETS[2])))
    return retinoscan


def get(client, name, params=None, headers=None, **kwargs):
    return client.get(reverse(f"api:{name}", kwargs=kwargs), params or {}, headers=headers)


def slugs(response) -> list[str]:
    return [algorithm["slug"] for algorithm in response.json()["results"]]


def test_the_list_has_the_published_algorithms_and_public_fields_only(client, library):
    response = get(client, "algorithm-list")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and slugs(response) == ["retinoscan", "previchute"]
    first = body["results"][0]
    assert set(first) == {"slug", "name", "project", "current", "url"}
    assert first["project"] == {
        "reference": "HDH-2024-0001",
        "title": "Rétinopathie et intelligence artificielle",
        "status": "in_progress",
        "themes": ["ai", "boas"],
        "url": "http://testserver/projects/HDH-2024-0001/",
    }
    assert first["current"]["version"] == "1.1"
    assert first["current"]["bases"] == ["bndmr", "esme"]
    assert first["current"]["published_at"] == "2025-02-01T11:00:00+01:00"
    assert first["url"] == "http://testserver/algorithms/retinoscan/"
    text = response.content.decode()
    for secret in [*SECRETS, "reviewed_by", "review_comment", "declared_by", "state"]:
        assert secret not in text


def test_the_detail_has_the_card_and_every_published_version_only(client, library):
    response = get(client, "algorithm-detail", slug="retinoscan")

    assert response.status_code == 200
    body = response.json()
    assert body["current"] == body["versions"][0]
    assert [version["version"] for version in body["versions"]] == ["1.1", "1.0"]
    assert body["versions"][1] == {
        "version": "1.0",
        "published_at": "2024-03-01T11:00:00+01:00",
        "purpose": "Repérer la rétinopathie diabétique.",
        "intended_use": library.current.intended_use,
        "population": library.current.population,
        "bases": ["esme"],
        "inputs": library.current.inputs,
        "outputs": library.current.outputs,
        "performance": library.current.performance,
        "metric": "AUC",
        "validation_data": library.current.validation_data,
        "limitations": library.current.limitations,
        "licence": "EUPL-1.2",
        "repository_url": "https://git.example.org/boas/algorithme",
        "url": "http://testserver/algorithms/retinoscan/versions/1.0/",
    }
    for secret in SECRETS:
        assert secret not in response.content.decode()


@pytest.mark.parametrize("slug", ["refuse-sans-appel", "inconnu"])
def test_an_algorithm_without_a_published_version_is_a_404(client, library, slug):
    assert get(client, "algorithm-detail", slug=slug).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "diabétique"},
        {"q": "chute"},
        {"theme": "boas"},
        {"theme": ["ai", "boas"]},
        {"base": "bndmr"},
        {"licence": "MIT"},
        {"status": "completed"},
        {"status": "in_progress", "licence": "EUPL-1.2"},
    ],
)
def test_filters_and_search_give_what_the_library_page_gives(client, library, params):
    api = slugs(get(client, "algorithm-list", params))
    page = client.get(reverse("algorithms:list"), params).content.decode()

    assert api, "each filter of the table finds something"
    assert api == re.findall(r'<h2 class="h5 card-title"><a href="/algorithms/([^/"]+)/">', page)


@pytest.mark.parametrize(
    "params",
    [{"theme": "nope"}, {"theme": ["boas", "nope"]}, {"base": "snds"}, {"licence": "GPL-3.0-only"}],
)
def test_a_value_no_algorithm_has_matches_nothing(client, library, params):
    response = get(client, "algorithm-list", params)

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"licence": ["MIT", "EUPL-1.2"]}, "licence"),
        ({"status": ""}, "status"),
        ({"status": "draft"}, "status"),
        ({"q": "x" * 500}, "q"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_a_value_not_understood_is_a_400_naming_it(client, library, params, named):
    response = get(client, "algorithm-list", params)

    assert response.status_code == 400
    assert list(response.json()) == [named]


def test_pages_of_the_list(client, library):
    first = get(client, "algorithm-list", {"page_size": 1})
    second = get(client, "algorithm-list", {"page_size": 1, "page": 2})

    assert slugs(first) == ["retinoscan"] and first.json()["next"].endswith("page=2&page_size=1")
    assert slugs(second) == ["previchute"] and second.json()["next"] is None
    assert get(client, "algorithm-list", {"page": 3, "page_size": 1}).status_code == 404


@pytest.mark.parametrize(
    ("name", "kwargs"), [("algorithm-list", {}), ("algorithm-detail", {"slug": "retinoscan"})]
)
def test_conditional_gets_and_a_publication_moves_the_etag(client, library, name, kwargs):
    url = reverse(f"api:{name}", kwargs=kwargs)
    response = client.get(url)

    assert response["ETag"] and response["Last-Modified"]
    assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304
    since = client.get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304

    declare_version(library, "3.0")  # awaiting review: nothing public moves
    assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304
    publish_version(library.versions.get(version="3.0"))
    after = client.get(url, headers={"if-none-match": response["ETag"]})
    assert after.status_code == 200 and after["ETag"] != response["ETag"]


def test_a_page_of_algorithms_costs_the_same_queries_for_2_or_30(
    client, library, django_assert_max_num_queries
):
    url = reverse("api:algorithm-list")
    with django_assert_max_num_queries(10) as few:
        client.get(url, {"theme": "boas"})
    for n in range(28):
        make_published_algorithm(library.project, f"Algorithme {n}", bases=["esme", "oscour"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"theme": "boas", "page_size": 30})
    assert len(slugs(response)) == 29


def test_the_schema_documents_the_library(client, db):
    schema = get(client, "schema").json()

    assert {"/api/v1/algorithms/", "/api/v1/algorithms/{slug}/"} <= set(schema["paths"])
    parameters = {
        parameter["name"]
        for parameter in schema["paths"]["/api/v1/algorithms/"]["get"]["parameters"]
    }
    assert {"q", "theme", "base", "licence", "status", "page", "page_size"} <= parameters
