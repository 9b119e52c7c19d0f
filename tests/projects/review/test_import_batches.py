"""import_projects in bulk: a few statements per chunk of rows whatever their number,
chunks that behave as one file, and a refused row found and named as before."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from projects.models import (
    Event,
    HolderDecision,
    Organisation,
    Project,
    ReferenceCounter,
    RequestedBase,
)
from projects.review import imports
from projects.review.imports import read_rows
from tests.projects.review.test_import import HEADER, database_state, write

pytestmark = pytest.mark.django_db

THEMES = ["ai", "prevention|covid-19", "", "boas"]
BASES = ["ESME", "bndmr|OSCOUR", "e-must", "hepather|esme"]
STATES = [
    ("submitted", ""),
    ("in_progress", "2023-06-01"),
    ("under_review", ""),
    ("completed", "2023-09-01"),
]


def register(
    count: int, *, title: str = "Étude", first: int = 1, sponsor: str = "Institut Nouveau"
) -> str:
    """A file of `count` rows, every kind of row in turn: themes or none, one base or
    several, launched or not, a programme or none, a sponsor named in two cases."""
    lines = [HEADER]
    for index in range(first, first + count):
        status, launched = STATES[index % 4]
        lines.append(
            f"HDH-2023-{index:04d},{title} {index},Résumé {index},"
            f"{sponsor if index % 2 else sponsor.upper()},"
            f"{THEMES[index % 4]},{'unibase' if index % 3 == 0 else ''},{BASES[index % 4]},"
            f"{status},2023-01-10,{launched}\n"
        )
    return "".join(lines)


def queries_to_import(tmp_path, text: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        call_command("import_projects", write(tmp_path, text), stdout=io.StringIO())
    return len(queries)


@pytest.mark.parametrize("title", [pytest.param("Étude", id="unchanged"), "Étude révisée"])
def test_an_import_makes_as_many_queries_for_30_rows_as_for_3(tmp_path, demo_catalog, title):
    """Every kind of record is read and written for all the rows at once (COPY
    included: each is preceded by the query that takes its primary keys)."""
    files = [(3, 1, "Institut Nouveau"), (30, 101, "Institut Autre")]

    created = [
        queries_to_import(tmp_path, register(count, first=first, sponsor=sponsor))
        for count, first, sponsor in files
    ]
    again = [
        queries_to_import(tmp_path, register(count, first=first, sponsor=sponsor, title=title))
        for count, first, sponsor in files
    ]

    assert created[0] == created[1] <= 40
    assert again[0] == again[1] <= 40
    assert Project.objects.count() == 33


def snapshot() -> dict:
    """What an import wrote, without the keys and times that differ from run to run."""
    return {
        "projects": sorted(
            Project.objects.values_list(
                "reference",
                "title",
                "sponsor__name",
                "programme__slug",
                "status",
                "launched_on",
                "stage_due_on",
                "decision_due_on",
            )
        ),
        "themes": sorted(
            Project.themes.through.objects.values_list("project__reference", "theme__slug")
        ),
        "bases": sorted(RequestedBase.objects.values_list("project__reference", "base__slug")),
        "events": sorted(
            Event.objects.values_list(
                "project__reference", "action", "from_status", "to_status", "reason"
            )
        ),
        "organisations": sorted(Organisation.objects.values_list("name", flat=True)),
        "counters": sorted(ReferenceCounter.objects.values_list("year", "last")),
    }


def imported_in_chunks(tmp_path, monkeypatch, chunk: int, *texts: str) -> tuple[list, dict]:
    """The reports of importing the files in turn, and what they wrote, then undone."""
    monkeypatch.setattr(imports, "CHUNK", chunk)
    with transaction.atomic():
        reports = []
        for text in texts:
            out = io.StringIO()
            call_command("import_projects", write(tmp_path, text), stdout=out)
            reports.append(out.getvalue().strip())
        state = snapshot()
        transaction.set_rollback(True)
    return reports, state


def test_a_file_written_in_chunks_is_written_as_in_one(tmp_path, demo_catalog, monkeypatch):
    first = register(7)
    second = (
        register(7, title="Étude révisée").replace("bndmr|OSCOUR", "OSCOUR")
        + "HDH-2024-0900,Nouvelle,,Unicancer,ai,,ESME,submitted,2024-02-01,\n"
    )

    whole = imported_in_chunks(tmp_path, monkeypatch, 2000, first, first, second)
    in_twos = imported_in_chunks(tmp_path, monkeypatch, 2, first, first, second)

    assert in_twos == whole
    reports, state = whole
    assert reports == [
        "records.csv: 7 created, 0 updated, 0 unchanged.",
        "records.csv: 0 created, 0 updated, 7 unchanged.",
        "records.csv: 1 created, 7 updated, 0 unchanged.",
    ]
    # One sponsor, named as the first row names it, though later chunks spell it otherwise.
    assert state["organisations"] == ["Institut Nouveau", "Unicancer"]
    assert state["counters"] == [(2023, 7), (2024, 900)]
    assert ("HDH-2023-0007", "imported", "", "completed", "records.csv, line 8") in state["events"]


def test_a_row_refused_in_a_later_chunk_undoes_the_earlier_chunks(tmp_path, earlier, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    text = (
        register(3) + "HDH-2023-0004," + "T" * 301 + ",,Unicancer,ai,,ESME,submitted,2023-01-10,\n"
    )

    with pytest.raises(CommandError) as raised:
        call_command("import_projects", write(tmp_path, text))

    # In the words of the INSERT of that one row, as a row-by-row import gave them.
    assert str(raised.value) == (
        "records.csv: nothing imported, "
        "line 5: could not be written: value too long for type character varying(300)"
    )
    assert database_state() == earlier


@pytest.fixture
def earlier(tmp_path, demo_catalog):
    """Two projects imported earlier, which a refused file must leave as they are."""
    path = write(tmp_path, register(2, first=50), name="earlier.csv")
    call_command("import_projects", path, stdout=io.StringIO())
    return database_state()


def test_a_chunk_refused_once_is_written_again_in_halves(tmp_path, demo_catalog, monkeypatch):
    """A refusal that no single row explains (the database gave up on the chunk as a
    whole) costs a retry in halves, not the import."""
    write_rows = imports._write
    failures: list[int] = []

    def refuse_the_whole_file_once(rows, *, source):
        if len(rows) == 4 and not failures:
            failures.append(len(rows))
            raise DatabaseError("canceling statement due to statement timeout")
        return write_rows(rows, source=source)

    monkeypatch.setattr(imports, "_write", refuse_the_whole_file_once)

    out = io.StringIO()
    call_command("import_projects", write(tmp_path, register(4)), stdout=out)

    assert failures == [4]
    assert out.getvalue().strip() == "records.csv: 4 created, 0 updated, 0 unchanged."
    # Each half still names the file and the line in the staff-only event.
    assert sorted(Event.objects.filter(action="imported").values_list("reason", flat=True)) == [
        f"records.csv, line {line}" for line in range(2, 6)
    ]


def test_sponsors_are_matched_as_postgresql_compares_names(tmp_path, demo_catalog):
    """As `name__iexact` matches them: in PostgreSQL's upper case, where "ß" stays "ß"
    (Python's is "SS"), and the first by name when several differ only in case."""
    for name in ("Straße", "Alpha", "ALPHA"):
        Organisation.objects.create(name=name)
    names = ["straße", "STRASSE", "alpha", "Institut Neuf", "INSTITUT NEUF", "Straße"]

    sponsors = imports.sponsors_by_name(names)

    assert {name: Organisation.objects.get(pk=pk).name for name, pk in sponsors.items()} == {
        "straße": "Straße",
        "STRASSE": "STRASSE",
        "alpha": "ALPHA",
        "Institut Neuf": "Institut Neuf",
        "INSTITUT NEUF": "Institut Neuf",
        "Straße": "Straße",
    }
    assert Organisation.objects.get(name="INSTITUT NEUF".title()).verified_at is not None
    # The portable way (`make run`'s SQLite) finds the same organisations, one by one.
    assert {name: imports._sponsor_by_name(name) for name in names} == sponsors


def test_imported_projects_are_found_by_the_search_with_their_sponsor(tmp_path, demo_catalog):
    imported = register(3)
    call_command("import_projects", write(tmp_path, imported), stdout=io.StringIO())
    call_command(
        "import_projects",
        write(tmp_path, imported.replace("Étude 2,", "Cohorte 2,")),
        stdout=io.StringIO(),
    )

    vectors = {
        reference: str(vector)
        for reference, vector in Project.objects.values_list("reference", "search_vector")
    }
    assert "'etud':1A" in vectors["HDH-2023-0001"]
    assert "'nouveau':4B" in vectors["HDH-2023-0001"]
    assert "'cohort':1A" in vectors["HDH-2023-0002"]


def test_a_base_dropped_by_a_later_file_keeps_its_holder_decision(tmp_path, demo_catalog, reviewer):
    first = HEADER + "HDH-2023-0001,Étude,,Unicancer,ai,,ESME|OSCOUR,submitted,2023-01-10,\n"
    call_command("import_projects", write(tmp_path, first), stdout=io.StringIO())
    project = Project.objects.get()
    request = project.requested_bases.get(base__slug="esme")
    HolderDecision.objects.create(
        project=project,
        base=request.base,
        requested=request,
        decision="agreed",
        recorded_by=reviewer,
        event=Event.objects.create(project=project, action="holder_agreed", visibility="staff"),
    )

    call_command(
        "import_projects",
        write(tmp_path, first.replace("ESME|OSCOUR", "OSCOUR")),
        stdout=io.StringIO(),
    )

    assert list(project.requested_bases.values_list("base__slug", flat=True)) == ["oscour"]
    assert HolderDecision.objects.get().requested is None


def test_the_counters_keep_the_highest_number_of_each_year(demo_catalog):
    ReferenceCounter.objects.create(year=2022, last=80)
    ReferenceCounter.objects.create(year=2023, last=5)

    imports.reserve_references(
        ["HDH-2022-0070", "HDH-2023-0012", "HDH-2023-0009", "HDH-2024-0000", "R-1"]
    )

    assert list(ReferenceCounter.objects.order_by("year").values_list("year", "last")) == [
        (2022, 80),
        (2023, 12),
        (2024, 0),
    ]


def test_the_checks_read_a_file_of_any_length_with_three_queries(demo_catalog):
    with CaptureQueriesContext(connection) as queries:
        rows = read_rows(io.StringIO(register(40)))

    assert len(rows) == 40 and len(queries) == 3
    assert rows[0].submitted_on == date(2023, 1, 10)
