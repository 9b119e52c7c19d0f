"""Every allowed and every forbidden transition, for each role; reasons; records."""

import threading
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from projects import services
from projects.models import Decision, Event, Project, Status
from tests.factories import UserFactory

S = Status
ROLES = ["owner", "member", "outsider", "reviewer", "administrator", "staff_without_group"]
SPONSOR_ROLES = {"owner", "member"}
STAFF_ROLES = {"reviewer", "administrator"}


def expected(frm: str, to: str, role: str) -> bool:
    rule = services.TRANSITIONS.get((frm, to))
    if rule is None:
        return False
    return role in (SPONSOR_ROLES if rule.by == services.SPONSOR else STAFF_ROLES)


@pytest.fixture
def actors(owner, member, outsider, reviewer, administrator):
    return {
        "owner": owner,
        "member": member,
        "outsider": outsider,
        "reviewer": reviewer,
        "administrator": administrator,
        "staff_without_group": UserFactory(email="sam@hub.example", is_staff=True),
    }


def put_in(project: Project, state: str) -> Project:
    """Places the project in a state directly, as the starting point of a test."""
    Project.objects.filter(pk=project.pk).update(status=state, reference="HDH-2026-9999")
    project.requested_bases.update(decision=Decision.AGREED)
    return Project.objects.get(pk=project.pk)


PAIRS = [(frm, to) for frm in S.values for to in S.values if frm != to]


@pytest.mark.parametrize(("frm", "to"), PAIRS)
def test_transition_is_allowed_exactly_for_the_roles_of_the_table(complete_draft, actors, frm, to):
    for role, actor in actors.items():
        project = put_in(complete_draft, frm)
        allowed = expected(frm, to, role)
        try:
            services.project_transition(project=project, actor=actor, to=to, reason="Parce que.")
        except services.TransitionError:
            assert not allowed, f"{role} should be able to go {frm} → {to}"
            assert Project.objects.get(pk=project.pk).status == frm
        else:
            assert allowed, f"{role} must not be able to go {frm} → {to}"
            assert Project.objects.get(pk=project.pk).status == to
            event = Event.objects.filter(project=project).latest("at", "pk")
            assert (event.from_status, event.to_status, event.actor) == (frm, to, actor)


def test_the_table_has_the_transitions_of_the_brief():
    staff = {pair for pair, rule in services.TRANSITIONS.items() if rule.by == services.STAFF}
    assert staff == {
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.SUBMITTED, S.CHANGES_REQUESTED),
        (S.UNDER_REVIEW, S.CHANGES_REQUESTED),
        (S.UNDER_REVIEW, S.AWAITING_AUTHORISATION),
        (S.UNDER_REVIEW, S.REJECTED),
        (S.AWAITING_AUTHORISATION, S.APPROVED),
        (S.AWAITING_AUTHORISATION, S.REJECTED),
        (S.APPROVED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.COMPLETED),
    }
    withdrawable = {frm for (frm, to) in services.TRANSITIONS if to == S.WITHDRAWN}
    assert withdrawable == set(S.values) - {S.COMPLETED, S.REJECTED, S.WITHDRAWN}


@pytest.mark.parametrize(
    ("frm", "to"),
    [
        (S.SUBMITTED, S.CHANGES_REQUESTED),
        (S.UNDER_REVIEW, S.REJECTED),
        (S.AWAITING_AUTHORISATION, S.REJECTED),
        (S.UNDER_REVIEW, S.WITHDRAWN),
    ],
)
def test_a_reason_is_required(complete_draft, owner, reviewer, frm, to, english):
    project = put_in(complete_draft, frm)
    actor = owner if to == S.WITHDRAWN else reviewer

    with pytest.raises(services.TransitionError, match="reason"):
        services.project_transition(project=project, actor=actor, to=to, reason="   ")

    assert Project.objects.get(pk=project.pk).status == frm


def test_key_dates_are_set_by_the_transitions(complete_draft, owner, reviewer):
    project = services.project_submit(project=complete_draft, actor=owner)
    for to in [S.UNDER_REVIEW, S.AWAITING_AUTHORISATION, S.APPROVED]:
        project = services.project_transition(project=project, actor=reviewer, to=to)
    project.requested_bases.update(decision=Decision.DELIVERED, decided_on=date(2026, 11, 1))
    project = services.project_transition(project=project, actor=reviewer, to=S.IN_PROGRESS)

    assert project.submitted_on and project.opinion_on and project.authorised_on
    assert project.launched_on is not None
    assert project.completed_on is None


def test_launch_waits_for_every_data_holder(complete_draft, reviewer):
    project = put_in(complete_draft, S.APPROVED)
    project.requested_bases.update(decision=Decision.PENDING)

    with pytest.raises(services.TransitionError, match="ESME"):
        services.project_transition(project=project, actor=reviewer, to=S.IN_PROGRESS)

    project.requested_bases.update(decision=Decision.REFUSED)
    with pytest.raises(services.TransitionError):
        services.project_transition(project=project, actor=reviewer, to=S.IN_PROGRESS)


def test_each_transition_emails_the_team_in_each_members_language(
    complete_draft, owner, member, reviewer, django_capture_on_commit_callbacks
):
    member.language = "en"
    member.save()
    project = services.project_submit(project=complete_draft, actor=owner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(
            project=project, actor=reviewer, to=S.CHANGES_REQUESTED, reason="Précisez la période."
        )

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {owner.email, member.email}
    assert "Précisez la période." in by_recipient[owner.email].body
    assert "Compléments demandés" in by_recipient[owner.email].body
    assert "Changes requested" in by_recipient[member.email].body


def test_a_staff_message_is_emailed_and_an_internal_event_is_not(
    complete_draft, owner, reviewer, django_capture_on_commit_callbacks
):
    project = services.project_submit(project=complete_draft, actor=owner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_assign(project=project, reviewer=reviewer, actor=reviewer)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(project=project, author=reviewer, body="Pouvez-vous préciser ?")
    assert {message.to[0] for message in mail.outbox} == {owner.email, "bob@chu-nord.example"}
    assert "Pouvez-vous préciser ?" in mail.outbox[0].body


def test_events_are_never_updated_or_deleted(complete_draft, owner, english):
    services.project_submit(project=complete_draft, actor=owner)
    event = Event.objects.get(action="submitted")

    event.reason = "rewritten"
    with pytest.raises(Exception, match="never changed"):
        event.save()
    with pytest.raises(Exception, match="never deleted"):
        event.delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_acting_at_once_make_exactly_one_transition(
    owner, member, organisation, reviewer, administrator
):
    from tests.projects.conftest import complete

    project = complete(owner=owner, member=member, organisation=organisation)
    project = services.project_submit(project=project, actor=owner)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(actor, to, reason):
        try:
            translation.activate("en")  # per thread; the message is read below
            barrier.wait(timeout=5)
            services.project_transition(
                project=project, actor=actor, to=to, reason=reason, seen=S.SUBMITTED
            )
            outcomes.append(("done", to))
        except services.TransitionError as error:
            outcomes.append(("refused", str(error)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(reviewer, S.UNDER_REVIEW, "")),
        threading.Thread(target=act, args=(administrator, S.CHANGES_REQUESTED, "Incomplet.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["done", "refused"]
    assert "meanwhile" in next(text for kind, text in outcomes if kind == "refused")
    done = next(to for kind, to in outcomes if kind == "done")
    assert Project.objects.get(pk=project.pk).status == done
    assert Event.objects.filter(project=project, from_status=S.SUBMITTED).count() == 1
