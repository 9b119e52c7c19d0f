"""The portal's settings, unchanged, with a URLconf that adds the minimal comparison view."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
