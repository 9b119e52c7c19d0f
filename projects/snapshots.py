"""What an application says, as plain data: for frozen versions, their diffs and completeness."""

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from projects.models import Attachment, Project

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The sections of an application, in the order the form and the versions show them.
FIELDS: list[tuple[str, "StrPromise"]] = [
    ("title", _("Title")),
    ("summary", _("Public summary")),
    ("purpose", _("Purpose and public-interest justification")),
    ("methodology", _("Methodology")),
    ("expected_results", _("Expected results")),
    ("sponsor", _("Sponsor organisation")),
    ("themes", _("Themes")),
    ("programme", _("Programme")),
    ("bases", _("Bases requested")),
    ("planned_start", _("Planned start")),
    ("duration_months", _("Duration (months)")),
    ("funding", _("Funding")),
    ("data_processor", _("Data processor")),
    ("attachments", _("Attachments")),
]
LABELS = dict(FIELDS)


def snapshot(project: Project) -> dict:
    """The full content of the application, in JSON-safe values, as a version stores it."""
    return {
        "title": project.title,
        "summary": project.summary,
        "purpose": project.purpose,
        "methodology": project.methodology,
        "expected_results": project.expected_results,
        "sponsor": project.sponsor.name if project.sponsor else "",
        "themes": sorted(theme.name for theme in project.themes.all()),
        "programme": project.programme.name if project.programme else "",
        "bases": [
            {
                "base": request.base.acronym,
                "justification": request.justification,
                "period_start": _iso(request.period_start),
                "period_end": _iso(request.period_end),
            }
            for request in project.requested_bases.select_related("base")
        ],
        "planned_start": _iso(project.planned_start),
        "duration_months": project.duration_months,
        "funding": project.funding,
        "data_processor": project.data_processor,
        "attachments": [
            {"name": a.original_name, "kind": a.kind, "size": a.size}
            for a in project.attachments.all()
        ],
    }


def _iso(value) -> str:
    return value.isoformat() if value else ""


def as_lines(field: str, value) -> list[str]:
    """A field's value as the lines a reader compares."""
    if field == "bases":
        return [
            "{} ({} → {}): {}".format(
                b["base"], b["period_start"] or "?", b["period_end"] or "?", b["justification"]
            )
            for b in value
        ]
    if field == "attachments":
        return [f"{a['name']} ({a['kind']}, {a['size']} B)" for a in value]
    if isinstance(value, list):
        return [str(item) for item in value]
    if value in (None, ""):
        return []
    return str(value).splitlines()


@dataclass
class FieldDiff:
    field: str
    label: str
    changed: bool
    lines: list[tuple[str, str]]  # (" ", "-" or "+", text)


def diff(old: dict, new: dict) -> list[FieldDiff]:
    """Field by field, line by line: what changed from one version to the next."""
    result = []
    for field, label in FIELDS:
        before, after = as_lines(field, old.get(field)), as_lines(field, new.get(field))
        lines = [
            (line[0], line[2:]) for line in difflib.ndiff(before, after) if not line.startswith("?")
        ]
        result.append(FieldDiff(field, str(label), before != after, lines))
    return result


REQUIRED_TEXT = ["title", "summary", "purpose", "methodology", "expected_results", "funding"]


def submission_problems(project: Project) -> dict[str, list[str]]:
    """Everything still missing before the application can be submitted, per field."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message) -> None:
        problems.setdefault(field, []).append(str(message))

    def required(field: str) -> None:
        # Named, so that the summary at the top of the form says which field it is.
        label = capfirst(getattr(Project._meta.get_field(field), "verbose_name", field))
        add(field, _("“%(field)s” is required to submit.") % {"field": label})

    for field in REQUIRED_TEXT:
        if not getattr(project, field).strip():
            required(field)
    if project.sponsor_id is None:
        add("sponsor", _("Choose the sponsor organisation."))
    if not project.themes.exists():
        add("themes", _("Choose at least one theme."))
    if project.planned_start is None:
        required("planned_start")
    if not project.duration_months:
        required("duration_months")
    requests = list(project.requested_bases.select_related("base"))
    if not requests:
        add("bases", _("Request at least one base of the catalog."))
    for request in requests:
        if not request.justification.strip():
            add("bases", _("Explain why you need %(base)s.") % {"base": request.base})
        if request.period_start is None or request.period_end is None:
            add("bases", _("Give the period of %(base)s data you need.") % {"base": request.base})
    if not project.attachments.filter(kind=Attachment.Kind.PROTOCOL).exists():
        add("attachments", _("Attach the study protocol."))
    return problems
