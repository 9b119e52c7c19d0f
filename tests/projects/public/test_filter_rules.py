"""The directory's search and orders, pinned by literal expectations: the full-text
query built for each kind of word, the plain match used without full-text search,
and each order's tie-breaks."""

from datetime import date

import pytest
from django.contrib.postgres.search import SearchQuery
from django.http import QueryDict

from projects.filters import SEARCH_CONFIG, ProjectFilter, every_word_somewhere, search_query
from projects.models import Project
from tests.factories import make_public_project as add


def term(word: str) -> SearchQuery:
    return SearchQuery(word, config=SEARCH_CONFIG)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("de", term("de")),
        ("bus", term("bus") | term("buss")),
        ("cas", term("cas") | term("cass")),
        ("gens", term("gens") | term("gen")),
        ("cancers", term("cancers") | term("cancer")),
        ("TAUX", term("TAUX") | term("TAU")),
        ("cancer", term("cancer") | term("cancers")),
        ("soin rein", (term("soin") | term("soins")) & (term("rein") | term("reins"))),
    ],
    ids=["two-letters", "three-ending-s", "three-ending-s-2", "four-ending-s", "plural",
         "capital-x", "singular", "two-words"],
)  # fmt: skip
def test_each_word_is_also_tried_in_the_other_number(text, expected):
    assert search_query(text) == expected


def test_no_word_no_query():
    assert search_query("   ") is None


@pytest.fixture
def projects(db):
    return {
        "title": add("HDH-2024-0001", "Parcours des patients diabétiques", summary="Cohorte"),
        "summary": add("HDH-2024-0002", "Étude B", summary="Les patients suivis en ville"),
        "sponsor": add("HDH-2024-0003", "Étude C", sponsor="Institut Patients Sud"),
        "none": add("HDH-2024-0004", "Étude D", summary="Autre chose"),
    }


def matching(q) -> set[str]:
    return set(Project.objects.filter(q).values_list("reference", flat=True))


def test_without_full_text_each_word_must_appear_in_title_summary_or_sponsor(projects):
    assert matching(every_word_somewhere("PATIENTS")) == {
        "HDH-2024-0001",
        "HDH-2024-0002",
        "HDH-2024-0003",
    }
    assert matching(every_word_somewhere("patients ville")) == {"HDH-2024-0002"}
    assert matching(every_word_somewhere("patients inconnu")) == set()


def order(params: str = "", *, bound: bool = True) -> list[str]:
    filterset = ProjectFilter(
        QueryDict(params) if bound else None, queryset=Project.objects.public()
    )
    return list(filterset.ordered(filterset.qs).values_list("reference", flat=True))


@pytest.fixture
def ties(db):
    """Same title, same status, same submission date, told apart by what comes next."""
    add("HDH-2024-0001", "Même titre", status="submitted", submitted_on=date(2024, 1, 1))
    add("HDH-2024-0002", "Même titre", status="submitted", submitted_on=date(2024, 1, 1))
    add("HDH-2024-0003", "Autre", status="submitted", submitted_on=date(2024, 6, 1))
    add("HDH-2024-0004", "Zèbre", status="approved", submitted_on=date(2023, 1, 1))


def test_by_title_then_the_latest_created(ties):
    assert order("sort=title") == ["HDH-2024-0003", "HDH-2024-0002", "HDH-2024-0001",
                                   "HDH-2024-0004"]  # fmt: skip


def test_by_status_then_the_latest_submitted_then_the_latest_created(ties):
    assert order("sort=status") == ["HDH-2024-0004", "HDH-2024-0003", "HDH-2024-0002",
                                    "HDH-2024-0001"]  # fmt: skip


def test_by_default_the_latest_submitted_then_the_latest_created(ties):
    expected = ["HDH-2024-0003", "HDH-2024-0002", "HDH-2024-0001", "HDH-2024-0004"]

    assert order() == expected
    assert order(bound=False) == expected


def test_equally_relevant_results_come_latest_submitted_first(ties):
    assert order("q=titre") == ["HDH-2024-0002", "HDH-2024-0001"]
    add("HDH-2025-0005", "Même titre", submitted_on=date(2025, 1, 1))
    assert order("q=titre") == ["HDH-2025-0005", "HDH-2024-0002", "HDH-2024-0001"]
