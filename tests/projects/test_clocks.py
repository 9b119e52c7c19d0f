"""The clock arithmetic (`projects.clocks.compute`), as tables: stage and decision due
dates, pauses, extensions, month and year ends, time zones around midnight."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from projects import clocks
from projects.clocks import Change, Deadlines, Holder, Stage
from projects.models import Status

PARIS = ZoneInfo("Europe/Paris")
S, C, U, A = "submitted", "changes_requested", "under_review", "awaiting_authorisation"


def d(text: str) -> date:
    return date.fromisoformat(text)


def noon(text: str) -> datetime:
    return datetime.combine(d(text), datetime.min.time().replace(hour=12), tzinfo=PARIS)


DEFAULTS = Deadlines()


def clock(steps, today, *, extensions=None, deadlines=DEFAULTS):
    changes = [
        Change(at=at if isinstance(at, datetime) else noon(at), to_status=to) for to, at in steps
    ]
    return clocks.compute(
        changes, deadlines=deadlines, extensions=extensions or {}, today=d(today), tz=PARIS
    )


def test_the_state_codes_are_the_models():
    written_out = {
        clocks.DRAFT,
        clocks.SUBMITTED,
        clocks.CHANGES_REQUESTED,
        clocks.UNDER_REVIEW,
        clocks.AWAITING_AUTHORISATION,
        clocks.APPROVED,
        clocks.IN_PROGRESS,
        clocks.COMPLETED,
        clocks.REJECTED,
        clocks.WITHDRAWN,
    }
    assert written_out == set(Status.values)


# (case, steps, today, extensions, stage, stage due, decision due)
RUNNING = [
    ("15 days to check admissibility", [(S, "2027-01-10")], "2027-01-12", {},
     Stage.ADMISSIBILITY, "2027-01-25", "2027-04-10"),
    ("the decision three months from the first submission", [(S, "2026-11-30")], "2026-12-01",
     {}, Stage.ADMISSIBILITY, "2026-12-15", "2027-02-28"),
    ("a year end", [(S, "2026-12-20")], "2026-12-31", {},
     Stage.ADMISSIBILITY, "2027-01-04", "2027-03-20"),
    ("31 January + 1 month is 28 February", [(S, "2027-01-20"), (U, "2027-01-31")],
     "2027-02-01", {}, Stage.OPINION, "2027-02-28", "2027-04-20"),
    ("in a leap year, 29 February", [(S, "2028-01-20"), (U, "2028-01-31")], "2028-02-01", {},
     Stage.OPINION, "2028-02-29", "2028-04-20"),
    ("two months for the authorisation", [(S, "2027-01-10"), (U, "2027-01-20"),
     (A, "2027-03-15")], "2027-03-16", {}, Stage.AUTHORISATION, "2027-05-15", "2027-04-10"),
    ("the authorisation extended once by two months", [(S, "2027-01-10"), (U, "2027-01-20"),
     (A, "2027-03-15")], "2027-03-16", {"authorisation": 2},
     Stage.AUTHORISATION, "2027-07-15", "2027-04-10"),
    ("the decision extended once by three months", [(S, "2027-01-10"), (U, "2027-01-20")],
     "2027-01-21", {"decision": 3}, Stage.OPINION, "2027-02-20", "2027-07-10"),
    ("an extension from 30 November ends at the month's end", [(S, "2026-11-30")],
     "2026-12-01", {"decision": 3}, Stage.ADMISSIBILITY, "2026-12-15", "2027-05-30"),
    # Changes asked after 5 days of the check; 20 days paused; 10 days of it left.
    ("the time left carries over after a pause", [(S, "2027-01-10"), (C, "2027-01-15"),
     (S, "2027-02-04")], "2027-02-05", {}, Stage.ADMISSIBILITY, "2027-02-14", "2027-04-30"),
    # Paused 20 then 10 days: the decision 30 days later. The opinion (February: a
    # 28-day month from 10 February) had 10 days used, 18 left from 5 March.
    ("two pauses", [(S, "2027-01-10"), (C, "2027-01-15"), (S, "2027-02-04"),
     (U, "2027-02-10"), (C, "2027-02-20"), (S, "2027-03-02"), (U, "2027-03-05")],
     "2027-03-06", {}, Stage.OPINION, "2027-03-23", "2027-05-10"),
    # The second admissibility check goes on with what the first left: 15 - 5 - 6.
    ("a stage entered a third time", [(S, "2027-01-10"), (C, "2027-01-15"), (S, "2027-02-04"),
     (U, "2027-02-10"), (C, "2027-02-20"), (S, "2027-03-02")], "2027-03-03", {},
     Stage.ADMISSIBILITY, "2027-03-06", "2027-05-10"),
    ("the same day in and out of a pause moves nothing", [(S, "2027-01-10"),
     (C, "2027-01-12"), (S, "2027-01-12")], "2027-01-13", {},
     Stage.ADMISSIBILITY, "2027-01-25", "2027-04-10"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("steps", "today", "extensions", "stage", "stage_due", "decision_due"),
    [case[1:] for case in RUNNING],
    ids=[case[0] for case in RUNNING],
)
def test_running_clocks(steps, today, extensions, stage, stage_due, decision_due):
    result = clock(steps, today, extensions=extensions)

    assert result.holder == Holder.HUB
    assert result.stage == stage
    assert result.stage_due_on == d(stage_due)
    assert result.decision_due_on == d(decision_due)
    assert result.due_on == min(d(stage_due), d(decision_due))
    assert not result.paused
    assert result.since == d(steps[-1][1])
    assert result.decision_started_on == d(steps[0][1])


# (case, event time, day it counts on, admissibility due, decision due)
MIDNIGHT = [
    ("23:30 UTC on 31 December is 1 January in Paris",
     datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "2027-01-01", "2027-01-16", "2027-04-01"),
    ("22:59 UTC on 31 December is still 31 December (UTC+1)",
     datetime(2026, 12, 31, 22, 59, tzinfo=UTC), "2026-12-31", "2027-01-15", "2027-03-31"),
    ("22:30 UTC on 30 June is 1 July in summer (UTC+2)",
     datetime(2027, 6, 30, 22, 30, tzinfo=UTC), "2027-07-01", "2027-07-16", "2027-10-01"),
    ("21:59 UTC on 30 June is still 30 June",
     datetime(2027, 6, 30, 21, 59, tzinfo=UTC), "2027-06-30", "2027-07-15", "2027-09-30"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("at", "day", "stage_due", "decision_due"),
    [case[1:] for case in MIDNIGHT],
    ids=[case[0] for case in MIDNIGHT],
)
def test_days_are_counted_in_the_hubs_time_zone(at, day, stage_due, decision_due):
    result = clock([(S, at)], "2027-08-01")

    assert result.since == d(day)
    assert (result.stage_due_on, result.decision_due_on) == (d(stage_due), d(decision_due))


# (case, steps, today, extensions, paused since, decision days left at resubmission)
PAUSED = [
    ("asked during the admissibility check", [(S, "2027-01-10"), (C, "2027-01-15")],
     "2027-02-01", {}, "2027-01-15", 85),
    ("asked during the review, after an earlier pause of 20 days", [(S, "2027-01-10"),
     (C, "2027-01-15"), (S, "2027-02-04"), (U, "2027-02-10"), (C, "2027-02-20")],
     "2027-03-01", {}, "2027-02-20", 69),
    ("the decision extended, then paused", [(S, "2027-01-10"), (C, "2027-03-10")],
     "2027-03-11", {"decision": 3}, "2027-03-10", 122),
]  # fmt: skip


@pytest.mark.parametrize(
    ("steps", "today", "extensions", "since", "left"),
    [case[1:] for case in PAUSED],
    ids=[case[0] for case in PAUSED],
)
def test_a_pause_stops_both_clocks(steps, today, extensions, since, left):
    result = clock(steps, today, extensions=extensions)

    assert result.holder == Holder.SPONSOR
    assert result.paused and result.paused_since == d(since)
    assert (result.stage_due_on, result.decision_due_on, result.due_on) == (None, None, None)
    assert result.decision_days_left_when_resumed == left
    assert result.decision_running
    assert not result.overdue and not result.due_soon


# (case, steps, today, holder, decided on)
NO_CLOCK = [
    ("a draft", [("draft", "2027-01-05")], "2027-01-10", Holder.SPONSOR, None),
    ("nothing recorded yet", [], "2027-01-10", Holder.SPONSOR, None),
    ("a draft withdrawn before any submission", [("withdrawn", "2027-01-05")], "2027-01-10",
     Holder.NOBODY, None),
    ("approved", [(S, "2027-01-10"), (U, "2027-01-20"), (A, "2027-02-10"),
     ("approved", "2027-03-01")], "2027-03-02", Holder.NOBODY, "2027-03-01"),
    ("in progress", [(S, "2027-01-10"), (U, "2027-01-20"), (A, "2027-02-10"),
     ("approved", "2027-03-01"), ("in_progress", "2027-05-01")], "2027-06-01", Holder.NOBODY,
     "2027-03-01"),
    ("rejected", [(S, "2027-01-10"), (U, "2027-01-20"), ("rejected", "2027-02-01")],
     "2027-06-01", Holder.NOBODY, "2027-02-01"),
    ("withdrawn while paused", [(S, "2027-01-10"), (C, "2027-01-20"),
     ("withdrawn", "2027-02-01")], "2027-06-01", Holder.NOBODY, "2027-02-01"),
    ("imported launched, with no approval recorded", [(S, "2023-01-10"),
     ("in_progress", "2023-06-01")], "2027-01-01", Holder.NOBODY, "2023-06-01"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("steps", "today", "holder", "decided_on"),
    [case[1:] for case in NO_CLOCK],
    ids=[case[0] for case in NO_CLOCK],
)
def test_drafts_and_final_states_have_no_running_clock(steps, today, holder, decided_on):
    result = clock(steps, today)

    assert result.holder == holder
    assert not result.running and not result.paused
    assert (result.stage, result.stage_due_on, result.decision_due_on) == (None, None, None)
    assert result.decided_on == (d(decided_on) if decided_on else None)
    assert result.days_left is None and not result.overdue


# (today, days left, due soon, overdue) for an admissibility check due on 25 January.
DAYS_LEFT = [
    ("2027-01-21", 4, False, False),
    ("2027-01-22", 3, True, False),
    ("2027-01-25", 0, True, False),
    ("2027-01-26", -1, False, True),
    ("2027-03-01", -35, False, True),
]


@pytest.mark.parametrize(("today", "left", "soon", "overdue"), DAYS_LEFT)
def test_days_left_due_soon_and_overdue(today, left, soon, overdue):
    result = clock([(S, "2027-01-10")], today)

    assert (result.days_left, result.due_soon, result.overdue) == (left, soon, overdue)
    assert result.days_late == max(0, -left)


def test_the_hubs_settings_set_the_lengths():
    deadlines = Deadlines(admissibility_days=10, opinion_months=2, decision_months=4)

    submitted = clock([(S, "2027-01-10")], "2027-01-11", deadlines=deadlines)
    reviewed = clock([(S, "2027-01-10"), (U, "2027-01-31")], "2027-02-01", deadlines=deadlines)

    assert (submitted.stage_due_on, submitted.decision_due_on) == (
        d("2027-01-20"),
        d("2027-05-10"),
    )
    assert reviewed.stage_due_on == d("2027-03-31")


def test_events_are_read_in_time_order_and_repeats_change_nothing():
    steps = [
        (U, "2027-01-20"),
        (S, "2027-01-10"),
        (U, "2027-02-01"),  # an import's own record of the state it found
    ]

    result = clock(steps, "2027-02-02")

    assert result.since == d("2027-01-20")
    assert result.stage_due_on == d("2027-02-20")
