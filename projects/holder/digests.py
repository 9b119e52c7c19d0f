"""The data holders' weekly digest: the requests waiting for their decision.

`manage.py send_holder_digests`, run once a week (Monday morning), calls
`digests_send`. Each active member of a data holder with at least one request to
decide (`selectors.HOLDER_QUEUES["to_decide"]`) gets one email listing them, oldest
first, in their own language. A `HolderDigest` row per person and week records it,
so a second run the same week, or on a second server, sends nothing more.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from projects import selectors
from projects.mail import email_enqueue
from projects.models import HolderDigest


@dataclass
class Report:
    emails: int = 0
    requests: int = 0


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def digests_send(*, today: date) -> Report:
    """Emails each holder's member the requests waiting for a decision, once a week."""
    report = Report()
    monday = week_of(today)
    members = (
        get_user_model()
        .objects.filter(holder_memberships__isnull=False, is_active=True)
        .exclude(pk__in=HolderDigest.objects.filter(week_of=monday).values("user"))
        .distinct()
        .order_by("email")
    )
    for user in members:
        waiting = list(selectors.holder_queue(selectors.holder_requests(user), "to_decide"))
        if not waiting:
            continue
        try:
            with transaction.atomic():
                HolderDigest.objects.create(user=user, week_of=monday, requests=len(waiting))
        except IntegrityError:  # another run got there first
            continue
        _email(user, waiting, today=today)
        report.emails += 1
        report.requests += len(waiting)
    return report


def _email(user, waiting: list, *, today: date) -> None:
    lines = [
        {
            "request": request,
            "days": (today - request.project.submitted_on).days
            if request.project.submitted_on
            else None,
            "url": settings.SITE_URL + reverse("holder:request", args=[request.pk]),
        }
        for request in waiting
    ]
    context = {"user": user, "lines": lines, "count": len(lines)}
    with translation.override(user.language):
        subject = render_to_string("emails/holder_digest_subject.txt", context).strip()
        body = render_to_string("emails/holder_digest_body.txt", context)
    email_enqueue(subject=subject, body=body, to=[user.email])
