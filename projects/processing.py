"""Processing times: how long the hub takes over each stage of the review, and how
often it keeps to its deadlines, read from the audit trail of every file.

`clocks.measure` gives each file's finished stages from its changes of state. The
services store them (`StageMeasure`, `store_measures`) in the transaction of each
change, so this module reads one row per finished stage rather than replaying
every file's trail (seconds at 100,000 files), and sums them up per year, for the
public page, and per month, for the staff dashboard. Every figure comes from
events, never from a date an import or a demo load set, so any figure can be
reproduced from the audit trail (`replay_trail` does, and the tests compare).

Percentiles are by nearest rank: the 90th percentile is the number of days within
which nine files out of ten were handled, always a number of days some file took.
"""

import math
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from projects import clocks
from projects.models import DeadlineExtension, Event, Project, ReviewDeadlines, StageMeasure

# The stages, in the order of the review, then the overall decision.
STAGES = [clocks.Stage.ADMISSIBILITY, clocks.Stage.OPINION, clocks.Stage.AUTHORISATION]
MEASURED = [*STAGES, clocks.DECISION]


@dataclass(frozen=True)
class Figures:
    """Files handled in one stage over one period."""

    count: int
    median: float | None
    p90: int | None
    within: int

    @property
    def share_within(self) -> float | None:
        """The share of files handled within the deadline, from 0 to 1."""
        return self.within / self.count if self.count else None


def nearest_rank(days: list[int], percent: int) -> int | None:
    """The smallest value such that `percent`% of the values are at most it."""
    if not days:
        return None
    ordered = sorted(days)
    return ordered[max(0, math.ceil(percent * len(ordered) / 100) - 1)]


def figures(measures: list[clocks.Measure]) -> Figures:
    days = [measure.days for measure in measures]
    return Figures(
        count=len(days),
        median=statistics.median(days) if days else None,
        p90=nearest_rank(days, 90),
        within=sum(1 for measure in measures if measure.within),
    )


def histories(project_ids: list[int] | None = None) -> Iterator[tuple[int, list[clocks.Change]]]:
    """Each file's changes of state (of every file, or of those given), in one pass
    over the audit trail."""
    events = (
        Event.objects.all()
        if project_ids is None
        else Event.objects.filter(project_id__in=project_ids)
    )
    rows = (
        events.exclude(to_status="")
        .order_by("project_id", "at", "pk")
        .values_list("project_id", "at", "to_status")
    )
    current: int | None = None
    changes: list[clocks.Change] = []
    for project_id, at, to_status in rows.iterator(chunk_size=5000):
        if project_id != current:
            if current is not None:
                yield current, changes
            current, changes = project_id, []
        changes.append(clocks.Change(at=at, to_status=to_status))
    if current is not None:
        yield current, changes


@dataclass(frozen=True)
class Trail:
    """What the audit trail says of every file: its finished stages, and the day its
    first submission started the decision clock."""

    measures: list[clocks.Measure]
    first_submissions: list[date]


def read_trail() -> Trail:
    """The stored measures of every file: one query."""
    measures: list[clocks.Measure] = []
    first_submissions: list[date] = []
    for stage, ended_on, days, allowed_days in StageMeasure.objects.values_list(
        "stage", "ended_on", "days", "allowed_days"
    ).iterator(chunk_size=10000):
        if stage == StageMeasure.FIRST_SUBMISSION:
            first_submissions.append(ended_on)
        else:
            measures.append(clocks.Measure(stage, ended_on, days, allowed_days))
    return Trail(measures, first_submissions)


def replay_trail(
    project_ids: list[int] | None = None, *, data_requests: set[int] | None = None
) -> dict[int, Trail]:
    """Each file's measures replayed from its audit trail, the extensions and the
    hub's deadlines: what `store_measures` stores (three queries, then computation).
    `data_requests`: which of the files are data requests, when the caller knows
    (a transition has its row; migration 0017 replays a trail from before data
    requests existed: none); read from the database otherwise."""
    deadlines = ReviewDeadlines.load().rules()
    extensions: dict[int, dict[str, int]] = defaultdict(dict)
    found = DeadlineExtension.objects.all()
    if project_ids is not None:
        found = found.filter(project_id__in=project_ids)
    for project_id, clock, months in found.values_list("project_id", "clock", "months"):
        extensions[project_id][clock] = months
    if data_requests is None:
        requests = Project.objects.filter(kind=Project.Kind.REQUEST)
        if project_ids is not None:
            requests = requests.filter(pk__in=project_ids)
        data_requests = set(requests.values_list("pk", flat=True))
    tz = clocks.hub_timezone()
    trails = {}
    for project_id, changes in histories(project_ids):
        history = clocks.stays(changes, tz)
        submitted = next((stay.start for stay in history if stay.state == clocks.SUBMITTED), None)
        measures = clocks.measure(
            changes, deadlines=deadlines, extensions=extensions[project_id], tz=tz
        )
        if project_id in data_requests:
            measures = [as_data_request(measure) for measure in measures]
        trails[project_id] = Trail(measures, [submitted] if submitted is not None else [])
    return trails


# A data request's review is not a CESREES opinion, and its answer is not an
# authorisation: kept under names of their own, out of the published figures of the
# access applications' stages (`MEASURED`). Its admissibility check is the same step.
REQUEST_STAGES = {clocks.Stage.OPINION: "request_review", clocks.DECISION: "request_decision"}


def as_data_request(measure: clocks.Measure) -> clocks.Measure:
    stage = REQUEST_STAGES.get(measure.stage, measure.stage)
    return clocks.Measure(stage, measure.ended_on, measure.days, measure.allowed_days)


def store_measures(
    project_ids: list[int] | None = None, *, data_requests: set[int] | None = None
) -> int:
    """Replays the trail of the files given (or of every file) and replaces their
    stored measures, in the caller's transaction; returns how many rows it wrote."""
    trails = replay_trail(project_ids, data_requests=data_requests)
    stale = StageMeasure.objects.all()
    if project_ids is not None:
        stale = stale.filter(project_id__in=project_ids)
    stale.delete()
    rows = [
        StageMeasure(
            project_id=project_id,
            stage=measure.stage,
            ended_on=measure.ended_on,
            days=measure.days,
            allowed_days=measure.allowed_days,
        )
        for project_id, trail in trails.items()
        for measure in trail.measures
    ] + [
        StageMeasure(
            project_id=project_id,
            stage=StageMeasure.FIRST_SUBMISSION,
            ended_on=day,
            days=0,
            allowed_days=0,
        )
        for project_id, trail in trails.items()
        for day in trail.first_submissions
    ]
    StageMeasure.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def by_year(trail: Trail) -> list[dict]:
    """For each year in which a stage ended, latest first: the figures of each stage
    and of the overall decision, all of them present (count 0 when none ended)."""
    grouped: dict[int, dict[str, list[clocks.Measure]]] = defaultdict(lambda: defaultdict(list))
    for measure in trail.measures:
        grouped[measure.ended_on.year][measure.stage].append(measure)
    return [
        {"year": year, "stages": {stage: figures(grouped[year][stage]) for stage in MEASURED}}
        for year in sorted(grouped, reverse=True)
    ]


def by_month(trail: Trail, *, today: date, months: int = 12) -> list[dict]:
    """The last `months` calendar months, the current one included, latest first: the
    files in (first submissions), the decisions out, and each stage's figures."""
    first = _month_start(today, months - 1)
    grouped: dict[date, dict[str, list[clocks.Measure]]] = defaultdict(lambda: defaultdict(list))
    for measure in trail.measures:
        if measure.ended_on >= first:
            grouped[measure.ended_on.replace(day=1)][measure.stage].append(measure)
    files_in: dict[date, int] = defaultdict(int)
    for day in trail.first_submissions:
        if day >= first:
            files_in[day.replace(day=1)] += 1
    rows = []
    for back in range(months):
        month = _month_start(today, back)
        stages = {stage: figures(grouped[month][stage]) for stage in MEASURED}
        rows.append(
            {
                "month": month,
                "files_in": files_in[month],
                "decisions_out": stages[clocks.DECISION].count,
                "stages": stages,
            }
        )
    return rows


def over_months(trail: Trail, *, today: date, months: int = 12) -> dict:
    """The window of `by_month` taken as one period: its files in and decisions out,
    and each stage's figures over all the files of those months together (a median of
    every file, not of the months' medians)."""
    first, after = _month_start(today, months - 1), _month_start(today, -1)
    grouped: dict[str, list[clocks.Measure]] = defaultdict(list)
    for measure in trail.measures:
        if first <= measure.ended_on < after:
            grouped[measure.stage].append(measure)
    stages = {stage: figures(grouped[stage]) for stage in MEASURED}
    return {
        "files_in": sum(1 for day in trail.first_submissions if first <= day < after),
        "decisions_out": stages[clocks.DECISION].count,
        "stages": stages,
    }


def _month_start(today: date, back: int) -> date:
    """The first day of the month `back` months before today's (after it, if negative)."""
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)
