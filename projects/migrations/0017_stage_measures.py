"""Stored measures of each file's finished stages (`StageMeasure`), filled from the
audit trail already there.

The fill replays the trail with the application's code (`processing.store_measures`),
as a deployment would right after: it reads only the events, the extensions and the
deadlines, whose tables this migration does not change."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    from projects import processing

    # Every file was an access application then (`Project.kind` comes in 0021).
    processing.store_measures(data_requests=set())


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0016_public_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="StageMeasure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stage", models.CharField(max_length=20, verbose_name="stage")),
                ("ended_on", models.DateField(verbose_name="ended on")),
                ("days", models.PositiveIntegerField(verbose_name="days")),
                ("allowed_days", models.PositiveIntegerField(verbose_name="days allowed")),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="measures",
                        to="projects.project",
                    ),
                ),
            ],
            options={
                "verbose_name": "stage measure",
                "verbose_name_plural": "stage measures",
                "indexes": [models.Index(fields=["project"], name="stage_measure_project")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
