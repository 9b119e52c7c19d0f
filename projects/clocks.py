"""The review's clocks: who has a file, since when, and by which date the hub must answer.

`compute` is pure: it reads a project's changes of state (from its audit trail),
the extensions granted and the hub's deadline settings, all passed in, with the day
it is; it never reads the database nor `Project.status_changed_at` (which an import
or a demo load sets to the moment it ran). The rules:

- Dates are days in the hub's time zone (`settings.TIME_ZONE`, Europe/Paris): an
  event at 23:30 UTC on 31 December happened on 1 January.
- A due date is the last day on which the hub may answer. N days or months count
  from the day the clock starts, calendar months clamped at month ends (31 January
  + 1 month = 28 or 29 February), with python-dateutil's `relativedelta`.
- The overall decision clock starts on the day of the first complete submission:
  the first `submitted` event (the portal refuses an incomplete submission, and a
  resubmission does not start it again). It runs until the decision: approved,
  rejected or withdrawn (or a later state, for records imported without it). It
  gives `decision_months` from its start, `decision_months + decision_extension_months`
  once extended (EHDS, art. 68: three months, extendable once by three).
- Each stage of the hub has its own budget: admissibility check (`submitted`),
  CESREES opinion (`under_review`), authorisation (`awaiting_authorisation`,
  extendable once). The budget is measured from the first day the file entered
  the stage; a stage entered again (after changes requested) goes on with what
  is left of it.
- While changes are requested the sponsor has the file and both clocks stop; at
  resubmission they start again with the days they had left, so every day paused
  moves the due dates one day later.
- Drafts have no clock (not submitted yet); nor have final states (approved and
  beyond, rejected, withdrawn).

State codes are the values of `projects.models.Status`, written out here so that
this module imports nothing of the project (migrations use it too).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

DRAFT = "draft"
SUBMITTED = "submitted"
CHANGES_REQUESTED = "changes_requested"
UNDER_REVIEW = "under_review"
AWAITING_AUTHORISATION = "awaiting_authorisation"
APPROVED = "approved"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

# Reaching one of these ends the overall decision clock.
DECIDED = frozenset({APPROVED, IN_PROGRESS, COMPLETED, REJECTED, WITHDRAWN})
# The states in which some clock may run or stand paused: the only ones whose
# stored due dates are ever set.
OPEN = frozenset({SUBMITTED, CHANGES_REQUESTED, UNDER_REVIEW, AWAITING_AUTHORISATION})

# A file is "due soon" when its next due date is at most this many days away.
DUE_SOON_DAYS = 3


class Stage(StrEnum):
    ADMISSIBILITY = "admissibility"
    OPINION = "opinion"
    AUTHORISATION = "authorisation"


STAGE_OF_STATE: dict[str, Stage] = {
    SUBMITTED: Stage.ADMISSIBILITY,
    UNDER_REVIEW: Stage.OPINION,
    AWAITING_AUTHORISATION: Stage.AUTHORISATION,
}


class Holder(StrEnum):
    """Who has to act for the file to move on."""

    HUB = "hub"
    SPONSOR = "sponsor"
    NOBODY = "nobody"


# The clocks an extension may lengthen, once each.
AUTHORISATION_CLOCK = "authorisation"
DECISION_CLOCK = "decision"


@dataclass(frozen=True)
class Deadlines:
    """The hub's settings (`ReviewDeadlines`), as plain values; defaults are the rules'."""

    admissibility_days: int = 15
    opinion_months: int = 1
    authorisation_months: int = 2
    authorisation_extension_months: int = 2
    decision_months: int = 3
    decision_extension_months: int = 3


@dataclass(frozen=True)
class Change:
    """A change of state, as an event of the audit trail records it."""

    at: datetime
    to_status: str


@dataclass(frozen=True)
class Stay:
    """A stretch of days in one state: from `start` until `end` (None: still there)."""

    state: str
    start: date
    end: date | None = None

    def days(self) -> int:
        assert self.end is not None
        return (self.end - self.start).days


@dataclass(frozen=True)
class Clock:
    """Where a file stands on `today`. Due dates are set only for clocks running now."""

    today: date
    status: str
    holder: Holder
    since: date | None
    stage: Stage | None = None
    stage_due_on: date | None = None
    decision_started_on: date | None = None
    decision_due_on: date | None = None
    decided_on: date | None = None
    paused_since: date | None = None
    # While paused: the days the decision clock will still have at resubmission.
    decision_days_left_when_resumed: int | None = None
    extended: frozenset[str] = frozenset()

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    @property
    def running(self) -> bool:
        return self.due_on is not None

    @property
    def due_on(self) -> date | None:
        """The next date the hub must meet: the nearer of the stage's and the decision's."""
        dates = [day for day in (self.stage_due_on, self.decision_due_on) if day is not None]
        return min(dates) if dates else None

    @property
    def days_left(self) -> int | None:
        """Days until `due_on`: 0 on the day itself, negative once overdue."""
        return None if self.due_on is None else (self.due_on - self.today).days

    @property
    def stage_days_left(self) -> int | None:
        return None if self.stage_due_on is None else (self.stage_due_on - self.today).days

    @property
    def decision_days_left(self) -> int | None:
        if self.decision_due_on is None:
            return None
        return (self.decision_due_on - self.today).days

    @property
    def days_late(self) -> int:
        return max(0, -(self.days_left or 0))

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= DUE_SOON_DAYS

    @property
    def decision_running(self) -> bool:
        """Started and not decided: running now, or paused."""
        return self.decision_started_on is not None and self.decided_on is None


def local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def stays(changes: Iterable[Change], tz: tzinfo) -> list[Stay]:
    """The file's successive states with their days, from its changes of state.

    Events that repeat the current state (an import's own record, say) change
    nothing; a file with no change recorded is still a draft.
    """
    result: list[Stay] = []
    state = DRAFT
    for change in sorted(changes, key=lambda change: change.at):
        if not change.to_status or change.to_status == state:
            continue
        day = local_day(change.at, tz)
        if result:
            last = result[-1]
            result[-1] = Stay(last.state, last.start, day)
        result.append(Stay(change.to_status, day))
        state = change.to_status
    return result


def _budget(stage: Stage, deadlines: Deadlines, extensions: Mapping[str, int]) -> relativedelta:
    if stage == Stage.ADMISSIBILITY:
        return relativedelta(days=deadlines.admissibility_days)
    if stage == Stage.OPINION:
        return relativedelta(months=deadlines.opinion_months)
    return relativedelta(
        months=deadlines.authorisation_months + extensions.get(AUTHORISATION_CLOCK, 0)
    )


def compute(
    changes: Iterable[Change],
    *,
    deadlines: Deadlines,
    extensions: Mapping[str, int],
    today: date,
    tz: tzinfo,
) -> Clock:
    """The clock of a file whose state changed as `changes` say.

    `extensions` maps a clock (`AUTHORISATION_CLOCK`, `DECISION_CLOCK`) to the
    months granted when it was extended.
    """
    history = stays(changes, tz)
    current = history[-1] if history else Stay(DRAFT, today)
    status = current.state
    extended = frozenset(extensions)
    since = current.start if history else None

    submitted_at = next((i for i, stay in enumerate(history) if stay.state == SUBMITTED), None)
    if submitted_at is None:
        # Never submitted (a draft, or a draft withdrawn): no clock has started.
        holder = Holder.SPONSOR if status == DRAFT else Holder.NOBODY
        return Clock(today=today, status=status, holder=holder, since=since, extended=extended)
    review = history[submitted_at:]
    started = review[0].start
    decided_on = next((stay.start for stay in review if stay.state in DECIDED), None)
    if decided_on is not None:
        return Clock(
            today=today,
            status=status,
            holder=Holder.NOBODY,
            since=since,
            decision_started_on=started,
            decided_on=decided_on,
            extended=extended,
        )

    # The overall decision: its months from the first submission, plus each day paused.
    months = deadlines.decision_months + extensions.get(DECISION_CLOCK, 0)
    paused_days = sum(
        stay.days() for stay in review if stay.state == CHANGES_REQUESTED and stay.end
    )
    decision_due = started + relativedelta(months=months) + timedelta(days=paused_days)

    if status == CHANGES_REQUESTED:
        return Clock(
            today=today,
            status=status,
            holder=Holder.SPONSOR,
            since=since,
            decision_started_on=started,
            paused_since=current.start,
            decision_days_left_when_resumed=(decision_due - current.start).days,
            extended=extended,
        )

    stage = STAGE_OF_STATE.get(status)
    if stage is None:  # no state of the review leads back to a draft; be safe anyway
        return Clock(today=today, status=status, holder=Holder.NOBODY, since=since)
    visits = [stay for stay in review if stay.state == status]
    first = visits[0].start
    budget_days = (first + _budget(stage, deadlines, extensions) - first).days
    used = sum(visit.days() for visit in visits[:-1])
    stage_due = current.start + timedelta(days=budget_days - used)
    return Clock(
        today=today,
        status=status,
        holder=Holder.HUB,
        since=since,
        stage=stage,
        stage_due_on=stage_due,
        decision_started_on=started,
        decision_due_on=decision_due,
        extended=extended,
    )


# What the hub decides: the outcomes that end a decision clock and count as decisions
# out (a withdrawal ends the clock too, but the sponsor decided it).
HUB_DECISIONS = frozenset({APPROVED, IN_PROGRESS, COMPLETED, REJECTED})
# The overall decision, measured beside the stages.
DECISION = "decision"


@dataclass(frozen=True)
class Measure:
    """How long the hub took over a finished stage (or the overall decision), and whether
    it stayed within the deadline that applied to the file."""

    stage: str  # a `Stage` value, or DECISION
    ended_on: date
    days: int
    allowed_days: int

    @property
    def within(self) -> bool:
        return self.days <= self.allowed_days


def measure(
    changes: Iterable[Change],
    *,
    deadlines: Deadlines,
    extensions: Mapping[str, int],
    tz: tzinfo,
) -> list[Measure]:
    """The finished stages of a file and, once the hub decided, the overall decision.

    The same rules as `compute`, looked at afterwards:

    - a stage is finished when the hub moves the file on: to the next stage or to its
      decision. Changes requested do not finish it (the sponsor's turn: the stage goes
      on at resubmission), nor does a withdrawal (the sponsor's act, which ends the
      stage unfinished: its days say nothing of how long the hub takes). Its days are
      those of every stay in the stage until then, and it is within its deadline when
      they are at most the stage's budget (a stage left on its due date is on time).
      A stage finished again later (a file sent back to the sponsor after the
      admissibility check is checked again) is measured once, at its last finish,
      with all its days;
    - the overall decision runs from the first submission to approval or rejection,
      less the days the sponsor had the file; a withdrawal is not a decision of the
      hub and gives no measure.
    """
    history = stays(changes, tz)
    submitted_at = next((i for i, stay in enumerate(history) if stay.state == SUBMITTED), None)
    if submitted_at is None:
        return []
    review = history[submitted_at:]
    finished: dict[str, Measure] = {}
    spent: dict[str, int] = {}
    first_day: dict[str, date] = {}
    paused = 0
    for stay, after in zip(review, review[1:], strict=False):
        if stay.state in DECIDED:
            break
        if stay.state == CHANGES_REQUESTED:
            paused += stay.days()
            continue
        stage = STAGE_OF_STATE.get(stay.state)
        if stage is None:
            continue
        first = first_day.setdefault(stage, stay.start)
        spent[stage] = spent.get(stage, 0) + stay.days()
        if after.state not in (CHANGES_REQUESTED, WITHDRAWN):
            allowed = (first + _budget(stage, deadlines, extensions) - first).days
            finished[stage] = Measure(stage, after.start, spent[stage], allowed)
    measures = list(finished.values())
    decided = next((stay for stay in review if stay.state in DECIDED), None)
    if decided is not None and decided.state in HUB_DECISIONS:
        started = review[0].start
        months = deadlines.decision_months + extensions.get(DECISION_CLOCK, 0)
        allowed = (started + relativedelta(months=months) - started).days
        days = (decided.start - started).days - paused
        measures.append(Measure(DECISION, decided.start, days, allowed))
    return measures


def hub_timezone() -> ZoneInfo:
    """The time zone in which the hub's days begin and end."""
    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


def hub_today() -> date:
    """Today, in the hub's time zone (whatever time zone a request activated)."""
    from django.utils import timezone

    return timezone.localdate(timezone=hub_timezone())
