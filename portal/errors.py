"""Server errors are reported: each request has an id, shown on the error page, carried
by the JSON log line of the error and by the administrators' email, so a person's
"it failed at 10:42" leads to the one line that explains it."""

import logging
import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.utils.log import AdminEmailHandler
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from projects.mail import email_enqueue

REQUEST_ID_HEADER = "X-Request-ID"
# An id set by a proxy in front (nginx's $request_id, a load balancer's trace id) is
# kept only when it cannot forge a log line or inject markup.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")

_current_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def request_id_middleware(get_response):
    """Gives each request an id: the proxy's when safe, else a new random one."""

    def middleware(request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = _current_request_id.set(request.request_id)
        try:
            response = get_response(request)
        finally:
            _current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response

    return middleware


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and the method and path of the request, when the record
    carries it) to every record, for the formatters to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or _current_request_id.get()
        if request is not None and not hasattr(record, "method"):
            record.method = getattr(request, "method", None)
            record.path = getattr(request, "path", None)
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line: time, level, logger, message, request id, status,
    and the traceback as one escaped string. The request object itself is left out."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        super().__init__(*args, **kwargs)


_in_admin_email = ContextVar("in_admin_email", default=False)


class AdminEmailTaskHandler(AdminEmailHandler):
    """Django's `mail_admins` handler, but the email goes through the task queue:
    Django's own sends it at once, inside the failing request, and an unreachable
    mail server would then slow down or break the error page itself."""

    def emit(self, record: logging.LogRecord) -> None:
        if not settings.ADMINS or _in_admin_email.get():
            return
        token = _in_admin_email.set(True)
        try:
            super().emit(record)
        except Exception:
            self.handleError(record)
        finally:
            _in_admin_email.reset(token)

    def send_mail(self, subject, message, *args, html_message=None, **kwargs) -> None:
        email_enqueue(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
            body=message,
            html_body=html_message,
            to=list(settings.ADMINS),
            from_email=settings.SERVER_EMAIL,
        )


def server_error(request):
    """The 500 page, with the request id; rendered without context processors, so it
    needs neither the database nor the session that may be the cause of the error."""
    template = loader.get_template("500.html")
    request_id = getattr(request, "request_id", None) or _current_request_id.get()
    return HttpResponseServerError(template.render({"request_id": request_id}))
