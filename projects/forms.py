from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Attachment, Organisation, Project, RequestedBase
from projects.uploads import validate_document


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProjectForm(forms.ModelForm):
    """The application's content. Every field is optional here: a draft may hold any
    subset. What a submission needs is checked by `snapshots.submission_problems`."""

    new_sponsor = forms.CharField(
        label=_("…or a new sponsor organisation"),
        max_length=200,
        required=False,
        help_text=_("Its full legal name, if it is not in the list yet."),
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = [
            "title",
            "summary",
            "purpose",
            "methodology",
            "expected_results",
            "sponsor",
            "themes",
            "programme",
            "planned_start",
            "duration_months",
            "funding",
            "data_processor",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "purpose": forms.Textarea(attrs={"rows": 6}),
            "methodology": forms.Textarea(attrs={"rows": 6}),
            "expected_results": forms.Textarea(attrs={"rows": 4}),
            "funding": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "planned_start": DateInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["sponsor"].queryset = Organisation.objects.filter(members=user)
        self.fields["sponsor"].empty_label = _("Choose one of your organisations")
        self.fields["duration_months"].widget.attrs.update({"min": 1, "max": 240})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("The project"), "title", "summary", "themes", "programme"),
            Fieldset(_("Purpose and method"), "purpose", "methodology", "expected_results"),
            Fieldset(
                _("Sponsor, schedule and funding"),
                "sponsor",
                "new_sponsor",
                "data_processor",
                "planned_start",
                "duration_months",
                "funding",
            ),
            "edit_version",
        )

    def clean_duration_months(self):
        months = self.cleaned_data["duration_months"]
        if months is not None and not 1 <= months <= 240:
            raise forms.ValidationError(_("Give a duration between 1 and 240 months."))
        return months

    def save(self, commit=True):
        project = super().save(commit=False)
        name = self.cleaned_data.get("new_sponsor", "").strip()
        if name:
            organisation = Organisation.objects.filter(name__iexact=name).first()
            if organisation is None:
                organisation = Organisation.objects.create(name=name)
            organisation.members.add(self.user)
            project.sponsor = organisation
        if commit:
            project.save()
            self.save_m2m()
        return project


class RequestedBaseForm(forms.ModelForm):
    class Meta:
        model = RequestedBase
        fields = ["base", "justification", "period_start", "period_end"]
        widgets = {
            "justification": forms.Textarea(attrs={"rows": 3}),
            "period_start": DateInput(),
            "period_end": DateInput(),
        }


RequestedBaseFormSet = forms.inlineformset_factory(
    Project,
    RequestedBase,
    form=RequestedBaseForm,
    extra=1,
    can_delete=True,
)


class AttachmentForm(forms.Form):
    """Files are checked on their own and kept even when the rest of the page has errors."""

    protocol = forms.FileField(
        label=_("Study protocol"),
        required=False,
        help_text=_("PDF, ODT or DOCX, 20 MB at most."),
    )
    other = forms.FileField(
        label=_("Other document"),
        required=False,
        help_text=_("PDF, ODT or DOCX, 20 MB at most."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        self.content_types = {}
        for name in ("protocol", "other"):
            upload = cleaned.get(name)
            if upload:
                try:
                    self.content_types[name] = validate_document(upload)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def uploads(self) -> list[tuple[str, object, str]]:
        """(kind, file, content type) for each valid file sent."""
        kinds = {"protocol": Attachment.Kind.PROTOCOL, "other": Attachment.Kind.OTHER}
        return [
            (kinds[name], self.cleaned_data[name], content_type)
            for name, content_type in self.content_types.items()
            if name in self.cleaned_data
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to the hub"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person to invite"))
