from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from catalog.models import MAX_SEARCH_WORDS, Base, Milestone
from tests.factories import BaseFactory, DataHolderFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def test_a_base_reaches_each_milestone_kind_only_once():
    milestone = MilestoneFactory(kind=Milestone.Kind.CONTRACT)
    with pytest.raises(IntegrityError):
        MilestoneFactory(base=milestone.base, kind=Milestone.Kind.CONTRACT)


def test_duplicate_milestone_is_a_validation_error_before_the_database():
    milestone = MilestoneFactory(kind=Milestone.Kind.DOCUMENTATION)
    duplicate = Milestone(
        base=milestone.base, kind=Milestone.Kind.DOCUMENTATION, reached_on=date.today()
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_period_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError):
        BaseFactory(period_start=date(2020, 1, 1), period_end=date(2019, 1, 1))


def test_counts_by_kind_counts_bases_and_includes_every_kind():
    first, second = BaseFactory(), BaseFactory()
    MilestoneFactory(base=first, kind=Milestone.Kind.CONTRACT)
    MilestoneFactory(base=second, kind=Milestone.Kind.CONTRACT)
    MilestoneFactory(base=second, kind=Milestone.Kind.TRANSFER)

    assert Milestone.objects.counts_by_kind() == {
        "contract": 2,
        "documentation": 0,
        "preparation": 0,
        "transfer": 1,
    }


def test_reached_in_keeps_only_the_year():
    MilestoneFactory(reached_on=date(2022, 12, 31))
    kept = MilestoneFactory(reached_on=date(2023, 1, 1), kind=Milestone.Kind.TRANSFER)
    assert list(Milestone.objects.reached_in(2023)) == [kept]


def test_search_matches_every_word_across_name_keywords_and_holder():
    holder = DataHolderFactory(name="Santé publique France", acronym="SpF")
    wanted = BaseFactory(name="Passages aux urgences", keywords="surveillance", data_holder=holder)
    BaseFactory(name="Cohorte hépatites", keywords="surveillance")

    assert list(Base.objects.search("urgences SpF")) == [wanted]
    assert list(Base.objects.search("SURVEILLANCE spf")) == [wanted]
    assert Base.objects.search("surveillance").count() == 2


def test_timeline_lists_reached_milestones_by_date_then_the_missing_ones():
    base = BaseFactory()
    MilestoneFactory(base=base, kind=Milestone.Kind.TRANSFER, reached_on=date(2023, 2, 1))
    MilestoneFactory(base=base, kind=Milestone.Kind.DOCUMENTATION, reached_on=date(2023, 5, 1))

    steps = base.timeline()

    assert [step["kind"] for step in steps] == [
        "transfer",
        "documentation",
        "contract",
        "preparation",
    ]
    assert [step["milestone"] is not None for step in steps] == [True, True, False, False]


def test_keyword_list_ignores_blanks():
    assert BaseFactory(keywords="cancer, , cohorte ,").keyword_list == ["cancer", "cohorte"]


def test_a_900_word_search_takes_only_the_first_words(demo_catalog):
    words = ["ESME", "cancer"] * (MAX_SEARCH_WORDS // 2) + [f"zzz{n}" for n in range(888)]

    found = Base.objects.search(" ".join(words))

    condition = 'UPPER("catalog_base"."acronym"::text) LIKE'  # one per word taken
    assert str(found.query).count(condition) == MAX_SEARCH_WORDS
    assert [base.acronym for base in found] == ["ESME"]


def test_the_catalog_and_the_directory_cap_their_searches_alike():
    from projects.filters import search_query

    assert MAX_SEARCH_WORDS == 12
    assert str(search_query(" ".join(f"mot{n}" for n in range(900)))).count("mot") == 2 * 12
