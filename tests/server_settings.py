"""The portal's settings for the servers a test starts (`tests.processes`): unchanged,
but for the static files, which tests render without running collectstatic first
(as the in-process tests do: tests/conftest.py)."""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
