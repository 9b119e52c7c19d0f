import pytest
from django.db import connections
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_after_a_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_cannot_be_reached(client, monkeypatch):
    # A real connection to a port where no PostgreSQL listens.
    default = connections["default"]
    unreachable = default.__class__({**default.settings_dict, "PORT": "1"}, alias="unreachable")
    monkeypatch.setattr("portal.views.connection", unreachable)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
