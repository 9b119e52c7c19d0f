"""The forms of the review's change page: one per transition the reviewer may make."""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from projects import services
from projects.models import REJECTION_RULES, Authorisation, Project, RejectionGround, Status
from projects.uploads import validate_statistics

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# What each of the hub's forms is called on the change page, and what it does.
TITLES: dict[str, "StrPromise"] = {
    Status.UNDER_REVIEW: _("Admissible: start the review"),
    Status.CHANGES_REQUESTED: _("Request changes from the sponsor team"),
    Status.AWAITING_AUTHORISATION: _("Opinion on record: await the authorisation"),
    Status.APPROVED: _("Authorisation on record: approve"),
    Status.IN_PROGRESS: _("Data holders agreed: launch the project"),
    Status.COMPLETED: _("Close the project"),
    Status.REJECTED: _("Reject the application"),
}
HELP: dict[str, "StrPromise"] = {
    Status.UNDER_REVIEW: _("The application is complete and admissible. Public step."),
    Status.CHANGES_REQUESTED: _(
        "The application goes back to the sponsor team with your questions, until they "
        "resubmit. Seen by the team and the hub only."
    ),
    Status.AWAITING_AUTHORISATION: _(
        "Needs the CESREES opinion on record, or a reference methodology declared. Public step."
    ),
    Status.APPROVED: _(
        "Needs the authorisation on record: a CNIL decision (DR-YYYY-NNN and its date) or "
        "the reference methodology. The public page shows its reference."
    ),
    Status.IN_PROGRESS: _("Needs every requested base agreed or delivered. Public step."),
    Status.COMPLETED: _("Results published, data access closed. Public step."),
    Status.REJECTED: _(
        "Ends the application for good. The sponsor team is told the ground and your "
        "reason; the rejection is public."
    ),
}
# A data request's moves where they differ (EHDS Art. 69: the hub produces statistics).
REQUEST_TITLES: dict[str, "StrPromise"] = {
    Status.IN_PROGRESS: _("Accept the request: prepare the statistics"),
    Status.COMPLETED: _("Statistics delivered: close the request"),
}
REQUEST_HELP: dict[str, "StrPromise"] = {
    Status.UNDER_REVIEW: _(
        "The request is complete and admissible: check that anonymised statistics can "
        "answer it. Public step."
    ),
    Status.IN_PROGRESS: _(
        "The hub will produce the statistics: no CESREES opinion, no CNIL authorisation, "
        "no data holder's decision. Public step."
    ),
    Status.COMPLETED: _(
        "Needs the statistics delivered to the team (“Deliver the statistics”). Public step."
    ),
}


class TransitionForm(forms.Form):
    """One move of the review, with the fields that move needs: a reason where the rule
    asks for one; for a rejection, its ground and a confirmation.

    It checks the input only; the rules (who, from which state, what must be on
    record) are the transition service's, which also refuses what a hand-made POST
    would try.
    """

    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        required=False,
        strip=True,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": _("Please give a reason.")},
    )

    def __init__(self, *args, project: Project, to: str, **kwargs):
        kwargs.setdefault("auto_id", f"%s-{to}")
        kwargs.setdefault("initial", {"seen": project.status})
        super().__init__(*args, **kwargs)
        self.project = project
        self.target = to
        rule = services.transitions_for(project).get((project.status, to))
        self.rule = rule
        reason = self.fields["reason"]
        if rule is not None and rule.reason_required:
            reason.required = True
            reason.label = _("Reason (required, sent to the sponsor team)")
        else:
            reason.label = _("Comment (optional, sent to the sponsor team)")
        if rule is not None and rule.ground_required:
            self.fields["ground"] = forms.ChoiceField(
                label=_("Ground: the rule the rejection rests on"),
                choices=[("", "---------"), *RejectionGround.choices],
                error_messages={"required": _("Choose the ground the rejection rests on.")},
            )
            self.fields["confirm"] = forms.BooleanField(
                label=_("I confirm the rejection: it ends the application and cannot be undone."),
                error_messages={"required": _("Tick the box to confirm the rejection.")},
            )

    @property
    def title(self) -> str:
        if self.project.is_data_request and self.target in REQUEST_TITLES:
            return str(REQUEST_TITLES[self.target])
        return str(TITLES.get(self.target, Status(self.target).label))

    @property
    def help(self) -> str:
        if self.project.is_data_request and self.target in REQUEST_HELP:
            return str(REQUEST_HELP[self.target])
        return str(HELP.get(self.target, ""))

    @property
    def blockers(self) -> list[str]:
        """What is missing on record for this move (the ground's own checks aside)."""
        return services.transition_blockers(project=self.project, to=self.target)

    @property
    def ground_rules(self) -> list[tuple[str, str]]:
        """Each ground with what its rule says, shown beside the choice."""
        if "ground" not in self.fields:
            return []
        return [
            (str(label), str(REJECTION_RULES[value])) for value, label in RejectionGround.choices
        ]

    def errors_as_text(self) -> str:
        return " ".join(str(error) for errors in self.errors.values() for error in errors)


class DeliveryForm(forms.Form):
    """The statistics file the hub delivers for a data request, checked by its content
    (`uploads.validate_statistics`), and a note to the team."""

    file = forms.FileField(
        label=_("Statistics file"),
        help_text=_("CSV (UTF-8), XLSX or ODS spreadsheet, or PDF; 20 MB at most."),
    )
    note = forms.CharField(
        label=_("Note to the team"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("What the file holds, and how the statistics were produced."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = validate_statistics(upload)
        return upload


class AuthorisationForm(forms.ModelForm):
    """The authorisation inline: a decision number typed ` dr-2025-104` is read as
    DR-2025-104 before the model checks its format (and the year against the date)."""

    class Meta:
        model = Authorisation
        fields = ["kind", "decision_number", "methodology", "decided_on"]

    def clean_decision_number(self) -> str:
        return "".join(self.cleaned_data["decision_number"].split()).upper()
