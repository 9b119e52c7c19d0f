"""Processing times, the pure part: `clocks.measure` (each file's finished stages and
the overall decision) as tables written from the rules, then the sums of
`projects.processing` (nearest rank, figures, per year, per month)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from projects import clocks, processing
from projects.clocks import Change, Deadlines, Measure

PARIS = ZoneInfo("Europe/Paris")
S, C, U, A = "submitted", "changes_requested", "under_review", "awaiting_authorisation"
APPROVED, REJECTED, WITHDRAWN = "approved", "rejected", "withdrawn"
ADM, OPI, AUT, DEC = "admissibility", "opinion", "authorisation", "decision"


def d(text: str) -> date:
    return date.fromisoformat(text)


def noon(text: str) -> datetime:
    return datetime.combine(d(text), datetime.min.time().replace(hour=12), tzinfo=PARIS)


def measures(steps, *, extensions=None) -> list[tuple]:
    changes = [
        Change(at=at if isinstance(at, datetime) else noon(at), to_status=to) for to, at in steps
    ]
    found = clocks.measure(changes, deadlines=Deadlines(), extensions=extensions or {}, tz=PARIS)
    return [(m.stage, str(m.ended_on), m.days, m.allowed_days, m.within) for m in found]


# (case, steps, extensions, [(stage, ended on, days, allowed days, within)])
# Allowed days: 15 for the check; a month from the day the opinion stage began; two
# months (four once extended) from the day the authorisation stage began; three
# months (six once extended) from the first submission.
CASES = [
    (
        "straight path",
        [(S, "2027-01-10"), (U, "2027-01-20"), (A, "2027-02-15"), (APPROVED, "2027-04-01")],
        {},
        [
            (ADM, "2027-01-20", 10, 15, True),
            (OPI, "2027-02-15", 26, 31, True),  # 20 January + 1 month = 20 February
            (AUT, "2027-04-01", 45, 59, True),  # 15 February + 2 months = 15 April
            (DEC, "2027-04-01", 81, 90, True),  # 10 January + 3 months = 10 April
        ],
    ),
    (
        "the check left on its due day is on time",
        [(S, "2027-01-10"), (U, "2027-01-25")],
        {},
        [(ADM, "2027-01-25", 15, 15, True)],
    ),
    (
        "the check left the day after its due day is late",
        [(S, "2027-01-10"), (U, "2027-01-26")],
        {},
        [(ADM, "2027-01-26", 16, 15, False)],
    ),
    (
        "a decision on its due day is on time",
        [(S, "2027-01-10"), (U, "2027-01-20"), (REJECTED, "2027-04-10")],
        {},
        [
            (ADM, "2027-01-20", 10, 15, True),
            (OPI, "2027-04-10", 80, 31, False),
            (DEC, "2027-04-10", 90, 90, True),
        ],
    ),
    (
        "a decision the day after its due day is late",
        [(S, "2027-01-10"), (U, "2027-01-20"), (REJECTED, "2027-04-11")],
        {},
        [
            (ADM, "2027-01-20", 10, 15, True),
            (OPI, "2027-04-11", 81, 31, False),
            (DEC, "2027-04-11", 91, 90, False),
        ],
    ),
    (
        # 5 days checked, 20 days with the sponsor, 6 more days checked.
        "changes requested: the check's stays summed, the decision without the pause",
        [
            (S, "2027-01-10"),
            (C, "2027-01-15"),
            (S, "2027-02-04"),
            (U, "2027-02-10"),
            (A, "2027-03-01"),
            (APPROVED, "2027-04-20"),
        ],
        {},
        [
            (ADM, "2027-02-10", 11, 15, True),
            (OPI, "2027-03-01", 19, 28, True),  # 10 February + 1 month = 10 March
            (AUT, "2027-04-20", 50, 61, True),  # 1 March + 2 months = 1 May
            (DEC, "2027-04-20", 100 - 20, 90, True),
        ],
    ),
    (
        # Sent back during the opinion: the check is done again and measured once, at
        # its last finish, with both stays (10 + 4 days); the opinion goes on with what
        # is left of its month from 20 January (12 + 23 days: late).
        "a stage entered again goes on where it was",
        [
            (S, "2027-01-10"),
            (U, "2027-01-20"),
            (C, "2027-02-01"),
            (S, "2027-02-11"),
            (U, "2027-02-15"),
            (A, "2027-03-10"),
        ],
        {},
        [(ADM, "2027-02-15", 14, 15, True), (OPI, "2027-03-10", 35, 31, False)],
    ),
    (
        "the authorisation within its deadline once extended by two months",
        [(S, "2027-01-10"), (U, "2027-01-20"), (A, "2027-03-15"), (APPROVED, "2027-06-01")],
        {"authorisation": 2},
        [
            (ADM, "2027-01-20", 10, 15, True),
            (OPI, "2027-03-15", 54, 31, False),
            (AUT, "2027-06-01", 78, 122, True),  # 15 March + 4 months = 15 July
            (DEC, "2027-06-01", 142, 90, False),
        ],
    ),
    (
        "the same authorisation, not extended, is late",
        [(S, "2027-01-10"), (U, "2027-01-20"), (A, "2027-03-15"), (APPROVED, "2027-06-01")],
        {},
        [
            (ADM, "2027-01-20", 10, 15, True),
            (OPI, "2027-03-15", 54, 31, False),
            (AUT, "2027-06-01", 78, 61, False),  # 15 March + 2 months = 15 May
            (DEC, "2027-06-01", 142, 90, False),
        ],
    ),
    (
        "the decision within its deadline once extended by three months",
        [(S, "2027-01-10"), (U, "2027-01-20"), (A, "2027-03-15"), (APPROVED, "2027-06-01")],
        {"decision": 3},
        [
            (ADM, "2027-01-20", 10, 15, True),
            (OPI, "2027-03-15", 54, 31, False),
            (AUT, "2027-06-01", 78, 61, False),
            (DEC, "2027-06-01", 142, 181, True),  # 10 January + 6 months = 10 July
        ],
    ),
    (
        # The sponsor withdrew while the authorisation was awaited: the stages the hub
        # finished count, the one it was in does not, and there is no decision.
        "withdrawn: the finished stages, no decision",
        [(S, "2027-01-10"), (U, "2027-01-20"), (A, "2027-02-15"), (WITHDRAWN, "2027-03-01")],
        {},
        [(ADM, "2027-01-20", 10, 15, True), (OPI, "2027-02-15", 26, 31, True)],
    ),
    (
        "withdrawn during the check: nothing measured",
        [(S, "2027-01-10"), (WITHDRAWN, "2027-01-12")],
        {},
        [],
    ),
    (
        "withdrawn while changes are requested: nothing measured",
        [(S, "2027-01-10"), (C, "2027-01-12"), (WITHDRAWN, "2027-02-12")],
        {},
        [],
    ),
    (
        "rejected from under review: the opinion and the decision",
        [(S, "2027-01-10"), (U, "2027-01-20"), (REJECTED, "2027-02-10")],
        {},
        [
            (ADM, "2027-01-20", 10, 15, True),
            (OPI, "2027-02-10", 21, 31, True),
            (DEC, "2027-02-10", 31, 90, True),
        ],
    ),
    (
        # 23:30 UTC on 31 December is 00:30 on 1 January in Paris.
        "a year end in Paris",
        [(S, "2026-12-20"), (U, datetime(2026, 12, 31, 23, 30, tzinfo=UTC))],
        {},
        [(ADM, "2027-01-01", 12, 15, True)],
    ),
    (
        "31 January + 1 month is 28 February: on time on the 28th",
        [(S, "2027-01-20"), (U, "2027-01-31"), (A, "2027-02-28")],
        {},
        [(ADM, "2027-01-31", 11, 15, True), (OPI, "2027-02-28", 28, 28, True)],
    ),
    (
        "31 January + 1 month is 28 February: late on 1 March",
        [(S, "2027-01-20"), (U, "2027-01-31"), (A, "2027-03-01")],
        {},
        [(ADM, "2027-01-31", 11, 15, True), (OPI, "2027-03-01", 29, 28, False)],
    ),
    (
        "in a leap year, 29 February",
        [(S, "2028-01-20"), (U, "2028-01-31"), (A, "2028-02-29")],
        {},
        [(ADM, "2028-01-31", 11, 15, True), (OPI, "2028-02-29", 29, 29, True)],
    ),
    ("a draft: nothing", [], {}, []),
    ("still in its first stage: nothing", [(S, "2027-01-10")], {}, []),
]


@pytest.mark.parametrize(
    ("steps", "extensions", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_measure(steps, extensions, expected):
    assert measures(steps, extensions=extensions) == expected


def m(stage: str, ended_on: str, days: int, allowed: int = 30) -> Measure:
    return Measure(stage, d(ended_on), days, allowed)


# Median 5.5 while the mean is 7.5; the 90th percentile 9 while the largest is 30.
DAYS = [5, 1, 9, 2, 30, 3, 8, 4, 7, 6]


@pytest.mark.parametrize(
    ("days", "percent", "expected"),
    [
        (DAYS, 90, 9),
        (DAYS, 50, 5),
        (DAYS, 100, 30),
        (list(range(1, 12)), 90, 10),  # 9.9 ranks up to the 10th of 11
        ([7], 90, 7),
        ([], 90, None),
    ],
)
def test_nearest_rank(days, percent, expected):
    assert processing.nearest_rank(days, percent) == expected


def test_figures_give_the_median_the_nearest_rank_and_those_within():
    found = processing.figures([m(ADM, "2027-01-01", days, allowed=6) for days in DAYS])

    assert (found.count, found.median, found.p90, found.within) == (10, 5.5, 9, 6)
    assert found.share_within == 0.6


def test_figures_of_nothing():
    found = processing.figures([])

    assert (found.count, found.median, found.p90, found.within, found.share_within) == (
        0,
        None,
        None,
        0,
        None,
    )


def test_by_year_gives_every_stage_of_each_year_latest_first():
    trail = processing.Trail(
        measures=[
            m(ADM, "2026-03-01", 10),
            m(ADM, "2026-12-31", 40),
            m(DEC, "2027-01-01", 80, allowed=90),
        ],
        first_submissions=[],
    )

    rows = processing.by_year(trail)

    assert [row["year"] for row in rows] == [2027, 2026]
    assert [list(row["stages"]) for row in rows] == [[ADM, OPI, AUT, DEC]] * 2
    assert rows[0]["stages"][DEC] == processing.Figures(1, 80, 80, 1)
    assert rows[0]["stages"][ADM] == processing.Figures(0, None, None, 0)
    assert rows[1]["stages"][ADM] == processing.Figures(2, 25, 40, 1)
    assert rows[1]["stages"][DEC].count == 0


def test_by_month_covers_twelve_months_to_the_current_one():
    trail = processing.Trail(
        measures=[
            m(ADM, "2027-03-15", 4),  # the current month
            m(DEC, "2027-03-01", 50),
            m(OPI, "2026-04-01", 20),  # the first day of the twelfth month back
            m(OPI, "2026-03-31", 99),  # the thirteenth month: left out
        ],
        first_submissions=[d("2027-03-10"), d("2027-03-11"), d("2026-04-30"), d("2026-03-31")],
    )

    rows = processing.by_month(trail, today=d("2027-03-15"))

    assert [row["month"] for row in rows] == [
        d("2027-03-01"),
        d("2027-02-01"),
        d("2027-01-01"),
        d("2026-12-01"),
        d("2026-11-01"),
        d("2026-10-01"),
        d("2026-09-01"),
        d("2026-08-01"),
        d("2026-07-01"),
        d("2026-06-01"),
        d("2026-05-01"),
        d("2026-04-01"),
    ]
    current, oldest = rows[0], rows[-1]
    assert (current["files_in"], current["decisions_out"]) == (2, 1)
    assert current["stages"][ADM] == processing.Figures(1, 4, 4, 1)
    assert (oldest["files_in"], oldest["decisions_out"]) == (1, 0)
    assert oldest["stages"][OPI] == processing.Figures(1, 20, 20, 1)  # never the 99 days
    empty = rows[5]
    assert (empty["files_in"], empty["decisions_out"]) == (0, 0)
    assert list(empty["stages"]) == [ADM, OPI, AUT, DEC]
    assert all(figures.count == 0 for figures in empty["stages"].values())


def test_by_month_across_a_year_end():
    rows = processing.by_month(processing.Trail([], []), today=d("2027-01-31"), months=3)

    assert [row["month"] for row in rows] == [d("2027-01-01"), d("2026-12-01"), d("2026-11-01")]
