"""Account forms: whoever creates an account accepts the terms of use first."""

from django import forms
from django.utils.translation import get_language

from portal.accounts import user_accept_terms, user_prefer_language
from projects.sponsor.forms import terms_field


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    accept_terms = terms_field()
    # allauth adds the password fields after this form's own: the box goes last.
    field_order = ["email", "password1", "password2", "accept_terms"]

    def signup(self, request, user) -> None:
        user_accept_terms(user=user)
        user_prefer_language(user=user, language=get_language())
