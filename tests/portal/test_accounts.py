"""Accounts: sign up by email, confirm the address, sign in, reset the password."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.portal.conftest import PASSWORD, sign_up

pytestmark = pytest.mark.django_db


def test_sign_up_sends_a_confirmation_link_that_verifies_the_address_and_signs_in(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="new@labo.example")
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    client.post(link)

    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("my:projects")).status_code == 200


def test_emails_speak_the_visitors_language(client):
    sign_up(client, email="fr@labo.example", language="fr")
    sign_up(client.__class__(), email="en@labo.example", language="en")

    french, english = mail.outbox
    assert "Confirmez votre adresse" in french.subject
    assert "Please Confirm Your Email Address" in english.subject


def test_sign_in_with_email_and_password(client, owner):
    response = client.post(
        reverse("account_login"),
        {"login": owner.email, "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert client.get(reverse("my:projects")).status_code == 200


def test_password_reset_by_email_link(client, owner):
    client.post(reverse("account_reset_password"), {"email": owner.email})

    assert len(mail.outbox) == 1
    assert re.search(r"/accounts/password/reset/key/\S+/", mail.outbox[0].body)


def test_an_unconfirmed_address_cannot_sign_in_yet(client):
    sign_up(client)

    response = Client().post(
        reverse("account_login"), {"login": "new@labo.example", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


def test_emails_name_the_site_not_the_host_the_request_came_with(client, settings):
    settings.SITE_URL = "https://portail.health-data-hub.example"
    settings.ALLOWED_HOSTS = ["*"]
    sign_up(client, email="site@labo.example", language="fr")

    [email] = mail.outbox
    assert "Merci d'utiliser Health Data Hub !\nportail.health-data-hub.example" in email.body
    assert "Merci d'utiliser testserver" not in email.body
