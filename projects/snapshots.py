"""What an application says, as plain data: for frozen versions, their diffs and completeness."""

import difflib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from projects.models import Attachment, Authorisation, Project

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# Every field of an application, in the order the versions, their differences and the
# PDF show them; `fields_for` keeps those of one kind.
FIELDS: list[tuple[str, "StrPromise"]] = [
    ("kind", _("Kind of application")),
    ("title", _("Title")),
    ("summary", _("Public summary")),
    ("purpose", _("Purpose and public-interest justification")),
    ("methodology", _("Methodology")),
    ("expected_results", _("Expected results")),
    ("statistics_wanted", _("Statistics wanted")),
    ("sponsor", _("Sponsor organisation")),
    ("themes", _("Themes")),
    ("programme", _("Programme")),
    ("bases", _("Bases requested")),
    ("planned_start", _("Planned start")),
    ("duration_months", _("Duration (months)")),
    ("funding", _("Funding")),
    ("data_processor", _("Data processor")),
    ("data_users", _("Who will access the data")),
    ("environment", _("Secure processing environment")),
    ("environment_name", _("Name of that environment")),
    ("planned_outputs", _("Outputs planned to leave the environment")),
    ("legal_route", _("Legal route")),
    ("conformity_declared", _("Declaration of conformity filed")),
    ("accepts_no_reidentification", _("No attempt to re-identify anyone")),
    ("accepts_no_harm", _("No use that could stigmatise or harm")),
    ("attachments", _("Attachments")),
]
LABELS = dict(FIELDS)

# A data request's purpose is the question its statistics answer.
QUESTION_LABEL = _("Question the statistics answer")


@dataclass(frozen=True)
class Section:
    """A section of the application form: its anchor, its title and its fields (form
    fields, and `bases` and `attachments` for the formset and the files)."""

    slug: str
    title: "StrPromise"
    fields: tuple[str, ...]


ACCESS, REQUEST = Project.Kind.ACCESS, Project.Kind.REQUEST

# What each kind of application holds, section by section: the form shows these and
# saves only these; the versions and the PDF show these.
SECTIONS: dict[str, tuple[Section, ...]] = {
    ACCESS: (
        Section("project", _("The project"), ("title", "summary", "themes", "programme")),
        Section("purpose", _("Purpose and method"), ("purpose", "methodology", "expected_results")),
        Section(
            "sponsor",
            _("Sponsor and funding"),
            ("sponsor", "funding", "data_processor", "planned_start", "duration_months"),
        ),
        Section("bases", _("Data requested"), ("bases",)),
        Section(
            "access",
            _("Access to the data"),
            ("data_users", "environment", "environment_name", "planned_outputs"),
        ),
        Section("legal", _("Legal route"), ("legal_route", "conformity_declared")),
        Section(
            "declarations", _("Declarations"), ("accepts_no_reidentification", "accepts_no_harm")
        ),
        Section("attachments", _("Attachments"), ("attachments",)),
    ),
    REQUEST: (
        Section("project", _("The project"), ("title", "summary", "themes", "programme")),
        Section("sponsor", _("Sponsor"), ("sponsor",)),
        Section("question", _("The question"), ("purpose", "statistics_wanted")),
        Section("bases", _("Data requested"), ("bases",)),
    ),
}

# What the EHDS regulation (Art. 67) and French practice ask of a data access
# application, beside its scientific content.
EHDS_FIELDS = (
    "data_users",
    "environment",
    "environment_name",
    "planned_outputs",
    "legal_route",
    "conformity_declared",
    "accepts_no_reidentification",
    "accepts_no_harm",
)

# What a submission needs, per kind. Also needed, on a condition: `environment_name`
# for another environment, `conformity_declared` for a reference methodology.
CONDITIONAL = ("environment_name", "conformity_declared")
REQUIRED: dict[str, frozenset[str]] = {
    ACCESS: frozenset(
        {
            "title",
            "summary",
            "purpose",
            "methodology",
            "expected_results",
            "funding",
            "sponsor",
            "themes",
            "planned_start",
            "duration_months",
            "bases",
            *(name for name in EHDS_FIELDS if name not in CONDITIONAL),
            "attachments",
        }
    ),
    REQUEST: frozenset(
        {"title", "summary", "purpose", "statistics_wanted", "sponsor", "themes", "bases"}
    ),
}


def sections_of(kind: str) -> tuple[Section, ...]:
    return SECTIONS.get(kind, SECTIONS[ACCESS])


def fields_of(kind: str) -> list[str]:
    """The fields an application of this kind holds, in the form's order."""
    return [field for section in sections_of(kind) for field in section.fields]


def required_of(project: Project) -> set[str]:
    """The fields a submission of `project` needs, as it stands (with the conditional ones)."""
    required = set(REQUIRED.get(project.kind, REQUIRED[ACCESS]))
    if not project.is_data_request:
        if project.environment == Project.Environment.OTHER:
            required.add("environment_name")
        if project.legal_route in Authorisation.Methodology.values:
            required.add("conformity_declared")
    return required


def fields_for(content: dict) -> list[tuple[str, str]]:
    """(field, label) of a version's content, those of its kind only, in order. Versions
    submitted before there were kinds are data access applications."""
    kind = content.get("kind") or ACCESS
    kept = {"kind", *fields_of(kind)}
    return [
        (field, str(QUESTION_LABEL if kind == REQUEST and field == "purpose" else label))
        for field, label in FIELDS
        if field in kept
    ]


def snapshot(project: Project) -> dict:
    """The full content of the application, in JSON-safe values, as a version stores it."""
    return {
        "kind": project.kind,
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
        "statistics_wanted": project.statistics_wanted,
        "data_users": project.data_users,
        "environment": project.environment,
        "environment_name": project.environment_name,
        "planned_outputs": project.planned_outputs,
        "legal_route": project.legal_route,
        "conformity_declared": project.conformity_declared,
        "accepts_no_reidentification": project.accepts_no_reidentification,
        "accepts_no_harm": project.accepts_no_harm,
        "attachments": [
            {"name": a.original_name, "kind": a.kind, "size": a.size}
            for a in project.attachments.all()
        ],
    }


def _iso(value) -> str:
    return value.isoformat() if value else ""


# Fields stored as a code, shown by their label in the reader's language.
CHOICES = {
    "kind": Project.Kind,
    "environment": Project.Environment,
    "legal_route": Project.LegalRoute,
}


def display_value(field: str, value):
    """A stored value as a reader sees it: a choice by its label, a yes or no in words.
    Versions submitted before there were kinds are data access applications."""
    if field == "kind" and not value:
        value = ACCESS
    if field in CHOICES and value:
        try:
            return str(CHOICES[field](value).label)
        except ValueError:
            return value
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field in DATES:
        return shown_date(value)
    return value


# Dates, stored as ISO text in a version, shown in the reader's format.
DATES = {"planned_start"}


def shown_date(iso: str) -> str:
    """An ISO date of a version (« 2026-03-01 ») as the reader writes it (01/03/2026)."""
    if not iso:
        return ""
    try:
        return formats.date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT")
    except ValueError:
        return iso


def as_lines(field: str, value) -> list[str]:
    """A field's value as the lines a reader compares."""
    value = display_value(field, value)
    if field == "bases":
        return [
            "{} ({} → {}): {}".format(
                b["base"],
                shown_date(b["period_start"]) or "?",
                shown_date(b["period_end"]) or "?",
                b["justification"],
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
    for field, label in fields_for(new):
        before, after = as_lines(field, old.get(field)), as_lines(field, new.get(field))
        lines = [
            (line[0], line[2:]) for line in difflib.ndiff(before, after) if not line.startswith("?")
        ]
        result.append(FieldDiff(field, label, before != after, lines))
    return result


REQUIRED_TEXT = [
    "title",
    "summary",
    "purpose",
    "methodology",
    "expected_results",
    "funding",
    "statistics_wanted",
    "data_users",
    "planned_outputs",
]


def submission_problems(project: Project) -> dict[str, list[str]]:
    """Everything still missing before the application can be submitted, per field,
    by what its kind needs (`REQUIRED`)."""
    problems: dict[str, list[str]] = {}
    required = required_of(project)

    def add(field: str, message) -> None:
        problems.setdefault(field, []).append(str(message))

    def missing(field: str) -> None:
        # Named, so that the summary at the top of the form says which field it is.
        label = LABELS[field]
        if field == "purpose" and project.is_data_request:
            label = QUESTION_LABEL
        add(field, _("“%(field)s” is required to submit.") % {"field": capfirst(label)})

    for field in REQUIRED_TEXT:
        if field in required and not getattr(project, field).strip():
            missing(field)
    if "sponsor" in required and project.sponsor_id is None:
        add("sponsor", _("Choose the sponsor organisation."))
    if "themes" in required and not project.themes.exists():
        add("themes", _("Choose at least one theme."))
    for field in ("planned_start", "duration_months", "environment", "legal_route"):
        if field in required and not getattr(project, field):
            missing(field)
    if "environment_name" in required and not project.environment_name.strip():
        add("environment_name", _("Name the other secure processing environment."))
    if "conformity_declared" in required and not project.conformity_declared:
        add(
            "conformity_declared",
            _(
                "Under a reference methodology, file the declaration of conformity with "
                "the CNIL, then say so."
            ),
        )
    for field in ("accepts_no_reidentification", "accepts_no_harm"):
        if field in required and not getattr(project, field):
            add(field, _("Accept the declaration “%(field)s”.") % {"field": LABELS[field]})
    if "bases" in required:
        requests = list(project.requested_bases.select_related("base"))
        if not requests:
            add("bases", _("Request at least one base of the catalog."))
        for request in requests:
            if not request.justification.strip():
                add("bases", _("Explain why you need %(base)s.") % {"base": request.base})
            if request.period_start is None or request.period_end is None:
                add(
                    "bases",
                    _("Give the period of %(base)s data you need.") % {"base": request.base},
                )
    if (
        "attachments" in required
        and not project.attachments.filter(kind=Attachment.Kind.PROTOCOL).exists()
    ):
        add("attachments", _("Attach the study protocol."))
    return problems


@dataclass(frozen=True)
class SectionState:
    section: Section
    complete: bool
    missing: list[str]


def section_states(kind: str, problems: dict[str, list[str]] | None) -> list[SectionState]:
    """Each section of the form, complete when none of its fields is in `problems`
    (`None`: nothing saved yet, so nothing complete)."""
    states = []
    for section in sections_of(kind):
        if problems is None:
            states.append(SectionState(section, False, []))
            continue
        missing = [message for field in section.fields for message in problems.get(field, [])]
        states.append(SectionState(section, not missing, missing))
    return states
