"""Data requests (EHDS Art. 69): their own path through the review, no data holder,
and the hub's statistics delivered to the team as a file."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from catalog.models import Base
from projects import holders, notifications, processing, selectors, services
from projects.models import (
    Decision,
    Delivery,
    Event,
    Project,
    RejectionGround,
    RequestedBase,
    StageMeasure,
    Status,
)
from projects.uploads import CSV
from tests.projects.conftest import complete

pytestmark = pytest.mark.django_db

CSV_BYTES = "année;région;effectif\n2023;Occitanie;1 204\n".encode()


def a_request(owner, member, organisation) -> Project:
    """A complete draft of a data request."""
    project = complete(owner=owner, member=member, organisation=organisation)
    project.kind = Project.Kind.REQUEST
    project.statistics_wanted = "Effectifs par année et par région."
    project.save()
    return project


@pytest.fixture
def request_draft(owner, member, organisation):
    return a_request(owner, member, organisation)


@pytest.fixture
def submitted_request(request_draft, owner):
    return services.project_submit(project=request_draft, actor=owner)


@pytest.fixture
def in_progress(submitted_request, reviewer):
    project = services.project_transition(
        project=submitted_request, actor=reviewer, to=Status.UNDER_REVIEW
    )
    return services.project_transition(project=project, actor=reviewer, to=Status.IN_PROGRESS)


def deliver(project, actor, note="Cellules de moins de 11 masquées."):
    return services.statistics_deliver(
        project=project,
        actor=actor,
        upload=SimpleUploadedFile("tableaux.txt", CSV_BYTES),
        content_type=CSV,
        note=note,
    )


def test_a_request_goes_from_admissible_to_in_progress_without_opinion_or_authorisation(
    submitted_request, reviewer
):
    project = services.project_transition(
        project=submitted_request, actor=reviewer, to=Status.UNDER_REVIEW
    )
    assert services.allowed_transitions(project=project, user=reviewer) == [
        Status.CHANGES_REQUESTED,
        Status.REJECTED,
        Status.IN_PROGRESS,
    ]
    assert services.transition_blockers(project=project, to=Status.IN_PROGRESS) == []

    project = services.project_transition(project=project, actor=reviewer, to=Status.IN_PROGRESS)

    assert project.status == Status.IN_PROGRESS
    assert project.launched_on is not None
    event = project.events.get(to_status=Status.IN_PROGRESS)
    assert (event.action, event.visibility) == ("accepted", Event.Visibility.PUBLIC)


@pytest.mark.parametrize("to", [Status.AWAITING_AUTHORISATION, Status.APPROVED])
def test_a_request_never_awaits_an_authorisation_nor_is_approved(submitted_request, reviewer, to):
    project = services.project_transition(
        project=submitted_request, actor=reviewer, to=Status.UNDER_REVIEW
    )
    with pytest.raises(services.TransitionError):
        services.project_transition(project=project, actor=reviewer, to=to)
    project.refresh_from_db()
    assert project.status == Status.UNDER_REVIEW


def test_an_access_application_still_needs_its_opinion_and_authorisation(
    complete_draft, owner, reviewer
):
    project = services.project_submit(project=complete_draft, actor=owner)
    project = services.project_transition(project=project, actor=reviewer, to=Status.UNDER_REVIEW)

    assert Status.IN_PROGRESS not in services.allowed_transitions(project=project, user=reviewer)
    with pytest.raises(services.TransitionError):
        services.project_transition(project=project, actor=reviewer, to=Status.IN_PROGRESS)


def test_completing_a_request_needs_its_statistics_delivered(in_progress, reviewer):
    with translation.override("en"):
        blockers = services.transition_blockers(project=in_progress, to=Status.COMPLETED)
    assert blockers == [
        "No statistics are delivered yet: upload the file under “Deliver the statistics” "
        "first; the team is emailed when it is there."
    ]
    with translation.override("fr"), pytest.raises(services.TransitionError) as refused:
        services.project_transition(project=in_progress, actor=reviewer, to=Status.COMPLETED)
    assert "Aucune statistique" in str(refused.value)

    deliver(in_progress, reviewer)
    project = services.project_transition(project=in_progress, actor=reviewer, to=Status.COMPLETED)

    assert project.status == Status.COMPLETED
    assert project.completed_on is not None


def test_a_request_is_not_rejected_on_an_opinion_or_a_cnil_refusal(submitted_request, reviewer):
    project = services.project_transition(
        project=submitted_request, actor=reviewer, to=Status.UNDER_REVIEW
    )
    for ground in (RejectionGround.UNFAVOURABLE_OPINION, RejectionGround.CNIL_REFUSAL):
        with translation.override("en"):
            assert services.transition_blockers(
                project=project, to=Status.REJECTED, ground=ground
            ) == [
                "A data request has neither a CESREES opinion nor a CNIL decision: "
                "choose another ground."
            ]
    project = services.project_transition(
        project=project,
        actor=reviewer,
        to=Status.REJECTED,
        reason="Des statistiques ne peuvent pas répondre à cette question.",
        ground=RejectionGround.METHODOLOGY,
    )
    assert project.status == Status.REJECTED


def test_a_request_can_be_sent_back_and_withdrawn_as_an_application(
    submitted_request, reviewer, owner
):
    project = services.project_transition(
        project=submitted_request, actor=reviewer, to=Status.CHANGES_REQUESTED, reason="Précisez."
    )
    project = services.project_submit(project=project, actor=owner)
    assert project.status == Status.SUBMITTED
    project = services.project_transition(
        project=project, actor=owner, to=Status.WITHDRAWN, reason="Plus nécessaire."
    )
    assert project.status == Status.WITHDRAWN


def test_submitting_a_request_tells_no_data_holder(
    request_draft, owner, holder_member, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_submit(project=request_draft, actor=owner)

    assert holder_member.email not in {address for email in mail.outbox for address in email.to}
    assert RequestedBase.objects.get(project=request_draft).holder_told_at is None
    # Even asked directly (a task queued before a change of kind), nobody is told.
    assert notifications.notify_holders_of_requests.call(request_draft.pk) == 0


def test_the_data_holders_portal_never_lists_a_requests_bases(
    client, submitted_request, holder_member, complete_draft, owner
):
    access = services.project_submit(project=complete_draft, actor=owner)

    requests = selectors.holder_requests(holder_member)

    assert list(requests.values_list("project_id", flat=True)) == [access.pk]
    client.force_login(holder_member)
    mine = RequestedBase.objects.get(project=submitted_request)
    assert client.get(f"/holder/requests/{mine.pk}/").status_code == 404


def test_no_holder_decision_is_recorded_on_a_request(submitted_request, reviewer):
    requested = RequestedBase.objects.get(project=submitted_request)

    with pytest.raises(holders.HolderError):
        holders.requested_base_decide(requested=requested, actor=reviewer, decision=Decision.AGREED)
    requested.refresh_from_db()
    assert requested.decision == Decision.PENDING


def test_the_delivery_is_stored_under_a_random_name_logged_and_emailed_to_the_team(
    in_progress, reviewer, owner, member, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        delivery = deliver(in_progress, reviewer)

    assert delivery.original_name == "tableaux.csv"
    assert delivery.file.name.startswith(f"deliveries/{in_progress.pk}/")
    assert "tableaux" not in delivery.file.name and delivery.file.name.endswith(".csv")
    assert delivery.file.read() == CSV_BYTES
    event = in_progress.events.get(action="statistics_delivered")
    assert (event.visibility, event.actor) == (Event.Visibility.SPONSOR, reviewer)
    by_address = {email.to[0]: email for email in mail.outbox}
    assert set(by_address) == {owner.email, member.email}
    assert "Your statistics are delivered" in by_address[owner.email].subject
    assert "statistiques sont livrées" in by_address[member.email].subject
    for email in by_address.values():
        assert "Cellules de moins de 11 masquées." in email.body
        assert f"/my/projects/{in_progress.pk}/#statistics" in email.body


def test_statistics_are_delivered_only_by_a_reviewer_on_a_request_in_progress(
    in_progress, submitted_request, owner, reviewer, complete_draft
):
    with pytest.raises(services.TransitionError):
        deliver(in_progress, owner)
    access = services.project_submit(project=complete_draft, actor=owner)
    with pytest.raises(services.TransitionError):
        deliver(access, reviewer)
    assert Delivery.objects.count() == 0


def test_a_copy_of_a_request_is_a_request(in_progress, owner):
    copy = services.project_duplicate(project=in_progress, actor=owner)

    assert copy.kind == Project.Kind.REQUEST
    assert copy.statistics_wanted == "Effectifs par année et par région."
    assert copy.status == Status.DRAFT


def test_the_request_review_clock_runs_on_the_opinions_budget_and_stops_at_acceptance(
    submitted_request, reviewer
):
    project = services.project_transition(
        project=submitted_request, actor=reviewer, to=Status.UNDER_REVIEW
    )
    clock = project.review_clock()
    assert clock.stage == "opinion" and clock.stage_due_on is not None
    with translation.override("en"):
        assert str(project.stage_label(clock.stage)) == "review of the request"

    project = services.project_transition(project=project, actor=reviewer, to=Status.IN_PROGRESS)

    clock = project.review_clock()
    assert clock.decided_on is not None and clock.due_on is None
    project.refresh_from_db()
    assert project.stage_due_on is None and project.decision_due_on is None


def test_a_requests_review_stays_out_of_the_published_processing_times(in_progress):
    """Its admissibility check is the access applications' step; its review is not a
    CESREES opinion nor its answer an authorisation: stored under names of their own."""
    stored = set(
        StageMeasure.objects.filter(project=in_progress)
        .exclude(stage=StageMeasure.FIRST_SUBMISSION)
        .values_list("stage", flat=True)
    )
    replayed = {
        measure.stage
        for measure in processing.replay_trail([in_progress.pk])[in_progress.pk].measures
    }

    assert stored == replayed == {"admissibility", "request_review", "request_decision"}
    published = processing.by_year(processing.read_trail())
    assert all(
        row["stages"][stage].count == 0 for row in published for stage in ("opinion", "decision")
    )
    assert sum(row["stages"]["admissibility"].count for row in published) == 1


def test_a_request_in_progress_tells_the_team_what_happens_next(in_progress):
    with translation.override("en"):
        assert in_progress.next_step == (
            "The hub prepares your statistics and will deliver them as a file."
        )


def test_a_bases_request_of_an_access_application_still_reaches_its_holder(
    complete_draft, owner, holder_member, django_capture_on_commit_callbacks
):
    assert Base.objects.get(slug="esme").data_holder.memberships.filter(user=holder_member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_submit(project=complete_draft, actor=owner)

    assert holder_member.email in {address for email in mail.outbox for address in email.to}


def test_the_request_table_reads_as_its_path():
    """Written out here, not read from `services`: the path a data request takes."""
    S = Status
    moves = {
        (frm, to, rule.by)
        for (frm, to), rule in services.REQUEST_TRANSITIONS.items()
        if to != S.WITHDRAWN
    }
    assert moves == {
        (S.DRAFT, S.SUBMITTED, "sponsor"),
        (S.CHANGES_REQUESTED, S.SUBMITTED, "sponsor"),
        (S.SUBMITTED, S.UNDER_REVIEW, "staff"),
        (S.SUBMITTED, S.CHANGES_REQUESTED, "staff"),
        (S.UNDER_REVIEW, S.CHANGES_REQUESTED, "staff"),
        (S.UNDER_REVIEW, S.REJECTED, "staff"),
        (S.UNDER_REVIEW, S.IN_PROGRESS, "staff"),
        (S.IN_PROGRESS, S.COMPLETED, "staff"),
    }
    withdrawn_from = {frm for (frm, to) in services.REQUEST_TRANSITIONS if to == S.WITHDRAWN}
    assert withdrawn_from == {
        S.DRAFT,
        S.SUBMITTED,
        S.CHANGES_REQUESTED,
        S.UNDER_REVIEW,
        S.IN_PROGRESS,
    }
