"""Two-factor authentication for the hub's staff, on top of allauth.mfa.

Two gaps allauth leaves open for the Django admin are closed here: the admin's
own sign-in form knows nothing of a second factor, so it hands over to
allauth's, which asks for it; and a staff account that has no authenticator yet
would sign in with its password alone, so with STAFF_MFA_REQUIRED it cannot
open the admin until it sets one up.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# What counts as a second factor: what allauth asks for at sign-in. Recovery codes
# only stand in for a lost device.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def staff_needs_second_factor(user) -> bool:
    """A staff account that must set up an authenticator before using the admin."""
    return (
        settings.STAFF_MFA_REQUIRED
        and user.is_authenticated
        and user.is_staff
        and not is_mfa_enabled(user, SECOND_FACTORS)
    )


class StaffMFAMiddleware:
    """Sends staff without an authenticator from any admin page to the page that
    activates an authenticator app, saying why. Signing out stays possible."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_root = reverse("admin:index")
        if (
            request.path.startswith(admin_root)
            and request.path != reverse("admin:logout")
            and staff_needs_second_factor(request.user)
        ):
            messages.warning(
                request,
                _(
                    "Staff accounts must use two-factor authentication. Activate an "
                    "authenticator app below (or add a security key from the two-factor "
                    "authentication page), then open the administration again."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def admin_login(request):
    """Replaces the admin's sign-in form, which would skip the second factor, with
    allauth's, keeping where the person was going. Nothing posted here signs in."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(next_url)
        # Signed in without access: sending them to sign in again would loop.
        messages.error(request, _("Your account has no access to the administration."))
        return redirect("home")
    return redirect_to_login(next_url, login_url=reverse("account_login"))
