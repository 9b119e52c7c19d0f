"""The results and algorithm versions the sponsor teams declare: a reviewer reads each
and publishes it ("Publish") or refuses it with a reason ("Refuse"), through
`projects.results.review`. Nothing a team declared is ever edited here."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.admin_lookups import ImpossibleLookupsAreInvalid, ReadOnlyAdmin
from projects import results, services
from projects.models import (
    ALGORITHM_CARD_FIELDS,
    Algorithm,
    AlgorithmVersion,
    Result,
    ResultsReminder,
    ReviewState,
)

REVIEW_RECORD = ["state", "declared_by", "declared_at", "reviewed_by", "reviewed_at"]


class ReviewForm(forms.ModelForm):
    comment = forms.CharField(
        label=_("Comment to the author"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=5000,
        help_text=_("Required to refuse: the author reads it. Optional when publishing."),
    )


class ReviewedByHubAdmin(ImpossibleLookupsAreInvalid, admin.ModelAdmin):
    """What the two admins below share: read-only records with the review's buttons."""

    form = ReviewForm
    change_form_template = "admin/publish_or_decline_change_form.html"
    list_filter = ["state"]
    date_hierarchy = "declared_at"
    record: list[str] = []

    def get_fields(self, request, obj=None):
        waiting = self.has_change_permission(request, obj)
        return [*self.record, *REVIEW_RECORD, "review_comment", *(["comment"] if waiting else [])]

    def get_readonly_fields(self, request, obj=None):
        return [*self.record, *REVIEW_RECORD, "review_comment"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        waiting = obj is None or obj.state == ReviewState.PENDING
        return waiting and services.may_review(request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A refusal of the service is a message on the same page, nothing saved."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except results.ResultsError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if "_publish" not in request.POST and "_decline" not in request.POST:
            raise results.ResultsError(_("Publish it, or refuse it with a comment to the author."))
        results.review(
            item=obj,
            actor=request.user,
            publish="_publish" in request.POST,
            comment=form.cleaned_data["comment"],
        )

    def save_related(self, request, form, formsets, change):
        """Nothing related is written: the review changed what it had to."""


@admin.register(Result)
class ResultAdmin(ReviewedByHubAdmin):
    list_display = ["declared_at", "project", "kind", "title", "state", "reviewed_by"]
    list_filter = ["state", "kind"]
    list_select_related = ["project", "reviewed_by"]
    search_fields = ["project__reference", "project__title", "title", "doi"]
    record = ["project", "kind", "title", "doi", "venue", "year", "url", "report"]

    @admin.display(description=_("report (PDF)"))
    def report(self, result: Result) -> str:
        """The PDF as the team's pages serve it (reviewers may read it there): the
        storage's own address is private."""
        if not result.file:
            return "—"
        url = reverse("my:result-file", args=[result.project_id, result.pk])
        return format_html(
            '<a href="{}">{}</a> ({})', url, _("Read the report"), filesizeformat(result.size or 0)
        )


@admin.register(AlgorithmVersion)
class AlgorithmVersionAdmin(ReviewedByHubAdmin):
    list_display = ["declared_at", "algorithm", "version", "project_reference", "state"]
    list_select_related = ["algorithm__project"]
    search_fields = ["algorithm__name", "algorithm__project__reference", "purpose"]
    record = ["algorithm", *ALGORITHM_CARD_FIELDS]

    @admin.display(description=_("project"), ordering="algorithm__project__reference")
    def project_reference(self, version: AlgorithmVersion) -> str:
        return version.algorithm.project.reference


@admin.register(Algorithm)
class AlgorithmAdmin(ReadOnlyAdmin):
    """The library's cards: their versions are reviewed one by one (above)."""

    list_display = ["name", "project", "current", "created_at"]
    list_select_related = ["project", "current"]
    search_fields = ["name", "slug", "project__reference"]
    fields = ["project", "name", "slug", "current", "created_at"]


@admin.register(ResultsReminder)
class ResultsReminderAdmin(ReadOnlyAdmin):
    """What the daily reminder of results due (`manage.py send_results_reminders`)
    sent, project by project and step."""

    list_display = ["sent_on", "project", "step", "recipients"]
    list_filter = ["step"]
    list_select_related = ["project"]
    search_fields = ["project__reference", "recipients"]
    date_hierarchy = "sent_on"
