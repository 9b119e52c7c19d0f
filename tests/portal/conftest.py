"""Fixtures of the account and hardening tests: the mail server down, the tasks queued."""

import socket

import pytest
from django.tasks.signals import task_enqueued
from django.urls import reverse

from tests.languages import in_language

PASSWORD = "un mot de passe sûr"


def sign_up(client, email="new@labo.example", *, language="fr", accept_terms=True):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    if accept_terms:
        data["accept_terms"] = "on"
    return client.post(in_language(reverse("account_signup"), language), data)


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_down(settings):
    """Real SMTP, pointed at a closed port of this machine: every send fails."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 5},
        }
    }


@pytest.fixture
def enqueued_tasks():
    """The module path of every task queued during the test, in order."""
    paths = []

    def record(sender, task_result, **kwargs):
        paths.append(task_result.task.module_path)

    task_enqueued.connect(record, weak=False)
    yield paths
    task_enqueued.disconnect(record)
