"""The results due date (`projects.results`): 18 months after completion by default,
month ends clamped; the state of a project on the days around it, as one project
(`state_of`) and as a filter (`state_q`), which must agree; the step of the sponsor's
reminder that applies on a day; and the year's results overdue."""

from datetime import date, timedelta

import pytest

from projects import results
from projects.models import Project, Status
from projects.results import ResultsState
from tests.projects.results_data import with_results


@pytest.mark.parametrize(
    ("completed_on", "due_on"),
    [
        (date(2025, 9, 10), date(2027, 3, 10)),
        (date(2025, 8, 29), date(2027, 2, 28)),
        (date(2025, 8, 30), date(2027, 2, 28)),
        (date(2025, 8, 31), date(2027, 2, 28)),
        (date(2026, 8, 31), date(2028, 2, 29)),  # 2028 is a leap year
        (date(2025, 5, 31), date(2026, 11, 30)),
        (date(2025, 12, 31), date(2027, 6, 30)),
        (date(2024, 2, 29), date(2025, 8, 29)),
    ],
)
def test_results_are_due_18_months_after_completion_month_ends_clamped(completed_on, due_on):
    assert results.due_on(completed_on) == due_on


def test_without_a_completion_there_is_no_due_date():
    assert results.due_on(None) is None


def test_the_hubs_setting_gives_the_months(settings):
    settings.RESULTS_DUE_MONTHS = 12

    assert results.due_on(date(2025, 8, 31)) == date(2026, 8, 31)
    assert results.due_on(date(2024, 2, 29)) == date(2025, 2, 28)
    assert results.last_completion_overdue(date(2026, 9, 1)) == date(2025, 8, 31)


@pytest.mark.parametrize(
    ("today", "last"),
    [
        # Due on 10 March 2027 for a completion on 10 September 2025: overdue from the 11th.
        (date(2027, 3, 10), date(2025, 9, 9)),
        (date(2027, 3, 11), date(2025, 9, 10)),
        # 28 August to 31 August 2025 are all due on 28 February 2027.
        (date(2027, 2, 28), date(2025, 8, 27)),
        (date(2027, 3, 1), date(2025, 8, 31)),
        (date(2027, 3, 2), date(2025, 9, 1)),
    ],
)
def test_the_last_completion_overdue_on_a_day(today, last):
    assert results.last_completion_overdue(today) == last
    assert results.due_on(last) < today
    assert results.due_on(last + timedelta(days=1)) >= today


def test_the_last_completion_overdue_is_that_of_every_day_of_four_years():
    """Against the plain definition, day by day: the due date of every completion up
    to it has passed, and that of the next day has not."""
    for n in range(4 * 366):
        today = date(2027, 1, 1) + timedelta(days=n)
        last = results.last_completion_overdue(today)
        assert results.due_on(last) < today <= results.due_on(last + timedelta(days=1))


DUE = date(2027, 3, 10)  # for a completion on 10 September 2025


@pytest.fixture
def around(db):
    """A project on its due date, and the others a state can be confused with."""
    return {
        "due": with_results("HDH-2024-0001", completed_on=date(2025, 9, 10)),
        "published": with_results(
            "HDH-2024-0002", completed_on=date(2025, 9, 10), published_on=date(2026, 1, 5)
        ),
        # Published before completion: published whatever the status.
        "published-running": with_results(
            "HDH-2024-0003", status=Status.IN_PROGRESS, published_on=date(2026, 1, 5)
        ),
        "running": with_results("HDH-2024-0004", status=Status.IN_PROGRESS),
        "withdrawn": with_results(
            "HDH-2024-0005", status=Status.WITHDRAWN, completed_on=date(2024, 1, 1)
        ),
        # Completed by an import that gave no date: due, never overdue.
        "undated": with_results("HDH-2024-0006", completed_on=None),
    }


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - timedelta(days=1), ResultsState.DUE),
        (DUE, ResultsState.DUE),
        (DUE + timedelta(days=1), ResultsState.OVERDUE),
        (DUE + timedelta(days=400), ResultsState.OVERDUE),
    ],
    ids=["day-before", "due-day", "day-after", "long-after"],
)
def test_a_completed_project_is_due_until_its_due_date_then_overdue(around, today, expected):
    assert results.state_of(around["due"], today=today) == expected
    assert in_state(today) == {
        ResultsState.PUBLISHED: {"HDH-2024-0002", "HDH-2024-0003"},
        ResultsState.DUE: {"HDH-2024-0006"} | ({"HDH-2024-0001"} - overdue_ones(expected)),
        ResultsState.OVERDUE: overdue_ones(expected),
    }


def overdue_ones(expected) -> set[str]:
    return {"HDH-2024-0001"} if expected == ResultsState.OVERDUE else set()


def in_state(today) -> dict[str, set[str]]:
    return {
        state: set(
            Project.objects.filter(results.state_q(state, today=today)).values_list(
                "reference", flat=True
            )
        )
        for state in ResultsState.labels
    }


def test_state_of_one_project_agrees_with_the_filter_on_every_day_around(around):
    projects = list(Project.objects.all())
    for n in range(-3, 4):
        today = DUE + timedelta(days=n)
        by_filter = {
            reference: state for state, found in in_state(today).items() for reference in found
        }
        by_project = {
            project.reference: results.state_of(project, today=today)
            for project in projects
            if results.state_of(project, today=today)
        }
        assert by_project == by_filter


def test_projects_not_completed_nor_published_have_no_state(around):
    for name in ["running", "withdrawn"]:
        assert results.state_of(around[name], today=DUE) == ""


def test_an_unknown_state_is_an_error_not_a_filter():
    with pytest.raises(ValueError):
        results.state_q("late", today=DUE)


@pytest.mark.parametrize(
    ("today", "step"),
    [
        (date(2026, 12, 9), None),
        (date(2026, 12, 10), "3_months"),
        (date(2027, 2, 9), "3_months"),
        (date(2027, 2, 10), "1_month"),
        (DUE, "1_month"),
        (DUE + timedelta(days=1), "due"),
        (DUE + timedelta(days=900), "due"),
    ],
)
def test_the_reminder_step_of_a_day(today, step):
    assert results.reminder_step(DUE, today=today) == step


def test_reminder_steps_clamp_month_ends():
    # Due on 31 May: three months before is 28 February, one month before 30 April.
    due = date(2027, 5, 31)
    assert results.reminder_step(due, today=date(2027, 2, 27)) is None
    assert results.reminder_step(due, today=date(2027, 2, 28)) == "3_months"
    assert results.reminder_step(due, today=date(2027, 4, 29)) == "3_months"
    assert results.reminder_step(due, today=date(2027, 4, 30)) == "1_month"


@pytest.fixture
def years(db):
    """Due dates and publications on each side of the end of 2026."""
    return [
        # Due on 30 December 2026, nothing published: overdue at the end of 2026.
        with_results("HDH-2025-0001", completed_on=date(2025, 6, 30)),
        # Due on 1 January 2027: not yet at the end of 2026.
        with_results("HDH-2025-0002", completed_on=date(2025, 7, 1)),
        # Due in 2026, published on 1 January 2027: still overdue at the end of 2026.
        with_results(
            "HDH-2025-0003", completed_on=date(2025, 1, 15), published_on=date(2027, 1, 1)
        ),
        # Due in 2026, published on 31 December 2026: not overdue at its end.
        with_results(
            "HDH-2025-0004", completed_on=date(2025, 1, 15), published_on=date(2026, 12, 31)
        ),
        # Due in 2025: overdue at the end of 2025 and 2026 alike.
        with_results("HDH-2024-0005", completed_on=date(2024, 1, 15)),
        # Not completed: never overdue.
        with_results("HDH-2024-0006", status=Status.IN_PROGRESS, completed_on=None),
    ]


def overdue_at_end_of(year: int, today: date) -> set[str]:
    found = Project.objects.filter(results.overdue_at_end_of(year, today=today))
    return set(found.values_list("reference", flat=True))


def test_overdue_at_the_end_of_a_year_past(years):
    today = date(2027, 6, 1)

    assert overdue_at_end_of(2026, today) == {"HDH-2025-0001", "HDH-2025-0003", "HDH-2024-0005"}
    assert overdue_at_end_of(2025, today) == {"HDH-2024-0005"}
    assert overdue_at_end_of(2024, today) == set()


def test_overdue_in_the_year_running_is_overdue_today(years):
    # On its due date a project is not overdue yet; the day after, it is. What is
    # published counts from the day it is published.
    assert overdue_at_end_of(2026, date(2026, 12, 30)) == {
        "HDH-2025-0003",
        "HDH-2025-0004",
        "HDH-2024-0005",
    }
    assert overdue_at_end_of(2026, date(2026, 12, 31)) == {
        "HDH-2025-0001",
        "HDH-2025-0003",
        "HDH-2024-0005",
    }
    # On 2 January 2027 the year 2027 counts what is overdue that day: due on the
    # 1st, or before and still unpublished (one was published on the 1st).
    assert overdue_at_end_of(2027, date(2027, 1, 2)) == {
        "HDH-2025-0001",
        "HDH-2025-0002",
        "HDH-2024-0005",
    }


def test_a_due_date_on_the_last_day_of_the_year_has_passed_at_its_end(db, settings):
    settings.RESULTS_DUE_MONTHS = 12  # 18 months from a completion never end on 31 December
    with_results("HDH-2025-0007", completed_on=date(2025, 12, 31))

    assert overdue_at_end_of(2026, date(2026, 12, 31)) == set()
    assert overdue_at_end_of(2026, date(2027, 1, 1)) == {"HDH-2025-0007"}
    assert overdue_at_end_of(2025, date(2027, 1, 1)) == set()
