"""The public directory: filters one by one and combined, French full text, facets,
bad parameters, public fields only, and a fixed number of queries."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.identifiers import siren_with_key
from projects.models import Project, Status
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(demo_catalog):
    return {
        "a": add(
            "HDH-2024-0001",
            "Données des urgences pendant la canicule",
            summary="Étude des passages aux urgences.",
            themes=["health-environment"],
            bases=["oscour"],
            submitted_on=date(2024, 7, 1),
        ),
        "b": add(
            "HDH-2023-0002",
            "Cancer du sein métastatique : parcours",
            sponsor="Unicancer",
            themes=["ai", "prevention"],
            bases=["esme"],
            programme="unibase",
            status=Status.IN_PROGRESS,
            submitted_on=date(2023, 2, 1),
            launched_on=date(2023, 9, 1),
        ),
        "c": add(
            "HDH-2023-0003",
            "Algorithmes de détection des cancers",
            themes=["ai"],
            bases=["esme", "bndmr"],
            status=Status.UNDER_REVIEW,
            submitted_on=date(2023, 5, 1),
        ),
        "draft": add("", "Brouillon secret", status=Status.DRAFT, submitted_on=None),
    }


def refs(response):
    return [project.reference for project in response.context["page"]]


def get(client, **params):
    return client.get(reverse("projects:directory"), params)


# What the page shows, read from its HTML: a cached page never evaluates its queryset,
# so `response.context["page"]` would be read afresh by the test, not by the page.
CARD = re.compile(r'<article.*?href="/projects/([^/"]+)/">(.*?)</a>.*?badge status-(\w+)', re.S)


def shown(response):
    """(reference, title, status) of each project the page lists, in order."""
    return CARD.findall(response.content.decode())


def card(response, reference):
    """The HTML of one project's card in the list."""
    for article in re.findall(r"<article.*?</article>", response.content.decode(), re.S):
        if f'href="/projects/{reference}/"' in article:
            return article
    raise AssertionError(f"{reference} is not listed")


def facet(response, name, value):
    """The label of one value of a facet, with its count: "Under review (2)"."""
    return dict(response.context["filter"].form.fields[name].choices)[value]


def test_lists_every_submitted_project_newest_first_and_never_a_draft(client, projects):
    response = get(client)

    assert refs(response) == ["HDH-2024-0001", "HDH-2023-0003", "HDH-2023-0002"]
    assert "Brouillon secret" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"theme": "ai"}, ["HDH-2023-0003", "HDH-2023-0002"]),
        ({"theme": ["ai", "prevention"]}, ["HDH-2023-0002"]),
        ({"base": "esme"}, ["HDH-2023-0003", "HDH-2023-0002"]),
        ({"base": ["esme", "bndmr"]}, ["HDH-2023-0003"]),
        ({"programme": "unibase"}, ["HDH-2023-0002"]),
        ({"status": "under_review"}, ["HDH-2023-0003"]),
        ({"year": "2024"}, ["HDH-2024-0001"]),
        ({"sponsor": "unicancer"}, ["HDH-2023-0002"]),
        ({"launched": "2023"}, ["HDH-2023-0002"]),
        ({"theme": "ai", "year": "2023", "base": "bndmr"}, ["HDH-2023-0003"]),
        ({"sort": "title"}, ["HDH-2023-0003", "HDH-2023-0002", "HDH-2024-0001"]),
        ({"sort": "status"}, ["HDH-2023-0002", "HDH-2024-0001", "HDH-2023-0003"]),
    ],
)
def test_filters_one_by_one_and_combined(client, projects, params, expected):
    assert refs(get(client, **params)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("donnees", ["HDH-2024-0001"]),
        ("DONNÉES urgences", ["HDH-2024-0001"]),
        ("cancers", ["HDH-2023-0003", "HDH-2023-0002"]),
        ("cancer", ["HDH-2023-0003", "HDH-2023-0002"]),
        ("unicancer", ["HDH-2023-0002"]),
        ("passages", ["HDH-2024-0001"]),
        ("inexistant", []),
    ],
    ids=["unaccented", "accented-capitals", "plural", "singular", "in-a-name", "plural-x", "none"],
)
def test_french_full_text_ignores_accents_and_plurals(client, projects, query, expected):
    assert sorted(refs(get(client, q=query))) == sorted(expected)


def found(client, text):
    return [ref for ref, _title, _status in shown(get(client, q=text))]


def test_renaming_a_sponsor_finds_its_projects_by_the_new_name_only(
    client, projects, administrator
):
    unicancer = projects["b"].sponsor
    assert found(client, "unicancer") == ["HDH-2023-0002"]
    assert found(client, "meridien") == []
    client.force_login(administrator)

    response = client.post(
        reverse("admin:projects_organisation_change", args=[unicancer.pk]),
        {"name": "Groupe hospitalier Méridien", "identifier_kind": "", "identifier": ""},
    )

    assert response.status_code == 302
    client.logout()
    assert found(client, "unicancer") == []
    assert found(client, "meridien") == ["HDH-2023-0002"]
    assert found(client, "Groupe hospitalier Méridien") == ["HDH-2023-0002"]


def test_the_title_ranks_above_the_summary(client, projects):
    add("HDH-2024-0009", "Étude régionale", summary="Cancer et cancers du poumon.")

    assert refs(get(client, q="cancer"))[-1] == "HDH-2024-0009"


def test_facets_count_what_each_value_would_give(client, projects):
    form = get(client, theme="ai").context["filter"].form

    themes = dict(form.fields["theme"].choices)
    assert themes["ai"].endswith("(2)")
    assert themes["prevention"].endswith("(1)")
    assert themes["covid-19"].endswith("(0)")
    assert dict(form.fields["base"].choices)["bndmr"].endswith("(1)")
    assert dict(form.fields["status"].choices)["under_review"].endswith("(1)")


def test_facets_follow_new_data_at_once(client, projects):
    get(client)
    add("HDH-2024-0010", "Nouveau projet", themes=["covid-19"])

    form = get(client).context["filter"].form
    assert dict(form.fields["theme"].choices)["covid-19"].endswith("(1)")


# The facet counts and the page are cached under the public data version (moved on by
# every change the public can see: `PublicVersion`). These changes keep the number of
# projects the same, so a cache keyed on a row count, or not refreshed, would show them
# late.


def test_a_status_change_shows_at_once_in_the_facets_and_the_list(client, projects, reviewer):
    before = get(client)
    assert facet(before, "status", "submitted").endswith("(1)")
    assert facet(before, "status", "under_review").endswith("(1)")
    assert ("HDH-2024-0001", projects["a"].title, "submitted") in shown(before)
    assert [ref for ref, _title, _status in shown(get(client, status="under_review"))] == [
        "HDH-2023-0003"
    ]

    services.project_transition(project=projects["a"], actor=reviewer, to="under_review")

    after = get(client)
    assert facet(after, "status", "submitted").endswith("(0)")
    assert facet(after, "status", "under_review").endswith("(2)")
    assert after.context["total"] == 3
    assert ("HDH-2024-0001", projects["a"].title, "under_review") in shown(after)
    filtered = get(client, status="under_review")
    assert filtered.context["total"] == 2
    assert [ref for ref, _title, _status in shown(filtered)] == ["HDH-2024-0001", "HDH-2023-0003"]
    assert [ref for ref, _title, _status in shown(get(client, status="submitted"))] == []


def test_a_title_edit_shows_at_once_in_the_list_and_the_search(client, projects):
    project = add(
        "HDH-2024-0020",
        "Ancien titre",
        status=Status.CHANGES_REQUESTED,
        submitted_on=date(2024, 8, 1),
    )
    assert shown(get(client))[0] == ("HDH-2024-0020", "Ancien titre", "changes_requested")
    assert get(client, q="chaleur").context["total"] == 0

    def save():
        project.title = "Vagues de chaleur et santé"
        project.save()

    services.project_save_content(project=project, expected_version=project.edit_version, save=save)

    assert shown(get(client))[0] == (
        "HDH-2024-0020",
        "Vagues de chaleur et santé",
        "changes_requested",
    )
    found = get(client, q="chaleur")
    assert found.context["total"] == 1
    assert [ref for ref, _title, _status in shown(found)] == ["HDH-2024-0020"]


def test_verifying_a_sponsor_removes_its_badge_at_once(client, projects, administrator):
    sponsor = projects["b"].sponsor
    sponsor.identifier_kind, sponsor.identifier = "siren", siren_with_key("77566830")
    sponsor.save()
    assert "sponsor-unverified" in card(get(client, sponsor="unicancer"), "HDH-2023-0002")

    services.organisation_verify(organisation=sponsor, actor=administrator)

    assert "sponsor-unverified" not in card(get(client, sponsor="unicancer"), "HDH-2023-0002")


def test_a_page_seen_again_with_nothing_changed_costs_one_query(
    client, projects, django_assert_num_queries
):
    get(client, theme="ai")

    # The data version alone: the facet counts and the page come from the cache.
    with django_assert_num_queries(1) as warm:
        response = get(client, theme="ai")

    # One row read by its key, whatever the number of projects.
    version_query = warm.captured_queries[0]["sql"]
    assert "projects_publicversion" in version_query
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as at volume, whatever the size
        cursor.execute(f"EXPLAIN {version_query}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "projects_publicversion_pkey" in plan
    assert facet(response, "theme", "ai").endswith("(2)")
    assert [ref for ref, _title, _status in shown(response)] == ["HDH-2023-0003", "HDH-2023-0002"]


def test_bad_parameters_give_a_page_with_a_message_never_an_error(client, projects):
    response = get(client, year="abc", page="999999", theme="nope", status="bogus", sort="x")

    assert response.status_code == 200
    assert refs(response) == []
    texts = [str(message) for message in response.context["messages"]]
    assert any("not understood" in text or "pas été compris" in text for text in texts)


def test_a_page_beyond_the_last_shows_the_last_page_with_a_message(client, projects):
    response = get(client, page="999999")

    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert len(list(response.context["messages"])) == 1


def test_twenty_per_page_and_the_url_is_the_state(client, projects):
    for number in range(25):
        add(f"HDH-2022-{number:04d}", f"Projet {number}", submitted_on=date(2022, 1, 1))

    first = get(client, year="2022")
    second = get(client, year="2022", page="2")

    assert len(refs(first)) == 20
    assert len(refs(second)) == 5
    assert "year=2022&amp;page=2" in first.content.decode()


def test_htmx_requests_get_only_the_directory_fragment(client, projects):
    response = client.get(reverse("projects:directory"), {"theme": "ai"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="directory"')
    assert "<html" not in content


def thirty_more():
    """Thirty more public projects, about cancer, with the theme AI and the base ESME."""
    for number in range(30):
        add(
            f"HDH-2021-{number:04d}",
            f"Cancer {number}",
            themes=["ai"],
            bases=["esme"],
            submitted_on=date(2023, 1, 1),
        )


# The README: "A directory page takes at most ten queries cold and four warm, whatever
# the page size or volume", the facet counts costing "one index-only query when nothing
# changed". Warm, an anonymous visitor's page costs that one query and nothing else.
@pytest.mark.parametrize(
    ("params", "listed"),
    [
        ({}, 20),
        ({"q": "cancer", "theme": "ai", "base": "esme", "year": "2023"}, 20),
        ({"page": "2"}, 13),
    ],
    ids=["first-page", "search-and-facets", "second-page"],
)
def test_at_most_ten_queries_cold_and_one_warm_whatever_the_page_size(
    client, projects, params, listed, django_assert_max_num_queries, django_assert_num_queries
):
    thirty_more()
    with django_assert_max_num_queries(10):
        assert len(shown(get(client, **params))) == listed
    with django_assert_num_queries(1):
        assert len(shown(get(client, **params))) == listed


def test_a_signed_in_visitor_costs_only_the_session_the_account_and_the_header_more(
    client, projects, owner, django_assert_num_queries
):
    """Signed in: the session, the account, and whether they act for a data holder (the
    header's link to the holder's pages)."""
    thirty_more()
    with CaptureQueriesContext(connection) as anonymous:
        get(client)
    cache.clear()
    client.force_login(owner)

    with django_assert_num_queries(len(anonymous) + 3):
        get(client)
    with django_assert_num_queries(4):
        get(client)


def test_public_page_shows_public_fields_and_public_events_only(client, projects, reviewer):
    from projects.models import Event, InternalNote

    project = projects["b"]
    InternalNote.objects.create(project=project, author=reviewer, body="Note interne")
    Event.objects.create(
        project=project, action="assigned", reason="Rita", visibility=Event.Visibility.STAFF
    )
    Event.objects.create(project=project, action="launched", visibility=Event.Visibility.PUBLIC)

    response = client.get(reverse("projects:public", kwargs={"reference": project.reference}))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Cancer du sein métastatique" in content
    assert "Note interne" not in content
    assert "Rita" not in content
    assert [event.action for event in response.context["events"]] == ["launched"]


@pytest.mark.parametrize("reference", ["HDH-0000-0000", "nope"])
def test_unknown_reference_is_a_404(client, projects, reference):
    assert (
        client.get(reverse("projects:public", kwargs={"reference": reference})).status_code == 404
    )


def test_a_drafts_page_is_a_404(client, projects):
    draft = projects["draft"]
    Project.objects.filter(pk=draft.pk).update(reference="HDH-2026-0777")

    assert (
        client.get(reverse("projects:public", kwargs={"reference": "HDH-2026-0777"})).status_code
        == 404
    )


def test_a_public_project_page_takes_a_fixed_number_of_queries(
    client, projects, django_assert_max_num_queries
):
    for number in range(10):
        add(f"HDH-2020-{number:04d}", f"Autre {number}", themes=["ai"], bases=["esme"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("projects:public", kwargs={"reference": "HDH-2023-0002"}))
    assert response.status_code == 200


def listed(response, name, value):
    """The label of a value of a facet drawn as a list (programme, year)."""
    return dict(response.context["filter"].form.fields[name].widget.choices)[value]


def test_every_facet_counts_within_the_results_only(client, projects):
    # Under review: only C (2023, AI, ESME and BNDMR, no programme, CHU Nord).
    response = get(client, status="under_review")

    assert facet(response, "theme", "ai").endswith("(1)")
    assert facet(response, "theme", "prevention").endswith("(0)")
    assert facet(response, "theme", "health-environment").endswith("(0)")
    assert facet(response, "base", "esme").endswith("(1)")
    assert facet(response, "base", "bndmr").endswith("(1)")
    assert "oscour" not in dict(response.context["filter"].form.fields["base"].choices)
    assert listed(response, "programme", "unibase").endswith("(0)")
    assert listed(response, "year", 2023).endswith("(1)")
    assert response.context["sponsors"] == [("CHU Nord", 1)]


def test_the_year_facet_adds_every_state_of_that_year(client, projects):
    # B (in progress) and C (under review) were both submitted in 2023.
    assert listed(get(client), "year", 2023).endswith("(2)")


def test_the_main_sponsors_come_by_number_of_projects(client, projects):
    add("HDH-2022-0011", "Registre des cancers", sponsor="Unicancer", submitted_on=date(2022, 1, 5))
    add(
        "HDH-2022-0012", "Parcours en oncologie", sponsor="Unicancer", submitted_on=date(2022, 2, 5)
    )

    # Unicancer 3, CHU Nord 2: by number first, not by name.
    assert get(client).context["sponsors"] == [("Unicancer", 3), ("CHU Nord", 2)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"theme": "nope"},
            "« nope » n'est pas une valeur du filtre « Thèmes » : rien n'y correspond.",
        ),
        (
            {"base": "nope"},
            "« nope » n'est pas une valeur du filtre « Bases » : rien n'y correspond.",
        ),
        (
            {"programme": "nope"},
            "« nope » n'est pas une valeur du filtre « Programme » : rien n'y correspond.",
        ),
        ({"status": "nope"}, "Certains filtres n'ont pas été compris et sont ignorés."),
    ],
)
def test_an_unknown_filter_value_always_says_so(client, demo_catalog, params, message):
    response = client.get(reverse("projects:directory"), params)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]


def test_a_known_value_matching_nothing_says_nothing_wrong(client, demo_catalog):
    response = client.get(reverse("projects:directory"), {"theme": "ai", "base": "esme"})

    assert [str(m) for m in response.context["messages"]] == []
