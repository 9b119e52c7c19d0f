"""The data holder's forms: they check the input; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Decision

# Long enough for a page of conditions, short enough for any page or email.
NOTE_LIMIT = 5_000


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (Decision.AGREED, _("Agree to provide the data")),
            (Decision.AGREED_WITH_CONDITIONS, _("Agree, with conditions")),
            (Decision.REFUSED, _("Refuse")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Conditions, or the reason for a refusal"),
        widget=forms.Textarea(
            attrs={"rows": 4, "class": "form-control", "aria-describedby": "note-help"}
        ),
        max_length=NOTE_LIMIT,
        required=False,
        help_text=_("Required to agree with conditions or to refuse. The sponsor team reads it."),
    )

    def clean(self):
        cleaned = super().clean()
        decision, note = self.cleaned_data.get("decision"), self.cleaned_data.get("note", "")
        if decision == Decision.AGREED_WITH_CONDITIONS and not note:
            self.add_error("note", _("Write the conditions of the agreement."))
        if decision == Decision.REFUSED and not note:
            self.add_error("note", _("Give the reason for the refusal: the sponsor team reads it."))
        return cleaned


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Data delivered on"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )


class HolderInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Invite a colleague (email address)"))
