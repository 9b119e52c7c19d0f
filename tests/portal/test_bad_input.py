"""Bad input never gives a 500: a 400, or the page with a message, the database untouched.

PostgreSQL refuses a NUL byte in a text parameter (psycopg raises DataError), so one in
the path or in any GET or POST parameter is answered 400 at the edge, before a view
runs. Other bad values (an impossible year, an unknown object id) give the page with
a message.
"""

from datetime import date

import pytest
from django.http import QueryDict

from projects.filters import AlgorithmFilter, ProjectFilter
from projects.models import Algorithm, Project
from tests.factories import make_public_project as add
from tests.factories import make_published_algorithm

pytestmark = pytest.mark.django_db

BAD_REQUEST, MESSAGE = 400, "page with a message"
INVALID_LOOKUP = "the admin's change list without the lookup (?e=1)"
ADMIN = "/admin/projects/project/"
ORGANISATIONS = "/admin/projects/organisation/"

# (persona, method, URL, data): what a server must answer.
TABLE = [
    ("anonymous", "get", "/projects/%00/", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?theme=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?base=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?page=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?sort=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?q=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?year=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?sponsor=a%00b", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?%00=1", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/export.csv?theme=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/export.json?theme=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/export.csv?year=99999", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/export.json?year=99999", None, BAD_REQUEST),
    ("anonymous", "get", "/projects/?year=99999", None, MESSAGE),
    ("anonymous", "get", "/projects/?year=0", None, MESSAGE),
    ("anonymous", "get", "/algorithms/?theme=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/algorithms/?licence=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/algorithms/%00/", None, BAD_REQUEST),
    ("anonymous", "get", "/algorithms/slug/versions/%00/", None, BAD_REQUEST),
    ("anonymous", "get", "/algorithms/?status=draft&page=0", None, MESSAGE),
    ("anonymous", "get", "/algorithms/?theme=nope&base=nope&licence=nope", None, MESSAGE),
    ("anonymous", "get", "/api/v1/algorithms/?licence=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/catalog/?q=%00", None, BAD_REQUEST),
    ("anonymous", "get", "/catalog/%00/", None, BAD_REQUEST),
    ("anonymous", "get", "/stats/%00/", None, BAD_REQUEST),
    ("anonymous", "post", "/accounts/login/", {"login": "a\x00b", "password": "x"}, BAD_REQUEST),
    ("reviewer", "post", f"{ADMIN}abc/transition/", {"to": "under_review"}, MESSAGE),
    ("reviewer", "post", f"{ADMIN}{{pk}}/transition/", {"to": "\x00"}, BAD_REQUEST),
    ("reviewer", "get", f"{ADMIN}?year=99999", None, MESSAGE),
    ("reviewer", "get", f"{ADMIN}?year=0", None, MESSAGE),
    ("reviewer", "get", f"{ADMIN}?year=%00", None, BAD_REQUEST),
    ("reviewer", "get", f"{ADMIN}?status=%00", None, BAD_REQUEST),
    ("reviewer", "get", f"{ADMIN}?q=%00", None, BAD_REQUEST),
    ("reviewer", "get", f"{ADMIN}%00/change/", None, BAD_REQUEST),
    ("reviewer", "get", f"{ADMIN}?submitted_on__year=99999", None, INVALID_LOOKUP),
    ("reviewer", "get", f"{ADMIN}?status_changed_at__year=0", None, INVALID_LOOKUP),
    ("reviewer", "get", "/admin/projects/event/?at__year=99999", None, INVALID_LOOKUP),
    ("reviewer", "get", "/admin/projects/event/?project__submitted_on__year=0", None, BAD_REQUEST),
    (
        "administrator",
        "get",
        "/admin/projects/organisation/?created_at__year=0",
        None,
        INVALID_LOOKUP,
    ),
    ("administrator", "get", "/admin/catalog/base/?period_start__year=0", None, INVALID_LOOKUP),
    ("administrator", "get", "/admin/portal/user/?date_joined__year=99999", None, INVALID_LOOKUP),
    (
        "administrator",
        "get",
        "/admin/catalog/milestone/?reached_on__year=99999",
        None,
        INVALID_LOOKUP,
    ),
    (
        "administrator",
        "get",
        "/admin/catalog/dataholder/?bases__period_start__year=0",
        None,
        BAD_REQUEST,
    ),
]


@pytest.fixture
def project(demo_catalog):
    return add("HDH-2024-0001", "Projet public", themes=["ai"], bases=["esme"])


@pytest.mark.parametrize(("persona", "method", "url", "data", "expected"), TABLE)
def test_bad_input_gives_400_or_the_page_with_a_message_never_500(
    client, request, project, persona, method, url, data, expected
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    before = Project.objects.values_list("pk", "status", "updated_at").get()

    response = getattr(client, method)(url.format(pk=project.pk), data, follow=True)

    if expected == BAD_REQUEST:
        assert response.status_code == 400
    elif expected == INVALID_LOOKUP:
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].endswith("?e=1")
    else:
        assert response.status_code == 200
        assert list(response.context["messages"])
    assert Project.objects.values_list("pk", "status", "updated_at").get() == before


def test_an_impossible_year_in_the_admin_is_ignored_with_a_message(client, reviewer, project):
    add("HDH-2023-0002", "Projet de 2023", submitted_on=date(2023, 5, 1))
    client.force_login(reviewer)

    for year in ["99999", "0", "1999", "abc"]:
        response = client.get(ADMIN, {"year": year})

        assert response.status_code == 200
        assert response.context["cl"].result_count == 2  # the filter is ignored
        assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert client.get(ADMIN, {"year": "2023"}).context["cl"].result_count == 1


def test_a_transition_on_an_unknown_id_answers_with_a_message(client, reviewer, project):
    client.force_login(reviewer)

    response = client.post(f"{ADMIN}abc/transition/", {"to": "under_review"})

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["warning"]


def test_the_directory_filters_refuse_a_nul_byte_on_their_own(project):
    """Without the edge check, the filters still keep a NUL byte away from PostgreSQL."""
    for name in ["theme", "base", "q", "programme", "sponsor", "sort", "status", "year"]:
        params = QueryDict(f"{name}=a%00b")
        filterset = ProjectFilter(params, queryset=Project.objects.public())

        assert name in filterset.form.errors
        assert list(filterset.qs) == [project]


def test_the_library_filters_refuse_a_nul_byte_on_their_own(project):
    algorithm = make_published_algorithm(project, "Algorithme", bases=["esme"])
    for name in ["theme", "base", "q", "licence", "status"]:
        params = QueryDict(f"{name}=a%00b")
        filterset = AlgorithmFilter(params, queryset=Algorithm.objects.published())

        assert name in filterset.form.errors
        assert list(filterset.qs) == [algorithm]


def test_the_directory_page_shows_a_message_for_a_nul_byte_without_the_edge_check(
    client, settings, project
):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("RejectNulBytes")]

    response = client.get("/projects/?theme=%00&base=%00")

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_a_nul_byte_in_the_session_cookie_is_not_a_500(client, project):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"

    response = client.get("/projects/")

    assert response.status_code in (200, 400)
