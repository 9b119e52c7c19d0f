"""Accounts glue for django-allauth: its emails leave through the task queue."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from portal.models import User
from projects.mail import email_enqueue


def site() -> SimpleNamespace:
    """The site as the emails name it: "Health Data Hub" at the configured address,
    never the host a request came with (which its sender chooses)."""
    return SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Renders the message here, in the visitor's language and with the request's
        site, and queues it: an unreachable mail server never breaks a sign-up or a
        password reset (the task retries it later)."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": site()}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html_body = None
        if isinstance(message, EmailMultiAlternatives):
            html_body = next(
                (
                    content
                    for content, mimetype in message.alternatives
                    if mimetype == "text/html" and isinstance(content, str)
                ),
                None,
            )
        if message.content_subtype == "html":
            html_body, body = message.body, ""
        else:
            body = message.body
        email_enqueue(
            subject=message.subject,
            body=body,
            to=message.to,
            html_body=html_body,
            from_email=message.from_email,
        )


def user_accept_terms(*, user: User) -> None:
    """Keeps the date the person accepted the terms of use and the personal data notice,
    the proof the hub needs that they were shown both."""
    user.terms_accepted_at = timezone.now()
    user.save(update_fields=["terms_accepted_at"])


def user_prefer_language(*, user: User, language: str) -> None:
    """Keeps the language the person signed up in (the address of the page: English
    under /en/) as the language of the emails the portal sends them."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
