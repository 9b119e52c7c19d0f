"""Sign-in glue: nothing a sponsor typed is lost when their session expires."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict

PENDING_KEY = "pending_post"


def login_required_keeping_post(view):
    """Like `login_required`, but a form posted after the session expired is kept.

    The entries are stored in the new anonymous session, which survives the
    sign-in; the form page then shows them again for the user to save.
    Files cannot be kept this way: the page asks for them again.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            request.session[PENDING_KEY] = {
                "path": request.path,
                "data": request.POST.urlencode(),
            }
        return redirect_to_login(request.get_full_path())

    return wrapper


def pop_pending_post(request) -> QueryDict | None:
    """The entries kept for this page by `login_required_keeping_post`, once."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("path") != request.path:
        return None
    del request.session[PENDING_KEY]
    data = QueryDict(pending["data"], mutable=True)
    data.pop("csrfmiddlewaretoken", None)
    return data
