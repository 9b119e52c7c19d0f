"""The API's rate limit: per client address, counted in the shared cache."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class PerAddressThrottle(AnonRateThrottle):
    """AnonRateThrottle reads its rate once, at import; this one reads the setting at
    each request, so that `API_RATE_LIMIT` (and a test's override) always holds."""

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT
