"""Checks made once, at the edge, for every request."""

from collections.abc import Callable, Iterable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.utils import translation
from django.utils.translation import gettext

NUL = "\x00"
API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"


class RejectNulBytes:
    """Answers 400 to a request whose path, GET or POST parameters or cookies hold a
    NUL byte.

    PostgreSQL cannot store a NUL byte in text, and psycopg refuses one in any text
    parameter (DataError): left alone, `/projects/%00/`, `?theme=%00` or a forged
    session cookie reach a query and end as a 500, on every page and in the admin.
    No legitimate browser sends one, so the whole request is refused before any view
    runs, with Django's 400 page. Forms check the same thing on their own
    (`ProhibitNullCharactersValidator`, the directory's slug lists): this is the net
    under every form, filter, URL converter and third-party view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            NUL in request.path
            or _holds_nul(request.GET.lists())
            or _holds_nul((name, [value]) for name, value in request.COOKIES.items())
            or (request.method == "POST" and _holds_nul(_post_lists(request)))
        ):
            if request.path.startswith(API_PREFIX):  # the API answers in JSON, as it says
                return JsonResponse({"detail": gettext("NUL byte in the request.")}, status=400)
            raise BadRequest("NUL byte in the request")
        return self.get_response(request)


def _post_lists(request: HttpRequest) -> Iterable[tuple[str, list[str]]]:
    try:
        return request.POST.lists()
    except UnreadablePostError:
        # The client went away while sending the body; CsrfViewMiddleware meets the
        # same empty POST next and answers 403, as it does without this check.
        return []


def _holds_nul(items: Iterable[tuple[str, list[str]]]) -> bool:
    return any(NUL in name or any(NUL in value for value in values) for name, values in items)


class AdminInTheBrowsersLanguage:
    """The admin in the language the staff member's browser asks for, French unless
    it asks for English.

    The pages people read say their language in their address (English under /en/,
    `i18n_patterns`); LocaleMiddleware then gives every address outside them the
    default language, French. The admin has one address: without this, staff whose
    browser asks for English would lose the English admin they had."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(ADMIN_PREFIX):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
