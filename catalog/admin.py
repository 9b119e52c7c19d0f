from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from catalog.admin_lookups import ImpossibleLookupsAreInvalid
from catalog.models import Base, DataHolder, HolderMembership, Milestone

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
