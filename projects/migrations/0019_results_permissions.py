"""The hub's groups read the declared results, algorithm cards and results reminders;
publishing or refusing them is the reviewers' right to move a project through the
review (`results.review` checks it), never an edit in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["result", "algorithm", "algorithmversion", "resultsreminder"]
GROUPS = ["reviewers", "hub administrators"]


def forward(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        for model in MODELS:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="projects", codename=f"view_{model}")
            )


class Migration(migrations.Migration):
    dependencies = [("projects", "0018_results_and_algorithms")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
