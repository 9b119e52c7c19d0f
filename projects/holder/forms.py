"""The data holder's forms: they check the input; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import PROPOSABLE_FIELDS, Base, Milestone
from projects.clocks import hub_today
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


DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("Data delivered on"), widget=DATE_INPUT)


class HolderInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Invite a colleague (email address)"))


class BaseProposalForm(forms.ModelForm):
    """A base's catalog entry and milestone dates, as its holder would have them; what
    differs from the catalog becomes a proposal for the hub to publish."""

    class Meta:
        model = Base
        fields = PROPOSABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "population": forms.Textarea(attrs={"rows": 2}),
            "access_conditions": forms.Textarea(attrs={"rows": 3}),
            "citation": forms.Textarea(attrs={"rows": 2}),
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reached = dict(self.instance.milestones.values_list("kind", "reached_on"))
        for kind, label in Milestone.Kind.choices:
            self.fields[f"milestone_{kind}"] = forms.DateField(
                label=_("%(milestone)s: reached on") % {"milestone": label},
                required=False,
                initial=reached.get(kind),
                widget=DATE_INPUT,
                help_text=_("Leave empty while the milestone is not reached."),
            )

    def clean(self):
        cleaned = super().clean()
        today = hub_today()
        for kind in Milestone.Kind.values:
            day = self.cleaned_data.get(f"milestone_{kind}")
            if day and day > today:
                self.add_error(f"milestone_{kind}", _("A milestone is reached on a past day."))
        return cleaned

    def proposal(self) -> dict:
        """What `catalog.proposals.proposal_create` takes."""
        return {
            "fields": {name: self.cleaned_data[name] for name in PROPOSABLE_FIELDS},
            "milestones": {
                kind: self.cleaned_data[f"milestone_{kind}"] for kind in Milestone.Kind.values
            },
        }
