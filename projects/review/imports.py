"""Importing existing records of projects from a CSV file, all or nothing."""

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import DatabaseError, transaction
from django.utils import timezone

from catalog.models import Base
from projects import clocks, services
from projects.models import (
    Event,
    Organisation,
    Programme,
    Project,
    ReferenceCounter,
    Status,
    Theme,
)

COLUMNS = [
    "reference",
    "title",
    "summary",
    "sponsor",
    "themes",
    "programme",
    "bases",
    "status",
    "submitted_on",
    "launched_on",
]
REFERENCE = re.compile(r"^HDH-(\d{4})-(\d{4,})$")


@dataclass
class Row:
    line: int
    reference: str
    title: str
    summary: str
    sponsor: str
    themes: list
    programme: object
    bases: list
    status: str
    submitted_on: date
    launched_on: date | None


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportRejected(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def read_rows(lines) -> list[Row]:
    """Parses and checks every row; raises ImportRejected with every error found."""
    reader = csv.DictReader(lines)
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected([f"line 1: missing columns: {', '.join(missing)}"])
    lookups = _Lookups()
    rows: list[Row] = []
    errors: list[str] = []
    seen: dict[str, int] = {}  # reference -> line
    for record in reader:
        line = reader.line_num
        row, problems = _parse(record, line, lookups)
        if row is not None and row.reference in seen:
            problems.append(f"reference {row.reference} already on line {seen[row.reference]}")
        if row is None or problems:
            errors.extend(f"line {line}: {problem}" for problem in problems)
        else:
            seen[row.reference] = line
            rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


class _Lookups:
    """Themes, programmes and bases by the names a CSV may use for them."""

    def __init__(self):
        self.themes = {theme.slug: theme for theme in Theme.objects.all()}
        self.programmes = {programme.slug: programme for programme in Programme.objects.all()}
        self.bases = {}
        for base in Base.objects.all():
            self.bases[base.acronym.lower()] = base
            self.bases[base.slug.lower()] = base


def _parse(record: dict, line: int, lookups: _Lookups) -> tuple[Row | None, list[str]]:
    problems: list[str] = []
    value = {column: (record.get(column) or "").strip() for column in COLUMNS}
    reference = value["reference"]
    if not reference or len(reference) > 20:
        problems.append("reference is required (20 characters at most)")
    for column in ("title", "sponsor"):
        if not value[column]:
            problems.append(f"{column} is required")
    themes = []
    for slug in _split(value["themes"]):
        if slug in lookups.themes:
            themes.append(lookups.themes[slug])
        else:
            problems.append(f"unknown theme {slug!r}")
    programme = None
    if value["programme"]:
        programme = lookups.programmes.get(value["programme"])
        if programme is None:
            problems.append(f"unknown programme {value['programme']!r}")
    bases = []
    for name in _split(value["bases"]):
        if name.lower() in lookups.bases:
            bases.append(lookups.bases[name.lower()])
        else:
            problems.append(f"unknown base {name!r}")
    if value["status"] not in Status.values or value["status"] == Status.DRAFT:
        problems.append(f"unknown status {value['status']!r}")
    submitted_on = _day(value, "submitted_on", problems, required=True)
    launched_on = _day(value, "launched_on", problems, required=False)
    if submitted_on and launched_on and launched_on < submitted_on:
        problems.append("launched_on is before submitted_on")
    if problems:
        return None, problems
    assert submitted_on is not None  # required: `_day` reported it as a problem otherwise
    row = Row(
        line=line,
        reference=reference,
        title=value["title"],
        summary=value["summary"],
        sponsor=value["sponsor"],
        themes=themes,
        programme=programme,
        bases=bases,
        status=value["status"],
        submitted_on=submitted_on,
        launched_on=launched_on,
    )
    return row, problems


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _day(value: dict, column: str, problems: list[str], *, required: bool) -> date | None:
    text = value[column]
    if not text:
        if required:
            problems.append(f"{column} is required")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{column} {text!r} is not a date (YYYY-MM-DD)")
        return None


@transaction.atomic
def import_rows(rows: list[Row], *, source: str) -> Report:
    """Creates or updates each project by reference, and logs where it came from.

    All or nothing here too: a row the checks let through but the database refuses
    (a value longer than its column, say) undoes every row written before it, and
    is reported with its line like any other error.
    """
    report = Report()
    for row in rows:
        try:
            _write(row, source=source, report=report)
        except DatabaseError as error:
            raise ImportRejected([f"line {row.line}: could not be written: {error}"]) from error
    if report.created or report.updated:
        services.public_data_changed()
    return report


def _write(row: Row, *, source: str, report: Report) -> None:
    """Creates or updates the row's project and logs where it came from."""
    sponsor = Organisation.objects.filter(name__iexact=row.sponsor).first()
    if sponsor is None:
        # The hub's own register vouches for its sponsors: verified as imported.
        sponsor = Organisation.objects.create(name=row.sponsor, verified_at=timezone.now())
    fields = {
        "title": row.title,
        "summary": row.summary,
        "sponsor": sponsor,
        "programme": row.programme,
        "status": row.status,
        "submitted_on": row.submitted_on,
        "launched_on": row.launched_on,
    }
    project = Project.objects.filter(reference=row.reference).first()
    if project is None:
        project = Project.objects.create(reference=row.reference, **fields)
        report.created += 1
    elif _same(project, row, fields):
        report.unchanged += 1
        return
    else:
        from_status = project.status
        for name, value in fields.items():
            setattr(project, name, value)
        if from_status != row.status:
            project.status_changed_at = timezone.now()
        project.save()
        report.updated += 1
    project.themes.set(row.themes)
    project.requested_bases.exclude(base__in=row.bases).delete()
    for base in row.bases:
        project.requested_bases.get_or_create(base=base)
    write_implied_events(project, row)
    Event.objects.create(
        project=project,
        action="imported",
        to_status=row.status,
        reason=f"{source}, line {row.line}",
        visibility=Event.Visibility.STAFF,
    )
    services.clock_store(project=project)
    reserve_reference(row.reference)


# The transitions a row's dates stand for: (column, action, from, to, for rows in
# these states).
IMPLIED: list[tuple[str, str, str, str, set[str]]] = [
    ("submitted_on", "submitted", Status.DRAFT, Status.SUBMITTED, set(Status.values)),
    (
        "launched_on",
        "launched",
        Status.APPROVED,
        Status.IN_PROGRESS,
        {Status.IN_PROGRESS, Status.COMPLETED},
    ),
]


def at_noon(day: date) -> datetime:
    """An event known only by its day: at noon, hub time, safely inside that day."""
    return datetime.combine(day, time(12), tzinfo=clocks.hub_timezone())


def write_implied_events(project: Project, row: Row) -> list[Event]:
    """The public events the row's dates imply, at those dates, unless the trail has
    them already: the clocks, the durations and the statistics count from them, not
    from the day of the import. A state the row gives no date for (under review,
    say) is entered by the `imported` event that follows, at the time of the import.
    The audit trail is append-only: a date changed in a later file adds nothing."""
    reached = set(
        project.events.exclude(from_status="").values_list("to_status", flat=True).distinct()
    )
    return [
        Event.objects.create(
            project=project,
            at=at_noon(day),
            action=action,
            from_status=frm,
            to_status=to,
            visibility=Event.Visibility.PUBLIC,
        )
        for column, action, frm, to, states in IMPLIED
        if row.status in states and (day := getattr(row, column)) is not None and to not in reached
    ]


def _same(project: Project, row: Row, fields: dict) -> bool:
    if any(getattr(project, name) != value for name, value in fields.items()):
        return False
    themes = set(project.themes.values_list("pk", flat=True))
    bases = set(project.requested_bases.values_list("base_id", flat=True))
    return themes == {t.pk for t in row.themes} and bases == {b.pk for b in row.bases}


def reserve_reference(reference: str) -> None:
    """An imported HDH reference is never given again to a new submission."""
    match = REFERENCE.match(reference)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
        if counter.last < number:
            counter.last = number
            counter.save(update_fields=["last"])
