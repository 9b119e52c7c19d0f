"""The clocks as the services keep them: due dates stored with every transition and
extension, extensions (once, with a reason, by the hub's reviewers, told to the
sponsor), and the hub's deadline settings."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects import services
from projects.models import DeadlineExtension, Event, Project, ReviewDeadlines, Status
from projects.services import TransitionError
from tests.factories import record_evidence

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def on(day: str, hour: int = 10):
    """Travels to that day (Paris time), the clock frozen."""
    return time_machine.travel(
        datetime.combine(date.fromisoformat(day), datetime.min.time().replace(hour=hour), PARIS),
        tick=False,
    )


def stored(project) -> tuple:
    project = Project.objects.get(pk=project.pk)
    return project.stage_due_on, project.decision_due_on, project.clock_paused_on


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
def submitted(complete_draft, owner):
    with on("2027-01-10"):
        project = services.project_submit(project=complete_draft, actor=owner)
    record_evidence(project)  # the review's gates ask for it; the clocks ignore it
    return project


def test_each_transition_stores_the_due_dates_computed_from_the_events(submitted, owner, reviewer):
    """From the submission to the decision, the stored dates follow the audit trail:
    paused while the sponsor has the file, carried over, cleared at the decision."""
    move = services.project_transition
    assert stored(submitted) == (d("2027-01-25"), d("2027-04-10"), None)

    with on("2027-01-15"):
        move(project=submitted, actor=reviewer, to=Status.CHANGES_REQUESTED, reason="Précisez.")
    assert stored(submitted) == (None, None, d("2027-01-15"))

    with on("2027-02-04"):
        move(project=submitted, actor=owner, to=Status.SUBMITTED)
    assert stored(submitted) == (d("2027-02-14"), d("2027-04-30"), None)

    with on("2027-02-10"):
        move(project=submitted, actor=reviewer, to=Status.UNDER_REVIEW)
    assert stored(submitted) == (d("2027-03-10"), d("2027-04-30"), None)

    with on("2027-03-01"):
        move(project=submitted, actor=reviewer, to=Status.AWAITING_AUTHORISATION)
    assert stored(submitted) == (d("2027-05-01"), d("2027-04-30"), None)
    assert Project.objects.get(pk=submitted.pk).due_on == d("2027-04-30")

    with on("2027-04-20"):
        move(project=submitted, actor=reviewer, to=Status.APPROVED)
    assert stored(submitted) == (None, None, None)


def test_the_stored_dates_ignore_status_changed_at(submitted):
    """An import or a demo load sets `status_changed_at` to its own time: the clock
    never reads it."""
    Project.objects.filter(pk=submitted.pk).update(
        status_changed_at=datetime(2027, 6, 1, tzinfo=PARIS)
    )
    with on("2027-01-12"):
        clock = Project.objects.get(pk=submitted.pk).review_clock()

    assert (clock.since, clock.stage_due_on, clock.days_left) == (
        d("2027-01-10"),
        d("2027-01-25"),
        13,
    )


def test_a_reviewer_extends_the_decision_once_with_a_reason_told_to_the_sponsor(
    submitted, reviewer, owner, member, mailoutbox, django_capture_on_commit_callbacks, english
):
    with on("2027-03-01"), django_capture_on_commit_callbacks(execute=True):
        extension = services.deadline_extend(
            project=submitted, actor=reviewer, clock="decision", reason="Dossier complexe."
        )

    assert (extension.months, extension.granted_by, extension.reason) == (
        3,
        reviewer,
        "Dossier complexe.",
    )
    assert stored(submitted) == (d("2027-01-25"), d("2027-07-10"), None)
    event = Event.objects.get(project=submitted, action="decision_deadline_extended")
    assert (event.actor, event.reason, event.visibility) == (
        reviewer,
        "Dossier complexe.",
        Event.Visibility.SPONSOR,
    )
    assert extension.event == event
    assert sorted(message.to[0] for message in mailoutbox) == sorted([owner.email, member.email])
    assert "Dossier complexe." in mailoutbox[0].body
    assert "10 juillet 2027" in mailoutbox[0].body  # the new date, in the reader's language

    with pytest.raises(TransitionError, match="already extended"):
        services.deadline_extend(
            project=submitted, actor=reviewer, clock="decision", reason="Encore."
        )
    assert DeadlineExtension.objects.filter(project=submitted).count() == 1


@pytest.fixture
def awaiting(submitted, reviewer):
    for day, to in [("2027-01-20", Status.UNDER_REVIEW), ("2027-03-15", "awaiting_authorisation")]:
        with on(day):
            services.project_transition(project=submitted, actor=reviewer, to=to)
    return Project.objects.get(pk=submitted.pk)


def test_the_authorisation_deadline_is_extended_while_the_project_awaits_it(
    awaiting, administrator
):
    assert stored(awaiting)[0] == d("2027-05-15")

    with on("2027-05-01"):
        services.deadline_extend(
            project=awaiting, actor=administrator, clock="authorisation", reason="CNIL."
        )

    assert stored(awaiting) == (d("2027-07-15"), d("2027-04-10"), None)


PERSONAS_AND_CASES = [
    # (who, clock, reason, refused because)
    ("owner", "decision", "Nous voulons plus de temps.", "Only the hub's reviewers"),
    ("staff_without_group", "decision", "Raison.", "Only the hub's reviewers"),
    ("reviewer", "decision", "   ", "Please give a reason"),
    ("reviewer", "authorisation", "Raison.", "only while the project awaits it"),
    ("reviewer", "forever", "Raison.", "no such deadline"),
]


@pytest.mark.parametrize(("persona", "clock", "reason", "refusal"), PERSONAS_AND_CASES)
def test_extensions_the_rules_refuse_change_nothing(
    request, submitted, persona, clock, reason, refusal, english
):
    actor = request.getfixturevalue(persona)
    before = stored(submitted)

    with pytest.raises(TransitionError, match=refusal):
        services.deadline_extend(project=submitted, actor=actor, clock=clock, reason=reason)

    assert stored(submitted) == before
    assert not DeadlineExtension.objects.exists()
    assert not Event.objects.filter(action__endswith="_extended").exists()


def test_a_decided_project_has_no_deadline_left_to_extend(awaiting, reviewer, english):
    with on("2027-04-01"):
        services.project_transition(project=awaiting, actor=reviewer, to=Status.APPROVED)

    with pytest.raises(TransitionError, match="first submission to the decision"):
        services.deadline_extend(project=awaiting, actor=reviewer, clock="decision", reason="x")


def test_the_decision_deadline_may_be_extended_while_paused(submitted, reviewer):
    with on("2027-01-15"):
        services.project_transition(
            project=submitted, actor=reviewer, to=Status.CHANGES_REQUESTED, reason="Précisez."
        )
        services.deadline_extend(project=submitted, actor=reviewer, clock="decision", reason="x")

        clock = Project.objects.get(pk=submitted.pk).review_clock()

    assert stored(submitted) == (None, None, d("2027-01-15"))
    assert clock.decision_days_left_when_resumed == (d("2027-07-10") - d("2027-01-15")).days


def test_new_deadlines_apply_at_once_to_every_open_file(submitted, administrator, reviewer):
    deadlines = ReviewDeadlines.load()
    deadlines.admissibility_days = 20
    deadlines.decision_months = 2

    moved = services.review_deadlines_save(deadlines=deadlines, actor=administrator)

    assert moved == 1
    assert stored(submitted) == (d("2027-01-30"), d("2027-03-10"), None)
    assert ReviewDeadlines.objects.get().admissibility_days == 20


def test_only_hub_administrators_change_the_deadlines(submitted, reviewer, english):
    deadlines = ReviewDeadlines.load()
    deadlines.admissibility_days = 30

    with pytest.raises(TransitionError, match="administrators"):
        services.review_deadlines_save(deadlines=deadlines, actor=reviewer)

    assert ReviewDeadlines.objects.get().admissibility_days == 15
    assert stored(submitted)[0] == d("2027-01-25")


def test_the_defaults_are_the_rules():
    rules = ReviewDeadlines.load().rules()

    assert (
        rules.admissibility_days,
        rules.opinion_months,
        rules.authorisation_months,
        rules.authorisation_extension_months,
        rules.decision_months,
        rules.decision_extension_months,
    ) == (15, 1, 2, 2, 3, 3)
