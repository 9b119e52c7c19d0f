"""Importing existing records of projects from a CSV file, all or nothing."""

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from catalog.models import Base
from projects import bulk, clocks, services
from projects.models import (
    Event,
    Organisation,
    Programme,
    Project,
    ReferenceCounter,
    RequestedBase,
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
    themes: list[Theme]
    programme: Programme | None
    bases: list[Base]
    status: str
    submitted_on: date
    launched_on: date | None


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "Report") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


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


# Rows written together: each kind of record goes to the database in one statement
# for the whole chunk (a few more for the clocks), never one per row.
CHUNK = 2000


@transaction.atomic
def import_rows(rows: list[Row], *, source: str) -> Report:
    """Creates or updates each project by reference, and logs where it came from.

    All or nothing here too: a row the checks let through but the database refuses
    (a value longer than its column, say) undoes every row written before it, and
    is reported with its line like any other error.
    """
    report = Report()
    for start in range(0, len(rows), CHUNK):
        report.add(_write_until_refused(rows[start : start + CHUNK], source=source))
    if report.created or report.updated:
        services.public_data_changed()
    return report


def _write_until_refused(rows: list[Row], *, source: str) -> Report:
    """Writes the rows, or finds the first one the database refuses.

    A refused chunk is undone (its savepoint) and written again in halves, the first
    half first, down to the single row that fails: the error then names the row and
    the database's reason as writing row after row would, every row before it
    written and none after it tried.
    """
    try:
        with transaction.atomic():
            return _write(rows, source=source)
    except DatabaseError as error:
        if len(rows) == 1:
            raise ImportRejected([f"line {rows[0].line}: could not be written: {error}"]) from error
    middle = len(rows) // 2
    report = _write_until_refused(rows[:middle], source=source)
    report.add(_write_until_refused(rows[middle:], source=source))
    return report


# A project's fields that an import sets (attribute names), as a row gives them.
FIELDS = ["title", "summary", "sponsor_id", "programme_id", "status", "submitted_on", "launched_on"]


def _fields(row: Row, sponsor_id: int) -> dict:
    return {
        "title": row.title,
        "summary": row.summary,
        "sponsor_id": sponsor_id,
        "programme_id": row.programme.pk if row.programme else None,
        "status": row.status,
        "submitted_on": row.submitted_on,
        "launched_on": row.launched_on,
    }


def _write(rows: list[Row], *, source: str) -> Report:
    """Creates or updates the rows' projects and logs where each came from: each kind
    of record read and written for all the rows at once."""
    report = Report()
    # Many rows at once on PostgreSQL; a single row as Django writes one, so that a row
    # the database refuses is reported in the words of an INSERT (COPY adds context).
    many = len(rows) > 1 and connection.vendor == "postgresql"
    create, update = (bulk.copy_insert, bulk.array_update) if many else (_bulk_create, _bulk_update)
    sponsors = sponsors_by_name([row.sponsor for row in rows])
    existing = {
        project.reference: project
        for project in Project.objects.filter(reference__in=[row.reference for row in rows])
        .only("reference", "status_changed_at", *FIELDS)
        .order_by()
    }
    themes = _links(Project.themes.through, "theme_id", existing.values())
    bases = _links(RequestedBase, "base_id", existing.values())
    created: list[tuple[Project, Row]] = []
    updated: list[tuple[Project, Row]] = []
    for row in rows:
        fields = _fields(row, sponsors[row.sponsor])
        project = existing.get(row.reference)
        if project is None:
            created.append((Project(reference=row.reference, **fields), row))
        elif _same(project, row, fields, themes[project.pk], bases[project.pk]):
            report.unchanged += 1
        else:
            if project.status != row.status:
                project.status_changed_at = timezone.now()
            for name, value in fields.items():
                setattr(project, name, value)
            project.updated_at = timezone.now()
            updated.append((project, row))
    create([project for project, _row in created])
    update([project for project, _row in updated], [*FIELDS, "updated_at", "status_changed_at"])
    written = created + updated
    _set_links(Project.themes.through, "theme_id", written, themes, create, lambda row: row.themes)
    _set_links(RequestedBase, "base_id", written, bases, create, lambda row: row.bases)
    reached = _reached([project.pk for project, _row in updated])
    create(
        [
            event
            for project, row in written
            for event in [
                *implied_events(project, row, reached[project.pk]),
                Event(
                    project_id=project.pk,
                    action="imported",
                    to_status=row.status,
                    reason=f"{source}, line {row.line}",
                    visibility=Event.Visibility.STAFF,
                ),
            ]
        ]
    )
    services.clocks_refresh(projects=Project.objects.filter(pk__in=[p.pk for p, _row in written]))
    reserve_references([row.reference for _project, row in written])
    report.created, report.updated = len(created), len(updated)
    return report


def _bulk_create(instances: list[Model]) -> None:
    if instances:
        type(instances[0])._default_manager.bulk_create(instances)


def _bulk_update(instances: list[Model], names: list[str]) -> None:
    if instances:
        type(instances[0])._default_manager.bulk_update(instances, names)


def sponsors_by_name(names: list[str]) -> dict[str, int]:
    """The organisation of each sponsor name, as `name__iexact` finds it (the first by
    name when several differ only in case), or created, verified, for the first row
    that names it: the hub's own register vouches for its sponsors.

    PostgreSQL compares the names, all in one query, as `iexact` does: its UPPER is
    not Python's (`"ß".upper()` is "SS" in Python only).
    """
    distinct = list(dict.fromkeys(names))
    if connection.vendor != "postgresql":  # the embedded SQLite of `make run`
        return {name: _sponsor_by_name(name) for name in distinct}
    with connection.cursor() as cursor:
        cursor.execute(SPONSORS, [distinct])
        found = {name: (key, organisation) for name, key, organisation in cursor.fetchall()}
    new: dict[str, Organisation] = {}  # by the upper case its names share
    for name in distinct:
        key, organisation = found[name]
        if organisation is None and key not in new:
            new[key] = Organisation(name=name, verified_at=timezone.now())
    Organisation.objects.bulk_create(new.values())
    return {
        name: organisation if organisation is not None else new[key].pk
        for name, (key, organisation) in found.items()
    }


SPONSORS = """
SELECT DISTINCT ON (given.name) given.name, UPPER(given.name), organisation.id
FROM unnest(%s::text[]) AS given(name)
LEFT JOIN projects_organisation AS organisation ON UPPER(organisation.name) = UPPER(given.name)
ORDER BY given.name, organisation.name
"""


def _sponsor_by_name(name: str) -> int:
    """`sponsors_by_name` for one name, on any database."""
    sponsor = Organisation.objects.filter(name__iexact=name).first()
    if sponsor is None:
        sponsor = Organisation.objects.create(name=name, verified_at=timezone.now())
    return sponsor.pk


def _links(model, target: str, projects) -> defaultdict[int, dict[int, int]]:
    """The projects' rows of `model` (themes or requested bases): for each project,
    the pk of the row by the pk of its theme or base."""
    links: defaultdict[int, dict[int, int]] = defaultdict(dict)
    for pk, project_id, target_id in (
        model.objects.filter(project_id__in=[project.pk for project in projects])
        .values_list("pk", "project_id", target)
        .order_by()
    ):
        links[project_id][target_id] = pk
    return links


def _set_links(model, target: str, written, links, create, wanted) -> None:
    """Makes each project's themes or bases those of its row: the ones the row no
    longer names deleted (with what depends on them, as a queryset delete does), the
    new ones added."""
    stale: list[int] = []
    new: list[Model] = []
    for project, row in written:
        ids = [item.pk for item in wanted(row)]
        have = links[project.pk]
        stale.extend(pk for target_id, pk in have.items() if target_id not in ids)
        new.extend(
            model(project_id=project.pk, **{target: target_id})
            for target_id in dict.fromkeys(ids)
            if target_id not in have
        )
    model.objects.filter(pk__in=stale).delete()
    create(new)


def _reached(project_ids: list[int]) -> defaultdict[int, set[str]]:
    """The states each project's trail entered by a transition (not by an import)."""
    reached: defaultdict[int, set[str]] = defaultdict(set)
    for project_id, to_status in (
        Event.objects.filter(project_id__in=project_ids)
        .exclude(from_status="")
        .values_list("project_id", "to_status")
        .order_by()
        .distinct()
    ):
        reached[project_id].add(to_status)
    return reached


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


def implied_events(project: Project, row: Row, reached: set[str]) -> list[Event]:
    """The public events the row's dates imply, at those dates, unless the trail has
    them already (`reached`): the clocks, the durations and the statistics count from
    them, not from the day of the import. A state the row gives no date for (under
    review, say) is entered by the `imported` event that follows, at the time of the
    import. The audit trail is append-only: a date changed in a later file adds
    nothing."""
    return [
        Event(
            project_id=project.pk,
            at=at_noon(day),
            action=action,
            from_status=frm,
            to_status=to,
            visibility=Event.Visibility.PUBLIC,
        )
        for column, action, frm, to, states in IMPLIED
        if row.status in states and (day := getattr(row, column)) is not None and to not in reached
    ]


def _same(project: Project, row: Row, fields: dict, themes: dict, bases: dict) -> bool:
    if any(getattr(project, name) != value for name, value in fields.items()):
        return False
    return set(themes) == {t.pk for t in row.themes} and set(bases) == {b.pk for b in row.bases}


def reserve_reference(reference: str) -> None:
    """An imported HDH reference is never given again to a new submission."""
    reserve_references([reference])


def reserve_references(references: list[str]) -> None:
    """`reserve_reference` for many: each year's counter raised to the highest number
    the references give it, in a few statements."""
    highest: dict[int, int] = {}
    for reference in references:
        match = REFERENCE.match(reference)
        if match:
            year, number = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, number), number)
    if not highest:
        return
    counters = ReferenceCounter.objects.select_for_update().in_bulk(list(highest))
    ReferenceCounter.objects.bulk_create(
        ReferenceCounter(year=year, last=number)
        for year, number in highest.items()
        if year not in counters
    )
    raised = [counter for counter in counters.values() if counter.last < highest[counter.year]]
    for counter in raised:
        counter.last = highest[counter.year]
    ReferenceCounter.objects.bulk_update(raised, ["last"])
