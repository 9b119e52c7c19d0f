"""Every refusal of the team and deadline services, in the exact words the person reads,
and the state each refusal leaves untouched."""

from datetime import UTC, datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import RequestFactory
from django.utils import translation

from projects import services
from projects.models import DeadlineExtension, Invitation, Project, ReviewDeadlines, Status
from tests.factories import UserFactory, record_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refusal(call) -> str:
    with pytest.raises(services.TransitionError) as refused:
        call()
    return str(refused.value)


def invite(project, actor, email):
    return services.invitation_send(
        project=project, actor=actor, email=email, request=RequestFactory().get("/")
    )


def test_team_invitations_refuse_in_words(draft, owner, member):
    assert refusal(lambda: invite(draft, member, "nadia@x.example")) == (
        "Only the project's owner can invite people."
    )
    assert refusal(lambda: invite(draft, owner, " BOB@chu-nord.example ")) == (
        "This person is already on the team."
    )
    assert not Invitation.objects.exists()


def test_a_team_invitation_is_accepted_only_by_its_address(draft, owner, outsider):
    invitation = invite(draft, owner, "nadia@x.example")

    assert refusal(lambda: services.invitation_accept(invitation=invitation, user=outsider)) == (
        "This invitation was sent to nadia@x.example: sign in with that address to accept it."
    )
    assert not draft.team.filter(user=outsider).exists()


def test_an_accepted_team_invitation_makes_a_member_with_a_confirmed_primary_address(draft, owner):
    invitation = invite(draft, owner, "Nadia@X.example")
    nadia = UserFactory(email="nadia@x.example")

    member = services.invitation_accept(invitation=invitation, user=nadia)

    assert member.role == "member"
    address = nadia.emailaddress_set.get()
    assert (address.email, address.verified, address.primary) == ("nadia@x.example", True, True)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_the_team_invitation_names_the_project_and_who_invites(
    draft, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(draft, owner, "nadia@x.example")

    (email,) = mail.outbox
    assert email.to == ["nadia@x.example"]
    assert "Étude des parcours" in email.body
    assert str(owner) in email.body


def test_accepting_an_invitation_keeps_the_person_s_other_addresses(draft, owner):
    invitation = invite(draft, owner, "nadia@x.example")
    nadia = UserFactory(email="nadia@x.example")
    EmailAddress.objects.create(user=nadia, email="n.other@y.example", verified=True)

    services.invitation_accept(invitation=invitation, user=nadia)

    assert sorted(nadia.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("n.other@y.example", True, False),
        ("nadia@x.example", True, True),
    ]


@pytest.fixture
def submitted(complete_draft, owner):
    project = services.project_submit(project=complete_draft, actor=owner)
    record_evidence(project)
    return project


def extend(project, actor, clock="decision", reason="Avis complémentaire demandé."):
    return services.deadline_extend(project=project, actor=actor, clock=clock, reason=reason)


def test_extensions_refuse_in_words(submitted, owner, reviewer):
    cases = [
        (lambda: extend(submitted, owner), "Only the hub's reviewers can extend a deadline."),
        (
            lambda: extend(submitted, reviewer, clock="stage"),
            "There is no such deadline to extend.",
        ),
        (
            lambda: extend(submitted, reviewer, reason="  "),
            "Please give a reason: it is sent to the sponsor team.",
        ),
        (
            lambda: extend(submitted, reviewer, clock="authorisation"),
            "The authorisation deadline runs only while the project awaits it.",
        ),
    ]

    assert [refusal(call) for call, _message in cases] == [message for _call, message in cases]
    assert not DeadlineExtension.objects.exists()


def test_a_deadline_is_extended_once_and_never_after_the_decision(submitted, reviewer):
    extend(submitted, reviewer)

    assert refusal(lambda: extend(submitted, reviewer)) == (
        "This deadline was already extended: it can be only once."
    )
    for to in [Status.UNDER_REVIEW, Status.AWAITING_AUTHORISATION, Status.APPROVED]:
        services.project_transition(project=submitted, actor=reviewer, to=to)
    assert refusal(lambda: extend(submitted, reviewer, clock="decision")) == (
        "The decision deadline runs only from the first submission to the decision."
    )
    assert DeadlineExtension.objects.count() == 1


def test_only_hub_administrators_change_the_deadlines(reviewer, administrator):
    deadlines = ReviewDeadlines.load()
    deadlines.admissibility_days = 20

    assert refusal(lambda: services.review_deadlines_save(deadlines=deadlines, actor=reviewer)) == (
        "Only the hub's administrators can change the deadlines."
    )
    assert ReviewDeadlines.load().admissibility_days == 15

    services.review_deadlines_save(deadlines=deadlines, actor=administrator)

    assert ReviewDeadlines.objects.get().admissibility_days == 20
    assert ReviewDeadlines.objects.count() == 1


def team_token(invitation) -> str:
    return services.signing.dumps(invitation.pk, salt=services.INVITATION_SALT)


def test_a_team_link_finds_its_own_waiting_invitation_for_fourteen_days(draft, owner):
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False) as traveller:
        first = invite(draft, owner, "nadia@x.example")
        second = invite(draft, owner, "omar@x.example")
        first_link, second_link = team_token(first), team_token(second)

        assert services.invitation_from_token(first_link) == first
        assert services.invitation_from_token(second_link) == second
        assert services.invitation_from_token(first_link + "x") is None

        traveller.move_to(datetime(2026, 3, 15, 8, 59, tzinfo=UTC))
        assert services.invitation_from_token(first_link) == first
        traveller.move_to(datetime(2026, 3, 15, 9, 0, 1, tzinfo=UTC))
        assert services.invitation_from_token(first_link) is None


def test_an_accepted_team_link_finds_nothing(draft, owner):
    invitation = invite(draft, owner, "nadia@x.example")
    services.invitation_accept(invitation=invitation, user=UserFactory(email="nadia@x.example"))

    assert services.invitation_from_token(team_token(invitation)) is None


def test_assigning_a_reviewer_is_logged_for_staff_with_who_and_whom(
    submitted, reviewer, administrator, owner
):
    services.project_assign(project=submitted, reviewer=reviewer, actor=administrator)
    services.project_assign(project=submitted, reviewer=None, actor=administrator)

    assigned = submitted.events.filter(action="assigned").order_by("pk")
    assert [(e.actor, e.reason, e.visibility) for e in assigned] == [
        (administrator, str(reviewer), "staff"),
        (administrator, "", "staff"),
    ]
    submitted.refresh_from_db()
    assert submitted.reviewer is None


def test_only_staff_assign_and_only_staff_are_assigned(submitted, reviewer, owner):
    assert refusal(
        lambda: services.project_assign(project=submitted, reviewer=owner, actor=reviewer)
    ) == ("Only the hub's staff can review projects.")
    assert refusal(
        lambda: services.project_assign(project=submitted, reviewer=reviewer, actor=owner)
    ) == ("Only the hub's staff can review projects.")
    submitted.refresh_from_db()
    assert submitted.reviewer is None
    assert not submitted.events.filter(action="assigned").exists()


def test_a_submission_is_refused_in_words_until_complete_and_confirmed(
    draft, complete_draft, owner
):
    assert refusal(lambda: services.project_submit(project=draft, actor=owner)) == (
        "The application is not complete yet."
    )
    owner.emailaddress_set.update(verified=False)
    assert refusal(lambda: services.project_submit(project=complete_draft, actor=owner)) == (
        "Please confirm your email address before submitting."
    )
    assert set(Project.objects.values_list("status", flat=True)) == {Status.DRAFT}
