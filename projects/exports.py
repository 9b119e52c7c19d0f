"""The directory as files and as a feed: public fields only, streamed row by row."""

import csv
import json
from collections.abc import Iterator

from django.contrib.syndication.views import Feed
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from projects import directory
from projects.filters import ProjectFilter
from projects.models import Event, Project

COLUMNS = [
    "reference",
    "title",
    "summary",
    "sponsor",
    "sponsor_verified",
    "themes",
    "programme",
    "bases",
    "status",
    "submitted_on",
    "opinion_on",
    "authorised_on",
    "launched_on",
    "completed_on",
    "url",
]


def public_record(project: Project, base_url: str) -> dict:
    """What the law makes public about a project; nothing else ever leaves this way."""
    return {
        "reference": project.reference,
        "title": project.title,
        "summary": project.summary,
        "sponsor": project.sponsor.name if project.sponsor else "",
        # Anyone can register an organisation: only the hub's check makes the name sure.
        "sponsor_verified": bool(project.sponsor and project.sponsor.is_verified),
        "themes": [theme.slug for theme in project.themes.all()],
        "programme": project.programme.slug if project.programme else "",
        "bases": [request.base.acronym for request in project.requested_bases.all()],
        "status": project.status,
        "submitted_on": _iso(project.submitted_on),
        "opinion_on": _iso(project.opinion_on),
        "authorised_on": _iso(project.authorised_on),
        "launched_on": _iso(project.launched_on),
        "completed_on": _iso(project.completed_on),
        "url": base_url + reverse("projects:public", kwargs={"reference": project.reference}),
    }


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _records(request) -> Iterator[dict]:
    filterset = ProjectFilter(request.GET, queryset=Project.objects.public())
    rows = directory.page_rows(filterset.ordered(filterset.qs))
    base_url = request.build_absolute_uri("/").rstrip("/")
    for project in rows.iterator(chunk_size=500):
        yield public_record(project, base_url)


def _cell(value) -> str:
    """Lists joined with |, booleans as true/false, as in the JSON export."""
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv(request):
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(COLUMNS)  # BOM: spreadsheets read UTF-8 right
        for record in _records(request):
            yield writer.writerow([_cell(record[column]) for column in COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="projects.csv"'
    return response


def export_json(request):
    def chunks():
        yield "["
        for index, record in enumerate(_records(request)):
            yield ("," if index else "") + json.dumps(record, ensure_ascii=False)
        yield "]"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


class LatestProjectsFeed(Feed):
    """Projects as they are submitted and authorised: what a journalist would follow."""

    feed_type = Atom1Feed
    title = _("Health Data Hub: latest projects")
    subtitle = _("Projects submitted to the hub and projects authorised.")

    def link(self):
        return reverse("projects:directory")

    def items(self):
        return (
            Event.objects.filter(
                action__in=["submitted", "authorised"], visibility=Event.Visibility.PUBLIC
            )
            .select_related("project")
            .order_by("-at", "-pk")[:50]
        )

    def item_title(self, event: Event) -> str:
        return f"{event.label}: {event.project.title} ({event.project.reference})"

    def item_description(self, event: Event) -> str:
        return event.project.summary

    def item_link(self, event: Event) -> str:
        url = reverse("projects:public", kwargs={"reference": event.project.reference})
        return f"{url}#event-{event.pk}"

    def item_pubdate(self, event: Event):
        return event.at

    def item_updateddate(self, event: Event):
        return event.at
