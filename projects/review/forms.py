"""The forms of the review's change page: one per transition the reviewer may make."""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from projects import services
from projects.models import REJECTION_RULES, Authorisation, Project, RejectionGround, Status

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
        rule = services.TRANSITIONS.get((project.status, to))
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
        return str(TITLES.get(self.target, Status(self.target).label))

    @property
    def help(self) -> str:
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


class AuthorisationForm(forms.ModelForm):
    """The authorisation inline: a decision number typed ` dr-2025-104` is read as
    DR-2025-104 before the model checks its format (and the year against the date)."""

    class Meta:
        model = Authorisation
        fields = ["kind", "decision_number", "methodology", "decided_on"]

    def clean_decision_number(self) -> str:
        return "".join(self.cleaned_data["decision_number"].split()).upper()
