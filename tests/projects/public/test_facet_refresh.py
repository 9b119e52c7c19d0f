"""The directory's counts while the hub works: after a public change, the counts
already made are served while the task worker counts again, once per set of
filters; the page then shows the new counts. Visitors never wait for a recount of
filters already counted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from projects.public import directory
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db

REFRESH = "projects.public.directory.refresh_facets"


@pytest.fixture
def queued_tasks(settings):
    """Tasks go to the database, as with `make serve`, and wait for a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def projects(demo_catalog):
    add("HDH-2024-0001", "Canicule et urgences", themes=["health-environment"])
    add("HDH-2023-0002", "Cancer du sein", themes=["ai"])


def get(client, **params):
    return client.get(reverse("projects:directory"), params)


def theme_label(response, slug):
    """The count served, as the form shows it, and as the page's HTML shows it."""
    label = dict(response.context["filter"].form.fields["theme"].choices)[slug]
    assert label in response.content.decode()
    return label


def run_queued_refreshes():
    """What the worker does: run each queued recount."""
    for queued in DBTaskResult.objects.filter(task_path=REFRESH, status="READY"):
        directory.refresh_facets.call(*queued.args_kwargs["args"])
        queued.delete()


def test_after_a_public_change_the_old_counts_are_served_while_one_recount_is_queued(
    client, projects, queued_tasks
):
    assert theme_label(get(client, theme="ai"), "ai").endswith("(1)")

    add("HDH-2024-0003", "Apprentissage et imagerie", themes=["ai"])

    # Two visitors after the change: both served at once, one recount queued.
    first = get(client, theme="ai")
    second = get(client, theme="ai")
    assert theme_label(first, "ai").endswith("(1)")
    assert theme_label(second, "ai").endswith("(1)")
    # The list itself is read afresh: the new project is already in it.
    assert "HDH-2024-0003" in first.content.decode()
    queued = DBTaskResult.objects.get(task_path=REFRESH)
    assert queued.args_kwargs["args"] == [[["theme", "ai"]]]

    run_queued_refreshes()

    after = get(client, theme="ai")
    assert theme_label(after, "ai").endswith("(2)")
    assert after.context["total"] == 2
    assert not DBTaskResult.objects.filter(task_path=REFRESH).exists()


def test_each_set_of_filters_is_recounted_on_its_own(client, projects, queued_tasks):
    get(client)
    get(client, theme="ai")
    add("HDH-2024-0003", "Apprentissage et imagerie", themes=["ai"])

    get(client)
    get(client, theme="ai")
    get(client, theme="ai", page=1)  # the page is not a filter: same counts

    args = sorted(row.args_kwargs["args"] for row in DBTaskResult.objects.filter(task_path=REFRESH))
    assert args == [[[]], [[["theme", "ai"]]]]


def test_filters_never_counted_are_counted_while_the_visitor_waits(client, projects, queued_tasks):
    response = get(client, theme="health-environment")

    assert theme_label(response, "health-environment").endswith("(1)")
    assert not DBTaskResult.objects.exists()


def test_a_change_the_public_cannot_see_queues_nothing(client, projects, queued_tasks, owner):
    from tests.factories import make_project

    get(client)
    make_project(owner=owner, title="Brouillon")

    get(client)
    assert not DBTaskResult.objects.exists()


def test_counts_older_than_the_timeout_are_recounted_even_without_a_change(
    client, projects, queued_tasks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    get(client)
    time_machine.shift(timedelta(seconds=directory.FACET_TIMEOUT + 1))

    get(client)

    assert DBTaskResult.objects.filter(task_path=REFRESH).count() == 1


def test_a_recount_under_way_is_not_queued_again_until_it_has_run(client, projects, queued_tasks):
    get(client)
    add("HDH-2024-0003", "Apprentissage", themes=["ai"])
    get(client)
    run_queued_refreshes()
    add("HDH-2024-0004", "Imagerie", themes=["ai"])

    # The first recount has run and released its lock: the next change queues one more.
    get(client)
    get(client)
    assert DBTaskResult.objects.filter(task_path=REFRESH).count() == 1
    run_queued_refreshes()
    assert get(client).context["total"] == 4


def test_with_the_immediate_backend_a_change_shows_in_the_counts_at_once(client, projects):
    get(client, theme="ai")
    add("HDH-2024-0003", "Apprentissage et imagerie", themes=["ai"])

    assert theme_label(get(client, theme="ai"), "ai").endswith("(2)")


def test_without_a_worker_counts_are_never_served_older_than_the_limit(
    client, projects, queued_tasks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    get(client, theme="ai")
    add("HDH-2024-0003", "Apprentissage et imagerie", themes=["ai"])
    assert theme_label(get(client, theme="ai"), "ai").endswith("(1)")  # a recount queued

    # No worker ran it: past the limit, the visitor counts.
    time_machine.shift(timedelta(seconds=directory.STALE_LIMIT))
    assert theme_label(get(client, theme="ai"), "ai").endswith("(2)")


def test_the_processing_times_are_served_while_the_worker_computes_them_again(
    client, queued_tasks, owner, reviewer
):
    from projects import services, statistics
    from projects.models import Status
    from tests.factories import make_project

    project = make_project(owner=owner, title="Étude")
    services.project_transition(project=project, actor=owner, to=Status.SUBMITTED)

    def checks() -> int:
        figures = client.get(reverse("stats-processing-json")).json()
        return sum(year["stages"]["admissibility"]["files"] for year in figures["years"])

    assert checks() == 0
    services.project_transition(project=project, actor=reviewer, to=Status.UNDER_REVIEW)

    # The figures already made are served; one computation is queued, however many ask.
    assert checks() == 0
    assert checks() == 0
    queued = DBTaskResult.objects.get(task_path__endswith="refresh_processing_times")

    statistics.refresh_processing_times.call(*queued.args_kwargs["args"])

    assert checks() == 1
