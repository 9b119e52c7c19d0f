"""Defect 9: failed sign-ins are counted in Redis, shared by every worker, not in each
worker's memory. Limits (portal/settings.py, ACCOUNT_RATE_LIMITS["login_failed"]):
5 failures per account in 15 minutes, 10 failures per client address in a minute."""

import pickle

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.conftest import verified
from tests.factories import UserFactory
from tests.languages import english_url

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery staple"
PER_ACCOUNT = 5
PER_ADDRESS = 10


def sign_in(client, email, password):
    data = {"login": email, "password": password}
    return client.post(english_url(reverse("account_login")), data)


def fail(client, email, times):
    for _ in range(times):
        response = sign_in(client, email, "not the password")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_the_cache_is_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_bad_passwords_lock_the_account_even_for_the_right_password(client, owner):
    fail(client, owner.email, PER_ACCOUNT)

    response = sign_in(client, owner.email, RIGHT)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_the_count_lives_in_redis_where_every_worker_reads_it(client, owner):
    fail(client, owner.email, PER_ACCOUNT)

    # Another worker: its own connection to the same Redis, nothing shared in memory.
    other_worker = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = [key.decode() for key in other_worker.scan_iter("*allauth:rl:*login_failed*key*")]
    assert len(keys) == 1
    history = pickle.loads(other_worker.get(keys[0]))
    assert len(history) == PER_ACCOUNT

    # And a fresh Django cache connection in this process refuses the sixth try too.
    caches.close_all()
    del caches["default"]
    other_client = Client()
    sign_in(other_client, owner.email, RIGHT)
    assert "_auth_user_id" not in other_client.session


def test_another_account_from_the_same_address_can_still_sign_in(client, owner, member):
    fail(client, owner.email, PER_ACCOUNT)

    response = sign_in(client, member.email, RIGHT)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_an_address_trying_many_accounts_is_refused(client):
    users = [verified(UserFactory(email=f"u{n}@labo.example")) for n in range(PER_ADDRESS + 1)]
    for user in users[:PER_ADDRESS]:
        fail(client, user.email, 1)

    response = sign_in(client, users[-1].email, RIGHT)

    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
