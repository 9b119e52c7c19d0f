import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.models import MAX_SEARCH_LENGTH, Base, DataHolder, Milestone


class BaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Acronym, name, keyword or holder"),
    )
    holder = django_filters.ModelChoiceFilter(
        label=_("Data holder"),
        field_name="data_holder",
        queryset=DataHolder.objects.filter(bases__isnull=False).distinct(),
        empty_label=_("All data holders"),
    )
    milestone = django_filters.ChoiceFilter(
        label=_("Milestone reached"),
        choices=Milestone.Kind.choices,
        method="filter_milestone",
        empty_label=_("Any stage"),
    )

    class Meta:
        model = Base
        fields = ["q", "holder", "milestone"]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_milestone(self, queryset, name, value):
        return queryset.having_reached(value)
