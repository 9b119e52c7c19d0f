"""Details of the services that the mutation run found unpinned: who a frozen
version and an attachment record, what a refused edit says, the version an editor
holds after saving, whether a sponsor's change reaches the public, and the order
in which a loader's events make a clock."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from projects import services
from projects.models import Event, Project, Status
from projects.services import TransitionError
from tests.factories import make_project, make_public_project
from tests.projects.conftest import complete
from tests.projects.files import pdf_upload

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def test_the_version_frozen_at_submission_names_who_submitted(owner, member, organisation):
    project = complete(owner=owner, member=member, organisation=organisation)

    services.project_submit(project=project, actor=member)

    assert project.versions.get().submitted_by == member


def test_an_attachment_names_who_uploaded_it(owner):
    project = make_project(owner=owner, title="Étude")

    [attachment] = services.attachments_add(
        project=project, actor=owner, uploads=[("protocol", pdf_upload(), "application/pdf")]
    )

    assert attachment.uploaded_by == owner


def test_an_application_under_review_refuses_an_edit_in_words(owner, english):
    project = make_public_project("HDH-2026-0001", "Étude", status=Status.UNDER_REVIEW)

    with pytest.raises(TransitionError) as refused:
        services.project_check_editable(project=project)

    assert str(refused.value) == "This application can no longer be edited."


def test_after_a_save_the_editor_holds_the_new_version_and_may_save_again(owner):
    project = make_project(owner=owner, title="Étude")
    first = project.edit_version

    services.project_save_content(project=project, expected_version=first, save=project.save)
    assert project.edit_version == first + 1
    services.project_save_content(
        project=project, expected_version=project.edit_version, save=project.save
    )

    assert Project.objects.get(pk=project.pk).edit_version == first + 2


def test_an_organisation_change_reaches_the_public_only_through_its_public_projects(owner):
    public = make_public_project("HDH-2026-0001", "Étude", sponsor="CHU Public")
    drafts_only = make_project(owner=owner, title="Brouillon").sponsor

    assert services.organisation_projects_changed(organisation=public.sponsor) is True
    if drafts_only is not None:
        assert services.organisation_projects_changed(organisation=drafts_only) is False


def test_a_loaders_events_make_the_clock_in_the_order_of_their_dates_not_of_their_rows(db):
    project = make_public_project(
        "HDH-2026-0007", "Ancien dossier", status=Status.CHANGES_REQUESTED
    )
    assert not project.events.exists()
    # Written in the wrong order: the request for changes first, the submission after.
    for day, to in [
        (date(2026, 3, 10), Status.CHANGES_REQUESTED),
        (date(2026, 3, 2), Status.SUBMITTED),
    ]:
        Event.objects.create(
            project=project,
            action="imported",
            to_status=to,
            at=datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=PARIS),
            visibility=Event.Visibility.STAFF,
        )
    # An event that changes no state sits between them and changes nothing.
    Event.objects.create(
        project=project,
        action="note",
        to_status="",
        at=datetime(2026, 3, 5, 12, tzinfo=PARIS),
        visibility=Event.Visibility.STAFF,
    )

    # Dates stored wrong in every clock field: each one is corrected.
    wrong = date(2000, 1, 1)
    Project.objects.filter(pk=project.pk).update(
        stage_due_on=wrong, decision_due_on=wrong, clock_paused_on=wrong
    )

    services.clocks_refresh(projects=Project.objects.filter(pk=project.pk))

    project.refresh_from_db()
    clock = project.review_clock()
    assert (project.stage_due_on, project.decision_due_on) == (
        clock.stage_due_on,
        clock.decision_due_on,
    )
    # With the sponsor since 10 March: the clock is paused that day.
    assert project.clock_paused_on == date(2026, 3, 10)
    assert project.review_clock().paused_since == project.clock_paused_on
    assert project.stage_due_on is None


def test_each_refused_transition_says_why_in_full_words(owner, member, reviewer, english):
    project = make_public_project("HDH-2026-0003", "Étude", status=Status.SUBMITTED)

    def refusal(**kwargs) -> str:
        with pytest.raises(TransitionError) as refused:
            services.project_transition(project=project, **kwargs)
        return str(refused.value)

    assert refusal(actor=reviewer, to=Status.APPROVED) == (
        "A project that is “Submitted” cannot become “Approved”."
    )
    assert refusal(actor=reviewer, to=Status.UNDER_REVIEW, seen=Status.DRAFT) == (
        "Someone else acted on this project meanwhile: it is now “Submitted”."
    )
    assert refusal(actor=owner, to=Status.UNDER_REVIEW) == "Only the hub's reviewers can do this."
    assert refusal(actor=reviewer, to=Status.WITHDRAWN, reason="Abandon.") == (
        "Only the project's team can do this."
    )


def test_a_move_that_needs_no_reason_records_none(reviewer):
    project = make_public_project("HDH-2026-0004", "Étude", status=Status.SUBMITTED)

    services.project_transition(project=project, actor=reviewer, to=Status.UNDER_REVIEW)

    assert project.events.get(to_status=Status.UNDER_REVIEW).reason == ""


def test_a_new_draft_records_who_started_it_for_the_staff(owner):
    project = make_project(owner=owner, title="Étude")

    [event] = project.events.all()

    assert (event.actor, event.action, event.from_status, event.to_status, event.visibility) == (
        owner,
        "created",
        "",
        Status.DRAFT,
        Event.Visibility.STAFF,
    )


def test_a_step_that_needs_a_reason_asks_for_one_in_words(owner, member, organisation, reviewer):
    project = services.project_submit(
        project=complete(owner=owner, member=member, organisation=organisation), actor=owner
    )

    with translation.override("fr"):
        with pytest.raises(TransitionError) as refused:
            services.project_transition(
                project=project, actor=reviewer, to=Status.CHANGES_REQUESTED, reason="  "
            )
        assert str(refused.value) == "Veuillez indiquer un motif."
    assert Project.objects.get(pk=project.pk).status == Status.SUBMITTED


def test_a_resubmission_marks_when_the_team_answered(owner, member, organisation, reviewer):
    project = services.project_submit(
        project=complete(owner=owner, member=member, organisation=organisation), actor=owner
    )
    services.project_transition(
        project=project, actor=reviewer, to=Status.CHANGES_REQUESTED, reason="Précisez."
    )

    services.project_transition(project=project, actor=owner, to=Status.SUBMITTED)

    project = Project.objects.get(pk=project.pk)
    assert project.sponsor_answered_at is not None
    assert project.sponsor_answered_at == project.status_changed_at


def test_a_copy_is_a_new_draft_with_the_content_and_nothing_of_the_review(
    owner, member, organisation, outsider
):
    from projects.models import RequestedBase

    project = services.project_submit(
        project=complete(owner=owner, member=member, organisation=organisation), actor=owner
    )
    Project.objects.filter(pk=project.pk).update(status=Status.REJECTED)
    RequestedBase.objects.filter(project=project).update(decision="agreed")

    with translation.override("fr"):
        copy = services.project_duplicate(project=project, actor=member)

    assert copy.pk != project.pk
    assert (copy.status, copy.reference, copy.submitted_on) == (Status.DRAFT, "", None)
    assert copy.title == "Copie de Étude des parcours"
    for field in ("summary", "purpose", "methodology", "expected_results", "funding"):
        assert getattr(copy, field) == getattr(project, field)
    assert (copy.planned_start, copy.duration_months) == (
        project.planned_start,
        project.duration_months,
    )
    assert list(copy.themes.all()) == list(project.themes.all())
    assert copy.sponsor == organisation  # the member belongs to it
    [base] = copy.requested_bases.all()
    assert (base.base_id, base.justification, base.decision) == (
        project.requested_bases.get().base_id,
        "Données de vie réelle.",
        "pending",
    )
    assert list(copy.team.values_list("user", "role")) == [(member.pk, "owner")]
    assert not copy.attachments.exists() and not copy.versions.exists()
    assert list(copy.events.values_list("action", flat=True)) == ["created"]
    # The original is untouched.
    assert Project.objects.get(pk=project.pk).status == Status.REJECTED

    with pytest.raises(TransitionError):
        services.project_duplicate(project=project, actor=outsider)


def test_a_copy_by_someone_outside_the_sponsor_leaves_the_sponsor_to_choose(owner, organisation):
    from tests.factories import UserFactory

    stranger = UserFactory(email="dana@ailleurs.example")
    project = make_project(owner=owner, members=[stranger], title="Étude", sponsor=organisation)

    copy = services.project_duplicate(project=project, actor=stranger)

    assert copy.sponsor is None
