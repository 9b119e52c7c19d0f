"""Defect 10: sign-up, sign-in and password reset answer the same whether or not an
account uses the address, so nobody can learn who is registered."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.portal.conftest import sign_up

pytestmark = pytest.mark.django_db

UNKNOWN = "nobody@labo.example"


def page(response, email: str) -> str:
    """The page as the visitor sees it, with the address typed, the per-response CSRF
    token and the CSP nonce blanked out."""
    text = response.content.decode()
    text = text.replace(email, "ADDRESS").replace(email.upper(), "ADDRESS")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return re.sub(r'nonce="[^"]+"', "NONCE", text)


def answer(response, email: str):
    """Status, redirect target and the page finally shown."""
    location = response.get("Location")
    shown = response.client.get(location) if location else response
    return response.status_code, location, shown.status_code, page(shown, email)


def test_sign_up_with_a_known_address_looks_like_a_new_sign_up(owner, mailoutbox):
    known = answer(sign_up(Client(), owner.email.upper()), owner.email)
    new = answer(sign_up(Client(), UNKNOWN), UNKNOWN)

    assert known == new
    assert known[:2] == (302, reverse("account_email_verification_sent"))
    assert get_user_model().objects.filter(email__iexact=owner.email).count() == 1
    to_owner = [message for message in mailoutbox if message.to == [owner.email]]
    assert len(to_owner) == 1
    assert "Ce compte existe déjà" in to_owner[0].subject
    assert re.search(r"/accounts/password/reset/", to_owner[0].body)


def test_a_wrong_password_answers_the_same_for_a_known_and_an_unknown_address(owner):
    def sign_in(email):
        data = {"login": email, "password": "not the password"}
        return Client().post(reverse("account_login"), data)

    assert answer(sign_in(owner.email), owner.email) == answer(sign_in(UNKNOWN), UNKNOWN)


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(owner, mailoutbox):
    def reset(email):
        return Client().post(reverse("account_reset_password"), {"email": email})

    known = answer(reset(owner.email), owner.email)
    unknown = answer(reset(UNKNOWN), UNKNOWN)

    assert known == unknown
    assert known[:2] == (302, reverse("account_reset_password_done"))
    assert [message.to for message in mailoutbox] == [[owner.email], [UNKNOWN]]
