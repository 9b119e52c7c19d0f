"""import_projects: all or nothing, every error with its line, idempotent."""

import pytest
from django.core.management import CommandError, call_command

from projects.models import Event, Organisation, Project, ReferenceCounter

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
    event = Event.objects.get(project=first)
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
