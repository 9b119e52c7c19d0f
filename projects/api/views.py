"""The open data API: the public directory, the catalog and the statistics, read-only.

Every response carries an ETag and a Last-Modified made from the version of the data
it shows (`PublicVersion` for the projects, the catalog's own changes for the bases),
read before the view runs: a client polling with If-None-Match or If-Modified-Since
gets a 304 for the price of that read."""

import hashlib
from collections.abc import Callable
from datetime import datetime, time

import django_filters
from django.core.cache import cache
from django.db.models import Max, Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import MAX_SEARCH_LENGTH, Base, DataHolder, Milestone
from projects import clocks, statistics
from projects.api.serializers import (
    AlgorithmDetailSerializer,
    AlgorithmSerializer,
    BaseSerializer,
    ProjectSerializer,
)
from projects.filters import AlgorithmFilter, ProjectFilter
from projects.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Algorithm,
    Project,
    PublicVersion,
    RequestedBase,
    ReviewDeadlines,
)

# --- Versions: what the ETag and Last-Modified of each kind of response come from.


def _public_version() -> tuple[str, datetime | None]:
    found = PublicVersion.objects.filter(pk=1).values_list("number", "changed_at").first()
    if found is None:
        return "0", None
    number, changed_at = found
    return f"{number}:{changed_at.isoformat()}", changed_at


def _public_version_and_day() -> tuple[str, datetime | None]:
    """The public data version and the hub's day: a project's results state (due,
    overdue) moves overnight with no change of the data, so a client's copy from
    yesterday is stale, whatever it asks with."""
    key, changed_at = _public_version()
    today = clocks.hub_today()
    midnight = datetime.combine(today, time.min, tzinfo=clocks.hub_timezone())
    return f"{key}|{today.isoformat()}", max(changed_at, midnight) if changed_at else midnight


def _catalog_version() -> tuple[str, datetime | None]:
    """The bases' last change, and their milestones and holders, which have no date of
    their own: a few hundred short rows at most, hashed."""
    latest = Base.objects.aggregate(latest=Max("updated_at"))["latest"]
    parts = [
        repr(list(Base.objects.order_by("pk").values_list("pk", "updated_at"))),
        repr(list(Milestone.objects.order_by("pk").values_list("pk", "kind", "reached_on"))),
        repr(list(DataHolder.objects.order_by("pk").values_list("pk", "name", "address"))),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16], latest


def _deadlines_version() -> tuple[str, datetime | None]:
    updated_at = ReviewDeadlines.load().updated_at
    return updated_at.isoformat(), updated_at


def _combined(*sources: Callable[[], tuple[str, datetime | None]]):
    def version() -> tuple[str, datetime | None]:
        found = [source() for source in sources]
        dates = [changed for _key, changed in found if changed is not None]
        return "|".join(key for key, _changed in found), max(dates, default=None)

    return version


def conditional(version: Callable[[], tuple[str, datetime | None]]):
    """The view's ETag and Last-Modified from `version`, read once per request; the
    path and query are in the ETag, as the same version gives each URL its own body."""

    def etag(request, *args, **kwargs) -> str:
        key, changed = _read(request, version)
        digest = hashlib.sha256(f"{request.get_full_path()}|{key}".encode()).hexdigest()
        return digest[:32]

    def last_modified(request, *args, **kwargs) -> datetime | None:
        return _read(request, version)[1]

    return method_decorator(condition(etag_func=etag, last_modified_func=last_modified), name="get")


def _read(request, version):
    cached = getattr(request, "_api_version", None)
    if cached is None:
        cached = version()
        request._api_version = cached
    return cached


ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description=_("Parameters not understood")),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description=_("Not found")),
    429: OpenApiResponse(OpenApiTypes.OBJECT, description=_("Too many requests")),
}
NOT_MODIFIED = {304: OpenApiResponse(description=_("Not modified since the client's copy"))}


# --- Projects


class Pages(PageNumberPagination):
    """20 a page, `page_size` up to 100 (more gives 100). A page size that is no
    positive whole number is a 400, as a filter not understood, rather than quietly
    the default."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    last_page_strings = ()  # a page is a number, as the schema says

    def get_page_number(self, request, paginator) -> int:
        given = request.query_params.getlist(self.page_query_param)
        if not given:
            return 1
        if len(given) > 1 or not given[0].isdecimal():
            raise ValidationError({self.page_query_param: [gettext("A page number.")]})
        return int(given[0])

    def get_page_size(self, request) -> int:
        given = request.query_params.getlist(self.page_size_query_param)
        if not given:
            return self.page_size
        if len(given) > 1 or not given[0].isdecimal() or int(given[0]) < 1:
            raise ValidationError(
                {self.page_size_query_param: [gettext("A whole number from 1 to 100.")]}
            )
        return min(int(given[0]), self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class StrictFilterBackend(DjangoFilterBackend):
    """The pages' filters, search and order (the directory's, the library's); parameters
    not understood are a 400, as in the exports (a page of results without the filter
    asked is the wrong page)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        _strict(request.query_params, filterset.base_filters)
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        return filterset.ordered(filterset.qs)


def _strict(params, filters) -> None:
    """The pages' forms send `year=` for "any year" and keep the last of repeated values;
    an API client is told instead, as its schema says: one value (but for the filters
    that take several, such as themes), and not empty for a number or a choice."""
    errors = {}
    for name, declared in filters.items():
        values = params.getlist(name)
        repeatable = isinstance(declared, django_filters.MultipleChoiceFilter)
        if not repeatable and len(values) > 1:
            errors[name] = [gettext("Give this parameter once.")]
        elif isinstance(declared, NOT_EMPTY) and "" in values:
            errors[name] = [gettext("This parameter cannot be empty.")]
    if errors:
        raise ValidationError(errors)


NOT_EMPTY = (django_filters.NumberFilter, django_filters.ChoiceFilter)


def _public_projects():
    return (
        Project.objects.public()
        .select_related("sponsor", "programme", "authorisation")
        .prefetch_related(
            "themes",
            Prefetch("requested_bases", queryset=RequestedBase.objects.select_related("base")),
        )
    )


YEAR = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}


@extend_schema(
    summary=_("Projects of the public directory"),
    description=_(
        "The directory's filters and search, as on /projects/; 20 projects a page, "
        "page_size up to 100."
    ),
    parameters=[
        OpenApiParameter("year", YEAR, description=_("Year of submission")),
        OpenApiParameter("launched", YEAR, description=_("Year of launch")),
        OpenApiParameter("authorised", YEAR, description=_("Year of authorisation")),
    ],
    responses={200: ProjectSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
@conditional(_public_version_and_day)
class ProjectList(generics.ListAPIView):
    serializer_class = ProjectSerializer
    pagination_class = Pages
    filter_backends = [StrictFilterBackend]
    filterset_class = ProjectFilter

    def get_queryset(self):
        return _public_projects()

    def list(self, request, *args, **kwargs):
        """A page is kept under its URL and the data version (the ETag's, already read):
        seen again, it is one read by key, as the directory's pages are."""
        key = (
            "api-page:"
            + hashlib.sha256(
                f"{request.build_absolute_uri()}|{request._api_version[0]}".encode()
            ).hexdigest()
        )
        data = cache.get(key)
        if data is None:
            data = super().list(request, *args, **kwargs).data
            cache.set(key, data, PAGE_KEEP)
        return Response(data)


PAGE_KEEP = 600


@extend_schema(
    summary=_("One project of the public directory"),
    responses={200: ProjectSerializer, **NOT_MODIFIED, 404: ERRORS[404], 429: ERRORS[429]},
)
@conditional(_public_version_and_day)
class ProjectDetail(generics.RetrieveAPIView):
    serializer_class = ProjectSerializer
    lookup_field = "reference"

    def get_queryset(self):
        return _public_projects()


# --- Catalog


def _bases():
    return Base.objects.with_holder().prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("reached_on", "kind"))
    )


@extend_schema(
    summary=_("Bases of the catalog"),
    responses={200: BaseSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
@conditional(_catalog_version)
class BaseList(generics.ListAPIView):
    serializer_class = BaseSerializer
    pagination_class = Pages

    def get_queryset(self):
        return _bases().order_by("acronym")


@extend_schema(
    summary=_("One base of the catalog"),
    responses={200: BaseSerializer, **NOT_MODIFIED, 404: ERRORS[404], 429: ERRORS[429]},
)
@conditional(_catalog_version)
class BaseDetail(generics.RetrieveAPIView):
    serializer_class = BaseSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _bases()


# --- The open library of algorithms (BOAS)


def _algorithms():
    return Algorithm.objects.published().as_cards()


@extend_schema(
    summary=_("Algorithms of the open library"),
    description=_(
        "The algorithms published in the open library of health algorithms (BOAS), with "
        "the filters and search of /algorithms/: q (French full text), theme, base, "
        "licence (an SPDX expression as published), status (of the project); a theme, "
        "base or licence that no algorithm has matches nothing. 20 a page, page_size up "
        "to 100."
    ),
    parameters=[
        OpenApiParameter(
            "q",
            {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
            description=_(
                "Words of the name, purpose, use, population, inputs, outputs or limitations"
            ),
        ),
        OpenApiParameter("licence", str, description=_("An SPDX expression, e.g. EUPL-1.2")),
    ],
    responses={200: AlgorithmSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
# A publication moves the public data version; the bases a card links to, the catalog's.
@conditional(_combined(_public_version, _catalog_version))
class AlgorithmList(generics.ListAPIView):
    serializer_class = AlgorithmSerializer
    pagination_class = Pages
    filter_backends = [StrictFilterBackend]
    filterset_class = AlgorithmFilter

    def get_queryset(self):
        return _algorithms()


@extend_schema(
    summary=_("One algorithm of the open library"),
    description=_("The card of its current version, and every published version, latest first."),
    responses={
        200: AlgorithmDetailSerializer,
        **NOT_MODIFIED,
        404: ERRORS[404],
        429: ERRORS[429],
    },
)
@conditional(_combined(_public_version, _catalog_version))
class AlgorithmDetail(generics.RetrieveAPIView):
    serializer_class = AlgorithmDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _algorithms()


# --- Statistics

STATS_KEEP = 24 * 3600

_counts = serializers.DictField(child=serializers.IntegerField())
YearFigures = inline_serializer(
    "YearFigures",
    {
        "year": serializers.IntegerField(),
        "year_to_date": serializers.BooleanField(),
        "as_of": serializers.DateField(),
        "projects_launched": serializers.IntegerField(),
        "themes": _counts,
        "programmes": _counts,
        "submitted": serializers.IntegerField(),
        "authorised": serializers.IntegerField(),
        "catalog": _counts,
        "results_published": serializers.IntegerField(),
        "results_overdue": serializers.IntegerField(),
    },
)


@extend_schema(
    summary=_("The statistics of a year"),
    description=_("The same figures as /stats/<year>.json."),
    responses={200: YearFigures, **NOT_MODIFIED, 404: ERRORS[404], 429: ERRORS[429]},
)
@conditional(_combined(_public_version_and_day, _catalog_version))
class YearStatistics(APIView):
    def get(self, request: Request, year: int) -> Response:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise Http404
        # Kept under the version of the data they count: the ETag's, already read.
        key = f"api-stats:{year}:{request._api_version[0]}"
        return Response(cache.get_or_set(key, lambda: statistics.year_figures(year), STATS_KEEP))


_stage = inline_serializer(
    "StageFigures",
    {
        "files": serializers.IntegerField(),
        "median_days": serializers.FloatField(allow_null=True),
        "p90_days": serializers.IntegerField(allow_null=True),
        "share_within_deadline": serializers.FloatField(allow_null=True),
    },
)
ProcessingTimes = inline_serializer(
    "ProcessingTimes",
    {
        "deadlines": serializers.DictField(child=serializers.IntegerField()),
        "years": inline_serializer(
            "ProcessingYear",
            {
                "year": serializers.IntegerField(),
                "stages": serializers.DictField(child=_stage),
            },
            many=True,
        ),
    },
)


@extend_schema(
    summary=_("The review's processing times"),
    description=_("The same figures as /stats/processing.json."),
    responses={200: ProcessingTimes, **NOT_MODIFIED, 429: ERRORS[429]},
)
@conditional(_combined(_public_version, _deadlines_version))
class ProcessingTimesView(APIView):
    def get(self, request: Request) -> Response:
        return Response(statistics.published_processing_times())


def docs(request):
    """The interactive documentation (Swagger UI), every script and style from /static/
    (drf-spectacular-sidecar's copy of Swagger UI): the site's Content-Security-Policy
    allows no other source and no inline script without its nonce."""
    return render(request, "api/docs.html")


def not_found(request, path: str = ""):
    """Any other URL under /api/v1/, a path parameter of the wrong form included (a
    year that is no number): a 404 in JSON like the API's own, not the site's page."""
    return JsonResponse({"detail": gettext("Not found.")}, status=404)


class Schema(SpectacularJSONAPIView):
    """The OpenAPI schema, a view of this module like every other of the API (the
    replica router knows the public side's views by their module). It changes only
    with the code (and the language asked): its ETag is its content's."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code != 200:
            return response
        response.render()
        set_response_etag(response)
        return get_conditional_response(request, etag=response["ETag"], response=response)
