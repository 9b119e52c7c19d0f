"""import_projects: all or nothing, every error with its line, idempotent."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from projects.models import Event, Organisation, Project, ReferenceCounter, RequestedBase
from projects.review.imports import ImportRejected, read_rows
from tests.factories import make_public_project

pytestmark = pytest.mark.django_db

HEADER = "reference,title,summary,sponsor,themes,programme,bases,status,submitted_on,launched_on\n"
GOOD = HEADER + (
    "HDH-2023-0101,Étude A,Résumé A,Institut Nouveau,ai|prevention,unibase,ESME|bndmr,"
    "in_progress,2023-01-10,2023-06-01\n"
    'HDH-2023-0102,"Étude B, suite",Résumé B,Unicancer,covid-19,,oscour,submitted,2023-03-10,\n'
)


def write(tmp_path, text, name="records.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_projects_organisations_and_an_audit_event(tmp_path, demo_catalog):
    call_command("import_projects", write(tmp_path, GOOD))

    first = Project.objects.get(reference="HDH-2023-0101")
    assert first.sponsor.name == "Institut Nouveau"
    assert sorted(first.themes.values_list("slug", flat=True)) == ["ai", "prevention"]
    assert sorted(first.requested_bases.values_list("base__acronym", flat=True)) == [
        "BNDMR",
        "ESME",
    ]
    assert first.programme.slug == "unibase"
    assert str(first.launched_on) == "2023-06-01"
    assert Project.objects.get(reference="HDH-2023-0102").title == "Étude B, suite"
    event = Event.objects.get(project=first, action="imported")
    assert (event.action, event.reason) == ("imported", "records.csv, line 2")
    assert ReferenceCounter.objects.get(year=2023).last == 102


def test_importing_the_same_file_again_creates_nothing(tmp_path, demo_catalog):
    path = write(tmp_path, GOOD)
    call_command("import_projects", path)
    counts = (Project.objects.count(), Organisation.objects.count(), Event.objects.count())

    call_command("import_projects", path)

    assert (Project.objects.count(), Organisation.objects.count(), Event.objects.count()) == counts


def test_a_changed_row_updates_by_reference(tmp_path, demo_catalog):
    call_command("import_projects", write(tmp_path, GOOD))

    call_command("import_projects", write(tmp_path, GOOD.replace("Étude A", "Étude A bis")))

    assert Project.objects.get(reference="HDH-2023-0101").title == "Étude A bis"
    assert Project.objects.filter(reference="HDH-2023-0101").count() == 1


def test_any_bad_row_rejects_the_whole_file_with_every_error_and_its_line(tmp_path, demo_catalog):
    bad = GOOD + (
        "HDH-2023-0103,C,,X,nope,,ESME,in_progress,2023-01-10,2022-06-01\n"
        "HDH-2023-0104,D,,X,ai,,ZZZ,weird,2023-02-30,\n"
    )

    with pytest.raises(CommandError) as raised:
        call_command("import_projects", write(tmp_path, bad))

    message = str(raised.value)
    assert "line 4: unknown theme 'nope'" in message
    assert "line 4: launched_on is before submitted_on" in message
    assert "line 5: unknown base 'ZZZ'" in message
    assert "line 5: unknown status 'weird'" in message
    assert "line 5: submitted_on '2023-02-30' is not a date" in message
    assert not Project.objects.exists()
    assert not Organisation.objects.filter(name="Institut Nouveau").exists()


def test_missing_columns_and_unreadable_files_are_clear_errors(tmp_path, demo_catalog):
    with pytest.raises(CommandError, match="missing columns: launched_on"):
        call_command(
            "import_projects",
            write(
                tmp_path,
                "reference,title,summary,sponsor,themes,programme,bases,status,submitted_on\n",
            ),
        )
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_projects", tmp_path / "absent.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(GOOD.encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_projects", latin1)


# All or nothing, whatever stage refuses the file. Each case starts from records
# imported earlier, and the database must be exactly as before: every project field,
# theme, base, organisation, event and reference counter.


def database_state():
    return {
        "projects": list(
            Project.objects.order_by("reference").values_list(
                "reference",
                "title",
                "summary",
                "sponsor__name",
                "programme__slug",
                "status",
                "submitted_on",
                "launched_on",
                "status_changed_at",
                "updated_at",
            )
        ),
        "themes": sorted(Project.themes.through.objects.values_list("project_id", "theme__slug")),
        "bases": sorted(RequestedBase.objects.values_list("project_id", "base__slug")),
        "organisations": list(Organisation.objects.order_by("name").values_list("name", "pk")),
        "events": list(Event.objects.order_by("pk").values_list("pk", "project_id", "reason")),
        "counters": list(ReferenceCounter.objects.order_by("year").values_list("year", "last")),
    }


@pytest.fixture
def earlier(demo_catalog):
    """A project imported earlier, with its event and its year's reference counter."""
    project = make_public_project(
        "HDH-2022-0050",
        "Étude ancienne",
        summary="Résumé",
        sponsor="Unicancer",
        themes=["prevention"],
        bases=["esme"],
        status="in_progress",
        submitted_on=date(2022, 2, 1),
        launched_on=date(2022, 9, 1),
    )
    Event.objects.create(
        project=project,
        action="imported",
        to_status="in_progress",
        reason="earlier.csv, line 2",
        visibility=Event.Visibility.STAFF,
    )
    ReferenceCounter.objects.create(year=2022, last=50)
    return database_state()


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (
            "HDH-2023-0101,Étude A bis,,Institut Nouveau,ai,,ESME,submitted,2023-01-10,",
            "line 4: reference HDH-2023-0101 already on line 2",
        ),
        (
            "HDH-2023-0103,Étude C,,Institut Nouveau,ai,inconnu,ESME,submitted,2023-01-10,",
            "line 4: unknown programme 'inconnu'",
        ),
        (
            "HDH-2023-0103,Étude C,,Institut Nouveau,ai,,ESME,draft,2023-01-10,",
            "line 4: unknown status 'draft'",
        ),
    ],
    ids=["reference-twice-in-the-file", "unknown-programme", "draft"],
)
def test_a_row_the_checks_refuse_leaves_the_database_as_it_was(tmp_path, earlier, row, error):
    with pytest.raises(CommandError) as raised:
        call_command("import_projects", write(tmp_path, GOOD + row + "\n"))

    assert error in str(raised.value)
    assert "nothing imported" in str(raised.value)
    assert database_state() == earlier


# Rows that pass every check but that the database refuses, last in a file whose
# first rows update a project and create another (with a new sponsor and a new
# year's reference counter).
WRITTEN_FIRST = HEADER + (
    "HDH-2022-0050,Étude ancienne révisée,Résumé,Unicancer,ai,unibase,ESME|BNDMR,completed,"
    "2022-02-01,2022-09-01\n"
    "HDH-2024-0103,Étude nouvelle,,Institut Neuf,covid-19,,OSCOUR,submitted,2024-01-10,\n"
)
TOO_LONG_TITLE = "T" * 301  # the column holds 300 characters
TOO_LONG_SPONSOR = "Institut " + "N" * 200  # the column holds 200 characters


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "row",
    [
        f"HDH-2024-0104,{TOO_LONG_TITLE},,Unicancer,ai,,ESME,submitted,2024-02-01,",
        f"HDH-2024-0104,Titre,,{TOO_LONG_SPONSOR},ai,,ESME,submitted,2024-02-01,",
        # Written, with its event, before its number overflows the year's counter.
        "HDH-2024-99999999999,Titre,,Unicancer,ai,,ESME,submitted,2024-02-01,",
        "HDH-2024-0104,Titre,Un octet \x00 nul,Unicancer,ai,,ESME,submitted,2024-02-01,",
    ],
    ids=["title-too-long", "sponsor-name-too-long", "reference-number-overflows", "nul-byte"],
)
def test_a_row_the_database_refuses_undoes_every_row_written_before_it(tmp_path, earlier, row):
    text = WRITTEN_FIRST + row + "\n"
    assert len(read_rows(io.StringIO(text))) == 3  # the checks let every row through

    with pytest.raises(CommandError) as raised:
        call_command("import_projects", write(tmp_path, text))

    assert database_state() == earlier
    assert "nothing imported" in str(raised.value)
    assert "line 4: could not be written" in str(raised.value)


# The events a row's dates imply, at those dates (noon, hub time), so that the clocks,
# the durations and the statistics count from them rather than from the import.

PARIS = ZoneInfo("Europe/Paris")


def trail(reference: str) -> list[tuple]:
    return list(
        Event.objects.filter(project__reference=reference)
        .order_by("at", "pk")
        .values_list("action", "from_status", "to_status", "at", "visibility")
    )


def test_the_import_writes_the_events_its_dates_imply(tmp_path, demo_catalog):
    call_command("import_projects", write(tmp_path, GOOD))

    launched = trail("HDH-2023-0101")
    assert [row[:3] for row in launched[:2]] == [
        ("submitted", "draft", "submitted"),
        ("launched", "approved", "in_progress"),
    ]
    assert [row[3] for row in launched[:2]] == [
        datetime(2023, 1, 10, 12, tzinfo=PARIS),
        datetime(2023, 6, 1, 12, tzinfo=PARIS),
    ]
    assert {row[4] for row in launched[:2]} == {Event.Visibility.PUBLIC}
    assert launched[2][0] == "imported"
    assert [row[0] for row in trail("HDH-2023-0102")] == ["submitted", "imported"]


def test_an_imported_file_under_review_has_its_clock_from_its_dates(tmp_path, demo_catalog):
    call_command("import_projects", write(tmp_path, GOOD))

    project = Project.objects.get(reference="HDH-2023-0102")
    clock = project.review_clock(today=date(2023, 3, 20))
    assert (project.stage_due_on, project.decision_due_on) == (
        date(2023, 3, 25),
        date(2023, 6, 10),
    )
    assert (clock.since, clock.days_left) == (date(2023, 3, 10), 5)
    launched = Project.objects.get(reference="HDH-2023-0101")
    assert (launched.stage_due_on, launched.decision_due_on) == (None, None)


def test_a_later_file_adds_only_the_events_the_trail_lacks(tmp_path, demo_catalog):
    call_command("import_projects", write(tmp_path, GOOD))
    launched_later = GOOD.replace(
        "covid-19,,oscour,submitted,2023-03-10,",
        "covid-19,,oscour,in_progress,2023-03-10,2023-09-01",
    )

    call_command("import_projects", write(tmp_path, launched_later))

    # In time order: the dates of the register, then what each import found.
    assert [row[:3] for row in trail("HDH-2023-0102")] == [
        ("submitted", "draft", "submitted"),
        ("launched", "approved", "in_progress"),
        ("imported", "", "submitted"),
        ("imported", "", "in_progress"),
    ]
    assert trail("HDH-2023-0102")[1][3] == datetime(2023, 9, 1, 12, tzinfo=PARIS)
    assert [row[0] for row in trail("HDH-2023-0102")].count("submitted") == 1
    project = Project.objects.get(reference="HDH-2023-0102")
    assert (project.stage_due_on, project.decision_due_on) == (None, None)


def imported(tmp_path, text) -> str:
    out = io.StringIO()
    call_command("import_projects", write(tmp_path, text), stdout=out)
    return out.getvalue().strip()


def test_the_report_counts_rows_created_updated_and_unchanged(tmp_path, demo_catalog):
    assert imported(tmp_path, GOOD) == "records.csv: 2 created, 0 updated, 0 unchanged."
    assert imported(tmp_path, GOOD) == "records.csv: 0 created, 0 updated, 2 unchanged."
    changed = GOOD.replace("Étude A", "Étude A bis")
    assert imported(tmp_path, changed) == "records.csv: 0 created, 1 updated, 1 unchanged."


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(("ai|prevention", "ai"), id="themes only"),
        pytest.param(("ESME|bndmr", "ESME"), id="bases only"),
    ],
)
def test_a_row_whose_themes_or_bases_alone_changed_is_updated(tmp_path, demo_catalog, change):
    imported(tmp_path, GOOD)

    assert imported(tmp_path, GOOD.replace(*change)) == (
        "records.csv: 0 created, 1 updated, 1 unchanged."
    )
    project = Project.objects.get(reference="HDH-2023-0101")
    assert sorted(project.themes.values_list("slug", flat=True)) == (
        ["ai"] if "ai|prevention" in change else ["ai", "prevention"]
    )
    assert sorted(project.requested_bases.values_list("base__acronym", flat=True)) == (
        ["ESME"] if "ESME|bndmr" in change else ["BNDMR", "ESME"]
    )


def test_a_sponsor_the_import_creates_is_verified_by_the_hub_register(tmp_path, demo_catalog):
    imported(tmp_path, GOOD)

    assert Organisation.objects.get(name="Institut Nouveau").verified_at is not None


def test_an_update_that_keeps_the_status_keeps_its_time_in_the_status(tmp_path, demo_catalog):
    imported(tmp_path, GOOD)
    before = Project.objects.get(reference="HDH-2023-0102").status_changed_at

    imported(tmp_path, GOOD.replace("Étude B, suite", "Étude B, fin"))
    after = Project.objects.get(reference="HDH-2023-0102")
    assert after.title == "Étude B, fin"
    assert after.status_changed_at == before

    imported(tmp_path, GOOD.replace("oscour,submitted", "oscour,under_review"))
    assert Project.objects.get(reference="HDH-2023-0102").status_changed_at > before


def test_a_rejected_file_lists_one_error_per_line(demo_catalog):
    bad = HEADER + "HDH-2023-0103,C,,X,nope,,ZZZ,in_progress,2023-01-10,\n"

    with pytest.raises(ImportRejected) as raised:
        read_rows(io.StringIO(bad))

    assert str(raised.value).splitlines() == raised.value.errors
    assert raised.value.errors == ["line 2: unknown theme 'nope'", "line 2: unknown base 'ZZZ'"]


def row(
    reference="HDH-2023-0103", bases="ESME", status="submitted", submitted="2023-01-10", launched=""
):
    return f"{reference},Titre,Résumé,Unicancer,ai,,{bases},{status},{submitted},{launched}\n"


def test_bases_are_found_by_acronym_or_slug_in_any_case(tmp_path, demo_catalog):
    text = HEADER + row("HDH-2023-0103", "Atu Cbpc") + row("HDH-2023-0104", "ATU-CBPC|e-must")
    imported(tmp_path, text)

    for reference, acronyms in [
        ("HDH-2023-0103", ["ATU CBPC"]),
        ("HDH-2023-0104", ["ATU CBPC", "e-MUST"]),
    ]:
        project = Project.objects.get(reference=reference)
        assert sorted(project.requested_bases.values_list("base__acronym", flat=True)) == acronyms


@pytest.mark.parametrize(
    ("line", "error"),
    [
        pytest.param(
            row(reference=""),
            "line 2: reference is required (20 characters at most)",
            id="no reference",
        ),
        pytest.param(
            row(reference="R" * 21),
            "line 2: reference is required (20 characters at most)",
            id="21 characters",
        ),
        pytest.param(
            row(submitted=""), "line 2: submitted_on is required", id="no submission date"
        ),
        pytest.param(
            "HDH-2023-0103,,Résumé,Unicancer,ai,,ESME,submitted,2023-01-10,\n",
            "line 2: title is required",
            id="no title",
        ),
        pytest.param(
            row(status="in_progress", launched="2023-02-30"),
            "line 2: launched_on '2023-02-30' is not a date (YYYY-MM-DD)",
            id="bad launch date",
        ),
    ],
)
def test_each_field_error_is_told_in_words(demo_catalog, line, error):
    with pytest.raises(ImportRejected) as raised:
        read_rows(io.StringIO(HEADER + line))

    assert raised.value.errors == [error]


def test_a_reference_of_twenty_characters_and_a_same_day_launch_are_accepted(demo_catalog):
    (parsed,) = read_rows(
        io.StringIO(HEADER + row(reference="R" * 20, status="in_progress", launched="2023-01-10"))
    )

    assert (parsed.reference, parsed.launched_on) == ("R" * 20, date(2023, 1, 10))


def test_every_missing_column_is_named(tmp_path):
    with pytest.raises(ImportRejected) as raised:
        read_rows(io.StringIO("reference,title,summary,sponsor,themes,programme,bases,status\n"))

    assert raised.value.errors == ["line 1: missing columns: submitted_on, launched_on"]


def test_the_report_counts_every_updated_row(tmp_path, demo_catalog):
    imported(tmp_path, GOOD)

    changed = GOOD.replace("Étude A", "Étude A bis").replace("Résumé B", "Résumé B bis")
    assert imported(tmp_path, changed) == "records.csv: 0 created, 2 updated, 0 unchanged."
    assert set(Event.objects.filter(action="imported").values_list("visibility", flat=True)) == {
        Event.Visibility.STAFF
    }


def test_a_launch_date_given_later_adds_the_launch_event_once(tmp_path, demo_catalog):
    imported(tmp_path, HEADER + row(status="in_progress"))
    project = Project.objects.get(reference="HDH-2023-0103")
    assert not project.events.filter(action="launched").exists()

    imported(tmp_path, HEADER + row(status="in_progress", launched="2023-06-01"))
    imported(tmp_path, HEADER + row(status="in_progress", launched="2023-06-01", bases="OSCOUR"))

    (launch,) = project.events.filter(action="launched")
    assert launch.at.date() == date(2023, 6, 1)
