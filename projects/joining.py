"""Joining by an emailed link, the same for a sponsor organisation and a data holder
(`projects/sponsor/organisations.py`, `projects/holder/views.py`): the link is
checked, the person signs in with the invited address, sees what they join, and
joins on POST."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


def join_by_link(
    request,
    *,
    invitation: Any,
    accept: Callable[..., Any],
    refusal: type[Exception],
    joined: Callable[[Any], str],
    joined_url: str,
    refused_url: str,
    template: str,
):
    if invitation is None:
        messages.error(request, _("This invitation link is invalid, expired or already used."))
        return redirect("home")
    if not request.user.is_authenticated:
        messages.info(
            request,
            _("Sign in (or create your account) with %(email)s to accept the invitation.")
            % {"email": invitation.email},
        )
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            accept(invitation=invitation, user=request.user)
        except refusal as error:
            messages.error(request, str(error))
            return redirect(refused_url)
        messages.success(request, joined(invitation))
        return redirect(joined_url)
    return render(request, template, {"invitation": invitation})
