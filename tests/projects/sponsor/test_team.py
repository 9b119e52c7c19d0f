"""The team: invitations by email that create the account if needed, and the thread."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from projects.models import Invitation, TeamMember

pytestmark = pytest.mark.django_db


def invite(client, project, email):
    return client.post(reverse("my:invite", kwargs={"pk": project.pk}), {"email": email})


def link_in(message) -> str:
    return re.search(r"https?://\S+/my/invitations/\S+/", message.body).group(0)


def test_the_owner_invites_a_newcomer_who_creates_an_account_and_joins(
    client, owner, draft, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, draft, "Nadia@Labo.example")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nadia@labo.example"]
    url = link_in(mail.outbox[0])
    client.logout()

    page = client.get(url)
    assert page.status_code == 200
    assert "form" in page.context
    response = client.post(
        url,
        {
            "new_password1": "un mot de passe sûr",
            "new_password2": "un mot de passe sûr",
            "accept_terms": "on",
        },
    )

    assert response.status_code == 302
    newcomer = get_user_model().objects.get(email="nadia@labo.example")
    assert TeamMember.objects.filter(project=draft, user=newcomer).exists()
    assert newcomer.emailaddress_set.get().verified
    assert client.get(reverse("my:project", kwargs={"pk": draft.pk})).status_code == 200


def test_an_existing_user_signs_in_then_accepts(
    client, owner, outsider, draft, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, draft, outsider.email)
    url = link_in(mail.outbox[0])
    client.logout()

    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(outsider)
    client.post(url)

    assert TeamMember.objects.filter(project=draft, user=outsider).exists()


def test_an_invitation_is_for_its_address_only(
    client, owner, outsider, member, draft, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, draft, "someone@else.example")
    client.force_login(outsider)

    client.post(link_in(mail.outbox[0]))

    assert not TeamMember.objects.filter(project=draft, user=outsider).exists()


def test_a_tampered_link_is_refused(client):
    response = client.get(reverse("my:invitation", kwargs={"token": "forged"}))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_only_the_owner_invites(client, owner, member, draft, django_capture_on_commit_callbacks):
    """The invitation is emailed once committed: the callbacks run here, so an email
    sent for the member's attempt would show in the outbox."""
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        refused = invite(client, draft, "x@y.example")

    assert refused.status_code == 302
    assert mail.outbox == []
    assert not Invitation.objects.filter(project=draft).exists()

    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, draft, "z@y.example")

    assert [message.to for message in mail.outbox] == [["z@y.example"]]
    assert link_in(mail.outbox[0])
    invitation = Invitation.objects.get(project=draft)
    assert (invitation.email, invitation.invited_by) == ("z@y.example", owner)


def test_a_message_from_the_team_joins_the_thread(client, member, draft):
    client.force_login(member)

    client.post(reverse("my:message", kwargs={"pk": draft.pk}), {"body": "  Une question  "})
    empty = client.post(reverse("my:message", kwargs={"pk": draft.pk}), {"body": ""})

    assert [m.body for m in draft.messages.all()] == ["Une question"]
    assert empty.status_code == 302
