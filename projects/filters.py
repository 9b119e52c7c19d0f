"""The filters of the public directory and of the open library of algorithms. The URL
is the state: every filter is a GET parameter."""

import functools
import operator
from collections.abc import Sequence

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.validators import ProhibitNullCharactersValidator
from django.db import connection
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS
from projects import clocks
from projects.models import FIRST_YEAR, LAST_YEAR, Algorithm, Project, Status
from projects.results import ResultsState, state_q

SEARCH_CONFIG = "portal_french"
PUBLIC_STATES = [(value, label) for value, label in Status.choices if value != Status.DRAFT]
SORTS = [
    ("recent", _("Most recent first")),
    ("title", _("Title")),
    ("status", _("Status")),
]


class SlugListField(forms.MultipleChoiceField):
    """Repeatable slugs (`?theme=ai&theme=prevention`). Unknown slugs are not an error:
    they match nothing, so a stale or mistyped link gives an empty list, not a 500.
    A NUL byte is one: PostgreSQL refuses it in a query (CharField has the same check)."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value):
        return True

    def validate(self, value):
        super().validate(value)
        for slug in value:
            ProhibitNullCharactersValidator()(slug)


class SlugListFilter(django_filters.MultipleChoiceFilter):
    field_class = SlugListField

    def filter(self, qs, value):
        # Every value chosen must hold: ?theme=ai&theme=prevention is AI *and* prevention.
        for slug in value or []:
            qs = qs.filter(**{self.field_name: slug})
        return qs


def search_query(text: str) -> SearchQuery | None:
    """Each word must appear, in the singular or the plural (French stemming, accents
    ignored). Only the first MAX_SEARCH_WORDS words count, so a long text cannot make
    a query that takes seconds.

    The French stemmer reduces "cancer" and "cancers" to different stems, so each
    word is also tried with a plural s added, or its plural s/x taken away.
    """
    query = None
    for word in text.split()[:MAX_SEARCH_WORDS]:
        term = SearchQuery(word, config=SEARCH_CONFIG)
        if len(word) > 3 and word[-1].lower() in "sx":
            term |= SearchQuery(word[:-1], config=SEARCH_CONFIG)
        elif len(word) > 2:
            term |= SearchQuery(word + "s", config=SEARCH_CONFIG)
        query = term if query is None else query & term
    return query


PROJECT_TEXT = ("title", "summary", "sponsor__name")


def every_word_somewhere(text: str, fields: Sequence[str] = PROJECT_TEXT) -> Q:
    """Without full-text search: each word in one of the fields (a project's title,
    summary or sponsor's name by default), in any case."""
    words = Q()
    for word in text.split()[:MAX_SEARCH_WORDS]:
        anywhere = Q()
        for field in fields:
            anywhere |= Q(**{f"{field}__icontains": word})
        words &= anywhere
    return words


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Words of the title, summary or sponsor"),
    )
    theme = SlugListFilter(label=_("Themes"), field_name="themes__slug")
    base = SlugListFilter(label=_("Bases"), field_name="requested_bases__base__slug")
    programme = django_filters.CharFilter(
        label=_("Programme"), field_name="programme__slug", widget=forms.Select
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PUBLIC_STATES, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of application"), choices=Project.Kind.choices, empty_label=_("Any kind")
    )
    # Due and overdue move with the hub's day: the cached counts carry it too
    # (`public.directory.counts_version`).
    results = django_filters.ChoiceFilter(
        label=_("Results"),
        choices=ResultsState.choices,
        method="filter_results",
        empty_label=_("Any results state"),
    )
    year = django_filters.NumberFilter(
        label=_("Year of submission"),
        field_name="submitted_on__year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.Select,
    )
    # Set by the links of the statistics page; carried along as hidden fields.
    launched = django_filters.NumberFilter(
        field_name="launched_on__year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.HiddenInput,
    )
    authorised = django_filters.NumberFilter(
        field_name="authorised_on__year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.HiddenInput,
    )
    sponsor = django_filters.CharFilter(
        label=_("Sponsor organisation"), field_name="sponsor__name", lookup_expr="icontains"
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Project
        fields = [
            "q",
            "theme",
            "base",
            "programme",
            "status",
            "kind",
            "results",
            "year",
            "launched",
            "authorised",
            "sponsor",
            "sort",
        ]

    def filter_text(self, queryset, name, value):
        if connection.vendor != "postgresql":  # the embedded SQLite of `make run`
            return queryset.filter(every_word_somewhere(value))
        query = search_query(value)
        if query is None:
            return queryset
        return queryset.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )

    def filter_results(self, queryset, name, value):
        return queryset.filter(state_q(value, today=clocks.hub_today()))

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in `ordered`, once every filter is known

    def ordered(self, queryset):
        cleaned = (
            self.form.cleaned_data if self.form.is_bound and self.form.errors is not None else {}
        )
        sort = cleaned.get("sort")
        if sort == "title":
            return queryset.order_by("title", "-id")
        if sort == "status":
            return queryset.order_by("status", "-submitted_on", "-id")
        if not sort and cleaned.get("q") and connection.vendor == "postgresql":
            return queryset.order_by("-rank", "-submitted_on", "-id")
        return queryset.order_by("-submitted_on", "-id")


# The open library of algorithms (BOAS): its search reads the name and what the
# current version's card says, weighted in this order.
ALGORITHM_TEXT = {
    "A": ("name",),
    "B": ("current__purpose", "current__intended_use"),
    "C": ("current__population", "current__inputs", "current__outputs", "current__limitations"),
}


class AlgorithmFilter(django_filters.FilterSet):
    """The library's filters. As in the directory, a theme, base or licence that no
    algorithm has is no error: it matches nothing (the page says why)."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Words of the name, purpose, use, population, inputs, outputs or limitations"),
    )
    theme = SlugListFilter(label=_("Themes of the project"), field_name="project__themes__slug")
    base = SlugListFilter(label=_("Bases used"), field_name="current__bases__slug")
    licence = django_filters.CharFilter(
        label=_("Licence"), field_name="current__licence", widget=forms.Select
    )
    status = django_filters.ChoiceFilter(
        label=_("Project status"),
        field_name="project__status",
        choices=PUBLIC_STATES,
        empty_label=_("Any status"),
    )

    class Meta:
        model = Algorithm
        fields = ["q", "theme", "base", "licence", "status"]

    def filter_text(self, queryset, name, value):
        if connection.vendor != "postgresql":  # the embedded SQLite of `make run`
            every_field = [field for fields in ALGORITHM_TEXT.values() for field in fields]
            return queryset.filter(every_word_somewhere(value, every_field))
        query = search_query(value)
        if query is None:
            return queryset
        # Computed on the fly: a few hundred cards, unlike the directory's stored vector.
        parts = [
            SearchVector(*fields, weight=weight, config=SEARCH_CONFIG)
            for weight, fields in ALGORITHM_TEXT.items()
        ]
        vector = functools.reduce(operator.add, parts)
        return queryset.annotate(search=vector, rank=SearchRank(vector, query)).filter(search=query)

    def ordered(self, queryset):
        """The most relevant first when searching (on PostgreSQL), else the latest
        published first."""
        cleaned = (
            self.form.cleaned_data if self.form.is_bound and self.form.errors is not None else {}
        )
        latest = ["-current__reviewed_at", "name", "pk"]
        if cleaned.get("q") and connection.vendor == "postgresql":
            return queryset.order_by("-rank", *latest)
        return queryset.order_by(*latest)
