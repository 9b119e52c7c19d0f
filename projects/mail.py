"""Every email the portal sends leaves through one task, `send_email`.

The request only renders the message and queues it: a mail server that is down
or slow never turns a sign-up, a password reset or an invitation into an error
page. Django's tasks framework has no automatic retries, so the task retries
itself: on a network or SMTP failure it queues a copy of itself to run later,
up to EMAIL_MAX_ATTEMPTS attempts in all, and logs every failure.

The immediate backend (development, tests) runs the task inside the request and
cannot run anything later: there a failure is logged and the email dropped, the
request still answers normally. Production uses the database backend and
`manage.py db_worker`, which runs the retries when they are due.
"""

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

# Delay before the 2nd, 3rd, ... attempt: a minute, five minutes, half an hour,
# two hours. A message still not sent after that is given up, and logged.
EMAIL_RETRY_DELAYS = [60, 300, 1800, 7200]
EMAIL_MAX_ATTEMPTS = len(EMAIL_RETRY_DELAYS) + 1


@task()
def send_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    html_body: str | None = None,
    from_email: str | None = None,
    attempt: int = 1,
) -> int:
    """Sends one message, already rendered in its reader's language."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    try:
        return message.send()
    except OSError as error:  # smtplib.SMTPException, refused connection, timeout
        _retry_later(
            error,
            subject=subject,
            body=body,
            to=to,
            html_body=html_body,
            from_email=from_email,
            attempt=attempt,
        )
        # The attempt itself failed: its result says so (and the worker logs it).
        raise


def _retry_later(error: OSError, *, attempt: int, **message) -> None:
    """Queues the next attempt after its delay, or gives up after the last one."""
    recipients = ", ".join(message["to"])
    backend = send_email.get_backend()
    if attempt >= EMAIL_MAX_ATTEMPTS or not backend.supports_defer:
        logger.error(
            "Email %r to %s not sent (attempt %d of %d): %s; giving up",
            message["subject"],
            recipients,
            attempt,
            EMAIL_MAX_ATTEMPTS,
            error,
        )
        return
    run_after = timezone.now() + timedelta(seconds=EMAIL_RETRY_DELAYS[attempt - 1])
    logger.warning(
        "Email %r to %s not sent (attempt %d of %d): %s; retrying at %s",
        message["subject"],
        recipients,
        attempt,
        EMAIL_MAX_ATTEMPTS,
        error,
        run_after.isoformat(),
    )
    send_email.using(run_after=run_after).enqueue(**message, attempt=attempt + 1)


def email_enqueue(
    *,
    subject: str,
    body: str,
    to: list[str],
    html_body: str | None = None,
    from_email: str | None = None,
) -> None:
    """Queues an email; never lets a failure to queue it break the caller's page."""
    try:
        send_email.enqueue(
            subject=subject, body=body, to=list(to), html_body=html_body, from_email=from_email
        )
    except Exception:
        logger.exception("Email %r to %s could not be queued", subject, ", ".join(to))
