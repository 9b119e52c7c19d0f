"""Reads of the public pages from a read replica (`portal.replica`): which database
each page and each query reads, the replica being a TEST mirror of the primary."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from catalog.models import Base
from portal.replica import ReplicaReadsMiddleware, is_public_read_only
from projects.models import Project
from projects.public import exports
from projects.public import views as public_views
from tests.factories import make_project
from tests.factories import make_public_project as add

BOTH = ["default", "replica"]


@pytest.fixture
def routed(settings):
    """The router that `DATABASE_REPLICA_URL` installs."""
    settings.DATABASE_ROUTERS = ["portal.replica.PrimaryReplicaRouter"]


# What a query reads, by the prefix of its tables' names.
KINDS = {'"projects_': "projects", '"catalog_': "catalog", '"django_session"': "session"}


def read_where(client, method: str, url: str) -> dict[str, set[str]]:
    """What each database was asked about: projects, catalog, session, account."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = getattr(client, method)(url)
        body = b"".join(response.streaming_content) if response.streaming else b""
    assert response.status_code == 200, (url, response.status_code)
    if url.endswith(".csv"):  # the header, then a line per project
        assert body.count(b"\n") == 1 + Project.objects.public().count()
    kinds = {**KINDS, f'"{get_user_model()._meta.db_table}"': "account"}
    return {
        alias: {
            kind
            for query in captured.captured_queries
            for prefix, kind in kinds.items()
            if prefix in query["sql"]
        }
        for alias, captured in (("default", primary), ("replica", replica))
    }


PUBLIC_PAGES = [
    reverse("projects:directory"),
    reverse("projects:export-csv"),
    reverse("projects:export-json"),
    reverse("projects:feed"),
    reverse("stats-processing"),
    reverse("catalog:base-list"),
    reverse("algorithms:list"),
]


@pytest.mark.django_db(databases=BOTH)
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_public_page_reads_the_projects_and_the_catalog_from_the_replica(
    client, routed, demo_catalog, url
):
    read = read_where(client, "get", url)

    assert read["replica"] & {"projects", "catalog"}
    assert read["default"] == set()


@pytest.mark.django_db(databases=BOTH)
def test_a_signed_in_visitor_has_the_session_and_account_read_on_the_primary(client, routed, owner):
    client.force_login(owner)

    read = read_where(client, "get", reverse("projects:directory"))

    assert read == {"default": {"session", "account"}, "replica": {"projects", "catalog"}}


@pytest.mark.django_db(databases=BOTH)
def test_the_sponsors_pages_and_a_post_read_the_primary(client, routed, owner):
    make_project(owner=owner, title="Étude des parcours")
    client.force_login(owner)

    mine = read_where(client, "get", reverse("my:projects"))
    posted = read_where(client, "post", reverse("projects:directory"))

    assert "projects" in mine["default"] and mine["replica"] == set()
    assert "projects" in posted["default"] and posted["replica"] == set()


def in_a_public_request(rf, body):
    """Runs `body` as the directory view would run, through the middleware."""
    seen = []

    def view(request):
        middleware.process_view(request, public_views.project_directory, (), {})
        seen.append(body())
        return HttpResponse()

    middleware = ReplicaReadsMiddleware(view)
    middleware(rf.get(reverse("projects:directory")))
    return seen[0]


@pytest.mark.django_db(databases=BOTH)
def test_after_a_write_the_request_reads_the_primary(rf, routed):
    def read_write_read():
        before = router.db_for_read(Project)
        assert router.db_for_write(Base) == "default"
        return before, router.db_for_read(Project), router.db_for_read(Base)

    assert in_a_public_request(rf, read_write_read) == ("replica", "default", "default")


@pytest.mark.django_db(databases=BOTH)
def test_accounts_and_transactions_read_the_primary_even_on_a_public_page(rf, routed):
    def reads():
        with transaction.atomic():
            inside = router.db_for_read(Project)
        return router.db_for_read(get_user_model()), inside, router.db_for_read(Project)

    assert in_a_public_request(rf, reads) == ("default", "default", "replica")
    # Outside any request, as in a management command or a task: the primary.
    assert router.db_for_read(Project) == "default"


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BOTH)
def test_what_the_primary_committed_the_public_pages_read_through_the_replica(
    client, routed, demo_catalog, monkeypatch
):
    add("HDH-2025-0001", "Données des urgences", themes=["ai"], bases=["oscour"])
    add("HDH-2025-0002", "Cancers rares", themes=["ai"], bases=["esme"])

    page = read_where(client, "get", reverse("projects:public", args=["HDH-2025-0001"]))
    # A streamed export reads its first chunk in the view, the next ones (rows, themes
    # and bases) while the response is sent: there too.
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    export = read_where(client, "get", reverse("projects:export-csv"))

    assert page == export == {"default": set(), "replica": {"projects", "catalog"}}
    assert "Données des urgences" in client.get(reverse("projects:directory")).content.decode()


PUBLIC_PREFIXES = ("projects/", "stats/", "catalog/", "api/v1/", "algorithms/")


def routes(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def test_every_page_of_the_public_side_and_the_catalog_and_only_those_reads_the_replica():
    found = list(routes(get_resolver()))

    assert len([route for route, _view in found if route.startswith(PUBLIC_PREFIXES)]) == 28
    for route, view in found:
        assert is_public_read_only(view) == route.startswith(PUBLIC_PREFIXES), route
