"""The directory as files and as a feed: public fields only, streamed row by row."""

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from itertools import batched, chain, islice

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from projects import clocks, results
from projects.filters import ProjectFilter
from projects.models import (
    PUBLIC_FIELDS,
    Authorisation,
    Event,
    Project,
    RequestedBase,
    Status,
    in_reader_language,
)
from projects.public import safe_csv

logger = logging.getLogger(__name__)

# What the law makes public about a project, in the order of the files.
COLUMNS = PUBLIC_FIELDS
# The CSV file gives, beside each code, its label in the language of its address (French
# at /projects/export.csv, English at /en/projects/export.csv), for a spreadsheet read
# by people; the codes stay, in the same columns, for the programs that read them.
LABELS = {
    "kind": "kind_label",
    "themes": "theme_names",
    "programme": "programme_name",
    "status": "status_label",
    "results": "results_label",
}
CSV_COLUMNS = [name for column in COLUMNS for name in (column, LABELS.get(column)) if name]


def public_record(row, base_url: str, *, themes: list[str], bases: list[str], today: date) -> dict:
    """What the law makes public about a project; nothing else ever leaves this way.

    `row` holds the values of `ROW` for one project. A project is said authorised
    (`authorised_on`) only with the reference of its authorisation (`authorisation`:
    the CNIL decision number or the reference methodology), as on its public page.
    Its results state is that of `today` (`results.state_of` reads the row's values:
    no query)."""
    authorisation = (
        Authorisation(
            kind=row.authorisation__kind,
            decision_number=row.authorisation__decision_number,
            methodology=row.authorisation__methodology,
        )
        if row.authorisation__kind is not None
        else None
    )
    return {
        "reference": row.reference,
        "kind": row.kind,
        "title": row.title,
        "summary": row.summary,
        "sponsor": row.sponsor__name or "",
        # Anyone can register an organisation: only the hub's check makes the name sure.
        "sponsor_verified": row.sponsor__verified_at is not None,
        "themes": themes,
        "programme": row.programme__slug or "",
        "bases": bases,
        "status": row.status,
        "submitted_on": _iso(row.submitted_on),
        "opinion_on": _iso(row.opinion_on),
        "authorised_on": _iso(row.authorised_on) if authorisation else "",
        "authorisation": authorisation.reference if authorisation else "",
        "launched_on": _iso(row.launched_on),
        "completed_on": _iso(row.completed_on),
        "results": results.state_of(row, today=today),
        "results_due_on": _iso(results.due_on(row.completed_on)),
        "url": base_url + _public_page(row.reference),
    }


def _public_page(reference: str) -> str:
    """The project's page at its French address, which links to the English one: the
    record is the same in every language, only the labels beside it follow the reader."""
    with override(settings.LANGUAGE_CODE):
        return reverse("projects:public", kwargs={"reference": reference})


def _iso(day) -> str:
    return day.isoformat() if day else ""


# What a public record is made of, read as plain values: no model instances, which
# prefetching links to each other, so that each chunk's memory is freed as soon as
# it is sent rather than when the garbage collector comes round.
ROW = [
    "pk",
    "reference",
    "kind",
    "title",
    "summary",
    "sponsor__name",
    "sponsor__verified_at",
    "programme__slug",
    "programme__name",
    "programme__name_en",
    "status",
    "submitted_on",
    "opinion_on",
    "authorised_on",
    "authorisation__kind",
    "authorisation__decision_number",
    "authorisation__methodology",
    "launched_on",
    "completed_on",
    "results_published_on",
]
CHUNK_SIZE = 2000  # projects per database round trip while an export streams


def public_records(
    queryset: QuerySet[Project], base_url: str, *, labelled: bool = False
) -> Iterator[dict]:
    """The public record of each project of the queryset, in its order, at constant
    memory: the projects are read a chunk at a time from a server-side cursor, and
    each chunk's themes and bases in one query each. `labelled`, each record also
    has the labels of its codes (`LABELS`), in the language active when the first
    record is read (the request's: the file is written after the view returns)."""
    today = clocks.hub_today()
    statuses = {code: str(label) for code, label in Status.choices}
    kinds = {code: str(label) for code, label in Project.Kind.choices}
    results_states = {code: str(label) for code, label in results.ResultsState.choices}
    language = get_language()  # for the names of themes and programmes, row by row
    rows = queryset.values_list(*ROW, named=True).iterator(chunk_size=CHUNK_SIZE)
    for chunk in batched(rows, CHUNK_SIZE):
        ids = [row.pk for row in chunk]
        themes = _by_project(
            Project.themes.through.objects.filter(project_id__in=ids)
            .order_by("theme__name", "theme_id")
            .values_list("project_id", "theme__slug", "theme__name", "theme__name_en")
        )
        bases = _by_project(
            RequestedBase.objects.filter(project_id__in=ids)
            .order_by("base__acronym")
            .values_list("project_id", "base__acronym")
        )
        for row in chunk:
            record = public_record(
                row,
                base_url,
                themes=[slug for slug, *_names in themes[row.pk]],
                bases=[acronym for (acronym,) in bases[row.pk]],
                today=today,
            )
            if labelled:
                with override(language):
                    theme_names = [in_reader_language(*names) for _slug, *names in themes[row.pk]]
                    programme_name = in_reader_language(
                        row.programme__name or "", row.programme__name_en or ""
                    )
                record |= {
                    "kind_label": kinds.get(row.kind, row.kind),
                    "theme_names": theme_names,
                    "programme_name": programme_name,
                    "status_label": statuses.get(row.status, row.status),
                    "results_label": results_states.get(record["results"], ""),
                }
            yield record


def _by_project(rows) -> defaultdict[int, list[tuple]]:
    """The values of each row after its project's id, grouped by project, in order."""
    grouped: defaultdict[int, list[tuple]] = defaultdict(list)
    for project_id, *values in rows:
        grouped[project_id].append(tuple(values))
    return grouped


class ExportUnavailable(Exception):
    """The export cannot be produced; carries the response that says why."""

    def __init__(self, response: HttpResponse):
        self.response = response


def _records(request, *, labelled: bool = False) -> Iterator[dict]:
    """The filtered directory's public records, the query already run.

    Bad parameters are a 400, where the directory page would ignore them with a
    message: a file has no room for the message, and a file with the filter silently
    dropped is the wrong file. The query runs and its first chunk is fetched here,
    before the response starts, so that a database error becomes a 503 and never a
    200 with an empty or cut file.
    """
    filterset = ProjectFilter(request.GET, queryset=Project.objects.public())
    if not filterset.is_valid():
        fields = ", ".join(sorted(filterset.form.errors))
        raise ExportUnavailable(
            HttpResponseBadRequest(
                gettext("These filters were not understood: %(fields)s.") % {"fields": fields},
                content_type="text/plain; charset=utf-8",
            )
        )
    base_url = request.build_absolute_uri("/").rstrip("/")
    records = public_records(filterset.ordered(filterset.qs), base_url, labelled=labelled)
    try:
        first = list(islice(records, 1))
    except DatabaseError:
        logger.exception("Export: the database cannot be reached")
        response = HttpResponse(
            gettext("The export cannot be produced now: the database cannot be reached."),
            content_type="text/plain; charset=utf-8",
            status=503,
        )
        response["Retry-After"] = "60"
        raise ExportUnavailable(response) from None
    return chain(first, records)


def _cell(value) -> str:
    """Lists joined with |, booleans as true/false, as in the JSON export."""
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _streamed(
    request,
    render: Callable[[Iterator[dict]], Iterator[str]],
    content_type: str,
    *,
    labelled: bool = False,
):
    """A streamed export, or the error response if it cannot be started.

    Once the response has started, a database error in a later chunk is not caught: it
    propagates to the WSGI server, which aborts the response without its closing chunk
    (`Transfer-Encoding: chunked`), so the client reports a failed download instead of
    saving a shorter file that looks complete (a CSV cut between rows would). The JSON
    export also lacks its closing `]`.
    """
    try:
        records = _records(request, labelled=labelled)
    except ExportUnavailable as unavailable:
        return unavailable.response
    return StreamingHttpResponse(render(records), content_type=content_type)


def export_csv(request):
    def lines(records: Iterator[dict]) -> Iterator[str]:
        writer = safe_csv.writer()
        yield "\ufeff" + writer.writerow(CSV_COLUMNS)  # BOM: spreadsheets read UTF-8 right
        for record in records:
            yield writer.writerow([_cell(record[column]) for column in CSV_COLUMNS])

    response = _streamed(request, lines, "text/csv; charset=utf-8", labelled=True)
    if response.streaming:
        response["Content-Disposition"] = 'attachment; filename="projects.csv"'
    return response


def export_json(request):
    def chunks(records: Iterator[dict]) -> Iterator[str]:
        yield "["
        for index, record in enumerate(records):
            yield ("," if index else "") + json.dumps(record, ensure_ascii=False)
        yield "]"

    return _streamed(request, chunks, "application/json; charset=utf-8")


class PlainTextSummaryAtom1Feed(Atom1Feed):
    """Atom whose entry summary is typed `text`.

    Django's Atom1Feed writes every summary with `type="html"`, so a reader renders
    markup typed into a project's summary (which is plain text everywhere on the
    portal). Written as `text`, a reader shows `<b>` as the characters typed. The
    element order within an entry does not matter in Atom (RFC 4287).
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class LatestProjectsFeed(Feed):
    """Projects as they are submitted and authorised: what a journalist would follow."""

    feed_type = PlainTextSummaryAtom1Feed
    title = _("Health Data Hub: latest projects")
    subtitle = _("Projects submitted to the hub and projects authorised.")

    def link(self):
        return reverse("projects:directory")

    def items(self):
        return (
            Event.objects.filter(
                action__in=["submitted", "authorised"], visibility=Event.Visibility.PUBLIC
            )
            .select_related("project__authorisation")
            .order_by("-at", "-pk")[:50]
        )

    def item_title(self, event: Event) -> str:
        """An authorisation is announced with its reference, never without."""
        label = event.label
        if event.action == "authorised":
            authorisation = event.project.authorisation_on_record
            label = (
                f"{label} ({authorisation.reference})"
                if authorisation
                else gettext("Authorisation stage (reference not yet on record)")
            )
        return f"{label}: {event.project.title} ({event.project.reference})"

    def item_description(self, event: Event) -> str:
        return event.project.summary

    def item_link(self, event: Event) -> str:
        url = reverse("projects:public", kwargs={"reference": event.project.reference})
        return f"{url}#event-{event.pk}"

    def item_pubdate(self, event: Event):
        return event.at

    def item_updateddate(self, event: Event):
        return event.at
