"""The organisation services themselves, below the pages: each refusal with the words
the person reads, the identifier's kind and number both counting, the invitation's
link working once, for its address, for 14 days."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone, translation

from projects import services
from projects.models import Organisation, OrganisationInvitation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIREN = "180092025"
ALSO_A_VALID_FINESS = "750712184"  # passes both keys: only the kind tells them apart


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refusal(call) -> str:
    with pytest.raises(services.OrganisationError) as refused:
        call()
    return str(refused.value)


def create(creator, name="Institut Est", kind="siren", identifier=SIREN) -> Organisation:
    return services.organisation_create(
        name=name, identifier_kind=kind, identifier=identifier, creator=creator
    )


def test_a_name_already_registered_is_refused_with_the_way_to_join(owner, organisation):
    message = refusal(lambda: create(owner, name="chu NORD"))

    assert message == (
        "chu NORD is already registered on the portal. Ask one of its members to invite "
        "you, or write to the hub."
    )


def test_an_identifier_already_registered_is_refused_whatever_the_name(owner):
    create(owner)

    message = refusal(lambda: create(owner, name="Autre nom", identifier="180 092 025"))

    assert message == (
        "An organisation with this identifier is already registered. Ask one of its "
        "members to invite you, or write to the hub."
    )
    assert Organisation.objects.count() == 1


def test_the_same_number_of_another_kind_is_another_organisation(owner):
    create(owner, name="Société", kind="siren", identifier=ALSO_A_VALID_FINESS)

    hospital = create(owner, name="Hôpital", kind="finess", identifier=ALSO_A_VALID_FINESS)

    assert hospital.identifier_kind == "finess"


def test_another_number_of_the_same_kind_is_another_organisation(owner):
    create(owner, name="Société", identifier=SIREN)

    other = create(owner, name="Autre société", identifier=ALSO_A_VALID_FINESS)

    assert other.identifier == ALSO_A_VALID_FINESS


def test_only_hub_administrators_verify_and_say_so(reviewer):
    organisation = OrganisationFactory(name="Labo", identifier_kind="siren", identifier=SIREN)

    message = refusal(
        lambda: services.organisation_verify(organisation=organisation, actor=reviewer)
    )

    assert message == "Only the hub's administrators can verify organisations."


def test_verifying_without_a_valid_identifier_says_what_is_wrong(administrator):
    organisation = OrganisationFactory(name="Labo", identifier_kind="siren", identifier="12")

    message = refusal(
        lambda: services.organisation_verify(organisation=organisation, actor=administrator)
    )

    assert message == (
        "Labo has no valid identifier to verify: A SIREN number has nine digits and a "
        "valid key; check it."
    )


def test_a_second_verification_keeps_the_first_ones_date_and_author(administrator, staff):
    organisation = OrganisationFactory(name="Labo", identifier_kind="siren", identifier=SIREN)
    services.organisation_verify(organisation=organisation, actor=administrator)
    first = Organisation.objects.get(pk=organisation.pk).verified_at

    services.organisation_verify(organisation=organisation, actor=staff)

    organisation.refresh_from_db()
    assert (organisation.verified_at, organisation.verified_by) == (first, administrator)


def invite(organisation, actor, email="nadia@chu-nord.example"):
    request = RequestFactory().get("/")
    return services.organisation_invite(
        organisation=organisation, actor=actor, email=email, request=request
    )


def test_only_members_invite_and_members_are_not_invited_again(
    owner, member, outsider, organisation
):
    assert refusal(lambda: invite(organisation, outsider)) == (
        "Only the organisation's members can invite people."
    )
    assert refusal(lambda: invite(organisation, owner, email=" Bob@CHU-Nord.example ")) == (
        "This person is already a member."
    )
    assert not OrganisationInvitation.objects.exists()


def test_the_invitation_names_the_organisation_and_who_invites(
    owner, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(organisation, owner)

    (email,) = mail.outbox
    assert "CHU Nord" in email.subject
    assert "Alice" in email.body and "CHU Nord" in email.body


def token_of(invitation) -> str:
    return services.signing.dumps(invitation.pk, salt=services.ORGANISATION_INVITATION_SALT)


def test_a_link_finds_its_own_invitation_while_it_waits(owner, organisation):
    first = invite(organisation, owner, email="a@x.example")
    second = invite(organisation, owner, email="b@x.example")

    assert services.organisation_invitation_from_token(token_of(second)) == second
    assert services.organisation_invitation_from_token(token_of(first)) == first
    assert services.organisation_invitation_from_token("not-a-token") is None


def test_a_link_is_good_for_fourteen_days(owner, organisation):
    with time_machine.travel(timezone.now() - timedelta(days=14, hours=1)):
        old = token_of(invite(organisation, owner, email="a@x.example"))
    with time_machine.travel(timezone.now() - timedelta(days=13, hours=23)):
        recent = token_of(invite(organisation, owner, email="b@x.example"))

    assert services.organisation_invitation_from_token(old) is None
    assert services.organisation_invitation_from_token(recent) is not None


def test_an_accepted_invitation_is_not_found_again_nor_accepted_twice(owner, organisation):
    invitation = invite(organisation, owner)
    nadia = UserFactory(email="nadia@chu-nord.example")
    services.organisation_invitation_accept(invitation=invitation, user=nadia)

    assert services.organisation_invitation_from_token(token_of(invitation)) is None
    assert refusal(
        lambda: services.organisation_invitation_accept(invitation=invitation, user=nadia)
    ) == ("This invitation was already used.")
    assert OrganisationInvitation.objects.get().accepted_at is not None


def test_an_invitation_is_accepted_only_by_its_address(owner, outsider, organisation):
    invitation = invite(organisation, owner)

    message = refusal(
        lambda: services.organisation_invitation_accept(invitation=invitation, user=outsider)
    )

    assert message == (
        "This invitation was sent to nadia@chu-nord.example: sign in with that address "
        "to accept it."
    )
    assert outsider not in organisation.members.all()


def test_an_account_made_from_a_team_invitation_signs_in_with_its_password(owner, draft, client):
    invitation = services.Invitation.objects.create(
        project=draft, email="nadia@labo.example", invited_by=owner
    )

    user = services.invitation_accept_with_new_account(
        invitation=invitation, password="un mot de passe sûr"
    )

    assert user.check_password("un mot de passe sûr")
    assert user.terms_accepted_at is not None
    assert draft.team.filter(user=user).exists()
