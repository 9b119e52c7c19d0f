"""Admin change lists answer an impossible lookup in their URL as invalid, not with a 500.

The admin accepts, in the change list's URL, any lookup on the model's own fields,
and checks it when the query is built; a year outside 1-9999
(`?status_changed_at__year=99999`) only fails later, when the query is compiled
(ValueError), as the change list counts its rows. Turned into
IncorrectLookupParameters, it gets the admin's own answer to an invalid lookup: a
redirect to the change list without it (`?e=1`). It lives in `catalog`, the app
every other one may import, so that every admin of the portal uses it; with
`ReadOnlyAdmin`, the admin of the records only the services write.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters


class ImpossibleLookupsAreInvalid(admin.ModelAdmin):
    """Listed before the admin class it extends; a ModelAdmin itself so that its
    `super()` call is known to reach the change list."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error


class ReadOnlyAdmin(ImpossibleLookupsAreInvalid):
    """Records the services write: readable, never written by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
