"""Accounts in the Django admin.

Who may grant what is enforced here, on the server, not by hiding buttons:
only a superuser grants staff status, groups, permissions or superuser, sets a
password or touches a staff account. A hub administrator (a non-superuser with
the "change user" permission) looks after the sponsors' accounts: their names,
language and whether they are active, and may open an account without a
password, which its owner then chooses through "Forgot your password?".
"""

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from catalog.admin_lookups import ImpossibleLookupsAreInvalid, ReadOnlyAdmin
from portal.models import User

# What a staff member who is not a superuser may change, and only on a non-staff account.
DELEGATED_FIELDS = ["first_name", "last_name", "language", "is_active"]


class AccountWithoutPasswordForm(forms.ModelForm):
    """A new account with an unusable password: nobody but its owner ever knows it."""

    class Meta:
        model = User
        fields = ["email"]

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(ImpossibleLookupsAreInvalid, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    add_form_template = "admin/portal/user/add_form.html"
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined", "terms_accepted_at"]}),
    ]
    readonly_fields = ["terms_accepted_at"]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    delegated_add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email"]})]

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return self.delegated_add_fieldsets
        # No password field: its hash is nobody's business, its link leads to a page
        # only superusers may use.
        _first, *others = self.fieldsets
        return [(None, {"fields": ["email"]}), *others]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_readonly_fields(request, obj)
        # The address too: changing it would let its new holder reset the password.
        # "password" is not shown; naming it here drops it from the form as well.
        shown = [
            field
            for _name, options in self.get_fieldsets(request, obj)
            for field in options["fields"]
        ]
        return [field for field in [*shown, "password"] if field not in DELEGATED_FIELDS]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = AccountWithoutPasswordForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_manage(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_manage(request.user, obj)

    def user_change_password(self, request, id, form_url=""):
        """Setting another person's password is for superusers alone."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


def _may_manage(actor, account: User | None) -> bool:
    """Staff and superuser accounts are managed by superusers only; so is one's own,
    so that nobody raises their own privileges."""
    if actor.is_superuser or account is None:
        return True
    return not (account.is_staff or account.is_superuser)


# allauth's own admin shows and lets a superuser edit each authenticator's `data`: the
# TOTP secret and the seed of the recovery codes, which are the second factor itself.
# Nobody at the hub needs to read another person's second factor, only to see who has
# one and to remove a lost one (its owner then sets up a new one at sign-in).
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "added_on", "last_used_on"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    fields = readonly_fields = ("account", "kind", "added_on", "last_used_on")

    @admin.display(description=_("account"), ordering="user__email")
    def account(self, authenticator: Authenticator) -> str:
        return str(authenticator.user)

    @admin.display(description=_("kind"), ordering="type")
    def kind(self, authenticator: Authenticator) -> str:
        return str(SECOND_FACTOR_NAMES.get(authenticator.type, authenticator.type))

    @admin.display(description=_("added on"), ordering="created_at")
    def added_on(self, authenticator: Authenticator):
        return authenticator.created_at

    @admin.display(description=_("last used on"), ordering="last_used_at")
    def last_used_on(self, authenticator: Authenticator):
        return authenticator.last_used_at

    def has_delete_permission(self, request, obj=None):
        # Removing a lost authenticator is a superuser's act, as any staff account's change.
        return request.user.is_superuser


SECOND_FACTOR_NAMES = {
    Authenticator.Type.TOTP: _("Authenticator app"),
    Authenticator.Type.WEBAUTHN: _("Security key or passkey"),
    Authenticator.Type.RECOVERY_CODES: _("Recovery codes"),
}
