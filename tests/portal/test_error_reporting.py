"""Every server error is logged once as a JSON line carrying the request id that the
error page shows; the administrators are emailed through the task queue."""

import io
import json
import logging
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_view(settings):
    settings.ROOT_URLCONF = "tests.portal.failing_urls"
    return "/test-failure/"


@pytest.fixture
def error_log():
    """What the JSON error handler of `django.request` writes."""
    (handler,) = [h for h in logging.getLogger("django.request").handlers if h.name == "json"]
    stream = io.StringIO()
    # Not setStream(): it flushes the stream it replaces, which a runner capturing
    # the output (mutmut) may already have closed.
    previous, handler.stream = handler.stream, stream
    yield stream
    handler.stream = previous


def test_a_server_error_shows_its_request_id_and_logs_one_json_line(failing_view, error_log):
    response = Client(raise_request_exception=False).get(failing_view)

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert request_id in response.content.decode()
    lines = [line for line in error_log.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["request_id"] == request_id
    assert entry["level"] == "ERROR"
    assert entry["status_code"] == 500
    assert "boom: a bug in a view" in entry["exc_info"]


def test_a_safe_incoming_request_id_is_kept_and_an_unsafe_one_replaced(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd-5678")
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>\nfake log line")

    assert kept["X-Request-ID"] == "lb-1234abcd-5678"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


def test_the_administrators_are_emailed_through_the_task_queue(
    failing_view, error_log, settings, mailoutbox, enqueued_tasks
):
    settings.ADMINS = ["Équipe technique <ops@hub.example>"]

    response = Client(raise_request_exception=False).get(failing_view)

    assert enqueued_tasks == ["projects.mail.send_email"]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Équipe technique <ops@hub.example>"]
    assert response["X-Request-ID"] in mailoutbox[0].body
    assert "boom: a bug in a view" in mailoutbox[0].body


def test_without_administrators_no_email_is_sent(failing_view, error_log, settings, mailoutbox):
    settings.ADMINS = []

    Client(raise_request_exception=False).get(failing_view)

    assert mailoutbox == []
