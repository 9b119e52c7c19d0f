from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.review.imports import ImportRejected, import_rows, read_rows


class Command(BaseCommand):
    help = (
        "Imports projects from a UTF-8 CSV file (reference, title, summary, sponsor, themes, "
        "programme, bases, status, submitted_on, launched_on). All or nothing: any bad row "
        "rejects the whole file. Importing the same file again updates by reference."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                rows = read_rows(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text: {error}") from error
        except ImportRejected as rejected:
            raise CommandError(
                f"{file.name}: nothing imported, {len(rejected.errors)} error(s):\n"
                + "\n".join(rejected.errors)
            ) from None
        try:
            report = import_rows(rows, source=file.name)
        except ImportRejected as rejected:
            raise CommandError(
                f"{file.name}: nothing imported, " + "\n".join(rejected.errors)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{file.name}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged."
            )
        )
