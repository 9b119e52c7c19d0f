"""Account forms: whoever creates an account accepts the terms of use first."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.accounts import user_accept_terms


def _terms_label() -> SafeString:
    return format_html(
        gettext(
            'I have read and accept the <a href="{terms}">terms of use</a> and the '
            '<a href="{privacy}">personal data notice</a>.'
        ),
        terms=reverse("terms"),
        privacy=reverse("privacy"),
    )


def terms_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=lazy(_terms_label, SafeString)(),
        required=True,
        error_messages={
            "required": _("To create an account, please accept the terms of use."),
        },
    )


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    accept_terms = terms_field()
    # allauth adds the password fields after this form's own: the box goes last.
    field_order = ["email", "password1", "password2", "accept_terms"]

    def signup(self, request, user) -> None:
        user_accept_terms(user=user)


class NewAccountForm(SetPasswordForm):
    """The password of an account created from an invitation, and the terms."""

    accept_terms = terms_field()
