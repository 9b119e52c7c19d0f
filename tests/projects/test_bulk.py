"""Writing thousands of rows at once: the same rows as bulk_create and bulk_update."""

from datetime import date

import pytest
from django.db import DataError, transaction
from django.utils import timezone

from projects import bulk
from projects.models import Event, Organisation, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsor():
    return Organisation.objects.create(name="Institut Pasteur")


def test_copy_insert_writes_the_rows_as_bulk_create_would(sponsor):
    before = timezone.now()
    projects = [
        Project(reference=f"HDH-2023-000{n}", title=f"Étude {n}", sponsor=sponsor) for n in (1, 2)
    ]

    bulk.copy_insert(projects)

    assert all(project.pk and not project._state.adding for project in projects)
    saved = Project.objects.get(pk=projects[1].pk)
    assert (saved.reference, saved.title, saved.status, saved.edit_version) == (
        "HDH-2023-0002",
        "Étude 2",
        "draft",
        1,
    )
    assert before <= saved.created_at <= saved.updated_at <= timezone.now()
    assert saved.status_changed_at >= before
    # The search trigger ran, with the sponsor's name.
    assert str(saved.search_vector) == "'2':2A 'etud':1A 'institut':3B 'pasteur':4B"
    events = [Event(project=saved, action="imported", visibility="staff") for _ in range(2)]
    bulk.copy_insert(events)
    assert [event.at for event in saved.events.all()] == [event.at for event in events]


def test_copy_insert_of_nothing_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk.copy_insert([])
        bulk.array_update([], ["title"])


def test_copy_insert_reports_a_refused_row_in_the_databases_words(sponsor):
    projects = [Project(reference="R-1", title="T"), Project(reference="R-2", title="T" * 301)]

    too_long = "value too long for type character varying\\(300\\)"
    with pytest.raises(DataError, match=too_long), transaction.atomic():
        bulk.copy_insert(projects)

    assert not Project.objects.exists()


def test_array_update_writes_the_named_fields_only(sponsor):
    first, second = (
        Project.objects.create(reference=f"R-{n}", title="Ancien", summary="Gardé", sponsor=sponsor)
        for n in (1, 2)
    )
    first.title, second.title = "Cohorte", "Registre"
    first.summary = second.summary = "Jamais écrit"
    first.launched_on = date(2024, 5, 1)

    bulk.array_update([first, second], ["title", "launched_on"])

    assert list(Project.objects.order_by("reference").values_list("title", "summary")) == [
        ("Cohorte", "Gardé"),
        ("Registre", "Gardé"),
    ]
    assert Project.objects.get(pk=first.pk).launched_on == date(2024, 5, 1)
    assert Project.objects.get(pk=second.pk).launched_on is None
    assert "'cohort':1A" in str(Project.objects.get(pk=first.pk).search_vector)


def test_array_update_lets_the_column_refuse_a_value_too_long(sponsor):
    project = Project.objects.create(reference="R-1", title="Court")
    project.title = "T" * 301

    too_long = "value too long for type character varying\\(300\\)"
    with pytest.raises(DataError, match=too_long), transaction.atomic():
        bulk.array_update([project], ["title"])
