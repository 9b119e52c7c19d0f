"""`{{ moment|machine_time }}`: a `<time datetime>` value the HTML standard accepts.

Django's `date:"c"` writes microseconds when the moment has them, which a
`datetime` attribute may not carry (the W3C checker refuses them). This gives the
moment in the current time zone, to the second, with its offset:
2026-11-29T23:05:12+01:00. A date stays a date (2026-11-29).
"""

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_time(value) -> str:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ""
