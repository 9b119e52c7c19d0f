"""The version of the public data (`PublicVersion`): a single row that the services
move on with every change the public can see, instead of the latest `updated_at` of
any project, which every draft saved moved on too.

Numbered 0014: 0013 is taken by another branch (0013_holder_decisions); when both
are merged, this one depends on it instead of 0012.
"""

import django.utils.timezone
from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("projects", "PublicVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0015_holder_notifications"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("number", models.PositiveBigIntegerField(default=0, verbose_name="number")),
                (
                    "changed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="last change"
                    ),
                ),
            ],
            options={
                "verbose_name": "public data version",
                "verbose_name_plural": "public data versions",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="public_version_single"
                    )
                ],
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
