from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.validators import MaxLengthValidator
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.functional import cached_property, lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Base
from projects import snapshots
from projects.identifiers import doi_normalise, spdx_normalise
from projects.identifiers import normalise as normalise_identifier
from projects.models import (
    ALGORITHM_CARD_FIELDS,
    AlgorithmVersion,
    Attachment,
    Authorisation,
    Organisation,
    Project,
    RequestedBase,
    Result,
)
from projects.uploads import PDF, validate_document


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# Long enough for any real application (a page of A4 holds about 3,000 characters),
# short enough that every page and PDF made from it stays quick to render.
TEXT_LIMITS = {
    "summary": 3_000,
    "purpose": 20_000,
    "methodology": 30_000,
    "expected_results": 10_000,
    "funding": 5_000,
    "statistics_wanted": 10_000,
    "data_users": 5_000,
    "planned_outputs": 10_000,
}

NEW_SPONSOR_FIELDS = ["new_sponsor", "new_sponsor_identifier_kind", "new_sponsor_identifier"]


def required_mark(label) -> SafeString:
    """A label followed by the mark of what a submission needs (the form's legend says
    what it means; the field itself carries `aria-required`)."""
    return format_html('{} <span class="required-mark" aria-hidden="true">*</span>', label)


# Inputs HTML does not allow `aria-required` on: a date, a box, a group of boxes or radios.
NO_ARIA_REQUIRED = (
    forms.DateInput,
    forms.CheckboxInput,
    forms.CheckboxSelectMultiple,
    forms.RadioSelect,
)


class ProjectForm(forms.ModelForm):
    """The application's content, the fields of its kind only (`snapshots.SECTIONS`):
    the others are neither shown nor saved. Every field is optional here: a draft may
    hold any subset. What a submission needs is checked by
    `snapshots.submission_problems`."""

    new_sponsor = forms.CharField(
        label=_("…or register a new sponsor organisation"),
        max_length=200,
        required=False,
        help_text=_(
            "Its full legal name, if it is not registered on the portal yet. If it is, "
            "ask one of its members to invite you to it."
        ),
    )
    new_sponsor_identifier_kind = forms.ChoiceField(
        label=_("Its identifier type"),
        choices=[("", "—"), *Organisation.IdentifierKind.choices],
        required=False,
    )
    new_sponsor_identifier = forms.CharField(
        label=_("Its identifier"),
        max_length=20,
        required=False,
        help_text=_(
            "The hub verifies the organisation with this number before the public "
            "directory shows it as verified."
        ),
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
            "statistics_wanted",
            "sponsor",
            "themes",
            "programme",
            "planned_start",
            "duration_months",
            "funding",
            "data_processor",
            *snapshots.EHDS_FIELDS,
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "purpose": forms.Textarea(attrs={"rows": 6}),
            "methodology": forms.Textarea(attrs={"rows": 6}),
            "expected_results": forms.Textarea(attrs={"rows": 4}),
            "statistics_wanted": forms.Textarea(attrs={"rows": 5}),
            "funding": forms.Textarea(attrs={"rows": 3}),
            "data_users": forms.Textarea(attrs={"rows": 3}),
            "planned_outputs": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "environment": forms.RadioSelect,
            "planned_start": DateInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.new_organisation: dict | None = None
        kind = self.instance.kind
        kept = {*snapshots.fields_of(kind), *NEW_SPONSOR_FIELDS, "edit_version"}
        for name in [name for name in self.fields if name not in kept]:
            del self.fields[name]
        for name, limit in TEXT_LIMITS.items():
            if name in self.fields:
                self.fields[name].validators.append(MaxLengthValidator(limit))
                self.fields[name].widget.attrs["maxlength"] = limit
        if "environment" in self.fields:
            # Two choices side by side, none ticked until the sponsor says.
            environment = cast(forms.ChoiceField, self.fields["environment"])
            environment.choices = Project.Environment.choices
        if "legal_route" in self.fields:
            route = cast(forms.ChoiceField, self.fields["legal_route"])
            route.choices = [("", _("Choose the legal route")), *Project.LegalRoute.choices]
        if self.instance.is_data_request:
            self.fields["purpose"].label = snapshots.QUESTION_LABEL
            self.fields["purpose"].help_text = _(
                "The question you want the statistics to answer, and why answering it "
                "serves the public interest."
            )
        mine = Organisation.objects.filter(members=user)
        # A foreign key's form field is a ModelChoiceField.
        sponsor = cast(forms.ModelChoiceField, self.fields["sponsor"])
        sponsor.queryset = mine
        sponsor.empty_label = _("Choose one of your organisations")
        current = self.instance.sponsor_id
        if current and not mine.filter(pk=current).exists():
            # Only the sponsor's members choose the sponsor: anyone else on the team
            # sees it, and their save leaves it as it is.
            sponsor.queryset = Organisation.objects.filter(pk=current)
            sponsor.disabled = True
            sponsor.help_text = _("Only members of this organisation can change the sponsor.")
            for name in NEW_SPONSOR_FIELDS:
                del self.fields[name]
        if "duration_months" in self.fields:
            self.fields["duration_months"].widget.attrs.update({"min": 1, "max": 240})
        self._mark_required(snapshots.required_of(self.instance))

    def _mark_required(self, required: set[str]) -> None:
        """A visible mark on what a submission needs, and `aria-required` on its input;
        an input that may not carry it says it in its label's hidden text."""
        for name in required & set(self.fields):
            field = self.fields[name]
            label = field.label or capfirst(name)
            if isinstance(field.widget, NO_ARIA_REQUIRED):
                field.label = format_html(
                    '{}<span class="visually-hidden"> ({})</span>',
                    required_mark(label),
                    _("needed to submit"),
                )
            else:
                field.label = required_mark(label)
                field.widget.attrs["aria-required"] = "true"

    def sections(self, states: list[snapshots.SectionState]) -> list[dict]:
        """The form's sections, each with its state and its bound fields (the new
        sponsor's fields after the sponsor)."""
        result = []
        for state in states:
            names = []
            for name in state.section.fields:
                names.append(name)
                if name == "sponsor":
                    names.extend(NEW_SPONSOR_FIELDS)
            result.append(
                {
                    "slug": state.section.slug,
                    "title": state.section.title,
                    "complete": state.complete,
                    "fields": [self[name] for name in names if name in self.fields],
                }
            )
        return result

    def anchor(self, name: str) -> str:
        """Where a link to a field's problem leads: its input, the first box of a group,
        or the section of the bases and of the attachments."""
        if name not in self.fields:
            return f"section-{name}"
        widget = self.fields[name].widget
        suffix = (
            "_0" if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect) else ""
        )
        return f"id_{name}{suffix}"

    def clean_duration_months(self):
        months = self.cleaned_data["duration_months"]
        if months is not None and not 1 <= months <= 240:
            raise forms.ValidationError(_("Give a duration between 1 and 240 months."))
        return months

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        # What only one environment or one route asks for is not kept for another.
        if "environment" in cleaned and cleaned["environment"] != Project.Environment.OTHER:
            cleaned["environment_name"] = ""
        if (
            "legal_route" in cleaned
            and cleaned["legal_route"] not in Authorisation.Methodology.values
        ):
            cleaned["conformity_declared"] = False
        name = " ".join(cleaned.get("new_sponsor", "").split())
        if not name:
            return cleaned
        if Organisation.objects.filter(name__iexact=name).exists():
            self.add_error(
                "new_sponsor",
                _(
                    "%(name)s is already registered on the portal. Ask one of its members "
                    "to invite you to it (from their page “My organisations”), or write "
                    "to the hub."
                )
                % {"name": name},
            )
            return cleaned
        kind = cleaned.get("new_sponsor_identifier_kind", "")
        try:
            identifier = normalise_identifier(kind, cleaned.get("new_sponsor_identifier", ""))
        except forms.ValidationError as error:
            self.add_error("new_sponsor_identifier", error)
            return cleaned
        if Organisation.objects.filter(identifier_kind=kind, identifier=identifier).exists():
            self.add_error(
                "new_sponsor_identifier",
                _(
                    "An organisation with this identifier is already registered. Ask one "
                    "of its members to invite you to it, or write to the hub."
                ),
            )
            return cleaned
        self.new_organisation = {
            "name": name,
            "identifier_kind": kind,
            "identifier": identifier,
        }
        return cleaned


class RequestedBaseForm(forms.ModelForm):
    """One requested base. An untouched row is ignored (the formset's empty row), so
    nothing in it is marked required; a row with anything in it needs its base."""

    class Meta:
        model = RequestedBase
        fields = ["base", "justification", "period_start", "period_end"]
        widgets = {
            "justification": forms.Textarea(attrs={"rows": 3}),
            "period_start": DateInput(),
            "period_end": DateInput(),
        }
        error_messages = {
            "base": {
                "invalid_choice": _("This base is not in the catalog: choose one from the list.")
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = cast(forms.ModelChoiceField, self.fields["base"])
        base.required = False
        base.empty_label = _("Choose a base")
        base.queryset = Base.objects.order_by("acronym")

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("base") is None and "base" not in self.errors:
            self.add_error("base", _("Choose the base this line asks for, or remove the line."))
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return cleaned

    def validate_constraints(self):
        """The period is checked above, next to its field; a base twice on the page by
        the formset (`BaseRequestedBaseFormSet.clean`). A base that another saved line
        still holds (two lines' bases swapped, a base moved to a line while its own line
        is removed in the same save) is refused here, never by the database."""
        try:
            self.instance.validate_constraints(exclude={"period_start", "period_end"})
        except forms.ValidationError:
            self.add_error(
                "base",
                _("%(base)s is still requested on another line: save that line first.")
                % {"base": self.instance.base.acronym},
            )


class BaseRequestedBaseFormSet(forms.BaseInlineFormSet):
    """The requested bases: each saved line with its base, and the catalog read once
    for every line's list (not once per line)."""

    def get_queryset(self):
        return super().get_queryset().select_related("base")

    @cached_property
    def base_choices(self) -> list:
        field = cast(forms.ModelChoiceField, RequestedBaseForm().fields["base"])
        return list(ModelChoiceIterator(field))

    def add_fields(self, form, index):
        super().add_fields(form, index)
        cast(forms.ModelChoiceField, form.fields["base"]).choices = self.base_choices

    def clean(self):
        seen: set[int] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            base = form.cleaned_data.get("base")
            if base is None:
                continue
            if base.pk in seen:
                form.add_error(
                    "base",
                    _("%(base)s is already requested above: one line per base.")
                    % {"base": base.acronym},
                )
            seen.add(base.pk)


RequestedBaseFormSet = forms.inlineformset_factory(
    Project,
    RequestedBase,
    form=RequestedBaseForm,
    formset=BaseRequestedBaseFormSet,
    extra=1,
    can_delete=True,
)


def requested_base_row(index: int) -> forms.ModelForm:
    """The empty row `index` of the bases' formset, as "Add a base" appends it."""
    form = RequestedBaseFormSet(prefix="bases").empty_form
    form.prefix = f"bases-{index}"
    return form


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
        super().clean()
        cleaned = self.cleaned_data
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


class OrganisationForm(forms.ModelForm):
    """Registers a sponsor organisation from the page "My organisations"."""

    class Meta:
        model = Organisation
        fields = ["name", "identifier_kind", "identifier"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier_kind"].required = True
        self.fields["identifier"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def validate_unique(self):
        """Left to the service, whose message tells how to join an existing one."""


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


class NewAccountForm(SetPasswordForm):
    """The password of an account created from an invitation, and the terms."""

    accept_terms = terms_field()


class ResultForm(forms.ModelForm):
    """A result the team declares. What each kind must give is `Result.REQUIRED`; a
    report is a PDF, checked by its content."""

    class Meta:
        model = Result
        fields = ["kind", "title", "doi", "venue", "year", "url", "file"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update({"min": 1990, "max": 2100})
        self.fields["file"].help_text = _("PDF, 20 MB at most. It will be public once published.")
        self.fields["file"].widget = forms.ClearableFileInput(attrs={"accept": ".pdf"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_doi(self):
        doi = self.cleaned_data["doi"]
        return doi_normalise(doi) if doi else ""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and validate_document(upload) != PDF:
            raise forms.ValidationError(
                _("%(name)s is not a PDF: a report is published as a PDF."),
                params={"name": upload.name},
            )
        return upload

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        # Only what the kind asks for is kept: a publication's stray file or a
        # report's stray DOI would be published with it otherwise.
        kind = cleaned.get("kind")
        wanted = Result.REQUIRED.get(kind or "", ())
        for name in ("doi", "venue", "year", "url", "file"):
            if name not in wanted:
                cleaned[name] = None if name in ("year", "file") else ""
        return cleaned


class AlgorithmVersionForm(forms.ModelForm):
    """An algorithm card's version; `name` only when the card is new."""

    name = forms.CharField(label=_("Name of the algorithm"), max_length=200)

    class Meta:
        model = AlgorithmVersion
        fields = ALGORITHM_CARD_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "purpose",
                "intended_use",
                "population",
                "inputs",
                "outputs",
                "performance",
                "validation_data",
                "limitations",
            )
        } | {"bases": forms.CheckboxSelectMultiple}

    def __init__(self, *args, new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["name"]
        bases = cast(forms.ModelMultipleChoiceField, self.fields["bases"])
        bases.queryset = Base.objects.order_by("acronym")
        for name in self.Meta.widgets:
            if name != "bases":
                self.fields[name].validators.append(MaxLengthValidator(10_000))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("The algorithm"),
                *(["name"] if new else []),
                "version",
                "purpose",
                "intended_use",
            ),
            Fieldset(_("Built on"), "population", "bases", "inputs", "outputs"),
            Fieldset(
                _("Performance and limits"),
                "performance",
                "metric",
                "validation_data",
                "limitations",
            ),
            Fieldset(_("Licence and code"), "licence", "repository_url"),
        )

    def clean_licence(self):
        return spdx_normalise(self.cleaned_data["licence"])
