from django.contrib import admin

from projects.models import Organisation, Programme, Project, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    autocomplete_fields = ["members"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-only for now: the review workflow's buttons come with the staff issue.
    The state never changes here: only the transition service writes it."""

    list_display = ["reference", "title", "sponsor", "status", "updated_at"]
    list_filter = ["status", "themes", "programme"]
    list_select_related = ["sponsor"]
    search_fields = ["reference", "title", "sponsor__name"]
    readonly_fields = ["reference", "status", "submitted_on", "edit_version"]
    autocomplete_fields = ["sponsor"]
    filter_horizontal = ["themes"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
