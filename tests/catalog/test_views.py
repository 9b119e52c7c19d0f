import pytest
from django.urls import reverse

from catalog.models import Base, DataHolder
from tests.languages import english_url

pytestmark = pytest.mark.django_db


def test_catalog_lists_the_seven_bases_and_the_2023_milestone_counts(client, demo_catalog):
    response = client.get(reverse("catalog:base-list"))

    assert response.status_code == 200
    assert len(response.context["bases"]) == 7
    counts = {step["kind"]: step["count"] for step in response.context["milestone_counts"]}
    assert counts == {"contract": 5, "documentation": 7, "preparation": 6, "transfer": 5}


def test_text_search_filters_the_catalog(client, demo_catalog):
    response = client.get(reverse("catalog:base-list"), {"q": "urgences"})

    assert sorted(base.acronym for base in response.context["bases"]) == ["OSCOUR", "e-MUST"]


def test_milestone_filter_keeps_bases_that_reached_it(client, demo_catalog):
    response = client.get(reverse("catalog:base-list"), {"milestone": "contract"})

    assert sorted(base.acronym for base in response.context["bases"]) == [
        "ATU CBPC",
        "BNDMR",
        "ESME",
        "OSCOUR",
        "e-SIS",
    ]


def test_holder_filter_combines_with_the_others(client, demo_catalog):
    holder = DataHolder.objects.get(acronym="Unicancer")
    response = client.get(
        reverse("catalog:base-list"), {"holder": holder.pk, "milestone": "transfer", "q": "cancer"}
    )

    assert [base.acronym for base in response.context["bases"]] == ["ESME"]


@pytest.mark.parametrize(
    "params", [{"holder": "abc"}, {"holder": "999999"}, {"milestone": "nope"}, {"q": "x" * 5000}]
)
def test_bad_filter_values_give_the_page_with_a_message_not_an_error(client, demo_catalog, params):
    response = client.get(reverse("catalog:base-list"), params)

    assert response.status_code == 200
    assert response.context["filter"].errors


def test_catalog_page_queries_do_not_grow_with_the_number_of_bases(
    client, demo_catalog, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        client.get(reverse("catalog:base-list"))


def test_base_page_shows_the_base_and_its_timeline(client, demo_catalog):
    base = Base.objects.get(acronym="Hepather")

    response = client.get(base.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert "Cohorte nationale des personnes atteintes d&#x27;hépatite B ou C" in content
    assert [step["milestone"] is not None for step in response.context["base"].timeline()] == [
        True,
        True,
        False,
        False,
    ]


def test_unknown_base_is_a_404_in_the_site_layout(client, demo_catalog):
    response = client.get("/catalog/does-not-exist/")

    assert response.status_code == 404
    assert 'id="main"' in response.content.decode()
    assert reverse("catalog:base-list") in response.content.decode()


def test_pages_are_french_at_their_address_and_english_under_en(client, demo_catalog):
    # A browser asking for English still gets the French page at the French address.
    french = client.get(reverse("catalog:base-list"), HTTP_ACCEPT_LANGUAGE="en")
    english = client.get(english_url(reverse("catalog:base-list")))

    assert '<html lang="fr">' in french.content.decode()
    assert "Catalogue" in french.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Catalog of bases" in english.content.decode()


def test_an_address_that_matches_no_page_is_a_404_in_the_site_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert 'id="main"' in response.content.decode()


def test_a_too_long_search_gives_the_page_with_a_message(client, demo_catalog):
    response = client.get(reverse("catalog:base-list"), {"q": " ".join(["cancer"] * 900)})

    assert response.status_code == 200
    assert "q" in response.context["filter"].errors
    assert len(response.context["bases"]) == 7  # the search is ignored, not run
    assert 'id="error_1_id_q"' in response.content.decode()  # the message beside the field
