"""The personal data notice and the terms of use: public pages, linked from every page,
accepted at sign-up and when an invitation creates the account, with the date kept."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Invitation, TeamMember
from tests.factories import make_project
from tests.languages import in_language
from tests.portal.conftest import PASSWORD, sign_up

pytestmark = pytest.mark.django_db


def test_sign_up_without_accepting_the_terms_is_refused_with_a_message(client, english):
    response = sign_up(client, "new@labo.example", language="en", accept_terms=False)

    assert response.status_code == 200
    assert response.context["form"].errors["accept_terms"]
    assert "accept the terms of use" in response.content.decode()
    assert not get_user_model().objects.filter(email="new@labo.example").exists()


def test_sign_up_keeps_the_date_the_terms_were_accepted(client):
    before = timezone.now()

    sign_up(client, "new@labo.example")

    user = get_user_model().objects.get(email="new@labo.example")
    assert before <= user.terms_accepted_at <= timezone.now()


@pytest.mark.parametrize("name", ["privacy", "terms"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_notice_and_the_terms_answer_in_both_languages(client, name, language):
    response = client.get(in_language(reverse(name), language))

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


def test_the_notice_names_the_data_protection_officer(client, settings):
    settings.DPO_EMAIL = "dpo@hub.example"

    response = client.get(reverse("privacy"))

    assert 'href="mailto:dpo@hub.example"' in response.content.decode()


def test_every_page_links_to_the_notice_and_the_terms(client):
    footer = client.get("/").content.decode().split("<footer", 1)[1]

    assert f'href="{reverse("privacy")}"' in footer
    assert f'href="{reverse("terms")}"' in footer


def invitation_link(owner, email: str) -> str:
    project = make_project(owner=owner, title="Étude des parcours")
    invitation = Invitation.objects.create(project=project, email=email, invited_by=owner)
    token = services.signing.dumps(invitation.pk, salt=services.INVITATION_SALT)
    return reverse("my:invitation", kwargs={"token": token})


def test_an_invitation_creates_the_account_only_once_the_terms_are_accepted(client, owner):
    url = invitation_link(owner, "nadia@labo.example")
    passwords = {"new_password1": PASSWORD, "new_password2": PASSWORD}

    refused = client.post(url, passwords)

    assert refused.status_code == 200
    assert refused.context["form"].errors["accept_terms"]
    assert not get_user_model().objects.filter(email="nadia@labo.example").exists()

    accepted = client.post(url, {**passwords, "accept_terms": "on"})

    assert accepted.status_code == 302
    newcomer = get_user_model().objects.get(email="nadia@labo.example")
    assert newcomer.terms_accepted_at is not None
    assert TeamMember.objects.filter(user=newcomer).exists()


def test_the_terms_box_links_to_both_pages(client):
    form = client.get(reverse("account_signup")).content.decode()

    assert re.search(rf'href="{reverse("terms")}"', form)
    assert re.search(rf'href="{reverse("privacy")}"', form)
