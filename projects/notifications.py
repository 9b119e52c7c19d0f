"""Emails to the sponsor team, sent through Django's tasks framework.

The immediate backend runs them at once in development and tests; in
production a database-backed worker (`manage.py db_worker`) sends them, so a
slow mail server never slows a transition down. Each member's email is its own
`projects.mail.send_email` task: a failure is retried for that member alone,
and nobody gets the same email twice.
"""

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from projects.mail import email_enqueue
from projects.models import Event, Message


def _email_team(project, template: str, context: dict) -> int:
    """One email per team member, each in the member's own language."""
    queued = 0
    for member in project.team.select_related("user"):
        user = member.user
        with translation.override(user.language):
            full = {**context, "project": project, "user": user, "site_url": settings.SITE_URL}
            subject = render_to_string(f"emails/{template}_subject.txt", full).strip()
            body = render_to_string(f"emails/{template}_body.txt", full)
        email_enqueue(subject=subject, body=body, to=[user.email])
        queued += 1
    return queued


@task()
def notify_event(event_id: int) -> int:
    event = Event.objects.select_related("project").get(pk=event_id)
    if event.visibility == Event.Visibility.STAFF:
        return 0
    context: dict = {"event": event}
    if event.action.endswith("_deadline_extended"):
        # The sponsor is told the new date along with the reason.
        context["clock"] = event.project.review_clock()
    return _email_team(event.project, "event", context)


@task()
def notify_message(message_id: int) -> int:
    message = Message.objects.select_related("project").get(pk=message_id)
    return _email_team(message.project, "message", {"message": message})
