from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from catalog import proposals
from catalog.admin_lookups import ImpossibleLookupsAreInvalid
from catalog.models import Base, BaseProposal, DataHolder, HolderMembership, Milestone

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["kind", "reached_on", "note"]


class MilestonesReached(TypedDict):
    """What `BaseAdmin.get_queryset` annotates each base with."""

    reached: int


@admin.register(Base)
class BaseAdmin(ImpossibleLookupsAreInvalid, admin.ModelAdmin):
    list_display = ["acronym", "name", "data_holder", "catalog_reference", "milestones_reached"]
    list_filter = ["milestones__kind", "data_holder", "update_frequency"]
    list_select_related = ["data_holder"]
    search_fields = ["acronym", "name", "keywords", "data_holder__name", "data_holder__acronym"]
    prepopulated_fields = {"slug": ["acronym"]}
    autocomplete_fields = ["data_holder"]
    inlines = [MilestoneInline]
    fieldsets = [
        (None, {"fields": ["acronym", "slug", "name", "data_holder", "catalog_reference"]}),
        (_("Description"), {"fields": ["description", "keywords", "documentation_url"]}),
        (
            _("Coverage"),
            {
                "fields": [
                    "population",
                    "geography",
                    ("period_start", "period_end"),
                    "update_frequency",
                ]
            },
        ),
        (
            _("Access and citation"),
            {"fields": ["access_conditions", "scientific_lead", "contact_email", "citation"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reached=Count("milestones"))

    @admin.display(description=_("milestones reached"), ordering="reached")
    def milestones_reached(self, base: "WithAnnotations[Base, MilestonesReached]") -> str:
        return f"{base.reached} / {len(Milestone.Kind)}"


class BaseTotal(TypedDict):
    """What `DataHolderAdmin.get_queryset` annotates each holder with."""

    base_total: int


class HolderMembershipInline(admin.TabularInline):
    """The people who act for the holder on the portal: a hub administrator adds
    someone who has an account here, or invites them by email ("Invitations to a data
    holder"); members invite their colleagues from their pages."""

    model = HolderMembership
    extra = 0
    fields = ["user", "joined_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["user"]


@admin.register(DataHolder)
class DataHolderAdmin(ImpossibleLookupsAreInvalid, admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "website", "base_count"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]
    inlines = [HolderMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(base_total=Count("bases"))

    @admin.display(description=_("bases"), ordering="base_total")
    def base_count(self, holder: "WithAnnotations[DataHolder, BaseTotal]") -> int:
        return holder.base_total


@admin.register(Milestone)
class MilestoneAdmin(ImpossibleLookupsAreInvalid, admin.ModelAdmin):
    list_display = ["base", "kind", "reached_on"]
    list_filter = ["kind", ("reached_on", admin.DateFieldListFilter)]
    list_select_related = ["base"]
    search_fields = ["base__acronym", "base__name", "note"]
    autocomplete_fields = ["base"]
    date_hierarchy = "reached_on"


PROPOSAL_FIELDS = [
    "base",
    "state",
    "proposed_by",
    "proposed_at",
    "changes_table",
    "decided_by",
    "decided_at",
    "decision_note",
]


@admin.register(BaseProposal)
class BaseProposalAdmin(ImpossibleLookupsAreInvalid, admin.ModelAdmin):
    """The changes the data holders propose to their bases' entries: a hub
    administrator reads them beside the values they replace, then publishes them
    ("Publish") or declines them with a reason ("Decline"), through
    `catalog.proposals`. Nothing else of a proposal is ever changed."""

    list_display = ["proposed_at", "base", "state", "proposed_by", "decided_by", "decided_at"]
    list_filter = ["state", ("base", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["base", "proposed_by", "decided_by"]
    search_fields = ["base__acronym", "base__name", "proposed_by__email"]
    date_hierarchy = "proposed_at"
    fields = tuple(PROPOSAL_FIELDS)
    # Only the reason for declining is written here; the rest is the record.
    readonly_fields = [name for name in PROPOSAL_FIELDS if name != "decision_note"]
    change_form_template = "admin/publish_or_decline_change_form.html"
    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        waiting = obj is None or obj.state == BaseProposal.State.PROPOSED
        return waiting and proposals.may_publish(request.user)

    def has_publish_permission(self, request) -> bool:
        return proposals.may_publish(request.user)

    @admin.display(description=_("changes"))
    def changes_table(self, proposal: BaseProposal) -> str:
        return render_to_string("admin/catalog/baseproposal/changes.html", {"proposal": proposal})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A refusal of the service is a message on the same page, nothing saved."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except proposals.ProposalError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """ "Publish" and "Decline" are the change page's buttons; a plain save changes
        nothing (the reason alone is kept for a decline)."""
        if "_publish" in request.POST:
            proposals.proposal_publish(proposal=obj, actor=request.user)
        elif "_decline" in request.POST:
            proposals.proposal_decline(
                proposal=obj, actor=request.user, reason=form.cleaned_data["decision_note"]
            )
        else:
            raise proposals.ProposalError(_("Publish the proposal, or decline it with a reason."))

    @admin.action(description=_("Publish the selected proposals"), permissions=["publish"])
    def publish(self, request, queryset):
        published = 0
        for proposal in queryset:
            try:
                proposals.proposal_publish(proposal=proposal, actor=request.user)
            except proposals.ProposalError as error:
                self.message_user(request, f"{proposal.base}: {error}", messages.ERROR)
            else:
                published += 1
        if published:
            self.message_user(
                request,
                _("%(count)d proposal(s) published.") % {"count": published},
                messages.SUCCESS,
            )
