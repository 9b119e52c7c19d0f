"""The API fuzzed against its own schema (schemathesis): whatever the parameters, no
server error, and every response conforms to the schema it publishes."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from portal.wsgi import application
from tests.factories import make_public_project, make_published_algorithm

# The schema /api/v1/openapi.json serves, made without a request (no database at
# collection); the cases are then sent to the WSGI application.
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
)
schema.app = application
# The site refuses a NUL byte anywhere in a request with a 400, before any view
# (portal.middleware.RejectNulBytes, tested on its own): not a string the schema's
# parameters could carry.
schema.config.generation.update(allow_x00=False)


@pytest.fixture
def api_data(demo_catalog, settings, _connection_kept):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.API_RATE_LIMIT = "100000/minute"  # the fuzzing is one client, and fast
    project = make_public_project(
        "HDH-2023-0001",
        "Cancer et intelligence artificielle",
        themes=["ai"],
        bases=["esme"],
        status="in_progress",
    )
    make_published_algorithm(project, "Score de progression", bases=["esme"])


@pytest.fixture
def _connection_kept():
    """Called outside Django's test client, the application would close the test's
    database connection at the end of each request: as the test client does, the
    signal handlers that close it are detached meanwhile."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(api_data, case):
    case.call_and_validate()
